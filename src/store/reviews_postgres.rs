//! [`ReviewStore`] on PostgreSQL (native types). The statements and rows are shared with
//! SQLite (`reviews_rows`).

use sqlx::{PgConnection, Postgres, QueryBuilder};

use super::reviews::*;
use super::reviews_rows::{self as shared, ReviewRow, SummaryRow};
use super::rows::{self, AuditRow, StoredTime};
use super::*;

/// The backend's stored timestamp.
type Time = DateTime<Utc>;

impl PgStore {
    /// The reviewers asked on a PR, each with the time it was first asked.
    async fn requested_at(
        tx: &mut PgConnection,
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

    async fn record_requests(tx: &mut PgConnection, record: &ReviewRecord) -> StoreResult<()> {
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

    async fn record_history(tx: &mut PgConnection, record: &ReviewRecord) -> StoreResult<()> {
        let last: Option<(String, String, String)> = sqlx::query_as(shared::LAST_EVALUATION)
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
impl ReviewStore for PgStore {
    async fn record_review(&self, record: &ReviewRecord) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
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
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE web_reviews SET open = FALSE, closed_at = $3, awaited = '[]'::jsonb,
                 waiting_since = NULL
             WHERE repo = $1 AND pr_number = $2 AND open = TRUE",
        )
        .bind(repo)
        .bind(number)
        .bind(at)
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
                .fetch_optional(&self.pool)
                .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let requests: Vec<(String, Time, bool)> = sqlx::query_as(shared::SELECT_REQUESTS)
            .bind(repo)
            .bind(number)
            .fetch_all(&self.pool)
            .await?;
        let history: Vec<(Time, String, String, String)> = sqlx::query_as(shared::SELECT_HISTORY)
            .bind(repo)
            .bind(number)
            .fetch_all(&self.pool)
            .await?;
        Ok(Some(ReviewView {
            summary: row.summary.into_summary()?,
            detail: row.detail.0,
            requests: shared::requests(requests)?,
            history: shared::history(history)?,
        }))
    }

    async fn list_reviews(&self, query: &ReviewQuery) -> StoreResult<ReviewPage> {
        let mut rows = QueryBuilder::<Postgres>::new(SUMMARY_COLUMNS);
        push_board_filters(&mut rows, query, true);
        push_board_page(&mut rows, query);
        let rows: Vec<SummaryRow<Time>> = rows.build_query_as().fetch_all(&self.pool).await?;
        let mut total = QueryBuilder::<Postgres>::new("SELECT COUNT(*)");
        push_board_filters(&mut total, query, true);
        let total: i64 = total.build_query_scalar().fetch_one(&self.pool).await?;
        let mut counts = QueryBuilder::<Postgres>::new("SELECT r.state, COUNT(*)");
        push_board_filters(&mut counts, query, false);
        counts.push(" GROUP BY r.state");
        let counts: Vec<(String, i64)> = counts.build_query_as().fetch_all(&self.pool).await?;
        Ok(ReviewPage {
            rows: shared::summaries(rows)?,
            total,
            counts: counts_in_order(counts),
        })
    }

    async fn audit_page(&self, query: &AuditQuery) -> StoreResult<(Vec<AuditEntry>, i64)> {
        let mut rows = QueryBuilder::<Postgres>::new(format!("SELECT {}", rows::AUDIT_COLUMNS));
        push_audit_filters(&mut rows, query);
        rows.push(" ORDER BY at DESC, seq DESC LIMIT ")
            .push_bind(query.limit.clamp(1, 500))
            .push(" OFFSET ")
            .push_bind(query.offset.max(0));
        let rows: Vec<AuditRow<Time>> = rows.build_query_as().fetch_all(&self.pool).await?;
        let mut total = QueryBuilder::<Postgres>::new("SELECT COUNT(*)");
        push_audit_filters(&mut total, query);
        let total: i64 = total.build_query_scalar().fetch_one(&self.pool).await?;
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
            let mut builder = QueryBuilder::<Postgres>::new(shared::TIMELINE_COLUMNS);
            let query = ReviewQuery {
                open,
                ..query.clone()
            };
            push_board_filters(&mut builder, &query, false);
            found.extend(builder.build_query_as().fetch_all(&self.pool).await?);
        }
        Ok(shared::timelines(found)?)
    }
}
