//! What the two delivery-queue backends share: the statements they agree on (with `$N`
//! placeholders, which SQLite accepts too) and, through [`delivery_store!`], the methods that
//! differ only in the backend's types. What remains in `sqlite.rs` and `postgres.rs` is where
//! the dialects must differ (locking, clocks, payload storage).

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

/// Puts a claimed delivery (`$1` id, `$2` claim) back to pending with its error (`$3`), to be
/// tried again at `$4`.
pub(crate) const RETRY_LATER: &str = "UPDATE deliveries
     SET status = 'pending', available_at = $4, last_error = $3, lease_until = NULL,
         finished_at = NULL
     WHERE id = $1 AND status = 'processing' AND claimed_by = $2";

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

/// Implements on a backend's store the helpers its [`Store`](super::Store) methods share with
/// the other backend's, given its database, connection, stored timestamp and pools.
macro_rules! delivery_store {
    (
        store: $store:ty,
        conn: $conn:ty,
        db: $db:ty,
        time: $time:ty,
        writer: $writer:ident,
        reader: $reader:ident,
        candidate: $candidate:expr $(,)?
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
            async fn update_if<'q>(
                &self,
                query: sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments<'q>>,
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

            /// How many deliveries wait for or are in handling.
            async fn count_unfinished(&self) -> StoreResult<i64> {
                let depth = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM deliveries WHERE status IN ('pending', 'processing')",
                )
                .fetch_one(&self.$reader)
                .await?;
                Ok(depth)
            }

            /// The state kept for `pr`, the default for a PR never seen.
            async fn load_pr_state(&self, pr: &PrRef) -> StoreResult<PrState> {
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

            /// Replaces the state kept for `pr`.
            async fn store_pr_state(&self, pr: &PrRef, state: &PrState) -> StoreResult<()> {
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
        }
    };
}
pub(crate) use delivery_store;
