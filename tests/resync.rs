//! Resync after downtime: open pull requests whose head has no check run of ours are queued for
//! evaluation (once), and a rate limit stops the run with the moment to resume.

mod support;

use std::time::Duration;

use design_review::{
    domain::{CommitSha, RepoName},
    github::{CheckConclusion, CheckRunSpec, CheckStatus},
    resync::{ResyncError, ResyncOptions, ResyncReport, resync},
    review::Workflow,
    store::{self, DeliveryStatus, Store},
    webhook::Event,
};
use support::fake_github::FakeGithub;

const SEEN: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const MISSED: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

struct Scenario {
    gh: FakeGithub,
    store: std::sync::Arc<dyn Store>,
    _dir: tempfile::TempDir,
}

/// `acme/widgets`: PR 1's head already has our check run, PR 2's does not (only another App's
/// run of the same name, which proves nothing about ours), PR 3 is closed.
async fn scenario() -> Scenario {
    let gh = FakeGithub::start().await;
    gh.repo("acme/widgets");
    gh.pull("acme/widgets", 1).head_sha(SEEN);
    gh.pull("acme/widgets", 2).head_sha(MISSED);
    gh.pull("acme/widgets", 3)
        .head_sha("cccccccccccccccccccccccccccccccccccccccc")
        .state("closed");
    gh.app()
        .installation(gh.installation_id())
        .create_check_run(
            &RepoName::new("acme", "widgets"),
            &CheckRunSpec {
                name: "design-review".into(),
                head_sha: CommitSha(SEEN.into()),
                status: CheckStatus::Completed,
                conclusion: Some(CheckConclusion::Success),
                output: None,
                details_url: None,
                external_id: None,
            },
        )
        .await
        .expect("check run on PR 1");
    gh.foreign_check_run(
        "acme/widgets",
        MISSED,
        "design-review",
        support::fake_github::APP_ID + 1,
    );
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("dr.db").display());
    let store = store::connect(&url).await.unwrap();
    Scenario {
        gh,
        store,
        _dir: dir,
    }
}

fn options(repo: Option<&str>) -> ResyncOptions {
    ResyncOptions {
        repo: repo.map(|r| RepoName::parse(r).unwrap()),
        max_wait: Duration::ZERO,
        wake: None,
    }
}

#[tokio::test]
async fn queues_only_pull_requests_without_our_check_run() {
    let s = scenario().await;
    let report = resync(&s.gh.app(), s.store.as_ref(), &options(None))
        .await
        .unwrap();
    let expected_id = format!("resync-acme/widgets-2-{MISSED}");
    assert_eq!(
        report,
        ResyncReport {
            repos: 1,
            pulls: 2,
            queued: vec![expected_id.clone()],
            up_to_date: 1,
            already_queued: 0,
            rate_limited_until: None,
            failed_repos: Vec::new(),
        }
    );
    let delivery = s
        .store
        .get_delivery(&expected_id)
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(delivery.status, DeliveryStatus::Pending);
    assert_eq!(delivery.pr_key.as_deref(), Some("acme/widgets#2"));
    assert!(matches!(
        Event::parse(&delivery.event, delivery.payload.as_bytes()).unwrap(),
        Event::Evaluate(_)
    ));

    // Running it again (another replica, a retry) queues nothing twice.
    let again = resync(
        &s.gh.app(),
        s.store.as_ref(),
        &options(Some("acme/widgets")),
    )
    .await
    .unwrap();
    assert!(again.queued.is_empty());
    assert_eq!(again.already_queued, 1);
    assert_eq!(s.store.queue_depth().await.unwrap(), 1);
    assert!(s.gh.unexpected_requests().is_empty());
}

#[tokio::test]
async fn the_queued_delivery_is_evaluated_by_the_workflow() {
    let s = scenario().await;
    let report = resync(&s.gh.app(), s.store.as_ref(), &options(None))
        .await
        .unwrap();
    let delivery = s
        .store
        .get_delivery(&report.queued[0])
        .await
        .unwrap()
        .unwrap();
    Workflow::new(s.gh.app(), s.store.clone())
        .handle_delivery(&delivery)
        .await
        .expect("evaluation runs");
    let runs = s.gh.check_runs("acme/widgets");
    assert!(
        runs.iter()
            .any(|r| r.head_sha == MISSED && r.name == "design-review"),
        "{runs:?}"
    );
    // Now every open PR has our check: nothing left to resync.
    let next = resync(&s.gh.app(), s.store.as_ref(), &options(None))
        .await
        .unwrap();
    assert_eq!((next.queued.len(), next.up_to_date), (0, 2));
}

#[tokio::test]
async fn a_rate_limit_stops_the_run_and_says_when_to_resume() {
    let s = scenario().await;
    s.gh.primary_rate_limit_next("GET", "/repos/acme/widgets/pulls", 3600, 10);
    let report = resync(&s.gh.app(), s.store.as_ref(), &options(None))
        .await
        .unwrap();
    let until = report.rate_limited_until.expect("stopped by the limit");
    assert!(until > chrono::Utc::now() + chrono::Duration::minutes(50));
    assert!(report.queued.is_empty());
    assert_eq!(s.store.queue_depth().await.unwrap(), 0);
    // It stopped instead of carrying on with further calls.
    assert!(
        !s.gh
            .requests()
            .iter()
            .any(|r| r.method == "GET" && r.path.ends_with("/check-runs"))
    );
}

#[tokio::test]
async fn a_repository_the_app_cannot_see_is_an_error() {
    let s = scenario().await;
    let error = resync(
        &s.gh.app(),
        s.store.as_ref(),
        &options(Some("acme/gadgets")),
    )
    .await
    .unwrap_err();
    assert!(matches!(error, ResyncError::NotInstalled(repo) if repo.name == "gadgets"));
}

#[tokio::test]
async fn a_repository_github_refuses_does_not_stop_the_others() {
    let s = scenario().await;
    s.gh.repo("acme/archived");
    s.gh.pull("acme/archived", 9)
        .head_sha("dddddddddddddddddddddddddddddddddddddddd");
    s.gh.fail_next("GET", "/repos/acme/archived/pulls", 403, 1);
    let report = resync(&s.gh.app(), s.store.as_ref(), &options(None))
        .await
        .unwrap();
    assert_eq!(report.repos, 2);
    assert_eq!(
        report.queued,
        vec![format!("resync-acme/widgets-2-{MISSED}")],
        "{report:?}"
    );
    assert_eq!(report.failed_repos.len(), 1, "{report:?}");
    assert_eq!(report.failed_repos[0].0, "acme/archived");
}
