//! Settings of the server (read once at start) and per-repository configuration.

pub mod repo;
pub mod settings;
