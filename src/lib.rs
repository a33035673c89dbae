//! design-review: a GitHub App (and CLI) that enforces a design-review process on pull requests.
//!
//! Layout, one concern per module:
//! - [`gfm`]: the one escaping door for untrusted text echoed into GitHub Markdown.
//! - [`checker`]: pure Markdown-vs-template logic (text in, gaps out; no I/O), with the template
//!   rules it applies.
//! - [`config`]: server settings (environment) and the per-repository `.github/design-review.yml`.
//! - [`webhook`]: intake of GitHub deliveries (a verifying extractor, one parser per event ->
//!   domain events) and the typed work the bot queues for itself.
//! - [`store`]: durable queue, per-PR state and audit log (SQLite or PostgreSQL).
//! - [`queue`]: workers that claim stored deliveries and run their handlers with retries.
//! - [`github`]: App authentication, the one client through which every API call goes, and the
//!   shared cache of team memberships and repository permissions.
//! - [`server`]: the thin axum layer (routes, health, metrics).
//! - [`setup`]: first run without App credentials (register the App from a web page).
//! - [`html`]: the frame, style and escaping of the server's HTML pages.
//! - [`status`]: what the status page `/` says (the App, its reach, the queue, next steps).
//! - [`forward`]: webhook deliveries from a forwarding channel (`WEBHOOK_PROXY_URL`).
//! - [`review`]: the PR workflow (docs, approvals, reviewers, check run, sticky comment) and,
//!   in [`review::executor`], the running of slash-commands.
//! - [`commands`]: slash-commands: the command table, the parser, who may run what, the throttle
//!   and the replay limits; it decides and `review` carries out.
//! - [`web`]: the details page, the board of pending reviews, audit, trends, JSON API, sign-in.
//! - [`resync`]: catch up on pull requests missed while the App was down.
//! - [`cli`]: the `design-review` command line.
//! - [`backoff`]: the one retry schedule, shared by GitHub calls and queued deliveries.
//! - [`cache`]: the bounded cache whose entries expire, for facts about people and access.
//! - [`domain`]: the id types every module shares (repositories, PRs, logins, teams).
//! - [`telemetry`]: logging set-up.
//! - [`uri`]: percent-encoding of URL components.
//!
//! Dependencies go one way: `review` uses `commands`, `config` uses `checker`, never back;
//! `tests/architecture.rs` fails on any cycle between modules or between one module's files.

pub mod backoff;
pub mod cache;
pub mod checker;
pub mod cli;
pub mod commands;
pub mod config;
pub mod domain;
pub mod forward;
pub mod gfm;
pub mod github;
pub mod html;
pub mod queue;
pub mod resync;
pub mod review;
pub mod server;
pub mod setup;
pub mod status;
pub mod store;
pub mod telemetry;
pub mod uri;
pub mod web;
pub mod webhook;
