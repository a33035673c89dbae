//! Resync after downtime: open pull requests whose head has no check run of ours are queued for
//! evaluation (once), and a rate limit stops the run with the moment to resume.

mod support;

use std::time::Duration;

use design_review::{
    domain::{CommitSha, RepoName},
    github::{CheckConclusion, CheckRunSpec, CheckStatus},
    resync::{ResyncError, ResyncOptions, ResyncReport, resync},
    review::Workflow,
    store::{DeliveryStatus, NewDelivery, Store},
    webhook::Event,
};
use support::{
    app::TestDatabase,
    fake_github::{APP_ID, FakeGithub},
    scenario::{REPO, Scenario},
    scratch_pg::ScratchDatabase,
};

const SEEN: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const MISSED: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

/// `acme/widgets`: PR 1's head already has our check run, PR 2's does not (only another App's
/// run of the same name, which proves nothing about ours), PR 3 is closed. Nothing handles
/// the deliveries a resync queues.
async fn scenario_on(database: TestDatabase) -> Scenario {
    let s = Scenario::intake_only(database).await;
    let gh = &s.gh;
    gh.pull(REPO, 1).head_sha(SEEN);
    gh.pull(REPO, 2).head_sha(MISSED);
    gh.pull(REPO, 3)
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
    gh.foreign_check_run(REPO, MISSED, "design-review", APP_ID + 1);
    s
}

/// The scenario over a SQLite store of its own.
async fn scenario() -> Scenario {
    scenario_on(TestDatabase::sqlite()).await
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
    let report = resync(&s.gh.app(), s.store().as_ref(), &options(None))
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
        .store()
        .get_delivery(&expected_id)
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(delivery.status, DeliveryStatus::Pending);
    assert_eq!(delivery.arrived.pr_key.as_deref(), Some("acme/widgets#2"));
    assert!(matches!(
        Event::decode_stored(&delivery.arrived.event, delivery.arrived.payload.as_bytes()).unwrap(),
        Event::Evaluate(_)
    ));

    // Running it again (another replica, a retry) queues nothing twice.
    let again = resync(
        &s.gh.app(),
        s.store().as_ref(),
        &options(Some("acme/widgets")),
    )
    .await
    .unwrap();
    assert!(again.queued.is_empty());
    assert_eq!(again.already_queued, 1);
    assert_eq!(s.store().queue_depth().await.unwrap(), 1);
    assert!(s.gh.unexpected_requests().is_empty());
}

#[tokio::test]
async fn the_queued_delivery_is_evaluated_by_the_workflow() {
    let s = scenario().await;
    let report = resync(&s.gh.app(), s.store().as_ref(), &options(None))
        .await
        .unwrap();
    let delivery = s
        .store()
        .get_delivery(&report.queued[0])
        .await
        .unwrap()
        .unwrap();
    Workflow::new(s.gh.app(), s.store().clone())
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
    let next = resync(&s.gh.app(), s.store().as_ref(), &options(None))
        .await
        .unwrap();
    assert_eq!((next.queued.len(), next.up_to_date), (0, 2));
}

#[tokio::test]
async fn a_rate_limit_stops_the_run_and_says_when_to_resume() {
    let s = scenario().await;
    s.gh.primary_rate_limit_next("GET", "/repos/acme/widgets/pulls", 3600, 10);
    let report = resync(&s.gh.app(), s.store().as_ref(), &options(None))
        .await
        .unwrap();
    let until = report.rate_limited_until.expect("stopped by the limit");
    assert!(until > chrono::Utc::now() + chrono::Duration::minutes(50));
    assert!(report.queued.is_empty());
    assert_eq!(s.store().queue_depth().await.unwrap(), 0);
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
        s.store().as_ref(),
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
    let report = resync(&s.gh.app(), s.store().as_ref(), &options(None))
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

/// The rows the previous release queued for a resync and for a re-run that named only a commit,
/// dressed up as GitHub payloads (`event`, `action`, payload), for PR 2 of the scenario.
fn rows_of_the_previous_release() -> [(&'static str, &'static str, String); 2] {
    [
        (
            "pull_request",
            "synchronize",
            format!(
                r#"{{"action":"synchronize","installation":{{"id":1}},"number":2,"pull_request":{{"head":{{"ref":"feature","sha":"{MISSED}"}},"number":2}},"repository":{{"full_name":"acme/widgets"}}}}"#
            ),
        ),
        (
            "check_suite",
            "rerequested",
            format!(
                r#"{{"action":"rerequested","check_suite":{{"head_sha":"{MISSED}","pull_requests":[{{"number":2}}]}},"installation":{{"id":1}},"repository":{{"full_name":"acme/widgets"}}}}"#
            ),
        ),
    ]
}

/// Queues the previous release's rows in `store`, reads them back and runs each through the
/// workflow: every one evaluates PR 2 (a check run of ours on its head).
async fn previous_rows_run(gh: &FakeGithub, store: std::sync::Arc<dyn Store>) {
    let workflow = Workflow::new(gh.app(), store.clone());
    for (event, action, payload) in rows_of_the_previous_release() {
        let id = format!("old-{event}");
        store
            .insert_delivery(NewDelivery {
                id: id.clone(),
                event: event.to_string(),
                action: Some(action.to_string()),
                installation_id: Some(design_review::domain::InstallationId(1)),
                repo: Some("acme/widgets".into()),
                pr_key: Some("acme/widgets#2".into()),
                coalescable: true,
                payload,
                received_at: chrono::Utc::now(),
            })
            .await
            .unwrap();
        let delivery = store.get_delivery(&id).await.unwrap().expect("stored");
        workflow
            .handle_delivery(&delivery)
            .await
            .unwrap_or_else(|e| panic!("{event}: {e}"));
        let ours: Vec<_> = gh
            .check_runs("acme/widgets")
            .into_iter()
            .filter(|r| r.app_id == APP_ID && r.head_sha == MISSED)
            .map(|r| (r.name, r.status))
            .collect();
        assert_eq!(
            ours,
            [("design-review".to_string(), "completed".to_string())],
            "{event}"
        );
    }
}

#[tokio::test]
async fn evaluations_queued_by_the_previous_release_still_run_on_both_stores() {
    let s = scenario().await;
    previous_rows_run(&s.gh, s.store().clone()).await;
    match ScratchDatabase::create("dr_resync").await {
        Some(database) => {
            let s = scenario_on(TestDatabase::Postgres(database)).await;
            previous_rows_run(&s.gh, s.store().clone()).await;
        }
        None => eprintln!(
            "note: TEST_DATABASE_URL is not set; the PostgreSQL run of this test was skipped"
        ),
    }
}
