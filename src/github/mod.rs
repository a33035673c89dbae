//! App authentication and the one client through which every GitHub API call goes.
//!
//! - [`GithubApp`] authenticates as the App (JWT) and hands out [`InstallationClient`]s, which carry
//!   one method per call the workflows make ([`calls`]), returning our own [`models`].
//! - Every request passes through one place that records metrics (`github_requests_total{route,status}`,
//!   `github_rate_limit_remaining`), retries per call ([`RetryPolicy`], [`Idempotency`]) and maps
//!   failures into [`GithubError`].
//! - [`permissions::CALL_PERMISSIONS`] lists the App permission each call requires.

mod auth;
mod base;
pub mod calls;
mod client;
mod error;
mod file_cache;
mod list_cache;
pub mod models;
mod people_cache;
pub mod permissions;
pub mod plain;
mod retry;
pub mod telemetry;

pub use calls::MAX_FILE_SIZE;
pub use client::{AppCredentials, ClientOptions, GithubApp, InstallationClient};
pub use error::GithubError;
pub use models::*;
pub use people_cache::{Membership, PeopleCache};
pub use retry::{Idempotency, RetryPolicy};
