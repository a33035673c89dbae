//! Measurements of the whole workflow (not timed tests: they assert behaviour and print figures
//! for docs/performance.md). Run with:
//!
//!     cargo test --release --test perf_workflow -- --ignored --nocapture --test-threads 1

mod support;

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use chrono::Utc;
use design_review::{
    domain::InstallationId,
    queue::{Backoff, QueueSettings},
    review::Workflow,
    store::{DeliveryFilter, DeliveryStatus, NewDelivery},
};
use support::{app::TestApp, fake_github::FakeGithub};

const REPO: &str = "acme/widgets";
const DOC: &str = include_str!("fixtures/review/complete-system-design.md");

fn settings(workers: usize) -> QueueSettings {
    QueueSettings {
        workers,
        lease: Duration::from_secs(30),
        max_attempts: 5,
        backoff: Backoff {
            base: Duration::from_millis(20),
            max: Duration::from_millis(200),
        },
        poll: Duration::from_millis(20),
    }
}

async fn github(prs: u64) -> FakeGithub {
    let gh = FakeGithub::start().await;
    gh.repo(REPO).default_branch("main").file(
        "main",
        ".github/design-review.yml",
        "review:\n  team: acme/design-review\n",
    );
    gh.team_member("acme", "design-review", "bob");
    // The doc names this team as its service owners: it exists, so requests succeed at once.
    gh.team_member("acme", "payments-owners", "paula");
    for n in 1..=prs {
        gh.pull(REPO, n)
            .author("alice")
            .head_sha(&format!("{n:040x}"))
            .file(&format!("docs/design/doc-{n}.md"), "added", DOC);
    }
    gh
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "measurement: prints figures for docs/performance.md"]
async fn delivery_to_check_run_latency_over_1000_prs() {
    const PRS: u64 = 1000;
    let gh = github(PRS).await;
    let github_app = gh.app();
    let app = TestApp::start_with(
        move |store| Arc::new(Workflow::new(github_app, store)),
        settings(4),
    )
    .await;
    gh.clear_log();
    let mut sent = Vec::new();
    for n in 1..=PRS {
        let body = gh.pull_request_event("opened", REPO, n);
        let t = Instant::now();
        assert_eq!(
            app.send("pull_request", &format!("lat-{n}"), &body)
                .await
                .status(),
            202
        );
        sent.push(t);
        // One PR at a time, so the figure is the latency of one evaluation, not of a queue.
        app.wait_idle().await;
    }
    let log = gh.requests();
    let mut latencies = Vec::new();
    for n in 1..=PRS {
        let created = log
            .iter()
            .find(|r| {
                r.method == "POST" && r.path.ends_with("/check-runs") && r.at > sent[n as usize - 1]
            })
            .expect("check run created");
        latencies.push(created.at - sent[n as usize - 1]);
    }
    latencies.sort();
    let calls = gh.api_calls().len() as f64 / PRS as f64;
    println!(
        "{{\"prs\":{PRS},\"p50_ms\":{:.2},\"p99_ms\":{:.2},\"max_ms\":{:.2},\"github_calls_per_evaluation\":{calls:.2}}}",
        percentile(&latencies, 0.5).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        latencies.last().unwrap().as_secs_f64() * 1e3,
    );
    assert_eq!(gh.check_runs(REPO).len() as u64, PRS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "measurement: prints figures for docs/performance.md"]
async fn backlog_of_10000_deliveries_over_500_prs_drains_with_coalescing() {
    const PRS: u64 = 500;
    const PER_PR: u64 = 20;
    let gh = github(PRS).await;
    // Store the backlog first (as if the workers had been down), then start the workers.
    let intake_only = TestApp::intake_only().await;
    let store = intake_only.store.clone();
    let started = Instant::now();
    for round in 0..PER_PR {
        for n in 1..=PRS {
            store
                .insert_delivery(NewDelivery {
                    id: format!("backlog-{n}-{round}"),
                    event: "pull_request".into(),
                    action: Some("synchronize".into()),
                    installation_id: Some(InstallationId(1)),
                    repo: Some(REPO.into()),
                    pr_key: Some(format!("{REPO}#{n}")),
                    coalescable: true,
                    payload: gh.pull_request_event("synchronize", REPO, n),
                    received_at: Utc::now(),
                })
                .await
                .unwrap();
        }
    }
    let stored_in = started.elapsed();
    let github_app = gh.app();
    let workflow: Arc<Workflow> = Arc::new(Workflow::new(github_app, store.clone()));
    let wake = Arc::new(tokio::sync::Notify::new());
    let shutdown = tokio_util::sync::CancellationToken::new();
    let started = Instant::now();
    let pool = design_review::queue::WorkerPool::start(
        store.clone(),
        workflow,
        settings(4),
        wake,
        shutdown.clone(),
    );
    while store.queue_depth().await.unwrap() > 0 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let drained_in = started.elapsed();
    shutdown.cancel();
    pool.join().await;
    let all = store
        .list_deliveries(&DeliveryFilter {
            status: None,
            limit: 100_000,
        })
        .await
        .unwrap();
    let evaluated = all
        .iter()
        .filter(|d| d.status == DeliveryStatus::Done)
        .count();
    let coalesced = all
        .iter()
        .filter(|d| d.status == DeliveryStatus::Coalesced)
        .count();
    println!(
        "{{\"deliveries\":{},\"stored_in_s\":{:.2},\"drained_in_s\":{:.2},\"deliveries_per_s\":{:.0},\"evaluations\":{evaluated},\"coalesced\":{coalesced}}}",
        PRS * PER_PR,
        stored_in.as_secs_f64(),
        drained_in.as_secs_f64(),
        (PRS * PER_PR) as f64 / drained_in.as_secs_f64(),
    );
    assert_eq!((evaluated + coalesced) as u64, PRS * PER_PR);
    assert!(
        evaluated as u64 <= PRS * 2,
        "coalescing: {evaluated} evaluations"
    );
}
