//! Output formats for check results. The Markdown renderer is the one the App uses for the
//! PR comment, so the CLI's `--format markdown` shows exactly what a PR would.

pub mod json;
pub mod markdown;
pub mod text;

use super::report::DocReport;

/// The result of checking one file, as the renderers show it.
#[derive(Debug, Clone)]
pub struct FileReport {
    /// Path as given (or relative to the repository root in `--base` mode).
    pub path: String,
    /// Template name (built-in) or path.
    pub template: String,
    pub report: DocReport,
}

/// Totals over several files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
}

impl Summary {
    /// Sums errors and warnings over `files`.
    pub fn of(files: &[FileReport]) -> Self {
        Self {
            files: files.len(),
            errors: files.iter().map(|f| f.report.errors()).sum(),
            warnings: files.iter().map(|f| f.report.warnings()).sum(),
        }
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}
