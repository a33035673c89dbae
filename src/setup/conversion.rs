//! `POST /app-manifests/{code}/conversions`: trades the one-time code GitHub hands back after the
//! user confirms the registration for the new App's credentials. No authentication is needed; the
//! code is valid for one hour and only once.

use http::header::{ACCEPT, USER_AGENT};
use secrecy::SecretString;
use serde::Deserialize;
use url::Url;

/// The App GitHub created. Secrets stay wrapped, so `Debug` and logs never show them.
#[derive(Debug, Clone, Deserialize)]
pub struct NewApp {
    pub id: u64,
    pub slug: String,
    #[serde(default)]
    pub name: String,
    pub html_url: String,
    pub pem: SecretString,
    pub webhook_secret: SecretString,
    pub client_id: String,
    pub client_secret: SecretString,
}

/// Why the exchange failed.
#[derive(Debug, thiserror::Error)]
pub enum ConversionError {
    #[error("GitHub did not accept the code (HTTP {status}): it is valid once, for one hour")]
    Refused { status: u16 },
    #[error("cannot reach GitHub: {0}")]
    Network(String),
    #[error("unexpected answer from GitHub: {0}")]
    Unexpected(String),
}

/// Exchanges `code` at `{api_base}app-manifests/{code}/conversions`.
pub async fn convert(api_base: &Url, code: &str) -> Result<NewApp, ConversionError> {
    let url = api_base
        .join(&format!(
            "app-manifests/{}/conversions",
            crate::uri::component(code)
        ))
        .map_err(|e| ConversionError::Unexpected(e.to_string()))?;
    let http = octocrab::Octocrab::builder()
        .build()
        .map_err(|e| ConversionError::Network(e.to_string()))?;
    let builder = http::Request::builder()
        .method(http::Method::POST)
        .uri(url.as_str())
        .header(ACCEPT, "application/vnd.github+json")
        .header("X-GitHub-Api-Version", "2022-11-28")
        .header(
            USER_AGENT,
            concat!("design-review/", env!("CARGO_PKG_VERSION")),
        );
    let request = http
        .build_request(builder, None::<&()>)
        .map_err(|e| ConversionError::Unexpected(e.to_string()))?;
    let response = http
        .execute(request)
        .await
        .map_err(|e| ConversionError::Network(e.to_string()))?;
    let status = response.status().as_u16();
    let body = http
        .body_to_string(response)
        .await
        .map_err(|e| ConversionError::Network(e.to_string()))?;
    if !(200..300).contains(&status) {
        return Err(ConversionError::Refused { status });
    }
    serde_json::from_str(&body).map_err(|e| ConversionError::Unexpected(e.to_string()))
}
