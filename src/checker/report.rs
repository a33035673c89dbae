//! The result of checking one doc: its gaps, plus what the App needs to act on it (header
//! fields, reviewers named in the doc, services affected).

use serde::Serialize;

use super::fields::{DocField, ReviewerMention};
use super::gaps::{Gap, Severity};
use super::normalize::label_key;

/// Everything a check found in one doc.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DocReport {
    /// Gaps, ordered by line.
    pub gaps: Vec<Gap>,
    /// The doc's title heading, when it has one.
    pub title: Option<String>,
    /// The declared doc type (`Type:` field or front matter `type:`), normalised.
    pub doc_type: Option<String>,
    /// Header fields, in document order.
    pub fields: Vec<DocField>,
    /// Users and teams @-mentioned in reviewer fields, in document order, without repeats.
    pub reviewers: Vec<ReviewerMention>,
    /// Services listed under "Services Affected", lower-cased.
    pub services: Vec<String>,
    /// Number of lines in the doc.
    pub lines: usize,
}

impl DocReport {
    /// The value of the first header field with this label (matched like headings:
    /// `author`, `Author(s)` and `Authors:` are the same label).
    pub fn field(&self, label: &str) -> Option<&str> {
        self.field_entry(label).map(|f| f.value.as_str())
    }

    /// The first header field with this label, with its line.
    pub fn field_entry(&self, label: &str) -> Option<&DocField> {
        let key = label_key(label);
        self.fields.iter().find(|f| label_key(&f.label) == key)
    }

    /// Number of error-severity gaps.
    pub fn errors(&self) -> usize {
        self.gaps
            .iter()
            .filter(|g| g.severity == Severity::Error)
            .count()
    }

    /// Number of warning-severity gaps.
    pub fn warnings(&self) -> usize {
        self.gaps
            .iter()
            .filter(|g| g.severity == Severity::Warning)
            .count()
    }

    /// True when the doc passes (no error-severity gap).
    pub fn passes(&self) -> bool {
        self.errors() == 0
    }
}
