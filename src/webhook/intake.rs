//! `POST {WEBHOOK_PATH}`: the hot path. Verify ([`VerifiedDelivery`]), store durably, answer.
//! Nothing slow runs here: no GitHub call and no template check (GitHub gives up after 10 seconds and does not
//! redeliver on its own).
//!
//! Anyone can post here, so before a body is read [`guard`] refuses what the headers alone give
//! away (no or a malformed signature, a declared size over the limit), reserves the body's bytes
//! in a budget shared by all requests, and reads it within a deadline: memory and time spent on
//! strangers stay bounded.

use std::{sync::Arc, time::Duration};

use axum::{
    body::{Body, Bytes},
    extract::{FromRequest, Request, State},
    http::{HeaderMap, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use bytes::BytesMut;
use http_body_util::BodyExt;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

use super::answer::{Answer, deliveries_counter, event_label, refuse};
pub use super::answer::{IntakeError, IntakeState};
use super::{
    delivery::{
        Refusal, VerifiedDelivery, X_GITHUB_DELIVERY, X_GITHUB_EVENT, X_HUB_SIGNATURE_256,
        header_str,
    },
    event::Event,
    signature::SignatureError,
};
use crate::store::InsertOutcome;

/// Default largest body accepted (4 MiB); larger ones get 413. GitHub caps payloads at 25 MB,
/// but the events this App subscribes to are far smaller: a `pull_request` delivery is typically
/// 10–40 KB, and the largest user-written parts (a PR, issue, review or comment body, each at most
/// 65,536 characters, at most 6 bytes each once JSON-escaped) put `issue_comment` and
/// `pull_request_review` under 1 MiB. `push` lists at most 20 commits; 4 MiB leaves room for long
/// commit messages and file lists. See docs/reliability.md.
pub const DEFAULT_MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// How big webhook bodies may be, how many of their bytes all requests may hold at once, and how
/// long a body may take to arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyLimits {
    /// Larger bodies get 413 (from `Content-Length` when declared, before reading).
    pub max_body_bytes: usize,
    /// Bytes of webhook bodies held at once across all requests; a body that finds no room
    /// within [`BUDGET_WAIT`] gets 503 with `Retry-After`.
    pub bytes_in_flight: usize,
    /// From the end of the headers to the end of the body; slower bodies get 408.
    pub read_timeout: Duration,
}

impl Default for BodyLimits {
    fn default() -> Self {
        Self {
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            bytes_in_flight: 32 * 1024 * 1024,
            read_timeout: Duration::from_secs(10),
        }
    }
}

/// How long a body waits for room in the budget: a burst of large bodies is read in a few
/// milliseconds each on a healthy link, and GitHub waits 10 seconds for the answer.
pub const BUDGET_WAIT: Duration = Duration::from_secs(2);

/// The shared state of [`guard`]: the limits and the byte budget (one permit per KiB).
#[derive(Clone)]
pub struct BodyGate {
    limits: BodyLimits,
    budget: Arc<Semaphore>,
    /// Woken whenever bytes go back to the budget.
    released: Arc<Notify>,
}

impl BodyGate {
    pub fn new(limits: BodyLimits) -> Self {
        Self {
            limits,
            budget: Arc::new(Semaphore::new(kib(limits.bytes_in_flight))),
            released: Arc::new(Notify::new()),
        }
    }

    /// Reserves room for `bytes`, waiting at most [`BUDGET_WAIT`]. Not first-come-first-served
    /// on purpose: a small delivery gets in as soon as it fits, even while a large body waits.
    async fn reserve(&self, bytes: usize) -> Option<Reservation> {
        let permits = u32::try_from(kib(bytes)).unwrap_or(u32::MAX);
        let deadline = tokio::time::Instant::now() + BUDGET_WAIT;
        loop {
            let released = self.released.notified();
            tokio::pin!(released);
            released.as_mut().enable();
            if let Ok(permit) = self.budget.clone().try_acquire_many_owned(permits) {
                return Some(Reservation {
                    permit: Some(permit),
                    released: self.released.clone(),
                });
            }
            tokio::time::timeout_at(deadline, released).await.ok()?;
        }
    }
}

impl Default for BodyGate {
    fn default() -> Self {
        Self::new(BodyLimits::default())
    }
}

/// Bytes held in the budget until dropped.
struct Reservation {
    permit: Option<OwnedSemaphorePermit>,
    released: Arc<Notify>,
}

impl Drop for Reservation {
    fn drop(&mut self) {
        // The bytes go back first, so the woken waiters find them.
        drop(self.permit.take());
        self.released.notify_waiters();
    }
}

fn kib(bytes: usize) -> usize {
    bytes.div_ceil(1024).max(1)
}

/// The webhook route: verify (the [`VerifiedDelivery`] extractor), store, answer.
pub async fn receive(
    State(state): State<IntakeState>,
    delivery: VerifiedDelivery,
) -> Result<Response, Refusal> {
    let accepted = store(&state, &delivery)
        .await
        .map_err(|error| delivery.refusal(error))?;
    Ok(answer(&delivery, accepted))
}

/// The webhook route for a caller that picks its [`IntakeState`] per request (setup mode, once
/// an App is registered).
pub async fn receive_request(state: IntakeState, request: Request) -> Response {
    match VerifiedDelivery::from_request(request, &state).await {
        Ok(delivery) => receive(State(state), delivery).await.into_response(),
        Err(refusal) => refusal.into_response(),
    }
}

/// The answer to an accepted delivery, with its log line and count.
fn answer(delivery: &VerifiedDelivery, accepted: Accepted) -> Response {
    let (id, event) = (delivery.id.as_str(), delivery.event_name.as_str());
    deliveries_counter(event_label(event), accepted.outcome()).increment(1);
    tracing::info!(delivery_id = %id, %event, outcome = accepted.outcome(), "webhook received");
    let status = match accepted {
        Accepted::Stored => StatusCode::ACCEPTED,
        _ => StatusCode::OK,
    };
    let answer = Answer {
        delivery: id,
        outcome: Some(accepted.outcome()),
        error: None,
    };
    (status, axum::Json(answer)).into_response()
}

/// The webhook route's first layer: refuses from the headers what can be refused without
/// reading the body, reserves the body's bytes in the shared budget, reads it within the limit
/// and the deadline, and hands the request on with its body in memory. The reservation is held
/// until the answer is ready (the body is in memory until then).
pub async fn guard(State(gate): State<BodyGate>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let admitted = admit(&gate, &parts.headers, body).await;
    match admitted {
        Ok((body, reservation)) => {
            let response = next.run(Request::from_parts(parts, Body::from(body))).await;
            drop(reservation);
            response
        }
        Err(error) => {
            let delivery = header_str(&parts.headers, &X_GITHUB_DELIVERY).unwrap_or("-");
            let event = header_str(&parts.headers, &X_GITHUB_EVENT).unwrap_or("-");
            refuse(delivery, event, &error)
        }
    }
}

async fn admit(
    gate: &BodyGate,
    headers: &HeaderMap,
    body: Body,
) -> Result<(Bytes, Reservation), IntakeError> {
    well_formed_signature(header_str(headers, &X_HUB_SIGNATURE_256))?;
    let limit = gate.limits.max_body_bytes;
    let declared = header_str(headers, &header::CONTENT_LENGTH).and_then(|v| v.parse().ok());
    if declared.is_some_and(|length: usize| length > limit) {
        return Err(IntakeError::TooLarge(limit));
    }
    // Without a declared length (chunked), room for the largest body is reserved.
    let reservation = gate
        .reserve(declared.unwrap_or(limit))
        .await
        .ok_or(IntakeError::Busy)?;
    let timeout = gate.limits.read_timeout;
    let body = tokio::time::timeout(timeout, read_body(body, declared, limit))
        .await
        .map_err(|_| IntakeError::BodyTimeout(timeout.as_secs()))??;
    Ok((body, reservation))
}

/// `X-Hub-Signature-256` is present and of the form `sha256=` and 64 hex digits: anything else
/// can never verify, so its body is not worth reading.
fn well_formed_signature(header: Option<&str>) -> Result<(), SignatureError> {
    let digest = header
        .ok_or(SignatureError::Missing)?
        .trim()
        .strip_prefix("sha256=")
        .ok_or(SignatureError::Malformed)?;
    if digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(SignatureError::Malformed)
    }
}

/// Reads the body into one buffer of the declared size (no regrowth, no second copy), refusing
/// it as soon as it passes `limit`.
async fn read_body(
    mut body: Body,
    declared: Option<usize>,
    limit: usize,
) -> Result<Bytes, IntakeError> {
    let mut buffer = BytesMut::with_capacity(declared.unwrap_or(64 * 1024).min(limit));
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|error| IntakeError::BodyUnreadable(error.to_string()))?;
        if let Ok(data) = frame.into_data() {
            if buffer.len() + data.len() > limit {
                return Err(IntakeError::TooLarge(limit));
            }
            buffer.extend_from_slice(&data);
        }
    }
    Ok(buffer.freeze())
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

/// Queues a delivery that asks for work; a ping or an ignored event is only acknowledged.
async fn store(state: &IntakeState, delivery: &VerifiedDelivery) -> Result<Accepted, IntakeError> {
    match &delivery.event {
        Event::Ping => return Ok(Accepted::Ping),
        Event::Ignored(why) => {
            tracing::debug!(delivery_id = %delivery.id, why, "event dropped");
            return Ok(Accepted::Ignored);
        }
        _ => {}
    }
    let outcome = state
        .store
        .insert_delivery(delivery.row()?)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhook::{answer::OUTCOMES, event::PayloadError};

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
            IntakeError::TooLarge(1),
            IntakeError::Busy,
            IntakeError::BodyTimeout(1),
            IntakeError::BodyUnreadable(String::new()),
        ]
        .map(|e| e.outcome());
        for outcome in accepted.iter().chain(&refused) {
            assert!(OUTCOMES.contains(outcome), "{outcome}");
        }
    }

    fn limits(bytes_in_flight: usize) -> BodyLimits {
        BodyLimits {
            max_body_bytes: bytes_in_flight,
            bytes_in_flight,
            read_timeout: Duration::from_secs(10),
        }
    }

    #[tokio::test]
    async fn a_full_budget_refuses_after_the_wait_and_returned_bytes_admit_the_next() {
        let gate = BodyGate::new(limits(64 * 1024));
        let held = gate.reserve(60 * 1024).await.expect("room");
        let started = tokio::time::Instant::now();
        assert!(gate.reserve(8 * 1024).await.is_none(), "no room");
        assert!(started.elapsed() >= BUDGET_WAIT);
        // A small body fits beside the held one at once.
        assert!(gate.reserve(4 * 1024).await.is_some());
        // A waiting body gets in as soon as the held bytes come back.
        let waiting = tokio::spawn({
            let gate = gate.clone();
            async move { gate.reserve(64 * 1024).await.is_some() }
        });
        tokio::time::sleep(Duration::from_millis(500)).await;
        drop(held);
        assert!(waiting.await.unwrap());
    }

    #[tokio::test]
    async fn a_refusal_for_want_of_room_says_when_to_retry() {
        let response = refuse("d-1", "pull_request", &IntakeError::Busy);
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[header::RETRY_AFTER], "1");
        let body = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .unwrap();
        assert_eq!(
            &body[..],
            br#"{"delivery":"d-1","error":"too many webhook bodies in flight; retry later"}"#
        );
    }

    #[test]
    fn only_well_formed_signatures_are_worth_reading_the_body_for() {
        let digest = "a".repeat(64);
        assert_eq!(
            well_formed_signature(Some(&format!("sha256={digest}"))),
            Ok(())
        );
        assert_eq!(well_formed_signature(None), Err(SignatureError::Missing));
        for malformed in [
            "sha256=",
            "sha1=abc",
            "sha256=zz",
            &format!("sha256={digest}0"),
        ] {
            assert_eq!(
                well_formed_signature(Some(malformed)),
                Err(SignatureError::Malformed),
                "{malformed}"
            );
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
