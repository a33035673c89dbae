//! The thin HTTP layer: routes only. Intake logic lives in [`crate::webhook`], work in the queue.

mod health;
pub mod metrics;

use std::sync::Arc;

use axum::{
    Router,
    extract::DefaultBodyLimit,
    routing::{get, post},
};
use tower_http::trace::TraceLayer;

use crate::{
    store::Store,
    webhook::intake::{self, IntakeState},
};

/// Everything the routes need.
#[derive(Clone)]
pub struct AppState {
    pub intake: IntakeState,
    pub store: Arc<dyn Store>,
}

/// Builds the router: `POST {webhook_path}`, `GET /healthz`, `GET /readyz`, `GET /metrics`.
pub fn router(state: AppState, webhook_path: &str) -> Router {
    // Counters recorded before the recorder exists would be lost.
    metrics::handle();
    let webhook = Router::new()
        .route(webhook_path, post(intake::receive))
        .layer(DefaultBodyLimit::max(intake::MAX_BODY_BYTES))
        .with_state(state.intake.clone());
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::render))
        .with_state(state)
        .merge(webhook)
        .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
            tracing::debug_span!("http", method = %request.method(), path = %request.uri().path())
        }))
}
