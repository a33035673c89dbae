//! Outermost layer: injected faults, rate-limit headers, and the request log.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::Utc;

use super::Shared;
use super::chaos;
use super::json::error;
use super::state::{Fault, LoggedRequest};

/// Marks responses of the unknown-route fallback, so the log can flag unexpected calls.
#[derive(Clone, Copy)]
pub struct UnknownRoute;

fn fault_response(fault: &Fault) -> Response {
    let now = Utc::now().timestamp();
    match fault {
        Fault::Status(status) => error(*status, "Server Error"),
        Fault::SecondaryRateLimit { retry_after_secs } => {
            let mut r = error(
                403,
                "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
            );
            r.headers_mut()
                .insert("retry-after", HeaderValue::from(*retry_after_secs));
            r
        }
        Fault::PrimaryRateLimit { reset_in_secs } => {
            let mut r = error(403, "API rate limit exceeded for installation.");
            let h = r.headers_mut();
            h.insert("x-ratelimit-limit", HeaderValue::from(5000));
            h.insert("x-ratelimit-remaining", HeaderValue::from(0));
            h.insert("x-ratelimit-reset", HeaderValue::from(now + reset_in_secs));
            r
        }
        Fault::TooManyRequests { retry_after_secs } => {
            let mut r = error(429, "Too Many Requests");
            r.headers_mut()
                .insert("retry-after", HeaderValue::from(*retry_after_secs));
            r
        }
    }
}

pub async fn log_and_faults(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().to_string();
    let full_path = request.uri().path().to_string();
    let path = full_path
        .strip_prefix(shared.prefix.as_str())
        .filter(|rest| !shared.prefix.is_empty() && rest.starts_with('/'))
        .map_or_else(|| full_path.clone(), str::to_string);
    let query = request.uri().query().map(str::to_string);
    let if_none_match = request
        .headers()
        .get("if-none-match")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);

    let received = std::time::Instant::now();
    let latency = shared.lock().latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let injected = {
        let mut state = shared.lock();
        let rule = state
            .faults
            .iter_mut()
            .find(|r| r.remaining > 0 && r.method.eq_ignore_ascii_case(&method) && r.path == path);
        rule.and_then(|r| {
            if r.skip > 0 {
                r.skip -= 1;
                return None;
            }
            r.remaining -= 1;
            Some(r.fault.clone())
        })
    };
    let (request, tracked) = chaos::track(&shared, &method, &path, request).await;
    let (roll, delay) = match shared.lock().chaos.as_mut() {
        Some(chaos) if injected.is_none() => chaos.roll(&method, &path),
        _ => (chaos::Roll::Pass, std::time::Duration::ZERO),
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let injected = match roll {
        chaos::Roll::Before(ref fault) => Some(fault.clone()),
        _ => injected,
    };
    let mut response = match &injected {
        Some(fault) => fault_response(fault),
        None => next.run(request).await,
    };
    if matches!(roll, chaos::Roll::AfterApplying) {
        response = fault_response(&Fault::Status(502));
    }

    if method == "GET" && injected.is_none() {
        response = with_etag(response, if_none_match.as_deref()).await;
    }
    let status = response.status().as_u16();
    chaos::answered(&shared, tracked, status);
    // A route the fake serves, asked with a method it does not: as unexpected as an unknown path.
    let wrong_method = status == 405 && injected.is_none();
    let unknown_route = wrong_method || response.extensions().get::<UnknownRoute>().is_some();
    let mut state = shared.lock();
    if !matches!(injected, Some(Fault::PrimaryRateLimit { .. })) {
        // 304s are free on GitHub: they do not count against the rate limit.
        if status != 304 {
            state.rate_limit_remaining = state.rate_limit_remaining.saturating_sub(1);
        }
        let h = response.headers_mut();
        h.insert("x-ratelimit-limit", HeaderValue::from(5000));
        h.insert(
            "x-ratelimit-remaining",
            HeaderValue::from(state.rate_limit_remaining),
        );
        h.insert(
            "x-ratelimit-reset",
            HeaderValue::from(Utc::now().timestamp() + 3600),
        );
    }
    state.log.push(LoggedRequest {
        method,
        path,
        full_path,
        query,
        status,
        if_none_match,
        unknown_route,
        at: std::time::Instant::now(),
        received,
    });
    response
}

/// As GitHub does for every `GET`: a `200` without an ETag of its own gets one (a hash of the
/// body), and a request that already holds it gets `304 Not Modified` with no body.
async fn with_etag(response: Response, if_none_match: Option<&str>) -> Response {
    use sha2::{Digest, Sha256};
    if response.status() != axum::http::StatusCode::OK || response.headers().contains_key("etag") {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return error(500, "cannot read the fake's own answer");
    };
    let etag = format!("\"{}\"", hex::encode(&Sha256::digest(&bytes)[..16]));
    let value = HeaderValue::from_str(&etag).expect("hex is a valid header value");
    if if_none_match.is_some_and(|sent| sent == etag || sent == format!("W/{etag}")) {
        let mut not_modified = axum::http::StatusCode::NOT_MODIFIED.into_response();
        not_modified.headers_mut().insert("etag", value);
        return not_modified;
    }
    parts.headers.insert("etag", value);
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// Any route the fake does not implement: GitHub's 404, flagged in the log.
pub async fn unknown_route() -> Response {
    let mut response = error(404, "Not Found").into_response();
    response.extensions_mut().insert(UnknownRoute);
    response
}
