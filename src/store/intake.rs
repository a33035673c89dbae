//! Group commit for intake: deliveries arriving together are stored in one transaction.
//!
//! Every webhook request waits for its delivery to be committed before it is answered. Committing
//! each one on its own makes the per-transaction cost (WAL commit, fsync on PostgreSQL) the
//! ceiling of intake; a single task that drains whatever is waiting and commits it as one
//! transaction pays that cost once per batch instead. Under light load a batch is one delivery,
//! so nothing waits for company.

use async_trait::async_trait;
use tokio::sync::{mpsc, oneshot};

use super::{InsertOutcome, NewDelivery, StoreError, StoreResult};

/// Most deliveries committed in one transaction.
const MAX_BATCH: usize = 128;
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
    async fn insert_one(&self, delivery: &NewDelivery) -> StoreResult<InsertOutcome>;
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
    pub(crate) async fn insert(&self, delivery: &NewDelivery) -> StoreResult<InsertOutcome> {
        let (reply, answer) = oneshot::channel();
        let request = Request {
            delivery: delivery.clone(),
            reply,
        };
        self.requests.send(request).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

/// The intake task is gone (its runtime shut down): nothing can be stored through this handle.
fn stopped() -> StoreError {
    StoreError::Database(sqlx::Error::WorkerCrashed)
}

async fn run(backend: impl BatchInsert, mut receiver: mpsc::Receiver<Request>) {
    let mut waiting = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut waiting, MAX_BATCH).await > 0 {
        let (deliveries, replies): (Vec<_>, Vec<_>) = waiting
            .drain(..)
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
}
