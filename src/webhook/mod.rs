//! Intake of GitHub webhook deliveries: signature check, header validation, payload parsing
//! and durable storage, all before answering GitHub; and the typed work the bot queues for
//! itself beside them ([`internal`]).

mod answer;
pub mod delivery;
pub mod event;
pub mod intake;
pub mod signature;

pub use delivery::VerifiedDelivery;
pub use event::{Event, internal};
