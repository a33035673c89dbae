//! Durable storage: the delivery queue, per-PR bot state, the audit log and which delivery ran
//! the commands of each comment.
//!
//! One trait, [`Store`], with a SQLite (embedded default) and a PostgreSQL (several replicas)
//! implementation chosen from the `DATABASE_URL` scheme by [`connect`]. The same test suite runs
//! against both backends (`tests/store.rs`).
//!
//! Queue semantics every backend must honour:
//! - A delivery id is stored once; a second insert of the same id reports [`InsertOutcome::Duplicate`].
//! - Deliveries that share a `pr_key` are handled one at a time and in arrival order: a delivery is
//!   only claimable when no other delivery with the same key is `processing` under a live lease.
//! - Coalescing: when the oldest pending delivery of a PR is `coalescable`, the claim takes the
//!   newest delivery of the unbroken run of coalescable pending deliveries that starts there and
//!   marks the older ones of that run `coalesced` (five pushes -> one evaluation of the newest head).
//! - A claim is a lease: a worker that dies leaves its delivery `processing` until the lease
//!   expires, after which any worker may claim it again. Nothing accepted is ever lost.
//! - Exactly one worker wins each claim, also across processes sharing one PostgreSQL database.
//! - Each claim carries a token of its own ([`Delivery::claimed_by`]). Outcome writes and lease
//!   renewals name it and apply only while the delivery is still `processing` under that claim;
//!   a worker whose lease expired and whose delivery was claimed again gets
//!   [`StoreError::ClaimLost`] and changes nothing.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::{
    CheckRunId, CommentId, CommentSource, CommentVersion, CommitSha, InstallationId, PrNumber,
    PrRef,
};

mod coalesce;
mod codec;
mod deliveries_rows;
mod intake;
mod postgres;
pub mod reviews;
mod reviews_postgres;
mod reviews_rows;
mod reviews_sqlite;
mod rows;
mod sqlite;

pub use postgres::PgStore;
pub use reviews::ReviewStore;
pub use sqlite::SqliteStore;

/// Errors from the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported DATABASE_URL scheme (expected sqlite:// or postgres://): {0}")]
    UnsupportedUrl(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("no delivery with id {0}")]
    NotFound(String),
    /// [`connect_existing`] was pointed at a SQLite file that does not exist.
    #[error(
        "no SQLite database at {0} (check DATABASE_URL, or run from the directory that holds it)"
    )]
    MissingDatabase(String),
    /// An outcome write or lease renewal came from a claim that no longer holds the delivery:
    /// its lease expired and another worker claimed it, or it was coalesced or redelivered.
    /// Nothing was written.
    #[error(
        "delivery {0} is no longer held by this claim (its lease expired and it was taken over)"
    )]
    ClaimLost(String),
    /// A redelivery was asked for a delivery a worker is handling right now (under a live lease).
    #[error(
        "delivery {0} is being handled by a worker right now; redeliver it once it has finished"
    )]
    InProgress(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A webhook delivery as accepted at intake, before it is stored.
#[derive(Debug, Clone, Serialize)]
pub struct NewDelivery {
    /// GitHub's `X-GitHub-Delivery` GUID: the idempotency key of intake.
    pub id: String,
    /// `X-GitHub-Event`.
    pub event: String,
    /// The payload's `action`, if any.
    pub action: Option<String>,
    pub installation_id: Option<InstallationId>,
    /// `owner/name`.
    pub repo: Option<String>,
    /// `owner/name#N` when the delivery concerns one pull request.
    pub pr_key: Option<String>,
    /// True when handling only the newest of several pending deliveries of the PR is enough.
    pub coalescable: bool,
    /// The raw JSON payload.
    #[serde(skip)]
    pub payload: String,
    pub received_at: DateTime<Utc>,
}

/// Where a delivery is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for a worker (possibly until `available_at`, after a transient failure).
    Pending,
    /// Claimed by a worker under a lease.
    Processing,
    /// Handled.
    Done,
    /// Superseded by a newer coalescable delivery for the same PR.
    Coalesced,
    /// Gave up after the configured number of attempts; `last_error` says why.
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Processing => "processing",
            Self::Done => "done",
            Self::Coalesced => "coalesced",
            Self::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "pending" => Self::Pending,
            "processing" => Self::Processing,
            "done" => Self::Done,
            "coalesced" => Self::Coalesced,
            "failed" => Self::Failed,
            _ => return None,
        })
    }
}

/// A stored delivery: what arrived, and where it stands in the queue.
#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    /// The delivery as intake stored it.
    #[serde(flatten)]
    pub arrived: NewDelivery,
    pub status: DeliveryStatus,
    /// How many times a worker has started on it.
    pub attempts: i32,
    pub last_error: Option<String>,
    pub available_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// The claim that holds (or last held) the delivery: the worker's name and a token unique to
    /// the claim. Outcome writes and lease renewals pass it back.
    pub claimed_by: Option<String>,
}

/// Result of storing a delivery at intake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InsertOutcome {
    Inserted,
    /// The id was stored before: GitHub redelivered it; it is not processed again.
    Duplicate,
}

/// Filter for listing deliveries (`design-review deliveries`).
#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    pub status: Option<DeliveryStatus>,
    pub limit: i64,
}

/// What the bot remembers about one pull request between evaluations, so that its output is
/// edited in place instead of posted again.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PrState {
    /// The id of the sticky comment, once posted.
    pub comment_id: Option<CommentId>,
    /// A hash of the sticky comment's last published body: unchanged content is not re-sent.
    pub comment_hash: Option<String>,
    /// The check run of the current head.
    pub check_run: Option<CheckRunRef>,
    /// What the last published check-run output carried, to skip no-op updates.
    pub check: Option<PublishedCheck>,
    /// Set while the design review of this PR is waived by `skip`.
    pub skip: Option<Skip>,
    /// Reviewers already asked on this PR (never asked again), with GitHub's refusal if any.
    pub requested: Vec<ReviewRequest>,
}

/// The check run the bot keeps for one head commit (a new head gets a new run).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckRunRef {
    pub head: CommitSha,
    pub id: CheckRunId,
}

/// Whether a published check run was left completed or in progress. GitHub cannot move a
/// completed run back to in progress, so publishing must know which it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PublishedStatus {
    Completed,
    InProgress,
}

impl PublishedStatus {
    /// The stored (and serialised) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Completed => "completed",
            Self::InProgress => "in_progress",
        }
    }

    /// The inverse of [`PublishedStatus::as_str`].
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "completed" => Some(Self::Completed),
            "in_progress" => Some(Self::InProgress),
            _ => None,
        }
    }
}

/// What the last published check run of a PR carried: equal digests mean an update would
/// change nothing, and equal annotation digests mean the run's annotations can stay (GitHub
/// never removes an annotation, so different ones need a fresh run).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublishedCheck {
    pub status: PublishedStatus,
    /// Digest of everything the run shows: name, head, conclusion, title, summary, annotations.
    pub digest: String,
    /// Digest of the annotations alone; `None` for runs published before it was recorded,
    /// whose annotations are unknown.
    pub notes: Option<String>,
}

/// One review request the bot made (or tried to make).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ReviewRequest {
    /// `@login` or `@org/team`, lower case.
    pub reviewer: String,
    /// GitHub's message when it refused the request (e.g. a team without access).
    pub error: Option<String>,
}

/// A waiver of the design review, with who asked and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Skip {
    pub by: String,
    pub reason: String,
    pub at: DateTime<Utc>,
}

/// One line of the audit log: every state-changing or refused command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    pub repo: String,
    pub pr_number: PrNumber,
    pub head_sha: Option<String>,
    pub actor: String,
    pub command: String,
    pub reason: Option<String>,
    pub outcome: AuditOutcome,
}

/// What became of an audited command. Shown (and serialised) as `done`, `refused: <rule>` or
/// `invalid: <message>`; stored as its kind and its detail, so that a filter on the kind never
/// depends on the wording of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditOutcome {
    /// The command ran.
    Done,
    /// A rule refused it (e.g. the author may not skip); `rule` names the rule.
    Refused { rule: String },
    /// It could not be read; `message` says why.
    Invalid { message: String },
}

impl AuditOutcome {
    /// The stored kind: `done`, `refused` or `invalid`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::Refused { .. } => "refused",
            Self::Invalid { .. } => "invalid",
        }
    }

    /// The stored detail: the rule or the message.
    pub fn detail(&self) -> Option<&str> {
        match self {
            Self::Done => None,
            Self::Refused { rule } => Some(rule),
            Self::Invalid { message } => Some(message),
        }
    }

    /// The inverse of [`AuditOutcome::kind`] and [`AuditOutcome::detail`]; `None` for an
    /// unknown kind.
    pub fn from_parts(kind: &str, detail: Option<String>) -> Option<Self> {
        let detail = detail.unwrap_or_default();
        match kind {
            "done" => Some(Self::Done),
            "refused" => Some(Self::Refused { rule: detail }),
            "invalid" => Some(Self::Invalid { message: detail }),
            _ => None,
        }
    }
}

impl std::fmt::Display for AuditOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.detail() {
            None => f.write_str(self.kind()),
            Some(detail) => write!(f, "{}: {detail}", self.kind()),
        }
    }
}

/// An outcome text that is not `done`, `refused: <rule>` nor `invalid: <message>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an audit outcome (done, refused: <rule>, invalid: <message>): {0:?}")]
pub struct UnknownOutcome(pub String);

/// The inverse of `Display`.
impl std::str::FromStr for AuditOutcome {
    type Err = UnknownOutcome;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text == "done" {
            return Ok(Self::Done);
        }
        let (kind, detail) = text
            .split_once(": ")
            .ok_or_else(|| UnknownOutcome(text.to_string()))?;
        match kind {
            "refused" | "invalid" => Self::from_parts(kind, Some(detail.to_string())),
            _ => None,
        }
        .ok_or_else(|| UnknownOutcome(text.to_string()))
    }
}

impl Serialize for AuditOutcome {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Filter for listing the audit log.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub repo: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub limit: i64,
}

/// Who ran the commands of a comment version ([`Store::claim_command_run`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandRun {
    /// This delivery: the first to carry the version, or a retry of it. Run the commands.
    Ours,
    /// Another delivery, named here, ran them first: this one is a replay and runs nothing.
    RanUnder(String),
}

impl CommandRun {
    /// The run of a version whose commands `holder` ran first, as seen by `delivery_id`.
    fn held_by(holder: String, delivery_id: &str) -> Self {
        if holder == delivery_id {
            Self::Ours
        } else {
            Self::RanUnder(holder)
        }
    }
}

/// `(source, id)` columns of a comment version.
fn command_source_columns(version: &CommentVersion) -> StoreResult<(&'static str, i64)> {
    let (source, id) = match version.source {
        CommentSource::IssueComment(id) => ("issue_comment", id),
        CommentSource::Review(id) => ("review", id),
    };
    let id = i64::try_from(id).map_err(|e| StoreError::Database(sqlx::Error::Encode(e.into())))?;
    Ok((source, id))
}

/// What becomes of a delivery whose attempt failed ([`Store::fail`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextAttempt {
    /// Back to `pending`, claimable again from this time on.
    At(DateTime<Utc>),
    /// `failed` for good: the error is permanent or the attempts are used up.
    Never,
}

/// The storage operations the server, the workers and the CLI need.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// What the web pages read and the workflow records ([`ReviewStore`]); `None` for a store
    /// that keeps none (a wrapper in a test), where nothing is recorded and the pages are empty.
    fn reviews(&self) -> Option<&dyn ReviewStore> {
        None
    }

    /// Checks the database answers (`/readyz`).
    async fn ping(&self) -> StoreResult<()>;

    /// Stores a delivery durably (committed before this returns). The store takes the delivery
    /// (its payload is ~20 KB) rather than copying it for the intake task.
    async fn insert_delivery(&self, delivery: NewDelivery) -> StoreResult<InsertOutcome>;

    /// Claims the next delivery to work on, honouring per-PR order, coalescing and leases (see
    /// the module docs). `worker` names the claimant (for diagnostics); the lease lasts `lease`.
    /// Increments `attempts`. The returned delivery's `claimed_by` is the token of this claim.
    async fn claim_next(
        &self,
        worker: &str,
        lease: std::time::Duration,
    ) -> StoreResult<Option<Delivery>>;

    /// Extends the lease of a delivery the claim `claim` still holds; [`StoreError::ClaimLost`]
    /// when it no longer does.
    async fn renew_lease(
        &self,
        id: &str,
        claim: &str,
        lease: std::time::Duration,
    ) -> StoreResult<()>;

    /// Marks a claimed delivery handled; [`StoreError::ClaimLost`] (and nothing written) when
    /// `claim` no longer holds it.
    async fn complete(&self, id: &str, claim: &str) -> StoreResult<()>;

    /// Records a failed attempt: back to `pending` and claimable again at the time `next`
    /// names, or `failed` for good. `error` is kept as `last_error`.
    /// [`StoreError::ClaimLost`] (and nothing written) when `claim` no longer holds it.
    async fn fail(&self, id: &str, claim: &str, error: &str, next: NextAttempt) -> StoreResult<()>;

    /// Puts a delivery back in the queue (`design-review redeliver ID`) as if it had just
    /// arrived: `pending`, available now, `attempts` back to 0, `last_error` cleared. Refused
    /// with [`StoreError::InProgress`] while a worker holds it under a live lease (a delivery
    /// `processing` under an expired lease is taken back; its old claim can no longer record
    /// anything).
    async fn requeue(&self, id: &str) -> StoreResult<()>;

    /// One delivery by id.
    async fn get_delivery(&self, id: &str) -> StoreResult<Option<Delivery>>;

    /// Deliveries, newest first.
    async fn list_deliveries(&self, filter: &DeliveryFilter) -> StoreResult<Vec<Delivery>>;

    /// Deletes finished deliveries (`done`, `coalesced`, `failed`) that finished before
    /// `older_than`, with their payloads; never a `pending` or `processing` one. Works in small
    /// batches, each its own short transaction, so intake is never held up for long. Returns how
    /// many were deleted. A deleted delivery's id is forgotten: should GitHub send it again, it
    /// is stored and handled as new.
    async fn prune_deliveries(&self, older_than: DateTime<Utc>) -> StoreResult<u64>;

    /// Deliveries that are `pending` or `processing` (the queue depth metric).
    async fn queue_depth(&self) -> StoreResult<i64>;

    /// The bot's remembered state for a PR (default when never seen).
    async fn pr_state(&self, pr: &PrRef) -> StoreResult<PrState>;

    /// Replaces the remembered state for a PR.
    async fn save_pr_state(&self, pr: &PrRef, state: &PrState) -> StoreResult<()>;

    /// Appends to the audit log.
    async fn record_audit(&self, entry: &AuditEntry) -> StoreResult<()>;

    /// Audit entries, oldest first.
    async fn list_audit(&self, filter: &AuditFilter) -> StoreResult<Vec<AuditEntry>>;

    /// Deletes audit entries older than `older_than`, in small batches like
    /// [`Store::prune_deliveries`]. Returns how many were deleted.
    async fn prune_audit(&self, older_than: DateTime<Utc>) -> StoreResult<u64>;

    /// Makes `delivery_id` the one delivery that runs the commands of `version`, unless another
    /// delivery was first: atomic, so of two deliveries of one version racing on two replicas
    /// exactly one gets [`CommandRun::Ours`]. A retry of the first delivery gets `Ours` again.
    async fn claim_command_run(
        &self,
        version: &CommentVersion,
        delivery_id: &str,
    ) -> StoreResult<CommandRun>;

    /// Forgets the command runs recorded before `older_than`. Returns how many were deleted.
    async fn prune_command_runs(&self, older_than: DateTime<Utc>) -> StoreResult<u64>;
}

/// Opens the store named by a `DATABASE_URL` (`sqlite://path` or `postgres://...`), creating the
/// SQLite file when absent, and runs the embedded migrations.
pub async fn connect(url: &str) -> StoreResult<std::sync::Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(std::sync::Arc::new(SqliteStore::connect(url).await?))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(std::sync::Arc::new(PgStore::connect(url).await?))
    } else {
        Err(StoreError::UnsupportedUrl(redact_url(url)))
    }
}

/// Opens the store named by a `DATABASE_URL` like [`connect`], but only a SQLite database that
/// already exists: for commands that inspect the server's queue, where creating an empty database
/// (run from the wrong directory, a mistyped path) would only hide the mistake.
pub async fn connect_existing(url: &str) -> StoreResult<std::sync::Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(std::sync::Arc::new(SqliteStore::open_existing(url).await?))
    } else {
        connect(url).await
    }
}

/// Replaces the password in a database URL with `***` so the URL can be logged.
///
/// Never returns a password, even from a URL that does not parse (an unescaped `/`, `?`, `#` or
/// `@` in the password): then everything between `://` and the last `@` is replaced, or, when
/// even that cannot be told apart, the whole URL.
pub fn redact_url(url: &str) -> String {
    const UNPARSABLE: &str = "<unparsable database URL>";
    let mentions_password = |text: &str| text.to_ascii_lowercase().contains("password");
    if let Ok(mut parsed) = url::Url::parse(url) {
        // An `@` after the authority means the parser ended the user info early (at a `/`, `?`
        // or `#` inside the password): the rest of the password sits in the path, query or
        // fragment, so only the textual fallback below is safe.
        let at_after_authority = parsed.path().contains('@')
            || parsed.query().is_some_and(|q| q.contains('@'))
            || parsed.fragment().is_some_and(|f| f.contains('@'));
        if !at_after_authority {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("***"));
            }
            // `?password=...` (libpq and sqlx accept it) is a password too.
            if parsed.query_pairs().any(|(key, _)| mentions_password(&key)) {
                let pairs: Vec<(String, String)> = parsed
                    .query_pairs()
                    .map(|(key, value)| {
                        let value = if mentions_password(&key) {
                            "***".to_string()
                        } else {
                            value.into_owned()
                        };
                        (key.into_owned(), value)
                    })
                    .collect();
                parsed.query_pairs_mut().clear().extend_pairs(pairs);
            }
            if parsed.fragment().is_some_and(mentions_password) {
                return UNPARSABLE.to_string();
            }
            return parsed.to_string();
        }
    }
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.rfind('@') {
            Some(at) if !mentions_password(&rest[at..]) => format!("{scheme}://***{}", &rest[at..]),
            None if !mentions_password(rest) => url.to_string(),
            _ => UNPARSABLE.to_string(),
        },
        None if !url.contains('@') && !mentions_password(url) => url.to_string(),
        None => UNPARSABLE.to_string(),
    }
}

#[cfg(test)]
mod redact_url_tests {
    use super::redact_url;

    #[test]
    fn replaces_the_password_of_a_url_that_parses() {
        assert_eq!(
            redact_url("postgres://dr:hunter2@db.example.com:5432/dr"),
            "postgres://dr:***@db.example.com:5432/dr"
        );
        assert_eq!(
            redact_url("postgres://dr:p%40ss@db/dr"),
            "postgres://dr:***@db/dr"
        );
        assert_eq!(
            redact_url("postgres://dr@db/dr?sslmode=require&password=hunter2"),
            "postgres://dr@db/dr?sslmode=require&password=***"
        );
        assert_eq!(
            redact_url("sqlite://design-review.db"),
            "sqlite://design-review.db"
        );
        assert_eq!(redact_url("sqlite::memory:"), "sqlite::memory:");
        assert_eq!(redact_url("postgres://db/dr"), "postgres://db/dr");
    }

    #[test]
    fn never_returns_the_password_of_a_url_that_does_not_parse() {
        for (url, password) in [
            // Unparsable: the parser reads `pa` as a port.
            ("postgres://dr:pa/ss@db/dr", "pa/ss"),
            ("postgres://dr:pa#ss@db/dr", "pa#ss"),
            ("postgres://dr:pa?ss@db/dr", "pa?ss"),
            // Parsable, but the password is cut at the `/`, `#` or `?`: `123` reads as a port.
            ("postgres://dr:123/abc@db/dr", "123/abc"),
            ("postgres://dr:123#abc@db/dr", "123#abc"),
            ("postgres://dr:123?abc@db/dr", "123?abc"),
            // Several `@`, a `/` among them.
            ("postgres://dr:p@ss/w@rd@db/dr", "p@ss/w@rd"),
            ("postgres:dr:hunter2@db/dr", "hunter2"),
            ("dr:hunter2@db", "hunter2"),
        ] {
            let redacted = redact_url(url);
            assert!(!redacted.contains(password), "{url} -> {redacted}");
            let tail = &password[password.len() - 2..];
            assert!(
                !redacted.contains(&format!("{tail}@")),
                "{url} -> {redacted}"
            );
        }
        assert_eq!(
            redact_url("postgres://dr:pa/ss@db/dr"),
            "postgres://***@db/dr"
        );
        assert_eq!(
            redact_url("postgres://dr:123/abc@db/dr"),
            "postgres://***@db/dr"
        );
        assert_eq!(
            redact_url("postgres://dr:pa/ss@db/dr?password=x/y"),
            "<unparsable database URL>"
        );
        assert_eq!(redact_url("postgres://db:port/dr"), "postgres://db:port/dr");
    }
}
