//! One example per gap kind, and the tolerant heading matching people rely on.

use design_review::checker::{self, Gap, GapKind, Severity, Template, TemplateRules};

const TEMPLATE: &str = "\
# My template

- **Author(s):** Mary Smith
- **Reviewers:**
  - Stakeholder: _Someone affected by the project_

## Summary

One paragraph explanation of the feature.

## Motivation

Why are we doing this? What use cases does it support?

## Rationale and alternatives

Why is this design the best in the space of possible designs?

## Prior art (optional)

Discuss prior art, both the good and the bad.
";

const HEADER: &str =
    "# Fancy feature\n\n- **Author(s):** Ada\n- **Reviewers:**\n  - Stakeholder: @bob\n\n";

fn template() -> Template {
    Template::parse("t", TEMPLATE, &TemplateRules::default()).unwrap()
}

fn gaps(doc: &str) -> Vec<Gap> {
    checker::check(doc, &template()).gaps
}

fn kinds(doc: &str) -> Vec<(GapKind, String, usize)> {
    gaps(doc)
        .into_iter()
        .map(|g| (g.kind, g.section, g.line))
        .collect()
}

fn complete() -> String {
    format!(
        "{HEADER}## Summary\n\nA real summary.\n\n## Motivation\n\nUsers asked for it.\n\n## Rationale and alternatives\n\nWe compared three designs.\n"
    )
}

#[test]
fn complete_doc_has_no_gaps() {
    assert_eq!(kinds(&complete()), []);
}

#[test]
fn missing_section_points_where_it_should_go() {
    let doc = complete().replace("## Motivation\n\nUsers asked for it.\n\n", "");
    let g = gaps(&doc);
    assert_eq!(g.len(), 1, "{g:#?}");
    assert_eq!(
        (g[0].kind, g[0].severity, g[0].section.as_str()),
        (GapKind::MissingSection, Severity::Error, "Motivation")
    );
    let next_heading = doc
        .lines()
        .position(|l| l.starts_with("## Rationale"))
        .unwrap()
        + 1;
    assert_eq!(g[0].line, next_heading);
    assert_eq!(
        g[0].message,
        "Add a \"## Motivation\" section before \"Rationale and alternatives\". The template asks: Why are we doing this?"
    );
}

#[test]
fn empty_section_counts_comments_and_whitespace_as_nothing() {
    let doc = complete().replace("Users asked for it.", "<!-- write this later -->\n\n   ");
    assert_eq!(
        kinds(&doc),
        [(GapKind::EmptySection, "Motivation".into(), 11)]
    );
}

#[test]
fn placeholder_section_when_guidance_is_left_or_only_filler() {
    let doc = complete().replace(
        "Users asked for it.",
        "Why are we doing this? What use cases does it support?",
    );
    assert_eq!(
        kinds(&doc),
        [(GapKind::PlaceholderSection, "Motivation".into(), 11)]
    );
    let doc = complete().replace("Users asked for it.", "TBD");
    let g = gaps(&doc);
    assert_eq!(g[0].kind, GapKind::PlaceholderSection);
    assert_eq!(
        g[0].message,
        "The \"Motivation\" section only holds filler such as TODO or TBD; write the real content. The template asks: Why are we doing this?"
    );
    // Guidance kept as an introduction to real text is not a placeholder.
    let doc = complete().replace(
        "Users asked for it.",
        "Why are we doing this? Because support spends two days a month reconciling exports by hand, \
         and three enterprise customers made it a renewal condition.",
    );
    assert_eq!(kinds(&doc), []);
}

#[test]
fn filler_words_and_threshold_are_configurable() {
    let rules =
        TemplateRules::from_yaml("filler_words: [pending]\nplaceholder_threshold: 0.3").unwrap();
    let t = Template::parse("t", TEMPLATE, &rules).unwrap();
    let doc = complete().replace("Users asked for it.", "TBD");
    assert_eq!(checker::check(&doc, &t).gaps, [], "TBD is no longer filler");
    let doc = complete().replace("Users asked for it.", "Pending.");
    assert_eq!(
        checker::check(&doc, &t).gaps[0].kind,
        GapKind::PlaceholderSection
    );
    let doc = complete().replace(
        "Users asked for it.",
        "Why are we doing this? Because customers asked us for it.",
    );
    assert_eq!(
        checker::check(&doc, &t).gaps[0].kind,
        GapKind::PlaceholderSection,
        "lower threshold"
    );
}

#[test]
fn missing_field() {
    let doc = complete().replace("- **Author(s):** Ada\n", "");
    let g = gaps(&doc);
    assert_eq!(
        (g[0].kind, g[0].section.as_str()),
        (GapKind::MissingField, "Author(s)")
    );
}

#[test]
fn empty_field() {
    let doc = complete().replace("Stakeholder: @bob", "Stakeholder:");
    assert_eq!(
        kinds(&doc),
        [(GapKind::EmptyField, "Stakeholder".into(), 5)]
    );
}

#[test]
fn placeholder_field_is_the_template_example() {
    let doc = complete().replace("**Author(s):** Ada", "**Authors:** Mary Smith");
    assert_eq!(
        kinds(&doc),
        [(GapKind::PlaceholderField, "Author(s)".into(), 3)]
    );
    let doc = complete().replace(
        "Stakeholder: @bob",
        "Stakeholder: _Someone affected by the project_",
    );
    assert_eq!(
        kinds(&doc),
        [(GapKind::PlaceholderField, "Stakeholder".into(), 5)]
    );
}

#[test]
fn out_of_order_is_only_a_warning() {
    let doc = format!(
        "{HEADER}## Motivation\n\nUsers asked for it.\n\n## Summary\n\nA real summary.\n\n## Rationale and alternatives\n\nWe compared.\n"
    );
    let g = gaps(&doc);
    assert_eq!(g.len(), 1, "{g:#?}");
    assert_eq!(
        (g[0].kind, g[0].severity),
        (GapKind::OutOfOrder, Severity::Warning)
    );
    assert!(checker::check(&doc, &template()).passes());
}

#[test]
fn optional_sections_may_be_missing_but_warn_when_left_as_placeholder() {
    let doc = format!(
        "{}\n## Prior art (optional)\n\nDiscuss prior art, both the good and the bad.\n",
        complete()
    );
    let g = gaps(&doc);
    assert_eq!(
        (g[0].kind, g[0].severity),
        (GapKind::PlaceholderSection, Severity::Warning)
    );
}

#[test]
fn headings_match_the_way_people_write_them() {
    let doc = format!(
        "{HEADER}# 1. **SUMMARY:**\n\nA real summary.\n\n### 2.3 Motivation\n\nUsers asked.\n\n## IV. Rationale & Alternatives\n\nWe compared.\n"
    );
    assert_eq!(kinds(&doc), []);
}

#[test]
fn setext_headings_count_and_fenced_ones_do_not() {
    let doc = format!(
        "{HEADER}Summary\n-------\n\nA real summary.\n\n```md\n## Motivation\n```\n\n## Rationale and alternatives\n\nWe compared.\n"
    );
    let g = kinds(&doc);
    assert_eq!(g.len(), 1, "{g:?}");
    assert_eq!(
        (g[0].0, g[0].1.as_str()),
        (GapKind::MissingSection, "Motivation")
    );
}

#[test]
fn aliases_match() {
    let rules = TemplateRules::from_yaml(
        "aliases:\n  Rationale and alternatives: [Alternatives considered]",
    )
    .unwrap();
    let t = Template::parse("t", TEMPLATE, &rules).unwrap();
    let doc = complete().replace(
        "## Rationale and alternatives",
        "## Alternatives considered",
    );
    assert_eq!(checker::check(&doc, &t).gaps, []);
}

#[test]
fn a_combined_heading_covers_its_parts() {
    let t = Template::parse(
        "t",
        "## Drawbacks\n\nWhy not?\n\n## Alternatives\n\nWhat else?\n",
        &TemplateRules::default(),
    )
    .unwrap();
    let report = checker::check(
        "## Drawbacks and alternatives\n\nIt costs money; we could also buy it.\n",
        &t,
    );
    assert_eq!(report.gaps, []);
}

#[test]
fn crlf_front_matter_and_title_are_handled() {
    let doc = complete().replace('\n', "\r\n");
    assert_eq!(kinds(&doc), []);
    let doc = format!("---\ntitle: x\n---\n{}", complete());
    let report = checker::check(&doc, &template());
    assert_eq!(report.gaps, []);
    assert_eq!(report.title.as_deref(), Some("Fancy feature"));
}

#[test]
fn title_matching_a_section_is_a_section() {
    let doc = "# Summary\n\nA real summary.\n";
    let report = checker::check(doc, &template());
    assert_eq!(report.title, None);
    assert!(report.gaps.iter().all(|g| g.section != "Summary"));
}

#[test]
fn system_design_sections_are_required_only_when_declared() {
    let t = checker::builtin("system-design", &TemplateRules::default())
        .unwrap()
        .unwrap();
    let example = std::fs::read_to_string(format!(
        "{}/config/examples/system-design.md",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let cut = example.find("## Domain Model").unwrap()..example.find("# Drawbacks").unwrap();
    let without = format!("{}{}", &example[..cut.start], &example[cut.end..]);
    let missing: Vec<String> = checker::check(&without, &t)
        .gaps
        .into_iter()
        .filter(|g| g.kind == GapKind::MissingSection)
        .map(|g| g.section)
        .collect();
    assert_eq!(
        missing,
        [
            "Domain Model",
            "Contracts",
            "Idempotence / Re-entrance",
            "Supportability"
        ]
    );
    let not_system = without.replace("- **Type:** system design\n", "");
    assert!(checker::check(&not_system, &t).gaps.is_empty());
    let front_matter = format!("---\ntype: System Design\n---\n{not_system}");
    assert_eq!(checker::check(&front_matter, &t).errors(), 4);
}

#[test]
fn incomplete_fixture_reports_each_problem() {
    let t = checker::builtin("system-design", &TemplateRules::default())
        .unwrap()
        .unwrap();
    let doc = std::fs::read_to_string(format!(
        "{}/tests/fixtures/checker/incomplete-system-design.md",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let report = checker::check(&doc, &t);
    let mut seen: Vec<GapKind> = report.gaps.iter().map(|g| g.kind).collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 7, "every gap kind appears: {:#?}", report.gaps);
    assert_eq!(report.services, ["ledger", "exports"]);
    assert_eq!(report.doc_type.as_deref(), Some("system design"));
}

fn builtin(name: &str) -> Template {
    checker::builtin(name, &TemplateRules::default())
        .unwrap()
        .unwrap()
}

fn example(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/config/examples/{name}.md",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[test]
fn ampersand_and_slash_and_comma_spellings_are_the_same_heading() {
    let cases = [
        (
            "system-design",
            "## Idempotence / Re-entrance",
            &[
                "## Idempotence & Re-entrance",
                "## Idempotence and Re-entrance",
                "## Idempotence, Re-entrance",
                "## Idempotence + Re-entrance",
            ][..],
        ),
        (
            "tech-spec",
            "## Security, Privacy, Risks",
            &[
                "## Security, Privacy and Risks",
                "## Security, Privacy & Risks",
                "## Security, Privacy, and Risks",
                "## Security / Privacy / Risks",
            ][..],
        ),
        (
            "tech-spec",
            "## Deployment and Rollout",
            &[
                "## Deployment / Rollout",
                "## Deployment & Rollout",
                "## Deployment/Rollout",
                "## Deployment + Rollout",
            ][..],
        ),
        (
            "system-design",
            "# Rationale and alternatives",
            &["# Rationale & alternatives", "# Rationale / alternatives"][..],
        ),
    ];
    for (name, heading, spellings) in cases {
        let t = builtin(name);
        let doc = example(name);
        assert!(doc.contains(heading), "{heading}");
        for spelling in spellings {
            let gaps = checker::check(&doc.replacen(heading, spelling, 1), &t).gaps;
            assert_eq!(gaps, [], "{name}: {spelling:?} stands for {heading:?}");
        }
    }
}

/// The system-design example with "# Testing" moved to `heading`, nested at the end of
/// "Detailed design".
fn testing_moved_to(heading: &str) -> String {
    let doc = example("system-design");
    let start = doc.find("# Testing\n").unwrap();
    let end = doc.find("# Audit\n").unwrap();
    let body = &doc[start + "# Testing\n".len()..end];
    let without = format!("{}{}", &doc[..start], &doc[end..]);
    let at = without.find("# Drawbacks\n").unwrap();
    format!("{}{heading}\n{body}{}", &without[..at], &without[at..])
}

#[test]
fn a_nested_sub_heading_does_not_stand_for_a_top_level_section() {
    let t = builtin("system-design");
    let gaps = checker::check(&testing_moved_to("### Testing"), &t).gaps;
    let missing: Vec<(GapKind, &str)> = gaps
        .iter()
        .filter(|g| g.severity == Severity::Error)
        .map(|g| (g.kind, g.section.as_str()))
        .collect();
    assert_eq!(missing, [(GapKind::MissingSection, "Testing")], "{gaps:#?}");
    // One level off is still the section (only out of order here).
    let gaps = checker::check(&testing_moved_to("## Testing"), &t).gaps;
    assert!(
        gaps.iter().all(|g| g.kind == GapKind::OutOfOrder),
        "{gaps:#?}"
    );
}

#[test]
fn levels_count_relative_to_the_docs_own_top_level() {
    let t = builtin("system-design");
    let doc = example("system-design");
    for shift in ["#", "##", "###"] {
        // The title stays a `#`; every section moves down by `shift`.
        let (title, rest) = doc.split_once('\n').unwrap();
        let shifted: String = rest
            .lines()
            .map(|l| {
                if l.starts_with('#') {
                    format!("{shift}{l}\n")
                } else {
                    format!("{l}\n")
                }
            })
            .collect();
        let shifted = format!("{title}\n{shifted}");
        assert_eq!(checker::check(&shifted, &t).gaps, [], "shifted by {shift}");
        // Still two levels below its siblings: not the top-level section.
        let nested = testing_moved_to("### Testing");
        let (title, rest) = nested.split_once('\n').unwrap();
        let nested: String = rest
            .lines()
            .map(|l| {
                if l.starts_with('#') {
                    format!("{shift}{l}\n")
                } else {
                    format!("{l}\n")
                }
            })
            .collect();
        let gaps = checker::check(&format!("{title}\n{nested}"), &t).gaps;
        assert!(
            gaps.iter()
                .any(|g| g.kind == GapKind::MissingSection && g.section == "Testing"),
            "shifted by {shift}: {gaps:#?}"
        );
    }
}

#[test]
fn not_applicable_is_a_field_value_but_todo_is_not() {
    for value in ["N/A", "n/a", "N-A", "none", "None.", "Not applicable"] {
        let doc = complete().replace("**Author(s):** Ada", &format!("**Author(s):** {value}"));
        assert_eq!(kinds(&doc), [], "{value:?} says the field does not apply");
    }
    for value in ["TODO", "TBD", "???", "tbd..."] {
        let doc = complete().replace("**Author(s):** Ada", &format!("**Author(s):** {value}"));
        let g = gaps(&doc);
        assert_eq!(
            g.iter()
                .map(|g| (g.kind, g.section.as_str()))
                .collect::<Vec<_>>(),
            [(GapKind::PlaceholderField, "Author(s)")],
            "{value:?}"
        );
        assert_eq!(
            g[0].message,
            "\"Author(s)\" only holds filler such as TODO or TBD; put the real value.",
            "{value:?}"
        );
    }
    // A section holding only N/A is still filler: sections are there to be written.
    let doc = complete().replace("Users asked for it.", "N/A");
    assert_eq!(
        kinds(&doc),
        [(GapKind::PlaceholderSection, "Motivation".into(), 11)]
    );
}

#[test]
fn rust_rfc_header_fields_may_say_not_applicable() {
    let template = std::fs::read_to_string(format!(
        "{}/tests/fixtures/checker/rfc-template.md",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let t = Template::parse("rfc", &template, &TemplateRules::default()).unwrap();
    let doc = "- Feature Name: N/A\n- Start Date: 2024-01-01\n- RFC PR: [rust-lang/rfcs#1](https://example.com)\n- Rust Issue: N/A\n\n# Summary\n\nShort.\n";
    let fields: Vec<Gap> = checker::check(doc, &t)
        .gaps
        .into_iter()
        .filter(|g| matches!(g.kind, GapKind::PlaceholderField | GapKind::EmptyField))
        .collect();
    assert_eq!(fields, []);
}

#[test]
fn sub_sections_of_an_optional_section_are_optional() {
    let template = format!(
        "{TEMPLATE}\n### In other languages\n\nHow do other languages do it?\n\n## Future work\n\nWhat next?\n"
    );
    let t = Template::parse("t", &template, &TemplateRules::default()).unwrap();
    let with_future = |doc: String| format!("{doc}\n## Future work\n\nMore exports.\n");
    let doc = with_future(format!(
        "{}\n## Prior art (optional)\n\nOther banks do it nightly.\n",
        complete()
    ));
    let report = checker::check(&doc, &t);
    assert_eq!(
        report.gaps,
        [],
        "the optional parent's sub-section may be left out"
    );
    let doc = with_future(format!(
        "{}\n## Prior art\n\nOther banks do it nightly.\n\n### In other languages\n\n",
        complete()
    ));
    let g = checker::check(&doc, &t).gaps;
    assert_eq!(
        g.iter().map(|g| (g.kind, g.severity)).collect::<Vec<_>>(),
        [(GapKind::EmptySection, Severity::Warning)],
        "{g:#?}"
    );
}

#[test]
fn out_of_order_names_the_neighbour_it_is_on_the_wrong_side_of() {
    // Motivation is already after Summary: the problem is that it follows Rationale.
    let doc = format!(
        "{HEADER}## Summary\n\nA real summary.\n\n## Rationale and alternatives\n\nWe compared.\n\n## Motivation\n\nUsers asked for it.\n"
    );
    let g = gaps(&doc);
    assert_eq!(g.len(), 1, "{g:#?}");
    assert_eq!(
        (g[0].kind, g[0].section.as_str()),
        (GapKind::OutOfOrder, "Motivation")
    );
    assert_eq!(
        g[0].message,
        "\"Motivation\" should come before \"Rationale and alternatives\", as in the template."
    );
    // Moved up instead: it must come after the section it now precedes.
    let doc = format!(
        "{HEADER}## Rationale and alternatives\n\nWe compared.\n\n## Summary\n\nA real summary.\n\n## Motivation\n\nUsers asked for it.\n"
    );
    let g = gaps(&doc);
    assert_eq!(g.len(), 1, "{g:#?}");
    assert_eq!(
        g[0].message,
        "\"Rationale and alternatives\" should come after \"Motivation\", as in the template."
    );
}

#[test]
fn a_comma_in_a_headings_aside_is_not_read_as_and() {
    // The Kubernetes KEP template asks "(i.e. can we roll back the enablement)?"; a real KEP
    // writes "(i.e., can we ...)". Outside parentheses a comma still joins names.
    let template = Template::parse(
        "kep",
        "# KEP\n\n## Can the feature be disabled (i.e. can we roll back)?\n\nDescribe it.\n\n## Risks and Mitigations\n\nWhat may go wrong.\n",
        &TemplateRules::default(),
    )
    .unwrap();
    let doc = "# KEP-1\n\n## Can the feature be disabled (i.e., can we roll back)?\n\nYes, by the flag.\n\n## Risks, Mitigations\n\nThe queue may grow; it is bounded.\n";
    let gaps = checker::check(doc, &template).gaps;
    assert!(gaps.is_empty(), "{gaps:#?}");
}
