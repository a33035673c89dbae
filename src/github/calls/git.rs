//! Commits and trees: how the files of a pull request too large for its files list are found.

use serde::Deserialize;

use super::{repo_path, seg};
use crate::domain::{CommitSha, RepoName};
use crate::github::models::{Tree, TreeEntry};
use crate::github::{GithubError, InstallationClient};

/// `GET .../compare/{basehead}`: only the merge base is read.
#[derive(Debug, Deserialize)]
struct WireComparison {
    merge_base_commit: WireCommit,
}

#[derive(Debug, Deserialize)]
struct WireCommit {
    sha: String,
}

#[derive(Debug, Deserialize)]
struct WireTree {
    tree: Vec<WireTreeEntry>,
    #[serde(default)]
    truncated: bool,
}

#[derive(Debug, Deserialize)]
struct WireTreeEntry {
    path: String,
    #[serde(rename = "type")]
    kind: String,
    sha: String,
}

impl InstallationClient {
    /// `GET /repos/{owner}/{repo}/compare/{base}...{head}?per_page=1`: the commit the pull
    /// request's changes start from (the list of commits and files is not wanted: one of each).
    pub async fn merge_base(
        &self,
        repo: &RepoName,
        base: &str,
        head: &CommitSha,
    ) -> Result<CommitSha, GithubError> {
        let wire: WireComparison = self
            .get_json(
                "/repos/{owner}/{repo}/compare/{basehead}",
                format!(
                    "{}/compare/{}...{}?per_page=1",
                    repo_path(repo),
                    seg(base),
                    seg(&head.0)
                ),
            )
            .await?;
        Ok(CommitSha(wire.merge_base_commit.sha))
    }

    /// `GET /repos/{owner}/{repo}/git/trees/{sha}?recursive=1`: every file (blob) of a commit
    /// with its blob SHA. GitHub answers at most 100,000 entries (7 MB) and then says
    /// `truncated`, which [`Tree::truncated`] reports.
    pub async fn tree(&self, repo: &RepoName, commit: &CommitSha) -> Result<Tree, GithubError> {
        let wire: WireTree = self
            .get_json(
                "/repos/{owner}/{repo}/git/trees/{tree_sha}",
                format!(
                    "{}/git/trees/{}?recursive=1",
                    repo_path(repo),
                    seg(&commit.0)
                ),
            )
            .await?;
        Ok(Tree {
            entries: wire
                .tree
                .into_iter()
                .filter(|e| e.kind == "blob")
                .map(|e| TreeEntry {
                    path: e.path,
                    sha: e.sha,
                })
                .collect(),
            truncated: wire.truncated,
        })
    }
}
