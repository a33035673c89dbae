//! What the webhook route answers and counts: the state it works with, why a delivery is
//! refused, the JSON body of every answer and the `webhook_deliveries_total` counters. Both the
//! extractor ([`super::delivery`]) and the handler ([`super::intake`]) answer through here.

use std::sync::{Arc, OnceLock};

use axum::{
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use metrics::Counter;
use secrecy::SecretString;
use tokio::sync::Notify;

use super::{
    event::{HANDLED_EVENTS, PayloadError},
    signature::SignatureError,
};
use crate::store::Store;

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
    #[error("body over the {0}-byte limit")]
    TooLarge(usize),
    #[error("too many webhook bodies in flight; retry later")]
    Busy,
    #[error("body not received within {0} s")]
    BodyTimeout(u64),
    #[error("body could not be read: {0}")]
    BodyUnreadable(String),
}

impl IntakeError {
    fn status(&self) -> StatusCode {
        match self {
            Self::Signature(_) => StatusCode::UNAUTHORIZED,
            Self::MissingHeader(_)
            | Self::MissingFormPayload
            | Self::Payload(_)
            | Self::BodyUnreadable(_) => StatusCode::BAD_REQUEST,
            Self::Store(_) | Self::Busy => StatusCode::SERVICE_UNAVAILABLE,
            Self::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::BodyTimeout(_) => StatusCode::REQUEST_TIMEOUT,
        }
    }

    pub(super) fn outcome(&self) -> &'static str {
        match self {
            Self::Signature(_) => "bad_signature",
            Self::MissingHeader(_) => "missing_header",
            Self::MissingFormPayload | Self::Payload(_) | Self::BodyUnreadable(_) => "bad_payload",
            Self::Store(_) => "store_error",
            Self::TooLarge(_) => "too_large",
            Self::Busy => "busy",
            Self::BodyTimeout(_) => "body_timeout",
        }
    }
}

/// The answer to a refused delivery, with its log line and count.
pub(super) fn refuse(delivery: &str, event: &str, error: &IntakeError) -> Response {
    deliveries_counter(event_label(event), error.outcome()).increment(1);
    if matches!(error, IntakeError::Store(_)) {
        tracing::error!(delivery_id = %delivery, %event, %error, "webhook not stored");
    } else {
        tracing::warn!(delivery_id = %delivery, %event, %error, "webhook refused");
    }
    let answer = Answer {
        delivery,
        outcome: None,
        error: Some(error.to_string()),
    };
    let mut response = (error.status(), axum::Json(answer)).into_response();
    if matches!(error, IntakeError::Busy) {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
    }
    response
}

/// The JSON body of every answer: the delivery id and what became of it (or why it was refused).
#[derive(serde::Serialize)]
pub(super) struct Answer<'a> {
    pub(super) delivery: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) outcome: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) error: Option<String>,
}

/// Every `outcome` label of `webhook_deliveries_total`.
pub(super) const OUTCOMES: [&str; 11] = [
    "accepted",
    "duplicate",
    "ping",
    "ignored",
    "bad_signature",
    "missing_header",
    "bad_payload",
    "store_error",
    "too_large",
    "busy",
    "body_timeout",
];

/// The `event` label of `webhook_deliveries_total`. The header is read before the signature is
/// checked, so anyone can send any name: names other than the events the App subscribes to
/// become `other`, and a stranger cannot mint new series.
pub(super) fn event_label(event: &str) -> &'static str {
    HANDLED_EVENTS
        .iter()
        .chain(&["ping"])
        .find(|known| **known == event)
        .copied()
        .unwrap_or("other")
}

/// The counter for one (event, outcome) pair. Handles are registered once, on first use (after
/// the server installed its recorder), so the hot path does no registry lookup.
pub(super) fn deliveries_counter(event: &'static str, outcome: &'static str) -> &'static Counter {
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
