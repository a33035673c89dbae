//! One end-to-end scenario in a few lines: the App (the real router, queue and review workflow)
//! over a fresh store, a fake GitHub with the repository `acme/widgets`, and signed webhooks sent
//! through the router.
//!
//! ```ignore
//! let s = Scenario::with_config(CONFIG).await;
//! s.gh.team_member("acme", "design-review", "bob");
//! s.open("alice", "sha1", &[(DOC, INCOMPLETE)]).await;
//! s.comment("bob", "/design-review skip").await;
//! assert_eq!(s.check("sha1").conclusion.as_deref(), Some("success"));
//! ```
//!
//! The store is SQLite, or a scratch PostgreSQL database when `TEST_DATABASE_URL` is set. The
//! fake GitHub fails the test when it is dropped after a call it has no route for.
#![allow(dead_code)]

use std::sync::Arc;

use design_review::{review::Workflow, store::Store};

use super::app::{TestApp, TestDatabase, test_queue_settings};
use super::fake_github::{APP_ID, CheckRunRecord, CommentRecord, FakeGithub, PullHandle};

/// The repository every scenario works in.
pub const REPO: &str = "acme/widgets";
/// The pull request a scenario opens unless told otherwise.
pub const PR: u64 = 7;
/// The name of the App's check run.
pub const CHECK_NAME: &str = "design-review";

/// A running App and the fake GitHub it talks to.
pub struct Scenario {
    /// The fake GitHub: set it up, then read what the App did to it.
    pub gh: FakeGithub,
    /// The App's server and store.
    pub app: TestApp,
}

impl Scenario {
    /// The App running against a fake GitHub where `acme/widgets` exists (default branch `main`)
    /// with no config of its own.
    pub async fn start() -> Self {
        let gh = FakeGithub::start().await;
        gh.repo(REPO).default_branch("main");
        let github = gh.app();
        let app = TestApp::start_on(
            TestDatabase::from_env().await,
            move |store| Arc::new(Workflow::new(github, store)),
            test_queue_settings(),
        )
        .await;
        Self { gh, app }
    }

    /// The fake GitHub with `acme/widgets` and an App over the store in `database` that stores
    /// deliveries without handling them: for tests that run one step by hand (a resync, one
    /// call of the workflow) and look at the queue in between.
    pub async fn intake_only(database: TestDatabase) -> Self {
        let gh = FakeGithub::start().await;
        gh.repo(REPO).default_branch("main");
        let app = TestApp::intake_only_on(database).await;
        Self { gh, app }
    }

    /// The App's store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.app.store
    }

    /// As [`start`](Self::start), with `config` as the repository's `.github/design-review.yml`.
    pub async fn with_config(config: &str) -> Self {
        let s = Self::start().await;
        s.config(config);
        s
    }

    /// Writes `config` as `.github/design-review.yml` on the default branch.
    pub fn config(&self, config: &str) -> &Self {
        self.gh
            .repo(REPO)
            .file("main", ".github/design-review.yml", config);
        self
    }

    /// Pull request [`PR`] on the fake, to change before the next event.
    pub fn pull(&self) -> PullHandle {
        self.gh.pull(REPO, PR)
    }

    /// `author` opens [`PR`] at head `sha` adding `files` ((path, content)).
    pub async fn open(&self, author: &str, sha: &str, files: &[(&str, &str)]) {
        let pull = self.pull();
        pull.author(author).head_sha(sha);
        for (path, content) in files {
            pull.file(path, "added", *content);
        }
        self.pull_request("opened").await;
    }

    /// Sends a signed delivery and waits until the queue has handled it; returns the status
    /// the webhook endpoint answered.
    pub async fn deliver(&self, event: &str, body: &str) -> reqwest::StatusCode {
        self.app.deliver(event, body).await
    }

    /// A `pull_request` event with `action` on [`PR`], accepted for processing.
    pub async fn pull_request(&self, action: &str) {
        self.pull_request_on(PR, action).await;
    }

    /// A `pull_request` event with `action` on pull request `number`, accepted for processing.
    pub async fn pull_request_on(&self, number: u64, action: &str) {
        let body = self.gh.pull_request_event(action, REPO, number);
        assert_eq!(self.deliver("pull_request", &body).await, 202);
    }

    /// `login` writes `body` on [`PR`] (a slash-command, say); returns the comment's id.
    pub async fn comment(&self, login: &str, body: &str) -> u64 {
        let id = self.gh.comment(REPO, PR, login, body);
        let event = self.gh.comment_event(REPO, PR, id, login, body, false);
        assert_eq!(self.deliver("issue_comment", &event).await, 202);
        id
    }

    /// `login` submits a review in `state` (`APPROVED`, `CHANGES_REQUESTED`, ...) with `body`.
    pub async fn review(&self, login: &str, state: &str, body: &str) {
        self.pull().review(login, state);
        let event = self
            .gh
            .review_event("submitted", REPO, PR, login, state, body);
        assert_eq!(self.deliver("pull_request_review", &event).await, 202);
    }

    /// Every check run of the App on head `sha`, oldest first.
    pub fn checks_on(&self, sha: &str) -> Vec<CheckRunRecord> {
        self.gh
            .check_runs(REPO)
            .into_iter()
            .filter(|r| r.head_sha == sha && r.name == CHECK_NAME && r.app_id == APP_ID)
            .collect()
    }

    /// The App's latest check run on head `sha`.
    pub fn check(&self, sha: &str) -> CheckRunRecord {
        self.checks_on(sha)
            .pop()
            .unwrap_or_else(|| panic!("no check run on {sha}"))
    }

    /// The comments the App's bot wrote on [`PR`], oldest first.
    pub fn bot_comments(&self) -> Vec<CommentRecord> {
        self.bot_comments_on(PR)
    }

    /// The comments the App's bot wrote on pull request `number`, oldest first.
    pub fn bot_comments_on(&self, number: u64) -> Vec<CommentRecord> {
        let bot = self.gh.bot_login();
        self.gh
            .comments(REPO, number)
            .into_iter()
            .filter(|c| c.author == bot)
            .collect()
    }
}

/// `text` with what changes from run to run replaced by a fixed word, for snapshots: the
/// minute a command ran (`TIME`), and the delivery id in a command reply's hidden marker
/// (`DELIVERY`; ids count up across the tests of one binary, which run in any order).
pub fn redacted(text: &str) -> String {
    static TIME: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC").expect("valid pattern")
    });
    static DELIVERY: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"<!-- design-review:command-reply \S+ -->").expect("valid pattern")
    });
    let text = TIME.replace_all(text, "TIME");
    DELIVERY
        .replace_all(&text, "<!-- design-review:command-reply DELIVERY -->")
        .into_owned()
}
