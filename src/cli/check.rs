//! `design-review check`: check design docs before pushing them, or in CI.
//!
//! Paths are resolved against the repository root (the nearest directory above the current
//! one holding `.github/` or `.git`) before the config's globs see them, so a doc gets the same
//! template however its path is typed. Directories are walked for design docs, honouring
//! `.gitignore`.
//!
//! Exit codes: 0 no error-severity gap, 1 at least one, 2 usage or I/O error (unreadable
//! file, not UTF-8, template not found, invalid config, nothing to check), with a message
//! naming the file.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, anyhow};

use super::git;
use super::templates;
use super::workspace::Workspace;
use crate::checker::render::sarif::{ToolInfo, render_sarif};
use crate::checker::render::{FileOutcome, Summary, Unreadable, github::render_github};
use crate::checker::{self, FileReport, Template};
use crate::config::repo::{CONFIG_PATH, DEFAULT_TEMPLATE, DocMatcher, RepoConfig};

/// Output format of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Grouped per file, one `path:line: severity[kind]: message` line per gap.
    Text,
    /// One JSON document with every file and a summary.
    Json,
    /// The checklist the App posts on a pull request.
    Markdown,
    /// GitHub Actions workflow commands, which annotate the pull request's diff.
    Github,
    /// SARIF 2.1.0, for code-scanning uploads.
    Sarif,
}

impl Format {
    /// CI formats locate files by their path in the repository; the others show it as typed.
    fn wants_repo_paths(self) -> bool {
        matches!(self, Format::Github | Format::Sarif)
    }
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Template for every doc: built-in name (system-design, tech-spec; any case) or path to a
    /// Markdown template. Default: the template of the config's first `docs` entry whose
    /// globs match the doc's path in the repository, else system-design.
    #[arg(long, short = 't', value_name = "NAME|PATH")]
    pub template: Option<String>,
    /// Repository config with doc globs, templates and rules. Default: the repository's
    /// .github/design-review.yml when present.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Check the design docs added or modified since the merge base of REV and HEAD, up to
    /// the working tree (and untracked ones), selected by the config's `docs` globs (also
    /// with --template, which then only chooses the template).
    #[arg(long, value_name = "REV", conflicts_with = "paths")]
    pub base: Option<String>,
    /// Design docs to check. A directory is searched for the docs the config's `docs` globs
    /// select (every *.md file without a config), skipping what .gitignore ignores.
    #[arg(value_name = "FILE|DIR", required_unless_present = "base")]
    pub paths: Vec<PathBuf>,
}

/// A doc to check: how to show it, where to read it, which template applies.
pub(super) struct Target {
    /// As typed (or found under a typed directory), for people.
    pub(super) shown: String,
    /// Relative to the repository root, for CI annotations; the absolute path outside it.
    pub(super) in_repo: String,
    pub(super) path: PathBuf,
    pub(super) template: String,
}

/// The config in effect and where its template paths are relative to.
pub(super) struct Loaded {
    pub(super) config: RepoConfig,
    /// True when a config file was read (not the built-in defaults).
    pub(super) from_file: bool,
    pub(super) template_dir: PathBuf,
}

/// What picks the docs and their templates.
pub(super) struct Selection {
    pub(super) matcher: DocMatcher,
    /// False without a config file: a directory then yields every `*.md` file.
    pub(super) from_config: bool,
    /// `--template`, in its canonical spelling.
    pub(super) template: Option<String>,
}

impl Selection {
    /// The config's doc globs, and `--template` when given.
    fn new(loaded: &Loaded, template: Option<&str>) -> anyhow::Result<Self> {
        Ok(Self {
            matcher: loaded.config.matcher().map_err(|e| anyhow!("{e}"))?,
            from_config: loaded.from_file,
            template: template.map(templates::canonical),
        })
    }

    /// The template for a file the user named: `--template`, else the config's, else the
    /// documented default.
    fn template_for_named(&self, in_repo: Option<&str>) -> String {
        self.template.clone().unwrap_or_else(|| {
            in_repo
                .and_then(|p| self.matcher.template_for(p))
                .map_or_else(|| DEFAULT_TEMPLATE.to_string(), templates::canonical)
        })
    }

    /// The template for a file found by walking a directory, or `None` when it is
    /// not a design doc.
    fn template_for_found(&self, in_repo: Option<&str>, path: &Path) -> Option<String> {
        let configured = match in_repo {
            Some(p) if self.from_config => templates::canonical(self.matcher.template_for(p)?),
            _ if is_markdown(path) => DEFAULT_TEMPLATE.to_string(),
            _ => return None,
        };
        Some(self.template.clone().unwrap_or(configured))
    }
}

fn is_markdown(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("md"))
}

/// Runs `check`.
pub fn run(args: CheckArgs) -> ExitCode {
    super::exit_code(execute(&args))
}

/// The steps of `check`: find the config, the docs and their templates, check and print.
fn execute(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let workspace = Workspace::discover()?;
    let loaded = load_config(args.config.as_deref(), &workspace)?;
    let selection = Selection::new(&loaded, args.template.as_deref())?;
    let targets = find_targets(args, &workspace, &selection)?;
    let templates = load_templates(&targets, &loaded, args.template.is_some())?;
    let outcomes: Vec<FileOutcome> = targets
        .iter()
        .map(|t| check_one(t, &templates, args.format))
        .collect();
    print_outcomes(args, &outcomes);
    if targets.is_empty() && args.base.is_none() {
        eprintln!("design-review: {}", nothing_found(&args.paths, &selection));
        return Ok(ExitCode::from(2));
    }
    Ok(exit_code(&Summary::of(&outcomes)))
}

/// The docs changed since `--base`, else those named on the command line.
fn find_targets(
    args: &CheckArgs,
    workspace: &Workspace,
    selection: &Selection,
) -> anyhow::Result<Vec<Target>> {
    match &args.base {
        Some(rev) => changed_docs(workspace, rev, selection),
        None => named_docs(workspace, &args.paths, selection),
    }
}

/// Why the paths named on the command line gave nothing to check.
fn nothing_found(paths: &[PathBuf], selection: &Selection) -> String {
    format!(
        "no design docs found in {} ({})",
        paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        if selection.from_config {
            "none matches the config's `docs` globs"
        } else {
            "no *.md file"
        }
    )
}

/// 2 when a file could not be checked, else 1 when a gap is an error, else 0.
fn exit_code(summary: &Summary) -> ExitCode {
    if summary.unreadable > 0 {
        ExitCode::from(2)
    } else if summary.errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Reads `--config`, else the repository's `.github/design-review.yml`, else the defaults.
/// Every validation error is reported, one per line.
pub(super) fn load_config(flag: Option<&Path>, workspace: &Workspace) -> anyhow::Result<Loaded> {
    let (path, template_dir) = match flag {
        Some(path) => (
            path.to_path_buf(),
            repo_dir_of_config(path).unwrap_or_default(),
        ),
        None => {
            let path = workspace.root.join(CONFIG_PATH);
            if !path.is_file() {
                return Ok(Loaded {
                    config: RepoConfig::default(),
                    from_file: false,
                    template_dir: workspace.root.clone(),
                });
            }
            (path, workspace.root.clone())
        }
    };
    let yaml = std::fs::read_to_string(&path)
        .with_context(|| format!("{}: cannot read config", path.display()))?;
    let config = RepoConfig::parse_all(&yaml).map_err(|errors| {
        let lines: Vec<String> = errors
            .iter()
            .map(|e| format!("{}: {e}", path.display()))
            .collect();
        anyhow!("{}", lines.join("\ndesign-review: "))
    })?;
    Ok(Loaded {
        config,
        from_file: true,
        template_dir,
    })
}

/// `.github/design-review.yml` -> the repository root holding it.
fn repo_dir_of_config(path: &Path) -> Option<PathBuf> {
    let dir = path.parent()?;
    if dir.file_name()? == ".github" {
        dir.parent().map(Path::to_path_buf)
    } else {
        Some(dir.to_path_buf())
    }
}

/// The files and directories named on the command line.
pub(super) fn named_docs(
    workspace: &Workspace,
    paths: &[PathBuf],
    selection: &Selection,
) -> anyhow::Result<Vec<Target>> {
    let mut targets = Vec::new();
    for typed in paths {
        let absolute = workspace.absolute(typed);
        if absolute.is_dir() {
            targets.extend(walk(workspace, typed, &absolute, selection)?);
            continue;
        }
        let in_repo = workspace.repo_path(&absolute);
        targets.push(Target {
            shown: typed.display().to_string(),
            template: selection.template_for_named(in_repo.as_deref()),
            in_repo: in_repo.unwrap_or_else(|| absolute.display().to_string()),
            path: absolute,
        });
    }
    Ok(targets)
}

/// The design docs under a directory, in file-name order, skipping hidden and ignored files
/// (`.gitignore`, `.ignore`, git's exclude files).
fn walk(
    workspace: &Workspace,
    typed: &Path,
    dir: &Path,
    selection: &Selection,
) -> anyhow::Result<Vec<Target>> {
    let mut targets = Vec::new();
    let walker = ignore::WalkBuilder::new(dir)
        .require_git(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .build();
    for entry in walker {
        let entry = entry.with_context(|| format!("{}: cannot list", typed.display()))?;
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.into_path();
        let in_repo = workspace.repo_path(&path);
        let Some(template) = selection.template_for_found(in_repo.as_deref(), &path) else {
            continue;
        };
        let below = path.strip_prefix(dir).unwrap_or(&path);
        let shown = if typed == Path::new(".") {
            below.to_path_buf()
        } else {
            typed.join(below)
        };
        targets.push(Target {
            shown: shown.display().to_string(),
            in_repo: in_repo.unwrap_or_else(|| path.display().to_string()),
            path,
            template,
        });
    }
    Ok(targets)
}

/// The design docs changed since `rev`, by their path in the repository.
fn changed_docs(
    workspace: &Workspace,
    rev: &str,
    selection: &Selection,
) -> anyhow::Result<Vec<Target>> {
    let changed = git::changed_files(&workspace.root, rev)?;
    Ok(changed
        .into_iter()
        .filter_map(|rel| {
            // The path globs pick the docs, as the App does; --template only says which
            // template to check them against.
            let configured = templates::canonical(selection.matcher.template_for(&rel)?);
            Some(Target {
                path: workspace.root.join(&rel),
                shown: rel.clone(),
                in_repo: rel,
                template: selection.template.clone().unwrap_or(configured),
            })
        })
        .collect())
}

/// Loads each template once. Templates named on the command line are relative to the current
/// directory; those from the config are paths in the repository.
fn load_templates(
    targets: &[Target],
    loaded: &Loaded,
    from_command_line: bool,
) -> anyhow::Result<HashMap<String, Template>> {
    let base = if from_command_line {
        Path::new(".")
    } else {
        loaded.template_dir.as_path()
    };
    let mut templates = HashMap::new();
    for t in targets {
        if !templates.contains_key(&t.template) {
            let rules = loaded.config.rules_for(&t.template);
            let template = templates::load(&t.template, base, &rules)?;
            templates.insert(t.template.clone(), template);
        }
    }
    Ok(templates)
}

fn check_one(
    target: &Target,
    templates: &HashMap<String, Template>,
    format: Format,
) -> FileOutcome {
    let path = if format.wants_repo_paths() {
        target.in_repo.clone()
    } else {
        target.shown.clone()
    };
    let template = target.template.clone();
    let checked = templates
        .get(&target.template)
        .ok_or_else(|| anyhow!("template {} not loaded", target.template))
        .and_then(|t| Ok((read_doc(&target.path)?, t)));
    match checked {
        Ok((doc, t)) => FileOutcome::Checked(FileReport {
            path,
            template,
            report: checker::check(&doc, t),
        }),
        Err(e) => FileOutcome::Unreadable(Unreadable {
            path,
            template,
            reason: format!("{e:#}"),
        }),
    }
}

fn print_outcomes(args: &CheckArgs, outcomes: &[FileOutcome]) {
    if args.format != Format::Text {
        // Machine formats keep stdout parseable; people still see why on stderr.
        for outcome in outcomes {
            if let FileOutcome::Unreadable(u) = outcome {
                eprintln!("design-review: {}: {}", u.path, u.reason);
            }
        }
    }
    match args.format {
        Format::Json => println!("{}", checker::render_json(outcomes)),
        Format::Markdown => print!("{}", checker::render_markdown(outcomes)),
        Format::Github => print!("{}", render_github(outcomes)),
        Format::Sarif => println!(
            "{}",
            render_sarif(
                outcomes,
                ToolInfo {
                    name: env!("CARGO_PKG_NAME"),
                    version: env!("CARGO_PKG_VERSION"),
                    information_uri: env!("CARGO_PKG_REPOSITORY"),
                }
            )
        ),
        Format::Text if outcomes.is_empty() && args.base.is_some() => {
            println!(
                "No design docs added or modified since {}.",
                args.base.as_deref().unwrap_or_default()
            );
        }
        Format::Text => {
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            print!("{}", checker::render_text(outcomes, color));
        }
    }
}

/// Reads a doc, refusing binary and non-UTF-8 content with a clear reason.
pub(super) fn read_doc(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).map_err(|e| anyhow!("cannot read: {e}"))?;
    if bytes.contains(&0) {
        anyhow::bail!("not a text file (contains NUL bytes)");
    }
    String::from_utf8(bytes).map_err(|e| {
        anyhow!(
            "not valid UTF-8 (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}
