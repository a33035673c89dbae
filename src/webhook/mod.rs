//! Intake of GitHub webhook deliveries: signature check, header validation, payload parsing
//! and durable storage, all before answering GitHub; and the typed work the bot queues for
//! itself beside them ([`internal`]).

pub mod delivery;
pub mod event;
mod events;
pub mod intake;
pub mod internal;
pub mod signature;

pub use delivery::VerifiedDelivery;
pub use event::Event;
