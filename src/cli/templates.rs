//! `design-review templates` and `design-review template NAME`, plus template loading shared
//! with `check` (built-in name or path, with an optional `NAME.rules.yml` side file).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, anyhow};

use crate::checker::{self, Template, TemplateRules};

/// Lists the built-in templates.
pub fn list() -> ExitCode {
    for name in checker::builtin_names() {
        println!(
            "{name:<14} {}",
            checker::builtin_description(name).unwrap_or_default()
        );
    }
    ExitCode::SUCCESS
}

/// Prints a fresh doc skeleton for a built-in template or a template file.
pub fn show(name: &str) -> ExitCode {
    match load(name, Path::new("."), &TemplateRules::default()) {
        Ok(template) => {
            print!("{}", checker::skeleton(&template));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("design-review: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Loads a template by built-in name, or by path (relative to `base_dir`), with `extra`
/// rules layered over the built-in or side-file rules.
pub fn load(spec: &str, base_dir: &Path, extra: &TemplateRules) -> anyhow::Result<Template> {
    if let Some(parsed) = checker::builtin(spec, extra) {
        return parsed.map_err(|e| anyhow!(e));
    }
    let path = base_dir.join(spec);
    let markdown = std::fs::read(&path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            anyhow!(
                "{}: template not found (built-in templates: {})",
                path.display(),
                checker::builtin_names().join(", ")
            )
        } else {
            anyhow!("{}: cannot read template: {e}", path.display())
        }
    })?;
    let markdown = String::from_utf8(markdown)
        .map_err(|_| anyhow!("{}: template is not valid UTF-8", path.display()))?;
    let side = rules_path(&path);
    let rules = match std::fs::read_to_string(&side) {
        Ok(yaml) => extra.clone().merged_over(
            &TemplateRules::from_yaml(&yaml)
                .with_context(|| format!("{}: invalid rules", side.display()))?,
        ),
        Err(_) => extra.clone(),
    };
    Template::parse(spec, &markdown, &rules).map_err(|e| anyhow!("{}: {e}", path.display()))
}

/// `foo/template.md` -> `foo/template.rules.yml`.
fn rules_path(template: &Path) -> PathBuf {
    template.with_extension("rules.yml")
}
