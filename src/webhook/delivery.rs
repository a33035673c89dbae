//! The door of the webhook route: [`VerifiedDelivery`], an axum extractor that yields a delivery
//! only once its signature is verified over the raw body, GitHub's headers are read and its
//! payload is parsed. Its rejection, [`Refusal`], answers with the status code and JSON body of
//! the reason (see [`IntakeError`]).
//!
//! The body it reads is already in memory: the route's `guard` layer read it within the size
//! limit, the shared byte budget and the deadline before the handler runs.

use axum::{
    body::Bytes,
    extract::{FromRef, FromRequest, Request},
    http::{HeaderMap, HeaderName, header},
    response::{IntoResponse, Response},
};
use chrono::Utc;
use secrecy::SecretString;

use super::{
    answer::{IntakeError, IntakeState, refuse},
    event::{Event, PayloadError},
    signature,
};
use crate::{domain::PrRef, store::NewDelivery};

/// GitHub's headers as names ready for look-up (a `&str` name is parsed on every look-up).
pub(super) const X_GITHUB_DELIVERY: HeaderName = HeaderName::from_static("x-github-delivery");
pub(super) const X_GITHUB_EVENT: HeaderName = HeaderName::from_static("x-github-event");
pub(super) const X_HUB_SIGNATURE_256: HeaderName = HeaderName::from_static("x-hub-signature-256");

/// A delivery GitHub signed, with its headers read and its payload parsed.
#[derive(Debug)]
pub struct VerifiedDelivery {
    /// `X-GitHub-Delivery`: the idempotency key of intake.
    pub id: String,
    /// `X-GitHub-Event`.
    pub event_name: String,
    /// What the delivery asks the bot to do.
    pub event: Event,
    /// The payload's `action`, as GitHub spells it.
    pub action: Option<String>,
    /// The JSON payload as GitHub sent it (the `payload` field of a form-encoded body), stored
    /// verbatim.
    pub payload: Bytes,
}

/// Why a delivery was refused, with the headers that name it in the log line and the answer.
#[derive(Debug)]
pub struct Refusal {
    delivery: Option<String>,
    event: Option<String>,
    error: IntakeError,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let delivery = self.delivery.as_deref().unwrap_or("-");
        refuse(delivery, self.event.as_deref().unwrap_or("-"), &self.error)
    }
}

impl<S> FromRequest<S> for VerifiedDelivery
where
    S: Send + Sync,
    IntakeState: FromRef<S>,
{
    type Rejection = Refusal;

    async fn from_request(request: Request, state: &S) -> Result<Self, Refusal> {
        let secrets = IntakeState::from_ref(state).secrets;
        let (parts, body) = request.into_parts();
        let headers = parts.headers;
        let delivery = header_str(&headers, &X_GITHUB_DELIVERY).map(str::to_owned);
        let event = header_str(&headers, &X_GITHUB_EVENT).map(str::to_owned);
        let verified = match axum::body::to_bytes(body, usize::MAX).await {
            Ok(body) => verify(&secrets, &headers, delivery.clone(), event.clone(), body),
            Err(error) => Err(IntakeError::BodyUnreadable(error.to_string())),
        };
        verified.map_err(|error| Refusal {
            delivery,
            event,
            error,
        })
    }
}

/// Checks the signature over the raw body first: nothing a stranger sent is read further.
fn verify(
    secrets: &[SecretString],
    headers: &HeaderMap,
    delivery: Option<String>,
    event: Option<String>,
    body: Bytes,
) -> Result<VerifiedDelivery, IntakeError> {
    signature::verify(secrets, header_str(headers, &X_HUB_SIGNATURE_256), &body)?;
    let id = delivery
        .filter(|s| !s.trim().is_empty())
        .ok_or(IntakeError::MissingHeader("X-GitHub-Delivery"))?;
    let event_name = event
        .filter(|s| !s.trim().is_empty())
        .ok_or(IntakeError::MissingHeader("X-GitHub-Event"))?;
    let payload = json_payload(headers, body)?;
    let (event, action) = Event::parse_with_action(&event_name, &payload)?;
    Ok(VerifiedDelivery {
        id,
        event_name,
        event,
        action,
        payload,
    })
}

impl VerifiedDelivery {
    /// The row that queues this delivery.
    pub fn row(&self) -> Result<NewDelivery, PayloadError> {
        let payload =
            std::str::from_utf8(&self.payload).map_err(|_| PayloadError::Missing("UTF-8 text"))?;
        let event = &self.event;
        Ok(NewDelivery {
            id: self.id.clone(),
            event: self.event_name.clone(),
            action: self.action.clone(),
            installation_id: event.installation(),
            repo: event.repo().map(ToString::to_string),
            pr_key: event.pr().map(PrRef::queue_key),
            coalescable: event.coalescable(),
            payload: payload.to_owned(),
            received_at: Utc::now(),
        })
    }

    /// The refusal of this delivery for `error` (found after the door, e.g. while storing).
    pub fn refusal(&self, error: IntakeError) -> Refusal {
        Refusal {
            delivery: Some(self.id.clone()),
            event: Some(self.event_name.clone()),
            error,
        }
    }
}

pub(super) fn header_str<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The JSON payload: the body itself, or the `payload` field of a form-encoded body (GitHub's
/// `application/x-www-form-urlencoded` content type).
fn json_payload(headers: &HeaderMap, body: Bytes) -> Result<Bytes, IntakeError> {
    let is_form = header_str(headers, &header::CONTENT_TYPE)
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Ok(body);
    }
    url::form_urlencoded::parse(&body)
        .find(|(key, _)| key == "payload")
        .map(|(_, value)| Bytes::from(value.into_owned()))
        .ok_or(IntakeError::MissingFormPayload)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use axum::http::StatusCode;

    use super::*;
    use crate::webhook::event::{EvaluateReason, PullRequestAction};

    const SECRET: &str = "s3cret";

    async fn state() -> (IntakeState, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("intake.db").display());
        let state = IntakeState {
            store: crate::store::connect(&url).await.unwrap(),
            secrets: Arc::new(vec![SecretString::from(SECRET)]),
            wake: Arc::default(),
        };
        (state, dir)
    }

    fn request(signature: &str, body: &'static str) -> Request {
        Request::post("/webhook")
            .header("x-github-delivery", "d-1")
            .header("x-github-event", "pull_request")
            .header("x-hub-signature-256", signature)
            .body(axum::body::Body::from(body))
            .unwrap()
    }

    const BODY: &str = r#"{"action":"reopened","installation":{"id":42},
        "repository":{"full_name":"acme/widgets"},"pull_request":{"number":7,"head":{"sha":"abc"}}}"#;

    #[tokio::test]
    async fn a_signed_delivery_comes_out_parsed_with_its_headers() {
        let (state, _dir) = state().await;
        let signed = request(&signature::sign(SECRET, BODY.as_bytes()), BODY);
        let delivery = VerifiedDelivery::from_request(signed, &state)
            .await
            .unwrap();
        assert_eq!(
            (delivery.id.as_str(), delivery.event_name.as_str()),
            ("d-1", "pull_request")
        );
        assert_eq!(delivery.action.as_deref(), Some("reopened"));
        assert_eq!(&delivery.payload[..], BODY.as_bytes());
        let Event::Evaluate(e) = &delivery.event else {
            panic!("{:?}", delivery.event)
        };
        assert_eq!(
            e.reason,
            EvaluateReason::PullRequest(PullRequestAction::Reopened)
        );
        let row = delivery.row().unwrap();
        assert_eq!(
            (row.pr_key.as_deref(), row.installation_id, row.coalescable),
            (
                Some("acme/widgets#7"),
                Some(crate::domain::InstallationId(42)),
                true
            )
        );
    }

    #[tokio::test]
    async fn a_body_signed_with_another_secret_is_refused_with_the_reason() {
        let (state, _dir) = state().await;
        let forged = request(&signature::sign("guess", BODY.as_bytes()), BODY);
        let refusal = VerifiedDelivery::from_request(forged, &state)
            .await
            .unwrap_err();
        let response = refusal.into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let body = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .unwrap();
        assert_eq!(
            &body[..],
            br#"{"delivery":"d-1","error":"X-Hub-Signature-256 does not match the body"}"#
        );
    }
}
