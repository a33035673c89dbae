//! Markdown output: a checklist of one doc's gaps, each linking to its line. The App posts
//! this in the PR comment; the CLI's `--format markdown` prints the same.

use std::fmt::Write;

use super::{FileOutcome, plural};
use crate::checker::gaps::{Gap, Severity};
use crate::gfm::escape;

/// Renders one doc's gaps as a Markdown checklist, one item per gap. With `link_prefix`
/// (e.g. `https://github.com/o/r/blob/SHA/docs/design/x.md`) each line number links to
/// `{prefix}#L{line}`. Returns an empty string when there are no gaps.
pub fn render_markdown_gaps(gaps: &[Gap], link_prefix: Option<&str>) -> String {
    let mut out = String::new();
    for gap in gaps {
        let line = match link_prefix {
            Some(prefix) => format!("[line {}]({prefix}#L{})", gap.line, gap.line),
            None => format!("line {}", gap.line),
        };
        let severity = match gap.severity {
            Severity::Error => "",
            Severity::Warning => " (warning)",
        };
        let _ = writeln!(
            out,
            "- [ ] **{}** ({line}) {}{severity}: {}",
            escape(&gap.section),
            gap.kind.as_str().replace('_', " "),
            escape(&gap.message)
        );
    }
    out
}

/// Renders several files: a heading per file, then its checklist (or why it was not read).
pub fn render_markdown(files: &[FileOutcome]) -> String {
    let mut out = String::new();
    for file in files {
        let _ = writeln!(
            out,
            "### `{}` (template: {})\n",
            file.path().replace('`', "'"),
            escape(file.template())
        );
        let file = match file {
            FileOutcome::Checked(file) => file,
            FileOutcome::Unreadable(file) => {
                let _ = writeln!(out, "Not checked: {}.\n", escape(&file.reason));
                continue;
            }
        };
        if file.report.gaps.is_empty() {
            out.push_str("All sections and fields are complete.\n\n");
            continue;
        }
        let _ = writeln!(
            out,
            "{}, {}.\n",
            plural(file.report.errors(), "error"),
            plural(file.report.warnings(), "warning")
        );
        out.push_str(&render_markdown_gaps(&file.report.gaps, None));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checker::gaps::GapKind;

    #[test]
    fn untrusted_section_names_and_messages_are_escaped() {
        let gap = Gap {
            section: "@org/team <!-- x -->".into(),
            line: 3,
            kind: GapKind::EmptySection,
            severity: Severity::Error,
            message: "a | b\nc".into(),
            optional: false,
        };
        assert_eq!(
            render_markdown_gaps(&[gap], None),
            "- [ ] **@\u{2060}org/team \\<\\!-- x --\\>** (line 3) empty section: a \\| b c\n"
        );
    }
}
