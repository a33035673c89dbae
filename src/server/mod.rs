//! The thin HTTP layer: routes, and the listener that serves them ([`connections`]). Intake logic
//! lives in [`crate::webhook`], work in the queue.

pub mod connections;
mod health;
pub mod memory;
pub mod metrics;

use std::sync::Arc;

use axum::{
    Router,
    extract::DefaultBodyLimit,
    middleware,
    routing::{get, post},
};
use tower_http::trace::TraceLayer;

use crate::{
    status::StatusSource,
    store::Store,
    webhook::intake::{self, BodyGate, IntakeState},
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

/// Builds the router with the default body limits: `POST {webhook_path}`, `GET /` (status),
/// `GET /healthz`, `GET /readyz`, `GET /metrics`.
pub fn router(state: AppState, webhook_path: &str) -> Router {
    router_with(
        state.clone(),
        webhook_routes(state, webhook_path, BodyGate::default()),
    )
}

/// The webhook route (behind `gate`) and a status page `/` that knows no App.
pub fn webhook_routes(state: AppState, webhook_path: &str, gate: BodyGate) -> Router {
    let status = StatusSource {
        store: state.store.clone(),
        app: None,
        forwarding: false,
    };
    webhook_and_status_routes(state, webhook_path, gate, status)
}

/// The webhook route (behind `gate`) and the status page `/` ([`StatusSource::page`]).
pub fn webhook_and_status_routes(
    state: AppState,
    webhook_path: &str,
    gate: BodyGate,
    status: StatusSource,
) -> Router {
    Router::new()
        .route(webhook_path, webhook_route(post(intake::receive), gate))
        .with_state(state.intake.clone())
        .route("/", get(status_page).with_state(status))
}

/// `route` behind [`intake::guard`], which reads the body within `gate`'s limits (so axum's own
/// body limit is off).
pub fn webhook_route<S: Clone + Send + Sync + 'static>(
    route: axum::routing::MethodRouter<S>,
    gate: BodyGate,
) -> axum::routing::MethodRouter<S> {
    route
        .layer(DefaultBodyLimit::disable())
        .layer(middleware::from_fn_with_state(gate, intake::guard))
}

/// The health, readiness and metrics routes plus `routes` (the webhook route and `/`; in setup
/// mode, [`crate::setup::Setup::router`]).
pub fn router_with(state: AppState, routes: Router) -> Router {
    probes(state.clone(), routes).merge(metrics_router(state))
}

/// [`router_with`] without `/metrics`, for a server whose metrics listen on `METRICS_ADDR`.
pub fn router_without_metrics(state: AppState, routes: Router) -> Router {
    probes(state, routes)
}

/// `GET /metrics` alone (no authentication: keep it off the public network).
pub fn metrics_router(state: AppState) -> Router {
    // Counters recorded before the recorder exists would be lost.
    metrics::handle();
    Router::new()
        .route("/metrics", get(metrics::render))
        .with_state(state)
}

fn probes(state: AppState, routes: Router) -> Router {
    metrics::handle();
    // The webhook route logs every delivery itself (with its id, event and outcome); a second,
    // per-request span there would cost the hot path for nothing.
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .with_state(state)
        .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
            tracing::debug_span!("http", method = %request.method(), path = %request.uri().path())
        }))
        .merge(routes)
}

/// `GET /`: the status page (no configuration, no secrets, no repository names: it needs no
/// authentication).
pub async fn status_page(
    axum::extract::State(status): axum::extract::State<StatusSource>,
) -> axum::response::Html<String> {
    axum::response::Html(status.page().await)
}
