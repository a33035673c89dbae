//! The worker loop: claim, handle under a renewed lease, record the outcome.

use std::{sync::Arc, time::Duration};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tokio::{sync::Notify, task::JoinSet};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use super::Backoff;
use crate::store::{Delivery, NextAttempt, Store, StoreError};

/// Runs one stored delivery. Must be idempotent: after a crash the same delivery may run again.
#[async_trait]
pub trait Handler: Send + Sync + 'static {
    async fn handle(&self, delivery: &Delivery) -> Result<(), HandleError>;
}

/// How a handler failed, which decides whether the delivery is tried again.
#[derive(Debug, thiserror::Error)]
pub enum HandleError {
    /// Worth retrying (network, 5xx, rate limit); not before `retry_at` when given.
    #[error("{message}")]
    Transient {
        message: String,
        retry_at: Option<DateTime<Utc>>,
    },
    /// Retrying cannot help (e.g. the payload is unusable); the delivery is marked failed.
    #[error("{0}")]
    Permanent(String),
}

/// Tuning of the workers.
#[derive(Debug, Clone)]
pub struct QueueSettings {
    pub workers: usize,
    pub lease: Duration,
    pub max_attempts: u32,
    pub backoff: Backoff,
    /// How often an idle worker looks for work stored by other processes or due for retry.
    pub poll: Duration,
}

/// The workers of one process.
pub struct WorkerPool {
    tasks: JoinSet<()>,
}

impl WorkerPool {
    /// Starts `settings.workers` workers. They stop taking deliveries once `shutdown` is
    /// cancelled and finish the one in hand.
    pub fn start(
        store: Arc<dyn Store>,
        handler: Arc<dyn Handler>,
        settings: QueueSettings,
        wake: Arc<Notify>,
        shutdown: CancellationToken,
    ) -> Self {
        let mut tasks = JoinSet::new();
        let host = std::process::id();
        for n in 0..settings.workers {
            let worker = Worker {
                name: format!("{host}-{n}"),
                store: store.clone(),
                handler: handler.clone(),
                settings: settings.clone(),
                wake: wake.clone(),
                shutdown: shutdown.clone(),
            };
            tasks.spawn(worker.run());
        }
        Self { tasks }
    }

    /// Waits until every worker has stopped (after `shutdown` was cancelled).
    pub async fn join(mut self) {
        while self.tasks.join_next().await.is_some() {}
    }
}

struct Worker {
    name: String,
    store: Arc<dyn Store>,
    handler: Arc<dyn Handler>,
    settings: QueueSettings,
    wake: Arc<Notify>,
    shutdown: CancellationToken,
}

impl Worker {
    async fn run(self) {
        while !self.shutdown.is_cancelled() {
            // Register for wake-ups before looking, so a delivery stored in between is not missed.
            let notified = self.wake.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            match self.store.claim_next(&self.name, self.settings.lease).await {
                Ok(Some(delivery)) => self.process(delivery).await,
                Ok(None) => {
                    tokio::select! {
                        _ = notified => {}
                        _ = tokio::time::sleep(self.settings.poll) => {}
                        _ = self.shutdown.cancelled() => {}
                    }
                }
                Err(error) => {
                    tracing::error!(worker = %self.name, %error, "cannot claim a delivery");
                    tokio::select! {
                        _ = tokio::time::sleep(self.settings.poll) => {}
                        _ = self.shutdown.cancelled() => {}
                    }
                }
            }
        }
    }

    async fn process(&self, delivery: Delivery) {
        let span = tracing::info_span!(
            "delivery",
            delivery_id = %delivery.arrived.id,
            event = %delivery.arrived.event,
            action = delivery.arrived.action.as_deref().unwrap_or(""),
            installation = delivery.arrived.installation_id.map_or(0, |id| id.0),
            repo = delivery.arrived.repo.as_deref().unwrap_or(""),
            pr = delivery.arrived.pr_key.as_deref().unwrap_or(""),
            attempt = delivery.attempts,
        );
        async {
            let Some(claim) = delivery.claimed_by.clone() else {
                tracing::error!("claimed delivery carries no claim token; left to its lease");
                return;
            };
            let started = std::time::Instant::now();
            let lost = CancellationToken::new();
            let heartbeat = self.keep_lease(&delivery.arrived.id, &claim, lost.clone());
            // The handler runs in its own task so that a panic is contained to this delivery.
            let handler = self.handler.clone();
            let job = delivery.clone();
            let mut task = tokio::spawn(
                async move { handler.handle(&job).await }.instrument(tracing::Span::current()),
            );
            let result = tokio::select! {
                joined = &mut task => joined.unwrap_or_else(|panic| {
                    Err(HandleError::Transient {
                        message: format!("handler panicked: {panic}"),
                        retry_at: None,
                    })
                }),
                () = lost.cancelled() => {
                    // Another worker holds the delivery now and runs it itself: stop here
                    // (handlers are idempotent, so this is no worse than a crash) and leave
                    // the row alone.
                    task.abort();
                    tracing::warn!(
                        "lease lost: another worker has taken the delivery over; \
                         stopped handling it and recorded nothing"
                    );
                    heartbeat.abort();
                    return;
                }
            };
            heartbeat.abort();
            let elapsed = started.elapsed();
            metrics::histogram!("delivery_processing_seconds", "event" => delivery.arrived.event.clone())
                .record(elapsed.as_secs_f64());
            self.record(&delivery, &claim, result).await;
        }
        .instrument(span)
        .await
    }

    /// Renews the lease every third of its length until aborted. Cancels `lost` and stops when
    /// the store says the claim no longer holds the delivery.
    fn keep_lease(
        &self,
        id: &str,
        claim: &str,
        lost: CancellationToken,
    ) -> tokio::task::JoinHandle<()> {
        let store = self.store.clone();
        let lease = self.settings.lease;
        let id = id.to_string();
        let claim = claim.to_string();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(lease / 3);
            tick.tick().await;
            loop {
                tick.tick().await;
                match store.renew_lease(&id, &claim, lease).await {
                    Ok(()) => {}
                    Err(error @ (StoreError::ClaimLost(_) | StoreError::NotFound(_))) => {
                        tracing::warn!(delivery_id = %id, %error, "lease lost");
                        lost.cancel();
                        return;
                    }
                    Err(error) => tracing::warn!(delivery_id = %id, %error, "cannot renew lease"),
                }
            }
        })
    }

    async fn record(&self, delivery: &Delivery, claim: &str, result: Result<(), HandleError>) {
        let outcome = match result {
            Ok(()) => {
                tracing::info!("delivery handled");
                metrics::counter!("deliveries_processed_total", "outcome" => "done").increment(1);
                self.store.complete(&delivery.arrived.id, claim).await
            }
            Err(HandleError::Permanent(message)) => {
                tracing::error!(error = %message, "delivery failed permanently");
                metrics::counter!("deliveries_processed_total", "outcome" => "failed").increment(1);
                self.store
                    .fail(&delivery.arrived.id, claim, &message, NextAttempt::Never)
                    .await
            }
            Err(HandleError::Transient { message, retry_at }) => {
                let attempts = u32::try_from(delivery.attempts).unwrap_or(u32::MAX);
                if attempts >= self.settings.max_attempts {
                    tracing::error!(error = %message, attempts, "delivery failed after its last attempt");
                    metrics::counter!("deliveries_processed_total", "outcome" => "failed")
                        .increment(1);
                    self.store
                        .fail(&delivery.arrived.id, claim, &message, NextAttempt::Never)
                        .await
                } else {
                    let backoff = chrono::Duration::from_std(self.settings.backoff.delay(attempts))
                        .unwrap_or_else(|_| chrono::Duration::seconds(60));
                    let at = (Utc::now() + backoff).max(retry_at.unwrap_or_default());
                    tracing::warn!(error = %message, retry_at = %at, "delivery will be retried");
                    metrics::counter!("deliveries_processed_total", "outcome" => "retry")
                        .increment(1);
                    self.store
                        .fail(&delivery.arrived.id, claim, &message, NextAttempt::At(at))
                        .await
                }
            }
        };
        match outcome {
            Ok(()) => {}
            // The lease expired and another worker took the delivery over while this one ran
            // it: the row is theirs now and was left untouched.
            Err(error @ StoreError::ClaimLost(_)) => {
                tracing::warn!(%error, "outcome not recorded: the delivery was taken over");
            }
            // The lease expires and another worker takes the delivery over: nothing is lost.
            Err(error) => tracing::error!(%error, "cannot record the delivery's outcome"),
        }
    }
}
