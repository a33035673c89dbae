//! A GitHub that fails a fifth of the calls (502, 429, secondary rate limit, a 502 after a write
//! was applied) and sometimes answers slowly: every PR still ends with the right check run and
//! exactly one bot comment.

use std::sync::Arc;
use std::time::{Duration, Instant};

use design_review::{review::Workflow, store};

use crate::common::{
    REPO, all_deliveries, assert_prs_end_right, github_with_prs, head, quiet_env, send_all,
    wait_all_finished,
};
use crate::support::{
    app::{TestApp, test_queue_settings},
    fake_github::FakeGithub,
    process::ServerProcess,
};

const PRS: u64 = 30;
const SEED: u64 = 0x5eed_0007;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_pr_ends_right_when_a_fifth_of_github_calls_fail() {
    let gh = github_with_prs(PRS).await;
    gh.chaos(0.2, SEED, 1, 0.05, Duration::from_millis(300));
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("dr.db").display());
    let mut env = quiet_env(&gh, &database_url);
    env.push(("MAX_ATTEMPTS".into(), "20".into()));

    let server = ServerProcess::start(&env).await;
    let started = Instant::now();
    let deliveries = (1..=PRS)
        .map(|n| {
            let body = gh.pull_request_event("synchronize", REPO, n);
            (format!("faults-{n}"), "pull_request", body)
        })
        .collect();
    let accepted = send_all(&[&server], deliveries, 8).await;
    assert_eq!(accepted.len() as u64, PRS, "every delivery was accepted");

    let store = store::connect(&database_url).await.unwrap();
    wait_all_finished(&store, &accepted, Duration::from_secs(90)).await;
    let elapsed = started.elapsed();
    let stats = gh.chaos_stats();
    gh.calm();

    assert_prs_end_right(&gh, PRS, 0);
    let attempts: i32 = all_deliveries(&store)
        .await
        .iter()
        .map(|d| d.attempts)
        .sum();
    let calls = gh.requests().len();
    println!(
        "faults: {PRS} PRs in {:.1} s; {calls} GitHub calls, {} failed ({} x 502, {} x 502 after \
         applying, {} x 429, {} x secondary rate limit), {} slow; {attempts} delivery attempts \
         ({} queue retries)",
        elapsed.as_secs_f64(),
        stats.failures(),
        stats.bad_gateway,
        stats.lost_answers,
        stats.too_many_requests,
        stats.secondary_rate_limits,
        stats.slow,
        attempts - PRS as i32,
    );
    // The faults really happened, at about the rate asked for.
    assert!(
        stats.failures() * 100 >= stats.calls * 12,
        "too few faults to prove anything: {stats:?}"
    );
    assert!(server.terminate().await, "clean exit on SIGTERM");
}

/// In-process server with the real workflow against `gh`, for the targeted fault tests.
async fn in_process(gh: &FakeGithub) -> TestApp {
    let github = gh.app();
    TestApp::start_with(
        move |store| Arc::new(Workflow::new(github, store)),
        test_queue_settings(),
    )
    .await
}

fn one_pr() -> impl std::future::Future<Output = FakeGithub> {
    github_with_prs(1)
}

#[tokio::test]
async fn failed_comment_after_created_check_run_leaves_one_check_run() {
    let gh = one_pr().await;
    // The check run is created, then posting the comment fails (a create is not retried by
    // the client): the queue retries the delivery.
    gh.fail_next("POST", &format!("/repos/{REPO}/issues/1/comments"), 502, 1);
    let app = in_process(&gh).await;
    let body = gh.pull_request_event("synchronize", REPO, 1);
    assert_eq!(app.deliver("pull_request", &body).await, 202);
    assert_eq!(
        gh.count("POST", &format!("/repos/{REPO}/issues/1/comments")),
        2,
        "the comment was tried again"
    );
    assert_prs_end_right(&gh, 1, 0);
}

#[tokio::test]
async fn lost_answer_to_check_run_create_adopts_the_run() {
    let gh = one_pr().await;
    gh.lose_answer_next("POST", &format!("/repos/{REPO}/check-runs"), 1);
    let app = in_process(&gh).await;
    let body = gh.pull_request_event("synchronize", REPO, 1);
    assert_eq!(app.deliver("pull_request", &body).await, 202);
    assert_eq!(gh.count("POST", &format!("/repos/{REPO}/check-runs")), 1);
    assert_prs_end_right(&gh, 1, 0);
}

#[tokio::test]
async fn lost_answer_to_comment_create_is_found_by_its_marker() {
    let gh = one_pr().await;
    gh.lose_answer_next("POST", &format!("/repos/{REPO}/issues/1/comments"), 1);
    let app = in_process(&gh).await;
    let body = gh.pull_request_event("synchronize", REPO, 1);
    assert_eq!(app.deliver("pull_request", &body).await, 202);
    assert_eq!(
        gh.count("POST", &format!("/repos/{REPO}/issues/1/comments")),
        1,
        "the comment was not posted twice"
    );
    assert_prs_end_right(&gh, 1, 0);
}

#[tokio::test]
async fn retried_delivery_finds_the_run_an_earlier_attempt_created() {
    let gh = one_pr().await;
    // The create is applied but its answer lost, and the listing that would find it fails too
    // (three times: every attempt the client makes): the delivery fails with the run created
    // but not recorded, as after a crash. The retry must find the run, not create another.
    gh.lose_answer_next("POST", &format!("/repos/{REPO}/check-runs"), 1);
    let listing = format!("/repos/{REPO}/commits/{}/check-runs", head(1, 0));
    gh.fail_next("GET", &listing, 502, 3);
    let app = in_process(&gh).await;
    let body = gh.pull_request_event("synchronize", REPO, 1);
    assert_eq!(app.deliver("pull_request", &body).await, 202);
    assert_eq!(gh.count("POST", &format!("/repos/{REPO}/check-runs")), 1);
    assert_eq!(
        gh.count("GET", &listing),
        4,
        "three failed listings, then the retry's"
    );
    assert_prs_end_right(&gh, 1, 0);
}
