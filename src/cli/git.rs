//! The few `git` calls of `check --base`: which files changed since a branch left its base.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};

/// Runs `git ARGS` in `dir` and returns its stdout; a failure carries git's first stderr line.
fn git(args: &[&str], dir: &Path) -> anyhow::Result<Vec<u8>> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .context("cannot run git")?;
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

/// True in a shallow clone (what `actions/checkout` makes by default).
fn is_shallow(dir: &Path) -> bool {
    git(&["rev-parse", "--is-shallow-repository"], dir)
        .is_ok_and(|out| String::from_utf8_lossy(&out).trim() == "true")
}

/// Paths (relative to `dir`, and under it) added, modified, renamed or copied since the branch
/// left `rev` (the merge base of `rev` and `HEAD`, as a pull request into `rev` shows them) up
/// to the working tree, plus untracked files; deleted files are left out.
pub fn changed_files(dir: &Path, rev: &str) -> anyhow::Result<Vec<String>> {
    let merge_base = git(&["merge-base", rev, "HEAD"], dir).map_err(|error| {
        if is_shallow(dir) {
            anyhow::anyhow!(
                "{rev}: no common ancestor with HEAD in this shallow clone; fetch more history \
                 (`git fetch --deepen=100`, or `fetch-depth: 0` for actions/checkout) ({error})"
            )
        } else {
            error.context(format!("{rev}: no common ancestor with HEAD to diff from"))
        }
    })?;
    let merge_base = String::from_utf8_lossy(&merge_base).trim().to_string();
    let diff = git(
        &[
            "diff",
            "--name-status",
            "--relative",
            "-z",
            &merge_base,
            "--",
        ],
        dir,
    )?;
    let mut paths = parse_name_status(&diff);
    let untracked = git(&["ls-files", "--others", "--exclude-standard", "-z"], dir)?;
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
