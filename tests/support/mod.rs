//! Helpers shared by the end-to-end tests.

pub mod app;
pub mod fake_github;
pub mod html;
pub mod process;
pub mod scenario;
pub mod scratch_pg;
