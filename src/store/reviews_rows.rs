//! What the two [`ReviewStore`](super::ReviewStore) backends share: the statements (with `$N`
//! placeholders, which SQLite accepts too), the rows they decode into and the conversions to
//! the store's types. `T` is the backend's [`StoredTime`].

use chrono::{DateTime, Utc};
use sqlx::types::Json;

use super::reviews::{
    Awaited, EvaluationEntry, RequestEntry, ReviewRecord, ReviewState, ReviewSummary,
    ReviewTimeline, decode_state,
};
use super::rows::StoredTime;

/// An optional stored timestamp as UTC.
fn optional<T: StoredTime>(at: Option<T>) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    at.map(StoredTime::into_utc).transpose()
}

/// One board row, as [`super::reviews::SUMMARY_COLUMNS`] selects it.
#[derive(sqlx::FromRow)]
pub(crate) struct SummaryRow<T> {
    repo: String,
    pr_number: i64,
    title: String,
    author: String,
    open: bool,
    state: String,
    reason: String,
    head_sha: String,
    docs: i64,
    team: Option<String>,
    awaited: Json<Vec<Awaited>>,
    first_seen_at: T,
    evaluated_at: T,
    approved_at: Option<T>,
    closed_at: Option<T>,
}

impl<T: StoredTime> SummaryRow<T> {
    pub(crate) fn into_summary(self) -> Result<ReviewSummary, sqlx::Error> {
        Ok(ReviewSummary {
            repo: self.repo,
            number: self.pr_number,
            title: self.title,
            author: self.author,
            open: self.open,
            state: decode_state(&self.state)?,
            reason: self.reason,
            head_sha: self.head_sha,
            docs: self.docs,
            team: self.team,
            awaited: self.awaited.0,
            first_seen_at: self.first_seen_at.into_utc()?,
            evaluated_at: self.evaluated_at.into_utc()?,
            approved_at: optional(self.approved_at)?,
            closed_at: optional(self.closed_at)?,
        })
    }
}

/// One review with its details, for its page.
#[derive(sqlx::FromRow)]
pub(crate) struct ReviewRow<T> {
    #[sqlx(flatten)]
    pub(crate) summary: SummaryRow<T>,
    pub(crate) detail: Json<super::reviews::ReviewDetail>,
}

/// Decodes board rows.
pub(crate) fn summaries<T: StoredTime>(
    rows: Vec<SummaryRow<T>>,
) -> Result<Vec<ReviewSummary>, sqlx::Error> {
    rows.into_iter().map(SummaryRow::into_summary).collect()
}

/// The reviewers asked on a PR with when they were first asked.
pub(crate) const SELECT_REQUESTED_AT: &str = "SELECT reviewer, requested_at \
     FROM web_review_requests WHERE repo = $1 AND pr_number = $2";

/// Decodes the rows of [`SELECT_REQUESTED_AT`].
pub(crate) fn requested_at<T: StoredTime>(
    rows: Vec<(String, T)>,
) -> Result<Vec<(String, DateTime<Utc>)>, sqlx::Error> {
    rows.into_iter()
        .map(|(reviewer, at)| Ok((reviewer, at.into_utc()?)))
        .collect()
}

/// Records a reviewer as asked (once: the first time is kept).
pub(crate) const INSERT_REQUEST: &str = "INSERT INTO web_review_requests \
     (repo, pr_number, reviewer, requested_at, awaited) \
     VALUES ($1, $2, $3, $4, FALSE) ON CONFLICT DO NOTHING";

/// Nobody is awaited on a PR (before the awaited ones are marked again, or once it closed).
pub(crate) const CLEAR_AWAITED: &str =
    "UPDATE web_review_requests SET awaited = FALSE WHERE repo = $1 AND pr_number = $2";

/// Marks one reviewer of a PR awaited.
pub(crate) const MARK_AWAITED: &str = "UPDATE web_review_requests SET awaited = TRUE \
     WHERE repo = $1 AND pr_number = $2 AND reviewer = $3";

/// The last outcome in a PR's history.
pub(crate) const LAST_EVALUATION: &str = "SELECT head_sha, state, reason FROM web_evaluations \
     WHERE repo = $1 AND pr_number = $2 ORDER BY seq DESC LIMIT 1";

/// Appends an outcome to a PR's history.
pub(crate) const INSERT_EVALUATION: &str = "INSERT INTO web_evaluations \
     (repo, pr_number, at, head_sha, state, reason) VALUES ($1, $2, $3, $4, $5, $6)";

/// The reviewers of a PR for its details page.
pub(crate) const SELECT_REQUESTS: &str = "SELECT reviewer, requested_at, awaited \
     FROM web_review_requests WHERE repo = $1 AND pr_number = $2 \
     ORDER BY requested_at, reviewer";

/// Decodes the rows of [`SELECT_REQUESTS`].
pub(crate) fn requests<T: StoredTime>(
    rows: Vec<(String, T, bool)>,
) -> Result<Vec<RequestEntry>, sqlx::Error> {
    rows.into_iter()
        .map(|(reviewer, at, awaited)| {
            Ok(RequestEntry {
                reviewer,
                requested_at: at.into_utc()?,
                awaited,
            })
        })
        .collect()
}

/// The newest hundred outcomes of a PR.
pub(crate) const SELECT_HISTORY: &str = "SELECT at, head_sha, state, reason \
     FROM web_evaluations WHERE repo = $1 AND pr_number = $2 ORDER BY seq DESC LIMIT 100";

/// Decodes the rows of [`SELECT_HISTORY`].
pub(crate) fn history<T: StoredTime>(
    rows: Vec<(T, String, String, String)>,
) -> Result<Vec<EvaluationEntry>, sqlx::Error> {
    rows.into_iter()
        .map(|(at, head_sha, state, reason)| {
            Ok(EvaluationEntry {
                at: at.into_utc()?,
                head_sha,
                state: decode_state(&state)?,
                reason,
            })
        })
        .collect()
}

/// The columns the timelines read, before the board's filters.
pub(crate) const TIMELINE_COLUMNS: &str =
    "SELECT r.repo, r.first_seen_at, r.approved_at, r.closed_at";

/// Decodes the rows of [`TIMELINE_COLUMNS`].
pub(crate) fn timelines<T: StoredTime>(
    rows: Vec<(String, T, Option<T>, Option<T>)>,
) -> Result<Vec<ReviewTimeline>, sqlx::Error> {
    rows.into_iter()
        .map(|(repo, first, approved, closed)| {
            Ok(ReviewTimeline {
                repo,
                first_seen_at: first.into_utc()?,
                approved_at: optional(approved)?,
                closed_at: optional(closed)?,
            })
        })
        .collect()
}

/// Records the evaluation of an open PR (`$1`..`$14`, see [`bind_review`]).
pub(crate) const UPSERT_REVIEW: &str = "INSERT INTO web_reviews (repo, pr_number, title, author, \
     open, state, reason, head_sha, docs, team, awaited, waiting_since, detail, first_seen_at, \
     evaluated_at, approved_at, closed_at)
     VALUES ($1, $2, $3, $4, TRUE, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14, NULL)
     ON CONFLICT (repo, pr_number) DO UPDATE SET
         title = excluded.title, author = excluded.author, open = TRUE,
         state = excluded.state, reason = excluded.reason, head_sha = excluded.head_sha,
         docs = excluded.docs, team = excluded.team, awaited = excluded.awaited,
         waiting_since = excluded.waiting_since, detail = excluded.detail,
         first_seen_at = CASE WHEN web_reviews.docs = 0 AND excluded.docs > 0
             THEN excluded.first_seen_at ELSE web_reviews.first_seen_at END,
         evaluated_at = excluded.evaluated_at,
         approved_at = COALESCE(web_reviews.approved_at, excluded.approved_at),
         closed_at = NULL";

/// Binds `record`, with the reviewers it awaits, to [`UPSERT_REVIEW`].
pub(crate) fn bind_review<'q, DB, T>(
    query: sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>,
    record: &'q ReviewRecord,
    awaited: Vec<Awaited>,
) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>
where
    DB: sqlx::Database,
    T: StoredTime + 'q + Send + sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<T>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    &'q String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    &'q Option<String>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Json<Vec<Awaited>>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Json<&'q super::reviews::ReviewDetail>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let docs = i64::try_from(record.detail.docs.len()).unwrap_or(i64::MAX);
    let waiting_since = awaited.first().map(|a| T::stored(a.since));
    query
        .bind(&record.repo)
        .bind(record.number)
        .bind(&record.title)
        .bind(&record.author)
        .bind(record.state.as_str())
        .bind(&record.reason)
        .bind(&record.head_sha)
        .bind(docs)
        .bind(&record.team)
        .bind(Json(awaited))
        .bind(waiting_since)
        .bind(Json(&record.detail))
        .bind(T::stored(record.at))
        .bind((record.state == ReviewState::Approved).then(|| T::stored(record.at)))
}

/// The [`ReviewStore`](super::ReviewStore) of a backend: one implementation, written once,
/// instantiated for each backend's store, SQL dialect, connection and [`StoredTime`]. The
/// backends differ only in the arguments: the pools to write and read with, and how an empty
/// JSON array is written.
macro_rules! review_store {
    (
        store: $store:ty,
        db: $db:ty,
        conn: $conn:ty,
        time: $time:ty,
        writer: $writer:ident,
        reader: $reader:ident,
        empty_json: $empty_json:literal $(,)?
    ) => {
        use super::reviews::*;
        use super::reviews_rows::{self as shared, ReviewRow, SummaryRow};
        use super::rows::{self, AuditRow, StoredTime};
        use super::*;
        use sqlx::QueryBuilder;

        /// The backend's stored timestamp.
        type Time = $time;

        impl $store {
            /// The reviewers asked on a PR, each with the time it was first asked.
            async fn requested_at(
                tx: &mut $conn,
                repo: &str,
                number: i64,
            ) -> StoreResult<Vec<(String, DateTime<Utc>)>> {
                let rows: Vec<(String, Time)> = sqlx::query_as(shared::SELECT_REQUESTED_AT)
                    .bind(repo)
                    .bind(number)
                    .fetch_all(&mut *tx)
                    .await?;
                Ok(shared::requested_at(rows)?)
            }

            async fn record_requests(tx: &mut $conn, record: &ReviewRecord) -> StoreResult<()> {
                let at = Time::stored(record.at);
                for reviewer in record.requested.iter().chain(&record.awaited) {
                    sqlx::query(shared::INSERT_REQUEST)
                        .bind(&record.repo)
                        .bind(record.number)
                        .bind(reviewer)
                        .bind(at)
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query(shared::CLEAR_AWAITED)
                    .bind(&record.repo)
                    .bind(record.number)
                    .execute(&mut *tx)
                    .await?;
                for reviewer in &record.awaited {
                    sqlx::query(shared::MARK_AWAITED)
                        .bind(&record.repo)
                        .bind(record.number)
                        .bind(reviewer)
                        .execute(&mut *tx)
                        .await?;
                }
                Ok(())
            }

            async fn record_history(tx: &mut $conn, record: &ReviewRecord) -> StoreResult<()> {
                let last: Option<(String, String, String)> =
                    sqlx::query_as(shared::LAST_EVALUATION)
                        .bind(&record.repo)
                        .bind(record.number)
                        .fetch_optional(&mut *tx)
                        .await?;
                let now = (
                    record.head_sha.clone(),
                    record.state.as_str().to_string(),
                    record.reason.clone(),
                );
                if last.as_ref() != Some(&now) {
                    sqlx::query(shared::INSERT_EVALUATION)
                        .bind(&record.repo)
                        .bind(record.number)
                        .bind(Time::stored(record.at))
                        .bind(now.0)
                        .bind(now.1)
                        .bind(now.2)
                        .execute(&mut *tx)
                        .await?;
                }
                Ok(())
            }
        }

        #[async_trait]
        impl ReviewStore for $store {
            async fn record_review(&self, record: &ReviewRecord) -> StoreResult<()> {
                let mut tx = self.$writer.begin().await?;
                Self::record_requests(&mut tx, record).await?;
                let requested = Self::requested_at(&mut tx, &record.repo, record.number).await?;
                let awaited = awaited_since(record, &requested);
                shared::bind_review::<_, Time>(sqlx::query(shared::UPSERT_REVIEW), record, awaited)
                    .execute(&mut *tx)
                    .await?;
                Self::record_history(&mut tx, record).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn record_review_closed(
                &self,
                repo: &str,
                number: i64,
                at: DateTime<Utc>,
            ) -> StoreResult<()> {
                let mut tx = self.$writer.begin().await?;
                sqlx::query(&format!(
                    "UPDATE web_reviews SET open = FALSE, closed_at = $3, awaited = {},
                             waiting_since = NULL
                         WHERE repo = $1 AND pr_number = $2 AND open = TRUE",
                    $empty_json
                ))
                .bind(repo)
                .bind(number)
                .bind(Time::stored(at))
                .execute(&mut *tx)
                .await?;
                sqlx::query(shared::CLEAR_AWAITED)
                    .bind(repo)
                    .bind(number)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn review(
                &self,
                visible: &Visibility,
                repo: &str,
                number: i64,
            ) -> StoreResult<Option<ReviewView>> {
                if visible
                    .repos()
                    .is_some_and(|r| !r.iter().any(|r| r == repo))
                {
                    return Ok(None);
                }
                let row: Option<ReviewRow<Time>> =
                    sqlx::query_as(&format!("{SUMMARY_COLUMNS}, r.detail {REVIEW_BY_KEY}"))
                        .bind(repo)
                        .bind(number)
                        .fetch_optional(&self.$reader)
                        .await?;
                let Some(row) = row else {
                    return Ok(None);
                };
                let requests: Vec<(String, Time, bool)> = sqlx::query_as(shared::SELECT_REQUESTS)
                    .bind(repo)
                    .bind(number)
                    .fetch_all(&self.$reader)
                    .await?;
                let history: Vec<(Time, String, String, String)> =
                    sqlx::query_as(shared::SELECT_HISTORY)
                        .bind(repo)
                        .bind(number)
                        .fetch_all(&self.$reader)
                        .await?;
                Ok(Some(ReviewView {
                    summary: row.summary.into_summary()?,
                    detail: row.detail.0,
                    requests: shared::requests(requests)?,
                    history: shared::history(history)?,
                }))
            }

            async fn list_reviews(&self, query: &ReviewQuery) -> StoreResult<ReviewPage> {
                let mut rows = QueryBuilder::<$db>::new(SUMMARY_COLUMNS);
                push_board_filters(&mut rows, query, true);
                push_board_page(&mut rows, query);
                let rows: Vec<SummaryRow<Time>> =
                    rows.build_query_as().fetch_all(&self.$reader).await?;
                let mut total = QueryBuilder::<$db>::new("SELECT COUNT(*)");
                push_board_filters(&mut total, query, true);
                let total: i64 = total.build_query_scalar().fetch_one(&self.$reader).await?;
                let mut counts = QueryBuilder::<$db>::new("SELECT r.state, COUNT(*)");
                push_board_filters(&mut counts, query, false);
                counts.push(" GROUP BY r.state");
                let counts: Vec<(String, i64)> =
                    counts.build_query_as().fetch_all(&self.$reader).await?;
                Ok(ReviewPage {
                    rows: shared::summaries(rows)?,
                    total,
                    counts: counts_in_order(counts),
                })
            }

            async fn audit_page(&self, query: &AuditQuery) -> StoreResult<(Vec<AuditEntry>, i64)> {
                let mut rows = QueryBuilder::<$db>::new(format!("SELECT {}", rows::AUDIT_COLUMNS));
                push_audit_filters(&mut rows, query);
                rows.push(" ORDER BY at DESC, seq DESC LIMIT ")
                    .push_bind(query.limit.clamp(1, 500))
                    .push(" OFFSET ")
                    .push_bind(query.offset.max(0));
                let rows: Vec<AuditRow<Time>> =
                    rows.build_query_as().fetch_all(&self.$reader).await?;
                let mut total = QueryBuilder::<$db>::new("SELECT COUNT(*)");
                push_audit_filters(&mut total, query);
                let total: i64 = total.build_query_scalar().fetch_one(&self.$reader).await?;
                let entries = rows::audit_entries(rows)?;
                Ok((entries, total))
            }

            async fn review_timelines(
                &self,
                visible: &Visibility,
                repo: Option<&str>,
            ) -> StoreResult<Vec<ReviewTimeline>> {
                let query = ReviewQuery {
                    repo: repo.map(str::to_string),
                    ..ReviewQuery::open(visible.clone())
                };
                let mut found: Vec<(String, Time, Option<Time>, Option<Time>)> = Vec::new();
                for open in [true, false] {
                    let mut builder = QueryBuilder::<$db>::new(shared::TIMELINE_COLUMNS);
                    let query = ReviewQuery {
                        open,
                        ..query.clone()
                    };
                    push_board_filters(&mut builder, &query, false);
                    found.extend(builder.build_query_as().fetch_all(&self.$reader).await?);
                }
                Ok(shared::timelines(found)?)
            }
        }
    };
}

pub(crate) use review_store;
