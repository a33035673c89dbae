//! The user-to-server side of GitHub that sign-in needs: trading the OAuth code for the user's
//! token, who the user is, and which of the App's repositories they can read. These calls act as
//! the user, not as the App or an installation, so they go through [`crate::github::plain`]
//! rather than the App's client; like the setup flow's manifest exchange, each is one plain
//! request.

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, de::DeserializeOwned};
use url::Url;

use crate::github::plain::{self, PlainError, PlainRequest};

/// Most installations and repositories read for one user (10 pages of 100 each).
const MAX_PAGES: usize = 10;

/// The endpoints, from GITHUB_URL and GITHUB_API_URL.
#[derive(Clone, Debug)]
pub struct UserApi {
    pub web: Url,
    pub api: Url,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct User {
    login: String,
}

#[derive(Deserialize)]
struct Installations {
    installations: Vec<Installation>,
}

#[derive(Deserialize)]
struct Installation {
    id: u64,
}

#[derive(Deserialize)]
struct Repositories {
    repositories: Vec<Repository>,
}

#[derive(Deserialize)]
struct Repository {
    full_name: String,
}

impl UserApi {
    /// `{GITHUB_URL}/login/oauth/authorize?...`: where the browser goes to sign in.
    pub fn authorize_url(&self, client_id: &str, redirect: &str, state: &str) -> String {
        let mut url = self
            .web
            .join("login/oauth/authorize")
            .expect("a relative path");
        url.query_pairs_mut()
            .append_pair("client_id", client_id)
            .append_pair("redirect_uri", redirect)
            .append_pair("state", state);
        url.to_string()
    }

    /// `POST {GITHUB_URL}/login/oauth/access_token`: the user's token for `code`.
    pub async fn exchange_code(
        &self,
        client: &crate::config::settings::OAuthClient,
        code: &str,
        redirect: &str,
    ) -> Result<SecretString, PlainError> {
        let url = self
            .web
            .join("login/oauth/access_token")
            .expect("a relative path");
        let body = serde_json::json!({
            "client_id": client.client_id,
            "client_secret": client.client_secret.expose_secret(),
            "code": code,
            "redirect_uri": redirect,
        });
        let answer: TokenAnswer = send(http::Method::POST, &url, None, Some(&body)).await?;
        match (answer.access_token, answer.error) {
            (Some(token), _) => Ok(SecretString::from(token)),
            (None, error) => Err(PlainError::Unexpected(
                error.unwrap_or_else(|| "no access_token".into()),
            )),
        }
    }

    /// `GET /user`: the signed-in user's login.
    pub async fn login(&self, token: &SecretString) -> Result<String, PlainError> {
        let url = self.api_url("user")?;
        let user: User = send(http::Method::GET, &url, Some(token), None).await?;
        Ok(user.login)
    }

    /// The repositories of the App's installations the user can read:
    /// `GET /user/installations`, then `GET /user/installations/{id}/repositories` for each.
    pub async fn readable_repos(&self, token: &SecretString) -> Result<Vec<String>, PlainError> {
        let mut installations = Vec::new();
        for page in 1..=MAX_PAGES {
            let url = self.api_url(&format!("user/installations?per_page=100&page={page}"))?;
            let found: Installations = send(http::Method::GET, &url, Some(token), None).await?;
            let last = found.installations.len() < 100;
            installations.extend(found.installations.into_iter().map(|i| i.id));
            if last {
                break;
            }
        }
        let mut repos = Vec::new();
        for id in installations {
            for page in 1..=MAX_PAGES {
                let url = self.api_url(&format!(
                    "user/installations/{id}/repositories?per_page=100&page={page}"
                ))?;
                let found: Repositories = send(http::Method::GET, &url, Some(token), None).await?;
                let last = found.repositories.len() < 100;
                repos.extend(found.repositories.into_iter().map(|r| r.full_name));
                if last {
                    break;
                }
            }
        }
        repos.sort();
        repos.dedup();
        Ok(repos)
    }

    fn api_url(&self, path: &str) -> Result<Url, PlainError> {
        let base = self.api.as_str().trim_end_matches('/');
        Url::parse(&format!("{base}/{path}")).map_err(|e| PlainError::Unexpected(e.to_string()))
    }
}

/// One call to `url`, as the user when `token` is given.
async fn send<T: DeserializeOwned>(
    method: http::Method,
    url: &Url,
    token: Option<&SecretString>,
    body: Option<&serde_json::Value>,
) -> Result<T, PlainError> {
    plain::send(PlainRequest {
        method,
        url,
        accept: "application/json",
        token,
        body,
    })
    .await
}
