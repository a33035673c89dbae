//! GitHub Actions workflow commands: one `::error file=…,line=…,title=…::message` (or
//! `::warning`) line per gap, which a plain workflow step turns into annotations on the pull
//! request's diff. Paths must be relative to the repository root for GitHub to place them.
//!
//! Escaping follows the Actions runner (`ActionCommand.cs`): in the message `%`, `\r` and `\n`
//! become `%25`, `%0D` and `%0A`; in property values `:` and `,` also become `%3A` and `%2C`.

use std::fmt::Write;

use super::{FileOutcome, Summary};
use crate::checker::gaps::{Gap, Severity};

/// Renders the results as workflow commands, then a plain summary line for the log.
pub fn render_github(files: &[FileOutcome]) -> String {
    let mut out = String::new();
    for file in files {
        match file {
            FileOutcome::Checked(report) => {
                for gap in &report.report.gaps {
                    out.push_str(&gap_command(&report.path, gap));
                }
            }
            FileOutcome::Unreadable(unreadable) => {
                let _ = writeln!(
                    out,
                    "::error file={},title={}::{}",
                    escape_property(&unreadable.path),
                    escape_property("design-review: not checked"),
                    escape_data(&unreadable.reason)
                );
            }
        }
    }
    let _ = writeln!(out, "design-review: {}", Summary::of(files).line());
    out
}

fn gap_command(path: &str, gap: &Gap) -> String {
    let command = match gap.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let title = format!("{}: {}", gap.section, gap.kind.as_str().replace('_', " "));
    format!(
        "::{command} file={},line={},title={}::{}\n",
        escape_property(path),
        gap.line,
        escape_property(&title),
        escape_data(&gap.message)
    )
}

/// Escapes a command's message.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (`file`, `title`): as the message, plus `:` and `,`, which would
/// otherwise end the value.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_matches_the_actions_runner() {
        assert_eq!(escape_data("100%\r\ndone: a,b"), "100%25%0D%0Adone: a,b");
        assert_eq!(
            escape_property("100%\r\ndone: a,b"),
            "100%25%0D%0Adone%3A a%2Cb"
        );
    }
}
