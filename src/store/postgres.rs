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
use super::deliveries_rows::{Statement, delivery_store, push_delivery_columns};
use super::intake::{self, BatchInsert, Intake};
use super::rows;
use super::*;

/// The advisory lock key every claim takes ("drqueue" in ASCII): one global claim lock.
const CLAIM_LOCK: i64 = 0x0064_7271_7565_7565;
/// Connections per process.
const MAX_CONNECTIONS: u32 = 10;
/// Intake batches committed at the same time (each holds one pooled connection while it does).
const CONCURRENT_BATCHES: usize = 3;
/// How long an operation waits for a free connection before failing.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// The columns of a delivery, payload included (it is kept in the row).
macro_rules! delivery_columns {
    () => {
        "id, event, action, installation_id, repo, pr_key, coalescable, payload, status, \
         attempts, last_error, received_at, available_at, finished_at, claimed_by"
    };
}
const DELIVERY_COLUMNS: &str = delivery_columns!();
const DELIVERY_SELECT: &str = concat!("SELECT ", delivery_columns!(), " FROM deliveries AS d");

/// Finished deliveries before `$1`, a batch (`$2`) at a time, checked again on the row itself:
/// a concurrent redelivery may have changed it.
const PRUNE_DELIVERIES: &str = "DELETE FROM deliveries WHERE seq IN (
    SELECT seq FROM deliveries
    WHERE status IN ('done', 'coalesced', 'failed') AND finished_at < $1
    ORDER BY finished_at
    LIMIT $2)
  AND status IN ('done', 'coalesced', 'failed') AND finished_at < $1";

/// Command runs recorded before `$1`, a batch (`$2`) at a time.
const PRUNE_COMMAND_RUNS: &str = "DELETE FROM command_runs WHERE ctid IN (
    SELECT ctid FROM command_runs WHERE recorded_at < $1 ORDER BY recorded_at LIMIT $2)";

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
    select: DELIVERY_SELECT,
    prune_deliveries: PRUNE_DELIVERIES,
    prune_command_runs: PRUNE_COMMAND_RUNS,
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
    /// A claim runs in an ordinary transaction: the claim lock serialises it.
    async fn begin_claim(&self) -> StoreResult<sqlx::Transaction<'_, Postgres>> {
        Ok(self.pool.begin().await?)
    }

    /// Extends the lease `claim` holds on `id` to `lease` from now by the database clock.
    fn renew_statement<'q>(
        id: &'q str,
        claim: &'q str,
        lease: Duration,
    ) -> Statement<'q, Postgres> {
        sqlx::query(
            "UPDATE deliveries SET lease_until = clock_timestamp() + make_interval(secs => $3)
             WHERE id = $1 AND status = 'processing' AND claimed_by = $2",
        )
        .bind(id)
        .bind(claim)
        .bind(lease_seconds(lease))
    }

    /// Puts `id` back to pending, available now, unless it is held under a live lease.
    fn requeue_statement(id: &str) -> Statement<'_, Postgres> {
        sqlx::query(
            "UPDATE deliveries
             SET status = 'pending', available_at = clock_timestamp(), attempts = 0,
                 last_error = NULL, lease_until = NULL, finished_at = NULL, claimed_by = NULL
             WHERE id = $1 AND NOT (status = 'processing' AND lease_until >= clock_timestamp())",
        )
        .bind(id)
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
