//! Property tests: any input is checked without panicking, and every gap's line is inside
//! the doc.

use design_review::checker::{self, GapKind, Severity, Template, TemplateRules};
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

/// Section names a generated template picks from, each with an inflection an author may
/// write. Several are near each other on purpose: Goals and Non-Goals, Motivation and
/// "Motivation examples", Objective and Objectives, Design and Detailed design, Risks and
/// "Risks and Mitigations".
const POOL: &[(&str, &str)] = &[
    ("Goals", "Goal"),
    ("Non-Goals", "Non-Goal"),
    ("Motivation", "Motivations"),
    ("Motivation examples", "Motivation example"),
    ("Objective", "Objectives"),
    ("Objectives", "Objective"),
    ("Alternatives", "Alternative"),
    ("Alternatives considered", "Alternative considered"),
    ("Design", "Designs"),
    ("Detailed design", "Detail Design"),
    ("Test plan", "Test plans"),
    ("Summary", "Summaries"),
    ("Risks", "Risk"),
    ("Risks and Mitigations", "Risk and Mitigation"),
    ("Unresolved questions", "Unresolved question"),
    ("Best Practices", "Best Practice"),
    ("Tutorials and Examples", "Tutorial and Example"),
    ("Requirements", "Requirement"),
    ("Acknowledgments", "Acknowledgements"),
    ("Behavior", "Behaviour"),
];

/// A generated template: sections (pool index, level 2 or 3), in order.
fn generated_template(picks: &[(usize, bool)]) -> Vec<(usize, u8)> {
    let mut sections: Vec<(usize, u8)> = Vec::new();
    for &(name, nested) in picks {
        if sections.iter().any(|&(n, _)| n == name) {
            continue;
        }
        let level = if nested && !sections.is_empty() { 3 } else { 2 };
        sections.push((name, level));
    }
    sections
}

fn guidance(name: &str) -> String {
    format!("Describe {name} here, for the reviewers of the design.")
}

fn template_markdown(sections: &[(usize, u8)]) -> String {
    let mut md = String::from("# Template\n\n");
    for &(name, level) in sections {
        let name = POOL[name].0;
        md.push_str(&format!(
            "{} {name}\n\n{}\n\n",
            "#".repeat(level.into()),
            guidance(name)
        ));
    }
    md
}

/// The ways an author may write section `s`'s heading, and whether each is still that
/// section's heading and no other's in this template (an inflection is not when it is another
/// section's heading or inflects like one: "Objectives" next to "Objective").
fn heading_form(sections: &[(usize, u8)], s: usize, form: usize) -> String {
    let (name, inflected) = POOL[sections[s].0];
    let written = match form {
        0 => name.to_string(),
        1 => format!("{name} {{#section-id}}"),
        2 => format!("{name}: the short version"),
        3 => format!("{name} — phase one"),
        4 => format!("🚀 1. {name}"),
        _ => inflected.to_string(),
    };
    let key = checker::heading_key(&written);
    let loose = checker::loose_key(&key);
    let clashes = sections.iter().enumerate().any(|(o, &(other, _))| {
        let other = checker::heading_key(POOL[other].0);
        o != s && (other == key || checker::loose_key(&other) == loose)
    });
    if form >= 5 && clashes {
        name.to_string()
    } else {
        written
    }
}

/// What is done to one section of a complete doc.
#[derive(Debug, Clone, Copy)]
enum Damage {
    Delete,
    Empty,
    TemplateText,
}

/// A complete doc for the template (every section written in its chosen form with real
/// content), with `damage` done to section `target` and everything under it. `shift` writes
/// the title at `##` and every section one level deeper.
fn generated_doc(
    sections: &[(usize, u8)],
    forms: &[usize],
    shift: bool,
    target: Option<(usize, Damage)>,
) -> String {
    let extra = usize::from(shift);
    let mut doc = format!("{} Frob\n\n", "#".repeat(1 + extra));
    let mut damaged_level: Option<u8> = None;
    for (s, &(name, level)) in sections.iter().enumerate() {
        let damage = match (target, damaged_level) {
            (Some((t, damage)), _) if t == s => {
                damaged_level = Some(level);
                Some(damage)
            }
            (Some((_, damage)), Some(top)) if level > top => Some(damage),
            _ => {
                damaged_level = None;
                None
            }
        };
        let name = POOL[name].0;
        let heading = heading_form(sections, s, forms[s % forms.len()]);
        let body = match damage {
            Some(Damage::Delete) => continue,
            Some(Damage::Empty) => String::new(),
            Some(Damage::TemplateText) => guidance(name),
            None => format!("Our {name} come from the Q3 brief; item {s} was measured twice."),
        };
        doc.push_str(&format!(
            "{} {heading}\n\n{body}\n\n",
            "#".repeat(usize::from(level) + extra)
        ));
    }
    doc
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// A complete doc passes whatever accepted form its headings take; deleting, emptying or
    /// template-filling any section of it is reported on that section with the right kind,
    /// and no heading of another section is ever taken for the one deleted.
    #[test]
    fn every_damaged_section_is_still_reported(
        picks in prop::collection::vec((0..POOL.len(), any::<bool>()), 2..9),
        forms in prop::collection::vec(0usize..6, 9),
        shift in any::<bool>(),
        target in any::<prop::sample::Index>(),
        damage in prop_oneof![Just(Damage::Delete), Just(Damage::Empty), Just(Damage::TemplateText)],
    ) {
        let sections = generated_template(&picks);
        let template = Template::parse("generated", &template_markdown(&sections), &TemplateRules::default()).unwrap();
        let complete = generated_doc(&sections, &forms, shift, None);
        let report = checker::check(&complete, &template);
        prop_assert!(report.passes(), "complete doc fails:\n{complete}\n{:#?}", report.gaps);

        let s = target.index(sections.len());
        let doc = generated_doc(&sections, &forms, shift, Some((s, damage)));
        let expected = match damage {
            Damage::Delete => GapKind::MissingSection,
            Damage::Empty => GapKind::EmptySection,
            Damage::TemplateText => GapKind::PlaceholderSection,
        };
        let name = POOL[sections[s].0].0;
        let gaps = checker::check(&doc, &template).gaps;
        prop_assert!(
            gaps.iter().any(|g| g.kind == expected && g.section == name && g.severity == Severity::Error),
            "{damage:?} {name:?} not reported as {expected}:\n{doc}\n{gaps:#?}"
        );
    }
}
