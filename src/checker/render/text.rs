//! Terminal output: grouped per file, one `path:line: severity[kind]: message` line per gap,
//! so the severity reads in words as well as in colour.

use std::fmt::Write;

use super::{FileOutcome, FileReport, Summary, Unreadable, plural};
use crate::checker::gaps::Severity;

const RED: &str = "\x1b[31m";
const YELLOW: &str = "\x1b[33m";
const GREEN: &str = "\x1b[32m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// ANSI colouring, or none.
#[derive(Clone, Copy)]
struct Paint {
    color: bool,
}

impl Paint {
    fn apply(self, code: &str, text: &str) -> String {
        if self.color {
            format!("{code}{text}{RESET}")
        } else {
            text.to_string()
        }
    }

    fn severity(self, severity: Severity, text: &str) -> String {
        match severity {
            Severity::Error => self.apply(RED, text),
            Severity::Warning => self.apply(YELLOW, text),
        }
    }
}

/// Renders the results for a terminal; `color` adds ANSI colours (use only on a tty).
pub fn render_text(files: &[FileOutcome], color: bool) -> String {
    let paint = Paint { color };
    let mut out = String::new();
    for (i, file) in files.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        match file {
            FileOutcome::Checked(file) => render_file(&mut out, file, paint),
            FileOutcome::Unreadable(file) => render_unreadable(&mut out, file, paint),
        }
    }
    if !files.is_empty() {
        out.push('\n');
    }
    let _ = writeln!(out, "{}", Summary::of(files).line());
    out
}

fn render_file(out: &mut String, file: &FileReport, paint: Paint) {
    let (errors, warnings) = (file.report.errors(), file.report.warnings());
    let status = if errors + warnings == 0 {
        paint.apply(GREEN, "complete")
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
        paint.apply(BOLD, &file.path),
        file.template
    );
    for gap in &file.report.gaps {
        let label = format!("{}[{}]", gap.severity, gap.kind);
        let _ = writeln!(
            out,
            "{}:{}: {}: {}",
            file.path,
            gap.line,
            paint.severity(gap.severity, &label),
            gap.message
        );
    }
}

fn render_unreadable(out: &mut String, file: &Unreadable, paint: Paint) {
    let _ = writeln!(
        out,
        "{}: {}: {}",
        paint.apply(BOLD, &file.path),
        paint.severity(Severity::Error, "error"),
        file.reason
    );
}
