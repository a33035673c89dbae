//! Templates: the seed templates parse into the expected outline, each template checked
//! against itself is all placeholder, the shipped examples pass, skeletons line up.

use design_review::checker::{self, GapKind, Severity, Template, TemplateRules};

fn builtin(name: &str) -> Template {
    checker::builtin(name, &TemplateRules::default())
        .expect("built-in")
        .expect("parses")
}

fn outline(t: &Template) -> Vec<(u8, &str, bool, Option<&str>)> {
    t.sections
        .iter()
        .map(|s| {
            (
                s.level,
                s.heading.as_str(),
                s.optional,
                s.only_for.as_deref(),
            )
        })
        .collect()
}

#[test]
fn system_design_outline_fields_and_conditional_block() {
    let t = builtin("system-design");
    assert_eq!(t.title.as_deref(), Some("Tech documentation - Template"));
    let sd = Some("system design");
    assert_eq!(
        outline(&t),
        [
            (1, "Summary", false, None),
            (1, "Motivation", false, None),
            (1, "Requirements and scope", false, None),
            (2, "Supported use cases", false, None),
            (2, "Expected outcomes", false, None),
            (2, "Out of scope", false, None),
            (1, "Basic concept", false, None),
            (1, "Detailed design", false, None),
            (2, "Services Affected", false, None),
            (2, "Domain Model", false, sd),
            (2, "Contracts", false, sd),
            (2, "GraphQL API (optional)", true, sd),
            (2, "Idempotence / Re-entrance", false, sd),
            (2, "Persistent layout (optional)", true, sd),
            (2, "Supportability", false, sd),
            (1, "Drawbacks", false, None),
            (1, "Rationale and alternatives", false, None),
            (1, "Testing", false, None),
            (1, "Audit", false, None),
            (1, "Logging Alerts", false, None),
            (1, "Unresolved questions", false, None),
            (1, "Glossary", false, None),
        ]
    );
    let parents: Vec<Option<&str>> = t
        .sections
        .iter()
        .map(|s| s.parent.map(|p| t.sections[p].heading.as_str()))
        .collect();
    assert_eq!(parents[3], Some("Requirements and scope"));
    assert_eq!(parents[9], Some("Detailed design"));
    assert_eq!(parents[15], None);

    let fields: Vec<(&str, &str, Option<&str>, bool)> = t
        .fields
        .iter()
        .map(|f| {
            (
                f.label.as_str(),
                f.example.as_str(),
                f.parent.map(|p| t.fields[p].label.as_str()),
                f.required,
            )
        })
        .collect();
    assert_eq!(fields[0], ("Feature name", "Warp drive design", None, true));
    assert_eq!(fields[1], ("Author(s)", "Mary Smith", None, true));
    assert_eq!(fields[2].0, "Required Reviewers");
    assert_eq!(fields[3].0, "Technical Expert(s)");
    assert_eq!(fields[3].2, Some("Required Reviewers"));
    assert_eq!(
        &fields[4..]
            .iter()
            .map(|f| (f.0, f.2, f.3))
            .collect::<Vec<_>>(),
        &[
            ("Stakeholder", Some("Required Reviewers"), true),
            ("Service Owner(s)", Some("Required Reviewers"), true),
            ("Design review team", Some("Required Reviewers"), false),
        ]
    );
    assert!(t.sections[1].guidance.starts_with("Why are we doing this?"));
    assert!(
        !t.sections[8].guidance.is_empty() && t.sections[9].guidance.contains("defmodule"),
        "code blocks are part of the guidance"
    );
}

#[test]
fn tech_spec_outline_with_title_and_rule_optional_sections() {
    let t = builtin("tech-spec");
    assert_eq!(
        t.title.as_deref(),
        Some("Microservices Viable Platform (@eq8/mvp)")
    );
    assert!(
        t.fields.is_empty(),
        "a tagline under the title is not a header field"
    );
    let names: Vec<&str> = t.sections.iter().map(|s| s.heading.as_str()).collect();
    assert_eq!(names.len(), 17);
    assert_eq!(
        &names[..3],
        ["Overview", "Background", "Goals and Product Requirements"]
    );
    assert_eq!(names[16], "Timeline and Components");
    let optional: Vec<&str> = t
        .sections
        .iter()
        .filter(|s| s.optional)
        .map(|s| s.heading.as_str())
        .collect();
    assert_eq!(optional, ["Goals and Product Requirements", "Components"]);
    assert!(
        t.sections
            .iter()
            .all(|s| s.level == 2 && s.parent.is_none())
    );
}

#[test]
fn each_template_checked_against_itself_is_all_placeholder() {
    for name in checker::builtin_names() {
        let t = builtin(name);
        let markdown = checker::builtin_template(name).unwrap();
        let report = checker::check(markdown, &t);
        let placeholder: Vec<&str> = report
            .gaps
            .iter()
            .filter(|g| g.kind == GapKind::PlaceholderSection)
            .map(|g| g.section.as_str())
            .collect();
        let all: Vec<&str> = t.sections.iter().map(|s| s.heading.as_str()).collect();
        assert_eq!(placeholder, all, "{name}");
        assert!(report.gaps.iter().all(|g| matches!(
            g.kind,
            GapKind::PlaceholderSection | GapKind::PlaceholderField
        )));
    }
}

#[test]
fn shipped_examples_pass_without_errors() {
    for name in checker::builtin_names() {
        let t = builtin(name);
        let path = format!("{}/config/examples/{name}.md", env!("CARGO_MANIFEST_DIR"));
        let doc = std::fs::read_to_string(&path).unwrap();
        let report = checker::check(&doc, &t);
        assert!(report.passes(), "{path}: {:#?}", report.gaps);
        assert!(report.gaps.is_empty(), "{path}: {:#?}", report.gaps);
    }
}

#[test]
fn system_design_example_exposes_reviewers_services_and_type() {
    let t = builtin("system-design");
    let doc = std::fs::read_to_string(format!(
        "{}/config/examples/system-design.md",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let report = checker::check(&doc, &t);
    assert_eq!(report.doc_type.as_deref(), Some("system design"));
    assert_eq!(report.field("feature name"), Some("Card spend limits"));
    let mentions: Vec<String> = report
        .reviewers
        .iter()
        .map(|r| match &r.mention {
            checker::Mention::User { login } => login.to_string(),
            checker::Mention::Team { team } => team.to_string(),
        })
        .collect();
    assert_eq!(
        mentions,
        ["grace", "acme/payments-core", "linus", "acme/cards-owners"]
    );
    assert_eq!(
        report.services,
        ["cards", "authorizations", "notifications"]
    );
}

#[test]
fn skeleton_lists_every_section_and_checks_as_empty_not_missing() {
    for name in checker::builtin_names() {
        let t = builtin(name);
        let skeleton = checker::skeleton(&t);
        let report = checker::check(&skeleton, &t);
        assert!(
            report
                .gaps
                .iter()
                .all(|g| g.kind != GapKind::MissingSection && g.kind != GapKind::MissingField),
            "{name}: {:#?}",
            report.gaps
        );
        let empty = report
            .gaps
            .iter()
            .filter(|g| g.kind == GapKind::EmptySection && g.severity == Severity::Error)
            .count();
        let required = t
            .sections
            .iter()
            .filter(|s| !s.optional && s.only_for.is_none())
            .count();
        assert_eq!(empty, required, "{name}");
    }
}

#[test]
fn a_team_template_with_fields_and_no_title() {
    let md = std::fs::read_to_string(format!(
        "{}/tests/fixtures/checker/rfc-template.md",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let t = Template::parse("rfc", &md, &TemplateRules::default()).unwrap();
    assert_eq!(t.title, None);
    let names: Vec<&str> = t.sections.iter().map(|s| s.heading.as_str()).collect();
    assert_eq!(names, ["Summary", "Motivation", "Unresolved questions"]);
    let labels: Vec<&str> = t.fields.iter().map(|f| f.label.as_str()).collect();
    assert_eq!(labels, ["Feature Name", "Start Date"]);
}

#[test]
fn rules_naming_unknown_sections_or_fields_are_errors() {
    let md = checker::builtin_template("tech-spec").unwrap();
    let rules = TemplateRules::from_yaml("optional: [Nonexistent]").unwrap();
    let err = Template::parse("tech-spec", md, &rules).unwrap_err();
    assert_eq!(
        err.to_string(),
        "template tech-spec: rule `optional` names section \"Nonexistent\", which is not in the template"
    );
    let rules = TemplateRules::from_yaml("required_fields: [Budget]").unwrap();
    assert_eq!(
        Template::parse("tech-spec", md, &rules)
            .unwrap_err()
            .to_string(),
        "template tech-spec: `required_fields` names \"Budget\", which is not a header field of the template"
    );
    let rules = TemplateRules::from_yaml("placeholder_threshold: 1.5").unwrap();
    assert_eq!(
        Template::parse("tech-spec", md, &rules)
            .unwrap_err()
            .to_string(),
        "template tech-spec: placeholder threshold 1.5 is not between 0 and 1"
    );
}

#[test]
fn template_without_headings_is_a_clear_error() {
    let err = Template::parse("empty", "", &TemplateRules::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "template empty: no Markdown headings found, so there are no sections to check against"
    );
    let err = Template::parse(
        "fence",
        "```\n# not a heading\n```\n",
        &TemplateRules::default(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "template fence: no Markdown headings found, so there are no sections to check against"
    );
}
