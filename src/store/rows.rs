//! Rows both SQL backends store alike: the query texts (written with `$N` placeholders, which
//! SQLite accepts too), the row structs they decode into and the conversions between rows and
//! the store's types. The backends differ only in how they store a timestamp ([`StoredTime`]).
//!
//! GitHub ids are unsigned in the crate and signed in both databases: [`id_column`] and
//! [`id_from_column`] are the one place that converts them.

use chrono::{DateTime, Utc};
use sqlx::types::Json;

use super::{
    AuditEntry, AuditOutcome, CheckRunRef, Delivery, NewDelivery, PrState, PublishedCheck,
    PublishedStatus, ReviewRequest, Skip, StoreError, StoreResult,
};
use crate::domain::{CheckRunId, CommentId, CommitSha, InstallationId, PrNumber};

/// A timestamp as a backend stores it: microseconds in an INTEGER on SQLite, TIMESTAMPTZ on
/// PostgreSQL.
pub(crate) trait StoredTime: Sized {
    fn stored(at: DateTime<Utc>) -> Self;
    fn into_utc(self) -> Result<DateTime<Utc>, sqlx::Error>;
}

impl StoredTime for i64 {
    fn stored(at: DateTime<Utc>) -> Self {
        super::codec::to_micros(at)
    }

    fn into_utc(self) -> Result<DateTime<Utc>, sqlx::Error> {
        super::codec::from_micros(self)
    }
}

impl StoredTime for DateTime<Utc> {
    fn stored(at: DateTime<Utc>) -> Self {
        at
    }

    fn into_utc(self) -> Result<DateTime<Utc>, sqlx::Error> {
        Ok(self)
    }
}

/// A GitHub id (or PR number) as the signed integer both databases store.
pub(crate) fn id_column(id: u64) -> StoreResult<i64> {
    i64::try_from(id).map_err(|_| {
        StoreError::Database(sqlx::Error::Encode(
            format!("GitHub id {id} does not fit a database integer").into(),
        ))
    })
}

/// The inverse of [`id_column`]; fails the row decode on a negative value.
pub(crate) fn id_from_column(value: i64) -> Result<u64, sqlx::Error> {
    u64::try_from(value)
        .map_err(|_| sqlx::Error::Decode(format!("negative GitHub id {value}").into()))
}

/// The columns of the audit log, in [`AuditRow`]'s order.
pub(crate) const AUDIT_COLUMNS: &str =
    "at, repo, pr_number, head_sha, actor, command, reason, outcome, outcome_detail";

/// One line of the audit log as stored; `T` is the backend's [`StoredTime`].
#[derive(sqlx::FromRow)]
pub(crate) struct AuditRow<T> {
    at: T,
    repo: String,
    pr_number: i64,
    head_sha: Option<String>,
    actor: String,
    command: String,
    reason: Option<String>,
    outcome: String,
    outcome_detail: Option<String>,
}

impl<T: StoredTime> AuditRow<T> {
    /// The columns of `entry`; fails on a PR number no database integer holds.
    pub(crate) fn new(entry: &AuditEntry) -> StoreResult<Self> {
        Ok(Self {
            at: T::stored(entry.at),
            repo: entry.repo.clone(),
            pr_number: id_column(entry.pr_number.0)?,
            head_sha: entry.head_sha.clone(),
            actor: entry.actor.clone(),
            command: entry.command.clone(),
            reason: entry.reason.clone(),
            outcome: entry.outcome.kind().to_string(),
            outcome_detail: entry.outcome.detail().map(str::to_string),
        })
    }

    pub(crate) fn into_entry(self) -> Result<AuditEntry, sqlx::Error> {
        let outcome =
            AuditOutcome::from_parts(&self.outcome, self.outcome_detail).ok_or_else(|| {
                sqlx::Error::Decode(format!("unknown audit outcome {:?}", self.outcome).into())
            })?;
        Ok(AuditEntry {
            at: self.at.into_utc()?,
            repo: self.repo,
            pr_number: PrNumber(id_from_column(self.pr_number)?),
            head_sha: self.head_sha,
            actor: self.actor,
            command: self.command,
            reason: self.reason,
            outcome,
        })
    }
}

/// Decodes audit rows into entries.
pub(crate) fn audit_entries<T: StoredTime>(
    rows: Vec<AuditRow<T>>,
) -> Result<Vec<AuditEntry>, sqlx::Error> {
    rows.into_iter().map(AuditRow::into_entry).collect()
}

/// Appends one entry; the backend binds an [`AuditRow`] with [`bind_audit`].
pub(crate) const INSERT_AUDIT: &str = "INSERT INTO audit_log \
     (at, repo, pr_number, head_sha, actor, command, reason, outcome, outcome_detail) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

/// Binds `row` to [`INSERT_AUDIT`].
pub(crate) fn bind_audit<'q, DB, T>(
    query: sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>,
    row: AuditRow<T>,
) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>
where
    DB: sqlx::Database,
    T: 'q + Send + sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<String>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    query
        .bind(row.at)
        .bind(row.repo)
        .bind(row.pr_number)
        .bind(row.head_sha)
        .bind(row.actor)
        .bind(row.command)
        .bind(row.reason)
        .bind(row.outcome)
        .bind(row.outcome_detail)
}

/// A PR's remembered state, by `(repo, pr_number)`.
pub(crate) const SELECT_PR_STATE: &str = "SELECT comment_id, comment_hash, check_head_sha, \
     check_run_id, check_status, check_digest, check_notes, skip, requested \
     FROM pr_state WHERE repo = $1 AND pr_number = $2";

/// Replaces a PR's remembered state: `(repo, pr_number)`, a [`PrStateRow`] from `$3` and the
/// time of the write as `$12`.
pub(crate) const UPSERT_PR_STATE: &str = "INSERT INTO pr_state (repo, pr_number, comment_id, \
     comment_hash, check_head_sha, check_run_id, check_status, check_digest, check_notes, skip, \
     requested, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (repo, pr_number) DO UPDATE SET
        comment_id = excluded.comment_id, comment_hash = excluded.comment_hash,
        check_head_sha = excluded.check_head_sha, check_run_id = excluded.check_run_id,
        check_status = excluded.check_status, check_digest = excluded.check_digest,
        check_notes = excluded.check_notes, skip = excluded.skip,
        requested = excluded.requested, updated_at = excluded.updated_at";

/// A PR's remembered state as stored.
#[derive(sqlx::FromRow)]
pub(crate) struct PrStateRow {
    comment_id: Option<i64>,
    comment_hash: Option<String>,
    check_head_sha: Option<String>,
    check_run_id: Option<i64>,
    check_status: Option<String>,
    check_digest: Option<String>,
    check_notes: Option<String>,
    skip: Option<Json<Skip>>,
    requested: Json<Vec<ReviewRequest>>,
}

impl PrStateRow {
    /// The columns of `state`; fails on an id no database integer holds.
    pub(crate) fn new(state: &PrState) -> StoreResult<Self> {
        let check = state.check.as_ref();
        Ok(Self {
            comment_id: state.comment_id.map(|id| id_column(id.0)).transpose()?,
            comment_hash: state.comment_hash.clone(),
            check_head_sha: state.check_run.as_ref().map(|run| run.head.0.clone()),
            check_run_id: state
                .check_run
                .as_ref()
                .map(|run| id_column(run.id.0))
                .transpose()?,
            check_status: check.map(|c| c.status.as_str().to_string()),
            check_digest: check.map(|c| c.digest.clone()),
            check_notes: check.and_then(|c| c.notes.clone()),
            skip: state.skip.clone().map(Json),
            requested: Json(state.requested.clone()),
        })
    }

    pub(crate) fn into_state(self) -> Result<PrState, sqlx::Error> {
        let check_run = match (self.check_head_sha, self.check_run_id) {
            (Some(head), Some(id)) => Some(CheckRunRef {
                head: CommitSha(head),
                id: CheckRunId(id_from_column(id)?),
            }),
            _ => None,
        };
        let check = match (self.check_status, self.check_digest) {
            (Some(status), Some(digest)) => Some(PublishedCheck {
                status: PublishedStatus::parse(&status).ok_or_else(|| {
                    sqlx::Error::Decode(format!("unknown check status {status:?}").into())
                })?,
                digest,
                notes: self.check_notes,
            }),
            _ => None,
        };
        Ok(PrState {
            comment_id: self
                .comment_id
                .map(id_from_column)
                .transpose()?
                .map(CommentId),
            comment_hash: self.comment_hash,
            check_run,
            check,
            skip: self.skip.map(|skip| skip.0),
            requested: self.requested.0,
        })
    }
}

/// Binds `(repo, pr_number)` and `row` to [`UPSERT_PR_STATE`] (the caller binds the time).
pub(crate) fn bind_pr_state<'q, DB>(
    query: sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>,
    key: (String, i64),
    row: PrStateRow,
) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>
where
    DB: sqlx::Database,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<String>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<Json<Skip>>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Json<Vec<ReviewRequest>>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    query
        .bind(key.0)
        .bind(key.1)
        .bind(row.comment_id)
        .bind(row.comment_hash)
        .bind(row.check_head_sha)
        .bind(row.check_run_id)
        .bind(row.check_status)
        .bind(row.check_digest)
        .bind(row.check_notes)
        .bind(row.skip)
        .bind(row.requested)
}

/// A payload as a backend stores it: LZ4-compressed bytes on SQLite ([`super::codec`]), text on
/// PostgreSQL (which compresses large values itself).
pub(crate) trait StoredPayload: Sized {
    fn into_text(self) -> Result<String, sqlx::Error>;
}

impl StoredPayload for Vec<u8> {
    fn into_text(self) -> Result<String, sqlx::Error> {
        super::codec::decompress_payload(self)
    }
}

impl StoredPayload for String {
    fn into_text(self) -> Result<String, sqlx::Error> {
        Ok(self)
    }
}

/// A delivery as stored; `T` is the backend's [`StoredTime`], `P` its [`StoredPayload`].
#[derive(sqlx::FromRow)]
pub(crate) struct DeliveryRow<T, P> {
    id: String,
    event: String,
    action: Option<String>,
    installation_id: Option<i64>,
    repo: Option<String>,
    pr_key: Option<String>,
    coalescable: bool,
    payload: P,
    status: String,
    attempts: i32,
    last_error: Option<String>,
    received_at: T,
    available_at: T,
    finished_at: Option<T>,
    claimed_by: Option<String>,
}

impl<T: StoredTime, P: StoredPayload> DeliveryRow<T, P> {
    pub(crate) fn into_delivery(self) -> Result<Delivery, sqlx::Error> {
        Ok(Delivery {
            arrived: NewDelivery {
                id: self.id,
                event: self.event,
                action: self.action,
                installation_id: self
                    .installation_id
                    .map(id_from_column)
                    .transpose()?
                    .map(InstallationId),
                repo: self.repo,
                pr_key: self.pr_key,
                coalescable: self.coalescable,
                payload: self.payload.into_text()?,
                received_at: self.received_at.into_utc()?,
            },
            status: super::codec::decode_status(&self.status)?,
            attempts: self.attempts,
            last_error: self.last_error,
            available_at: self.available_at.into_utc()?,
            finished_at: self.finished_at.map(StoredTime::into_utc).transpose()?,
            claimed_by: self.claimed_by,
        })
    }
}
