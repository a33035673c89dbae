//! `design-review calibrate`: reads a repository's existing design docs and prints the rules a
//! team should adopt before making the check required (aliases, optional sections, header
//! fields nobody fills in), as YAML to paste into `.github/design-review.yml`.
//!
//! Docs and templates are found as `check` finds them (same flags, config and directory walk,
//! which follows no symbolic link). A doc larger than the App would read
//! ([`MAX_FILE_SIZE`]) or unreadable is named on stderr and left out of the counts. Each doc is
//! read twice, so memory holds one doc at a time: once against the template as configured
//! (for the aliases), once with the suggested aliases (for the rest).
//!
//! Exit codes: 0 suggestions printed (also when there is nothing to suggest), 2 usage or I/O
//! error (template not found, invalid config, no doc found or none readable).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::anyhow;

use super::ListFormat;
use super::check::{self, Loaded, Selection, Target};
use super::templates;
use super::workspace::Workspace;
use crate::checker::calibrate::{AliasTally, Calibration, GapTally, render_yaml};
use crate::checker::{self, Template, TemplateRules};
use crate::github::calls::MAX_FILE_SIZE;

#[derive(Debug, clap::Args)]
pub struct CalibrateArgs {
    /// Template for every doc: built-in name (system-design, tech-spec; any case) or path to a
    /// Markdown template. Default: the template the config gives each doc, as for `check`.
    #[arg(long, short = 't', value_name = "NAME|PATH")]
    pub template: Option<String>,
    /// Repository config whose doc globs, templates and rules apply. Default: the
    /// repository's .github/design-review.yml when present.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Output format: `text` is the YAML to paste, explained in comments.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
    /// Directories (or files) holding the existing design docs.
    #[arg(value_name = "DIR", required = true)]
    pub paths: Vec<PathBuf>,
}

/// Runs `calibrate`.
pub fn run(args: CalibrateArgs) -> ExitCode {
    super::exit_code(execute(&args))
}

/// Where templates are loaded from and which rules they already have.
struct Source<'a> {
    workspace: &'a Workspace,
    loaded: &'a Loaded,
    /// True when `--template` names the template (then a path is relative to the current
    /// directory, else to the repository root).
    from_command_line: bool,
}

impl Source<'_> {
    fn base(&self) -> &Path {
        if self.from_command_line {
            Path::new(".")
        } else {
            &self.loaded.template_dir
        }
    }

    /// The template with the configured rules, and `extra` ones over them.
    fn load(&self, name: &str, extra: &TemplateRules) -> anyhow::Result<Template> {
        let rules = extra
            .clone()
            .merged_over(&self.loaded.config.rules_for(name));
        templates::load(name, self.base(), &rules)
    }

    /// The template's file, when it is one (never read as a doc of its own).
    fn file_of(&self, name: &str) -> Option<PathBuf> {
        if templates::builtin_name(name).is_some() {
            return None;
        }
        std::fs::canonicalize(self.base().join(name)).ok()
    }

    /// How `.github/design-review.yml` names the template: a path in the repository.
    fn config_key(&self, name: &str) -> String {
        if templates::builtin_name(name).is_some() || !self.from_command_line {
            return name.to_string();
        }
        let absolute = self.workspace.absolute(Path::new(name));
        self.workspace
            .repo_path(&absolute)
            .unwrap_or_else(|| name.to_string())
    }
}

fn execute(args: &CalibrateArgs) -> anyhow::Result<ExitCode> {
    let workspace = Workspace::discover()?;
    let loaded = check::load_config(args.config.as_deref(), &workspace)?;
    let selection = Selection {
        matcher: loaded.config.matcher().map_err(|e| anyhow!("{e}"))?,
        from_config: loaded.from_file,
        template: args.template.as_deref().map(templates::canonical),
    };
    let targets = check::named_docs(&workspace, &args.paths, &selection)?;
    let source = Source {
        workspace: &workspace,
        loaded: &loaded,
        from_command_line: args.template.is_some(),
    };
    let mut by_template: BTreeMap<&str, Vec<&Target>> = BTreeMap::new();
    for target in &targets {
        by_template
            .entry(&target.template)
            .or_default()
            .push(target);
    }
    let mut calibrations = Vec::new();
    for (name, docs) in by_template {
        calibrations.extend(calibrate(&source, name, &docs)?);
    }
    if calibrations.is_empty() {
        eprintln!(
            "design-review: no readable design docs in {}",
            args.paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        return Ok(ExitCode::from(2));
    }
    match args.format {
        ListFormat::Text => print!("{}", render_yaml(&calibrations)),
        ListFormat::Json => println!("{}", serde_json::to_string_pretty(&calibrations)?),
    }
    Ok(ExitCode::SUCCESS)
}

/// The suggestions for the docs of one template, or `None` when none of them is readable.
fn calibrate(
    source: &Source<'_>,
    name: &str,
    targets: &[&Target],
) -> anyhow::Result<Option<Calibration>> {
    let template = source.load(name, &TemplateRules::default())?;
    let own_file = source.file_of(name);
    let docs: Vec<&Target> = targets
        .iter()
        .copied()
        .filter(|t| Some(&t.path) != own_file.as_ref())
        .collect();
    let mut aliases = AliasTally::default();
    let readable: Vec<&Target> = docs
        .into_iter()
        .filter(|t| {
            read_reported(t).is_some_and(|doc| {
                aliases.add(&checker::match_doc(&doc, &template));
                true
            })
        })
        .collect();
    if readable.is_empty() {
        return Ok(None);
    }
    let suggested = aliases.suggestions(&template);
    let with_aliases = source.load(name, &Calibration::alias_rules(&suggested))?;
    let mut gaps = GapTally::default();
    for target in readable {
        if let Some(doc) = read_reported(target) {
            gaps.add(&checker::check(&doc, &with_aliases));
        }
    }
    Ok(Some(Calibration::new(
        &source.config_key(name),
        &with_aliases,
        suggested,
        &gaps,
    )))
}

/// The doc's text, or `None` after saying on stderr why it is left out.
fn read_reported(target: &Target) -> Option<String> {
    match read_bounded(&target.path) {
        Ok(doc) => Some(doc),
        Err(e) => {
            eprintln!("design-review: {}: {e:#} (left out)", target.shown);
            None
        }
    }
}

/// Reads a doc no larger than the App reads.
fn read_bounded(path: &Path) -> anyhow::Result<String> {
    let size = std::fs::metadata(path)
        .map_err(|e| anyhow!("cannot read: {e}"))?
        .len();
    if size > MAX_FILE_SIZE {
        anyhow::bail!("{size} bytes, more than the App reads ({MAX_FILE_SIZE})");
    }
    check::read_doc(path)
}
