//! The design-review workflow end to end: signed webhooks into the real router and queue, the
//! real workflow, a fake GitHub out. Assertions are on what GitHub received.

mod support;

use support::{
    fake_github::APP_ID,
    scenario::{REPO, Scenario, redacted},
};

const DOC: &str = "docs/design/ledger-export.md";
const COMPLETE: &str = include_str!("fixtures/review/complete-system-design.md");
const INCOMPLETE: &str = include_str!("fixtures/review/incomplete-system-design.md");
const CONFIG: &str = r#"
docs:
  - paths: ["docs/design/**/*.md"]
    template: system-design
review:
  team: acme/design-review
  approvals: 1
  service_owners:
    payments: ["@acme/payments-owners"]
"#;

/// `acme/widgets` with `config` on its default branch, a review team (bob) and the payments
/// service's owners (paula).
async fn scenario(config: Option<&str>) -> Scenario {
    let s = match config {
        Some(config) => Scenario::with_config(config).await,
        None => Scenario::start().await,
    };
    s.gh.team_member("acme", "design-review", "bob")
        .team_member("acme", "payments-owners", "paula");
    s
}

#[tokio::test]
async fn incomplete_doc_then_complete_then_approved_then_edited() {
    let s = scenario(Some(CONFIG)).await;
    // The author is in the review team and owns the payments service: were their own approval
    // counted, it alone would satisfy the gate.
    s.gh.team_member("acme", "design-review", "alice")
        .team_member("acme", "payments-owners", "alice");
    s.open(
        "alice",
        "sha1",
        &[(DOC, INCOMPLETE), ("src/lib.rs", "fn main() {}")],
    )
    .await;

    // Failure with annotations on the doc, one comment; no reviewer is paged to read a
    // skeleton (`request_when: complete` by default), and the comment says when they will be.
    let check = s.check("sha1");
    assert_eq!(check.status, "completed");
    assert_eq!(check.conclusion.as_deref(), Some("failure"));
    assert_eq!(
        check.title(),
        Some("16 gaps to fix in 1 of 1 design doc"),
        "{:?}",
        check.title()
    );
    // 16 errors and one warning: "TBD" left above the filled-in sub-sections of "Detailed design".
    assert_eq!(check.annotations.len(), 17);
    assert!(check.annotations.iter().all(|a| a["path"] == DOC));
    assert!(
        check
            .annotations
            .iter()
            .any(|a| a["title"] == "Template text left in: Motivation")
    );
    let comments = s.bot_comments();
    assert_eq!(comments.len(), 1);
    let status_line = comments[0].body.lines().nth(1).unwrap().to_string();
    assert_eq!(
        status_line,
        "❌ **13 sections missing, 1 still template text, 2 fields to fill in**; reviews will be requested once they are filled in."
    );
    insta::assert_snapshot!("flow_1_incomplete_comment", comments[0].body);
    assert!(s.gh.reviewer_requests().is_empty());

    // The author pushes a complete doc: same comment edited, check waits for approvals, and
    // now the reviewers are asked, once, in one request (never the author).
    s.gh.pull(REPO, 7)
        .head_sha("sha2")
        .file(DOC, "added", COMPLETE);
    s.pull_request("synchronize").await;
    let check = s.check("sha2");
    assert_eq!(check.status, "in_progress", "{:?}", check.title());
    insta::assert_snapshot!("flow_2_complete_check", check.page());
    let comments = s.bot_comments();
    assert_eq!(comments.len(), 1, "one sticky comment, edited in place");
    assert_eq!(comments[0].edits(), 1);
    insta::assert_snapshot!("flow_2_complete_comment", comments[0].body);
    assert_eq!(s.gh.reviewer_requests().len(), 1);
    let (users, teams) = s.gh.requested_reviewers(REPO, 7);
    assert_eq!(users, ["carol", "dave"], "named experts requested");
    assert_eq!(teams, ["design-review", "payments-owners"]);
    let requests_before = s.gh.reviewer_requests().len();
    // Evaluating the same complete doc again asks no one again.
    s.pull_request("synchronize").await;
    assert_eq!(s.gh.reviewer_requests().len(), requests_before);

    // The author approving their own PR changes nothing.
    let before = s.check("sha2");
    s.review("alice", "APPROVED", "").await;
    let check = s.check("sha2");
    assert_eq!(check.status, "in_progress");
    assert_eq!(check.page(), before.page());

    // A review-team member approves: still waiting for the payments owners.
    s.review("bob", "APPROVED", "").await;
    let check = s.check("sha2");
    assert_eq!(check.status, "in_progress");
    insta::assert_snapshot!("flow_3_approved_by_the_team_check", check.page());

    // A payments owner approves: success.
    s.review("paula", "APPROVED", "").await;
    let check = s.check("sha2");
    assert_eq!(
        (check.status.as_str(), check.conclusion.as_deref()),
        ("completed", Some("success"))
    );
    assert_eq!(s.bot_comments().len(), 1);
    assert_eq!(
        s.gh.reviewer_requests().len(),
        requests_before,
        "no one re-requested"
    );

    // A push that touches only code keeps the approvals.
    s.gh.pull(REPO, 7)
        .head_sha("sha3")
        .file("src/lib.rs", "modified", "fn main() { run() }");
    s.pull_request("synchronize").await;
    assert_eq!(s.check("sha3").conclusion.as_deref(), Some("success"));

    // A push that edits the doc does not.
    let edited = COMPLETE.replace("once a day", "twice a day");
    s.gh.pull(REPO, 7)
        .head_sha("sha4")
        .file(DOC, "added", edited.as_str());
    s.pull_request("synchronize").await;
    let check = s.check("sha4");
    assert_eq!(check.status, "in_progress", "{:?}", check.title());
    insta::assert_snapshot!("flow_4_doc_edited_check", check.page());
}

#[tokio::test]
async fn pull_request_without_docs_passes_without_a_comment() {
    let s = scenario(Some(CONFIG)).await;
    s.open(
        "alice",
        "sha1",
        &[("src/lib.rs", "fn main() {}"), ("docs/guide.md", "# Guide")],
    )
    .await;
    let check = s.check("sha1");
    assert_eq!(check.conclusion.as_deref(), Some("success"));
    assert_eq!(
        check.title(),
        Some("No design documents in this pull request")
    );
    assert!(s.gh.comments(REPO, 7).is_empty());
    assert!(s.gh.reviewer_requests().is_empty());
}

#[tokio::test]
async fn another_apps_check_run_with_our_name_is_left_alone() {
    let s = scenario(Some(CONFIG)).await;
    // A CI job of another App already reports a passing `design-review` on the head.
    let foreign =
        s.gh.foreign_check_run(REPO, "sha1", "design-review", APP_ID + 1);
    s.open("alice", "sha1", &[(DOC, INCOMPLETE)]).await;

    // Our verdict is a run of our own; the other App's run is neither updated nor adopted.
    let ours = s.checks_on("sha1");
    assert_eq!(ours.len(), 1, "{ours:?}");
    assert_eq!(ours[0].conclusion.as_deref(), Some("failure"));
    let theirs =
        s.gh.check_runs(REPO)
            .into_iter()
            .find(|r| r.id == foreign)
            .unwrap();
    assert!(theirs.updates.is_empty(), "{:?}", theirs.updates);
    assert_eq!(theirs.conclusion.as_deref(), Some("success"));

    // A re-evaluation updates our run, still not theirs.
    s.pull_request("synchronize").await;
    assert_eq!(s.checks_on("sha1").len(), 1);
    assert!(
        s.gh.check_runs(REPO)
            .iter()
            .find(|r| r.id == foreign)
            .unwrap()
            .updates
            .is_empty()
    );
}

#[tokio::test]
async fn a_push_that_changes_the_rules_on_the_default_branch_re_evaluates_open_pull_requests() {
    let s = scenario(Some(CONFIG)).await;
    s.open("alice", "sha1", &[(DOC, INCOMPLETE)]).await;
    assert_eq!(s.check("sha1").conclusion.as_deref(), Some("failure"));
    let runs_before = s.checks_on("sha1").len();
    let updates = s.check("sha1").updates.len();

    // A push to the default branch that does not touch the rules is acknowledged and dropped.
    s.gh.repo(REPO).file("main", "src/lib.rs", "fn main() {}");
    let push = s.gh.push_event(REPO, "main", &["src/lib.rs"]);
    assert_eq!(s.app.deliver("push", &push).await, 200);
    assert_eq!(s.check("sha1").conclusion.as_deref(), Some("failure"));
    assert_eq!(s.check("sha1").updates.len(), updates, "not re-evaluated");

    // Nor does a change of the rules on another branch.
    let loosened = CONFIG.replace("docs/design/**/*.md", "rfcs/**/*.md");
    let push =
        s.gh.push_event(REPO, "loosen-rules", &[".github/design-review.yml"]);
    assert_eq!(s.app.deliver("push", &push).await, 200);
    assert_eq!(s.check("sha1").updates.len(), updates, "not re-evaluated");

    // The default branch's configuration changes: the open PR is judged again by it.
    s.gh.repo(REPO)
        .file("main", ".github/design-review.yml", loosened);
    let push =
        s.gh.push_event(REPO, "main", &[".github/design-review.yml"]);
    assert_eq!(s.app.deliver("push", &push).await, 202);
    let check = s.check("sha1");
    assert_eq!(
        check.title(),
        Some("No design documents in this pull request")
    );
    assert_eq!(check.conclusion.as_deref(), Some("success"));
    assert!(s.checks_on("sha1").len() >= runs_before);
}

#[tokio::test]
async fn a_push_to_a_template_the_config_names_re_evaluates_open_pull_requests() {
    let config = CONFIG.replace(
        "template: system-design",
        "template: docs/templates/short.md",
    );
    let s = scenario(Some(&config)).await;
    s.gh.repo(REPO).file(
        "main",
        "docs/templates/short.md",
        "# Title\n\n## Summary\n\nWhat and why.\n\n## Rollout plan\n\nHow it ships.\n",
    );
    s.open("alice", "sha1", &[(DOC, COMPLETE)]).await;
    let before = s.check("sha1");
    assert!(
        before
            .annotations
            .iter()
            .any(|a| a["title"] == "Missing section: Rollout plan"),
        "{:?}",
        before.annotations
    );

    // The template loses the section the doc lacks: the doc is judged by the new template.
    s.gh.repo(REPO).file(
        "main",
        "docs/templates/short.md",
        "# Title\n\n## Summary\n\nWhat and why.\n",
    );
    let push = s.gh.push_event(REPO, "main", &["docs/templates/short.md"]);
    assert_eq!(s.app.deliver("push", &push).await, 202);
    let after = s.check("sha1");
    assert_eq!(after.conclusion.as_deref(), None, "{:?}", after.title());
    let titles: Vec<_> = after.annotations.iter().map(|a| &a["title"]).collect();
    assert_eq!(titles, ["Unknown service: ledger"]);
}

#[tokio::test]
async fn removed_doc_is_not_checked() {
    let s = scenario(Some(CONFIG)).await;
    s.gh.pull(REPO, 7)
        .author("alice")
        .head_sha("sha1")
        .removed_file(DOC);
    s.pull_request("opened").await;
    assert_eq!(
        s.check("sha1").title(),
        Some("No design documents in this pull request")
    );
}

#[tokio::test]
async fn invalid_config_fails_the_check_naming_the_line() {
    let broken = "review:\n  team: acme/design-review\n  aprovals: 2\n";
    let s = scenario(Some(broken)).await;
    s.open("alice", "sha1", &[(DOC, COMPLETE)]).await;
    let check = s.check("sha1");
    assert_eq!(check.conclusion.as_deref(), Some("failure"));
    assert_eq!(check.title(), Some("Invalid .github/design-review.yml"));
    insta::assert_snapshot!("invalid_config_check", check.page());
    // Without valid rules no one is asked to review (not even the people the doc names).
    assert!(
        s.gh.reviewer_requests().is_empty(),
        "{:?}",
        s.gh.reviewer_requests()
    );
    // ... and the comment says why.
    insta::assert_snapshot!("invalid_config_comment", s.bot_comments()[0].body);
}

#[tokio::test]
async fn config_changed_only_in_the_pr_head_does_not_apply_but_is_validated() {
    let s = scenario(Some(CONFIG)).await;
    // The PR tries to stop its own doc from being checked, with a config that is also broken.
    let loosened = "docs:\n  - paths: [\"nothing/**\"]\n    template: system-design\nbogus: 1\n";
    s.open(
        "alice",
        "sha1",
        &[(DOC, INCOMPLETE), (".github/design-review.yml", loosened)],
    )
    .await;
    let check = s.check("sha1");
    assert_eq!(check.conclusion.as_deref(), Some("failure"));
    // The default branch's rules still judged the doc.
    insta::assert_snapshot!("invalid_config_in_the_pr_head_check", check.page());
    assert!(!check.annotations.is_empty());
}

#[tokio::test]
async fn a_3000_file_pull_request_works() {
    let s = scenario(Some(CONFIG)).await;
    let pull = s.gh.pull(REPO, 7);
    // GitHub lists at most 3,000 files of a pull request.
    pull.author("alice")
        .head_sha("sha1")
        .many_files(2999, |i| format!("src/file{i}.rs"));
    pull.file(DOC, "added", COMPLETE);
    s.pull_request("opened").await;
    let check = s.check("sha1");
    assert_eq!(check.status, "in_progress", "{:?}", check.title());
}

#[tokio::test]
async fn github_calls_per_evaluation_stay_within_budget() {
    let s = scenario(Some(CONFIG)).await;
    s.gh.clear_log();
    s.open("alice", "sha1", &[(DOC, INCOMPLETE)]).await;
    let first: Vec<_> = s.gh.api_calls();
    assert!(
        first.len() <= 8,
        "first evaluation made {} calls: {first:#?}",
        first.len()
    );
    s.gh.clear_log();
    s.pull_request("synchronize").await;
    let again = s.gh.api_calls();
    assert!(
        again.len() <= 4,
        "re-evaluation made {} calls: {again:#?}",
        again.len()
    );
    assert_eq!(
        s.bot_comments()[0].edits(),
        0,
        "nothing changed, nothing edited"
    );
}

#[tokio::test]
async fn refused_reviewer_request_is_reported_and_the_rest_goes_on() {
    // `ghosts` was never declared in the org: GitHub answers 422 for it.
    let config = CONFIG.replace("@acme/payments-owners", "@acme/ghosts");
    let s = scenario(Some(&config)).await;
    s.open("alice", "sha1", &[(DOC, COMPLETE)]).await;
    let (users, teams) = s.gh.requested_reviewers(REPO, 7);
    assert!(teams.iter().any(|t| t == "design-review"), "{teams:?}");
    assert!(users.iter().any(|u| u == "carol"), "{users:?}");
    insta::assert_snapshot!("refused_reviewer_comment", s.bot_comments()[0].body);
}

#[tokio::test]
async fn drafts_are_checked_but_reviewers_wait() {
    let s = scenario(Some(CONFIG)).await;
    s.gh.pull(REPO, 7).draft(true);
    s.open("alice", "sha1", &[(DOC, COMPLETE)]).await;
    assert_eq!(s.check("sha1").status, "in_progress");
    assert!(s.gh.reviewer_requests().is_empty());
    insta::assert_snapshot!("draft_comment", s.bot_comments()[0].body);
    s.gh.pull(REPO, 7).draft(false);
    s.pull_request("ready_for_review").await;
    assert!(!s.gh.reviewer_requests().is_empty());
}

#[tokio::test]
async fn merge_group_gets_a_success_check() {
    let s = scenario(Some(CONFIG)).await;
    let body = serde_json::json!({
        "action": "checks_requested",
        "merge_group": {
            "head_sha": "mq1", "head_ref": "refs/heads/gh-readonly-queue/main/pr-7-abc",
            "base_sha": "base", "base_ref": "refs/heads/main"
        },
        "repository": { "full_name": REPO, "default_branch": "main" },
        "installation": { "id": 1 }
    })
    .to_string();
    assert_eq!(s.app.deliver("merge_group", &body).await, 202);
    assert_eq!(s.check("mq1").conclusion.as_deref(), Some("success"));
}

#[tokio::test]
async fn org_defaults_apply_when_the_repo_has_no_config() {
    let s = scenario(None).await;
    s.gh.repo("acme/.github").default_branch("main").file(
        "main",
        ".github/design-review.yml",
        "review:\n  team: acme/design-review\n",
    );
    s.open("alice", "sha1", &[(DOC, COMPLETE)]).await;
    // The team comes from the organisation's file; the repo has none.
    let (_, teams) = s.gh.requested_reviewers(REPO, 7);
    assert!(teams.contains(&"design-review".to_string()), "{teams:?}");
    assert_eq!(
        s.check("sha1").title(),
        Some("Waiting for 1 more approval from @acme/design-review")
    );
}

#[tokio::test]
async fn comment_body_and_check_summary_snapshots() {
    let s = scenario(Some(CONFIG)).await;
    s.open(
        "alice",
        "0123456789abcdef0123456789abcdef01234567",
        &[(DOC, INCOMPLETE)],
    )
    .await;
    let check = s.check("0123456789abcdef0123456789abcdef01234567");
    insta::assert_snapshot!("check_summary_incomplete", check.summary().unwrap());
    insta::assert_snapshot!("sticky_comment_incomplete", s.bot_comments()[0].body);
}

#[tokio::test]
async fn huge_or_binary_docs_are_reported_not_fetched_whole() {
    let s = scenario(Some(CONFIG)).await;
    let pull = s.gh.pull(REPO, 7);
    pull.author("alice").head_sha("sha1");
    pull.file(
        "docs/design/binary.md",
        "added",
        vec![0xff_u8, 0xfe, 0x00, 0x89, b'P', b'N', b'G'],
    );
    let huge = "# Summary\n\n".to_string() + &"All work and no play. ".repeat(60_000);
    pull.file("docs/design/huge.md", "added", huge.into_bytes());
    s.pull_request("opened").await;
    let check = s.check("sha1");
    assert_eq!(check.conclusion.as_deref(), Some("failure"));
    insta::assert_snapshot!("huge_or_binary_comment", s.bot_comments()[0].body);
    // Each got an annotation on its first line.
    for path in ["docs/design/binary.md", "docs/design/huge.md"] {
        assert!(
            check
                .annotations
                .iter()
                .any(|a| a["path"] == path && a["start_line"] == 1)
        );
    }
}

/// How many gaps the built-in system-design template finds in `doc` (one annotation each).
fn gaps_in(doc: &str) -> usize {
    let template = design_review::checker::builtin(
        "system-design",
        &design_review::checker::TemplateRules::default(),
    )
    .expect("built-in template")
    .expect("template parses");
    design_review::checker::check(doc, &template).gaps.len()
}

#[tokio::test]
async fn updates_of_a_failing_check_do_not_repeat_its_annotations() {
    // GitHub appends the annotations of every update to those already on the run.
    let s = scenario(Some(CONFIG)).await;
    s.open("alice", "sha1", &[(DOC, INCOMPLETE)]).await;
    let gaps = gaps_in(INCOMPLETE);
    assert!(gaps > 0);
    assert_eq!(s.check("sha1").annotations.len(), gaps);

    // An approval changes the summary of the still failing check.
    s.review("bob", "APPROVED", "").await;
    let check = s.check("sha1");
    insta::assert_snapshot!("failing_check_approved", check.page());
    assert_eq!(check.annotations.len(), gaps, "after an approval");

    // A skip and an unskip change the conclusion and the summary, not the gaps.
    s.comment("bob", "/design-review skip hotfix for the outage")
        .await;
    let check = s.check("sha1");
    assert_eq!(check.conclusion.as_deref(), Some("success"));
    assert_eq!(check.annotations.len(), gaps, "after a skip");
    s.comment("bob", "/design-review unskip").await;
    let check = s.check("sha1");
    assert_eq!(check.conclusion.as_deref(), Some("failure"));
    assert_eq!(check.annotations.len(), gaps, "after an unskip");

    // A re-evaluation that changes nothing sends nothing.
    s.pull_request("synchronize").await;
    assert_eq!(s.check("sha1").annotations.len(), gaps);
    assert_eq!(s.checks_on("sha1").len(), 1, "one run, updated in place");

    // Other gaps on the same head (the rules on the default branch changed): the old
    // annotations cannot be taken back, so a fresh run carries exactly the new ones.
    s.gh.repo(REPO).file(
        "main",
        ".github/design-review.yml",
        CONFIG.replace("docs/design/**/*.md", "rfcs/**/*.md"),
    );
    s.pull_request("synchronize").await;
    let check = s.check("sha1");
    assert_eq!(
        check.title(),
        Some("No design documents in this pull request")
    );
    assert!(check.annotations.is_empty(), "{:?}", check.annotations);
}

#[tokio::test]
async fn a_run_adopted_after_a_lost_answer_gets_its_annotations_once() {
    let s = scenario(Some(CONFIG)).await;
    // GitHub creates the run (with the first annotations) but the answer is lost: the run is
    // found again and completed, not given the same annotations twice.
    s.gh.lose_answer_next("POST", "/repos/acme/widgets/check-runs", 1);
    s.open("alice", "sha1", &[(DOC, INCOMPLETE)]).await;
    assert_eq!(s.checks_on("sha1").len(), 1);
    assert_eq!(s.check("sha1").annotations.len(), gaps_in(INCOMPLETE));
}

#[tokio::test]
async fn a_run_being_replaced_is_not_adopted_after_a_failed_create() {
    // Checked against tech-spec first: 15 gaps on the run of sha1.
    let s = scenario(Some(&CONFIG.replace("system-design", "tech-spec"))).await;
    s.open("alice", "sha1", &[(DOC, INCOMPLETE)]).await;
    let first = s.check("sha1");
    assert!(!first.annotations.is_empty());
    assert!(
        first.annotations.len() < gaps_in(INCOMPLETE),
        "system-design must find more gaps than tech-spec, or the old run does not look adoptable"
    );
    // The default branch switches to system-design: other gaps on the same head need a fresh
    // run, and GitHub refuses its create before making it. The old run, which lists as ours with
    // fewer annotations, must not be taken for the lost run and topped up with the new ones.
    s.gh.repo(REPO)
        .file("main", ".github/design-review.yml", CONFIG);
    s.gh.fail_next("POST", "/repos/acme/widgets/check-runs", 502, 1);
    s.pull_request("synchronize").await;
    let runs = s.checks_on("sha1");
    assert_eq!(runs.len(), 2, "a fresh run replaces the old one");
    assert_eq!(runs[0].annotations, first.annotations, "old run untouched");
    assert_eq!(s.check("sha1").annotations.len(), gaps_in(INCOMPLETE));
}

#[tokio::test]
async fn a_change_of_base_branch_lists_the_files_again() {
    let s = scenario(Some(CONFIG)).await;
    s.open("alice", "sha1", &[("src/lib.rs", "fn main() {}")])
        .await;
    assert_eq!(
        s.check("sha1").title(),
        Some("No design documents in this pull request")
    );
    // Retargeted at another branch, the same head now also adds a design doc.
    s.gh.pull(REPO, 7)
        .base_ref("release")
        .file(DOC, "added", INCOMPLETE);
    let body = s.gh.pull_request_base_changed_event(REPO, 7, "main");
    assert_eq!(s.app.deliver("pull_request", &body).await, 202);
    let check = s.check("sha1");
    assert_eq!(
        check.conclusion.as_deref(),
        Some("failure"),
        "{:?}",
        check.title()
    );
    insta::assert_snapshot!("base_changed_check", check.page());
    assert_eq!(s.bot_comments().len(), 1);
}

#[tokio::test]
async fn unreadable_team_membership_is_reported_on_the_check() {
    // The organisation did not grant the App `members: read`: GitHub answers 403.
    let s = scenario(Some(CONFIG)).await;
    s.gh.members_unreadable("acme");
    s.open("alice", "sha1", &[(DOC, COMPLETE)]).await;
    s.review("bob", "APPROVED", "").await;
    let check = s.check("sha1");
    assert_eq!(check.status, "in_progress", "{:?}", check.title());
    insta::assert_snapshot!("unreadable_membership_check", check.page());
    let failed = s
        .app
        .store
        .list_deliveries(&design_review::store::DeliveryFilter {
            status: Some(design_review::store::DeliveryStatus::Failed),
            limit: 10,
        })
        .await
        .unwrap();
    assert!(failed.is_empty(), "{failed:?}");
}

#[tokio::test]
async fn a_rerun_naming_only_a_commit_is_serialised_with_the_pull_requests_deliveries() {
    let s = scenario(Some(CONFIG)).await;
    s.gh.track_evaluations();
    s.gh.latency(std::time::Duration::from_millis(20));
    s.gh.pull(REPO, 7)
        .author("alice")
        .head_sha("sha1")
        .file(DOC, "added", INCOMPLETE);
    // A re-run (for a PR from a fork: no `pull_requests` in the payload) arrives while the
    // PR's own delivery is being handled.
    let reopened = s.gh.pull_request_event("reopened", REPO, 7);
    let rerun = s.gh.check_suite_rerequested_event(REPO, "sha1");
    let (a, b) = tokio::join!(
        s.app.send("pull_request", "reopened-1", &reopened),
        s.app.send("check_suite", "rerun-1", &rerun)
    );
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (202, 202));
    s.app.wait_idle().await;
    let (started, _, overlaps) = s.gh.evaluations();
    assert!(started >= 1);
    assert!(overlaps.is_empty(), "evaluations overlapped: {overlaps:?}");
    assert_eq!(s.bot_comments().len(), 1);
    assert_eq!(s.checks_on("sha1").len(), 1);
    // The re-run went through the PR's queue.
    let handled = s
        .app
        .store
        .list_deliveries(&design_review::store::DeliveryFilter {
            status: None,
            limit: 50,
        })
        .await
        .unwrap();
    assert!(
        handled.iter().any(
            |d| d.arrived.event == design_review::webhook::internal::EVENT
                && d.arrived.pr_key.as_deref() == Some("acme/widgets#7")
        ),
        "{handled:#?}"
    );
}

#[tokio::test]
async fn skip_reason_is_escaped_in_the_check_summary() {
    let s = scenario(Some(CONFIG)).await;
    s.open("alice", "sha1", &[(DOC, INCOMPLETE)]).await;
    s.comment(
        "bob",
        "/design-review skip ping @carol, see <img src=x> **now**",
    )
    .await;
    let check = s.check("sha1");
    assert_eq!(check.conclusion.as_deref(), Some("success"));
    // The mention is defused, the HTML and the markup escaped.
    insta::assert_snapshot!("skip_reason_escaped_check", redacted(&check.page()));
}

#[tokio::test]
async fn a_built_in_template_names_the_command_that_posts_it() {
    let s = scenario(Some(CONFIG)).await;
    s.open("alice", "sha1", &[(DOC, INCOMPLETE)]).await;
    // The built-in templates are not files of the repository: no link that could lead nowhere.
    insta::assert_snapshot!("built_in_template_check", s.check("sha1").page());
    insta::assert_snapshot!("built_in_template_comment", s.bot_comments()[0].body);
}

#[tokio::test]
async fn a_repository_template_links_to_its_file_on_the_default_branch() {
    let config = CONFIG.replace(
        "template: system-design",
        "template: docs/templates/short.md",
    );
    let s = scenario(Some(&config)).await;
    s.gh.repo(REPO).default_branch("trunk").file(
        "trunk",
        "docs/templates/short.md",
        "# Title\n\n## Summary\n\nWhat and why.\n\n## Rollout plan\n\nHow it ships.\n",
    );
    s.gh.repo(REPO)
        .file("trunk", ".github/design-review.yml", config.as_str());
    s.open("alice", "sha1", &[(DOC, COMPLETE)]).await;
    insta::assert_snapshot!("repository_template_check", s.check("sha1").page());
    insta::assert_snapshot!("repository_template_comment", s.bot_comments()[0].body);
}

#[tokio::test]
async fn a_valid_config_in_the_pr_head_that_loosens_the_rules_is_not_applied() {
    let s = scenario(Some(CONFIG)).await;
    // Valid, and it would exempt the PR's doc and need no approval.
    let loosened = "docs:\n  - paths: [\"nothing/**\"]\n    template: system-design\nreview:\n  team: acme/design-review\n  approvals: 0\n";
    s.open(
        "alice",
        "sha1",
        &[(DOC, COMPLETE), (".github/design-review.yml", loosened)],
    )
    .await;
    let check = s.check("sha1");
    // The default branch's rules: the doc is checked and one approval is still needed.
    assert_eq!(check.status, "in_progress", "{:?}", check.title());
    insta::assert_snapshot!("loosening_config_in_the_pr_head_check", check.page());
}

/// The comment as a reader sees it before opening anything: its text outside `<details>`.
fn visible_text(markdown: &str) -> String {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let mut text = String::new();
    let mut collapsed = 0usize;
    for event in Parser::new(markdown) {
        match event {
            Event::Html(h) | Event::InlineHtml(h) => {
                collapsed += h.matches("<details>").count();
                collapsed -= h.matches("</details>").count().min(collapsed);
            }
            Event::Text(t) | Event::Code(t) if collapsed == 0 => text.push_str(&t),
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(TagEnd::Item | TagEnd::Paragraph | TagEnd::Heading(_))
                if collapsed == 0 =>
            {
                text.push('\n')
            }
            Event::Start(Tag::Item) if collapsed == 0 => text.push_str("• "),
            _ => {}
        }
    }
    text
}

#[tokio::test]
async fn a_doc_with_16_gaps_fits_on_one_screen() {
    let s = scenario(Some(CONFIG)).await;
    s.open("alice", "sha1", &[(DOC, INCOMPLETE)]).await;
    let body = &s.bot_comments()[0].body;
    let shown = visible_text(body);
    // One screen: about 25 lines of 100 characters (long lines wrap).
    let screen_lines: usize = shown
        .lines()
        .map(|l| l.chars().count().div_ceil(100).max(1))
        .sum();
    assert!(screen_lines <= 25, "{screen_lines} lines:\n{shown}");
    // Every gap (16 errors and a warning) is still there, collapsed.
    assert_eq!(body.matches("\n- [ ] ").count(), 17);
}

#[tokio::test]
async fn optional_sections_read_as_suggestions() {
    let s = scenario(Some(CONFIG)).await;
    let doc = format!("{COMPLETE}\n## GraphQL API (optional)\n\n");
    s.open(
        "alice",
        "0123456789abcdef0123456789abcdef01234567",
        &[(DOC, doc.as_str())],
    )
    .await;
    let body = &s.bot_comments()[0].body;
    insta::assert_snapshot!("sticky_comment_optional_section", body);
    let check = s.check("0123456789abcdef0123456789abcdef01234567");
    let notices: Vec<_> = check
        .annotations
        .iter()
        .filter(|a| a["annotation_level"] == "notice")
        .map(|a| a["message"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        notices,
        [
            "\"GraphQL API (optional)\" is optional and is empty: worth a paragraph if it applies to this design, otherwise remove it. The template asks: If the System exposes some of its data to the dashboard (through api), describe here the GraphQL changes."
        ],
        "{:?}",
        check.annotations
    );
}

#[tokio::test]
async fn service_owners_come_from_codeowners_on_the_default_branch_and_the_map_wins() {
    let config = r#"
review:
  team: acme/design-review
  service_owners_from: codeowners
  service_owners:
    ledger: "@acme/ledger-owners"
"#;
    let s = scenario(Some(config)).await;
    s.gh.team_member("acme", "ledger-owners", "lena")
        .team_member("acme", "platform", "pat");
    // GitHub reads .github/CODEOWNERS first; the root file is not used when it exists.
    s.gh.repo(REPO)
        .file(
            "main",
            ".github/CODEOWNERS",
            "* @acme/platform\n/services/payments/ @acme/payments-owners\n/services/ledger/ @acme/platform\n",
        )
        .file("main", "CODEOWNERS", "* @mallory\n");
    // The PR's own CODEOWNERS does not apply.
    let doc = COMPLETE.replace("- payments", "- payments\n- ledger");
    s.open(
        "alice",
        "sha1",
        &[(DOC, doc.as_str()), ("CODEOWNERS", "* @alice\n")],
    )
    .await;
    let (_, teams) = s.gh.requested_reviewers(REPO, 7);
    assert_eq!(teams, ["design-review", "payments-owners", "ledger-owners"]);
    let check = s.check("sha1");
    assert_eq!(
        check.title(),
        Some(
            "Waiting for 1 more approval from @acme/design-review; an approval from an owner of `payments` (@acme/payments-owners); an approval from an owner of `ledger` (@acme/ledger-owners)"
        )
    );
}

#[tokio::test]
async fn a_service_no_one_knows_is_a_warning_naming_the_known_services() {
    let config = CONFIG.replace(
        "payments: [\"@acme/payments-owners\"]",
        "payments: \"@acme/payments-owners\"\n    ledger: [\"@acme/ledger-owners\"]",
    );
    let s = scenario(Some(&config)).await;
    s.gh.team("acme", "ledger-owners");
    // A typo: "paymnets" must not silently skip the payments owners' approval.
    let doc = COMPLETE.replace("- payments", "- paymnets");
    s.open(
        "alice",
        "0123456789abcdef0123456789abcdef01234567",
        &[(DOC, doc.as_str())],
    )
    .await;
    let check = s.check("0123456789abcdef0123456789abcdef01234567");
    let warning = check
        .annotations
        .iter()
        .find(|a| a["title"] == "Unknown service: paymnets")
        .unwrap_or_else(|| panic!("{:?}", check.annotations));
    assert_eq!(
        warning["message"],
        "\"paymnets\" is not a service this repository knows, so no owner is asked to approve for it; known services: ledger, payments."
    );
    assert_eq!(warning["annotation_level"], "warning");
    let line = COMPLETE
        .lines()
        .position(|l| l == "## Services Affected")
        .unwrap()
        + 1;
    assert_eq!(warning["start_line"], line);
    insta::assert_snapshot!("check_summary_unknown_service", check.summary().unwrap());
    insta::assert_snapshot!("sticky_comment_unknown_service", s.bot_comments()[0].body);
}

/// The round trips and calls of a first evaluation and of an unchanged re-evaluation against a
/// GitHub 100 ms away (figures for docs/performance.md).
#[tokio::test]
async fn round_trips_of_a_first_evaluation() {
    let s = scenario(Some(CONFIG)).await;
    s.gh.latency(std::time::Duration::from_millis(100));
    s.gh.pull(REPO, 7).author("alice").head_sha("sha0");
    // A first PR warms the installation token and the bot's login, as a running App has.
    s.open("alice", "sha0", &[(DOC, COMPLETE)]).await;
    s.gh.pull(REPO, 8)
        .author("alice")
        .head_sha("sha8")
        .file(DOC, "added", COMPLETE);

    s.gh.clear_log();
    let body = s.gh.pull_request_event("opened", REPO, 8);
    assert_eq!(s.app.deliver("pull_request", &body).await, 202);
    let calls: Vec<String> =
        s.gh.requests()
            .iter()
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
    println!(
        "cached token: {} round trips, {calls:?}",
        s.gh.round_trips()
    );
    assert_eq!(s.gh.round_trips(), 3, "{calls:#?}");
    assert_eq!(calls.len(), 7, "no more calls than before: {calls:#?}");

    // A fresh App: the installation token is exchanged first (and the bot's login read).
    let s = scenario(Some(CONFIG)).await;
    s.gh.latency(std::time::Duration::from_millis(100));
    s.gh.clear_log();
    s.open("alice", "sha1", &[(DOC, COMPLETE)]).await;
    let calls: Vec<String> =
        s.gh.requests()
            .iter()
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
    println!(
        "token exchange: {} round trips, {calls:?}",
        s.gh.round_trips()
    );
    assert_eq!(s.gh.round_trips(), 4, "{calls:#?}");
    assert_eq!(calls.len(), 9, "no more calls than before: {calls:#?}");

    // Nothing changed. The first re-evaluation reads the reviews for the first time (an opened
    // PR has none, so the first evaluation did not ask); from then on, a re-evaluation spends
    // no rate-limited call: every read is a 304.
    s.gh.clear_log();
    s.pull_request("synchronize").await;
    let statuses: Vec<(String, u16)> =
        s.gh.requests()
            .into_iter()
            .map(|r| (r.path, r.status))
            .collect();
    assert_eq!(
        statuses,
        [
            (
                "/repos/acme/widgets/contents/.github/design-review.yml".to_string(),
                304
            ),
            ("/repos/acme/widgets/pulls/7/reviews".to_string(), 200)
        ]
    );
    s.gh.clear_log();
    s.pull_request("synchronize").await;
    let again: Vec<(String, String, u16)> =
        s.gh.requests()
            .into_iter()
            .map(|r| (r.method, r.path, r.status))
            .collect();
    println!("unchanged re-evaluation: {again:?}");
    assert!(
        again.iter().all(|(_, _, status)| *status == 304),
        "{again:#?}"
    );
}

// The fake GitHub fails any test after a call it has no route for. These calls go to the `/app`
// routes, which need no installation token (the App signs them with its JWT), so that they reach
// the routing instead of stopping at the token check.

#[tokio::test]
#[should_panic(
    expected = "the fake GitHub received calls it has no route for:\nGET /app/installations/1/no-such-thing -> 404"
)]
async fn a_call_to_a_route_github_does_not_have_fails_the_test() {
    let s = scenario(Some(CONFIG)).await;
    let url =
        s.gh.url()
            .join("app/installations/1/no-such-thing")
            .unwrap();
    reqwest::get(url).await.expect("the fake answers");
}

#[tokio::test]
#[should_panic(
    expected = "the fake GitHub received calls it has no route for:\nDELETE /app -> 405"
)]
async fn a_call_with_a_method_the_route_does_not_take_fails_the_test() {
    let s = scenario(Some(CONFIG)).await;
    let url = s.gh.url().join("app").unwrap();
    reqwest::Client::new()
        .delete(url)
        .send()
        .await
        .expect("the fake answers");
}
