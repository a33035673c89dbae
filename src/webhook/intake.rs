//! `POST {WEBHOOK_PATH}`: the hot path. Verify, parse, store durably, answer. Nothing slow runs
//! here: no GitHub call and no template check (GitHub gives up after 10 seconds and does not
//! redeliver on its own).

use std::sync::{Arc, OnceLock};

use axum::{
    body::Bytes,
    extract::{FromRequest, Request, State},
    http::{HeaderMap, HeaderName, StatusCode, header},
    response::{IntoResponse, Response},
};
use chrono::Utc;
use metrics::Counter;
use secrecy::SecretString;
use tokio::sync::Notify;

use super::{
    event::{Event, HANDLED_EVENTS, PayloadError},
    signature::{self, SignatureError},
};
use crate::store::{InsertOutcome, NewDelivery, Store};

// GitHub's headers as names ready for look-up (a `&str` name is parsed on every look-up).
const X_GITHUB_DELIVERY: HeaderName = HeaderName::from_static("x-github-delivery");
const X_GITHUB_EVENT: HeaderName = HeaderName::from_static("x-github-event");
const X_HUB_SIGNATURE_256: HeaderName = HeaderName::from_static("x-hub-signature-256");

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
pub async fn receive(State(state): State<IntakeState>, request: Request) -> Response {
    // The headers are moved out of the request (a `HeaderMap` argument would copy them), and
    // the body is read as the `Bytes` extractor reads it: 413 past `DefaultBodyLimit`.
    let (mut parts, body) = request.into_parts();
    let headers = std::mem::take(&mut parts.headers);
    let body = match Bytes::from_request(Request::from_parts(parts, body), &()).await {
        Ok(body) => body,
        Err(rejection) => return rejection.into_response(),
    };
    let delivery_header = header_str(&headers, &X_GITHUB_DELIVERY);
    let event_header = header_str(&headers, &X_GITHUB_EVENT);
    let delivery = delivery_header.unwrap_or("-");
    let event = event_header.unwrap_or("-");
    let label = event_label(event);
    match accept(&state, &headers, delivery_header, event_header, &body).await {
        Ok(accepted) => {
            deliveries_counter(label, accepted.outcome()).increment(1);
            tracing::info!(%delivery, %event, outcome = accepted.outcome(), "webhook received");
            let status = match accepted {
                Accepted::Stored => StatusCode::ACCEPTED,
                _ => StatusCode::OK,
            };
            let answer = Answer {
                delivery,
                outcome: Some(accepted.outcome()),
                error: None,
            };
            (status, axum::Json(answer)).into_response()
        }
        Err(error) => {
            deliveries_counter(label, error.outcome()).increment(1);
            if matches!(error, IntakeError::Store(_)) {
                tracing::error!(%delivery, %event, %error, "webhook not stored");
            } else {
                tracing::warn!(%delivery, %event, %error, "webhook refused");
            }
            let answer = Answer {
                delivery,
                outcome: None,
                error: Some(error.to_string()),
            };
            (error.status(), axum::Json(answer)).into_response()
        }
    }
}

/// The JSON body of every answer: the delivery id and what became of it (or why it was refused).
#[derive(serde::Serialize)]
struct Answer<'a> {
    delivery: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    outcome: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// Every `outcome` label of `webhook_deliveries_total`.
const OUTCOMES: [&str; 8] = [
    "accepted",
    "duplicate",
    "ping",
    "ignored",
    "bad_signature",
    "missing_header",
    "bad_payload",
    "store_error",
];

/// The `event` label of `webhook_deliveries_total`. The header is read before the signature is
/// checked, so anyone can send any name: names other than the events the App subscribes to
/// become `other`, and a stranger cannot mint new series.
fn event_label(event: &str) -> &'static str {
    HANDLED_EVENTS
        .iter()
        .chain(&["ping"])
        .find(|known| **known == event)
        .copied()
        .unwrap_or("other")
}

/// The counter for one (event, outcome) pair. Handles are registered once, on first use (after
/// the server installed its recorder), so the hot path does no registry lookup.
fn deliveries_counter(event: &'static str, outcome: &'static str) -> &'static Counter {
    // Row per event label (the subscribed events, then `ping`, then `other`), one column per
    // outcome, so a delivery finds its counter by two short searches, not one over every pair.
    static COUNTERS: OnceLock<Vec<Counter>> = OnceLock::new();
    let events = || HANDLED_EVENTS.iter().chain(&["ping", "other"]);
    let counters = COUNTERS.get_or_init(|| {
        events()
            .flat_map(|&e| OUTCOMES.iter().map(move |&o| (e, o)))
            .map(|(e, o)| metrics::counter!("webhook_deliveries_total", "event" => e, "outcome" => o))
            .collect()
    });
    let row = events().position(|&e| e == event);
    let column = OUTCOMES.iter().position(|&o| o == outcome);
    match (row, column) {
        (Some(row), Some(column)) => &counters[row * OUTCOMES.len() + column],
        _ => &counters[counters.len() - 1],
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

/// `delivery_id` and `event_name` are the `X-GitHub-Delivery` and `X-GitHub-Event` headers,
/// read once by the caller (which names them in its log line).
async fn accept(
    state: &IntakeState,
    headers: &HeaderMap,
    delivery_id: Option<&str>,
    event_name: Option<&str>,
    body: &[u8],
) -> Result<Accepted, IntakeError> {
    signature::verify(
        &state.secrets,
        header_str(headers, &X_HUB_SIGNATURE_256),
        body,
    )?;
    let delivery_id = delivery_id
        .filter(|s| !s.trim().is_empty())
        .ok_or(IntakeError::MissingHeader("X-GitHub-Delivery"))?;
    let event_name = event_name
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
            Event::RulesPush(p) => Some(p.repo.to_string()),
            _ => None,
        }),
        pr_key: pr.map(|p| p.queue_key()),
        coalescable: event.coalescable(),
        payload: payload_text,
        received_at: Utc::now(),
    };
    let outcome = state
        .store
        .insert_delivery(new)
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

fn header_str<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The JSON payload: the body itself, or the `payload` field of a form-encoded body (GitHub's
/// `application/x-www-form-urlencoded` content type).
fn json_payload<'a>(
    headers: &HeaderMap,
    body: &'a [u8],
) -> Result<std::borrow::Cow<'a, [u8]>, IntakeError> {
    let is_form = header_str(headers, &header::CONTENT_TYPE)
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Ok(std::borrow::Cow::Borrowed(body));
    }
    url::form_urlencoded::parse(body)
        .find(|(key, _)| key == "payload")
        .map(|(_, value)| std::borrow::Cow::Owned(value.into_owned().into_bytes()))
        .ok_or(IntakeError::MissingFormPayload)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_outcome_is_a_known_label() {
        let accepted = [
            Accepted::Stored,
            Accepted::Duplicate,
            Accepted::Ping,
            Accepted::Ignored,
        ]
        .map(Accepted::outcome);
        let refused = [
            IntakeError::Signature(SignatureError::Mismatch),
            IntakeError::MissingHeader("X-GitHub-Event"),
            IntakeError::MissingFormPayload,
            IntakeError::Payload(PayloadError::Missing("repository")),
            IntakeError::Store(String::new()),
        ]
        .map(|e| e.outcome());
        for outcome in accepted.iter().chain(&refused) {
            assert!(OUTCOMES.contains(outcome), "{outcome}");
        }
    }

    #[test]
    fn unknown_event_names_share_one_label() {
        assert_eq!(event_label("pull_request"), "pull_request");
        assert_eq!(event_label("ping"), "ping");
        assert_eq!(event_label("push"), "push");
        assert_eq!(event_label("deployment"), "other");
        assert_eq!(event_label("x-\u{1F600}-random-name-1234"), "other");
    }
}
