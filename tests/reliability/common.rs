//! Scenario pieces shared by the reliability tests: a repository with many PRs, sending
//! deliveries, waiting for the queue, and the per-PR assertions.

use std::{collections::HashMap, sync::Arc, time::Duration};

use design_review::store::{Delivery, DeliveryFilter, DeliveryStatus, Store};

use crate::support::{
    fake_github::FakeGithub,
    process::{ServerProcess, server_env},
};

pub const REPO: &str = "acme/widgets";
pub const COMPLETE: &str = include_str!("../fixtures/review/complete-system-design.md");
pub const INCOMPLETE: &str = include_str!("../fixtures/review/incomplete-system-design.md");
pub const CONFIG: &str = "review:\n  team: acme/design-review\n  approvals: 1\n";

/// What a PR holds, hence how its check run must end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An incomplete doc: `completed` / `failure`.
    Incomplete,
    /// A complete doc approved by the review team: `completed` / `success`.
    Approved,
    /// A complete doc without approval: `in_progress`, no conclusion.
    Waiting,
}

impl Kind {
    pub fn of(n: u64) -> Kind {
        match n % 3 {
            0 => Kind::Incomplete,
            1 => Kind::Approved,
            _ => Kind::Waiting,
        }
    }

    /// `(status, conclusion)` of the check run.
    pub fn expected(self) -> (&'static str, Option<&'static str>) {
        match self {
            Kind::Incomplete => ("completed", Some("failure")),
            Kind::Approved => ("completed", Some("success")),
            Kind::Waiting => ("in_progress", None),
        }
    }
}

/// The head SHA of push `push` (0-based) of PR `n`.
pub fn head(n: u64, push: u64) -> String {
    format!("{n:020x}{push:020x}")
}

/// [`server_env`] with fast queue retries and a quiet log (the faults are expected).
pub fn quiet_env(gh: &FakeGithub, database_url: &str) -> Vec<(String, String)> {
    let mut env = server_env(gh, database_url);
    env.retain(|(k, _)| k != "RETRY_BASE_MS" && k != "RUST_LOG");
    env.push(("RETRY_BASE_MS".into(), "20".into()));
    env.push(("RUST_LOG".into(), "off".into()));
    env
}

/// A fake GitHub with PRs `1..=prs`, each adding one design doc of [`Kind::of`] its number.
pub async fn github_with_prs(prs: u64) -> FakeGithub {
    let gh = FakeGithub::start().await;
    gh.repo(REPO)
        .default_branch("main")
        .file("main", ".github/design-review.yml", CONFIG);
    gh.team_member("acme", "design-review", "bob");
    for n in 1..=prs {
        let kind = Kind::of(n);
        let doc = if kind == Kind::Incomplete {
            INCOMPLETE
        } else {
            COMPLETE
        };
        let pull = gh.pull(REPO, n);
        pull.author("alice").head_sha(&head(n, 0)).file(
            &format!("docs/design/doc-{n}.md"),
            "added",
            doc,
        );
        if kind == Kind::Approved {
            pull.review_on("bob", "APPROVED", &head(n, 0));
        }
    }
    gh
}

/// Moves PR `n` to push `push`: a new head with the same files (the approval, on an
/// earlier commit of the same doc, still counts).
pub fn push(gh: &FakeGithub, n: u64, push: u64) {
    gh.pull(REPO, n).head_sha(&head(n, push));
}

/// Sends deliveries concurrently (`concurrency` at a time); returns the ids answered 202.
pub async fn send_all(
    servers: &[&ServerProcess],
    deliveries: Vec<(String, &'static str, String)>,
    concurrency: usize,
) -> Vec<String> {
    use futures_util::StreamExt;
    let client = reqwest::Client::new();
    let jobs = deliveries
        .into_iter()
        .enumerate()
        .map(|(i, (id, event, body))| {
            let client = client.clone();
            let server = servers[i % servers.len()];
            async move {
                let status = server.send(&client, event, &id, &body).await;
                (id, status)
            }
        });
    futures_util::stream::iter(jobs)
        .buffer_unordered(concurrency)
        .filter_map(|(id, status)| async move { (status == 202).then_some(id) })
        .collect()
        .await
}

pub async fn all_deliveries(store: &Arc<dyn Store>) -> Vec<Delivery> {
    store
        .list_deliveries(&DeliveryFilter {
            status: None,
            limit: 1_000_000,
        })
        .await
        .expect("list deliveries")
}

/// Waits until every delivery of `ids` is `done` or `coalesced`; returns all deliveries.
pub async fn wait_all_finished(
    store: &Arc<dyn Store>,
    ids: &[String],
    limit: Duration,
) -> Vec<Delivery> {
    let started = std::time::Instant::now();
    loop {
        let all = all_deliveries(store).await;
        let by_id: HashMap<_, _> = all.iter().map(|d| (d.arrived.id.as_str(), d)).collect();
        let unfinished: Vec<_> = ids
            .iter()
            .filter(|id| {
                !matches!(
                    by_id.get(id.as_str()).map(|d| d.status),
                    Some(DeliveryStatus::Done | DeliveryStatus::Coalesced)
                )
            })
            .collect();
        if unfinished.is_empty() {
            return all;
        }
        assert!(
            started.elapsed() < limit,
            "{} deliveries never finished, e.g. {:?}",
            unfinished.len(),
            unfinished
                .first()
                .and_then(|id| by_id.get(id.as_str()))
                .map(|d| (&d.arrived.id, d.status, d.attempts, &d.last_error))
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Bot comments of PR `n`.
pub fn bot_comments(gh: &FakeGithub, n: u64) -> usize {
    gh.comments(REPO, n)
        .into_iter()
        .filter(|c| c.author_is_bot)
        .count()
}

/// What is wrong with PRs `1..=prs` at the end: not exactly one bot comment, or the newest
/// check run on the last evaluated head `head(n, last_push)` missing or not ending as the PR's
/// [`Kind`] demands. Also returns how many extra check runs of one name share a head.
pub fn pr_problems(gh: &FakeGithub, prs: u64, last_push: u64) -> (Vec<String>, usize) {
    let runs = gh.check_runs(REPO);
    let mut wrong = Vec::new();
    let mut extra_runs = 0;
    for n in 1..=prs {
        let comments = bot_comments(gh, n);
        if comments != 1 {
            wrong.push(format!("PR #{n} has {comments} bot comments"));
        }
        let head = head(n, last_push);
        let on_head: Vec<_> = runs.iter().filter(|r| r.head_sha == head).collect();
        extra_runs += on_head.len().saturating_sub(1);
        let Some(run) = on_head.last() else {
            wrong.push(format!("PR #{n} has no check run on its head"));
            continue;
        };
        let got = (run.status.as_str(), run.conclusion.as_deref());
        if got != Kind::of(n).expected() {
            wrong.push(format!("PR #{n} ({:?}) ended {got:?}", Kind::of(n)));
        }
    }
    (wrong, extra_runs)
}

/// [`pr_problems`] finds nothing and no head has two check runs.
pub fn assert_prs_end_right(gh: &FakeGithub, prs: u64, last_push: u64) {
    let (mut wrong, extra_runs) = pr_problems(gh, prs, last_push);
    if extra_runs > 0 {
        wrong.push(format!("{extra_runs} extra check runs on the heads"));
    }
    assert!(wrong.is_empty(), "{} problems: {wrong:#?}", wrong.len());
}
