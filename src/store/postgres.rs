//! PostgreSQL backend: one database shared by several server replicas.
//!
//! Claims are serialised across every process with a transaction-scoped advisory lock: a claim
//! is a handful of indexed statements, so taking them one at a time costs little and makes the
//! per-PR rule ("never two deliveries of one PR in flight") hold without relying on row locks,
//! which cannot see a *missing* row. All other operations are single statements. Queue times
//! (availability, leases) come from the database clock, so replicas with skewed clocks agree.

use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions, PgRow};
use sqlx::{Postgres, QueryBuilder};

use super::codec;
use super::deliveries_rows::{self, delivery_store, push_delivery_columns};
use super::intake::{self, BatchInsert, Intake};
use super::rows::{self, AuditRow};
use super::*;

/// The advisory lock key every claim takes ("drqueue" in ASCII): one global claim lock.
const CLAIM_LOCK: i64 = 0x0064_7271_7565_7565;
/// Connections per process.
const MAX_CONNECTIONS: u32 = 10;
/// Intake batches committed at the same time (each holds one pooled connection while it does).
const CONCURRENT_BATCHES: usize = 3;
/// How long an operation waits for a free connection before failing.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

const DELIVERY_COLUMNS: &str = "id, event, action, installation_id, repo, pr_key, coalescable, \
     payload, status, attempts, last_error, received_at, available_at, finished_at, claimed_by";

/// The oldest claimable delivery: pending and available, or processing under an expired lease;
/// and, when it belongs to a PR, the PR's oldest unfinished delivery with no other delivery of
/// the PR held under a live lease.
const CANDIDATE_SQL: &str = "
SELECT seq, coalescable FROM deliveries AS d
WHERE ((d.status = 'pending' AND d.available_at <= $1)
       OR (d.status = 'processing' AND d.lease_until < $1))
  AND (d.pr_key IS NULL OR (
    NOT EXISTS (SELECT 1 FROM deliveries AS o WHERE o.pr_key = d.pr_key
        AND o.status = 'processing' AND o.lease_until >= $1)
    AND NOT EXISTS (SELECT 1 FROM deliveries AS o WHERE o.pr_key = d.pr_key
        AND o.status IN ('pending', 'processing') AND o.seq < d.seq)))
ORDER BY seq
LIMIT 1";

/// The store on a PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PgStore {
    pub(super) pool: PgPool,
    intake: Intake,
}

delivery_store! {
    store: PgStore,
    conn: sqlx::PgConnection,
    db: Postgres,
    time: DateTime<Utc>,
    writer: pool,
    reader: pool,
    candidate: CANDIDATE_SQL,
}

/// Stores deliveries for the [`Intake`] task.
struct PgIntake {
    pool: PgPool,
}

impl PgStore {
    /// Connects a pool to the database named by a `postgres://` URL and runs the embedded
    /// migrations (sqlx takes an advisory lock, so replicas starting together are safe).
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect(url)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        let intake = Intake::start(PgIntake { pool: pool.clone() });
        Ok(Self { pool, intake })
    }

    /// Claims inside an open transaction that holds the claim lock.
    async fn claim_in(
        tx: &mut sqlx::PgConnection,
        worker: &str,
        lease: Duration,
    ) -> StoreResult<Option<Delivery>> {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(CLAIM_LOCK)
            .execute(&mut *tx)
            .await?;
        // Read after the lock: waiting for it may have taken a while.
        let now: DateTime<Utc> = sqlx::query_scalar("SELECT clock_timestamp()")
            .fetch_one(&mut *tx)
            .await?;

        let Some(target) = Self::claim_target(tx, now).await? else {
            return Ok(None);
        };

        let row = sqlx::query(&format!(
            "UPDATE deliveries
             SET status = 'processing', attempts = attempts + 1,
                 lease_until = $2 + make_interval(secs => $3), claimed_by = $4
             WHERE seq = $1
             RETURNING {DELIVERY_COLUMNS}"
        ))
        .bind(target)
        .bind(now)
        .bind(lease_seconds(lease))
        .bind(codec::claim_token(worker))
        .fetch_one(&mut *tx)
        .await?;
        Ok(Some(delivery_from_row(&row)?))
    }
}

impl PgStore {
    /// Runs `delete` (binding `$1` to `older_than` and `$2` to the batch size) until a batch
    /// deletes fewer rows than the batch size, each batch its own short transaction. Returns
    /// how many rows were deleted.
    async fn delete_in_batches(&self, delete: &str, older_than: DateTime<Utc>) -> StoreResult<u64> {
        codec::in_batches(|| async {
            let deleted = sqlx::query(delete)
                .bind(older_than)
                .bind(codec::PRUNE_BATCH)
                .execute(&self.pool)
                .await?;
            Ok(deleted.rows_affected())
        })
        .await
    }
}

/// A lease as the seconds argument of `make_interval`, capped like every lease.
fn lease_seconds(lease: Duration) -> f64 {
    lease.min(codec::MAX_LEASE).as_secs_f64()
}

#[async_trait]
impl BatchInsert for PgIntake {
    /// One multi-row statement: one round trip and one commit for the whole batch.
    async fn insert_batch(&self, batch: &[NewDelivery]) -> StoreResult<Vec<InsertOutcome>> {
        let mut rows = QueryBuilder::<Postgres>::new(
            "INSERT INTO deliveries (id, event, action, installation_id, repo, pr_key, \
             coalescable, payload, received_at, available_at) ",
        );
        rows.push_values(batch, |mut row, d| {
            push_delivery_columns!(row, d)
                .push_bind(&d.payload)
                .push_bind(d.received_at)
                .push("clock_timestamp()");
        });
        rows.push(" ON CONFLICT (id) DO NOTHING RETURNING id, seq");
        let inserted: Vec<(String, i64)> = rows.build_query_as().fetch_all(&self.pool).await?;
        let stored = intake::match_inserted(batch, inserted);
        Ok(stored.into_iter().map(intake::outcome).collect())
    }

    fn concurrent_batches(&self) -> usize {
        CONCURRENT_BATCHES
    }
}

fn delivery_from_row(row: &PgRow) -> Result<Delivery, sqlx::Error> {
    <rows::DeliveryRow<DateTime<Utc>, String> as sqlx::FromRow<_>>::from_row(row)?.into_delivery()
}

#[async_trait]
impl Store for PgStore {
    fn reviews(&self) -> Option<&dyn ReviewStore> {
        Some(self)
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn insert_delivery(&self, delivery: NewDelivery) -> StoreResult<InsertOutcome> {
        self.intake.insert(delivery).await
    }

    async fn claim_next(&self, worker: &str, lease: Duration) -> StoreResult<Option<Delivery>> {
        let mut tx = self.pool.begin().await?;
        let claimed = Self::claim_in(&mut tx, worker, lease).await?;
        tx.commit().await?;
        Ok(claimed)
    }

    async fn renew_lease(&self, id: &str, claim: &str, lease: Duration) -> StoreResult<()> {
        self.update_if(
            sqlx::query(
                "UPDATE deliveries SET lease_until = clock_timestamp() + make_interval(secs => $3)
                 WHERE id = $1 AND status = 'processing' AND claimed_by = $2",
            )
            .bind(id)
            .bind(claim)
            .bind(lease_seconds(lease)),
            id,
            StoreError::ClaimLost,
        )
        .await
    }

    async fn complete(&self, id: &str, claim: &str) -> StoreResult<()> {
        self.update_if(
            sqlx::query(
                "UPDATE deliveries
                 SET status = 'done', finished_at = clock_timestamp(), lease_until = NULL
                 WHERE id = $1 AND status = 'processing' AND claimed_by = $2",
            )
            .bind(id)
            .bind(claim),
            id,
            StoreError::ClaimLost,
        )
        .await
    }

    async fn fail(
        &self,
        id: &str,
        claim: &str,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> StoreResult<()> {
        let query = match retry_at {
            Some(at) => sqlx::query(deliveries_rows::RETRY_LATER)
                .bind(id)
                .bind(claim)
                .bind(error)
                .bind(at),
            None => sqlx::query(
                "UPDATE deliveries
                 SET status = 'failed', finished_at = clock_timestamp(), last_error = $3,
                     lease_until = NULL
                 WHERE id = $1 AND status = 'processing' AND claimed_by = $2",
            )
            .bind(id)
            .bind(claim)
            .bind(error),
        };
        self.update_if(query, id, StoreError::ClaimLost).await
    }

    async fn requeue(&self, id: &str) -> StoreResult<()> {
        self.update_if(
            sqlx::query(
                "UPDATE deliveries
                 SET status = 'pending', available_at = clock_timestamp(), attempts = 0,
                     last_error = NULL, lease_until = NULL, finished_at = NULL, claimed_by = NULL
                 WHERE id = $1 AND NOT (status = 'processing' AND lease_until >= clock_timestamp())",
            )
            .bind(id),
            id,
            StoreError::InProgress,
        )
        .await
    }

    async fn get_delivery(&self, id: &str) -> StoreResult<Option<Delivery>> {
        let row = sqlx::query(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(delivery_from_row).transpose()?)
    }

    async fn list_deliveries(&self, filter: &DeliveryFilter) -> StoreResult<Vec<Delivery>> {
        let rows = sqlx::query(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM deliveries
             WHERE $1::text IS NULL OR status = $1
             ORDER BY seq DESC
             LIMIT $2"
        ))
        .bind(filter.status.map(DeliveryStatus::as_str))
        .bind(codec::limit(filter.limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(delivery_from_row)
            .collect::<Result<_, _>>()?)
    }

    async fn prune_deliveries(&self, older_than: DateTime<Utc>) -> StoreResult<u64> {
        self.delete_in_batches(
            "DELETE FROM deliveries WHERE seq IN (
                 SELECT seq FROM deliveries
                 WHERE status IN ('done', 'coalesced', 'failed') AND finished_at < $1
                 ORDER BY finished_at
                 LIMIT $2)
             -- Checked again on the row itself: a concurrent redelivery may have changed it.
             AND status IN ('done', 'coalesced', 'failed') AND finished_at < $1",
            older_than,
        )
        .await
    }

    async fn queue_depth(&self) -> StoreResult<i64> {
        self.count_unfinished().await
    }

    async fn pr_state(&self, pr: &PrRef) -> StoreResult<PrState> {
        self.load_pr_state(pr).await
    }

    async fn save_pr_state(&self, pr: &PrRef, state: &PrState) -> StoreResult<()> {
        self.store_pr_state(pr, state).await
    }

    async fn record_audit(&self, entry: &AuditEntry) -> StoreResult<()> {
        let row = AuditRow::<DateTime<Utc>>::new(entry)?;
        rows::bind_audit(sqlx::query(rows::INSERT_AUDIT), row)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn list_audit(&self, filter: &AuditFilter) -> StoreResult<Vec<AuditEntry>> {
        let rows: Vec<AuditRow<DateTime<Utc>>> = sqlx::query_as(&format!(
            "SELECT {} FROM audit_log
             WHERE ($1::text IS NULL OR repo = $1) AND ($2::timestamptz IS NULL OR at >= $2)
             ORDER BY at, seq
             LIMIT $3",
            rows::AUDIT_COLUMNS
        ))
        .bind(&filter.repo)
        .bind(filter.since)
        .bind(codec::limit(filter.limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows::audit_entries(rows)?)
    }

    async fn prune_audit(&self, older_than: DateTime<Utc>) -> StoreResult<u64> {
        self.delete_in_batches(
            "DELETE FROM audit_log WHERE seq IN (
                 SELECT seq FROM audit_log WHERE at < $1 ORDER BY at LIMIT $2)",
            older_than,
        )
        .await
    }

    async fn claim_command_run(
        &self,
        version: &CommentVersion,
        delivery_id: &str,
    ) -> StoreResult<CommandRun> {
        let (source, id) = command_source_columns(version)?;
        // A no-op update on conflict makes the statement return the row that won, and waits
        // for a concurrent insert of the same key to commit first.
        let holder: String = sqlx::query_scalar(
            "INSERT INTO command_runs (source, source_id, updated_at, delivery_id, recorded_at)
             VALUES ($1, $2, $3, $4, now())
             ON CONFLICT (source, source_id, updated_at) DO UPDATE SET source = EXCLUDED.source
             RETURNING delivery_id",
        )
        .bind(source)
        .bind(id)
        .bind(version.updated_at)
        .bind(delivery_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(CommandRun::held_by(holder, delivery_id))
    }

    async fn prune_command_runs(&self, older_than: DateTime<Utc>) -> StoreResult<u64> {
        self.delete_in_batches(
            "DELETE FROM command_runs WHERE ctid IN (
                 SELECT ctid FROM command_runs WHERE recorded_at < $1
                 ORDER BY recorded_at LIMIT $2)",
            older_than,
        )
        .await
    }
}
