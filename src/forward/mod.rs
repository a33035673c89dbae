//! Webhook forwarding for a server GitHub cannot reach (a laptop): with `WEBHOOK_PROXY_URL` set
//! to a smee-style channel, `serve` subscribes to the channel's Server-Sent Events stream and hands
//! each delivery to its own webhook route, so it goes through the same intake as a delivery
//! GitHub posts directly: signature checked, stored before anything else, a repeated delivery id
//! dropped. The stream is reopened with backoff whenever it drops.
//!
//! A channel (smee.io, the format Probot uses) relays each webhook as a `message` event whose
//! data is one JSON object: the request's headers as lower-case keys (`x-github-event`,
//! `x-github-delivery`, `x-hub-signature-256`, ...), the payload under `body`, and bookkeeping
//! (`query`, `timestamp`). `ready` and `ping` events keep the stream alive and carry no delivery.

mod channel;
mod event;

use std::time::Duration;

use axum::Router;
use eventsource_stream::Eventsource;
use futures_util::StreamExt;
use tokio_util::sync::CancellationToken;
use url::Url;

pub use channel::{ChannelError, create_channel};
pub use event::{ChannelDelivery, EventError};

/// How long to wait before reopening a dropped stream: doubled after each failed attempt, back
/// to `initial` once a stream has delivered an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reconnect {
    pub initial: Duration,
    pub max: Duration,
}

impl Default for Reconnect {
    fn default() -> Self {
        Self {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(60),
        }
    }
}

/// What the forwarder needs.
#[derive(Clone)]
pub struct Forwarder {
    /// The channel's URL (`WEBHOOK_PROXY_URL`).
    pub channel: Url,
    /// The server's own routes; deliveries are posted to `webhook_path` on them.
    pub routes: Router,
    pub webhook_path: String,
    /// The largest event accepted from the channel: a larger one closes the stream (it is
    /// reopened), so a misbehaving channel cannot make the process buffer without bound.
    pub max_event_bytes: usize,
    pub reconnect: Reconnect,
}

impl Forwarder {
    /// Reads the channel until `shutdown`, reopening it with backoff.
    pub async fn run(self, shutdown: CancellationToken) {
        let http = match reqwest::Client::builder()
            .user_agent(concat!("design-review/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .build()
        {
            Ok(http) => http,
            Err(error) => {
                tracing::error!(%error, "webhook forwarding off: cannot build an HTTP client");
                return;
            }
        };
        let mut delay = self.reconnect.initial;
        loop {
            let delivered = tokio::select! {
                delivered = self.read_once(&http) => delivered,
                () = shutdown.cancelled() => return,
            };
            if delivered {
                delay = self.reconnect.initial;
            }
            tracing::info!(
                retry_in_ms = delay.as_millis() as u64,
                "webhook forwarding channel closed; reconnecting"
            );
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                () = shutdown.cancelled() => return,
            }
            delay = (delay * 2).min(self.reconnect.max);
        }
    }

    /// Opens the stream once and forwards its deliveries until it ends. True when at least one
    /// event arrived (the connection worked).
    async fn read_once(&self, http: &reqwest::Client) -> bool {
        let response = http
            .get(self.channel.clone())
            .header(http::header::ACCEPT, "text/event-stream")
            .send()
            .await
            .and_then(reqwest::Response::error_for_status);
        let response = match response {
            Ok(response) => response,
            Err(error) => {
                // The channel URL is a secret of sorts (anyone holding it reads the deliveries):
                // only its host is logged.
                tracing::warn!(
                    channel = self.channel.host_str().unwrap_or(""),
                    error = %error.without_url(),
                    "cannot open the webhook forwarding channel"
                );
                return false;
            }
        };
        tracing::info!(
            channel = self.channel.host_str().unwrap_or(""),
            "webhook forwarding channel open"
        );
        let bytes = channel::bounded(response.bytes_stream(), self.max_event_bytes);
        let mut events = bytes.eventsource();
        let mut delivered = false;
        while let Some(event) = events.next().await {
            match event {
                Ok(event) => {
                    delivered = true;
                    self.forward(&event).await;
                }
                Err(error) => {
                    tracing::warn!(%error, "webhook forwarding channel failed");
                    break;
                }
            }
        }
        delivered
    }

    /// Hands one event's delivery to the webhook route; a malformed event is refused (logged)
    /// without reaching it.
    async fn forward(&self, event: &eventsource_stream::Event) {
        let delivery = match ChannelDelivery::from_event(&event.event, &event.data) {
            Ok(Some(delivery)) => delivery,
            Ok(None) => return,
            Err(error) => {
                tracing::warn!(
                    event_id = %event.id,
                    %error,
                    "webhook forwarding channel: malformed event refused"
                );
                return;
            }
        };
        let request = delivery.request(&self.webhook_path);
        let answer = tower::ServiceExt::oneshot(self.routes.clone(), request).await;
        // The intake logs the delivery itself (id, event, outcome); this line says where it came
        // from and what the route answered.
        match answer {
            Ok(response) => tracing::debug!(
                delivery_id = delivery.delivery_id.as_deref().unwrap_or("-"),
                status = response.status().as_u16(),
                "forwarded from the channel"
            ),
            Err(never) => match never {},
        }
    }
}
