//! Retention: finished deliveries and their payloads are deleted once they are older than
//! `DELIVERY_RETENTION_DAYS`, audit entries once older than `AUDIT_RETENTION_DAYS`, and the
//! record of which delivery ran a comment's commands once a replay would be refused by its age
//! anyway, so the database does not grow forever.

use std::{sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;

use crate::{commands::COMMAND_RUNS_KEPT, store::Store};

/// How often the server looks for rows to delete (and once at start).
pub const PRUNE_EVERY: Duration = Duration::from_secs(60 * 60);

/// How long each kind of row is kept; `None` keeps it forever.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Finished deliveries and their payloads.
    pub deliveries: Option<Duration>,
    /// Audit log entries.
    pub audit: Option<Duration>,
}

/// Deletes what `retention` no longer keeps, at once and then every `every`, until `shutdown`
/// is cancelled. Pending and in-progress deliveries are never deleted; the store works in
/// small batches so intake is not held up.
pub async fn prune_periodically(
    store: Arc<dyn Store>,
    retention: Retention,
    every: Duration,
    shutdown: CancellationToken,
) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            () = shutdown.cancelled() => return,
        }
        tokio::select! {
            () = prune_once(store.as_ref(), retention) => {}
            () = shutdown.cancelled() => return,
        }
    }
}

/// One pass of [`prune_periodically`]; failures are logged and retried at the next pass.
pub async fn prune_once(store: &dyn Store, retention: Retention) {
    if let Some(cutoff) = retention.deliveries.and_then(cutoff) {
        match store.prune_deliveries(cutoff).await {
            Ok(0) => {}
            Ok(deleted) => {
                tracing::info!(deleted, before = %cutoff, "deleted finished deliveries past retention");
            }
            Err(error) => tracing::warn!(%error, "cannot delete old deliveries"),
        }
    }
    if let Some(cutoff) = retention.audit.and_then(cutoff) {
        match store.prune_audit(cutoff).await {
            Ok(0) => {}
            Ok(deleted) => {
                tracing::info!(deleted, before = %cutoff, "deleted audit entries past retention");
            }
            Err(error) => tracing::warn!(%error, "cannot delete old audit entries"),
        }
    }
    if let Some(cutoff) = cutoff(COMMAND_RUNS_KEPT)
        && let Err(error) = store.prune_command_runs(cutoff).await
    {
        tracing::warn!(%error, "cannot delete old command runs");
    }
}

/// Now minus `kept`; `None` when that reaches before the start of time (everything is kept).
fn cutoff(kept: Duration) -> Option<DateTime<Utc>> {
    Utc::now().checked_sub_signed(chrono::Duration::from_std(kept).ok()?)
}
