//! Requests made outside an installation: the App manifest exchange at setup (no credentials
//! exist yet) and the calls a signed-in user makes with their own token. Each is one plain
//! request through octocrab, with the headers every request of ours carries
//! ([`request_builder`]); no retries, no caches: a person is waiting and can try again.

use http::header::{ACCEPT, AUTHORIZATION, USER_AGENT};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use url::Url;

/// GitHub's media type for the REST API.
pub const GITHUB_JSON: &str = "application/vnd.github+json";

/// A request to `url` with the headers every request of ours carries: the media type
/// `accept`, the API version we were written against, and our user agent.
pub fn request_builder(method: http::Method, url: &str, accept: &str) -> http::request::Builder {
    http::Request::builder()
        .method(method)
        .uri(url)
        .header(ACCEPT, accept)
        .header("X-GitHub-Api-Version", "2022-11-28")
        .header(
            USER_AGENT,
            concat!("design-review/", env!("CARGO_PKG_VERSION")),
        )
}

/// Why a plain request failed.
#[derive(Debug, thiserror::Error)]
pub enum PlainError {
    #[error("GitHub refused (HTTP {0})")]
    Refused(u16),
    #[error("cannot reach GitHub: {0}")]
    Network(String),
    #[error("unexpected answer from GitHub: {0}")]
    Unexpected(String),
}

/// One plain request: where, what it accepts, as whom, with what body.
pub struct PlainRequest<'a> {
    pub method: http::Method,
    pub url: &'a Url,
    pub accept: &'static str,
    /// The user's token; `None` for a call that needs none.
    pub token: Option<&'a SecretString>,
    pub body: Option<&'a serde_json::Value>,
}

/// Sends `request` and reads a 2xx answer's JSON as `T`.
pub async fn send<T: DeserializeOwned>(request: PlainRequest<'_>) -> Result<T, PlainError> {
    let http = octocrab::Octocrab::builder()
        .build()
        .map_err(|e| PlainError::Network(e.to_string()))?;
    let mut builder = request_builder(request.method, request.url.as_str(), request.accept);
    if let Some(token) = request.token {
        let mut value =
            http::HeaderValue::from_str(&format!("Bearer {}", token.expose_secret()))
                .map_err(|_| PlainError::Unexpected("token is not a valid header".into()))?;
        value.set_sensitive(true);
        builder = builder.header(AUTHORIZATION, value);
    }
    let built = http
        .build_request(builder, request.body)
        .map_err(|e| PlainError::Unexpected(e.to_string()))?;
    let response = http
        .execute(built)
        .await
        .map_err(|e| PlainError::Network(e.to_string()))?;
    let status = response.status().as_u16();
    let text = http
        .body_to_string(response)
        .await
        .map_err(|e| PlainError::Network(e.to_string()))?;
    if !(200..300).contains(&status) {
        return Err(PlainError::Refused(status));
    }
    serde_json::from_str(&text).map_err(|e| PlainError::Unexpected(e.to_string()))
}
