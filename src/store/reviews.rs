//! What the web pages show about design reviews: each pull request as its last evaluation left
//! it, the reviewers asked with when they were first asked, and the history of outcomes.
//!
//! Written by the workflow after each published evaluation ([`ReviewStore::record_review`]) and
//! when a pull request closes; read by the board, the details page, the audit page and the API.
//! Every read takes a [`Visibility`]: a signed-in user's query names the repositories GitHub
//! says they can read, and rows of other repositories are never returned.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{AuditEntry, Skip, StoreResult};

/// Where a design review stands, as the check run says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    /// A design doc has gaps to fix (the check fails).
    Gaps,
    /// The docs are complete; approvals are missing (the check is in progress).
    Awaiting,
    /// Complete and approved (the check passes).
    Approved,
    /// Waived by `skip` (the check passes).
    Skipped,
    /// No design doc in the pull request.
    NoDocs,
    /// The configuration or a template is invalid (the check fails).
    Invalid,
}

impl ReviewState {
    /// Every state, in the order the board lists their counts.
    pub const ALL: [ReviewState; 6] = [
        Self::Gaps,
        Self::Awaiting,
        Self::Approved,
        Self::Skipped,
        Self::Invalid,
        Self::NoDocs,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Gaps => "gaps",
            Self::Awaiting => "awaiting",
            Self::Approved => "approved",
            Self::Skipped => "skipped",
            Self::NoDocs => "no_docs",
            Self::Invalid => "invalid",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// What one evaluation found, for the details page: stored as JSON with the review.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewDetail {
    /// The repository's web address (`https://github.com/acme/widgets`, or the GHES host).
    pub web_base: String,
    pub docs: Vec<DocDetail>,
    /// Whose approval is required, and by whom it is given so far.
    pub requirements: Vec<Requirement>,
    /// Approvals that count.
    pub approved_by: Vec<String>,
    /// Approvals given on an earlier version of a doc, which no longer count.
    pub stale: Vec<String>,
    /// Candidates that were not asked to review, with why.
    pub not_requested: Vec<(String, String)>,
    pub skip: Option<Skip>,
    /// Configuration or template problems, one line each.
    pub problems: Vec<String>,
    /// Reviewers are not asked yet because the pull request is a draft.
    pub draft: bool,
}

/// One design doc and its gaps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocDetail {
    pub path: String,
    pub template: String,
    /// Why the doc could not be checked, when it could not.
    pub unreadable: Option<String>,
    pub gaps: Vec<GapDetail>,
}

/// One gap of a doc, linked to its line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GapDetail {
    /// `error` or `warning`.
    pub severity: String,
    pub section: String,
    pub line: u32,
    pub message: String,
}

/// One approval requirement: the review team's, or the owners' of one service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requirement {
    /// `@acme/design-review`, or `owners of payments (@acme/payments)`.
    pub who: String,
    pub needed: u32,
    pub approved_by: Vec<String>,
}

impl Requirement {
    pub fn satisfied(&self) -> bool {
        self.approved_by.len() as u32 >= self.needed
    }
}

/// A reviewer still awaited, and since when they were asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Awaited {
    /// `@login` or `@org/team`, lower case.
    pub reviewer: String,
    pub since: DateTime<Utc>,
}

/// What the workflow records after publishing an evaluation.
#[derive(Debug, Clone)]
pub struct ReviewRecord {
    /// `owner/name`.
    pub repo: String,
    pub number: i64,
    pub title: String,
    pub author: String,
    pub head_sha: String,
    pub state: ReviewState,
    /// The check's title: why it is in this state.
    pub reason: String,
    /// The review team (`org/slug`), when the repository names one.
    pub team: Option<String>,
    /// Reviewers asked on this pull request (`@login`, `@org/team`, lower case).
    pub requested: Vec<String>,
    /// Reviewers whose approval is still awaited (a subset of those asked, or a required team).
    pub awaited: Vec<String>,
    pub detail: ReviewDetail,
    pub at: DateTime<Utc>,
}

/// One pull request on the board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewSummary {
    pub repo: String,
    pub number: i64,
    pub title: String,
    pub author: String,
    pub open: bool,
    pub state: ReviewState,
    pub reason: String,
    pub head_sha: String,
    pub docs: i64,
    pub team: Option<String>,
    pub awaited: Vec<Awaited>,
    pub first_seen_at: DateTime<Utc>,
    pub evaluated_at: DateTime<Utc>,
    pub approved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// One evaluation in a pull request's history (only those that changed something are kept).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvaluationEntry {
    pub at: DateTime<Utc>,
    pub head_sha: String,
    pub state: ReviewState,
    pub reason: String,
}

/// A reviewer asked on a pull request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestEntry {
    pub reviewer: String,
    pub requested_at: DateTime<Utc>,
    pub awaited: bool,
}

/// Everything the details page shows about one pull request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewView {
    pub summary: ReviewSummary,
    pub detail: ReviewDetail,
    pub requests: Vec<RequestEntry>,
    /// Newest first.
    pub history: Vec<EvaluationEntry>,
}

/// Which repositories a reader may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    /// Every repository (the operator's API token).
    All,
    /// Only these `owner/name`s, spelled as GitHub does (a signed-in user's).
    Repos(Vec<String>),
}

impl Visibility {
    /// The repositories, or `None` for all.
    pub(crate) fn repos(&self) -> Option<Vec<String>> {
        match self {
            Self::All => None,
            Self::Repos(repos) => Some(repos.clone()),
        }
    }
}

/// How the board is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ReviewSort {
    /// Oldest review first.
    #[default]
    Age,
    /// Longest-waiting reviewer first (reviews waiting on no one last).
    Waiting,
    /// Most recently evaluated first.
    Updated,
}

/// The board's filters and page.
#[derive(Debug, Clone)]
pub struct ReviewQuery {
    pub visible: Visibility,
    /// Open pull requests, or closed ones.
    pub open: bool,
    pub repo: Option<String>,
    pub state: Option<ReviewState>,
    /// `org/slug`: the repository's review team, or a team asked on the pull request.
    pub team: Option<String>,
    /// A login whose review is awaited.
    pub waiting_on: Option<String>,
    /// A login who authored the pull request.
    pub author: Option<String>,
    pub sort: ReviewSort,
    pub limit: i64,
    pub offset: i64,
}

impl ReviewQuery {
    /// Open reviews visible to `visible`, oldest first, first page of 50.
    pub fn open(visible: Visibility) -> Self {
        Self {
            visible,
            open: true,
            repo: None,
            state: None,
            team: None,
            waiting_on: None,
            author: None,
            sort: ReviewSort::Age,
            limit: 50,
            offset: 0,
        }
    }
}

/// One page of the board, with the totals of every state under the same filters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewPage {
    pub rows: Vec<ReviewSummary>,
    /// Rows matching the filters (state included), over all pages.
    pub total: i64,
    /// Per state, under every filter but the state.
    pub counts: Vec<(ReviewState, i64)>,
}

/// The audit page's filters and page (newest first).
#[derive(Debug, Clone)]
pub struct AuditQuery {
    pub visible: Visibility,
    pub repo: Option<String>,
    pub pr_number: Option<i64>,
    pub actor: Option<String>,
    /// `done`, `refused` or `invalid`: the kind of the outcome.
    pub outcome: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

/// One review's dates, for the trends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewTimeline {
    pub repo: String,
    pub first_seen_at: DateTime<Utc>,
    pub approved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// The web pages' storage operations ([`super::Store::reviews`]).
#[async_trait]
pub trait ReviewStore: Send + Sync {
    /// Records a published evaluation: the pull request's current state, the reviewers asked
    /// (the first time each was asked is kept), who is awaited, and a history entry when the
    /// head, state or reason changed since the last one. Marks the pull request open.
    async fn record_review(&self, record: &ReviewRecord) -> StoreResult<()>;

    /// Marks a known pull request closed (nothing when it was never recorded); no one is
    /// awaited on it any more.
    async fn record_review_closed(
        &self,
        repo: &str,
        number: i64,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// One pull request with its details, requests and history, if recorded and visible.
    async fn review(
        &self,
        visible: &Visibility,
        repo: &str,
        number: i64,
    ) -> StoreResult<Option<ReviewView>>;

    /// The board: pull requests with design docs under the query's filters.
    async fn list_reviews(&self, query: &ReviewQuery) -> StoreResult<ReviewPage>;

    /// The audit log, newest first, with the total under the filters.
    async fn audit_page(&self, query: &AuditQuery) -> StoreResult<(Vec<AuditEntry>, i64)>;

    /// The dates of every review with design docs (the trends), optionally of one repository.
    async fn review_timelines(
        &self,
        visible: &Visibility,
        repo: Option<&str>,
    ) -> StoreResult<Vec<ReviewTimeline>>;
}

/// The awaited reviewers of a record, each with the time it was first asked, oldest first.
pub(crate) fn awaited_since(
    record: &ReviewRecord,
    requested_at: &[(String, DateTime<Utc>)],
) -> Vec<Awaited> {
    let mut awaited: Vec<Awaited> = record
        .awaited
        .iter()
        .map(|reviewer| Awaited {
            reviewer: reviewer.clone(),
            since: requested_at
                .iter()
                .find(|(r, _)| r == reviewer)
                .map_or(record.at, |(_, at)| *at),
        })
        .collect();
    awaited.sort_by(|a, b| a.since.cmp(&b.since).then(a.reviewer.cmp(&b.reviewer)));
    awaited
}

/// The columns of a [`ReviewSummary`], read by both backends.
/// `FROM ... WHERE` of one review by `(repo, pr_number)`.
pub(crate) const REVIEW_BY_KEY: &str =
    "FROM web_reviews AS r WHERE r.repo = $1 AND r.pr_number = $2";

pub(crate) const SUMMARY_COLUMNS: &str = "SELECT r.repo, r.pr_number, r.title, r.author, r.open, \
     r.state, r.reason, r.head_sha, r.docs, r.team, r.awaited, r.first_seen_at, r.evaluated_at, \
     r.approved_at, r.closed_at";

/// Binds a `repo IN (...)` list, or a condition that is never true for an empty one.
fn push_visible<'a, DB>(
    builder: &mut sqlx::QueryBuilder<'a, DB>,
    column: &str,
    visible: &Visibility,
) where
    DB: sqlx::Database,
    String: 'a + sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    let Some(repos) = visible.repos() else {
        return;
    };
    if repos.is_empty() {
        builder.push(" AND 1 = 0");
        return;
    }
    builder.push(format!(" AND {column} IN ("));
    let mut list = builder.separated(", ");
    for repo in repos {
        list.push_bind(repo);
    }
    builder.push(")");
}

/// `FROM web_reviews AS r WHERE ...`: the board's filters (the state's only `with_state`).
pub(crate) fn push_board_filters<'a, DB>(
    builder: &mut sqlx::QueryBuilder<'a, DB>,
    query: &ReviewQuery,
    with_state: bool,
) where
    DB: sqlx::Database,
    String: 'a + sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    bool: 'a + sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    builder
        .push(" FROM web_reviews AS r WHERE r.docs > 0 AND r.open = ")
        .push_bind(query.open);
    push_visible(builder, "r.repo", &query.visible);
    if let Some(repo) = &query.repo {
        builder.push(" AND r.repo = ").push_bind(repo.clone());
    }
    if let (true, Some(state)) = (with_state, query.state) {
        builder
            .push(" AND r.state = ")
            .push_bind(state.as_str().to_string());
    }
    if let Some(author) = &query.author {
        builder
            .push(" AND lower(r.author) = ")
            .push_bind(author.to_ascii_lowercase());
    }
    let asked = " EXISTS (SELECT 1 FROM web_review_requests AS q \
                 WHERE q.repo = r.repo AND q.pr_number = r.pr_number AND q.reviewer = ";
    if let Some(login) = &query.waiting_on {
        builder
            .push(" AND")
            .push(asked)
            .push_bind(format!("@{}", login.to_ascii_lowercase()))
            .push(" AND q.awaited = TRUE)");
    }
    if let Some(team) = &query.team {
        let team = team.trim_start_matches('@').to_ascii_lowercase();
        builder
            .push(" AND (lower(r.team) = ")
            .push_bind(team.clone())
            .push(" OR")
            .push(asked)
            .push_bind(format!("@{team}"))
            .push("))");
    }
}

/// The board's order and page.
pub(crate) fn push_board_page<'a, DB>(builder: &mut sqlx::QueryBuilder<'a, DB>, query: &ReviewQuery)
where
    DB: sqlx::Database,
    i64: 'a + sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    builder.push(match query.sort {
        ReviewSort::Age => " ORDER BY r.first_seen_at, r.repo, r.pr_number",
        ReviewSort::Waiting => {
            " ORDER BY r.waiting_since IS NULL, r.waiting_since, r.first_seen_at, r.repo, r.pr_number"
        }
        ReviewSort::Updated => " ORDER BY r.evaluated_at DESC, r.repo, r.pr_number",
    });
    builder
        .push(" LIMIT ")
        .push_bind(query.limit.clamp(1, 500))
        .push(" OFFSET ")
        .push_bind(query.offset.max(0));
}

/// `FROM audit_log WHERE ...`: the audit page's filters.
pub(crate) fn push_audit_filters<'a, DB>(
    builder: &mut sqlx::QueryBuilder<'a, DB>,
    query: &AuditQuery,
) where
    DB: sqlx::Database,
    String: 'a + sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    i64: 'a + sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    builder.push(" FROM audit_log WHERE 1 = 1");
    push_visible(builder, "repo", &query.visible);
    if let Some(repo) = &query.repo {
        builder.push(" AND repo = ").push_bind(repo.clone());
    }
    if let Some(number) = query.pr_number {
        builder.push(" AND pr_number = ").push_bind(number);
    }
    if let Some(actor) = &query.actor {
        builder
            .push(" AND lower(actor) = ")
            .push_bind(actor.trim_start_matches('@').to_ascii_lowercase());
    }
    if let Some(outcome) = &query.outcome {
        builder.push(" AND outcome = ").push_bind(outcome.clone());
    }
}

/// The counts per state, in [`ReviewState::ALL`]'s order, zeros included.
pub(crate) fn counts_in_order(found: Vec<(String, i64)>) -> Vec<(ReviewState, i64)> {
    ReviewState::ALL
        .into_iter()
        .map(|state| {
            let n = found
                .iter()
                .find(|(s, _)| s == state.as_str())
                .map_or(0, |(_, n)| *n);
            (state, n)
        })
        .collect()
}

/// A stored state that no longer parses is a database error (the CHECK constraint forbids it).
pub(crate) fn decode_state(text: &str) -> Result<ReviewState, sqlx::Error> {
    ReviewState::parse(text)
        .ok_or_else(|| sqlx::Error::Decode(format!("unknown review state {text:?}").into()))
}
