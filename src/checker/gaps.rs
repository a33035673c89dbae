//! What a check finds: gaps, with stable kind names that are part of the JSON output.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The kind of a gap. The `snake_case` names are stable: tools parse them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GapKind {
    /// A required section of the template is not in the doc.
    MissingSection,
    /// The section is there but has no prose (only whitespace, comments or sub-headings).
    EmptySection,
    /// The section still holds the template's guidance text, or only `TODO`/`TBD`-style filler.
    PlaceholderSection,
    /// A required header field is not in the doc.
    MissingField,
    /// The header field is there without a value.
    EmptyField,
    /// The header field still has the template's example value, or only filler.
    PlaceholderField,
    /// The section is not where the template puts it (always a warning).
    OutOfOrder,
}

impl GapKind {
    /// The stable name (`missing_section`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            GapKind::MissingSection => "missing_section",
            GapKind::EmptySection => "empty_section",
            GapKind::PlaceholderSection => "placeholder_section",
            GapKind::MissingField => "missing_field",
            GapKind::EmptyField => "empty_field",
            GapKind::PlaceholderField => "placeholder_field",
            GapKind::OutOfOrder => "out_of_order",
        }
    }
}

impl fmt::Display for GapKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How much a gap matters: errors fail the check, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing the doc is missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gap {
    pub kind: GapKind,
    pub severity: Severity,
    /// The template's heading text, or the field label.
    pub section: String,
    /// 1-based line in the doc: the heading or field, or where the missing part should go.
    pub line: usize,
    /// What to write, for the author.
    pub message: String,
    /// The template marks the section optional (or for another type of doc): the gap is a
    /// suggestion to the author, never a demand. A warning is not always optional: guidance
    /// left above filled-in sub-sections of a required section is a warning too.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
}

/// Builders for the messages, so every output format says the same thing.
pub(crate) mod message {
    use crate::checker::normalize::{first_sentence, shorten};

    /// The sentence appended to section messages (empty when the template says nothing);
    /// computed once per template section.
    pub fn hint(guidance: &str) -> String {
        let s = first_sentence(guidance, 140);
        if s.is_empty() {
            String::new()
        } else {
            format!(" The template asks: {s}")
        }
    }

    /// `Add a "## Heading" section before "Next".` and the hint, built in one allocation:
    /// the most frequent message (every section a short doc leaves out).
    pub fn missing_section(heading: &str, level: u8, before: Option<&str>, hint: &str) -> String {
        let hashes = &"######"[..usize::from(level.clamp(1, 6))];
        let place_len = before.map_or(" at the end".len(), |next| next.len() + 10);
        let mut out = String::with_capacity(
            "Add a \" \" section.".len() + hashes.len() + heading.len() + place_len + hint.len(),
        );
        for part in ["Add a \"", hashes, " ", heading, "\" section"] {
            out.push_str(part);
        }
        match before {
            Some(next) => {
                out.push_str(" before \"");
                out.push_str(next);
                out.push('"');
            }
            None => out.push_str(" at the end"),
        }
        out.push('.');
        out.push_str(hint);
        out
    }

    pub fn empty_section(heading: &str, hint: &str) -> String {
        format!("The \"{heading}\" section is empty; write it.{hint}")
    }

    pub fn placeholder_section(heading: &str, filler: bool, hint: &str) -> String {
        if filler {
            format!(
                "The \"{heading}\" section only holds filler such as TODO or TBD; write the real content.{hint}"
            )
        } else {
            format!(
                "The \"{heading}\" section still contains the template's guidance text; replace it with your own.{hint}"
            )
        }
    }

    /// Guidance or filler left above sub-sections that are written: the section is there,
    /// so this is a warning naming the leftover text.
    pub fn leftover_above_sub_sections(heading: &str, filler: bool, leftover: &str) -> String {
        let what = if filler {
            "filler"
        } else {
            "the template's guidance"
        };
        let leftover = first_sentence(
            &leftover.split_whitespace().collect::<Vec<_>>().join(" "),
            100,
        );
        format!(
            "The \"{heading}\" section still starts with {what} (\"{leftover}\") above its filled-in sub-sections; delete it or replace it with an introduction of your own."
        )
    }

    /// A section written only through its sub-sections, under the `strict_structure` rule.
    pub fn written_through_children(heading: &str, level: u8, children: &[&str]) -> String {
        let hashes = &"######"[..usize::from(level.clamp(1, 6))];
        let children = children
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", ");
        format!(
            "Add a \"{hashes} {heading}\" heading above {children}: the template expects them as its sub-sections."
        )
    }

    /// The doc heading a near miss points at.
    pub struct NearMissText<'a> {
        /// The missing section's heading in the template.
        pub section: &'a str,
        /// The doc heading as written.
        pub heading: &'a str,
        pub level: u8,
        pub line: usize,
    }

    /// A missing section with a doc heading that may be meant as it, and the rule that
    /// would accept that heading.
    pub fn near_miss(near: &NearMissText<'_>, alias_yaml: &str) -> String {
        let hashes = &"######"[..usize::from(near.level.clamp(1, 6))];
        let NearMissText {
            section,
            heading,
            line,
            ..
        } = near;
        format!(
            "Missing \"{section}\". Is \"{hashes} {heading}\" (line {line}) meant to be it? Rename it \"{hashes} {section}\", or add the alias in .github/design-review.yml: {alias_yaml}"
        )
    }

    pub fn missing_table_field(label: &str, example: &str) -> String {
        format!(
            "Add a \"| {label} | ... |\" row to the header table.{}",
            example_hint(example)
        )
    }

    pub fn missing_field(label: &str, parent: Option<&str>, example: &str) -> String {
        let place = match parent {
            Some(p) => format!(" under \"{p}\""),
            None => " to the header list".to_string(),
        };
        format!("Add \"- {label}: ...\"{place}.{}", example_hint(example))
    }

    pub fn empty_field(label: &str, example: &str) -> String {
        format!("Fill in \"{label}\".{}", example_hint(example))
    }

    pub fn placeholder_field(label: &str, filler: bool) -> String {
        if filler {
            format!("\"{label}\" only holds filler such as TODO or TBD; put the real value.")
        } else {
            format!("\"{label}\" still has the template's example value; put the real value.")
        }
    }

    pub fn out_of_order(heading: &str, after: Option<&str>, before: Option<&str>) -> String {
        match (after, before) {
            (Some(a), _) => format!("\"{heading}\" should come after \"{a}\", as in the template."),
            (None, Some(b)) => {
                format!("\"{heading}\" should come before \"{b}\", as in the template.")
            }
            (None, None) => format!("\"{heading}\" is not where the template puts it."),
        }
    }

    fn example_hint(example: &str) -> String {
        let e = shorten(example, 100);
        if e.is_empty() {
            String::new()
        } else {
            format!(" Template: {e}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::message;

    #[test]
    fn missing_section_message_reads_like_the_format() {
        for (level, before, hint) in [
            (1, None, ""),
            (2, Some("Drawbacks"), " The template asks: Why?"),
            (9, Some("É"), ""),
            (0, None, " x"),
        ] {
            let hashes = "#".repeat(usize::from(u8::clamp(level, 1, 6)));
            let place = match before {
                Some(next) => format!(" before \"{next}\""),
                None => " at the end".to_string(),
            };
            let expected = format!("Add a \"{hashes} Motivation\" section{place}.{hint}");
            let got = message::missing_section("Motivation", level, before, hint);
            assert_eq!(got, expected);
            assert_eq!(got.capacity(), got.len());
        }
    }
}
