//! `design-review check`: check design docs before pushing them.
//!
//! Exit codes: 0 no error-severity gap, 1 at least one, 2 usage or I/O error (unreadable
//! file, not UTF-8, template not found), with a one-line message naming the file.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, anyhow, bail};

use crate::checker::{self, FileReport, Template};
use crate::config::repo::{CONFIG_PATH, DEFAULT_TEMPLATE, RepoConfig};

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Markdown,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Template: built-in name (system-design, tech-spec) or path to a Markdown template.
    /// Default: the template the config assigns to the file's path, else system-design.
    #[arg(long, short = 't', value_name = "NAME|PATH")]
    pub template: Option<String>,
    /// Repository config with doc globs, templates and rules (in --base mode the repository's
    /// .github/design-review.yml is used when present).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Check the design docs added or modified since the merge base of REV and HEAD, up to
    /// the working tree (and untracked ones), selected by the config's `docs` globs (also
    /// with --template, which then only chooses the template).
    #[arg(long, value_name = "REV", conflicts_with = "files")]
    pub base: Option<String>,
    /// Design docs to check.
    #[arg(value_name = "FILE", required_unless_present = "base")]
    pub files: Vec<PathBuf>,
}

/// A doc to check: how to show it, where to read it, which template applies.
struct Target {
    shown: String,
    path: PathBuf,
    template: String,
}

/// Runs `check`.
pub fn run(args: CheckArgs) -> ExitCode {
    match execute(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("design-review: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn execute(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let root = match &args.base {
        Some(_) => Some(git_root()?),
        None => None,
    };
    let config_path = args.config.clone().or_else(|| {
        root.as_ref()
            .map(|r| r.join(CONFIG_PATH))
            .filter(|p| p.is_file())
    });
    let config = match &config_path {
        Some(path) => {
            let yaml = std::fs::read_to_string(path)
                .with_context(|| format!("{}: cannot read config", path.display()))?;
            RepoConfig::parse(&yaml).map_err(|e| anyhow!("{}: {e}", path.display()))?
        }
        None => RepoConfig::default(),
    };
    let matcher = config.matcher().map_err(|e| anyhow!("{e}"))?;
    let fallback = config
        .docs()
        .first()
        .map_or(DEFAULT_TEMPLATE.to_string(), |d| d.template.clone());

    let targets: Vec<Target> = match (&args.base, &root) {
        (Some(rev), Some(root)) => changed_docs(root, rev)?
            .into_iter()
            .filter_map(|rel| {
                // The path globs pick the docs, as the App does; --template only says which
                // template to check them against.
                let configured = matcher.template_for(&rel)?;
                let template = args
                    .template
                    .clone()
                    .unwrap_or_else(|| configured.to_string());
                Some(Target {
                    path: root.join(&rel),
                    shown: rel,
                    template,
                })
            })
            .collect(),
        _ => args
            .files
            .iter()
            .map(|p| {
                let shown = p.display().to_string();
                let template = args
                    .template
                    .clone()
                    .or_else(|| matcher.template_for(&shown).map(str::to_string))
                    .unwrap_or_else(|| fallback.clone());
                Target {
                    path: p.clone(),
                    shown,
                    template,
                }
            })
            .collect(),
    };

    // Templates named on the command line are relative to the current directory; those
    // from the config are paths in the repository.
    let config_base = root
        .clone()
        .or_else(|| config_path.as_ref().and_then(|p| repo_dir_of_config(p)))
        .unwrap_or_default();
    let mut templates: HashMap<String, Template> = HashMap::new();
    for t in &targets {
        if !templates.contains_key(&t.template) {
            let base = if args.template.is_some() {
                Path::new(".")
            } else {
                config_base.as_path()
            };
            let template =
                super::templates::load(&t.template, base, &config.rules_for(&t.template))?;
            templates.insert(t.template.clone(), template);
        }
    }

    let mut reports = Vec::new();
    let mut io_error = false;
    for t in &targets {
        let Some(template) = templates.get(&t.template) else {
            continue;
        };
        match read_doc(&t.path) {
            Ok(doc) => reports.push(FileReport {
                path: t.shown.clone(),
                template: t.template.clone(),
                report: checker::check(&doc, template),
            }),
            Err(e) => {
                eprintln!("design-review: {}: {e}", t.shown);
                io_error = true;
            }
        }
    }

    let stdout = std::io::stdout();
    match args.format {
        Format::Json => println!("{}", checker::render_json(&reports)),
        Format::Markdown => print!("{}", checker::render_markdown(&reports)),
        Format::Text if reports.is_empty() && args.base.is_some() => {
            println!(
                "No design docs added or modified since {}.",
                args.base.as_deref().unwrap_or_default()
            );
        }
        Format::Text => {
            let color = stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none();
            print!("{}", checker::render_text(&reports, color));
        }
    }
    Ok(if io_error {
        ExitCode::from(2)
    } else if reports.iter().any(|r| !r.report.passes()) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Reads a doc, refusing binary and non-UTF-8 content with a clear reason.
fn read_doc(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).map_err(|e| anyhow!("cannot read: {e}"))?;
    if bytes.contains(&0) {
        bail!("not a text file (contains NUL bytes)");
    }
    String::from_utf8(bytes).map_err(|e| {
        anyhow!(
            "not valid UTF-8 (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
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

fn git(args: &[&str], dir: Option<&Path>) -> anyhow::Result<Vec<u8>> {
    let mut cmd = Command::new("git");
    cmd.args(args);
    if let Some(dir) = dir {
        cmd.current_dir(dir);
    }
    let out = cmd.output().context("cannot run git")?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        bail!(
            "git {}: {}",
            args.join(" "),
            err.lines().next().unwrap_or("failed")
        );
    }
    Ok(out.stdout)
}

fn git_root() -> anyhow::Result<PathBuf> {
    let out = git(&["rev-parse", "--show-toplevel"], None)?;
    Ok(PathBuf::from(String::from_utf8_lossy(&out).trim()))
}

/// Paths (relative to the root) added, modified, renamed or copied since the branch left
/// `rev` (the merge base of `rev` and `HEAD`, as a pull request into `rev` shows them) up to
/// the working tree, plus untracked files; deleted files are left out.
fn changed_docs(root: &Path, rev: &str) -> anyhow::Result<Vec<String>> {
    let merge_base = git(&["merge-base", rev, "HEAD"], Some(root))
        .with_context(|| format!("{rev}: no common ancestor with HEAD to diff from"))?;
    let merge_base = String::from_utf8_lossy(&merge_base).trim().to_string();
    let diff = git(
        &["diff", "--name-status", "-z", &merge_base, "--"],
        Some(root),
    )?;
    let mut paths = parse_name_status(&diff);
    let untracked = git(
        &["ls-files", "--others", "--exclude-standard", "-z"],
        Some(root),
    )?;
    paths.extend(
        untracked
            .split(|&b| b == 0)
            .filter(|p| !p.is_empty())
            .map(|p| String::from_utf8_lossy(p).into_owned()),
    );
    paths.sort();
    paths.dedup();
    Ok(paths)
}

/// Parses `git diff --name-status -z`: `STATUS\0path\0` or, for renames and copies,
/// `R100\0old\0new\0`.
fn parse_name_status(raw: &[u8]) -> Vec<String> {
    let mut fields = raw.split(|&b| b == 0).filter(|f| !f.is_empty());
    let mut out = Vec::new();
    while let Some(status) = fields.next() {
        let kind = status.first().copied().unwrap_or(b'?');
        let path = if matches!(kind, b'R' | b'C') {
            fields.next();
            fields.next()
        } else {
            fields.next()
        };
        if let Some(path) = path.filter(|_| kind != b'D') {
            out.push(String::from_utf8_lossy(path).into_owned());
        }
    }
    out
}
