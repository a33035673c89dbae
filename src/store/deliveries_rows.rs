//! What the two backends share: the statements they agree on (with `$N` placeholders, which
//! SQLite accepts too) and, through [`delivery_store!`], the whole [`Store`](super::Store)
//! implementation, written once over the backend's types. What remains in `sqlite.rs` and
//! `postgres.rs` is where the dialects must differ: locking, the clock leases are measured by,
//! payload storage, and how a batch of rows is picked for deletion.
//!
//! A delivery's `finished_at` and a command run's `recorded_at` only date the row for
//! retention, which prunes against this process's clock, so both backends take them from it;
//! leases and availability follow the backend's own clock (the database's on PostgreSQL).

/// The unfinished deliveries of the candidate's PR after it (`$1` the candidate's seq), each
/// marked ready when it is pending and available at `$2`.
pub(crate) const SELECT_FOLLOWERS: &str =
    "SELECT o.seq, o.coalescable, o.status = 'pending' AND o.available_at <= $2 AS ready
     FROM deliveries AS d JOIN deliveries AS o ON o.pr_key = d.pr_key
     WHERE d.seq = $1 AND o.seq > d.seq AND o.status IN ('pending', 'processing')
     ORDER BY o.seq";

/// Finishes as coalesced everything unfinished of the PR from the candidate (`$1`) up to, not
/// including, the target (`$2`), at `$3`: the run the target's handling stands for.
pub(crate) const COALESCE_RUN: &str =
    "UPDATE deliveries SET status = 'coalesced', finished_at = $3, lease_until = NULL
     WHERE pr_key = (SELECT pr_key FROM deliveries WHERE seq = $1)
       AND seq >= $1 AND seq < $2 AND status IN ('pending', 'processing')";

/// Marks a claimed delivery (`$1` id, `$2` claim) done at `$3`.
pub(crate) const COMPLETE: &str = "UPDATE deliveries
     SET status = 'done', finished_at = $3, lease_until = NULL
     WHERE id = $1 AND status = 'processing' AND claimed_by = $2";

/// Fails a claimed delivery (`$1` id, `$2` claim) for good with its error (`$3`) at `$4`.
pub(crate) const GIVE_UP: &str = "UPDATE deliveries
     SET status = 'failed', finished_at = $4, last_error = $3, lease_until = NULL
     WHERE id = $1 AND status = 'processing' AND claimed_by = $2";

/// Puts a claimed delivery (`$1` id, `$2` claim) back to pending with its error (`$3`), to be
/// tried again at `$4`.
pub(crate) const RETRY_LATER: &str = "UPDATE deliveries
     SET status = 'pending', available_at = $4, last_error = $3, lease_until = NULL,
         finished_at = NULL
     WHERE id = $1 AND status = 'processing' AND claimed_by = $2";

/// Deletes a batch (`$2` rows) of the audit entries older than `$1`.
pub(crate) const PRUNE_AUDIT: &str = "DELETE FROM audit_log WHERE seq IN (
     SELECT seq FROM audit_log WHERE at < $1 ORDER BY at LIMIT $2)";

/// Makes the delivery `$4` the one that runs the commands of a comment version (`$1` source,
/// `$2` id, `$3` updated at), unless another was first, recording it at `$5`; returns the
/// delivery that holds it. The no-op update on conflict makes the statement return the row
/// that won (and, on PostgreSQL, wait for a concurrent insert of the same key to commit).
pub(crate) const CLAIM_COMMAND_RUN: &str =
    "INSERT INTO command_runs (source, source_id, updated_at, delivery_id, recorded_at)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (source, source_id, updated_at) DO UPDATE SET source = excluded.source
     RETURNING delivery_id";

/// Binds, on an intake `push_values` row, the columns both backends' delivery inserts start
/// with (`id` to `coalescable`); the caller pushes the rest.
macro_rules! push_delivery_columns {
    ($row:expr, $delivery:expr) => {
        $row.push_bind(&$delivery.id)
            .push_bind(&$delivery.event)
            .push_bind(&$delivery.action)
            .push_bind(
                $delivery
                    .installation_id
                    .and_then(|id| super::rows::id_column(id.0).ok()),
            )
            .push_bind(&$delivery.repo)
            .push_bind(&$delivery.pr_key)
            .push_bind($delivery.coalescable)
    };
}
pub(crate) use push_delivery_columns;

/// A statement with its arguments bound, ready to run on the backend `DB`.
pub(crate) type Statement<'q, DB> =
    sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>;

/// Implements [`Store`](super::Store) on a backend's store, once for both backends, from what
/// differs between them: the database and its connection, how a timestamp is stored, the
/// pools, the statements that pick a claim's candidate, select deliveries and pick rows for
/// deletion, and the backend's own `begin_claim`, `claim_in`, `renew_statement`,
/// `requeue_statement` and `delivery_from_row`.
macro_rules! delivery_store {
    (
        store: $store:ty,
        conn: $conn:ty,
        db: $db:ty,
        time: $time:ty,
        writer: $writer:ident,
        reader: $reader:ident,
        candidate: $candidate:expr,
        select: $select:expr,
        prune_deliveries: $prune_deliveries:expr,
        prune_command_runs: $prune_command_runs:expr $(,)?
    ) => {
        impl $store {
            /// The delivery a claim at `now` handles, if any: the oldest claimable one (the
            /// backend's `candidate` statement), or, when it is coalescable, the newest
            /// delivery of its run, the run's earlier deliveries being finished as coalesced.
            async fn claim_target(tx: &mut $conn, now: $time) -> StoreResult<Option<i64>> {
                let candidate: Option<(i64, bool)> = sqlx::query_as($candidate)
                    .bind(now)
                    .fetch_optional(&mut *tx)
                    .await?;
                match candidate {
                    None => Ok(None),
                    Some((seq, false)) => Ok(Some(seq)),
                    Some((seq, true)) => Self::coalesce_from(tx, seq, now).await.map(Some),
                }
            }

            /// The newest delivery of the coalescable `seq`'s run, the run's earlier
            /// deliveries being finished as coalesced at `now`.
            async fn coalesce_from(tx: &mut $conn, seq: i64, now: $time) -> StoreResult<i64> {
                let followers: Vec<super::coalesce::Follower> =
                    sqlx::query_as(super::deliveries_rows::SELECT_FOLLOWERS)
                        .bind(seq)
                        .bind(now)
                        .fetch_all(&mut *tx)
                        .await?;
                let target = super::coalesce::target(seq, true, &followers);
                if target != seq {
                    sqlx::query(super::deliveries_rows::COALESCE_RUN)
                        .bind(seq)
                        .bind(target)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                }
                Ok(target)
            }

            /// Runs a single-row update of the delivery `id` whose `WHERE` also states the
            /// condition the write depends on (the claim, no live lease). When it matched no
            /// row: `NotFound` for an unknown id, else `refused(id)`.
            async fn update_if(
                &self,
                query: super::deliveries_rows::Statement<'_, $db>,
                id: &str,
                refused: fn(String) -> StoreError,
            ) -> StoreResult<()> {
                if query.execute(&self.$writer).await?.rows_affected() > 0 {
                    return Ok(());
                }
                let exists: Option<i64> =
                    sqlx::query_scalar("SELECT seq FROM deliveries WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&self.$writer)
                        .await?;
                Err(match exists {
                    Some(_) => refused(id.to_string()),
                    None => StoreError::NotFound(id.to_string()),
                })
            }

            /// Runs `delete` (binding `$1` to `older_than` and `$2` to the batch size) in
            /// batches, each its own short transaction, until one deletes fewer rows than
            /// the batch size, so that intake is never held up for long. Returns how many
            /// rows were deleted.
            async fn delete_in_batches(
                &self,
                delete: &str,
                older_than: DateTime<Utc>,
            ) -> StoreResult<u64> {
                super::codec::in_batches(|| async {
                    let deleted = sqlx::query(delete)
                        .bind(<$time as super::rows::StoredTime>::stored(older_than))
                        .bind(super::codec::PRUNE_BATCH)
                        .execute(&self.$writer)
                        .await?;
                    Ok(deleted.rows_affected())
                })
                .await
            }
        }

        #[async_trait]
        impl Store for $store {
            fn reviews(&self) -> Option<&dyn ReviewStore> {
                Some(self)
            }

            async fn ping(&self) -> StoreResult<()> {
                sqlx::query("SELECT 1").execute(&self.$reader).await?;
                Ok(())
            }

            async fn insert_delivery(&self, delivery: NewDelivery) -> StoreResult<InsertOutcome> {
                self.intake.insert(delivery).await
            }

            async fn claim_next(
                &self,
                worker: &str,
                lease: std::time::Duration,
            ) -> StoreResult<Option<Delivery>> {
                let mut tx = self.begin_claim().await?;
                let claimed = Self::claim_in(&mut tx, worker, lease).await?;
                tx.commit().await?;
                Ok(claimed)
            }

            async fn renew_lease(
                &self,
                id: &str,
                claim: &str,
                lease: std::time::Duration,
            ) -> StoreResult<()> {
                let query = Self::renew_statement(id, claim, lease);
                self.update_if(query, id, StoreError::ClaimLost).await
            }

            async fn complete(&self, id: &str, claim: &str) -> StoreResult<()> {
                let query = sqlx::query(super::deliveries_rows::COMPLETE)
                    .bind(id)
                    .bind(claim)
                    .bind(<$time as super::rows::StoredTime>::stored(Utc::now()));
                self.update_if(query, id, StoreError::ClaimLost).await
            }

            async fn fail(
                &self,
                id: &str,
                claim: &str,
                error: &str,
                next: NextAttempt,
            ) -> StoreResult<()> {
                let (statement, at) = match next {
                    NextAttempt::At(at) => (super::deliveries_rows::RETRY_LATER, at),
                    NextAttempt::Never => (super::deliveries_rows::GIVE_UP, Utc::now()),
                };
                let query = sqlx::query(statement)
                    .bind(id)
                    .bind(claim)
                    .bind(error)
                    .bind(<$time as super::rows::StoredTime>::stored(at));
                self.update_if(query, id, StoreError::ClaimLost).await
            }

            async fn requeue(&self, id: &str) -> StoreResult<()> {
                let query = Self::requeue_statement(id);
                self.update_if(query, id, StoreError::InProgress).await
            }

            async fn get_delivery(&self, id: &str) -> StoreResult<Option<Delivery>> {
                let row = sqlx::query(&format!("{} WHERE d.id = $1", $select))
                    .bind(id)
                    .fetch_optional(&self.$reader)
                    .await?;
                Ok(row.as_ref().map(delivery_from_row).transpose()?)
            }

            async fn list_deliveries(&self, filter: &DeliveryFilter) -> StoreResult<Vec<Delivery>> {
                let mut query = sqlx::QueryBuilder::<$db>::new($select);
                if let Some(status) = filter.status {
                    query.push(" WHERE d.status = ").push_bind(status.as_str());
                }
                query.push(" ORDER BY d.seq DESC");
                if let Some(limit) = super::codec::limit(filter.limit) {
                    query.push(" LIMIT ").push_bind(limit);
                }
                let rows = query.build().fetch_all(&self.$reader).await?;
                Ok(rows
                    .iter()
                    .map(delivery_from_row)
                    .collect::<Result<_, _>>()?)
            }

            async fn prune_deliveries(&self, older_than: DateTime<Utc>) -> StoreResult<u64> {
                self.delete_in_batches($prune_deliveries, older_than).await
            }

            async fn queue_depth(&self) -> StoreResult<i64> {
                let depth = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM deliveries WHERE status IN ('pending', 'processing')",
                )
                .fetch_one(&self.$reader)
                .await?;
                Ok(depth)
            }

            async fn pr_state(&self, pr: &PrRef) -> StoreResult<PrState> {
                let (repo, number) = super::codec::pr_key_columns(pr)?;
                let row: Option<super::rows::PrStateRow> =
                    sqlx::query_as(super::rows::SELECT_PR_STATE)
                        .bind(repo)
                        .bind(number)
                        .fetch_optional(&self.$reader)
                        .await?;
                Ok(row
                    .map(super::rows::PrStateRow::into_state)
                    .transpose()?
                    .unwrap_or_default())
            }

            async fn save_pr_state(&self, pr: &PrRef, state: &PrState) -> StoreResult<()> {
                let key = super::codec::pr_key_columns(pr)?;
                super::rows::bind_pr_state(
                    sqlx::query(super::rows::UPSERT_PR_STATE),
                    key,
                    super::rows::PrStateRow::new(state)?,
                )
                .bind(<$time as super::rows::StoredTime>::stored(Utc::now()))
                .execute(&self.$writer)
                .await?;
                Ok(())
            }

            async fn record_audit(&self, entry: &AuditEntry) -> StoreResult<()> {
                let row = super::rows::AuditRow::<$time>::new(entry)?;
                super::rows::bind_audit(sqlx::query(super::rows::INSERT_AUDIT), row)
                    .execute(&self.$writer)
                    .await?;
                Ok(())
            }

            async fn list_audit(&self, filter: &AuditFilter) -> StoreResult<Vec<AuditEntry>> {
                let mut query = sqlx::QueryBuilder::<$db>::new(format!(
                    "SELECT {} FROM audit_log WHERE TRUE",
                    super::rows::AUDIT_COLUMNS
                ));
                if let Some(repo) = &filter.repo {
                    query.push(" AND repo = ").push_bind(repo.as_str());
                }
                if let Some(since) = filter.since {
                    query
                        .push(" AND at >= ")
                        .push_bind(<$time as super::rows::StoredTime>::stored(since));
                }
                query.push(" ORDER BY at, seq");
                if let Some(limit) = super::codec::limit(filter.limit) {
                    query.push(" LIMIT ").push_bind(limit);
                }
                let rows: Vec<super::rows::AuditRow<$time>> =
                    query.build_query_as().fetch_all(&self.$reader).await?;
                Ok(super::rows::audit_entries(rows)?)
            }

            async fn prune_audit(&self, older_than: DateTime<Utc>) -> StoreResult<u64> {
                self.delete_in_batches(super::deliveries_rows::PRUNE_AUDIT, older_than)
                    .await
            }

            async fn claim_command_run(
                &self,
                version: &CommentVersion,
                delivery_id: &str,
            ) -> StoreResult<CommandRun> {
                let (source, id) = command_source_columns(version)?;
                let holder: String = sqlx::query_scalar(super::deliveries_rows::CLAIM_COMMAND_RUN)
                    .bind(source)
                    .bind(id)
                    .bind(<$time as super::rows::StoredTime>::stored(
                        version.updated_at,
                    ))
                    .bind(delivery_id)
                    .bind(<$time as super::rows::StoredTime>::stored(Utc::now()))
                    .fetch_one(&self.$writer)
                    .await?;
                Ok(CommandRun::held_by(holder, delivery_id))
            }

            async fn prune_command_runs(&self, older_than: DateTime<Utc>) -> StoreResult<u64> {
                self.delete_in_batches($prune_command_runs, older_than)
                    .await
            }
        }
    };
}
pub(crate) use delivery_store;
