//! Workers that claim stored deliveries and run their handler, with retries and backoff.
//!
//! Ordering, coalescing and crash recovery live in the store's claim (see [`crate::store`]);
//! this module decides what happens after a handler ran: done, retry later, or failed.

mod backoff;
mod worker;

pub use backoff::Backoff;
pub use worker::{HandleError, Handler, QueueSettings, WorkerPool};
