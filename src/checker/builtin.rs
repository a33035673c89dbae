//! The templates shipped inside the binary, selectable by name.

use super::rules::TemplateRules;

/// Names of the built-in templates.
const NAMES: &[&str] = &["system-design", "tech-spec"];

/// Names of the built-in templates (`system-design`, `tech-spec`).
pub fn builtin_names() -> &'static [&'static str] {
    NAMES
}

/// The Markdown of a built-in template.
pub fn builtin_template(name: &str) -> Option<&'static str> {
    match name {
        "system-design" => Some(include_str!("../../config/templates/system-design.md")),
        "tech-spec" => Some(include_str!("../../config/templates/tech-spec.md")),
        _ => None,
    }
}

/// One-line description of a built-in template, for `design-review templates`.
pub fn builtin_description(name: &str) -> Option<&'static str> {
    match name {
        "system-design" => Some(
            "Tech documentation / system design doc (Summary, Motivation, Detailed design, ...)",
        ),
        "tech-spec" => Some("Tech spec (Overview, Background, Approach, Test Plan, Rollout, ...)"),
        _ => None,
    }
}

/// The YAML rules shipped with a built-in template.
pub fn builtin_rules_yaml(name: &str) -> Option<&'static str> {
    match name {
        "system-design" => Some(include_str!(
            "../../config/templates/system-design.rules.yml"
        )),
        "tech-spec" => Some(include_str!("../../config/templates/tech-spec.rules.yml")),
        _ => None,
    }
}

/// The parsed rules shipped with a built-in template (default rules for other names).
pub fn builtin_rules(name: &str) -> TemplateRules {
    builtin_rules_yaml(name)
        .and_then(|yaml| TemplateRules::from_yaml(yaml).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_has_markdown_and_valid_rules() {
        for name in builtin_names() {
            assert!(builtin_template(name).is_some());
            assert!(builtin_description(name).is_some());
            TemplateRules::from_yaml(builtin_rules_yaml(name).unwrap()).unwrap();
        }
        assert!(builtin_template("nope").is_none());
    }
}
