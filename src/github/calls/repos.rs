//! Repository metadata.

use serde::Deserialize;

use super::{WireUser, repo_path};
use crate::domain::RepoName;
use crate::github::models::RepoInfo;
use crate::github::{GithubError, InstallationClient};

#[derive(Debug, Deserialize)]
pub(crate) struct WireRepo {
    pub(crate) name: String,
    pub(crate) owner: WireUser,
    #[serde(default)]
    pub(crate) default_branch: String,
}

impl WireRepo {
    pub(crate) fn repo_name(&self) -> RepoName {
        RepoName::new(self.owner.login.clone(), self.name.clone())
    }
}

impl InstallationClient {
    /// `GET /repos/{owner}/{repo}`: the default branch (where the config is read from).
    pub async fn get_repo(&self, repo: &RepoName) -> Result<RepoInfo, GithubError> {
        let wire: WireRepo = self
            .get_json("/repos/{owner}/{repo}", repo_path(repo))
            .await?;
        Ok(RepoInfo {
            name: wire.repo_name(),
            default_branch: wire.default_branch,
        })
    }
}
