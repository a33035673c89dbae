//! SIGTERM while deliveries are in hand: the process finishes them and exits 0; what was
//! accepted but not started stays stored and is handled after a restart.

use std::time::{Duration, Instant};

use design_review::store::{self, DeliveryStatus};

use crate::common::{
    REPO, all_deliveries, assert_prs_end_right, github_with_prs, quiet_env, send_all,
    wait_all_finished,
};
use crate::support::process::ServerProcess;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_deliveries_in_hand_and_loses_none() {
    const PRS: u64 = 24;
    let gh = github_with_prs(PRS).await;
    // Slow enough that an evaluation (about ten calls) takes a couple of seconds.
    gh.latency(Duration::from_millis(150));
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("dr.db").display());
    let env = quiet_env(&gh, &database_url);
    let server = ServerProcess::start(&env).await;
    let deliveries = (1..=PRS)
        .map(|n| {
            let body = gh.pull_request_event("synchronize", REPO, n);
            (format!("term-{n}"), "pull_request", body)
        })
        .collect();
    let accepted = send_all(&[&server], deliveries, 8).await;
    assert_eq!(accepted.len() as u64, PRS);

    // Wait until workers hold deliveries, and GitHub has seen some of their calls.
    let store = store::connect(&database_url).await.unwrap();
    let started = Instant::now();
    let in_hand: Vec<String> = loop {
        let processing: Vec<String> = all_deliveries(&store)
            .await
            .into_iter()
            .filter(|d| d.status == DeliveryStatus::Processing)
            .map(|d| d.id)
            .collect();
        if !processing.is_empty() && gh.api_calls().len() > 2 {
            break processing;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no work started"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    };

    let term_at = Instant::now();
    assert!(server.terminate().await, "exit status 0 after SIGTERM");
    let exit_took = term_at.elapsed();
    let after_exit = all_deliveries(&store).await;
    let status_of = |id: &str| {
        after_exit
            .iter()
            .find(|d| d.id == id)
            .map(|d| d.status)
            .expect("delivery stored")
    };
    for id in &in_hand {
        assert_eq!(
            status_of(id),
            DeliveryStatus::Done,
            "{id} was in hand at SIGTERM and must have been finished"
        );
    }
    let left = after_exit
        .iter()
        .filter(|d| d.status == DeliveryStatus::Pending)
        .count();
    assert!(
        after_exit
            .iter()
            .all(|d| d.status != DeliveryStatus::Processing),
        "nothing is left claimed"
    );
    assert!(left > 0, "SIGTERM came too late: nothing was left to test");

    // Nothing accepted is lost: a restart handles the rest.
    gh.latency(Duration::ZERO);
    let restarted = ServerProcess::start(&env).await;
    wait_all_finished(&store, &accepted, Duration::from_secs(60)).await;
    println!(
        "shutdown: {} deliveries in hand at SIGTERM finished; exit 0 after {:.2} s; {left} \
         pending deliveries handled after the restart",
        in_hand.len(),
        exit_took.as_secs_f64()
    );
    assert_prs_end_right(&gh, PRS, 0);
    assert!(restarted.terminate().await);
}
