//! The App's installations and the repositories each can see (for resyncing after downtime).

use http::Method;
use serde::Deserialize;

use super::WireUser;
use super::repos::WireRepo;
use crate::domain::{InstallationId, Login, RepoName};
use crate::github::models::Installation;
use crate::github::{GithubApp, GithubError, InstallationClient};
use crate::github::{auth::Auth, client::ApiRequest};

#[derive(Debug, Deserialize)]
struct WireInstallation {
    id: u64,
    account: Option<WireUser>,
}

/// `GET /app`: only the slug is needed (the bot account is `{slug}[bot]`).
#[derive(Debug, Deserialize)]
struct WireApp {
    slug: String,
}

#[derive(Debug, Deserialize)]
struct WireInstallationRepos {
    repositories: Vec<WireRepo>,
}

impl GithubApp {
    /// The login of the App's bot account, `{slug}[bot]`: the author of every comment the App
    /// writes, and so the only author whose comments the App may adopt as its own. Learnt from
    /// `GET /app` (as the App, with its JWT) on first use and kept for the process's life.
    pub async fn bot_login(&self) -> Result<Login, GithubError> {
        self.bot_cell()
            .get_or_try_init(|| async {
                let request = ApiRequest::new(Method::GET, "/app", "/app".to_string(), Auth::App);
                let app: WireApp = self.send(&request).await?.json(request.route)?;
                Ok(Login(format!("{}[bot]", app.slug)))
            })
            .await
            .cloned()
    }

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
    /// [`GithubApp::bot_login`].
    pub async fn bot_login(&self) -> Result<Login, GithubError> {
        self.app().bot_login().await
    }

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
