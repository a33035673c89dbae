//! The Markdown checker on any text: checked as a doc against every built-in template, and
//! parsed as a template (user templates come from repositories) that then checks itself and a
//! fixed doc. Errors are fine; panics are not.
#![no_main]

use std::sync::OnceLock;

use design_review::checker::{self, Template, TemplateRules};
use libfuzzer_sys::fuzz_target;

const DOC: &str = "# Title\n\n## Summary\n\nSomething real.\n\n## Motivation\n\nTBD\n";

fn builtins() -> &'static [Template] {
    static TEMPLATES: OnceLock<Vec<Template>> = OnceLock::new();
    TEMPLATES.get_or_init(|| {
        checker::builtin_names()
            .iter()
            .map(|name| {
                checker::builtin(name, &TemplateRules::default())
                    .expect("listed built-in exists")
                    .expect("built-in template parses")
            })
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for template in builtins() {
        let report = checker::check(&text, template);
        // Rendering is part of what the server does with every report.
        let _ = checker::render_markdown_gaps(&report.gaps, None);
    }
    if let Ok(template) = Template::parse("fuzz", &text, &TemplateRules::default()) {
        let _ = checker::check(&text, &template);
        let _ = checker::check(DOC, &template);
        let _ = checker::skeleton(&template);
    }
});
