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
    setup::page,
    store::Store,
    webhook::intake::{self, IntakeState},
};

/// Everything the routes need.
#[derive(Clone)]
pub struct AppState {
    pub intake: IntakeState,
    pub store: Arc<dyn Store>,
    /// Cancelled as soon as shutdown begins, so `/readyz` answers 503 while the deliveries in
    /// hand are finished (held here rather than in a request extension, which would cost every
    /// webhook request an allocation).
    pub shutdown: tokio_util::sync::CancellationToken,
}

/// Builds the router: `POST {webhook_path}`, `GET /` (status), `GET /healthz`, `GET /readyz`,
/// `GET /metrics`.
pub fn router(state: AppState, webhook_path: &str) -> Router {
    let webhook = Router::new()
        .route(webhook_path, post(intake::receive))
        .layer(DefaultBodyLimit::max(intake::MAX_BODY_BYTES))
        .with_state(state.intake.clone())
        .route("/", get(status).with_state(state.clone()));
    router_with(state, webhook)
}

/// The health, readiness and metrics routes plus `routes` (the webhook route and `/`; in setup
/// mode, [`crate::setup::Setup::router`]).
pub fn router_with(state: AppState, routes: Router) -> Router {
    // Counters recorded before the recorder exists would be lost.
    metrics::handle();
    let webhook = routes;
    // The webhook route logs every delivery itself (with its id, event and outcome); a second,
    // per-request span there would cost the hot path for nothing.
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::render))
        .with_state(state)
        .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
            tracing::debug_span!("http", method = %request.method(), path = %request.uri().path())
        }))
        .merge(webhook)
}

/// `GET /`: one line saying the server runs (no configuration, no secrets).
async fn status(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> axum::response::Html<String> {
    axum::response::Html(page::status(state.store.queue_depth().await.ok()))
}
