//! `design-review templates` and `design-review template NAME`, plus template loading shared
//! with `check` and `init` (built-in name, matched case-insensitively, or path, with an
//! optional `NAME.rules.yml` side file).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, anyhow};

use super::ListFormat;
use crate::checker::{self, Template, TemplateRules};

/// Flags of `design-review templates`.
#[derive(Debug, clap::Args)]
pub struct TemplatesArgs {
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

#[derive(serde::Serialize)]
struct Listed {
    name: &'static str,
    description: &'static str,
}

/// Lists the built-in templates.
pub fn list(args: TemplatesArgs) -> ExitCode {
    let listed: Vec<Listed> = checker::builtin_names()
        .iter()
        .map(|&name| Listed {
            name,
            description: checker::builtin_description(name).unwrap_or_default(),
        })
        .collect();
    match args.format {
        ListFormat::Text => {
            for t in &listed {
                println!("{:<14} {}", t.name, t.description);
            }
        }
        ListFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&listed).unwrap_or_default()
        ),
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

/// The built-in template `spec` names, whatever its case (`Tech-Spec` is `tech-spec`).
pub fn builtin_name(spec: &str) -> Option<&'static str> {
    checker::builtin_names()
        .iter()
        .copied()
        .find(|name| name.eq_ignore_ascii_case(spec.trim()))
}

/// How a template is named in reports and config lookups: the built-in's own spelling, or
/// the path as given.
pub fn canonical(spec: &str) -> String {
    builtin_name(spec).map_or_else(|| spec.to_string(), str::to_string)
}

/// Loads a template by built-in name, or by path (relative to `base_dir`), with `extra`
/// rules layered over the built-in or side-file rules.
pub fn load(spec: &str, base_dir: &Path, extra: &TemplateRules) -> anyhow::Result<Template> {
    if let Some(name) = builtin_name(spec)
        && let Some(parsed) = checker::builtin(name, extra)
    {
        return parsed.map_err(|e| anyhow!(e));
    }
    let path = base_dir.join(spec);
    let markdown = std::fs::read(&path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            not_found(spec, &path)
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

/// "template not found", with the closest built-in name when `spec` looks like a mistyped one.
fn not_found(spec: &str, path: &Path) -> anyhow::Error {
    let path = path.strip_prefix(".").unwrap_or(path);
    let builtins = checker::builtin_names().join(", ");
    match closest_builtin(spec) {
        Some(name) => anyhow!(
            "{}: template not found; did you mean {name}? (built-in templates: {builtins}; or \
             the path of a Markdown template)",
            path.display()
        ),
        None => anyhow!(
            "{}: template not found (built-in templates: {builtins}; or the path of a Markdown \
             template)",
            path.display()
        ),
    }
}

/// The built-in name within a few edits of `spec` (a name, not a path).
pub fn closest_builtin(spec: &str) -> Option<&'static str> {
    let spec = spec.trim().to_lowercase();
    if spec.contains('/') || spec.ends_with(".md") {
        return None;
    }
    checker::builtin_names()
        .iter()
        .copied()
        .map(|name| (strsim::damerau_levenshtein(&spec, name), name))
        .filter(|&(distance, name)| distance <= 3.max(name.len() / 3))
        .min()
        .map(|(_, name)| name)
}

/// `foo/template.md` -> `foo/template.rules.yml`.
fn rules_path(template: &Path) -> PathBuf {
    template.with_extension("rules.yml")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mistyped_names_suggest_the_closest_builtin() {
        assert_eq!(closest_builtin("system-desing"), Some("system-design"));
        assert_eq!(closest_builtin("Tech_Spec"), Some("tech-spec"));
        assert_eq!(closest_builtin("rfc"), None);
        assert_eq!(closest_builtin("docs/system-desing.md"), None);
        assert_eq!(builtin_name(" TECH-SPEC "), Some("tech-spec"));
    }
}
