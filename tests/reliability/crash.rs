//! SIGKILL with hundreds of deliveries in flight: after a restart every acknowledged delivery
//! ends `done` or `coalesced`, and no PR has two bot comments.

use std::time::{Duration, Instant};

use design_review::store::{self, DeliveryStatus};

use crate::common::{
    REPO, github_with_prs, pr_problems, push, quiet_env, send_all, wait_all_finished,
};
use crate::support::process::ServerProcess;

/// `prs` PRs, each pushed `pushes` times (one `synchronize` delivery per push, sent in push
/// order); the server is killed once `kill_after` check runs exist.
async fn kill_mid_work(prs: u64, pushes: u64, kill_after: usize) {
    let gh = github_with_prs(prs).await;
    // Payloads of every push, built as GitHub would have sent them at the time.
    let mut rounds = Vec::new();
    for k in 0..pushes {
        let round: Vec<_> = (1..=prs)
            .map(|n| {
                push(&gh, n, k);
                let body = gh.pull_request_event("synchronize", REPO, n);
                (format!("crash-{n}-{k}"), "pull_request", body)
            })
            .collect();
        rounds.push(round);
    }
    // A slow GitHub keeps deliveries in hand when the server is killed.
    gh.latency(Duration::from_millis(5));
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("dr.db").display());
    let env = quiet_env(&gh, &database_url);

    let started = Instant::now();
    let server = ServerProcess::start(&env).await;
    let mut accepted = Vec::new();
    for round in rounds {
        accepted.extend(send_all(&[&server], round, 16).await);
    }
    let sent_in = started.elapsed();
    assert_eq!(
        accepted.len() as u64,
        prs * pushes,
        "every delivery was accepted"
    );
    while gh.check_runs(REPO).len() < kill_after {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no progress before the kill"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.kill();
    let killed_at = started.elapsed();
    let store = store::connect(&database_url).await.unwrap();
    let at_kill = crate::common::all_deliveries(&store).await;
    let unfinished_at_kill = at_kill
        .iter()
        .filter(|d| !matches!(d.status, DeliveryStatus::Done | DeliveryStatus::Coalesced))
        .count();
    let in_hand_at_kill = at_kill
        .iter()
        .filter(|d| d.status == DeliveryStatus::Processing)
        .count();
    assert!(
        unfinished_at_kill > 0,
        "the kill came too late to test anything"
    );

    let restarted = ServerProcess::start(&env).await;
    let all = wait_all_finished(&store, &accepted, Duration::from_secs(120)).await;
    let total = started.elapsed();
    let coalesced = all
        .iter()
        .filter(|d| d.status == DeliveryStatus::Coalesced)
        .count();
    let (problems, extra_runs) = pr_problems(&gh, prs, pushes - 1);
    println!(
        "crash: {} deliveries ({prs} PRs x {pushes} pushes) accepted in {:.1} s; SIGKILL at {:.1} s \
         with {unfinished_at_kill} unfinished ({in_hand_at_kill} in hand); all finished {:.1} s \
         after the start: {} done, {coalesced} coalesced; {} check runs created, {extra_runs} \
         extra on a head",
        accepted.len(),
        sent_in.as_secs_f64(),
        killed_at.as_secs_f64(),
        total.as_secs_f64(),
        all.len() - coalesced,
        gh.check_runs(REPO).len(),
    );
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(extra_runs, 0, "a head got two check runs");
    assert!(restarted.terminate().await, "clean exit on SIGTERM");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_with_400_deliveries_in_flight_loses_none() {
    kill_mid_work(100, 4, 20).await;
}

/// The figure: 1,000 deliveries. Run with `--ignored` (figures in docs/reliability.md).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "1,000 deliveries: about a minute; the 400-delivery version runs by default"]
async fn sigkill_with_1000_deliveries_in_flight_loses_none() {
    kill_mid_work(250, 4, 50).await;
}
