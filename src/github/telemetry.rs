//! What every GitHub request leaves behind: a counter by route and status, the remaining rate limit,
//! and a debug log line. Tokens never appear: only the templated route is recorded.
//!
//! [`count_calls`] also counts the requests one piece of work makes (an evaluation of a pull
//! request), so that what a single PR costs the installation's rate limit can be measured.

use std::cell::Cell;
use std::future::Future;
use std::time::Duration;

use http::HeaderMap;

/// Counter of GitHub requests, labelled by templated `route` and `status` (or `error`).
pub const REQUESTS_TOTAL: &str = "github_requests_total";
/// Counter of `304 Not Modified` answers to conditional requests, by `route`: each one a read
/// that cost nothing against the rate limit.
pub const NOT_MODIFIED_TOTAL: &str = "github_not_modified_total";
/// Gauge of the `X-RateLimit-Remaining` header of the latest response.
pub const RATE_LIMIT_REMAINING: &str = "github_rate_limit_remaining";

tokio::task_local! {
    /// Requests made so far by the work running in [`count_calls`].
    static CALLS: Cell<u64>;
}

/// Runs `work`, returning its output with how many requests to GitHub it made (every attempt,
/// retries and token exchanges included: each one costs rate limit).
pub async fn count_calls<F: Future>(work: F) -> (F::Output, u64) {
    CALLS
        .scope(Cell::new(0), async {
            let output = work.await;
            (output, CALLS.with(Cell::get))
        })
        .await
}

/// Records one finished attempt. `status` is `None` when no response arrived.
pub(crate) fn record(
    method: &http::Method,
    route: &'static str,
    status: Option<u16>,
    headers: Option<&HeaderMap>,
    elapsed: Duration,
) {
    let _ = CALLS.try_with(|calls| calls.set(calls.get() + 1));
    let status_label = status.map_or_else(|| "error".to_string(), |s| s.to_string());
    metrics::counter!(REQUESTS_TOTAL, "route" => route, "status" => status_label.clone())
        .increment(1);
    if status == Some(304) {
        metrics::counter!(NOT_MODIFIED_TOTAL, "route" => route).increment(1);
    }
    if let Some(remaining) = headers
        .and_then(|h| h.get("x-ratelimit-remaining"))
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<f64>().ok())
    {
        metrics::gauge!(RATE_LIMIT_REMAINING).set(remaining);
    }
    tracing::debug!(
        method = %method,
        route,
        status = %status_label,
        duration_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
        "github request"
    );
}
