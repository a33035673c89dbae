//! The GitHub client against the fake GitHub: App auth, retries and rate limits, GHES base paths,
//! pagination, annotation batches, conditional requests, metrics, and every workflow call's shape.

mod support;

use std::time::{Duration, Instant};

use chrono::Utc;
use design_review::domain::{CommitSha, InstallationId, Login, PrNumber, RepoName, TeamSlug};
use design_review::github::{
    Annotation, AnnotationLevel, AppCredentials, CheckConclusion, CheckRunOutput, CheckRunSpec,
    CheckStatus, ClientOptions, FileStatus, GithubApp, GithubError, InstallationClient,
    MAX_FILE_SIZE, Permission, Reaction, ReviewState,
};
use secrecy::SecretString;
use support::fake_github::FakeGithub;

fn widgets() -> RepoName {
    RepoName::new("acme", "widgets")
}

fn client(gh: &FakeGithub) -> InstallationClient {
    gh.app().installation(gh.installation_id())
}

fn annotations(n: usize) -> Vec<Annotation> {
    (0..n)
        .map(|i| Annotation {
            path: "docs/design/x.md".into(),
            start_line: u32::try_from(i).unwrap() + 1,
            end_line: u32::try_from(i).unwrap() + 1,
            annotation_level: AnnotationLevel::Failure,
            message: format!("gap {i}"),
            title: None,
            raw_details: None,
        })
        .collect()
}

fn spec(annotation_count: usize) -> CheckRunSpec {
    CheckRunSpec {
        name: "design-review".into(),
        head_sha: CommitSha("abc".into()),
        status: CheckStatus::Completed,
        conclusion: Some(CheckConclusion::Failure),
        output: Some(CheckRunOutput {
            title: "2 gaps".into(),
            summary: "Fix them".into(),
            text: None,
            annotations: annotations(annotation_count),
        }),
        details_url: None,
        external_id: None,
    }
}

#[tokio::test]
async fn installation_token_is_minted_with_a_verified_jwt_and_reused() {
    let gh = FakeGithub::start().await;
    gh.repo("acme/widgets");
    let client = client(&gh);

    client.get_repo(&widgets()).await.unwrap();
    client.get_repo(&widgets()).await.unwrap();
    // A second client of the same App shares the token cache.
    gh.app();
    client.clone().get_repo(&widgets()).await.unwrap();

    assert_eq!(gh.token_exchanges(), 1);
    assert_eq!(gh.count("POST", "/app/installations/1/access_tokens"), 1);
    assert_eq!(gh.count("GET", "/repos/acme/widgets"), 3);
}

#[tokio::test]
async fn a_jwt_for_another_app_is_refused() {
    let gh = FakeGithub::start().await;
    gh.repo("acme/widgets");
    let credentials = AppCredentials {
        app_id: 1,
        ..gh.credentials()
    };
    let app = GithubApp::with_options(credentials, FakeGithub::fast_options()).unwrap();

    let err = app
        .installation(gh.installation_id())
        .get_repo(&widgets())
        .await
        .unwrap_err();

    assert_eq!(err, GithubError::Unauthorized);
    assert_eq!(gh.token_exchanges(), 0);
    assert_eq!(gh.count("GET", "/repos/acme/widgets"), 0);
}

#[tokio::test]
async fn token_is_renewed_when_it_nears_expiry() {
    let gh = FakeGithub::start().await;
    gh.repo("acme/widgets").default_branch("main");
    gh.token_lifetime(Duration::from_secs(3));
    let options = ClientOptions {
        renew_token_before: Duration::from_secs(1),
        ..FakeGithub::fast_options()
    };
    let client = GithubApp::with_options(gh.credentials(), options)
        .unwrap()
        .installation(gh.installation_id());

    client.get_repo(&widgets()).await.unwrap();
    client.get_repo(&widgets()).await.unwrap();
    assert_eq!(gh.token_exchanges(), 1, "a fresh token is reused");

    tokio::time::sleep(Duration::from_millis(2100)).await;
    client.get_repo(&widgets()).await.unwrap();

    assert_eq!(
        gh.token_exchanges(),
        2,
        "a token about to expire is renewed"
    );
    assert!(gh.requests().iter().all(|r| r.status != 401));
}

#[test]
fn an_invalid_private_key_fails_at_construction() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let _guard = runtime.enter();
    let err = GithubApp::new(AppCredentials {
        app_id: 1,
        private_key: SecretString::from(
            "-----BEGIN RSA PRIVATE KEY-----\nnot a key\n-----END RSA PRIVATE KEY-----",
        ),
        api_base: url::Url::parse("https://api.github.com").unwrap(),
    })
    .unwrap_err();
    assert!(matches!(err, GithubError::InvalidPrivateKey(_)), "{err:?}");
    assert!(!format!("{err:?}").contains("not a key"));
}

#[tokio::test]
async fn enterprise_base_path_is_kept_on_every_request() {
    let gh = FakeGithub::start_with_prefix("/api/v3").await;
    gh.repo("acme/widgets").default_branch("main");
    gh.pull("acme/widgets", 7)
        .many_files(250, |i| format!("src/f{i}.rs"));
    assert!(gh.credentials().api_base.as_str().ends_with("/api/v3"));
    let client = client(&gh);

    client.get_repo(&widgets()).await.unwrap();
    let files = client
        .list_pull_files(&widgets(), PrNumber(7))
        .await
        .unwrap();

    assert_eq!(files.len(), 250);
    let requests = gh.requests();
    assert!(requests.len() >= 5, "{requests:?}");
    for request in &requests {
        assert!(
            request.full_path.starts_with("/api/v3/"),
            "request outside the base path: {request:?}"
        );
        assert!(!request.unknown_route);
    }
    assert_eq!(gh.count("GET", "/repos/acme/widgets/pulls/7/files"), 3);
}

#[tokio::test]
async fn a_get_is_retried_after_502() {
    let gh = FakeGithub::start().await;
    gh.pull("acme/widgets", 7).author("alice").head_sha("abc");
    gh.fail_next("GET", "/repos/acme/widgets/pulls/7", 502, 2);

    let pull = client(&gh).get_pull(&widgets(), PrNumber(7)).await.unwrap();

    assert_eq!(pull.author, Login("alice".into()));
    assert_eq!(pull.head_sha, CommitSha("abc".into()));
    let statuses: Vec<u16> = gh
        .requests()
        .iter()
        .filter(|r| r.path == "/repos/acme/widgets/pulls/7")
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, vec![502, 502, 200]);
}

#[tokio::test]
async fn a_get_gives_up_as_transient_after_max_attempts() {
    let gh = FakeGithub::start().await;
    gh.pull("acme/widgets", 7);
    gh.fail_next("GET", "/repos/acme/widgets/pulls/7", 503, 10);

    let err = client(&gh)
        .get_pull(&widgets(), PrNumber(7))
        .await
        .unwrap_err();

    assert!(matches!(err, GithubError::Transient(_)), "{err:?}");
    assert!(err.is_transient());
    assert_eq!(gh.count("GET", "/repos/acme/widgets/pulls/7"), 3);
}

#[tokio::test]
async fn a_created_comment_is_not_retried_after_502() {
    let gh = FakeGithub::start().await;
    gh.pull("acme/widgets", 7);
    gh.fail_next("POST", "/repos/acme/widgets/issues/7/comments", 502, 1);

    let err = client(&gh)
        .create_issue_comment(&widgets(), PrNumber(7), "hello")
        .await
        .unwrap_err();

    assert!(err.is_transient(), "{err:?}");
    assert_eq!(gh.count("POST", "/repos/acme/widgets/issues/7/comments"), 1);
    assert!(gh.comments("acme/widgets", 7).is_empty());
}

#[tokio::test]
async fn a_secondary_rate_limit_waits_for_retry_after_then_retries_even_a_create() {
    let gh = FakeGithub::start().await;
    gh.pull("acme/widgets", 7);
    let client = client(&gh);
    client.get_repo(&widgets()).await.ok(); // mint the token outside the timed part
    gh.secondary_rate_limit_next("POST", "/repos/acme/widgets/issues/7/comments", 1, 1);

    let started = Instant::now();
    let comment = client
        .create_issue_comment(&widgets(), PrNumber(7), "hello")
        .await
        .unwrap();

    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(comment.body, "hello");
    let statuses: Vec<u16> = gh
        .requests()
        .iter()
        .filter(|r| r.path == "/repos/acme/widgets/issues/7/comments")
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, vec![403, 201]);
    assert_eq!(gh.comments("acme/widgets", 7).len(), 1);
}

#[tokio::test]
async fn a_429_is_retried() {
    let gh = FakeGithub::start().await;
    gh.pull("acme/widgets", 7);
    gh.too_many_requests_next("GET", "/repos/acme/widgets/pulls/7", 0, 1);

    client(&gh).get_pull(&widgets(), PrNumber(7)).await.unwrap();

    assert_eq!(gh.count("GET", "/repos/acme/widgets/pulls/7"), 2);
}

#[tokio::test]
async fn a_distant_primary_rate_limit_reset_is_reported_not_waited_for() {
    let gh = FakeGithub::start().await;
    gh.pull("acme/widgets", 7);
    gh.primary_rate_limit_next("GET", "/repos/acme/widgets/pulls/7", 3600, 1);

    let started = Instant::now();
    let err = client(&gh)
        .get_pull(&widgets(), PrNumber(7))
        .await
        .unwrap_err();

    let until = err.retry_at().expect("rate limited until a moment");
    assert!(matches!(err, GithubError::RateLimited { .. }));
    assert!(
        until > Utc::now() + chrono::Duration::seconds(3500),
        "{until}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(gh.count("GET", "/repos/acme/widgets/pulls/7"), 1);
}

#[tokio::test]
async fn a_404_is_not_retried() {
    let gh = FakeGithub::start().await;
    gh.repo("acme/widgets");

    let err = client(&gh)
        .get_pull(&widgets(), PrNumber(99))
        .await
        .unwrap_err();

    assert_eq!(err, GithubError::NotFound);
    assert_eq!(gh.count("GET", "/repos/acme/widgets/pulls/99"), 1);
}

#[tokio::test]
async fn a_422_surfaces_githubs_message() {
    let gh = FakeGithub::start().await;
    gh.pull("acme/widgets", 7).author("alice");
    gh.team("acme", "design-review");
    let client = client(&gh);

    let err = client
        .request_reviewers(&widgets(), PrNumber(7), &[Login("alice".into())], &[])
        .await
        .unwrap_err();
    match err {
        GithubError::Validation(message) => assert_eq!(
            message,
            "Validation Failed (Review cannot be requested from pull request author.)"
        ),
        other => panic!("expected Validation, got {other:?}"),
    }

    let team = TeamSlug::parse("acme/payments").unwrap();
    let err = client
        .request_reviewers(&widgets(), PrNumber(7), &[], &[team])
        .await
        .unwrap_err();
    assert_eq!(err, GithubError::Validation("Validation Failed (Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the acme/widgets repository.)".into()));
    assert_eq!(
        gh.count("POST", "/repos/acme/widgets/pulls/7/requested_reviewers"),
        2
    );
}

#[tokio::test]
async fn pull_files_are_paginated_over_3000_files() {
    let gh = FakeGithub::start().await;
    gh.pull("acme/widgets", 7)
        .many_files(3000, |i| format!("src/module_{i:04}.rs"));

    let files = client(&gh)
        .list_pull_files(&widgets(), PrNumber(7))
        .await
        .unwrap();

    assert_eq!(files.len(), 3000);
    assert_eq!(files[0].filename, "src/module_0000.rs");
    assert_eq!(files[2999].filename, "src/module_2999.rs");
    assert!(files.iter().all(|f| f.status == FileStatus::Modified));
    assert_eq!(gh.count("GET", "/repos/acme/widgets/pulls/7/files"), 30);
}

#[tokio::test]
async fn annotations_are_sent_in_batches_of_50() {
    let gh = FakeGithub::start().await;
    gh.repo("acme/widgets");
    let client = client(&gh);

    let run = client
        .create_check_run(&widgets(), &spec(120))
        .await
        .unwrap();

    let record = &gh.check_runs("acme/widgets")[0];
    assert_eq!(record.id, run.id.0);
    assert_eq!(record.annotations.len(), 120);
    let batch_sizes: Vec<usize> = record
        .updates
        .iter()
        .map(|body| body["output"]["annotations"].as_array().map_or(0, Vec::len))
        .collect();
    assert_eq!(batch_sizes, vec![50, 50, 20]);
    assert_eq!(record.conclusion.as_deref(), Some("failure"));
    assert_eq!(record.title(), Some("2 gaps"));
    assert_eq!(gh.count("POST", "/repos/acme/widgets/check-runs"), 1);

    client
        .update_check_run(&widgets(), run.id, &spec(60))
        .await
        .unwrap();
    let record = &gh.check_runs("acme/widgets")[0];
    assert_eq!(record.annotations.len(), 180);
    assert_eq!(record.updates.len(), 5);

    let found = client
        .list_check_runs_for_ref(&widgets(), &CommitSha("abc".into()), "design-review")
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, run.id);
    assert_eq!(found[0].conclusion, Some(CheckConclusion::Failure));
}

#[tokio::test]
async fn an_unchanged_file_is_reread_with_a_304_from_cache() {
    let gh = FakeGithub::start().await;
    gh.repo("acme/widgets")
        .file("main", ".github/design-review.yml", "check:\n  name: x\n");
    let client = client(&gh);
    let path = "/repos/acme/widgets/contents/.github/design-review.yml";

    let first = client
        .get_file(&widgets(), ".github/design-review.yml", "main")
        .await
        .unwrap()
        .unwrap();
    let second = client
        .get_file(&widgets(), ".github/design-review.yml", "main")
        .await
        .unwrap()
        .unwrap();

    assert_eq!(first.content, b"check:\n  name: x\n");
    assert_eq!(second, first);
    let reads: Vec<_> = gh
        .requests()
        .into_iter()
        .filter(|r| r.path == path)
        .collect();
    assert_eq!(reads.len(), 2);
    assert_eq!(reads[0].status, 200);
    assert_eq!(reads[1].status, 304);
    assert!(reads[1].if_none_match.is_some());

    gh.repo("acme/widgets")
        .file("main", ".github/design-review.yml", "changed\n");
    let third = client
        .get_file(&widgets(), ".github/design-review.yml", "main")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(third.content, b"changed\n");
    assert_ne!(third.sha, first.sha);
}

#[tokio::test]
async fn missing_and_oversized_files() {
    let gh = FakeGithub::start().await;
    let big = vec![b'a'; usize::try_from(MAX_FILE_SIZE).unwrap() + 1];
    gh.repo("acme/widgets")
        .file("abc", "docs/design/huge.md", big);
    let client = client(&gh);

    assert_eq!(
        client
            .get_file(&widgets(), "docs/design/none.md", "abc")
            .await
            .unwrap(),
        None
    );
    let err = client
        .get_file(&widgets(), "docs/design/huge.md", "abc")
        .await
        .unwrap_err();
    assert_eq!(
        err,
        GithubError::TooLarge {
            size: MAX_FILE_SIZE + 1,
            limit: MAX_FILE_SIZE
        }
    );
}

#[tokio::test]
async fn requests_are_counted_by_route_and_status() {
    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    let _guard = metrics::set_default_local_recorder(&recorder);
    let gh = FakeGithub::start().await;
    gh.pull("acme/widgets", 7);
    gh.fail_next("GET", "/repos/acme/widgets/pulls/7", 502, 1);

    client(&gh).get_pull(&widgets(), PrNumber(7)).await.unwrap();

    let text = handle.render();
    let mut counted: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("github_requests_total") || l.starts_with("github_rate_limit"))
        .collect();
    counted.sort_unstable();
    assert_eq!(
        counted,
        [
            "github_rate_limit_remaining 4997",
            r#"github_requests_total{route="/app/installations/{installation_id}/access_tokens",status="201"} 1"#,
            r#"github_requests_total{route="/repos/{owner}/{repo}/pulls/{pull_number}",status="200"} 1"#,
            r#"github_requests_total{route="/repos/{owner}/{repo}/pulls/{pull_number}",status="502"} 1"#,
        ],
        "{text}"
    );
    assert!(!text.contains("ghs_"), "tokens never reach metrics");
}

#[tokio::test]
async fn workflow_calls_read_githubs_shapes() {
    let gh = FakeGithub::start().await;
    let repo = widgets();
    gh.repo("acme/widgets").default_branch("main");
    let pull = gh.pull("acme/widgets", 7);
    pull.author("alice")
        .title("Add design")
        .head_sha("abc")
        .draft(true)
        .file("docs/design/x.md", "added", "# X\n")
        .renamed_file("docs/old.md", "docs/new.md", "new")
        .removed_file("docs/gone.md");
    gh.team_member("acme", "design-review", "bob");
    gh.pending_team_member("acme", "design-review", "dave");
    gh.permission("acme/widgets", "carol", "maintain");
    let human = gh.comment("acme/widgets", 7, "alice", "/design-review help");
    let client = client(&gh);

    let pr = client.get_pull(&repo, PrNumber(7)).await.unwrap();
    assert_eq!(
        (pr.title.as_str(), pr.draft, pr.author.0.as_str()),
        ("Add design", true, "alice")
    );
    let files = client.list_pull_files(&repo, PrNumber(7)).await.unwrap();
    assert_eq!(files.len(), 3);
    assert_eq!(files[1].status, FileStatus::Renamed);
    assert_eq!(files[1].previous_filename.as_deref(), Some("docs/old.md"));
    assert_eq!(files[2].status, FileStatus::Removed);
    let doc = client
        .get_file(&repo, "docs/design/x.md", "abc")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(doc.sha, files[0].sha);

    let team = TeamSlug::parse("acme/design-review").unwrap();
    assert!(
        client
            .team_membership(&team, &Login("Bob".into()))
            .await
            .unwrap()
    );
    assert!(
        !client
            .team_membership(&team, &Login("dave".into()))
            .await
            .unwrap()
    );
    assert!(
        !client
            .team_membership(&team, &Login("eve".into()))
            .await
            .unwrap()
    );
    assert_eq!(
        client
            .collaborator_permission(&repo, &Login("carol".into()))
            .await
            .unwrap(),
        Permission::Maintain
    );
    assert_eq!(
        client
            .collaborator_permission(&repo, &Login("eve".into()))
            .await
            .unwrap(),
        Permission::None
    );

    client
        .request_reviewers(
            &repo,
            PrNumber(7),
            &[Login("bob".into())],
            std::slice::from_ref(&team),
        )
        .await
        .unwrap();
    let requested = client
        .list_requested_reviewers(&repo, PrNumber(7))
        .await
        .unwrap();
    assert_eq!(requested.users, vec![Login("bob".into())]);
    assert_eq!(requested.teams, vec![team]);
    gh.pull("acme/widgets", 7).review("bob", "APPROVED");
    let reviews = client.list_reviews(&repo, PrNumber(7)).await.unwrap();
    assert_eq!(reviews.len(), 1);
    assert_eq!(reviews[0].state, ReviewState::Approved);
    assert_eq!(reviews[0].commit_id, Some(CommitSha("abc".into())));
    assert!(reviews[0].submitted_at.is_some());

    let ours = client
        .create_issue_comment(&repo, PrNumber(7), "<!-- design-review -->\nfirst")
        .await
        .unwrap();
    client
        .update_issue_comment(&repo, ours.id, "<!-- design-review -->\nsecond")
        .await
        .unwrap();
    let comments = client
        .list_issue_comments(&repo, PrNumber(7))
        .await
        .unwrap();
    assert_eq!(comments.len(), 2);
    assert_eq!(comments[0].id.0, human);
    assert!(!comments[0].author_is_bot);
    assert!(comments[1].author_is_bot);
    assert_eq!(comments[1].body, "<!-- design-review -->\nsecond");
    assert_eq!(gh.comments("acme/widgets", 7)[1].edits(), 1);

    client
        .add_reaction(&repo, comments[0].id, Reaction::Eyes)
        .await
        .unwrap();
    client
        .add_reaction(&repo, comments[0].id, Reaction::Eyes)
        .await
        .unwrap();
    let reactions = gh.reactions(human);
    assert_eq!(reactions.len(), 1);
    assert_eq!(reactions[0].content, "eyes");

    let open = client.list_open_pulls(&repo).await.unwrap();
    assert_eq!(open.len(), 1);
    let installations = gh.app().list_installations().await.unwrap();
    assert_eq!(installations[0].id, InstallationId(1));
    assert_eq!(installations[0].account, Login("acme".into()));
    assert_eq!(client.list_installation_repos().await.unwrap(), vec![repo]);

    assert!(gh.unexpected_requests().is_empty());
}
