//! `POST {WEBHOOK_PATH}`: the hot path. Verify, parse, store durably, answer. Nothing slow runs
//! here: no GitHub call and no template check (GitHub gives up after 10 seconds and does not
//! redeliver on its own).

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use chrono::Utc;
use secrecy::SecretString;
use serde_json::json;
use tokio::sync::Notify;

use super::{
    event::{Event, PayloadError},
    signature::{self, SignatureError},
};
use crate::store::{InsertOutcome, NewDelivery, Store};

/// Largest body GitHub sends (25 MiB); larger requests get 413.
pub const MAX_BODY_BYTES: usize = 25 * 1024 * 1024;

/// What the intake route needs.
#[derive(Clone)]
pub struct IntakeState {
    pub store: Arc<dyn Store>,
    pub secrets: Arc<Vec<SecretString>>,
    /// Wakes the workers of this process as soon as a delivery is stored.
    pub wake: Arc<Notify>,
}

/// Why a delivery was refused: each maps to one status code and one log line.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error(transparent)]
    Signature(#[from] SignatureError),
    #[error("missing {0} header")]
    MissingHeader(&'static str),
    #[error("form body has no payload= field")]
    MissingFormPayload,
    #[error(transparent)]
    Payload(#[from] PayloadError),
    #[error("could not store the delivery: {0}")]
    Store(String),
}

impl IntakeError {
    fn status(&self) -> StatusCode {
        match self {
            Self::Signature(_) => StatusCode::UNAUTHORIZED,
            Self::MissingHeader(_) | Self::MissingFormPayload | Self::Payload(_) => {
                StatusCode::BAD_REQUEST
            }
            Self::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn outcome(&self) -> &'static str {
        match self {
            Self::Signature(_) => "bad_signature",
            Self::MissingHeader(_) => "missing_header",
            Self::MissingFormPayload | Self::Payload(_) => "bad_payload",
            Self::Store(_) => "store_error",
        }
    }
}

/// The axum handler of the webhook route.
pub async fn receive(
    State(state): State<IntakeState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let delivery = header_str(&headers, "x-github-delivery")
        .unwrap_or("-")
        .to_string();
    let event = header_str(&headers, "x-github-event")
        .unwrap_or("-")
        .to_string();
    match accept(&state, &headers, &body).await {
        Ok(accepted) => {
            metrics::counter!("webhook_deliveries_total", "event" => event.clone(), "outcome" => accepted.outcome())
                .increment(1);
            tracing::info!(%delivery, %event, outcome = accepted.outcome(), "webhook received");
            let status = match accepted {
                Accepted::Stored => StatusCode::ACCEPTED,
                _ => StatusCode::OK,
            };
            (
                status,
                axum::Json(json!({ "delivery": delivery, "outcome": accepted.outcome() })),
            )
                .into_response()
        }
        Err(error) => {
            metrics::counter!("webhook_deliveries_total", "event" => event.clone(), "outcome" => error.outcome())
                .increment(1);
            if matches!(error, IntakeError::Store(_)) {
                tracing::error!(%delivery, %event, %error, "webhook not stored");
            } else {
                tracing::warn!(%delivery, %event, %error, "webhook refused");
            }
            (
                error.status(),
                axum::Json(json!({ "delivery": delivery, "error": error.to_string() })),
            )
                .into_response()
        }
    }
}

/// How an accepted delivery was dealt with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Accepted {
    Stored,
    Duplicate,
    Ping,
    Ignored,
}

impl Accepted {
    fn outcome(self) -> &'static str {
        match self {
            Self::Stored => "accepted",
            Self::Duplicate => "duplicate",
            Self::Ping => "ping",
            Self::Ignored => "ignored",
        }
    }
}

async fn accept(
    state: &IntakeState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Accepted, IntakeError> {
    signature::verify(
        &state.secrets,
        header_str(headers, "x-hub-signature-256"),
        body,
    )?;
    let delivery_id = header_str(headers, "x-github-delivery")
        .filter(|s| !s.trim().is_empty())
        .ok_or(IntakeError::MissingHeader("X-GitHub-Delivery"))?;
    let event_name = header_str(headers, "x-github-event")
        .filter(|s| !s.trim().is_empty())
        .ok_or(IntakeError::MissingHeader("X-GitHub-Event"))?;
    let payload = json_payload(headers, body)?;
    let (event, action) = Event::parse_with_action(event_name, &payload)?;
    match &event {
        Event::Ping => return Ok(Accepted::Ping),
        Event::Ignored(why) => {
            tracing::debug!(delivery = delivery_id, why, "event dropped");
            return Ok(Accepted::Ignored);
        }
        _ => {}
    }
    let payload_text =
        String::from_utf8(payload.into_owned()).map_err(|_| PayloadError::Missing("UTF-8 text"))?;
    let pr = event.pr();
    let new = NewDelivery {
        id: delivery_id.to_string(),
        event: event_name.to_string(),
        action,
        installation_id: event.installation().map(|i| i.0 as i64),
        repo: pr.map(|p| p.repo.to_string()).or_else(|| match &event {
            Event::MergeGroup(m) => Some(m.repo.to_string()),
            Event::RerunCommit(r) => Some(r.repo.to_string()),
            _ => None,
        }),
        pr_key: pr.map(|p| p.queue_key()),
        coalescable: event.coalescable(),
        payload: payload_text,
        received_at: Utc::now(),
    };
    let outcome = state
        .store
        .insert_delivery(&new)
        .await
        .map_err(|e| IntakeError::Store(e.to_string()))?;
    Ok(match outcome {
        InsertOutcome::Inserted => {
            state.wake.notify_waiters();
            Accepted::Stored
        }
        InsertOutcome::Duplicate => Accepted::Duplicate,
    })
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The JSON payload: the body itself, or the `payload` field of a form-encoded body (GitHub's
/// `application/x-www-form-urlencoded` content type).
fn json_payload<'a>(
    headers: &HeaderMap,
    body: &'a [u8],
) -> Result<std::borrow::Cow<'a, [u8]>, IntakeError> {
    let is_form = header_str(headers, header::CONTENT_TYPE.as_str())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Ok(std::borrow::Cow::Borrowed(body));
    }
    url::form_urlencoded::parse(body)
        .find(|(key, _)| key == "payload")
        .map(|(_, value)| std::borrow::Cow::Owned(value.into_owned().into_bytes()))
        .ok_or(IntakeError::MissingFormPayload)
}
