//! The user-to-server side of GitHub that sign-in needs: trading the OAuth code for the user's
//! token, who the user is, and which of the App's repositories they can read. These calls act as
//! the user, not as the App or an installation, so they are made here rather than through the
//! App's client; like the setup flow's manifest exchange, each is one plain request.

use http::header::{ACCEPT, AUTHORIZATION, USER_AGENT};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, de::DeserializeOwned};
use url::Url;

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub enum UserApiError {
    #[error("GitHub refused (HTTP {0})")]
    Refused(u16),
    #[error("cannot reach GitHub: {0}")]
    Network(String),
    #[error("unexpected answer from GitHub: {0}")]
    Unexpected(String),
}

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
    ) -> Result<SecretString, UserApiError> {
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
            (None, error) => Err(UserApiError::Unexpected(
                error.unwrap_or_else(|| "no access_token".into()),
            )),
        }
    }

    /// `GET /user`: the signed-in user's login.
    pub async fn login(&self, token: &SecretString) -> Result<String, UserApiError> {
        let url = self.api_url("user")?;
        let user: User = send(http::Method::GET, &url, Some(token), None).await?;
        Ok(user.login)
    }

    /// The repositories of the App's installations the user can read:
    /// `GET /user/installations`, then `GET /user/installations/{id}/repositories` for each.
    pub async fn readable_repos(&self, token: &SecretString) -> Result<Vec<String>, UserApiError> {
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

    fn api_url(&self, path: &str) -> Result<Url, UserApiError> {
        let base = self.api.as_str().trim_end_matches('/');
        Url::parse(&format!("{base}/{path}")).map_err(|e| UserApiError::Unexpected(e.to_string()))
    }
}

async fn send<T: DeserializeOwned>(
    method: http::Method,
    url: &Url,
    token: Option<&SecretString>,
    body: Option<&serde_json::Value>,
) -> Result<T, UserApiError> {
    let http = octocrab::Octocrab::builder()
        .build()
        .map_err(|e| UserApiError::Network(e.to_string()))?;
    let mut builder = http::Request::builder()
        .method(method)
        .uri(url.as_str())
        .header(ACCEPT, "application/json")
        .header("X-GitHub-Api-Version", "2022-11-28")
        .header(
            USER_AGENT,
            concat!("design-review/", env!("CARGO_PKG_VERSION")),
        );
    if let Some(token) = token {
        let mut value =
            http::HeaderValue::from_str(&format!("Bearer {}", token.expose_secret()))
                .map_err(|_| UserApiError::Unexpected("token is not a valid header".into()))?;
        value.set_sensitive(true);
        builder = builder.header(AUTHORIZATION, value);
    }
    let request = http
        .build_request(builder, body)
        .map_err(|e| UserApiError::Unexpected(e.to_string()))?;
    let response = http
        .execute(request)
        .await
        .map_err(|e| UserApiError::Network(e.to_string()))?;
    let status = response.status().as_u16();
    let text = http
        .body_to_string(response)
        .await
        .map_err(|e| UserApiError::Network(e.to_string()))?;
    if !(200..300).contains(&status) {
        return Err(UserApiError::Refused(status));
    }
    serde_json::from_str(&text).map_err(|e| UserApiError::Unexpected(e.to_string()))
}
