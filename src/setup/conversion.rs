//! `POST /app-manifests/{code}/conversions`: trades the one-time code GitHub hands back after the
//! user confirms the registration for the new App's credentials. No authentication is needed; the
//! code is valid for one hour and only once.

use secrecy::SecretString;
use serde::Deserialize;
use url::Url;

use crate::github::plain::{self, PlainError, PlainRequest};

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
    #[error(transparent)]
    Request(PlainError),
}

/// Exchanges `code` at `{api_base}app-manifests/{code}/conversions`.
pub async fn convert(api_base: &Url, code: &str) -> Result<NewApp, ConversionError> {
    let url = api_base
        .join(&format!(
            "app-manifests/{}/conversions",
            crate::uri::component(code)
        ))
        .map_err(|e| ConversionError::Request(PlainError::Unexpected(e.to_string())))?;
    plain::send(PlainRequest {
        method: http::Method::POST,
        url: &url,
        accept: plain::GITHUB_JSON,
        token: None,
        body: None,
    })
    .await
    .map_err(|error| match error {
        PlainError::Refused(status) => ConversionError::Refused { status },
        other => ConversionError::Request(other),
    })
}
