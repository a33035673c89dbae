//! [`ReviewStore`] on SQLite (timestamps as microseconds, JSON as text).

use sqlx::sqlite::SqliteRow;
use sqlx::types::Json;
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};

use super::codec::{from_micros, to_micros};
use super::reviews::*;
use super::rows::{self, AuditRow};
use super::*;

fn summary_from_row(row: &SqliteRow) -> Result<ReviewSummary, sqlx::Error> {
    let optional = |column: &str| -> Result<Option<DateTime<Utc>>, sqlx::Error> {
        row.try_get::<Option<i64>, _>(column)?
            .map(from_micros)
            .transpose()
    };
    Ok(ReviewSummary {
        repo: row.try_get("repo")?,
        number: row.try_get("pr_number")?,
        title: row.try_get("title")?,
        author: row.try_get("author")?,
        open: row.try_get("open")?,
        state: decode_state(row.try_get("state")?)?,
        reason: row.try_get("reason")?,
        head_sha: row.try_get("head_sha")?,
        docs: row.try_get("docs")?,
        team: row.try_get("team")?,
        awaited: row.try_get::<Json<Vec<Awaited>>, _>("awaited")?.0,
        first_seen_at: from_micros(row.try_get("first_seen_at")?)?,
        evaluated_at: from_micros(row.try_get("evaluated_at")?)?,
        approved_at: optional("approved_at")?,
        closed_at: optional("closed_at")?,
    })
}

impl SqliteStore {
    /// The reviewers asked on a PR, each with the time it was first asked.
    async fn requested_at(
        tx: &mut SqliteConnection,
        repo: &str,
        number: i64,
    ) -> StoreResult<Vec<(String, DateTime<Utc>)>> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT reviewer, requested_at FROM web_review_requests
             WHERE repo = ?1 AND pr_number = ?2",
        )
        .bind(repo)
        .bind(number)
        .fetch_all(&mut *tx)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(reviewer, at)| Ok((reviewer, from_micros(at)?)))
            .collect::<Result<_, sqlx::Error>>()?)
    }

    async fn record_requests(tx: &mut SqliteConnection, record: &ReviewRecord) -> StoreResult<()> {
        let at = to_micros(record.at);
        for reviewer in record.requested.iter().chain(&record.awaited) {
            sqlx::query(
                "INSERT INTO web_review_requests (repo, pr_number, reviewer, requested_at, awaited)
                 VALUES (?1, ?2, ?3, ?4, FALSE) ON CONFLICT DO NOTHING",
            )
            .bind(&record.repo)
            .bind(record.number)
            .bind(reviewer)
            .bind(at)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "UPDATE web_review_requests SET awaited = FALSE WHERE repo = ?1 AND pr_number = ?2",
        )
        .bind(&record.repo)
        .bind(record.number)
        .execute(&mut *tx)
        .await?;
        for reviewer in &record.awaited {
            sqlx::query(
                "UPDATE web_review_requests SET awaited = TRUE
                 WHERE repo = ?1 AND pr_number = ?2 AND reviewer = ?3",
            )
            .bind(&record.repo)
            .bind(record.number)
            .bind(reviewer)
            .execute(&mut *tx)
            .await?;
        }
        Ok(())
    }

    async fn record_history(tx: &mut SqliteConnection, record: &ReviewRecord) -> StoreResult<()> {
        let last: Option<(String, String, String)> = sqlx::query_as(
            "SELECT head_sha, state, reason FROM web_evaluations
             WHERE repo = ?1 AND pr_number = ?2 ORDER BY seq DESC LIMIT 1",
        )
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
            sqlx::query(
                "INSERT INTO web_evaluations (repo, pr_number, at, head_sha, state, reason)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .bind(&record.repo)
            .bind(record.number)
            .bind(to_micros(record.at))
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
impl ReviewStore for SqliteStore {
    async fn record_review(&self, record: &ReviewRecord) -> StoreResult<()> {
        let mut tx = self.writer.begin().await?;
        Self::record_requests(&mut tx, record).await?;
        let requested = Self::requested_at(&mut tx, &record.repo, record.number).await?;
        let awaited = awaited_since(record, &requested);
        let at = to_micros(record.at);
        sqlx::query(
            "INSERT INTO web_reviews (repo, pr_number, title, author, open, state, reason,
                 head_sha, docs, team, awaited, waiting_since, detail, first_seen_at, evaluated_at,
                 approved_at, closed_at)
             VALUES (?1, ?2, ?3, ?4, TRUE, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13, ?14, NULL)
             ON CONFLICT (repo, pr_number) DO UPDATE SET
                 title = excluded.title, author = excluded.author, open = TRUE,
                 state = excluded.state, reason = excluded.reason, head_sha = excluded.head_sha,
                 docs = excluded.docs, team = excluded.team, awaited = excluded.awaited,
                 waiting_since = excluded.waiting_since, detail = excluded.detail,
                 first_seen_at = CASE WHEN web_reviews.docs = 0 AND excluded.docs > 0
                     THEN excluded.first_seen_at ELSE web_reviews.first_seen_at END,
                 evaluated_at = excluded.evaluated_at,
                 approved_at = COALESCE(web_reviews.approved_at, excluded.approved_at),
                 closed_at = NULL",
        )
        .bind(&record.repo)
        .bind(record.number)
        .bind(&record.title)
        .bind(&record.author)
        .bind(record.state.as_str())
        .bind(&record.reason)
        .bind(&record.head_sha)
        .bind(record.detail.docs.len() as i64)
        .bind(&record.team)
        .bind(Json(&awaited))
        .bind(awaited.first().map(|a| to_micros(a.since)))
        .bind(Json(&record.detail))
        .bind(at)
        .bind((record.state == ReviewState::Approved).then_some(at))
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
        let mut tx = self.writer.begin().await?;
        sqlx::query(
            "UPDATE web_reviews SET open = FALSE, closed_at = ?3, awaited = '[]',
                 waiting_since = NULL
             WHERE repo = ?1 AND pr_number = ?2 AND open = TRUE",
        )
        .bind(repo)
        .bind(number)
        .bind(to_micros(at))
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE web_review_requests SET awaited = FALSE WHERE repo = ?1 AND pr_number = ?2",
        )
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
        let Some(row) = sqlx::query(&format!(
            "{SUMMARY_COLUMNS}, r.detail FROM web_reviews AS r WHERE r.repo = ?1 AND r.pr_number = ?2"
        ))
        .bind(repo)
        .bind(number)
        .fetch_optional(&self.reader)
        .await?
        else {
            return Ok(None);
        };
        let summary = summary_from_row(&row)?;
        let detail = row.try_get::<Json<ReviewDetail>, _>("detail")?.0;
        let requests: Vec<(String, i64, bool)> = sqlx::query_as(
            "SELECT reviewer, requested_at, awaited FROM web_review_requests
             WHERE repo = ?1 AND pr_number = ?2 ORDER BY requested_at, reviewer",
        )
        .bind(repo)
        .bind(number)
        .fetch_all(&self.reader)
        .await?;
        let history: Vec<(i64, String, String, String)> = sqlx::query_as(
            "SELECT at, head_sha, state, reason FROM web_evaluations
             WHERE repo = ?1 AND pr_number = ?2 ORDER BY seq DESC LIMIT 100",
        )
        .bind(repo)
        .bind(number)
        .fetch_all(&self.reader)
        .await?;
        Ok(Some(ReviewView {
            summary,
            detail,
            requests: requests
                .into_iter()
                .map(|(reviewer, at, awaited)| {
                    Ok(RequestEntry {
                        reviewer,
                        requested_at: from_micros(at)?,
                        awaited,
                    })
                })
                .collect::<Result<_, sqlx::Error>>()?,
            history: history
                .into_iter()
                .map(|(at, head_sha, state, reason)| {
                    Ok(EvaluationEntry {
                        at: from_micros(at)?,
                        head_sha,
                        state: decode_state(&state)?,
                        reason,
                    })
                })
                .collect::<Result<_, sqlx::Error>>()?,
        }))
    }

    async fn list_reviews(&self, query: &ReviewQuery) -> StoreResult<ReviewPage> {
        let mut rows = QueryBuilder::<Sqlite>::new(SUMMARY_COLUMNS);
        push_board_filters(&mut rows, query, true);
        push_board_page(&mut rows, query);
        let rows = rows.build().fetch_all(&self.reader).await?;
        let mut total = QueryBuilder::<Sqlite>::new("SELECT COUNT(*)");
        push_board_filters(&mut total, query, true);
        let total: i64 = total.build_query_scalar().fetch_one(&self.reader).await?;
        let mut counts = QueryBuilder::<Sqlite>::new("SELECT r.state, COUNT(*)");
        push_board_filters(&mut counts, query, false);
        counts.push(" GROUP BY r.state");
        let counts: Vec<(String, i64)> = counts.build_query_as().fetch_all(&self.reader).await?;
        Ok(ReviewPage {
            rows: rows
                .iter()
                .map(summary_from_row)
                .collect::<Result<_, _>>()?,
            total,
            counts: counts_in_order(counts),
        })
    }

    async fn audit_page(&self, query: &AuditQuery) -> StoreResult<(Vec<AuditEntry>, i64)> {
        let mut rows = QueryBuilder::<Sqlite>::new(format!("SELECT {}", rows::AUDIT_COLUMNS));
        push_audit_filters(&mut rows, query);
        rows.push(" ORDER BY at DESC, seq DESC LIMIT ")
            .push_bind(query.limit.clamp(1, 500))
            .push(" OFFSET ")
            .push_bind(query.offset.max(0));
        let rows: Vec<AuditRow<i64>> = rows.build_query_as().fetch_all(&self.reader).await?;
        let mut total = QueryBuilder::<Sqlite>::new("SELECT COUNT(*)");
        push_audit_filters(&mut total, query);
        let total: i64 = total.build_query_scalar().fetch_one(&self.reader).await?;
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
        let mut found: Vec<(String, i64, Option<i64>, Option<i64>)> = Vec::new();
        for open in [true, false] {
            let mut builder = QueryBuilder::<Sqlite>::new(
                "SELECT r.repo, r.first_seen_at, r.approved_at, r.closed_at",
            );
            push_board_filters(
                &mut builder,
                &ReviewQuery {
                    open,
                    ..query.clone()
                },
                false,
            );
            found.extend(
                builder
                    .build_query_as::<(String, i64, Option<i64>, Option<i64>)>()
                    .fetch_all(&self.reader)
                    .await?,
            );
        }
        Ok(found
            .into_iter()
            .map(|(repo, first, approved, closed)| {
                Ok(ReviewTimeline {
                    repo,
                    first_seen_at: from_micros(first)?,
                    approved_at: approved.map(from_micros).transpose()?,
                    closed_at: closed.map(from_micros).transpose()?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?)
    }
}
