//! SQLite backend: the embedded default (`sqlite://design-review.db`).
//!
//! Writes go through a single-connection pool: SQLite has one writer at a time anyway, and
//! queueing writers in the pool is much faster than letting several connections spin on the
//! database lock. Claims run in `BEGIN IMMEDIATE` transactions so that they are also exclusive
//! against other processes opening the same file (the CLI while the server runs). Reads use a
//! small pool of their own, which WAL lets run alongside the writer.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{QueryBuilder, Sqlite};

use super::codec::{self, to_micros};
use super::deliveries_rows::{Statement, delivery_store, push_delivery_columns};
use super::intake::{self, BatchInsert, Intake};
use super::rows;
use super::*;

/// How long a statement waits for another process holding the write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections for reads (listing, PR state, queue depth).
const READ_CONNECTIONS: u32 = 4;

/// A delivery with its payload (kept in a table of its own, see the migration).
const DELIVERY_SELECT: &str = "SELECT d.id, d.event, d.action, d.installation_id, d.repo, \
     d.pr_key, d.coalescable, p.payload, d.status, d.attempts, d.last_error, d.received_at, \
     d.available_at, d.finished_at, d.claimed_by \
     FROM deliveries AS d JOIN delivery_payloads AS p ON p.seq = d.seq";

/// The oldest claimable delivery: pending and available, or processing under an expired lease;
/// and, when it belongs to a PR, the PR's oldest unfinished delivery with no other delivery of
/// the PR held under a live lease. Both halves walk the `(status, seq)` index in arrival order
/// and the compound is merged, so the scan stops at the first eligible row.
const CANDIDATE_SQL: &str = "
SELECT seq, coalescable FROM deliveries AS d
WHERE d.status = 'pending' AND d.available_at <= ?1 AND (d.pr_key IS NULL OR (
    NOT EXISTS (SELECT 1 FROM deliveries AS o WHERE o.pr_key = d.pr_key
        AND o.status = 'processing' AND o.lease_until >= ?1)
    AND NOT EXISTS (SELECT 1 FROM deliveries AS o WHERE o.pr_key = d.pr_key
        AND o.status IN ('pending', 'processing') AND o.seq < d.seq)))
UNION ALL
SELECT seq, coalescable FROM deliveries AS d
WHERE d.status = 'processing' AND d.lease_until < ?1 AND (d.pr_key IS NULL OR (
    NOT EXISTS (SELECT 1 FROM deliveries AS o WHERE o.pr_key = d.pr_key
        AND o.status = 'processing' AND o.lease_until >= ?1)
    AND NOT EXISTS (SELECT 1 FROM deliveries AS o WHERE o.pr_key = d.pr_key
        AND o.status IN ('pending', 'processing') AND o.seq < d.seq)))
ORDER BY seq
LIMIT 1";

/// The store on a SQLite file (or an in-memory database, for tests and experiments).
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pub(super) writer: SqlitePool,
    pub(super) reader: SqlitePool,
    intake: Intake,
    /// Stops the background checkpoints when the last clone of the store is dropped.
    _checkpoints: Option<std::sync::Arc<tokio_util::sync::DropGuard>>,
}

/// How often the write-ahead log is copied back into the database file while it grows. Often,
/// because the WAL restart (below) holds the write lock while it copies whatever the last
/// passive checkpoint left: every 20 ms instead of 100 ms took p99 at 64 connections from
/// 15-20 ms to 11-12 ms.
const CHECKPOINT_BUSY: Duration = Duration::from_millis(20);
/// How often the log is looked at while nothing is written, so that an idle server wakes up
/// rarely (at 20 ms it spent 1.7 % of a core on empty checkpoints, at 100 ms 0.4 %).
const CHECKPOINT_IDLE: Duration = Duration::from_millis(100);
/// WAL size (in 4 KiB pages) beyond which the WAL is restarted from the beginning.
const MAX_WAL_FRAMES: i64 = 4_096;

/// Checkpoints the WAL from a reader connection, off the intake path: a PASSIVE checkpoint
/// never waits for (nor blocks) the writer, so commits stay short while the WAL is kept small.
fn checkpoint_in_background(
    pool: SqlitePool,
    writer: SqlitePool,
) -> tokio_util::sync::CancellationToken {
    let stop = tokio_util::sync::CancellationToken::new();
    let token = stop.clone();
    tokio::spawn(async move {
        let mut wait = CHECKPOINT_IDLE;
        let mut last_frames = None;
        loop {
            tokio::select! {
                _ = token.cancelled() => break,
                _ = tokio::time::sleep(wait) => {}
            }
            // (busy, frames in the WAL, frames checkpointed)
            let started = std::time::Instant::now();
            let passive: Result<(i64, i64, i64), _> =
                sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
                    .fetch_one(&pool)
                    .await;
            tracing::trace!(
                elapsed_us = started.elapsed().as_micros() as u64,
                ?passive,
                "WAL checkpoint"
            );
            // The busy cadence as long as the log keeps changing (it grew, or was restarted).
            let frames = passive.as_ref().ok().map(|&(_, frames, _)| frames);
            wait = if frames.is_some() && frames != last_frames {
                CHECKPOINT_BUSY
            } else {
                CHECKPOINT_IDLE
            };
            last_frames = frames;
            match passive {
                // Under sustained load the WAL may never be fully copied between two commits,
                // so it cannot wrap around: once it is large, restart it. The restart holds the
                // write lock while it copies the last frames and syncs, so it runs on the
                // writer's own connection, between two intake commits: from another connection
                // it would wait for the writer in SQLite's busy handler, whose growing sleeps
                // (while new writers are already locked out) made stalls of 100-800 ms.
                Ok((_, frames, _)) if frames > MAX_WAL_FRAMES => {
                    let started = std::time::Instant::now();
                    if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(RESTART)")
                        .execute(&writer)
                        .await
                    {
                        tracing::warn!(%error, "WAL restart failed");
                    }
                    tracing::debug!(
                        elapsed_us = started.elapsed().as_micros() as u64,
                        "WAL restart"
                    );
                }
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "WAL checkpoint failed"),
            }
        }
    });
    stop
}

/// Finished deliveries before `?1`, a batch (`?2`) at a time. Without statistics the planner
/// would rather walk every finished row by status and sort them. Payloads go with their
/// deliveries (ON DELETE CASCADE).
const PRUNE_DELIVERIES: &str = "DELETE FROM deliveries WHERE seq IN (
    SELECT seq FROM deliveries INDEXED BY deliveries_finished_at
    WHERE status IN ('done', 'coalesced', 'failed') AND finished_at < ?1
    ORDER BY finished_at
    LIMIT ?2)";

/// Command runs recorded before `?1`, a batch (`?2`) at a time.
const PRUNE_COMMAND_RUNS: &str = "DELETE FROM command_runs WHERE rowid IN (
    SELECT rowid FROM command_runs WHERE recorded_at < ?1 ORDER BY recorded_at LIMIT ?2)";

delivery_store! {
    store: SqliteStore,
    conn: sqlx::SqliteConnection,
    db: Sqlite,
    time: i64,
    writer: writer,
    reader: reader,
    candidate: CANDIDATE_SQL,
    select: DELIVERY_SELECT,
    prune_deliveries: PRUNE_DELIVERIES,
    prune_command_runs: PRUNE_COMMAND_RUNS,
}

/// Stores deliveries for the [`Intake`] task, on the writer connection.
struct SqliteIntake {
    writer: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating when absent, parent directories included) the database named by a
    /// `sqlite:` URL and runs the embedded migrations.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        Self::open(url, true).await
    }

    /// Opens the database named by a `sqlite:` URL only if its file exists
    /// ([`StoreError::MissingDatabase`] naming the path otherwise), and runs the migrations.
    pub async fn open_existing(url: &str) -> StoreResult<Self> {
        Self::open(url, false).await
    }

    async fn open(url: &str, create: bool) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(create)
            .journal_mode(SqliteJournalMode::Wal)
            // A delivery is answered once it is committed, and GitHub does not send it again:
            // FULL syncs the WAL at every commit, so an answered delivery survives a power loss
            // or an OS crash too, not only a crash of this process (NORMAL in WAL mode would
            // leave the last commits in the page cache). Intake commits in batches, so this is
            // one fsync per batch, not per delivery.
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true)
            // No checkpoint inside a commit: with ~20 KB payloads they would stall intake (and
            // its answer to GitHub) for the time of a copy and an fsync. A background task
            // checkpoints instead, without blocking writers (see `checkpoint_in_background`).
            .pragma("wal_autocheckpoint", "0");

        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        if !create && !in_memory && !options.get_filename().exists() {
            let path = options.get_filename();
            let shown = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
            return Err(StoreError::MissingDatabase(shown.display().to_string()));
        }
        if create
            && !in_memory
            && let Some(parent) = options.get_filename().parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent).map_err(sqlx::Error::Io)?;
        }

        // An in-memory database lives as long as its connections: keep exactly one, forever,
        // and share it between reads and writes.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            // A local file does not drop a connection the way a network peer can: the ping
            // before each use would only add a hand-off to the connection's thread (two
            // context switches) to every transaction. A broken connection still fails the
            // statement, and the pool replaces it.
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&writer).await?;

        let reader = if in_memory {
            writer.clone()
        } else {
            SqlitePoolOptions::new()
                .max_connections(READ_CONNECTIONS)
                .test_before_acquire(false)
                .connect_with(options)
                .await?
        };
        let intake = Intake::start(SqliteIntake {
            writer: writer.clone(),
        });
        let checkpoints = (!in_memory).then(|| {
            std::sync::Arc::new(
                checkpoint_in_background(reader.clone(), writer.clone()).drop_guard(),
            )
        });
        Ok(Self {
            writer,
            reader,
            intake,
            _checkpoints: checkpoints,
        })
    }

    /// Claims inside an open `BEGIN IMMEDIATE` transaction.
    async fn claim_in(
        tx: &mut sqlx::SqliteConnection,
        worker: &str,
        lease: Duration,
    ) -> StoreResult<Option<Delivery>> {
        let now = to_micros(Utc::now());
        let Some(target) = Self::claim_target(tx, now).await? else {
            return Ok(None);
        };
        sqlx::query(
            "UPDATE deliveries
             SET status = 'processing', attempts = attempts + 1, lease_until = ?2, claimed_by = ?3
             WHERE seq = ?1",
        )
        .bind(target)
        .bind(now.saturating_add(codec::lease_micros(lease)))
        .bind(codec::claim_token(worker))
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query(&format!("{DELIVERY_SELECT} WHERE d.seq = ?1"))
            .bind(target)
            .fetch_one(&mut *tx)
            .await?;
        Ok(Some(delivery_from_row(&row)?))
    }

    /// A claim takes the write lock at once (`BEGIN IMMEDIATE`), so it is exclusive against
    /// other processes on the same file too.
    async fn begin_claim(&self) -> StoreResult<sqlx::Transaction<'_, Sqlite>> {
        Ok(self.writer.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// Extends the lease `claim` holds on `id` to `lease` from now.
    fn renew_statement<'q>(id: &'q str, claim: &'q str, lease: Duration) -> Statement<'q, Sqlite> {
        let until = to_micros(Utc::now()).saturating_add(codec::lease_micros(lease));
        sqlx::query(
            "UPDATE deliveries SET lease_until = ?3
             WHERE id = ?1 AND status = 'processing' AND claimed_by = ?2",
        )
        .bind(id)
        .bind(claim)
        .bind(until)
    }

    /// Puts `id` back to pending, available now, unless it is held under a live lease.
    fn requeue_statement(id: &str) -> Statement<'_, Sqlite> {
        sqlx::query(
            "UPDATE deliveries
             SET status = 'pending', available_at = ?2, attempts = 0, last_error = NULL,
                 lease_until = NULL, finished_at = NULL, claimed_by = NULL
             WHERE id = ?1 AND NOT (status = 'processing' AND lease_until >= ?2)",
        )
        .bind(id)
        .bind(to_micros(Utc::now()))
    }
}

#[async_trait]
impl BatchInsert for SqliteIntake {
    async fn insert_batch(&self, batch: &[NewDelivery]) -> StoreResult<Vec<InsertOutcome>> {
        // Compressed before the write lock is taken, so the workers' writes wait less for it
        // (a duplicate's payload is compressed for nothing, which is rare).
        let compressed: Vec<Vec<u8>> = batch
            .iter()
            .map(|d| codec::compress_payload(&d.payload))
            .collect();
        let now = to_micros(Utc::now());
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;

        let mut rows = QueryBuilder::<Sqlite>::new(
            "INSERT INTO deliveries (id, event, action, installation_id, repo, pr_key, \
             coalescable, received_at, available_at) ",
        );
        rows.push_values(batch, |mut row, d| {
            push_delivery_columns!(row, d)
                .push_bind(to_micros(d.received_at))
                .push_bind(now);
        });
        rows.push(" ON CONFLICT (id) DO NOTHING RETURNING id, seq");
        let inserted: Vec<(String, i64)> = rows.build_query_as().fetch_all(&mut *tx).await?;
        let stored = intake::match_inserted(batch, inserted);

        let payloads: Vec<(i64, Vec<u8>)> = stored
            .iter()
            .zip(compressed)
            .filter_map(|(seq, payload)| seq.map(|seq| (seq, payload)))
            .collect();
        if !payloads.is_empty() {
            let mut rows =
                QueryBuilder::<Sqlite>::new("INSERT INTO delivery_payloads (seq, payload) ");
            rows.push_values(payloads, |mut row, (seq, payload)| {
                row.push_bind(seq).push_bind(payload);
            });
            rows.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(stored.into_iter().map(intake::outcome).collect())
    }
}

fn delivery_from_row(row: &SqliteRow) -> Result<Delivery, sqlx::Error> {
    <rows::DeliveryRow<i64, Vec<u8>> as sqlx::FromRow<_>>::from_row(row)?.into_delivery()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An answered delivery must survive a power loss: the writer syncs at every commit.
    #[tokio::test]
    async fn commits_are_synced_to_disk() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("dr.db").display());
        let store = SqliteStore::connect(&url).await.unwrap();
        for pool in [&store.writer, &store.reader] {
            let level: i64 = sqlx::query_scalar("PRAGMA synchronous")
                .fetch_one(pool)
                .await
                .unwrap();
            assert_eq!(level, 2, "PRAGMA synchronous is {level}, not FULL (2)");
        }
    }
}
