//! Terminal output: grouped per file, one `path:line: kind: message` line per gap.

use std::fmt::Write;

use super::{FileReport, Summary, plural};
use crate::checker::gaps::Severity;

const RED: &str = "\x1b[31m";
const YELLOW: &str = "\x1b[33m";
const GREEN: &str = "\x1b[32m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// Renders the results for a terminal; `color` adds ANSI colours (use only on a tty).
pub fn render_text(files: &[FileReport], color: bool) -> String {
    let paint = |code: &str, text: &str| {
        if color {
            format!("{code}{text}{RESET}")
        } else {
            text.to_string()
        }
    };
    let mut out = String::new();
    for (i, file) in files.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let (errors, warnings) = (file.report.errors(), file.report.warnings());
        let status = if errors + warnings == 0 {
            paint(GREEN, "complete")
        } else {
            format!(
                "{}, {}",
                plural(errors, "error"),
                plural(warnings, "warning")
            )
        };
        let _ = writeln!(
            out,
            "{} (template {}): {status}",
            paint(BOLD, &file.path),
            file.template
        );
        for gap in &file.report.gaps {
            let kind = match gap.severity {
                Severity::Error => paint(RED, gap.kind.as_str()),
                Severity::Warning => paint(YELLOW, gap.kind.as_str()),
            };
            let _ = writeln!(out, "{}:{}: {kind}: {}", file.path, gap.line, gap.message);
        }
    }
    let summary = Summary::of(files);
    let _ = writeln!(
        out,
        "\n{} checked: {}, {}",
        plural(summary.files, "file"),
        plural(summary.errors, "error"),
        plural(summary.warnings, "warning")
    );
    out
}
