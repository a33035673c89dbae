//! One event of a forwarding channel, and the webhook request it stands for.

use axum::body::Body;
use http::{Request, header};
use serde::Deserialize;
use serde_json::value::RawValue;

/// Why an event of the channel was refused.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    #[error("data is not a JSON object: {0}")]
    NotJson(String),
    #[error("no body (the webhook payload)")]
    NoBody,
}

/// The data of a channel's `message` event: the headers GitHub sent and the payload.
#[derive(Debug, Deserialize)]
pub struct ChannelDelivery {
    #[serde(rename = "x-github-delivery")]
    pub delivery_id: Option<String>,
    #[serde(rename = "x-github-event")]
    pub event: Option<String>,
    #[serde(rename = "x-hub-signature-256")]
    pub signature: Option<String>,
    /// The payload exactly as the channel relays it: its signature is checked over these bytes.
    body: Option<Box<RawValue>>,
}

impl ChannelDelivery {
    /// The delivery an event carries: `None` for the keep-alive events (`ready`, `ping`) and for
    /// other event types, an error when a `message` event is not a delivery.
    pub fn from_event(event_type: &str, data: &str) -> Result<Option<Self>, EventError> {
        if !matches!(event_type, "" | "message") {
            return Ok(None);
        }
        let delivery: Self =
            serde_json::from_str(data).map_err(|e| EventError::NotJson(e.to_string()))?;
        if delivery.body.is_none() {
            return Err(EventError::NoBody);
        }
        Ok(Some(delivery))
    }

    /// The webhook request GitHub would have posted: its headers (absent ones stay absent, and
    /// the intake refuses the request as it would GitHub's) and the payload as JSON.
    pub fn request(&self, webhook_path: &str) -> Request<Body> {
        let body = self
            .body
            .as_ref()
            .map(|raw| raw.get().to_string())
            .unwrap_or_default();
        let mut request = Request::post(webhook_path)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::CONTENT_LENGTH, body.len());
        for (name, value) in [
            ("x-github-delivery", &self.delivery_id),
            ("x-github-event", &self.event),
            ("x-hub-signature-256", &self.signature),
        ] {
            if let Some(value) = value
                && let Ok(value) = http::HeaderValue::from_str(value)
            {
                request = request.header(name, value);
            }
        }
        request
            .body(Body::from(body))
            .expect("a static method, a path and valid header values make a request")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_becomes_the_webhook_request_with_the_payload_bytes_unchanged() {
        let data = r#"{"x-github-event":"pull_request","x-github-delivery":"d-1","x-hub-signature-256":"sha256=ab","content-type":"application/json","body":{"z":1,"a":"\u00e9"},"query":{},"timestamp":1}"#;
        let delivery = ChannelDelivery::from_event("message", data)
            .unwrap()
            .unwrap();
        let request = delivery.request("/hooks");
        assert_eq!(request.uri(), "/hooks");
        assert_eq!(request.headers()["x-github-event"], "pull_request");
        assert_eq!(request.headers()["x-github-delivery"], "d-1");
        assert_eq!(request.headers()["x-hub-signature-256"], "sha256=ab");
        assert_eq!(request.headers()[header::CONTENT_LENGTH], "20");
        let body =
            futures_util::FutureExt::now_or_never(axum::body::to_bytes(request.into_body(), 1024))
                .unwrap()
                .unwrap();
        assert_eq!(&body[..], br#"{"z":1,"a":"\u00e9"}"#);
    }

    #[test]
    fn keep_alives_are_skipped_and_malformed_messages_refused() {
        assert!(
            ChannelDelivery::from_event("ready", "{}")
                .unwrap()
                .is_none()
        );
        assert!(ChannelDelivery::from_event("ping", "{}").unwrap().is_none());
        assert!(matches!(
            ChannelDelivery::from_event("message", "not json"),
            Err(EventError::NotJson(_))
        ));
        assert!(matches!(
            ChannelDelivery::from_event("", r#"{"x-github-event":"push"}"#),
            Err(EventError::NoBody)
        ));
    }
}
