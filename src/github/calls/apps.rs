//! The App's installations and the repositories each can see (for resyncing after downtime).

use serde::Deserialize;

use super::WireUser;
use super::repos::WireRepo;
use crate::domain::{InstallationId, Login, RepoName};
use crate::github::client::Auth;
use crate::github::models::Installation;
use crate::github::{GithubApp, GithubError, InstallationClient};

#[derive(Debug, Deserialize)]
struct WireInstallation {
    id: u64,
    account: Option<WireUser>,
}

#[derive(Debug, Deserialize)]
struct WireInstallationRepos {
    repositories: Vec<WireRepo>,
}

impl GithubApp {
    /// `GET /app/installations` (as the App, with its JWT), every page.
    pub async fn list_installations(&self) -> Result<Vec<Installation>, GithubError> {
        let wires = self
            .get_all(
                Auth::App,
                "/app/installations",
                "/app/installations".to_string(),
                |page: Vec<WireInstallation>| page,
            )
            .await?;
        Ok(wires
            .into_iter()
            .map(|w| Installation {
                id: InstallationId(w.id),
                account: Login(w.account.map(|a| a.login).unwrap_or_default()),
            })
            .collect())
    }
}

impl InstallationClient {
    /// `GET /installation/repositories`, every page: the repositories this installation can see.
    pub async fn list_installation_repos(&self) -> Result<Vec<RepoName>, GithubError> {
        let repos = self
            .app()
            .get_all(
                self.auth(),
                "/installation/repositories",
                "/installation/repositories".to_string(),
                |page: WireInstallationRepos| page.repositories,
            )
            .await?;
        Ok(repos.iter().map(WireRepo::repo_name).collect())
    }
}
