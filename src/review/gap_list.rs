//! The gaps of a doc as a reader scans them: counted in a few groups for the status line, one
//! line per group and doc for the compact list, and the full guidance per gap for the
//! collapsed checklist (pure).
//!
//! Optional sections' gaps are worded as suggestions: the author
//! may fill them in or leave them out, and is never told to "write it".

use crate::{
    checker::{Gap, GapKind, Severity},
    gfm,
};

use super::{
    docs::{DocOutcome, DocResult},
    evaluation::plural,
    limits::{MAX_ECHOED, clip},
};

/// How gaps are grouped for the reader, in the order the groups are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Group {
    /// Required sections not in the doc.
    Missing,
    /// Required sections without prose.
    Empty,
    /// Required sections that still hold the template's text or only filler.
    TemplateText,
    /// Required header fields missing, empty or still the example.
    Fields,
    /// Optional sections left empty or as the template's text.
    Suggestions,
    /// Sections not where the template puts them.
    Order,
}

impl Group {
    pub(crate) fn of(gap: &Gap) -> Group {
        match (gap.kind, gap.severity) {
            (GapKind::OutOfOrder, _) => Group::Order,
            (GapKind::MissingField | GapKind::EmptyField | GapKind::PlaceholderField, _) => {
                Group::Fields
            }
            _ if gap.optional => Group::Suggestions,
            (GapKind::MissingSection, _) => Group::Missing,
            (GapKind::EmptySection, _) => Group::Empty,
            (GapKind::PlaceholderSection, _) => Group::TemplateText,
        }
    }

    /// The label of the group's line in the compact list.
    fn label(self) -> &'static str {
        match self {
            Group::Missing => "Missing sections",
            Group::Empty => "Empty sections",
            Group::TemplateText => "Still template text",
            Group::Fields => "Fields to fill in",
            Group::Suggestions => "Optional, worth a look",
            Group::Order => "Out of order",
        }
    }

    /// `n` gaps of the group, as the status line counts them (error groups only).
    fn count(self, n: usize) -> String {
        match self {
            Group::Missing => format!("{} missing", plural(n, "section")),
            Group::Empty => format!("{} empty", plural(n, "section")),
            Group::TemplateText => format!("{n} still template text"),
            Group::Fields => format!("{} to fill in", plural(n, "field")),
            Group::Suggestions => plural(n, "suggestion"),
            Group::Order => format!("{n} out of order"),
        }
    }
}

/// What the status line says about the docs' error gaps: `12 sections missing, 1 still
/// template text, 2 fields to fill in` (empty when no doc has an error).
pub(crate) fn error_counts(docs: &[DocOutcome]) -> String {
    let mut counts: Vec<(Group, usize)> = Vec::new();
    let mut unreadable = 0;
    for doc in docs {
        match &doc.result {
            DocResult::Checked(report) => {
                for gap in report.gaps.iter().filter(|g| g.severity == Severity::Error) {
                    let group = Group::of(gap);
                    match counts.iter_mut().find(|(g, _)| *g == group) {
                        Some((_, n)) => *n += 1,
                        None => counts.push((group, 1)),
                    }
                }
            }
            DocResult::Unreadable(_) => unreadable += 1,
        }
    }
    counts.sort();
    let mut parts: Vec<String> = counts.into_iter().map(|(g, n)| g.count(n)).collect();
    if unreadable > 0 {
        parts.push(format!("{} not checked", plural(unreadable, "doc")));
    }
    parts.join(", ")
}

/// The compact list of one doc: one line per group, each naming its sections (linked to
/// their line under `link`, the doc's address at the head).
pub(crate) fn compact_lines(doc: &DocOutcome, link: &str) -> Vec<String> {
    let report = match &doc.result {
        DocResult::Checked(report) => report,
        DocResult::Unreadable(reason) => {
            return vec![format!(
                "- **Not checked:** {}\n",
                gfm::escape(&clip(reason, MAX_ECHOED * 2))
            )];
        }
    };
    if report.gaps.is_empty() {
        return vec!["- All sections and fields are complete.\n".to_string()];
    }
    let mut groups: Vec<(Group, Vec<String>)> = Vec::new();
    for gap in &report.gaps {
        let group = Group::of(gap);
        let name = format!(
            "[{}]({link}#L{})",
            gfm::escape(&clip(&gap.section, MAX_ECHOED)),
            gap.line
        );
        let name = match gap.kind {
            GapKind::EmptyField => format!("{name} (empty)"),
            GapKind::PlaceholderField => format!("{name} (example value)"),
            _ => name,
        };
        match groups.iter_mut().find(|(g, _)| *g == group) {
            Some((_, names)) => names.push(name),
            None => groups.push((group, vec![name])),
        }
    }
    groups.sort_by_key(|(g, _)| *g);
    groups
        .into_iter()
        .map(|(group, names)| format!("- **{}:** {}\n", group.label(), names.join(", ")))
        .collect()
}

/// One checklist item per gap, with what to do: the collapsed guidance.
pub(crate) fn checklist_lines(doc: &DocOutcome, link: &str) -> Vec<String> {
    match &doc.result {
        DocResult::Checked(report) => report
            .gaps
            .iter()
            .map(|gap| {
                let kind = match Group::of(gap) {
                    Group::Suggestions => "optional section".to_string(),
                    _ => gap.kind.as_str().replace('_', " "),
                };
                format!(
                    "- [ ] **{}** ([line {}]({link}#L{})) {kind}: {}\n",
                    gfm::escape(&clip(&gap.section, MAX_ECHOED)),
                    gap.line,
                    gap.line,
                    gfm::escape(&guidance(gap))
                )
            })
            .collect(),
        DocResult::Unreadable(reason) => vec![format!(
            "- [ ] {}\n",
            gfm::escape(&clip(reason, MAX_ECHOED * 2))
        )],
    }
}

/// What the author should do about `gap`: the checker's message, or for an optional section a
/// suggestion (with the template's question, when it asks one).
pub(crate) fn guidance(gap: &Gap) -> String {
    if Group::of(gap) != Group::Suggestions {
        return gap.message.clone();
    }
    const ASKS: &str = " The template asks:";
    let hint = gap.message.find(ASKS).map_or("", |at| &gap.message[at..]);
    let state = match gap.kind {
        GapKind::MissingSection => "is not in the doc",
        GapKind::EmptySection => "is empty",
        _ => "still holds the template's text",
    };
    format!(
        "\"{}\" is optional and {state}: worth a paragraph if it applies to this design, otherwise remove it.{hint}",
        gap.section
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gap(kind: GapKind, severity: Severity, message: &str) -> Gap {
        Gap {
            kind,
            severity,
            section: "Alternatives".into(),
            line: 9,
            message: message.into(),
            optional: severity == Severity::Warning,
        }
    }

    #[test]
    fn an_optional_section_is_a_suggestion_never_an_order() {
        let optional = gap(
            GapKind::EmptySection,
            Severity::Warning,
            "The \"Alternatives\" section is empty; write it. The template asks: What else?",
        );
        assert_eq!(Group::of(&optional), Group::Suggestions);
        assert_eq!(
            guidance(&optional),
            "\"Alternatives\" is optional and is empty: worth a paragraph if it applies to this \
             design, otherwise remove it. The template asks: What else?"
        );
        let required = gap(GapKind::EmptySection, Severity::Error, "write it.");
        assert_eq!(Group::of(&required), Group::Empty);
        assert_eq!(guidance(&required), "write it.");
        let order = gap(GapKind::OutOfOrder, Severity::Warning, "after x");
        assert_eq!(Group::of(&order), Group::Order);
        assert_eq!(guidance(&order), "after x");
    }
}
