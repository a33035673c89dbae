//! Property tests: any input is checked without panicking, and every gap's line is inside
//! the doc.

use design_review::checker::{self, Template, TemplateRules};
use proptest::prelude::*;

fn template() -> Template {
    checker::builtin("system-design", &TemplateRules::default())
        .unwrap()
        .unwrap()
}

/// Markdown-ish lines: headings of every level, lists, fields, fences, comments, front matter.
fn markdownish() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        "#{1,7} ?[A-Za-z &/().:*_0-9]{0,30}",
        "[-*] \\*\\*[A-Za-z()]{1,12}:\\*\\* ?[@A-Za-z/ ]{0,20}",
        "  - [A-Za-z()]{1,12}: ?[@A-Za-z/ ]{0,20}",
        Just("```".to_string()),
        Just("~~~".to_string()),
        Just("---".to_string()),
        Just("<!--".to_string()),
        Just("-->".to_string()),
        Just("===".to_string()),
        Just(String::new()),
        "[ -~]{0,40}",
        "\\PC{0,20}",
        Just("Summary".to_string()),
        Just("# Motivation".to_string()),
        Just("## Services Affected".to_string()),
        Just("TBD".to_string()),
    ];
    (prop::collection::vec(line, 0..60), prop::bool::ANY)
        .prop_map(|(lines, crlf)| lines.join(if crlf { "\r\n" } else { "\n" }))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn never_panics_and_lines_stay_in_the_doc(doc in markdownish()) {
        let report = checker::check(&doc, &template());
        let lines = doc.lines().count().max(1);
        for gap in &report.gaps {
            prop_assert!(gap.line >= 1 && gap.line <= lines, "line {} of {} in {:?}", gap.line, lines, gap);
        }
        for field in &report.fields {
            prop_assert!(field.line >= 1 && field.line <= lines);
        }
    }

    #[test]
    fn arbitrary_text_never_panics(doc in "\\PC{0,400}") {
        let report = checker::check(&doc, &template());
        let lines = doc.lines().count().max(1);
        prop_assert!(report.gaps.iter().all(|g| g.line >= 1 && g.line <= lines));
    }

    #[test]
    fn arbitrary_templates_parse_or_fail_cleanly(md in markdownish(), doc in markdownish()) {
        if let Ok(t) = Template::parse("prop", &md, &TemplateRules::default()) {
            let _ = checker::check(&doc, &t);
            let _ = checker::skeleton(&t);
        }
    }
}
