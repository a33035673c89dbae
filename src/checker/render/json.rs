//! The stable JSON output:
//! `{"files":[{"path","template","gaps":[{"kind","severity","section","line","message"}]}],
//! "summary":{"files","errors","warnings"}}`.

use serde::Serialize;

use super::{FileReport, Summary};
use crate::checker::gaps::Gap;

#[derive(Serialize)]
struct JsonFile<'a> {
    path: &'a str,
    template: &'a str,
    gaps: &'a [Gap],
}

#[derive(Serialize)]
struct JsonOutput<'a> {
    files: Vec<JsonFile<'a>>,
    summary: Summary,
}

/// Renders the results as one JSON document (no trailing newline).
pub fn render_json(files: &[FileReport]) -> String {
    let output = JsonOutput {
        files: files
            .iter()
            .map(|f| JsonFile {
                path: &f.path,
                template: &f.template,
                gaps: &f.report.gaps,
            })
            .collect(),
        summary: Summary::of(files),
    };
    serde_json::to_string_pretty(&output).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}
