//! Prometheus metrics: one process-wide recorder, rendered at `GET /metrics`.
//!
//! Names follow Prometheus' conventions: every metric the server records carries the
//! `design_review_` prefix (added here, so the code recording a metric names it without it),
//! has `# HELP` text, and names its base unit (`_seconds`, `_bytes`). Beside them the page has
//! `design_review_build_info` and the standard `process_*` metrics (resident memory, open file
//! descriptors, CPU seconds), unprefixed as every exporter writes them, so stock dashboards and
//! alerts apply. The catalogue is in docs/operations.md.

use std::sync::{Mutex, OnceLock};

use axum::{extract::State, http::header, response::IntoResponse};
use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
use metrics_exporter_prometheus::{
    Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder,
};
use metrics_util::layers::{Layer, PrefixLayer};

use super::AppState;

/// Prepended (with `_`) to every metric the server records.
pub const PREFIX: &str = "design_review";

/// The server's own metrics, with their `# HELP` text and unit.
const COUNTERS: &[(&str, &str)] = &[
    (
        "webhook_deliveries_total",
        "Webhooks received, by event and outcome (accepted, duplicate, ping, ignored, or why refused).",
    ),
    (
        "intake_batches_total",
        "Transactions in which intake stored deliveries (concurrent deliveries share one).",
    ),
    (
        "deliveries_processed_total",
        "Delivery attempts finished by the workers, by outcome (done, retry, failed).",
    ),
    (
        "github_requests_total",
        "Requests to GitHub's API, by templated route and HTTP status (or error).",
    ),
    (
        "evaluations_total",
        "Evaluations of a pull request, finished or failed.",
    ),
    (
        "evaluation_github_requests_total",
        "GitHub requests made by evaluations, retries and token exchanges included.",
    ),
    (
        "evaluation_limits_reached_total",
        "Evaluations stopped by a per-pull-request limit, by limit.",
    ),
];

const GAUGES: &[(&str, &str)] = &[
    (
        "queue_depth",
        "Deliveries pending or in progress (updated on each scrape).",
    ),
    (
        "github_rate_limit_remaining",
        "X-RateLimit-Remaining of the latest answer from GitHub.",
    ),
    (
        "build_info",
        "Always 1; the version label says which build runs.",
    ),
];

const HISTOGRAMS: &[(&str, &str)] = &[(
    "delivery_processing_seconds",
    "Time a worker spent on one delivery attempt, by event.",
)];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// The recorder of the `process_*` metrics: kept apart from the global one so they keep their
/// standard, unprefixed names.
struct ProcessMetrics {
    recorder: PrometheusRecorder,
    collector: metrics_process::Collector,
}

static PROCESS: OnceLock<Mutex<ProcessMetrics>> = OnceLock::new();

/// Installs the process-wide recorder once and returns its handle.
pub fn handle() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Suffix("delivery_processing_seconds".into()),
                &[
                    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
                ],
            )
            .expect("static bucket list is not empty")
            .build_recorder();
        let handle = recorder.handle();
        // Another recorder may already be installed (e.g. by an embedding program); then our
        // handle renders an empty page rather than failing start-up.
        if metrics::set_global_recorder(PrefixLayer::new(PREFIX).layer(recorder)).is_ok() {
            describe();
        }
        handle
    })
}

/// `# HELP` text for every metric of [`COUNTERS`], [`GAUGES`] and [`HISTOGRAMS`], and the
/// build information.
fn describe() {
    for &(name, help) in COUNTERS {
        describe_counter!(name, help);
    }
    for &(name, help) in GAUGES {
        describe_gauge!(name, help);
    }
    for &(name, help) in HISTOGRAMS {
        describe_histogram!(name, Unit::Seconds, help);
    }
    metrics::gauge!("build_info", "version" => env!("CARGO_PKG_VERSION")).set(1.0);
}

/// The `process_*` metrics, read now.
fn process_metrics() -> String {
    let process = PROCESS.get_or_init(|| {
        let process = ProcessMetrics {
            recorder: PrometheusBuilder::new().build_recorder(),
            collector: metrics_process::Collector::default(),
        };
        metrics::with_local_recorder(&process.recorder, || process.collector.describe());
        Mutex::new(process)
    });
    let process = process.lock().unwrap_or_else(|p| p.into_inner());
    metrics::with_local_recorder(&process.recorder, || process.collector.collect());
    process.recorder.handle().render()
}

/// The whole `/metrics` page.
pub fn page() -> String {
    let mut page = handle().render();
    page.push_str(&process_metrics());
    page
}

/// `GET /metrics`.
pub async fn render(State(state): State<AppState>) -> impl IntoResponse {
    if let Ok(depth) = state.store.queue_depth().await {
        metrics::gauge!("queue_depth").set(depth as f64);
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        page(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every metric of the page, with its `# HELP` line, in the order Prometheus reads them.
    fn names_with_help(page: &str) -> Vec<(String, bool)> {
        let helped: Vec<&str> = page
            .lines()
            .filter_map(|l| l.strip_prefix("# HELP "))
            .filter_map(|l| l.split_once(' ').map(|(name, _)| name))
            .collect();
        page.lines()
            .filter_map(|l| l.strip_prefix("# TYPE "))
            .filter_map(|l| l.split_once(' ').map(|(name, _)| name.to_string()))
            .map(|name| {
                let has_help = helped.contains(&name.as_str());
                (name, has_help)
            })
            .collect()
    }

    #[test]
    fn every_metric_is_prefixed_or_a_standard_process_metric_and_has_help() {
        handle();
        metrics::counter!("webhook_deliveries_total", "event" => "ping", "outcome" => "ping")
            .increment(1);
        metrics::histogram!("delivery_processing_seconds", "event" => "ping").record(0.2);
        let page = page();
        let names = names_with_help(&page);
        for expected in [
            "design_review_webhook_deliveries_total",
            "design_review_delivery_processing_seconds",
            "design_review_build_info",
            "process_resident_memory_bytes",
            "process_open_fds",
            "process_cpu_seconds_total",
        ] {
            assert!(
                names.iter().any(|(name, _)| name == expected),
                "{expected} missing from\n{page}"
            );
        }
        for (name, has_help) in &names {
            assert!(
                name.starts_with("design_review_") || name.starts_with("process_"),
                "{name} unprefixed"
            );
            assert!(has_help, "{name} has no # HELP line:\n{page}");
        }
        let version = env!("CARGO_PKG_VERSION");
        assert!(
            page.contains(&format!(
                "design_review_build_info{{version=\"{version}\"}} 1\n"
            )),
            "{page}"
        );
    }
}
