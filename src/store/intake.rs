//! Group commit for intake: deliveries arriving together are stored in one transaction.
//!
//! Every webhook request waits for its delivery to be committed before it is answered. Committing
//! each one on its own makes the per-transaction cost (WAL commit, fsync on PostgreSQL) the
//! ceiling of intake; a single task that drains whatever is waiting and commits it as one
//! transaction pays that cost once per batch instead. Under light load a batch is one delivery,
//! so nothing waits for company.
//!
//! A backend whose commits can overlap (PostgreSQL: each waits for its WAL flush, and the server
//! groups concurrent flushes) gets a few batches in flight at once, so a delivery that arrives
//! while a batch is being flushed starts its own commit instead of waiting for that flush to end.
//! SQLite has one writer: one batch at a time.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::{Semaphore, mpsc, oneshot};

use super::{InsertOutcome, NewDelivery, StoreError, StoreResult};

/// Most deliveries committed in one transaction.
const MAX_BATCH: usize = 32;
/// Requests that may wait for the intake task before senders wait too.
const QUEUE_CAPACITY: usize = 4096;

/// How a backend stores deliveries.
#[async_trait]
pub(crate) trait BatchInsert: Send + Sync + 'static {
    /// Stores all of `batch` in one transaction: the outcome of each, in order, once committed.
    /// A later delivery with the id of an earlier one in the same batch is a duplicate.
    async fn insert_batch(&self, batch: &[NewDelivery]) -> StoreResult<Vec<InsertOutcome>>;

    /// Stores one delivery on its own (used to give each delivery its own answer when a batch
    /// failed).
    async fn insert_one(&self, delivery: &NewDelivery) -> StoreResult<InsertOutcome> {
        self.insert_batch(std::slice::from_ref(delivery))
            .await?
            .pop()
            .ok_or(StoreError::Database(sqlx::Error::RowNotFound))
    }

    /// Batches that may be committed at the same time.
    fn concurrent_batches(&self) -> usize {
        1
    }
}

struct Request {
    delivery: NewDelivery,
    reply: oneshot::Sender<StoreResult<InsertOutcome>>,
}

/// The handle the store's `insert_delivery` goes through. Dropping the last handle stops the
/// task once the waiting deliveries are stored.
#[derive(Debug, Clone)]
pub(crate) struct Intake {
    requests: mpsc::Sender<Request>,
}

impl Intake {
    /// Starts the intake task on the current tokio runtime.
    pub(crate) fn start(backend: impl BatchInsert) -> Self {
        let (requests, receiver) = mpsc::channel(QUEUE_CAPACITY);
        tokio::spawn(run(backend, receiver));
        Self { requests }
    }

    /// Stores a delivery; returns once it is committed.
    pub(crate) async fn insert(&self, delivery: NewDelivery) -> StoreResult<InsertOutcome> {
        let (reply, answer) = oneshot::channel();
        let request = Request { delivery, reply };
        self.requests.send(request).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

/// The intake task is gone (its runtime shut down): nothing can be stored through this handle.
fn stopped() -> StoreError {
    StoreError::Database(sqlx::Error::WorkerCrashed)
}

async fn run(backend: impl BatchInsert, mut receiver: mpsc::Receiver<Request>) {
    let slots = backend.concurrent_batches().max(1);
    let backend = Arc::new(backend);
    let in_flight = Arc::new(Semaphore::new(slots));
    loop {
        // A batch is formed when a commit slot is free, from everything waiting by then.
        let Ok(slot) = in_flight.clone().acquire_owned().await else {
            break;
        };
        let mut waiting = Vec::with_capacity(MAX_BATCH);
        if receiver.recv_many(&mut waiting, MAX_BATCH).await == 0 {
            break;
        }
        let backend = backend.clone();
        let commit = async move {
            commit(backend.as_ref(), waiting).await;
            drop(slot);
        };
        if slots == 1 {
            commit.await;
        } else {
            tokio::spawn(commit);
        }
    }
    // Every handle is gone: finish the commits in flight before the task ends.
    let _ = in_flight.acquire_many(slots as u32).await;
}

/// Commits one batch and answers each of its requests.
async fn commit(backend: &impl BatchInsert, waiting: Vec<Request>) {
    // Stored deliveries divided by this is the mean batch: how far intake spreads the cost of
    // a commit (and its fsync).
    metrics::counter!("intake_batches_total").increment(1);
    let (deliveries, replies): (Vec<_>, Vec<_>) = waiting
        .into_iter()
        .map(|request| (request.delivery, request.reply))
        .unzip();
    match backend.insert_batch(&deliveries).await {
        Ok(outcomes) if outcomes.len() == deliveries.len() => {
            for (reply, outcome) in replies.into_iter().zip(outcomes) {
                // The requester may have gone away; the delivery is stored all the same.
                let _ = reply.send(Ok(outcome));
            }
        }
        _ => {
            // Nothing of the batch was committed: store each alone so that each request
            // gets its own outcome or error.
            for (reply, delivery) in replies.into_iter().zip(&deliveries) {
                let _ = reply.send(backend.insert_one(delivery).await);
            }
        }
    }
}

/// Matches the `(id, seq)` rows a multi-row `INSERT ... ON CONFLICT DO NOTHING RETURNING id, seq`
/// reported back to the batch: `Some(seq)` for each delivery that was stored, `None` for a
/// duplicate. Of two deliveries with one id in the same batch, the first is the stored one.
pub(crate) fn match_inserted(
    batch: &[NewDelivery],
    inserted: impl IntoIterator<Item = (String, i64)>,
) -> Vec<Option<i64>> {
    let mut inserted: HashMap<String, i64> = inserted.into_iter().collect();
    batch
        .iter()
        .map(|delivery| inserted.remove(&delivery.id))
        .collect()
}

/// The intake outcome of a delivery matched by [`match_inserted`].
pub(crate) fn outcome(stored: Option<i64>) -> InsertOutcome {
    match stored {
        Some(_) => InsertOutcome::Inserted,
        None => InsertOutcome::Duplicate,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery(id: &str) -> NewDelivery {
        NewDelivery {
            id: id.to_string(),
            event: "ping".to_string(),
            action: None,
            installation_id: None,
            repo: None,
            pr_key: None,
            coalescable: false,
            payload: "{}".to_string(),
            received_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn only_the_first_of_two_equal_ids_in_a_batch_is_stored() {
        let batch = [delivery("a"), delivery("b"), delivery("a"), delivery("old")];
        let stored = match_inserted(&batch, [("b".to_string(), 11), ("a".to_string(), 10)]);
        assert_eq!(stored, [Some(10), Some(11), None, None]);
        assert_eq!(outcome(stored[0]), InsertOutcome::Inserted);
        assert_eq!(outcome(stored[3]), InsertOutcome::Duplicate);
    }
}
