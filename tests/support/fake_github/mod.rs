//! A fake GitHub for end-to-end tests: an axum server on 127.0.0.1 with in-memory state, answering
//! the REST routes the App uses with GitHub's JSON shapes and status codes.
//!
//! ```ignore
//! let gh = FakeGithub::start().await;
//! gh.repo("acme/widgets").default_branch("main").file("main", ".github/design-review.yml", yaml);
//! gh.pull("acme/widgets", 7).author("alice").head_sha("abc").file("docs/design/x.md", "added", text);
//! gh.team_member("acme", "design-review", "bob");
//! gh.permission("acme/widgets", "carol", "maintain");
//! let client = gh.app().installation(gh.installation_id());
//! ```
//!
//! It verifies the App's JWT (against `tests/fixtures/keys/app.pub.pem`) when minting installation
//! tokens and requires a valid token everywhere else, records every request (unknown routes answer
//! GitHub's 404, known routes asked with another method 405, and both are flagged: dropping the
//! fake fails the test after such a call), and can inject faults (5xx, rate limits) for chosen
//! routes.
// Each test binary uses a different part of the fake; handlers return a ready GitHub error
// `Response` as their `Err`, as axum handlers do.
#![allow(dead_code, unused_imports, clippy::result_large_err)]

mod auth;
mod builder;
pub mod chaos;
mod json;
mod log;
pub mod oauth;
mod routes;
pub mod state;
mod webhooks;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use design_review::domain::InstallationId;
use design_review::github::{AppCredentials, ClientOptions, GithubApp, RetryPolicy};
use jsonwebtoken::DecodingKey;
use secrecy::SecretString;
use tokio::net::TcpListener;

pub use builder::{PullHandle, RepoHandle};
pub use routes::manifests::REGISTERED_WEBHOOK_SECRET;
pub use state::{
    CheckRunRecord, CommentRecord, Fault, LoggedRequest, ReactionRecord, ReviewRecord,
    ReviewerRequestRecord,
};

/// The App id the fake expects as the JWT's `iss`.
pub const APP_ID: u64 = 4242;
/// The test App's private key (PKCS#1 PEM), matching the fake's public key.
pub const PRIVATE_KEY_PEM: &str = include_str!("../../fixtures/keys/app.pem");
const PUBLIC_KEY_PEM: &str = include_str!("../../fixtures/keys/app.pub.pem");

/// State shared between the server's handlers and the test.
pub struct Shared {
    state: Mutex<State>,
    pub(crate) decoding_key: DecodingKey,
    pub(crate) app_id: u64,
    /// `http://127.0.0.1:PORT`
    origin: String,
    /// `""` or e.g. `/api/v3`
    pub(crate) prefix: String,
}

use state::State;

impl Shared {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The web URL (`http://127.0.0.1:PORT`), where GitHub's pages are.
    pub(crate) fn web_url(&self) -> String {
        self.origin.clone()
    }

    /// The API base URL, prefix included.
    pub(crate) fn base_url(&self) -> String {
        format!("{}{}", self.origin, self.prefix)
    }
}

/// A running fake GitHub. Dropping it stops the server.
pub struct FakeGithub {
    shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
    /// The OAuth web flow and the user-to-server routes (sign-in).
    pub oauth: Arc<oauth::OAuth>,
}

/// Every test that uses the fake fails on a call it does not answer, without asking: the
/// App calling a route GitHub may not have is a bug whatever the test was about.
impl Drop for FakeGithub {
    fn drop(&mut self) {
        self.server.abort();
        if std::thread::panicking() {
            return;
        }
        let unexpected: Vec<String> = self
            .unexpected_requests()
            .iter()
            .map(|r| format!("{} {} -> {}", r.method, r.full_path, r.status))
            .collect();
        assert!(
            unexpected.is_empty(),
            "the fake GitHub received calls it has no route for:\n{}",
            unexpected.join("\n")
        );
    }
}

impl FakeGithub {
    /// Serves the API at the root, like api.github.com.
    pub async fn start() -> Self {
        Self::start_with_prefix("").await
    }

    /// Serves the API under a path prefix, like GitHub Enterprise Server's `/api/v3`.
    pub async fn start_with_prefix(prefix: &str) -> Self {
        let prefix = prefix.trim_end_matches('/').to_string();
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the fake GitHub");
        let addr = listener.local_addr().expect("local address");
        let shared = Arc::new(Shared {
            state: Mutex::new(State::new()),
            decoding_key: DecodingKey::from_rsa_pem(PUBLIC_KEY_PEM.as_bytes())
                .expect("fixture public key"),
            app_id: APP_ID,
            origin: format!("http://{addr}"),
            prefix: prefix.clone(),
        });
        let oauth = Arc::new(oauth::OAuth::default());
        let api = routes::api(shared.clone()).merge(oauth::api(oauth.clone()));
        let app = if prefix.is_empty() {
            api
        } else {
            Router::new()
                .nest(&prefix, api)
                .fallback(log::unknown_route)
        }
        .merge(routes::web(shared.clone()))
        .merge(oauth::web(oauth.clone()));
        let app = app.layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            log::log_and_faults,
        ));
        let server = tokio::spawn(async move {
            axum::serve(listener, app)
                .await
                .expect("fake GitHub server");
        });
        Self {
            shared,
            server,
            oauth,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.shared.lock()
    }

    /// The API base URL (with the prefix when started with one).
    pub fn url(&self) -> url::Url {
        url::Url::parse(&self.shared.base_url()).expect("valid fake URL")
    }

    /// The web URL (`GITHUB_URL`): the "new GitHub App" registration pages are served here.
    pub fn web_url(&self) -> url::Url {
        url::Url::parse(&self.shared.web_url()).expect("valid fake URL")
    }

    /// Manifests posted to the registration page, with the organization they were posted for.
    pub fn registered_manifests(&self) -> Vec<(Option<String>, serde_json::Value)> {
        self.lock().registered_manifests.clone()
    }

    /// Credentials of the test App pointing at this fake.
    pub fn credentials(&self) -> AppCredentials {
        AppCredentials {
            app_id: APP_ID,
            private_key: SecretString::from(PRIVATE_KEY_PEM),
            api_base: self.url(),
        }
    }

    /// Client options with millisecond backoff, so retry tests run fast.
    pub fn fast_options() -> ClientOptions {
        ClientOptions {
            retry: RetryPolicy {
                max_attempts: 3,
                base_delay: Duration::from_millis(5),
                max_delay: Duration::from_millis(50),
                max_wait: Duration::from_secs(5),
            },
            ..ClientOptions::default()
        }
    }

    /// A `GithubApp` for this fake with [`fast_options`](Self::fast_options).
    pub fn app(&self) -> GithubApp {
        GithubApp::with_options(self.credentials(), Self::fast_options()).expect("test App")
    }

    /// The installation every scenario starts with (account `acme`).
    pub fn installation_id(&self) -> InstallationId {
        InstallationId(1)
    }

    /// Makes every answer wait `latency` first (a slow GitHub).
    pub fn latency(&self, latency: Duration) -> &Self {
        self.lock().latency = latency;
        self
    }

    /// Registers another installation on `account`.
    pub fn installation(&self, id: u64, account: &str) -> &Self {
        self.lock().installations.insert(id, account.to_string());
        self
    }

    /// Lifetime of the installation tokens the fake mints (default one hour, like GitHub).
    pub fn token_lifetime(&self, lifetime: Duration) -> &Self {
        self.lock().token_lifetime = chrono::Duration::from_std(lifetime).expect("token lifetime");
        self
    }

    /// The login of the App's bot account (author of what the App writes).
    pub fn bot_login(&self) -> String {
        self.lock().bot_login()
    }

    // ----- scenario setup -------------------------------------------------------------------

    /// A repository (created on first use, default branch `main`).
    pub fn repo(&self, full_name: &str) -> RepoHandle {
        self.lock().repo_mut(full_name);
        RepoHandle::new(self.shared.clone(), full_name)
    }

    /// A pull request (created on first use: open, author `octocat`, base `main`).
    pub fn pull(&self, repo: &str, number: u64) -> PullHandle {
        self.lock().pull_mut(repo, number);
        PullHandle::new(self.shared.clone(), repo, number)
    }

    /// Makes `login` an active member of `org/slug` (the team exists from then on).
    pub fn team_member(&self, org: &str, slug: &str, login: &str) -> &Self {
        self.team(org, slug);
        let mut state = self.lock();
        if let Some(team) = state
            .teams
            .get_mut(&(org.to_lowercase(), slug.to_lowercase()))
        {
            team.active.insert(login.to_lowercase());
        }
        self
    }

    /// Makes `login` an invited (pending) member of `org/slug`: not a member yet.
    pub fn pending_team_member(&self, org: &str, slug: &str, login: &str) -> &Self {
        self.team(org, slug);
        let mut state = self.lock();
        if let Some(team) = state
            .teams
            .get_mut(&(org.to_lowercase(), slug.to_lowercase()))
        {
            team.pending.insert(login.to_lowercase());
        }
        self
    }

    /// The App may not read `org`'s team memberships (the organisation did not grant
    /// `members: read`): every membership lookup answers 403.
    pub fn members_unreadable(&self, org: &str) -> &Self {
        self.lock().members_unreadable.insert(org.to_lowercase());
        self
    }

    /// Declares a team (with access to the org's repositories) without members.
    pub fn team(&self, org: &str, slug: &str) -> &Self {
        self.lock()
            .teams
            .entry((org.to_lowercase(), slug.to_lowercase()))
            .or_insert_with(|| state::Team {
                active: Default::default(),
                pending: Default::default(),
            });
        self
    }

    /// Gives `login` a role on `repo`: `admin`, `maintain`, `write`, `triage` or `read`.
    pub fn permission(&self, repo: &str, login: &str, role: &str) -> &Self {
        self.lock()
            .repo_mut(repo)
            .permissions
            .insert(login.to_lowercase(), role.to_string());
        self
    }

    /// A comment written by a person (or a bot when `login` ends in `[bot]`); returns its id.
    pub fn comment(&self, repo: &str, pr: u64, login: &str, body: &str) -> u64 {
        let mut state = self.lock();
        state.pull_mut(repo, pr);
        let id = state.next_id();
        state.comments.push(CommentRecord {
            id,
            repo: repo.to_string(),
            issue: pr,
            author: login.to_string(),
            author_is_bot: login.ends_with("[bot]"),
            body: body.to_string(),
            history: vec![body.to_string()],
        });
        id
    }

    /// A completed check run named `name` on `sha`, created by another App (`app_id`), as a CI
    /// workflow or a second bot may create; returns its id.
    pub fn foreign_check_run(&self, repo: &str, sha: &str, name: &str, app_id: u64) -> u64 {
        let mut state = self.lock();
        let id = state.next_id();
        state.check_runs.push(CheckRunRecord {
            id,
            app_id,
            repo: repo.to_string(),
            name: name.to_string(),
            head_sha: sha.to_string(),
            status: "completed".into(),
            conclusion: Some("success".into()),
            output: None,
            annotations: Vec::new(),
            updates: Vec::new(),
        });
        id
    }

    // ----- fault injection ------------------------------------------------------------------

    fn inject(&self, method: &str, path: &str, fault: Fault, times: usize) -> &Self {
        self.lock().faults.push(state::FaultRule {
            method: method.to_uppercase(),
            path: path.to_string(),
            fault,
            skip: 0,
            remaining: times,
        });
        self
    }

    /// The `skip` next requests `method path` are answered normally, then the `times` after
    /// them answer `status`.
    pub fn fail_after(
        &self,
        method: &str,
        path: &str,
        skip: usize,
        status: u16,
        times: usize,
    ) -> &Self {
        self.lock().faults.push(state::FaultRule {
            method: method.to_uppercase(),
            path: path.to_string(),
            fault: Fault::Status(status),
            skip,
            remaining: times,
        });
        self
    }

    /// GitHub answers `repo`'s git trees `truncated` (as for a tree of over 100,000 entries).
    pub fn truncated_trees(&self, repo: &str) -> &Self {
        self.lock().truncated_trees.insert(repo.to_string());
        self
    }

    /// The next `times` requests `method path` (path without prefix or query) answer `status`.
    pub fn fail_next(&self, method: &str, path: &str, status: u16, times: usize) -> &Self {
        self.inject(method, path, Fault::Status(status), times)
    }

    /// The next `times` requests hit a secondary rate limit (403 + `Retry-After`).
    pub fn secondary_rate_limit_next(
        &self,
        method: &str,
        path: &str,
        retry_after_secs: u64,
        times: usize,
    ) -> &Self {
        self.inject(
            method,
            path,
            Fault::SecondaryRateLimit { retry_after_secs },
            times,
        )
    }

    /// The next `times` requests hit the primary rate limit, which resets in `reset_in_secs`.
    pub fn primary_rate_limit_next(
        &self,
        method: &str,
        path: &str,
        reset_in_secs: i64,
        times: usize,
    ) -> &Self {
        self.inject(
            method,
            path,
            Fault::PrimaryRateLimit { reset_in_secs },
            times,
        )
    }

    /// The next `times` requests answer 429 with `Retry-After`.
    pub fn too_many_requests_next(
        &self,
        method: &str,
        path: &str,
        retry_after_secs: u64,
        times: usize,
    ) -> &Self {
        self.inject(
            method,
            path,
            Fault::TooManyRequests { retry_after_secs },
            times,
        )
    }

    // ----- assertions -----------------------------------------------------------------------

    /// Every request received, in order.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.lock().log.clone()
    }

    /// How many `method path` requests arrived (path without prefix or query).
    pub fn count(&self, method: &str, path: &str) -> usize {
        self.lock()
            .log
            .iter()
            .filter(|r| r.method.eq_ignore_ascii_case(method) && r.path == path)
            .count()
    }

    /// Requests except installation-token exchanges (the API calls a workflow made).
    pub fn api_calls(&self) -> Vec<LoggedRequest> {
        self.requests()
            .into_iter()
            .filter(|r| !r.path.ends_with("/access_tokens"))
            .collect()
    }

    /// Requests to routes the fake does not implement.
    pub fn unexpected_requests(&self) -> Vec<LoggedRequest> {
        self.requests()
            .into_iter()
            .filter(|r| r.unknown_route)
            .collect()
    }

    /// The longest chain of requests in the log where each was sent only after the one before
    /// it was answered: the round trips a piece of work waited for, whatever its calls that ran
    /// side by side. Token exchanges count (they are on the path when the token is not cached).
    pub fn round_trips(&self) -> usize {
        let log = self.requests();
        let mut depth: Vec<usize> = Vec::with_capacity(log.len());
        for request in &log {
            let before = log
                .iter()
                .zip(&depth)
                .filter(|(earlier, _)| earlier.at <= request.received)
                .map(|(_, d)| *d)
                .max()
                .unwrap_or(0);
            depth.push(before + 1);
        }
        depth.into_iter().max().unwrap_or(0)
    }

    /// Forgets the request log (e.g. between the first evaluation and a re-evaluation).
    pub fn clear_log(&self) {
        self.lock().log.clear();
    }

    /// How many installation tokens were minted.
    pub fn token_exchanges(&self) -> usize {
        self.lock().token_exchanges.len()
    }

    /// Check runs of `repo`, oldest first, with all their updates.
    pub fn check_runs(&self, repo: &str) -> Vec<CheckRunRecord> {
        self.lock()
            .check_runs
            .iter()
            .filter(|r| r.repo == repo)
            .cloned()
            .collect()
    }

    /// Comments of `repo#pr`, oldest first, with their edit history.
    pub fn comments(&self, repo: &str, pr: u64) -> Vec<CommentRecord> {
        self.lock()
            .comments
            .iter()
            .filter(|c| c.repo == repo && c.issue == pr)
            .cloned()
            .collect()
    }

    /// Reactions on comment `comment_id`.
    pub fn reactions(&self, comment_id: u64) -> Vec<ReactionRecord> {
        self.lock()
            .reactions
            .iter()
            .filter(|r| r.comment_id == comment_id)
            .cloned()
            .collect()
    }

    /// Users and team slugs currently requested on `repo#pr`.
    pub fn requested_reviewers(&self, repo: &str, pr: u64) -> (Vec<String>, Vec<String>) {
        self.lock()
            .pulls
            .get(&(repo.to_string(), pr))
            .map(|p| (p.requested_users.clone(), p.requested_teams.clone()))
            .unwrap_or_default()
    }

    /// Every reviewer-request call (accepted or refused).
    pub fn reviewer_requests(&self) -> Vec<ReviewerRequestRecord> {
        self.lock().reviewer_requests.clone()
    }
}
