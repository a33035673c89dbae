//! The one error type every GitHub call returns.
//!
//! Callers match on the variant: a missing resource, a refusal, a validation failure with GitHub's own
//! message (shown to users on the PR), a rate limit with the moment it lifts (the queue reschedules the
//! delivery for then), or a transient failure worth retrying later.

use chrono::{DateTime, Utc};
use serde::Deserialize;

/// What went wrong talking to GitHub.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GithubError {
    /// 404 (or 410): the resource does not exist or the installation cannot see it.
    #[error("not found")]
    NotFound,
    /// 403 that is not a rate limit: the App lacks a permission or the action is refused.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// 422 with GitHub's message and the details of each failed field.
    #[error("validation failed: {0}")]
    Validation(String),
    /// A rate limit that lifts later than we are willing to wait in-process.
    #[error("rate limited until {until}")]
    RateLimited { until: DateTime<Utc> },
    /// Network failure or 5xx that did not go away within the retry budget (or was not retried).
    #[error("transient failure: {0}")]
    Transient(String),
    /// 401: the JWT or the installation token was refused.
    #[error("unauthorized: GitHub refused the App's credentials")]
    Unauthorized,
    /// A file is larger than we accept to download (its size is reported so callers can say so).
    #[error("file of {size} bytes is over the {limit}-byte limit")]
    TooLarge { size: u64, limit: u64 },
    /// The App's private key is not a usable RSA PEM key (reported at construction).
    #[error("invalid GitHub App private key: {0}")]
    InvalidPrivateKey(String),
    /// Anything else (unexpected status, undecodable body, invalid configuration).
    #[error("{0}")]
    Other(String),
}

impl GithubError {
    /// Whether trying the same work again later may succeed (the queue retries these).
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Transient(_) | Self::RateLimited { .. })
    }

    /// The earliest moment a retry makes sense, when GitHub told us.
    pub fn retry_at(&self) -> Option<DateTime<Utc>> {
        match self {
            Self::RateLimited { until } => Some(*until),
            _ => None,
        }
    }

    /// Maps a final (non-retried) error status and body into our error.
    pub(crate) fn from_status(status: u16, body: &str) -> Self {
        let message = ErrorBody::message_of(body);
        match status {
            401 => Self::Unauthorized,
            403 => Self::Forbidden(message),
            404 | 410 => Self::NotFound,
            422 => Self::Validation(message),
            500..=599 => Self::Transient(format!("HTTP {status}: {message}")),
            _ => Self::Other(format!("unexpected HTTP {status}: {message}")),
        }
    }
}

/// GitHub's error body: `{"message": ..., "errors": [...], "documentation_url": ...}`.
#[derive(Debug, Deserialize)]
struct ErrorBody {
    #[serde(default)]
    message: String,
    #[serde(default)]
    errors: Vec<ErrorDetail>,
}

/// One entry of `errors`: either a string or an object with `message` / `code` / `field`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum ErrorDetail {
    Text(String),
    Object {
        #[serde(default)]
        message: Option<String>,
        #[serde(default)]
        code: Option<String>,
        #[serde(default)]
        field: Option<String>,
        #[serde(default)]
        resource: Option<String>,
    },
}

impl ErrorDetail {
    fn describe(&self) -> String {
        match self {
            Self::Text(text) => text.clone(),
            Self::Object {
                message: Some(message),
                ..
            } => message.clone(),
            Self::Object {
                code,
                field,
                resource,
                ..
            } => {
                let code = code.as_deref().unwrap_or("invalid");
                match (resource, field) {
                    (Some(resource), Some(field)) => format!("{resource}.{field}: {code}"),
                    (None, Some(field)) => format!("{field}: {code}"),
                    _ => code.to_string(),
                }
            }
        }
    }
}

impl ErrorBody {
    /// GitHub's message followed by the details of `errors`, or the raw body when it is not JSON.
    fn message_of(body: &str) -> String {
        match serde_json::from_str::<ErrorBody>(body) {
            Ok(parsed) => {
                let details: Vec<String> =
                    parsed.errors.iter().map(ErrorDetail::describe).collect();
                if details.is_empty() {
                    parsed.message
                } else {
                    format!("{} ({})", parsed.message, details.join("; "))
                }
            }
            Err(_) => body.chars().take(200).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_keeps_githubs_message_and_details() {
        let body = r#"{"message":"Validation Failed","errors":[{"resource":"PullRequest","field":"reviewers","code":"custom","message":"Reviews may only be requested from collaborators."}],"documentation_url":"x"}"#;
        assert_eq!(
            GithubError::from_status(422, body),
            GithubError::Validation(
                "Validation Failed (Reviews may only be requested from collaborators.)".into()
            )
        );
    }

    #[test]
    fn statuses_map_to_variants() {
        assert_eq!(GithubError::from_status(404, "{}"), GithubError::NotFound);
        assert_eq!(GithubError::from_status(401, ""), GithubError::Unauthorized);
        assert!(GithubError::from_status(503, "oops").is_transient());
        assert!(!GithubError::from_status(403, r#"{"message":"nope"}"#).is_transient());
    }
}
