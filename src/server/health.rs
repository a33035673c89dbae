//! Liveness and readiness probes.

use axum::{extract::State, http::StatusCode};

use super::AppState;

/// The process is alive.
pub async fn healthz() -> &'static str {
    "ok"
}

/// The database answers, so deliveries can be accepted; 503 as soon as shutdown begins, so a
/// load balancer stops sending here while the deliveries in hand are finished.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, String) {
    if state.shutdown.is_cancelled() {
        return (StatusCode::SERVICE_UNAVAILABLE, "shutting down".to_string());
    }
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready".to_string()),
        Err(error) => {
            tracing::warn!(%error, "not ready: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "database unreachable".to_string(),
            )
        }
    }
}
