//! Intake of GitHub webhook deliveries: signature check, header validation, payload parsing
//! and durable storage, all before answering GitHub.

pub mod event;
pub mod intake;
pub mod signature;

pub use event::Event;
