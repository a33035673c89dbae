//! What one pull request may cost and make us say: per-PR limits, output at GitHub's size
//! limits, a check that never passes on what it could not see, untrusted text in our Markdown,
//! and whose comment is ours. Signed webhooks into the real server and queue, the real
//! workflow, the fake GitHub (with GitHub's limits) out.

mod support;

use design_review::{
    domain::{PrNumber, PrRef, RepoName},
    review::{Hints, Workflow, comment::MARKER},
};
use pulldown_cmark::{Event, Options, Parser};
use support::scenario::{REPO, Scenario};

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

/// `acme/widgets` with `config`, a review team (bob) and the payments service's owners (paula).
async fn scenario(config: &str) -> Scenario {
    let s = Scenario::with_config(config).await;
    s.gh.team_member("acme", "design-review", "bob")
        .team_member("acme", "payments-owners", "paula");
    s
}

/// GET requests for file contents under `prefix`.
fn content_reads(s: &Scenario, prefix: &str) -> usize {
    let route = format!("/repos/{REPO}/contents/{prefix}");
    s.gh.requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path.starts_with(&route))
        .count()
}

/// A complete doc whose "Technical Expert(s)" field names `reviewers`.
fn doc_naming(reviewers: &str) -> String {
    COMPLETE.replace(
        "Technical Expert(s): @carol",
        &format!("Technical Expert(s): {reviewers}"),
    )
}

// ----- 5. the API budget of one pull request -------------------------------------------------

#[tokio::test]
async fn a_pull_request_with_300_docs_has_the_first_50_checked_and_fails_saying_so() {
    let s = scenario(CONFIG).await;
    let pull = s.gh.pull(REPO, 7);
    pull.author("alice").head_sha("sha1");
    for i in 0..300 {
        pull.file(&format!("docs/design/doc{i:03}.md"), "added", COMPLETE);
    }
    s.pull_request_on(7, "opened").await;

    let check = s.check("sha1");
    let title = "300 design docs changed; the first 50 were checked (limits.docs_per_pr)";
    assert_eq!(check.conclusion.as_deref(), Some("failure"));
    assert_eq!(check.title(), Some(title));
    let note = format!(
        "⚠️ **{title}.** Split the pull request, or raise `limits.docs_per_pr` in `.github/design-review.yml`.\n"
    );
    assert!(
        check.summary().unwrap().contains(&note),
        "{:?}",
        check.summary()
    );
    let comment = &s.bot_comments_on(7)[0].body;
    assert!(comment.contains(&note), "{comment}");
    // The headline stays short: the note above says what was not checked.
    assert_eq!(
        comment.lines().nth(1),
        Some("❌ **Design docs could not all be checked**.")
    );
    assert_eq!(content_reads(&s, "docs/design/"), 50, "only 50 docs read");
}

#[tokio::test]
async fn the_docs_limit_is_a_config_key() {
    let config = format!("{CONFIG}limits:\n  docs_per_pr: 3\n");
    let s = scenario(&config).await;
    let pull = s.gh.pull(REPO, 7);
    pull.author("alice").head_sha("sha1");
    for i in 0..4 {
        pull.file(&format!("docs/design/doc{i}.md"), "added", COMPLETE);
    }
    s.pull_request_on(7, "opened").await;
    assert_eq!(
        s.check("sha1").title(),
        Some("4 design docs changed; the first 3 were checked (limits.docs_per_pr)")
    );
    assert_eq!(content_reads(&s, "docs/design/"), 3);

    // Within the limit, the check judges the docs as usual.
    s.gh.pull(REPO, 7)
        .head_sha("sha2")
        .removed_file("docs/design/doc3.md");
    s.pull_request_on(7, "synchronize").await;
    assert_eq!(
        s.check("sha2").title(),
        Some(
            "Waiting for 1 more approval from @acme/design-review; an approval from an owner of `payments` (@acme/payments-owners)"
        )
    );
}

#[tokio::test]
async fn a_doc_naming_3000_reviewers_gets_15_requested_in_a_bounded_number_of_calls() {
    let s = scenario(CONFIG).await;
    let named: Vec<String> = (0..3000).map(|i| format!("@person{i}")).collect();
    let pull = s.gh.pull(REPO, 7);
    pull.author("alice").head_sha("sha1");
    pull.file("docs/design/x.md", "added", doc_naming(&named.join(" ")));
    s.gh.clear_log();
    s.pull_request_on(7, "opened").await;

    let (users, teams) = s.gh.requested_reviewers(REPO, 7);
    assert_eq!(users.len() + teams.len(), 15, "{users:?} {teams:?}");
    assert_eq!(s.gh.reviewer_requests().len(), 1, "one batch request");
    let calls = s.gh.api_calls().len();
    assert!(calls <= 20, "{calls} calls: {:#?}", s.gh.api_calls());
    // Candidates in order: the review team, then the people named in the doc.
    assert_eq!(users[0], "person0");
    assert_eq!(teams, ["design-review"]);
    let note = "The limit of 15 review requests per pull request (`limits.reviewers_per_pr`) was reached: 2988 more reviewers not requested.\n";
    assert!(s.bot_comments_on(7)[0].body.contains(note));
    assert!(s.check("sha1").summary().unwrap().contains(note));

    // Asking again later asks no one more: the limit is per pull request, not per evaluation.
    s.gh.pull(REPO, 7).head_sha("sha2");
    s.pull_request_on(7, "synchronize").await;
    assert_eq!(s.gh.reviewer_requests().len(), 1);
}

#[tokio::test]
async fn a_retry_does_not_ask_again_the_reviewers_an_earlier_attempt_asked() {
    let s = scenario(CONFIG).await;
    s.gh.repo(REPO).non_collaborator("carol");
    let pull = s.gh.pull(REPO, 7);
    pull.author("alice").head_sha("sha1");
    pull.file("docs/design/x.md", "added", doc_naming("@carol"));
    // The doc names carol and dave; the config adds the review team and the payments owners.
    // The batch is refused (carol is no collaborator), so each is asked alone: carol
    // (refused), dave, the review team, then the payments owners, whose request fails with a
    // 502. A create is not repeated by the client: the delivery is retried.
    let route = format!("/repos/{REPO}/pulls/7/requested_reviewers");
    s.gh.fail_after("POST", &route, 4, 502, 1);
    s.pull_request_on(7, "opened").await;

    let posts: Vec<(Vec<String>, Vec<String>, u16)> =
        s.gh.reviewer_requests()
            .into_iter()
            .map(|r| (r.users, r.teams, r.status))
            .collect();
    let names = |list: &[&str]| list.iter().map(|n| n.to_string()).collect::<Vec<_>>();
    assert_eq!(
        posts,
        vec![
            (
                names(&["carol", "dave"]),
                names(&["design-review", "payments-owners"]),
                422
            ),
            (names(&["carol"]), vec![], 422),
            (names(&["dave"]), vec![], 201),
            (vec![], names(&["design-review"]), 201),
            // The 502 came before the fake recorded anything; the retry asks only the
            // payments owners, never carol, dave or the review team again.
            (vec![], names(&["payments-owners"]), 201),
        ]
    );
    insta::assert_snapshot!("retry_comment", s.bot_comments_on(7)[0].body);
}

#[tokio::test]
async fn the_requests_of_one_evaluation_are_counted() {
    let s = scenario(CONFIG).await;
    let pull = s.gh.pull(REPO, 7);
    pull.author("alice").head_sha("sha1");
    pull.file("docs/design/x.md", "added", INCOMPLETE);
    // A GET answered 502 once: the retry costs a request too, and is counted.
    s.gh.fail_next("GET", &format!("/repos/{REPO}/pulls/7/reviews"), 502, 1);
    let workflow = Workflow::new(s.gh.app(), s.app.store.clone());
    let client = s.gh.app().installation(s.gh.installation_id());
    let pr = PrRef {
        repo: RepoName::new("acme", "widgets"),
        number: PrNumber(7),
    };
    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    {
        let _guard = metrics::set_default_local_recorder(&recorder);
        s.gh.clear_log();
        workflow
            .evaluate(&client, &pr, Hints::default())
            .await
            .expect("evaluated");
    }
    let made = s.gh.requests().len();
    assert!(made > 5, "{made}");
    let text = handle.render();
    assert!(text.contains("evaluations_total 1\n"), "{text}");
    assert!(
        text.contains(&format!("evaluation_github_requests_total {made}\n")),
        "{made} requests: {text}"
    );
}

// ----- 6. output bigger than GitHub accepts ---------------------------------------------------

#[tokio::test]
async fn the_fake_github_refuses_output_over_githubs_limits_as_github_does() {
    use design_review::github::{
        CheckRunOutput, CheckRunSpec, CheckStatus, GithubError,
        models::{CheckConclusion, CommentId},
    };
    let s = scenario(CONFIG).await;
    s.gh.pull(REPO, 7);
    let client = s.gh.app().installation(s.gh.installation_id());
    let repo = RepoName::new("acme", "widgets");
    let spec = |summary: String| CheckRunSpec {
        name: "limits".into(),
        head_sha: design_review::domain::CommitSha("sha1".into()),
        status: CheckStatus::Completed,
        conclusion: Some(CheckConclusion::Success),
        output: Some(CheckRunOutput {
            title: "t".into(),
            summary,
            text: None,
            annotations: Vec::new(),
        }),
        details_url: None,
        external_id: None,
    };
    // Characters, not bytes: 65,535 two-byte characters are accepted.
    assert!(
        client
            .create_check_run(&repo, &spec("é".repeat(65_535)))
            .await
            .is_ok()
    );
    let refused = client
        .create_check_run(&repo, &spec("x".repeat(65_536)))
        .await;
    assert!(
        matches!(refused, Err(GithubError::Validation(_))),
        "{refused:?}"
    );
    let posted = client
        .create_issue_comment(&repo, PrNumber(7), &"x".repeat(65_536))
        .await
        .expect("65,536 characters are accepted");
    let refused = client
        .update_issue_comment(&repo, CommentId(posted.id.0), &"x".repeat(65_537))
        .await;
    assert_eq!(
        refused,
        Err(GithubError::Validation(
            "Validation Failed (Body is too long (maximum is 65536 characters))".into()
        ))
    );
}

#[tokio::test]
async fn a_huge_gap_list_and_3000_reviewer_lines_are_trimmed_to_fit() {
    // `always`: the reviewers are requested although docs have gaps.
    let config = format!("{CONFIG}  request_when: always\nlimits:\n  docs_per_pr: 300\n");
    let s = scenario(&config).await;
    let pull = s.gh.pull(REPO, 7);
    pull.author("alice").head_sha("sha1");
    // 3,000 teams of another organisation: each gets its own "not requested" line.
    let foreign: Vec<String> = (0..3000).map(|i| format!("@other/team{i}")).collect();
    pull.file("docs/design/a.md", "added", doc_naming(&foreign.join(" ")));
    for i in 0..299 {
        pull.file(&format!("docs/design/doc{i:03}.md"), "added", INCOMPLETE);
    }
    s.pull_request_on(7, "opened").await;

    let check = s.check("sha1");
    assert_eq!(check.conclusion.as_deref(), Some("failure"));
    assert_eq!(
        check.title(),
        Some("4784 gaps to fix in 299 of 300 design docs")
    );
    // The summary carries the table (cut to fit) and says where the gaps are.
    let summary = check.summary().unwrap();
    assert!(summary.chars().count() <= 65_535);
    assert!(
        summary.len() > 60_000,
        "cut no more than needed: {}",
        summary.len()
    );
    let files = "https://github.com/acme/widgets/pull/7/files";
    assert_eq!(summary.matches("\n| [<code>docs/design/").count(), 300);
    // 4784 gaps, the filler ("TBD") left above "Detailed design"'s sub-sections of each of the
    // 299 incomplete docs, and a.md's `ledger`, a service the configuration does not know.
    assert!(summary.contains(&format!(
        "The first 100 of 5084 findings are annotated on [the changed files]({files}); the pull request's comment lists them all.\n"
    )));
    assert_eq!(check.annotations.len(), 100);
    assert!(summary.ends_with("lint locally with `design-review check FILE`.\n"));

    // The comment carries the checklist: every list is cut, each saying by how much.
    let comment = &s.bot_comments_on(7)[0].body;
    assert!(comment.chars().count() <= 65_536);
    assert!(comment.len() > 60_000, "{}", comment.len());
    let cut_reviewers = count_before(
        comment,
        " more reviewers not requested: see [the pull request](",
    );
    let shown = comment.matches("⚠️ Not requested ").count();
    assert_eq!(shown + cut_reviewers, 3000);
    assert!(cut_reviewers > 0);
    let cut_lines = count_before(comment, " more lines: see the check run");
    assert!(cut_lines > 0);
    let cut_gaps = count_before(
        comment,
        " more gaps: see the annotations on [the changed files](",
    );
    let shown_gaps = comment.matches("\n- [ ] **").count();
    // Every gap of the docs: 4784 errors and 299 warnings (the unknown service is not a doc gap).
    assert_eq!(shown_gaps + cut_gaps, 5083);
    assert!(
        comment.contains("\n</details>\n\n### Reviews"),
        "the checklist is closed"
    );
    assert!(comment.ends_with("</details>\n"), "the commands stay");
}

/// The number just before the first `after` in `text`.
fn count_before(text: &str, after: &str) -> usize {
    let end = text
        .find(after)
        .unwrap_or_else(|| panic!("no {after:?} in {text}"));
    let digits: String = text[..end]
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect();
    digits
        .chars()
        .rev()
        .collect::<String>()
        .parse()
        .expect("a count")
}

// ----- 7. a required check must not pass on what it could not see ---------------------------

/// PR 7 with 3,000 other files and an incomplete doc as file 3,001.
fn doc_as_file_3001(s: &Scenario) {
    let pull = s.gh.pull(REPO, 7);
    pull.author("alice")
        .head_sha("sha1")
        .many_files(3000, |i| format!("src/file{i:04}.rs"));
    pull.file("docs/design/zz-late.md", "added", INCOMPLETE);
}

#[tokio::test]
async fn a_doc_beyond_the_3000_listed_files_is_found_through_the_trees() {
    let s = scenario(CONFIG).await;
    doc_as_file_3001(&s);
    s.pull_request_on(7, "opened").await;
    let check = s.check("sha1");
    assert_eq!(check.conclusion.as_deref(), Some("failure"));
    assert_eq!(check.title(), Some("16 gaps to fix in 1 of 1 design doc"));
    assert!(
        check
            .annotations
            .iter()
            .all(|a| a["path"] == "docs/design/zz-late.md")
    );
}

#[tokio::test]
async fn when_the_trees_cannot_be_compared_the_check_fails_saying_what_it_could_not_see() {
    let s = scenario(CONFIG).await;
    doc_as_file_3001(&s);
    s.gh.truncated_trees(REPO);
    s.pull_request_on(7, "opened").await;
    let check = s.check("sha1");
    let title = "This pull request changes 3001 files; GitHub lists only the first 3000 and the rest could not be read, so design docs among them were not checked";
    assert_eq!(
        (check.conclusion.as_deref(), check.title()),
        (Some("failure"), Some(title))
    );
    insta::assert_snapshot!("trees_not_compared_comment", s.bot_comments_on(7)[0].body);
}

#[tokio::test]
async fn a_listed_doc_whose_content_answers_404_is_a_gap() {
    let s = scenario(CONFIG).await;
    let pull = s.gh.pull(REPO, 7);
    pull.author("alice").head_sha("sha1");
    pull.file("docs/design/gone.md", "added", COMPLETE);
    s.gh.repo(REPO).remove_file("sha1", "docs/design/gone.md");
    s.pull_request_on(7, "opened").await;
    let check = s.check("sha1");
    assert_eq!(
        (check.conclusion.as_deref(), check.title()),
        (Some("failure"), Some("1 gap to fix in 1 of 1 design doc"))
    );
    insta::assert_snapshot!("content_404_comment", s.bot_comments_on(7)[0].body);
}

// ----- 8. untrusted text in our Markdown ------------------------------------------------------

/// Every HTML tag and comment GitHub would see in `markdown`, and the text a reader sees.
fn html_and_text(markdown: &str) -> (Vec<String>, String) {
    let mut html = Vec::new();
    let mut text = String::new();
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
        match event {
            Event::Html(h) | Event::InlineHtml(h) => html.push(h.trim().to_string()),
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            _ => {}
        }
    }
    (html, text)
}

/// A live mention: `@` followed by a character GitHub takes for a login.
fn live_mentions(text: &str) -> Vec<String> {
    text.match_indices('@')
        .filter(|(i, _)| {
            text[i + 1..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric())
        })
        .map(|(i, _)| text[i..].chars().take(20).collect())
        .collect()
}

#[tokio::test]
async fn a_doc_path_with_markup_echoes_as_text_in_the_comment_and_the_check() {
    let s = scenario(CONFIG).await;
    let path = format!("docs/design/x\n\n@org/team {MARKER} <b>|a|</b>.md");
    let pull = s.gh.pull(REPO, 7);
    pull.author("alice").head_sha("sha1");
    pull.file(&path, "added", INCOMPLETE);
    s.pull_request_on(7, "opened").await;

    let comment = &s.bot_comments_on(7)[0].body;
    assert_eq!(comment.matches(MARKER).count(), 1, "{comment}");
    assert!(comment.starts_with(MARKER));
    let (html, text) = html_and_text(comment);
    let ours = [
        MARKER,
        "<code>",
        "</code>",
        "<details><summary>How to fix each gap</summary>",
        "<details><summary>Commands</summary>",
        "</details>",
    ];
    assert!(html.iter().all(|h| ours.contains(&h.as_str())), "{html:?}");
    assert_eq!(live_mentions(&text), Vec::<String>::new(), "{text}");
    let shown = "x  @\u{2060}org/team <!-- design-review:sticky-comment --> <b>|a|</b>.md";
    assert!(text.contains(shown), "{text}");

    let summary = s.check("sha1").summary().unwrap().to_string();
    let (html, text) = html_and_text(&summary);
    assert!(
        html.iter().all(|h| h == "<code>" || h == "</code>"),
        "{html:?}"
    );
    assert!(!summary.contains(MARKER));
    // The teams the configuration names are ours to name (check runs notify no one); the
    // doc's path mentions no one.
    let mentions = live_mentions(&text);
    assert!(
        mentions
            .iter()
            .all(|m| m.starts_with("@acme/design-review") || m.starts_with("@acme/payments-owner")),
        "{mentions:?}"
    );
    assert_eq!(s.check("sha1").conclusion.as_deref(), Some("failure"));
}

// ----- 9. whose comment is ours -------------------------------------------------------------

#[tokio::test]
async fn another_bots_comment_carrying_our_marker_is_never_adopted() {
    let s = scenario(CONFIG).await;
    let forged = format!("{MARKER}\n## Design review\n\n✅ **Looks fine**\n");
    let pull = s.gh.pull(REPO, 7);
    pull.author("alice").head_sha("sha1");
    pull.file("docs/design/x.md", "added", INCOMPLETE);
    let other = s.gh.comment(REPO, 7, "impostor[bot]", &forged);
    s.pull_request_on(7, "opened").await;

    let comments = s.gh.comments(REPO, 7);
    let theirs = comments.iter().find(|c| c.id == other).unwrap();
    assert_eq!(theirs.history, vec![forged.clone()], "left alone");
    let ours = s.bot_comments_on(7);
    assert_eq!(ours.len(), 1);
    insta::assert_snapshot!("marker_not_adopted_comment", ours[0].body);

    // A second PR that lost track of its comment looks for it too: `GET /app` is asked once.
    let pull = s.gh.pull(REPO, 8);
    pull.author("alice").head_sha("sha8");
    pull.file("docs/design/y.md", "added", INCOMPLETE);
    s.pull_request_on(8, "opened").await;
    assert_eq!(s.bot_comments_on(8).len(), 1);
    assert_eq!(s.gh.count("GET", "/app"), 1);
}
