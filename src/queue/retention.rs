//! Retention: finished deliveries and their payloads are deleted once they are older than
//! `DELIVERY_RETENTION_DAYS`, so the database does not grow forever.

use std::{sync::Arc, time::Duration};

use chrono::Utc;
use tokio_util::sync::CancellationToken;

use crate::store::Store;

/// How often the server looks for deliveries to delete (and once at start).
pub const PRUNE_EVERY: Duration = Duration::from_secs(60 * 60);

/// Deletes finished deliveries that finished more than `retention` ago, at once and then every
/// `every`, until `shutdown` is cancelled. Pending and in-progress deliveries are never deleted;
/// the store works in small batches so intake is not held up.
pub async fn prune_periodically(
    store: Arc<dyn Store>,
    retention: Duration,
    every: Duration,
    shutdown: CancellationToken,
) {
    let Ok(retention) = chrono::Duration::from_std(retention) else {
        return;
    };
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            () = shutdown.cancelled() => return,
        }
        // A retention reaching before the start of time keeps everything.
        let Some(cutoff) = Utc::now().checked_sub_signed(retention) else {
            continue;
        };
        tokio::select! {
            pruned = store.prune_deliveries(cutoff) => match pruned {
                Ok(0) => {}
                Ok(deleted) => {
                    tracing::info!(deleted, before = %cutoff, "deleted finished deliveries past retention");
                }
                Err(error) => tracing::warn!(%error, "cannot delete old deliveries"),
            },
            () = shutdown.cancelled() => return,
        }
    }
}
