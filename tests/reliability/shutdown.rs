//! SIGTERM while deliveries are in hand: `/readyz` answers 503 at once while webhooks are still
//! accepted for the drain delay (`SHUTDOWN_DELAY_SECS`); then the process finishes the deliveries
//! in hand and exits 0; what was accepted but not started stays stored and is handled after a
//! restart.

use std::time::{Duration, Instant};

use design_review::store::{self, DeliveryStatus};

use crate::common::{
    REPO, all_deliveries, assert_prs_end_right, github_with_prs, quiet_env, send_all,
    wait_all_finished,
};
use crate::support::process::{SECRET, ServerProcess};

/// `SHUTDOWN_DELAY_SECS` of the server under test.
const DRAIN_SECS: u64 = 2;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_deliveries_in_hand_and_loses_none() {
    const PRS: u64 = 24;
    let gh = github_with_prs(PRS).await;
    // Slow enough that an evaluation (about ten calls) takes a couple of seconds.
    gh.latency(Duration::from_millis(150));
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("dr.db").display());
    let mut env = quiet_env(&gh, &database_url);
    env.push(("SHUTDOWN_DELAY_SECS".into(), DRAIN_SECS.to_string()));
    let server = ServerProcess::start(&env).await;
    let deliveries = (1..=PRS)
        .map(|n| {
            let body = gh.pull_request_event("synchronize", REPO, n);
            (format!("term-{n}"), "pull_request", body)
        })
        .collect();
    let mut accepted = send_all(&[&server], deliveries, 8).await;
    assert_eq!(accepted.len() as u64, PRS);

    // Wait until workers hold deliveries, and GitHub has seen some of their calls.
    let store = store::connect(&database_url).await.unwrap();
    let started = Instant::now();
    let in_hand: Vec<String> = loop {
        let processing: Vec<String> = all_deliveries(&store)
            .await
            .into_iter()
            .filter(|d| d.status == DeliveryStatus::Processing)
            .map(|d| d.arrived.id)
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

    let readyz = server.url("/readyz");
    let webhooks = server.url("/api/github/webhooks");
    let late_body = gh.pull_request_event("synchronize", REPO, 1);
    let term_at = Instant::now();
    // While the process drains: /readyz turns 503 at once, and a webhook is still accepted.
    let during_drain = async {
        let client = reqwest::Client::new();
        let not_ready_after = loop {
            let response = client
                .get(&readyz)
                .send()
                .await
                .expect("the listener stays open during the drain");
            if response.status() == 503 {
                assert_eq!(response.text().await.unwrap(), "shutting down");
                break term_at.elapsed();
            }
            assert!(
                term_at.elapsed() < Duration::from_millis(500),
                "/readyz still answers {} after SIGTERM",
                response.status()
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        };
        let late = client
            .post(&webhooks)
            .header("content-type", "application/json")
            .header("x-github-event", "pull_request")
            .header("x-github-delivery", "term-late")
            .header(
                "x-hub-signature-256",
                design_review::webhook::signature::sign(SECRET, late_body.as_bytes()),
            )
            .body(late_body.clone())
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0);
        (not_ready_after, late, term_at.elapsed())
    };
    let (exited_ok, (not_ready_after, late_status, late_sent_after)) =
        tokio::join!(server.terminate(), during_drain);
    assert!(exited_ok, "exit status 0 after SIGTERM");
    let exit_took = term_at.elapsed();
    assert_eq!(
        late_status, 202,
        "a webhook {late_sent_after:?} after SIGTERM, during the drain, is accepted"
    );
    assert!(
        exit_took >= Duration::from_secs(DRAIN_SECS),
        "exited {exit_took:?} after SIGTERM, before the {DRAIN_SECS} s drain delay"
    );
    accepted.push("term-late".to_string());
    let after_exit = all_deliveries(&store).await;
    assert!(
        after_exit.iter().any(|d| d.arrived.id == "term-late"),
        "the delivery accepted during the drain is stored"
    );
    let status_of = |id: &str| {
        after_exit
            .iter()
            .find(|d| d.arrived.id == id)
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
        "shutdown: /readyz 503 {:.0} ms after SIGTERM; a webhook accepted {:.0} ms after \
         SIGTERM; {} deliveries in hand at SIGTERM finished; exit 0 after {:.2} s \
         ({DRAIN_SECS} s drain); {left} pending deliveries handled after the restart",
        not_ready_after.as_secs_f64() * 1000.0,
        late_sent_after.as_secs_f64() * 1000.0,
        in_hand.len(),
        exit_took.as_secs_f64()
    );
    assert_prs_end_right(&gh, PRS, 0);
    assert!(restarted.terminate().await);
}
