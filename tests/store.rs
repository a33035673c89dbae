//! The storage suite: every test runs against SQLite (a temporary file) and, when
//! `TEST_DATABASE_URL` names a PostgreSQL server, against a fresh PostgreSQL database of its own.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use design_review::domain::{
    CheckRunId, CommentId, CommentSource, CommentVersion, CommitSha, InstallationId, PrNumber,
    PrRef, RepoName,
};
use design_review::queue::{
    Backoff, HandleError, Handler, QueueSettings, Retention, WorkerPool, prune_once,
};
use design_review::store::{
    self, AuditEntry, AuditFilter, AuditOutcome, CheckRunRef, CommandRun, DeliveryFilter,
    DeliveryStatus, InsertOutcome, NewDelivery, NextAttempt, PrState, PublishedCheck,
    PublishedStatus, ReviewRequest, Skip, Store, StoreError,
};
use sqlx::Connection;
use support::scratch_pg::ScratchDatabase;

mod support;

const LEASE: Duration = Duration::from_secs(60);

/// One backend under test: the store, and the URL to open it again (a restart, another process).
struct Db {
    url: String,
    store: Arc<dyn Store>,
}

impl Db {
    async fn reopen(&self) -> Arc<dyn Store> {
        store::connect(&self.url).await.expect("reopen store")
    }
}

/// Runs `test` against SQLite, then against PostgreSQL when `TEST_DATABASE_URL` is set.
async fn each_backend<F, Fut>(test: F)
where
    F: Fn(Db) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("store.db").display());
    if let Err(panic) = run_isolated("sqlite", &url, &test).await {
        std::panic::resume_unwind(panic);
    }

    match ScratchDatabase::create("dr_test").await {
        Some(database) => {
            let outcome = run_isolated("postgres", &database.url, &test).await;
            database.drop_database().await;
            if let Err(panic) = outcome {
                std::panic::resume_unwind(panic);
            }
        }
        None => eprintln!(
            "note: TEST_DATABASE_URL is not set; the PostgreSQL run of this test was skipped"
        ),
    }
}

/// Runs one backend's test in its own task so that a failure still lets the caller clean up.
async fn run_isolated<F, Fut>(
    backend: &str,
    url: &str,
    test: &F,
) -> Result<(), Box<dyn std::any::Any + Send>>
where
    F: Fn(Db) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let store = store::connect(url)
        .await
        .unwrap_or_else(|err| panic!("connect {backend}: {err}"));
    let db = Db {
        url: url.to_string(),
        store,
    };
    let outcome = tokio::spawn(test(db)).await.map_err(|err| err.into_panic());
    if outcome.is_err() {
        eprintln!("failed on the {backend} backend");
    }
    outcome
}

/// Now, at the microsecond precision both databases keep.
fn now() -> DateTime<Utc> {
    DateTime::from_timestamp_micros(Utc::now().timestamp_micros()).expect("now is in range")
}

fn delivery(id: &str, pr: Option<u64>, coalescable: bool) -> NewDelivery {
    NewDelivery {
        id: id.to_string(),
        event: "pull_request".to_string(),
        action: Some("synchronize".to_string()),
        installation_id: Some(InstallationId(42)),
        repo: Some("acme/widgets".to_string()),
        pr_key: pr.map(|number| format!("acme/widgets#{number}")),
        coalescable,
        payload: format!(r#"{{"delivery":"{id}"}}"#),
        received_at: now(),
    }
}

async fn insert(store: &dyn Store, deliveries: &[NewDelivery]) {
    for d in deliveries {
        assert_eq!(
            store.insert_delivery(d.clone()).await.expect("insert"),
            InsertOutcome::Inserted
        );
    }
}

async fn claim_id(store: &dyn Store) -> Option<String> {
    store
        .claim_next("test-worker", LEASE)
        .await
        .expect("claim")
        .map(|d| d.arrived.id)
}

/// The claim token that holds a delivery now.
async fn holder(store: &dyn Store, id: &str) -> String {
    store
        .get_delivery(id)
        .await
        .expect("get")
        .expect("delivery exists")
        .claimed_by
        .expect("the delivery was claimed")
}

/// Completes a delivery under the claim that holds it.
async fn complete(store: &dyn Store, id: &str) {
    let claim = holder(store, id).await;
    store.complete(id, &claim).await.expect("complete");
}

/// Records a failed attempt under the claim that holds the delivery.
async fn fail(store: &dyn Store, id: &str, error: &str, next: NextAttempt) {
    let claim = holder(store, id).await;
    store
        .fail(id, &claim, error, next)
        .await
        .expect("record failure");
}

async fn status(store: &dyn Store, id: &str) -> DeliveryStatus {
    store
        .get_delivery(id)
        .await
        .expect("get")
        .expect("delivery exists")
        .status
}

#[tokio::test]
async fn insert_stores_a_delivery_once() {
    each_backend(|db| async move {
        let store = db.store.as_ref();
        let new = delivery("d-1", Some(7), true);
        assert_eq!(
            store.insert_delivery(new.clone()).await.unwrap(),
            InsertOutcome::Inserted
        );

        let mut again = new.clone();
        again.payload = r#"{"changed":true}"#.to_string();
        assert_eq!(
            store.insert_delivery(again).await.unwrap(),
            InsertOutcome::Duplicate
        );

        let stored = store.get_delivery("d-1").await.unwrap().expect("stored");
        assert_eq!(stored.arrived.event, "pull_request");
        assert_eq!(stored.arrived.action.as_deref(), Some("synchronize"));
        assert_eq!(stored.arrived.installation_id, Some(InstallationId(42)));
        assert_eq!(stored.arrived.repo.as_deref(), Some("acme/widgets"));
        assert_eq!(stored.arrived.pr_key.as_deref(), Some("acme/widgets#7"));
        assert!(stored.arrived.coalescable);
        assert_eq!(
            stored.arrived.payload, new.payload,
            "a duplicate does not overwrite"
        );
        assert_eq!(stored.status, DeliveryStatus::Pending);
        assert_eq!(stored.attempts, 0);
        assert_eq!(stored.arrived.received_at, new.received_at);
        assert_eq!(stored.finished_at, None);
        assert!(store.get_delivery("unknown").await.unwrap().is_none());
        store.ping().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn concurrent_inserts_store_each_id_once_and_answer_every_request() {
    each_backend(|db| async move {
        // 400 requests for 100 ids, all at once: batches form (and, on PostgreSQL, commit
        // side by side), and copies of one id land in the same batch or in concurrent ones.
        let inserts = (0..400).map(|n| {
            let store = db.store.clone();
            async move {
                let new = delivery(&format!("c-{}", n % 100), Some(n % 7), true);
                (new.id.clone(), store.insert_delivery(new).await.unwrap())
            }
        });
        let outcomes = futures_util::future::join_all(inserts).await;
        let mut inserted: HashMap<String, usize> = HashMap::new();
        for (id, outcome) in &outcomes {
            if *outcome == InsertOutcome::Inserted {
                *inserted.entry(id.clone()).or_default() += 1;
            }
        }
        assert_eq!(inserted.len(), 100, "every id stored");
        assert!(inserted.values().all(|&n| n == 1), "{inserted:?}");
        for n in 0..100 {
            assert!(
                db.store
                    .get_delivery(&format!("c-{n}"))
                    .await
                    .unwrap()
                    .is_some()
            );
        }
    })
    .await;
}

#[tokio::test]
async fn claims_follow_arrival_order_not_timestamps() {
    each_backend(|db| async move {
        let store = db.store.as_ref();
        // Arrival order a, b, c, with timestamps running backwards.
        let mut a = delivery("a", None, false);
        let mut b = delivery("b", Some(1), false);
        let c = delivery("c", Some(2), false);
        a.received_at = c.received_at + TimeDelta::seconds(20);
        b.received_at = c.received_at + TimeDelta::seconds(10);
        insert(store, &[a, b, c]).await;

        let first = store
            .claim_next("w", LEASE)
            .await
            .unwrap()
            .expect("a claim");
        assert_eq!(first.arrived.id, "a");
        assert_eq!(first.status, DeliveryStatus::Processing);
        assert_eq!(first.attempts, 1);
        assert_eq!(claim_id(store).await.as_deref(), Some("b"));
        assert_eq!(claim_id(store).await.as_deref(), Some("c"));
        assert_eq!(claim_id(store).await, None);
    })
    .await;
}

#[tokio::test]
async fn a_pr_is_handled_one_delivery_at_a_time() {
    each_backend(|db| async move {
        let store = db.store.as_ref();
        insert(
            store,
            &[
                delivery("x1", Some(1), false),
                delivery("x2", Some(1), false),
                delivery("y1", Some(2), false),
            ],
        )
        .await;

        assert_eq!(claim_id(store).await.as_deref(), Some("x1"));
        assert_eq!(
            claim_id(store).await.as_deref(),
            Some("y1"),
            "x2 waits behind x1"
        );
        assert_eq!(claim_id(store).await, None);
        assert_eq!(status(store, "x2").await, DeliveryStatus::Pending);

        complete(store, "x1").await;
        assert_eq!(status(store, "x1").await, DeliveryStatus::Done);
        assert_eq!(claim_id(store).await.as_deref(), Some("x2"));
    })
    .await;
}

#[tokio::test]
async fn pending_coalescable_deliveries_collapse_into_the_newest() {
    each_backend(|db| async move {
        let store = db.store.as_ref();
        let pushes: Vec<_> = (1..=5)
            .map(|n| delivery(&format!("push-{n}"), Some(3), true))
            .collect();
        insert(store, &pushes).await;

        assert_eq!(claim_id(store).await.as_deref(), Some("push-5"));
        for n in 1..=4 {
            let older = store
                .get_delivery(&format!("push-{n}"))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(older.status, DeliveryStatus::Coalesced, "push-{n}");
            assert_eq!(older.attempts, 0, "push-{n} was never handled");
            assert!(older.finished_at.is_some());
        }
        assert_eq!(claim_id(store).await, None);
        complete(store, "push-5").await;
        assert_eq!(claim_id(store).await, None);
        assert_eq!(store.queue_depth().await.unwrap(), 0);
    })
    .await;
}

#[tokio::test]
async fn a_non_coalescable_delivery_breaks_the_run_and_keeps_its_place() {
    each_backend(|db| async move {
        let store = db.store.as_ref();
        insert(
            store,
            &[
                delivery("c1", Some(4), true),
                delivery("c2", Some(4), true),
                delivery("cmd", Some(4), false),
                delivery("c4", Some(4), true),
                delivery("c5", Some(4), true),
            ],
        )
        .await;

        assert_eq!(claim_id(store).await.as_deref(), Some("c2"));
        assert_eq!(status(store, "c1").await, DeliveryStatus::Coalesced);
        complete(store, "c2").await;
        assert_eq!(claim_id(store).await.as_deref(), Some("cmd"));
        complete(store, "cmd").await;
        assert_eq!(claim_id(store).await.as_deref(), Some("c5"));
        assert_eq!(status(store, "c4").await, DeliveryStatus::Coalesced);
        assert_eq!(status(store, "cmd").await, DeliveryStatus::Done);
    })
    .await;
}

#[tokio::test]
async fn independent_prs_are_claimable_at_the_same_time() {
    each_backend(|db| async move {
        let store = db.store.as_ref();
        insert(
            store,
            &[
                delivery("pr1", Some(1), false),
                delivery("pr2", Some(2), false),
                delivery("install", None, false),
                delivery("other-install", None, false),
            ],
        )
        .await;
        let mut claimed = HashSet::new();
        for _ in 0..4 {
            claimed.insert(claim_id(store).await.expect("claimable"));
        }
        assert_eq!(claimed.len(), 4);
        assert_eq!(
            store.queue_depth().await.unwrap(),
            4,
            "all four are in flight"
        );
    })
    .await;
}

#[tokio::test]
async fn an_expired_lease_makes_a_crashed_claim_claimable_again() {
    each_backend(|db| async move {
        let store = db.store.as_ref();
        insert(
            store,
            &[
                delivery("crash", Some(5), false),
                delivery("next", Some(5), false),
            ],
        )
        .await;

        let first = store
            .claim_next("dies", Duration::from_millis(100))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(first.arrived.id, "crash");
        assert_eq!(claim_id(store).await, None, "the lease is live");
        tokio::time::sleep(Duration::from_millis(250)).await;

        let again = store
            .claim_next("survivor", LEASE)
            .await
            .unwrap()
            .expect("lease expired");
        assert_eq!(
            again.arrived.id, "crash",
            "the crashed delivery comes back before the next one"
        );
        assert_eq!(again.attempts, 2);
        assert_eq!(claim_id(store).await, None);
    })
    .await;
}

#[tokio::test]
async fn a_renewed_lease_keeps_the_claim() {
    each_backend(|db| async move {
        let store = db.store.as_ref();
        insert(store, &[delivery("slow", None, false)]).await;
        let claimed = store
            .claim_next("w", Duration::from_millis(100))
            .await
            .unwrap()
            .unwrap();
        let claim = claimed.claimed_by.clone().expect("a claim token");
        store
            .renew_lease(&claimed.arrived.id, &claim, LEASE)
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(250)).await;
        assert_eq!(claim_id(store).await, None);

        complete(store, "slow").await;
        assert!(matches!(
            store.renew_lease("slow", &claim, LEASE).await,
            Err(StoreError::ClaimLost(id)) if id == "slow"
        ));
    })
    .await;
}

/// A worker whose lease expired while another worker claimed the delivery again must not record
/// anything: neither a retry (which would put the delivery back to pending while the other
/// worker still runs it) nor a completion or failure (which would overwrite newer state).
#[tokio::test]
async fn a_stale_claim_cannot_record_an_outcome_or_renew() {
    each_backend(|db| async move {
        let store = db.store.as_ref();
        insert(
            store,
            &[
                delivery("taken", Some(11), false),
                delivery("behind", Some(11), false),
            ],
        )
        .await;
        let first = store
            .claim_next("slow-worker", Duration::from_millis(100))
            .await
            .unwrap()
            .expect("claimed");
        let stale = first.claimed_by.clone().expect("a claim token");
        assert!(stale.starts_with("slow-worker"), "{stale}");
        tokio::time::sleep(Duration::from_millis(250)).await;
        let second = store
            .claim_next("slow-worker", LEASE)
            .await
            .unwrap()
            .expect("the expired claim is taken over");
        assert_eq!(second.arrived.id, "taken");
        let current = second.claimed_by.clone().expect("a claim token");
        assert_ne!(
            current, stale,
            "each claim has its own token, whatever the worker's name"
        );

        for write in [
            store
                .fail(
                    "taken",
                    &stale,
                    "502",
                    NextAttempt::At(now() - TimeDelta::seconds(1)),
                )
                .await,
            store.fail("taken", &stale, "422", NextAttempt::Never).await,
            store.complete("taken", &stale).await,
            store.renew_lease("taken", &stale, LEASE).await,
        ] {
            assert!(
                matches!(write, Err(StoreError::ClaimLost(ref id)) if id == "taken"),
                "{write:?}"
            );
        }
        let held = store.get_delivery("taken").await.unwrap().unwrap();
        assert_eq!(held.status, DeliveryStatus::Processing);
        assert_eq!(held.claimed_by.as_deref(), Some(current.as_str()));
        assert_eq!(held.last_error, None);
        assert_eq!(held.attempts, 2);
        assert_eq!(
            claim_id(store).await,
            None,
            "still held by the second claim: nothing of the PR is claimable"
        );

        store.renew_lease("taken", &current, LEASE).await.unwrap();
        store.complete("taken", &current).await.unwrap();
        assert_eq!(status(store, "taken").await, DeliveryStatus::Done);
        // A late write of the first claim does not undo the completion.
        assert!(matches!(
            store
                .fail("taken", &stale, "late", NextAttempt::Never)
                .await,
            Err(StoreError::ClaimLost(_))
        ));
        assert!(matches!(
            store.complete("taken", &current).await,
            Err(StoreError::ClaimLost(_))
        ));
        let done = store.get_delivery("taken").await.unwrap().unwrap();
        assert_eq!(done.status, DeliveryStatus::Done);
        assert_eq!(done.last_error, None);
        assert_eq!(claim_id(store).await.as_deref(), Some("behind"));
    })
    .await;
}

#[tokio::test]
async fn a_failure_with_a_retry_time_waits_until_then() {
    each_backend(|db| async move {
        let store = db.store.as_ref();
        insert(store, &[delivery("flaky", Some(6), false)]).await;
        assert_eq!(claim_id(store).await.as_deref(), Some("flaky"));
        let retry_at = now() + TimeDelta::milliseconds(800);
        fail(store, "flaky", "502 Bad Gateway", NextAttempt::At(retry_at)).await;
        insert(store, &[delivery("behind", Some(6), false)]).await;

        let waiting = store.get_delivery("flaky").await.unwrap().unwrap();
        assert_eq!(waiting.status, DeliveryStatus::Pending);
        assert_eq!(waiting.last_error.as_deref(), Some("502 Bad Gateway"));
        assert_eq!(waiting.available_at, retry_at);
        assert_eq!(
            claim_id(store).await,
            None,
            "not before the retry time, and nothing overtakes it"
        );
        assert_eq!(store.queue_depth().await.unwrap(), 2);

        tokio::time::sleep_until(tokio::time::Instant::now() + Duration::from_millis(900)).await;
        let retried = store
            .claim_next("w", LEASE)
            .await
            .unwrap()
            .expect("retry is due");
        assert_eq!(retried.arrived.id, "flaky");
        assert_eq!(retried.attempts, 2);
    })
    .await;
}

#[tokio::test]
async fn a_permanent_failure_is_kept_with_its_error_and_unblocks_the_pr() {
    each_backend(|db| async move {
        let store = db.store.as_ref();
        insert(
            store,
            &[
                delivery("broken", Some(8), false),
                delivery("later", Some(8), false),
            ],
        )
        .await;
        assert_eq!(claim_id(store).await.as_deref(), Some("broken"));
        fail(store, "broken", "422 Validation Failed", NextAttempt::Never).await;

        let failed = store.get_delivery("broken").await.unwrap().unwrap();
        assert_eq!(failed.status, DeliveryStatus::Failed);
        assert_eq!(failed.last_error.as_deref(), Some("422 Validation Failed"));
        assert!(failed.finished_at.is_some());
        assert_eq!(claim_id(store).await.as_deref(), Some("later"));
        assert_eq!(
            claim_id(store).await,
            None,
            "a failed delivery is not retried"
        );
    })
    .await;
}

#[tokio::test]
async fn requeue_puts_any_delivery_back_in_the_queue() {
    each_backend(|db| async move {
        let store = db.store.as_ref();
        insert(
            store,
            &[
                delivery("failed", Some(9), false),
                delivery("done", None, false),
            ],
        )
        .await;
        assert_eq!(claim_id(store).await.as_deref(), Some("failed"));
        fail(store, "failed", "gave up", NextAttempt::Never).await;
        assert_eq!(claim_id(store).await.as_deref(), Some("done"));
        complete(store, "done").await;
        assert_eq!(claim_id(store).await, None);

        store.requeue("failed").await.unwrap();
        store.requeue("done").await.unwrap();
        let requeued = store.get_delivery("failed").await.unwrap().unwrap();
        assert_eq!(requeued.status, DeliveryStatus::Pending);
        assert_eq!(requeued.last_error, None);
        assert_eq!(requeued.attempts, 0);
        assert_eq!(requeued.finished_at, None);
        assert_eq!(claim_id(store).await.as_deref(), Some("failed"));
        assert_eq!(claim_id(store).await.as_deref(), Some("done"));

        for missing in [
            store.requeue("nope").await,
            store.complete("nope", "w").await,
            store.fail("nope", "w", "x", NextAttempt::Never).await,
            store.renew_lease("nope", "w", LEASE).await,
        ] {
            assert!(matches!(missing, Err(StoreError::NotFound(id)) if id == "nope"));
        }
    })
    .await;
}

/// `design-review redeliver` gives a delivery that failed after its last attempt a fresh set of
/// attempts (else its first transient error would fail it again), and never takes a delivery
/// away from a worker that is handling it under a live lease.
#[tokio::test]
async fn redelivery_starts_afresh_and_leaves_a_live_claim_alone() {
    each_backend(|db| async move {
        let store = db.store.as_ref();
        insert(store, &[delivery("worn", Some(13), false)]).await;
        for attempt in 1..=3 {
            let claimed = store.claim_next("w", LEASE).await.unwrap().expect("due");
            assert_eq!(claimed.attempts, attempt);
            let next = if attempt < 3 {
                NextAttempt::At(now())
            } else {
                NextAttempt::Never
            };
            fail(store, "worn", "GitHub answered 502", next).await;
        }
        let failed = store.get_delivery("worn").await.unwrap().unwrap();
        assert_eq!(failed.status, DeliveryStatus::Failed);
        assert_eq!(failed.attempts, 3);

        store.requeue("worn").await.unwrap();
        let fresh = store.get_delivery("worn").await.unwrap().unwrap();
        assert_eq!(fresh.status, DeliveryStatus::Pending);
        assert_eq!(
            fresh.attempts, 0,
            "a redelivery starts with all its attempts"
        );
        assert_eq!(fresh.last_error, None);
        assert_eq!(fresh.finished_at, None);
        assert!(fresh.available_at <= now());

        // Held by a worker under a live lease: refused, and the worker's claim is untouched.
        let claimed = store
            .claim_next("w", Duration::from_millis(300))
            .await
            .unwrap()
            .expect("claimable again");
        assert_eq!(claimed.attempts, 1);
        let claim = claimed.claimed_by.clone().expect("a claim token");
        assert!(matches!(
            store.requeue("worn").await,
            Err(StoreError::InProgress(ref id)) if id == "worn"
        ));
        let held = store.get_delivery("worn").await.unwrap().unwrap();
        assert_eq!(held.status, DeliveryStatus::Processing);
        assert_eq!(held.attempts, 1);
        assert_eq!(held.claimed_by.as_deref(), Some(claim.as_str()));

        // Once the lease has expired (the worker died), it may be taken back; the old claim can
        // then record nothing.
        tokio::time::sleep(Duration::from_millis(500)).await;
        store.requeue("worn").await.unwrap();
        assert_eq!(status(store, "worn").await, DeliveryStatus::Pending);
        assert!(matches!(
            store.complete("worn", &claim).await,
            Err(StoreError::ClaimLost(_))
        ));
        assert_eq!(status(store, "worn").await, DeliveryStatus::Pending);
        assert_eq!(claim_id(store).await.as_deref(), Some("worn"));
    })
    .await;
}

#[tokio::test]
async fn listing_is_newest_first_with_status_filter_and_limit() {
    each_backend(|db| async move {
        let store = db.store.as_ref();
        let all: Vec<_> = (1..=5)
            .map(|n| delivery(&format!("l{n}"), None, false))
            .collect();
        insert(store, &all).await;
        assert_eq!(claim_id(store).await.as_deref(), Some("l1"));
        fail(store, "l1", "boom", NextAttempt::Never).await;
        assert_eq!(claim_id(store).await.as_deref(), Some("l2"));
        complete(store, "l2").await;

        let ids =
            |list: Vec<store::Delivery>| list.into_iter().map(|d| d.arrived.id).collect::<Vec<_>>();
        let everything = store
            .list_deliveries(&DeliveryFilter::default())
            .await
            .unwrap();
        assert_eq!(ids(everything), ["l5", "l4", "l3", "l2", "l1"]);
        let newest = store
            .list_deliveries(&DeliveryFilter {
                status: None,
                limit: 2,
            })
            .await
            .unwrap();
        assert_eq!(ids(newest), ["l5", "l4"]);
        let failed = store
            .list_deliveries(&DeliveryFilter {
                status: Some(DeliveryStatus::Failed),
                limit: 10,
            })
            .await
            .unwrap();
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].arrived.id, "l1");
        assert_eq!(failed[0].last_error.as_deref(), Some("boom"));
        let pending = store
            .list_deliveries(&DeliveryFilter {
                status: Some(DeliveryStatus::Pending),
                limit: 0,
            })
            .await
            .unwrap();
        assert_eq!(ids(pending), ["l5", "l4", "l3"]);
    })
    .await;
}

#[tokio::test]
async fn queue_depth_counts_pending_and_processing() {
    each_backend(|db| async move {
        let store = db.store.as_ref();
        assert_eq!(store.queue_depth().await.unwrap(), 0);
        insert(
            store,
            &[
                delivery("q1", None, false),
                delivery("q2", None, false),
                delivery("q3", None, false),
            ],
        )
        .await;
        assert_eq!(store.queue_depth().await.unwrap(), 3);
        assert_eq!(claim_id(store).await.as_deref(), Some("q1"));
        assert_eq!(store.queue_depth().await.unwrap(), 3);
        complete(store, "q1").await;
        assert_eq!(store.queue_depth().await.unwrap(), 2);
        assert_eq!(claim_id(store).await.as_deref(), Some("q2"));
        fail(
            store,
            "q2",
            "retry",
            NextAttempt::At(now() + TimeDelta::hours(1)),
        )
        .await;
        assert_eq!(
            store.queue_depth().await.unwrap(),
            2,
            "a delivery waiting to retry is queued"
        );
        assert_eq!(claim_id(store).await.as_deref(), Some("q3"));
        fail(store, "q3", "fatal", NextAttempt::Never).await;
        assert_eq!(store.queue_depth().await.unwrap(), 1);
    })
    .await;
}

/// Retention deletes deliveries that finished before the cutoff (done, coalesced and failed ones)
/// with their payloads, in several batches when there are many, and keeps everything else: the
/// ones that finished later, and every pending or in-progress one however old.
#[tokio::test]
async fn pruning_deletes_only_deliveries_that_finished_before_the_cutoff() {
    each_backend(|db| async move {
        let store = db.store.as_ref();
        const OLD_DONE: usize = 230;
        let old: Vec<_> = (0..OLD_DONE)
            .map(|n| delivery(&format!("old-{n:03}"), None, false))
            .collect();
        insert(store, &old).await;
        for d in &old {
            assert_eq!(claim_id(store).await.as_deref(), Some(d.id.as_str()));
            complete(store, &d.id).await;
        }
        insert(
            store,
            &[
                delivery("old-failed", None, false),
                delivery("old-push-1", Some(20), true),
                delivery("old-push-2", Some(20), true),
                delivery("stuck", Some(21), false),
                delivery("waiting", None, false),
                delivery("retrying", None, false),
            ],
        )
        .await;
        assert_eq!(claim_id(store).await.as_deref(), Some("old-failed"));
        fail(store, "old-failed", "gave up", NextAttempt::Never).await;
        assert_eq!(claim_id(store).await.as_deref(), Some("old-push-2"));
        assert_eq!(status(store, "old-push-1").await, DeliveryStatus::Coalesced);
        complete(store, "old-push-2").await;
        // In-progress and pending ones stay, however old.
        assert_eq!(
            store
                .claim_next("busy", LEASE)
                .await
                .unwrap()
                .map(|d| d.arrived.id)
                .as_deref(),
            Some("stuck")
        );
        assert_eq!(claim_id(store).await.as_deref(), Some("waiting"));
        fail(
            store,
            "waiting",
            "502",
            NextAttempt::At(now() + TimeDelta::hours(1)),
        )
        .await;

        tokio::time::sleep(Duration::from_millis(20)).await;
        let cutoff = now();
        tokio::time::sleep(Duration::from_millis(20)).await;

        insert(
            store,
            &[
                delivery("recent-done", None, false),
                delivery("recent-failed", None, false),
            ],
        )
        .await;
        assert_eq!(claim_id(store).await.as_deref(), Some("retrying"));
        fail(
            store,
            "retrying",
            "502",
            NextAttempt::At(now() + TimeDelta::hours(1)),
        )
        .await;
        assert_eq!(claim_id(store).await.as_deref(), Some("recent-done"));
        complete(store, "recent-done").await;
        assert_eq!(claim_id(store).await.as_deref(), Some("recent-failed"));
        fail(store, "recent-failed", "gave up", NextAttempt::Never).await;

        let deleted = store.prune_deliveries(cutoff).await.unwrap();
        assert_eq!(deleted, OLD_DONE as u64 + 3);
        for gone in [
            "old-000",
            "old-229",
            "old-failed",
            "old-push-1",
            "old-push-2",
        ] {
            assert!(
                store.get_delivery(gone).await.unwrap().is_none(),
                "{gone} was kept"
            );
        }
        let kept = store
            .list_deliveries(&DeliveryFilter::default())
            .await
            .unwrap();
        let mut kept: Vec<_> = kept.into_iter().map(|d| (d.arrived.id, d.status)).collect();
        kept.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(
            kept,
            [
                ("recent-done".to_string(), DeliveryStatus::Done),
                ("recent-failed".to_string(), DeliveryStatus::Failed),
                ("retrying".to_string(), DeliveryStatus::Pending),
                ("stuck".to_string(), DeliveryStatus::Processing),
                ("waiting".to_string(), DeliveryStatus::Pending),
            ]
        );
        assert_eq!(store.queue_depth().await.unwrap(), 3);
        assert_eq!(store.prune_deliveries(cutoff).await.unwrap(), 0);
        // Everything finished goes with a later cutoff; the queue is untouched.
        assert_eq!(
            store
                .prune_deliveries(now() + TimeDelta::seconds(1))
                .await
                .unwrap(),
            2
        );
        assert_eq!(store.queue_depth().await.unwrap(), 3);

        // The payloads went with their deliveries (SQLite keeps them in a table of their own).
        if db.url.starts_with("sqlite:") {
            let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
            let payloads: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM delivery_payloads")
                .fetch_one(&mut conn)
                .await
                .unwrap();
            assert_eq!(payloads, 3);
        }
        // A pruned id is forgotten: stored again if it ever comes back.
        insert(store, &[delivery("old-000", None, false)]).await;
    })
    .await;
}

fn pr(number: u64) -> PrRef {
    PrRef {
        repo: RepoName::new("acme", "widgets"),
        number: PrNumber(number),
    }
}

#[tokio::test]
async fn pr_state_round_trips_and_is_kept_per_pr() {
    each_backend(|db| async move {
        let store = db.store.as_ref();
        assert_eq!(store.pr_state(&pr(1)).await.unwrap(), PrState::default());

        let full = PrState {
            comment_id: Some(CommentId(1_234_567_890_123)),
            comment_hash: Some("c0ffee".to_string()),
            check_run: Some(CheckRunRef {
                head: CommitSha("a".repeat(40)),
                id: CheckRunId(987_654_321),
            }),
            check: Some(PublishedCheck {
                status: PublishedStatus::InProgress,
                digest: "beef".to_string(),
                notes: Some("f00d".to_string()),
            }),
            skip: Some(Skip {
                by: "octocat".to_string(),
                reason: "typo fix, \"no design\" needed".to_string(),
                at: Utc::now(),
            }),
            requested: vec![
                ReviewRequest {
                    reviewer: "@alice".to_string(),
                    error: None,
                },
                ReviewRequest {
                    reviewer: "@acme/design-review".to_string(),
                    error: Some("Reviews may only be requested from collaborators.".to_string()),
                },
            ],
        };
        store.save_pr_state(&pr(1), &full).await.unwrap();
        assert_eq!(store.pr_state(&pr(1)).await.unwrap(), full);
        assert_eq!(store.pr_state(&pr(2)).await.unwrap(), PrState::default());
        let other_repo = PrRef {
            repo: RepoName::new("acme", "gadgets"),
            number: PrNumber(1),
        };
        assert_eq!(
            store.pr_state(&other_repo).await.unwrap(),
            PrState::default()
        );

        let cleared = PrState {
            comment_id: full.comment_id,
            ..PrState::default()
        };
        store.save_pr_state(&pr(1), &cleared).await.unwrap();
        assert_eq!(store.pr_state(&pr(1)).await.unwrap(), cleared);
    })
    .await;
}

#[tokio::test]
async fn audit_entries_past_retention_are_pruned_in_batches() {
    each_backend(|db| async move {
        let store = db.store.as_ref();
        let cutoff = now() - TimeDelta::days(365);
        // More than one prune batch of old entries, and two within retention.
        for i in 0..250 {
            let at = cutoff - TimeDelta::days(30) + TimeDelta::minutes(i);
            store
                .record_audit(&audit(at, "acme/widgets", "skip"))
                .await
                .unwrap();
        }
        let kept = [
            audit(cutoff + TimeDelta::seconds(1), "acme/widgets", "unskip"),
            audit(now(), "acme/gadgets", "assign"),
        ];
        for entry in &kept {
            store.record_audit(entry).await.unwrap();
        }
        assert_eq!(store.prune_audit(cutoff).await.unwrap(), 250);
        assert_eq!(
            store.list_audit(&AuditFilter::default()).await.unwrap(),
            kept
        );
        assert_eq!(store.prune_audit(cutoff).await.unwrap(), 0);
    })
    .await;
}

#[tokio::test]
async fn the_retention_task_prunes_audit_entries_by_their_own_setting() {
    each_backend(|db| async move {
        let store = db.store.as_ref();
        let old = audit(now() - TimeDelta::days(400), "acme/widgets", "skip");
        let recent = audit(now() - TimeDelta::days(300), "acme/widgets", "unskip");
        store.record_audit(&old).await.unwrap();
        store.record_audit(&recent).await.unwrap();
        let listed = || async { store.list_audit(&AuditFilter::default()).await.unwrap() };

        // 0 days (forever) keeps everything, whatever the delivery retention says.
        let forever = Retention {
            deliveries: Some(Duration::from_secs(86_400)),
            audit: None,
        };
        prune_once(store, forever).await;
        assert_eq!(listed().await, [old.clone(), recent.clone()]);

        let year = Retention {
            deliveries: None,
            audit: Some(Duration::from_secs(365 * 86_400)),
        };
        prune_once(store, year).await;
        assert_eq!(listed().await, [recent]);
    })
    .await;
}

#[tokio::test]
async fn a_comment_version_runs_under_one_delivery_only() {
    each_backend(|db| async move {
        let store = db.store.clone();
        let written = now() - TimeDelta::minutes(5);
        let comment = CommentVersion {
            source: CommentSource::IssueComment(42),
            updated_at: written,
        };
        let run = |version: CommentVersion, delivery: &'static str| {
            let store = store.clone();
            async move { store.claim_command_run(&version, delivery).await.unwrap() }
        };
        assert_eq!(run(comment, "d-1").await, CommandRun::Ours);
        // A retry of the same delivery runs again; a replay under another id does not.
        assert_eq!(run(comment, "d-1").await, CommandRun::Ours);
        assert_eq!(
            run(comment, "d-2").await,
            CommandRun::RanUnder("d-1".into())
        );
        // An edit is another version; a review numbered like the comment is another source.
        let edited = CommentVersion {
            updated_at: written + TimeDelta::seconds(1),
            ..comment
        };
        assert_eq!(run(edited, "d-3").await, CommandRun::Ours);
        let review = CommentVersion {
            source: CommentSource::Review(42),
            ..comment
        };
        assert_eq!(run(review, "d-4").await, CommandRun::Ours);
        // Remembered across a restart.
        let reopened = db.reopen().await;
        assert_eq!(
            reopened.claim_command_run(&comment, "d-5").await.unwrap(),
            CommandRun::RanUnder("d-1".into())
        );

        // Deliveries of one version racing (two replicas): exactly one runs it.
        let raced = CommentVersion {
            source: CommentSource::IssueComment(43),
            updated_at: written,
        };
        let claims: Vec<_> = ["r-1", "r-2", "r-3", "r-4", "r-5", "r-6"]
            .into_iter()
            .map(|delivery| tokio::spawn(run(raced, delivery)))
            .collect();
        let mut ours = 0;
        for claim in claims {
            if claim.await.unwrap() == CommandRun::Ours {
                ours += 1;
            }
        }
        assert_eq!(ours, 1);

        // Pruning forgets runs recorded before the cutoff, and only those.
        assert_eq!(
            store
                .prune_command_runs(now() - TimeDelta::hours(1))
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            store
                .prune_command_runs(now() + TimeDelta::seconds(1))
                .await
                .unwrap(),
            4
        );
        assert_eq!(run(comment, "d-6").await, CommandRun::Ours);
    })
    .await;
}

fn audit(at: DateTime<Utc>, repo: &str, command: &str) -> AuditEntry {
    AuditEntry {
        at,
        repo: repo.to_string(),
        pr_number: PrNumber(12),
        head_sha: Some("b".repeat(40)),
        actor: "octocat".to_string(),
        command: command.to_string(),
        reason: Some("because".to_string()),
        outcome: AuditOutcome::Done,
    }
}

#[tokio::test]
async fn audit_log_appends_and_filters_by_repo_and_time() {
    each_backend(|db| async move {
        let store = db.store.as_ref();
        let t0 = now() - TimeDelta::hours(3);
        let entries = [
            audit(t0, "acme/widgets", "skip"),
            audit(t0 + TimeDelta::hours(1), "acme/gadgets", "unskip"),
            audit(t0 + TimeDelta::hours(2), "acme/widgets", "approve"),
            AuditEntry {
                head_sha: None,
                reason: None,
                outcome: AuditOutcome::Refused {
                    rule: "not a maintainer".to_string(),
                },
                ..audit(t0 + TimeDelta::hours(2), "acme/widgets", "skip")
            },
        ];
        // Stored out of time order: the listing is by time.
        for entry in [&entries[2], &entries[0], &entries[1], &entries[3]] {
            store.record_audit(entry).await.unwrap();
        }

        let all = store.list_audit(&AuditFilter::default()).await.unwrap();
        assert_eq!(
            all,
            [
                entries[0].clone(),
                entries[1].clone(),
                entries[2].clone(),
                entries[3].clone()
            ]
        );
        let widgets = store
            .list_audit(&AuditFilter {
                repo: Some("acme/widgets".to_string()),
                since: None,
                limit: 0,
            })
            .await
            .unwrap();
        assert_eq!(
            widgets,
            [entries[0].clone(), entries[2].clone(), entries[3].clone()]
        );
        let recent = store
            .list_audit(&AuditFilter {
                repo: Some("acme/widgets".to_string()),
                since: Some(t0 + TimeDelta::minutes(30)),
                limit: 0,
            })
            .await
            .unwrap();
        assert_eq!(recent, [entries[2].clone(), entries[3].clone()]);
        let first = store
            .list_audit(&AuditFilter {
                repo: None,
                since: None,
                limit: 1,
            })
            .await
            .unwrap();
        assert_eq!(first, [entries[0].clone()]);
    })
    .await;
}

#[tokio::test]
async fn data_survives_reopening_the_database() {
    each_backend(|db| async move {
        insert(
            db.store.as_ref(),
            &[
                delivery("kept-1", Some(1), false),
                delivery("kept-2", Some(1), false),
            ],
        )
        .await;
        let claimed = db
            .store
            .claim_next("before-restart", Duration::from_millis(100))
            .await
            .unwrap();
        assert_eq!(claimed.map(|d| d.arrived.id).as_deref(), Some("kept-1"));
        let state = PrState {
            comment_id: Some(CommentId(5)),
            ..PrState::default()
        };
        db.store.save_pr_state(&pr(1), &state).await.unwrap();

        let Db { url, store } = db;
        drop(store);
        let reopened = store::connect(&url).await.expect("reopen");
        assert_eq!(reopened.queue_depth().await.unwrap(), 2);
        assert_eq!(reopened.pr_state(&pr(1)).await.unwrap(), state);
        tokio::time::sleep(Duration::from_millis(250)).await;
        let resumed = reopened
            .claim_next("after-restart", LEASE)
            .await
            .unwrap()
            .expect("resumed");
        assert_eq!(
            resumed.arrived.id, "kept-1",
            "the interrupted delivery is resumed first"
        );
        complete(reopened.as_ref(), "kept-1").await;
        assert_eq!(claim_id(reopened.as_ref()).await.as_deref(), Some("kept-2"));
    })
    .await;
}

/// Several workers, each with its own connection pool (as separate processes would have), drain
/// 200 deliveries over 20 PRs: each delivery ends handled exactly once, never two deliveries of
/// one PR are in flight together, and each PR's deliveries are claimed in arrival order.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_workers_claim_each_delivery_once_and_serialise_prs() {
    each_backend(|db| async move {
        const PRS: u64 = 20;
        const DELIVERIES: u64 = 200;
        const WORKERS: usize = 6;
        for n in 0..DELIVERIES {
            // Every third delivery is a coalescable push; the rest must each run.
            let d = delivery(&format!("c{n:03}"), Some(n % PRS), n % 3 == 0);
            db.store.insert_delivery(d).await.unwrap();
        }

        let in_flight = Arc::new(Mutex::new(HashSet::<String>::new()));
        let claims = Arc::new(Mutex::new(Vec::<(String, String)>::new()));
        let mut workers = Vec::new();
        for w in 0..WORKERS {
            let store = db.reopen().await;
            let in_flight = Arc::clone(&in_flight);
            let claims = Arc::clone(&claims);
            workers.push(tokio::spawn(async move {
                let name = format!("worker-{w}");
                loop {
                    let Some(d) = store.claim_next(&name, LEASE).await.expect("claim") else {
                        if store.queue_depth().await.expect("depth") == 0 {
                            return;
                        }
                        // Everything left is held by other workers: poll again shortly.
                        tokio::time::sleep(Duration::from_millis(2)).await;
                        continue;
                    };
                    let key = d.arrived.pr_key.clone().expect("every delivery has a PR");
                    assert!(
                        in_flight.lock().unwrap().insert(key.clone()),
                        "two deliveries of {key} in flight at once"
                    );
                    claims
                        .lock()
                        .unwrap()
                        .push((key.clone(), d.arrived.id.clone()));
                    tokio::task::yield_now().await;
                    in_flight.lock().unwrap().remove(&key);
                    let claim = d.claimed_by.as_deref().expect("a claim token");
                    store
                        .complete(&d.arrived.id, claim)
                        .await
                        .expect("complete");
                }
            }));
        }
        for worker in workers {
            worker.await.expect("worker ran without failing");
        }

        let claims = claims.lock().unwrap().clone();
        let mut seen = HashSet::new();
        let mut last_per_pr: HashMap<String, String> = HashMap::new();
        for (key, id) in &claims {
            assert!(seen.insert(id.clone()), "{id} claimed twice");
            if let Some(previous) = last_per_pr.insert(key.clone(), id.clone()) {
                assert!(previous < *id, "{key}: {id} claimed after {previous}");
            }
        }
        let everything = db
            .store
            .list_deliveries(&DeliveryFilter::default())
            .await
            .unwrap();
        assert_eq!(everything.len(), DELIVERIES as usize);
        for d in &everything {
            match d.status {
                DeliveryStatus::Done => {
                    assert!(
                        seen.contains(&d.arrived.id),
                        "{} done but never claimed",
                        d.arrived.id
                    )
                }
                DeliveryStatus::Coalesced => {
                    assert!(d.arrived.coalescable, "{} is not coalescable", d.arrived.id);
                    assert!(
                        !seen.contains(&d.arrived.id),
                        "{} claimed and coalesced",
                        d.arrived.id
                    );
                }
                other => panic!("{} left {other:?}", d.arrived.id),
            }
            if !d.arrived.coalescable {
                assert!(
                    seen.contains(&d.arrived.id),
                    "non-coalescable {} was never handled",
                    d.arrived.id
                );
            }
        }
    })
    .await;
}

#[tokio::test]
async fn sqlite_urls_create_the_file_and_use_wal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/dir/design-review.db");
    let url = format!("sqlite://{}", path.display());
    let store = store::connect(&url)
        .await
        .expect("creates missing directories and file");
    insert(store.as_ref(), &[delivery("w", None, false)]).await;
    assert!(path.exists());

    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(mode, "wal");

    let memory = store::connect("sqlite::memory:")
        .await
        .expect("in-memory database");
    insert(memory.as_ref(), &[delivery("m", Some(1), false)]).await;
    assert_eq!(claim_id(memory.as_ref()).await.as_deref(), Some("m"));
    assert_eq!(memory.queue_depth().await.unwrap(), 1);
}

/// The inspection commands open the server's database, never a new empty one: pointed at a
/// SQLite file that does not exist they say so, naming the path, and create nothing.
#[tokio::test]
async fn inspecting_a_missing_sqlite_database_names_it_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("elsewhere/design-review.db");
    let url = format!("sqlite://{}", path.display());
    let err = store::connect_existing(&url)
        .await
        .err()
        .expect("a missing database is refused");
    assert!(
        matches!(err, StoreError::MissingDatabase(ref shown) if shown == &path.display().to_string()),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "no SQLite database at {} (check DATABASE_URL, or run from the directory that holds it)",
            path.display()
        )
    );
    assert!(!path.exists() && !path.parent().unwrap().exists());

    // Once the server created it, the commands open it.
    let server = store::connect(&url).await.unwrap();
    insert(server.as_ref(), &[delivery("seen", None, false)]).await;
    let inspect = store::connect_existing(&url).await.expect("opens");
    assert!(inspect.get_delivery("seen").await.unwrap().is_some());

    // Through the binary, from a directory without the default `design-review.db`.
    let empty = tempfile::tempdir().unwrap();
    for args in [
        &["deliveries"][..],
        &["redeliver", "seen"][..],
        &["audit"][..],
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_design-review"))
            .args(args)
            .current_dir(empty.path())
            .env_remove("DATABASE_URL")
            .output()
            .expect("runs");
        assert!(!out.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            stderr.replace(&empty.path().display().to_string(), "[dir]"),
            "design-review: no SQLite database at [dir]/design-review.db \
             (check DATABASE_URL, or run from the directory that holds it)\n",
            "{args:?}"
        );
        assert!(
            !empty.path().join("design-review.db").exists(),
            "{args:?} created a database"
        );
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_design-review"))
        .args(["audit", "--database-url", &url])
        .current_dir(empty.path())
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "No audit entries.\n");
}

#[tokio::test]
async fn unknown_schemes_are_refused() {
    let err = store::connect("mysql://root:hunter2@localhost/db")
        .await
        .err()
        .expect("refused");
    assert!(matches!(err, StoreError::UnsupportedUrl(ref url) if !url.contains("hunter2")));
}

/// A store whose lease renewals can be made to fail for a while, as they would while the
/// database is unreachable or the worker's process stalls.
struct StalledRenewals {
    inner: Arc<dyn Store>,
    stalled: AtomicBool,
    /// Outcome writes the worker attempted: (delivery id, what).
    outcomes: Mutex<Vec<(String, &'static str)>>,
}

#[async_trait::async_trait]
impl Store for StalledRenewals {
    async fn ping(&self) -> store::StoreResult<()> {
        self.inner.ping().await
    }
    async fn insert_delivery(&self, d: NewDelivery) -> store::StoreResult<InsertOutcome> {
        self.inner.insert_delivery(d).await
    }
    async fn claim_next(
        &self,
        worker: &str,
        lease: Duration,
    ) -> store::StoreResult<Option<store::Delivery>> {
        self.inner.claim_next(worker, lease).await
    }
    async fn renew_lease(&self, id: &str, claim: &str, lease: Duration) -> store::StoreResult<()> {
        if self.stalled.load(Ordering::SeqCst) {
            return Err(StoreError::Database(sqlx::Error::PoolTimedOut));
        }
        self.inner.renew_lease(id, claim, lease).await
    }
    async fn complete(&self, id: &str, claim: &str) -> store::StoreResult<()> {
        self.outcomes
            .lock()
            .unwrap()
            .push((id.to_string(), "complete"));
        self.inner.complete(id, claim).await
    }
    async fn fail(
        &self,
        id: &str,
        claim: &str,
        error: &str,
        next: NextAttempt,
    ) -> store::StoreResult<()> {
        self.outcomes.lock().unwrap().push((id.to_string(), "fail"));
        self.inner.fail(id, claim, error, next).await
    }
    async fn requeue(&self, id: &str) -> store::StoreResult<()> {
        self.inner.requeue(id).await
    }
    async fn get_delivery(&self, id: &str) -> store::StoreResult<Option<store::Delivery>> {
        self.inner.get_delivery(id).await
    }
    async fn list_deliveries(
        &self,
        filter: &DeliveryFilter,
    ) -> store::StoreResult<Vec<store::Delivery>> {
        self.inner.list_deliveries(filter).await
    }
    async fn prune_deliveries(&self, older_than: DateTime<Utc>) -> store::StoreResult<u64> {
        self.inner.prune_deliveries(older_than).await
    }
    async fn queue_depth(&self) -> store::StoreResult<i64> {
        self.inner.queue_depth().await
    }
    async fn pr_state(&self, pr: &PrRef) -> store::StoreResult<PrState> {
        self.inner.pr_state(pr).await
    }
    async fn save_pr_state(&self, pr: &PrRef, state: &PrState) -> store::StoreResult<()> {
        self.inner.save_pr_state(pr, state).await
    }
    async fn record_audit(&self, entry: &AuditEntry) -> store::StoreResult<()> {
        self.inner.record_audit(entry).await
    }
    async fn list_audit(&self, filter: &AuditFilter) -> store::StoreResult<Vec<AuditEntry>> {
        self.inner.list_audit(filter).await
    }
    async fn prune_audit(&self, older_than: DateTime<Utc>) -> store::StoreResult<u64> {
        self.inner.prune_audit(older_than).await
    }
    async fn claim_command_run(
        &self,
        version: &CommentVersion,
        delivery_id: &str,
    ) -> store::StoreResult<CommandRun> {
        self.inner.claim_command_run(version, delivery_id).await
    }
    async fn prune_command_runs(&self, older_than: DateTime<Utc>) -> store::StoreResult<u64> {
        self.inner.prune_command_runs(older_than).await
    }
}

/// Holds every delivery until the test opens the gate; counts the ones that ran to the end.
struct Gated {
    started: Mutex<Vec<String>>,
    gate: tokio::sync::Semaphore,
    finished: Mutex<Vec<String>>,
}

#[async_trait::async_trait]
impl Handler for Gated {
    async fn handle(&self, delivery: &store::Delivery) -> Result<(), HandleError> {
        self.started
            .lock()
            .unwrap()
            .push(delivery.arrived.id.clone());
        if delivery.arrived.id == "held" {
            self.gate.acquire().await.expect("gate").forget();
        }
        self.finished
            .lock()
            .unwrap()
            .push(delivery.arrived.id.clone());
        Ok(())
    }
}

/// A worker whose lease renewals fail until its lease expires, and whose delivery another worker
/// claims meanwhile, learns at its next renewal that the claim is lost: it stops handling the
/// delivery and records nothing, so the other worker's claim is left intact.
#[tokio::test]
async fn a_worker_that_lost_its_lease_leaves_the_delivery_to_the_new_claim() {
    each_backend(|db| async move {
        const WORKER_LEASE: Duration = Duration::from_millis(300);
        let store = Arc::new(StalledRenewals {
            inner: db.store.clone(),
            stalled: AtomicBool::new(false),
            outcomes: Mutex::new(Vec::new()),
        });
        let handler = Arc::new(Gated {
            started: Mutex::new(Vec::new()),
            gate: tokio::sync::Semaphore::new(0),
            finished: Mutex::new(Vec::new()),
        });
        let wake = Arc::new(tokio::sync::Notify::new());
        let shutdown = tokio_util::sync::CancellationToken::new();
        let workers = WorkerPool::start(
            store.clone(),
            handler.clone(),
            QueueSettings {
                workers: 1,
                lease: WORKER_LEASE,
                max_attempts: 3,
                backoff: Backoff {
                    base: Duration::from_millis(10),
                    max: Duration::from_millis(50),
                },
                poll: Duration::from_millis(20),
            },
            wake.clone(),
            shutdown.clone(),
        );
        insert(db.store.as_ref(), &[delivery("held", Some(12), false)]).await;
        wake.notify_waiters();
        for _ in 0..500 {
            if !handler.started.lock().unwrap().is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(*handler.started.lock().unwrap(), ["held"]);

        // Renewals fail past the end of the lease, and another worker takes the delivery over.
        store.stalled.store(true, Ordering::SeqCst);
        tokio::time::sleep(WORKER_LEASE * 2).await;
        let takeover = db
            .store
            .claim_next("other-replica", LEASE)
            .await
            .unwrap()
            .expect("the expired lease lets another worker claim it");
        assert_eq!(takeover.arrived.id, "held");
        let current = takeover.claimed_by.clone().expect("a claim token");
        store.stalled.store(false, Ordering::SeqCst);
        // The next renewal (due within a third of the lease) finds the claim lost; leave it
        // ample time on a busy machine, then let the first worker's handler finish.
        tokio::time::sleep(WORKER_LEASE * 3).await;
        handler.gate.add_permits(1);

        // The first worker moves on to other work...
        insert(db.store.as_ref(), &[delivery("next", None, false)]).await;
        wake.notify_waiters();
        for _ in 0..500 {
            if status(db.store.as_ref(), "next").await == DeliveryStatus::Done {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(
            status(db.store.as_ref(), "next").await,
            DeliveryStatus::Done
        );
        // ...without having written anything for the delivery it lost.
        assert!(
            !store
                .outcomes
                .lock()
                .unwrap()
                .iter()
                .any(|(id, _)| id == "held"),
            "{:?}",
            store.outcomes.lock().unwrap()
        );
        assert!(
            !handler
                .finished
                .lock()
                .unwrap()
                .contains(&"held".to_string()),
            "the lost delivery's handler was stopped"
        );
        let held = db.store.get_delivery("held").await.unwrap().unwrap();
        assert_eq!(held.status, DeliveryStatus::Processing);
        assert_eq!(held.claimed_by.as_deref(), Some(current.as_str()));
        db.store.complete("held", &current).await.unwrap();

        shutdown.cancel();
        workers.join().await;
    })
    .await;
}

/// On PostgreSQL, payloads are TOAST-compressed with LZ4 where the server supports it (pglz, the
/// default, made compression the bottleneck of intake).
#[tokio::test]
async fn postgres_compresses_payloads_with_lz4_when_the_server_can() {
    let Some(database) = ScratchDatabase::create("dr_test").await else {
        eprintln!("note: TEST_DATABASE_URL is not set; this PostgreSQL-only test was skipped");
        return;
    };
    let store = store::connect(&database.url).await.expect("connect");
    let mut conn = sqlx::PgConnection::connect(&database.url)
        .await
        .expect("connect");
    let lz4_available = sqlx::query("CREATE TEMP TABLE probe (x TEXT COMPRESSION lz4)")
        .execute(&mut conn)
        .await
        .is_ok();
    let method: String = sqlx::query_scalar(
        "SELECT attcompression::text FROM pg_attribute \
         WHERE attrelid = 'deliveries'::regclass AND attname = 'payload'",
    )
    .fetch_one(&mut conn)
    .await
    .expect("column compression");
    drop(conn);
    drop(store);
    database.drop_database().await;
    if lz4_available {
        assert_eq!(method, "l", "payload column should use LZ4");
    } else {
        eprintln!("note: this PostgreSQL server has no LZ4; the default compression stays");
    }
}

/// The rows a database of the previous release (migrations up to 0006) holds in the formats
/// 0007 converts: check-run state as `status:digest:notes` text (with the older two-part and
/// an unknown form), and audit outcomes as text. `at` is the backend's timestamp literal.
fn previous_release_rows(at: &str) -> String {
    let head = "a".repeat(40);
    format!(
        "INSERT INTO pr_state (repo, pr_number, comment_id, comment_hash, check_head_sha,
                               check_run_id, check_hash, requested, updated_at)
         VALUES ('acme/widgets', 1, 11, 'c0ffee', '{head}', 22, 'completed:d1g3st:n0t3s', '[]', {at}),
                ('acme/widgets', 2, NULL, NULL, '{head}', 33, 'in_progress:d1g3st', '[]', {at}),
                ('acme/widgets', 3, NULL, NULL, NULL, NULL, 'beef', '[]', {at});
         INSERT INTO audit_log (at, repo, pr_number, head_sha, actor, command, reason, outcome)
         VALUES ({at}, 'acme/widgets', 1, NULL, 'bob', 'skip', 'docs', 'done'),
                ({at}, 'acme/widgets', 1, NULL, 'eve', 'skip', NULL, 'refused: the author: no'),
                ({at}, 'acme/widgets', 1, NULL, 'eve', 'skp', NULL, 'invalid: unknown `skp`'),
                ({at}, 'acme/widgets', 1, NULL, 'eve', 'x', NULL, 'lost');"
    )
}

/// `full` cut down to the migrations of the previous release.
fn previous_release(full: &sqlx::migrate::Migrator) -> sqlx::migrate::Migrator {
    let migrations: Vec<_> = full
        .migrations
        .iter()
        .filter(|m| m.version <= 6)
        .cloned()
        .collect();
    sqlx::migrate::Migrator {
        migrations: migrations.into(),
        ..sqlx::migrate::Migrator::DEFAULT
    }
}

/// What the converted rows read back as, through the store.
async fn assert_converted(store: &dyn Store) {
    let head = CommitSha("a".repeat(40));
    let published = |status, notes: Option<&str>| PublishedCheck {
        status,
        digest: "d1g3st".to_string(),
        notes: notes.map(str::to_string),
    };
    assert_eq!(
        store.pr_state(&pr(1)).await.unwrap(),
        PrState {
            comment_id: Some(CommentId(11)),
            comment_hash: Some("c0ffee".to_string()),
            check_run: Some(CheckRunRef {
                head: head.clone(),
                id: CheckRunId(22),
            }),
            check: Some(published(PublishedStatus::Completed, Some("n0t3s"))),
            ..PrState::default()
        }
    );
    assert_eq!(
        store.pr_state(&pr(2)).await.unwrap(),
        PrState {
            check_run: Some(CheckRunRef {
                head,
                id: CheckRunId(33)
            }),
            check: Some(published(PublishedStatus::InProgress, None)),
            ..PrState::default()
        }
    );
    assert_eq!(store.pr_state(&pr(3)).await.unwrap(), PrState::default());
    let outcomes: Vec<AuditOutcome> = store
        .list_audit(&AuditFilter::default())
        .await
        .unwrap()
        .into_iter()
        .map(|entry| entry.outcome)
        .collect();
    assert_eq!(
        outcomes,
        [
            AuditOutcome::Done,
            AuditOutcome::Refused {
                rule: "the author: no".to_string()
            },
            AuditOutcome::Invalid {
                message: "unknown `skp`".to_string()
            },
            AuditOutcome::Invalid {
                message: "lost".to_string()
            },
        ]
    );
}

#[tokio::test]
async fn rows_of_the_previous_release_are_converted_on_sqlite() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("old.db").display());
    let options: sqlx::sqlite::SqliteConnectOptions = url.parse().unwrap();
    let pool = sqlx::SqlitePool::connect_with(options.create_if_missing(true))
        .await
        .unwrap();
    previous_release(&sqlx::migrate!("./migrations/sqlite"))
        .run(&pool)
        .await
        .unwrap();
    sqlx::raw_sql(&previous_release_rows("1700000000000000"))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    assert_converted(store::connect(&url).await.unwrap().as_ref()).await;
}

#[tokio::test]
async fn rows_of_the_previous_release_are_converted_on_postgres() {
    let Some(database) = ScratchDatabase::create("dr_test").await else {
        eprintln!(
            "note: TEST_DATABASE_URL is not set; the PostgreSQL run of this test was skipped"
        );
        return;
    };
    let pool = sqlx::PgPool::connect(&database.url).await.unwrap();
    previous_release(&sqlx::migrate!("./migrations/postgres"))
        .run(&pool)
        .await
        .unwrap();
    sqlx::raw_sql(&previous_release_rows("to_timestamp(1700000000)"))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let store = store::connect(&database.url).await.unwrap();
    let outcome = tokio::spawn(async move { assert_converted(store.as_ref()).await }).await;
    database.drop_database().await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic.into_panic());
    }
}
