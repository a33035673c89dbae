//! Where the repository is: the root that doc globs, config template paths and CI annotations
//! are relative to, and the mapping of a path as typed (relative to any subdirectory, with
//! `./` or `..`, or absolute) to its path in the repository.

use std::path::{Component, Path, PathBuf};

use anyhow::Context;

/// The current directory and the repository root above it.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// The current directory, as the OS reports it (symbolic links resolved).
    pub cwd: PathBuf,
    /// The nearest directory at or above `cwd` holding `.github/` or `.git` (the git top level;
    /// `.git` is a file in worktrees and submodules), else `cwd`.
    pub root: PathBuf,
}

impl Workspace {
    /// Finds the root above the current directory. Looks at the file system only: no `git`
    /// process, so a check of one doc starts fast.
    pub fn discover() -> anyhow::Result<Self> {
        let cwd = std::env::current_dir().context("cannot read the current directory")?;
        Ok(Self::at(cwd))
    }

    /// The workspace seen from `cwd`.
    pub fn at(cwd: PathBuf) -> Self {
        let root = cwd
            .ancestors()
            .find(|dir| dir.join(".github").is_dir() || dir.join(".git").exists())
            .unwrap_or(&cwd)
            .to_path_buf();
        Self { cwd, root }
    }

    /// The absolute form of a path typed relative to the current directory: `.` and `..`
    /// resolved, and symbolic links too when the path exists (the root has them resolved).
    pub fn absolute(&self, typed: &Path) -> PathBuf {
        let joined = self.cwd.join(typed);
        std::fs::canonicalize(&joined).unwrap_or_else(|_| normalize(&joined))
    }

    /// The path in the repository (`/`-separated, relative to the root) of an absolute path,
    /// or `None` when it lies outside the repository.
    pub fn repo_path(&self, absolute: &Path) -> Option<String> {
        let relative = absolute.strip_prefix(&self.root).ok()?;
        let parts: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        Some(parts.join("/"))
    }
}

/// Resolves `.` and `..` without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_forms_map_to_one_repository_path() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::create_dir_all(root.join(".github")).unwrap();
        std::fs::create_dir_all(root.join("docs/specs")).unwrap();
        std::fs::write(root.join("docs/specs/x.md"), "").unwrap();
        let sub = Workspace::at(root.join("docs"));
        assert_eq!(sub.root, root);
        for typed in [
            PathBuf::from("./specs/x.md"),
            PathBuf::from("../docs/specs/./x.md"),
            root.join("docs/specs/x.md"),
            PathBuf::from("specs/gone/../x.md"),
        ] {
            let absolute = sub.absolute(&typed);
            assert_eq!(
                sub.repo_path(&absolute).as_deref(),
                Some("docs/specs/x.md"),
                "{typed:?}"
            );
        }
        assert_eq!(sub.repo_path(Path::new("/elsewhere/x.md")), None);
    }
}
