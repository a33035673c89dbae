//! The stable JSON output:
//! `{"files":[{"path","template","gaps":[{"kind","severity","section","line","message"}]}
//! or {"path","template","error"}],"summary":{"files","errors","warnings","unreadable"}}`.

use serde::Serialize;

use super::{FileOutcome, Summary};
use crate::checker::gaps::Gap;

#[derive(Serialize)]
#[serde(untagged)]
enum JsonFile<'a> {
    Checked {
        path: &'a str,
        template: &'a str,
        gaps: &'a [Gap],
    },
    /// A file that could not be checked: `error` says why.
    Unreadable {
        path: &'a str,
        template: &'a str,
        error: &'a str,
    },
}

#[derive(Serialize)]
struct JsonOutput<'a> {
    files: Vec<JsonFile<'a>>,
    summary: Summary,
}

/// Renders the results as one JSON document (no trailing newline).
pub fn render_json(files: &[FileOutcome]) -> String {
    let output = JsonOutput {
        files: files
            .iter()
            .map(|f| match f {
                FileOutcome::Checked(f) => JsonFile::Checked {
                    path: &f.path,
                    template: &f.template,
                    gaps: &f.report.gaps,
                },
                FileOutcome::Unreadable(f) => JsonFile::Unreadable {
                    path: &f.path,
                    template: &f.template,
                    error: &f.reason,
                },
            })
            .collect(),
        summary: Summary::of(files),
    };
    serde_json::to_string_pretty(&output).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}
