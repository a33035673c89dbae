//! Output formats for check results. The Markdown renderer is the one the App uses for the
//! PR comment, so the CLI's `--format markdown` shows exactly what a PR would; `github` and
//! `sarif` are for CI (workflow-command annotations and code-scanning uploads).

pub mod github;
pub mod json;
pub mod markdown;
pub mod sarif;
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

/// A file that was asked for but could not be checked (unreadable, binary, not UTF-8): every
/// format shows it, so a run where a file silently dropped out never looks clean.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub path: String,
    pub template: String,
    /// Why, in words (`cannot read: No such file or directory (os error 2)`).
    pub reason: String,
}

/// One file of a run, in the order the files were asked for.
#[derive(Debug, Clone)]
pub enum FileOutcome {
    Checked(FileReport),
    Unreadable(Unreadable),
}

impl FileOutcome {
    pub fn path(&self) -> &str {
        match self {
            FileOutcome::Checked(f) => &f.path,
            FileOutcome::Unreadable(f) => &f.path,
        }
    }

    pub fn template(&self) -> &str {
        match self {
            FileOutcome::Checked(f) => &f.template,
            FileOutcome::Unreadable(f) => &f.template,
        }
    }
}

impl From<FileReport> for FileOutcome {
    fn from(report: FileReport) -> Self {
        FileOutcome::Checked(report)
    }
}

impl From<Unreadable> for FileOutcome {
    fn from(unreadable: Unreadable) -> Self {
        FileOutcome::Unreadable(unreadable)
    }
}

/// Totals over several files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    /// Every file asked for, checked or not.
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
    /// Files that could not be checked.
    pub unreadable: usize,
}

impl Summary {
    /// Sums errors and warnings over `files` and counts the unreadable ones.
    pub fn of(files: &[FileOutcome]) -> Self {
        let checked = || {
            files.iter().filter_map(|f| match f {
                FileOutcome::Checked(f) => Some(&f.report),
                FileOutcome::Unreadable(_) => None,
            })
        };
        let errors = checked().map(DocReport::errors).sum();
        let warnings = checked().map(DocReport::warnings).sum();
        Self {
            files: files.len(),
            errors,
            warnings,
            unreadable: files.len() - checked().count(),
        }
    }

    /// True when nothing failed: no unreadable file, no error-severity gap.
    pub fn passes(&self) -> bool {
        self.errors == 0 && self.unreadable == 0
    }

    /// `2 files checked: 1 error, 0 warnings[, 1 unreadable]`: the last line of the text and
    /// GitHub formats.
    pub fn line(&self) -> String {
        let mut line = format!(
            "{} checked: {}, {}",
            plural(self.files, "file"),
            plural(self.errors, "error"),
            plural(self.warnings, "warning")
        );
        if self.unreadable > 0 {
            line.push_str(&format!(", {} unreadable", self.unreadable));
        }
        line
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}
