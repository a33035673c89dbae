//! Crash safety and replicas, with the real binary: every accepted delivery is processed even
//! when the server is killed mid-work, and two servers on one PostgreSQL database handle each
//! delivery exactly once.

mod support;

use std::{collections::HashMap, sync::Arc, time::Duration};

use design_review::store::{self, DeliveryFilter, DeliveryStatus, Store};
use support::{
    fake_github::FakeGithub,
    process::{ServerProcess, server_env},
};

const REPO: &str = "acme/widgets";
const DOC: &str = include_str!("fixtures/review/complete-system-design.md");
const CONFIG: &str = "review:\n  team: acme/design-review\n";

/// A fake GitHub with `prs` pull requests, each adding one design doc.
async fn github_with_prs(prs: u64) -> FakeGithub {
    let gh = FakeGithub::start().await;
    gh.repo(REPO)
        .default_branch("main")
        .file("main", ".github/design-review.yml", CONFIG);
    gh.team_member("acme", "design-review", "bob");
    for n in 1..=prs {
        gh.pull(REPO, n)
            .author("alice")
            .head_sha(&format!("{n:040x}"))
            .file(&format!("docs/design/doc-{n}.md"), "added", DOC);
    }
    gh
}

async fn wait_all_finished(store: &Arc<dyn Store>, ids: &[String], limit: Duration) {
    let started = std::time::Instant::now();
    loop {
        let all = store
            .list_deliveries(&DeliveryFilter {
                status: None,
                limit: 100_000,
            })
            .await
            .expect("list deliveries");
        let by_id: HashMap<_, _> = all.iter().map(|d| (d.id.clone(), d.status)).collect();
        let unfinished: Vec<_> = ids
            .iter()
            .filter(|id| {
                !matches!(
                    by_id.get(*id),
                    Some(DeliveryStatus::Done | DeliveryStatus::Coalesced)
                )
            })
            .collect();
        if unfinished.is_empty() {
            return;
        }
        assert!(
            started.elapsed() < limit,
            "{} deliveries never finished, e.g. {:?}: {:?}",
            unfinished.len(),
            unfinished.first(),
            unfinished.first().and_then(|id| by_id.get(*id))
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Each PR ends with exactly one bot comment and a check run on its head.
fn assert_one_comment_and_a_check_per_pr(gh: &FakeGithub, prs: u64) {
    let runs = gh.check_runs(REPO);
    for n in 1..=prs {
        let bot_comments = gh
            .comments(REPO, n)
            .into_iter()
            .filter(|c| c.author_is_bot)
            .count();
        assert_eq!(bot_comments, 1, "PR #{n} has {bot_comments} bot comments");
        let head = format!("{n:040x}");
        assert!(
            runs.iter().any(|r| r.head_sha == head),
            "PR #{n} has no check run"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_work_loses_no_accepted_delivery() {
    const PRS: u64 = 60;
    let gh = github_with_prs(PRS).await;
    // A slow GitHub keeps deliveries in flight when the server is killed.
    gh.latency(Duration::from_millis(15));
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("dr.db").display());
    let env = server_env(&gh, &database_url);

    let server = ServerProcess::start(&env).await;
    let client = reqwest::Client::new();
    let mut accepted = Vec::new();
    for n in 1..=PRS {
        let id = format!("crash-{n}");
        let body = gh.pull_request_event("opened", REPO, n);
        if server.send(&client, "pull_request", &id, &body).await == 202 {
            accepted.push(id);
        }
    }
    assert_eq!(accepted.len() as u64, PRS, "every delivery was accepted");
    // Kill once some work is done, well before all of it is.
    let started = std::time::Instant::now();
    while gh.check_runs(REPO).len() < 3 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no progress before the kill"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.kill();
    let done_at_kill = gh.check_runs(REPO).len();
    assert!(
        done_at_kill < PRS as usize,
        "the kill came too late to test anything"
    );

    let restarted = ServerProcess::start(&env).await;
    let store = store::connect(&database_url).await.unwrap();
    wait_all_finished(&store, &accepted, Duration::from_secs(60)).await;
    assert_one_comment_and_a_check_per_pr(&gh, PRS);
    assert!(restarted.terminate().await, "clean exit on SIGTERM");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_postgres_handle_each_delivery_once() {
    let Ok(admin) = std::env::var("TEST_DATABASE_URL") else {
        eprintln!("SKIPPED: set TEST_DATABASE_URL to run the two-replica test on PostgreSQL");
        return;
    };
    use sqlx::Connection;
    let name = format!("dr_replicas_{:016x}", rand::random::<u64>());
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("admin connection");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap();
    let mut url = url::Url::parse(&admin).unwrap();
    url.set_path(&name);
    let database_url = url.to_string();

    const PRS: u64 = 80;
    let gh = github_with_prs(PRS).await;
    gh.latency(Duration::from_millis(2));
    let env = server_env(&gh, &database_url);
    let a = ServerProcess::start(&env).await;
    let b = ServerProcess::start(&env).await;
    let client = reqwest::Client::new();
    let mut accepted = Vec::new();
    for n in 1..=PRS {
        let id = format!("replica-{n}");
        let body = gh.pull_request_event("opened", REPO, n);
        let server = if n % 2 == 0 { &a } else { &b };
        assert_eq!(server.send(&client, "pull_request", &id, &body).await, 202);
        // The same delivery redelivered to the other replica is recognised.
        let other = if n % 2 == 0 { &b } else { &a };
        if n % 10 == 0 {
            assert_eq!(other.send(&client, "pull_request", &id, &body).await, 200);
        }
        accepted.push(id);
    }
    let store = store::connect(&database_url).await.unwrap();
    wait_all_finished(&store, &accepted, Duration::from_secs(60)).await;
    // Each PR evaluated once: one check run created, one comment.
    let creates = gh
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/check-runs"))
        .count();
    assert_eq!(
        creates as u64, PRS,
        "one check run per PR, never two evaluations"
    );
    assert_one_comment_and_a_check_per_pr(&gh, PRS);
    drop((a, b));
    drop(store);
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut conn)
        .await
        .unwrap();
}
