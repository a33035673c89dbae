//! Workers that claim stored deliveries and run their handler, with retries and backoff.
//!
//! Ordering, coalescing and crash recovery live in the store's claim (see [`crate::store`]);
//! this module decides what happens after a handler ran: done, retry later, or failed. It also
//! deletes finished deliveries once they are past retention.

mod retention;
mod worker;

pub use crate::backoff::Backoff;
pub use retention::{PRUNE_EVERY, Retention, prune_once, prune_periodically};
pub use worker::{HandleError, Handler, QueueSettings, WorkerPool};
