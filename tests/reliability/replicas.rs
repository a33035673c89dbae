//! Two server processes on one PostgreSQL database under concurrent load: each delivery is
//! handled once, each PR gets one comment, and no PR is evaluated by both at the same time.

use std::sync::Arc;
use std::time::{Duration, Instant};

use design_review::review::Workflow;
use design_review::store::{self, DeliveryStatus};

use crate::common::{
    REPO, github_with_prs, pr_problems, push, quiet_env, send_all, wait_all_finished,
};
use crate::support::{
    app::{TestApp, test_queue_settings},
    process::ServerProcess,
};

const PRS: u64 = 120;
const PUSHES: u64 = 3;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_under_load_never_evaluate_one_pr_twice_at_once() {
    let Some(database) =
        crate::support::scratch_pg::ScratchDatabase::create("dr_reliability").await
    else {
        eprintln!("SKIPPED: set TEST_DATABASE_URL to run the two-replica load test on PostgreSQL");
        return;
    };
    let database_url = database.url.clone();

    let gh = github_with_prs(PRS).await;
    let mut rounds = Vec::new();
    for k in 0..PUSHES {
        let round: Vec<_> = (1..=PRS)
            .map(|n| {
                push(&gh, n, k);
                let body = gh.pull_request_event("synchronize", REPO, n);
                (format!("replica-{n}-{k}"), "pull_request", body)
            })
            .collect();
        rounds.push(round);
    }
    gh.latency(Duration::from_millis(3));
    gh.track_evaluations();
    let mut env = quiet_env(&gh, &database_url);
    env.retain(|(k, _)| k != "QUEUE_LEASE_SECS");
    env.push(("QUEUE_LEASE_SECS".into(), "10".into()));
    let a = ServerProcess::start(&env).await;
    let b = ServerProcess::start(&env).await;

    let started = Instant::now();
    let mut accepted = Vec::new();
    let mut redeliveries = Vec::new();
    for round in rounds {
        // Every tenth delivery is sent again to the other replica: a duplicate, not new work.
        redeliveries.extend(round.iter().step_by(10).cloned());
        accepted.extend(send_all(&[&a, &b], round, 16).await);
    }
    assert_eq!(accepted.len() as u64, PRS * PUSHES, "all accepted");
    let again = redeliveries.len();
    let duplicates = send_all(&[&b, &a], redeliveries, 8).await;
    assert!(duplicates.is_empty(), "a redelivery was stored again");

    let store = store::connect(&database_url).await.unwrap();
    let all = wait_all_finished(&store, &accepted, Duration::from_secs(120)).await;
    let elapsed = started.elapsed();
    let done: Vec<_> = all
        .iter()
        .filter(|d| d.status == DeliveryStatus::Done)
        .collect();
    let retried: Vec<_> = done.iter().filter(|d| d.attempts != 1).collect();
    let (evaluations, closed, overlaps) = gh.evaluations();
    println!(
        "replicas: {} deliveries ({PRS} PRs x {PUSHES} pushes, {again} redeliveries answered as \
         duplicates) over two servers in {:.1} s: {} done, {} coalesced; {evaluations} \
         evaluations, {} overlapping",
        accepted.len(),
        elapsed.as_secs_f64(),
        done.len(),
        all.len() - done.len(),
        overlaps.len()
    );
    assert!(retried.is_empty(), "handled more than once: {retried:?}");
    assert!(
        overlaps.is_empty(),
        "evaluated at the same time: {overlaps:?}"
    );
    assert_eq!(
        evaluations,
        done.len(),
        "one evaluation per handled delivery"
    );
    assert_eq!(closed, evaluations, "every evaluation wrote its check run");
    let (problems, extra_runs) = pr_problems(&gh, PRS, PUSHES - 1);
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(extra_runs, 0, "a head got two check runs");

    drop((a, b));
    drop(store);
    database.drop_database().await;
}

/// The overlap detector itself: two servers with separate databases (nothing coordinates
/// them) evaluating the same PR at once are caught.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overlap_detector_catches_uncoordinated_servers() {
    let gh = github_with_prs(1).await;
    // An evaluation is open from its reviews listing to its check-run write, one round trip
    // now: a latency well above the scheduling jitter keeps the two evaluations overlapping.
    gh.latency(Duration::from_millis(150));
    gh.track_evaluations();
    let start = || {
        let github = gh.app();
        TestApp::start_with(
            move |store| Arc::new(Workflow::new(github, store)),
            test_queue_settings(),
        )
    };
    let (one, two) = (start().await, start().await);
    let body = gh.pull_request_event("synchronize", REPO, 1);
    let (a, b) = tokio::join!(
        one.send("pull_request", "same-1", &body),
        two.send("pull_request", "same-2", &body)
    );
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (202, 202));
    one.wait_idle().await;
    two.wait_idle().await;
    let (evaluations, _, overlaps) = gh.evaluations();
    assert_eq!(evaluations, 2);
    assert_eq!(overlaps, vec![format!("{REPO}#1")]);
}
