//! Slash-commands end to end: signed `issue_comment` / `pull_request_review` webhooks into the
//! real router and queue, the real workflow, a fake GitHub out. Assertions are on what GitHub
//! received (check runs, reactions, replies, review requests) and on the audit log.

mod support;

use std::process::Command as Process;

use chrono::{TimeZone, Utc};
use design_review::{
    domain::PrNumber,
    store::{self, AuditEntry, AuditFilter, AuditOutcome},
};
use support::{
    fake_github::{CheckRunRecord, CommentRecord, FakeGithub},
    scenario::{PR, REPO, Scenario, redacted},
};

const BIN: &str = env!("CARGO_BIN_EXE_design-review");
const DOC: &str = "docs/design/ledger-export.md";
const COMPLETE: &str = include_str!("fixtures/review/complete-system-design.md");
const INCOMPLETE: &str = include_str!("fixtures/review/incomplete-system-design.md");
const STICKY: &str = "<!-- design-review:sticky-comment -->";
const CONFIG: &str = r#"
docs:
  - paths: ["docs/design/**/*.md"]
    template: system-design
review:
  team: acme/design-review
  approvals: 1
"#;

/// PR 7 by alice with `doc`, a review team with bob in it, alice maintaining the repository,
/// rita reading it and walt writing to it.
async fn scenario(config: &str, doc: &str) -> Scenario {
    let s = Scenario::with_config(config).await;
    s.gh.team_member("acme", "design-review", "bob");
    s.gh.permission(REPO, "alice", "maintain")
        .permission(REPO, "rita", "read")
        .permission(REPO, "walt", "write");
    s.open("alice", "sha1", &[(DOC, doc)]).await;
    s
}

/// What a command leaves behind: the sticky comment, replies, reactions and the audit log.
trait CommandTraces {
    fn sticky(&self) -> CommentRecord;
    fn replies(&self) -> Vec<CommentRecord>;
    fn reactions(&self, comment: u64) -> Vec<String>;
    async fn audit(&self) -> Vec<AuditEntry>;
}

impl CommandTraces for Scenario {
    fn sticky(&self) -> CommentRecord {
        self.bot_comments()
            .into_iter()
            .find(|c| c.body.contains(STICKY))
            .expect("sticky comment")
    }

    /// The bot's comments other than the sticky one: its replies to commands.
    fn replies(&self) -> Vec<CommentRecord> {
        self.bot_comments()
            .into_iter()
            .filter(|c| !c.body.contains(STICKY))
            .collect()
    }

    /// The reactions on `comment`, sorted.
    fn reactions(&self, comment: u64) -> Vec<String> {
        let mut contents: Vec<String> = self
            .gh
            .reactions(comment)
            .into_iter()
            .map(|r| r.content)
            .collect();
        contents.sort();
        contents
    }

    async fn audit(&self) -> Vec<AuditEntry> {
        self.app
            .store
            .list_audit(&AuditFilter::default())
            .await
            .expect("audit log")
    }
}

fn failing(check: &CheckRunRecord) -> bool {
    check.status == "completed" && check.conclusion.as_deref() == Some("failure")
}

#[tokio::test]
async fn skip_by_a_review_team_member_passes_the_check_until_unskipped() {
    let s = scenario(CONFIG, INCOMPLETE).await;
    assert!(failing(&s.check("sha1")));

    let id = s
        .comment(
            "bob",
            "Typo-only follow-up.\n/design-review skip covered by the approved RFC-12",
        )
        .await;
    let check = s.check("sha1");
    assert_eq!(check.conclusion.as_deref(), Some("success"));
    insta::assert_snapshot!("skip_check", redacted(&check.page()));
    insta::assert_snapshot!("skip_sticky_comment", redacted(&s.sticky().body));
    assert_eq!(s.reactions(id), ["+1", "eyes"]);
    assert!(s.replies().is_empty(), "a done skip needs no reply");
    let audit = s.audit().await;
    assert_eq!(audit.len(), 1, "{audit:#?}");
    assert_eq!(audit[0].actor, "bob");
    assert_eq!(audit[0].repo, REPO);
    assert_eq!(audit[0].pr_number, PrNumber(PR));
    assert_eq!(audit[0].head_sha.as_deref(), Some("sha1"));
    assert_eq!(
        audit[0].command,
        "/design-review skip covered by the approved RFC-12"
    );
    assert_eq!(
        audit[0].reason.as_deref(),
        Some("covered by the approved RFC-12")
    );
    assert_eq!(audit[0].outcome, AuditOutcome::Done);

    // The skip is about the PR, not a commit: a push keeps it.
    s.gh.pull(REPO, PR).head_sha("sha2").file(
        DOC,
        "added",
        INCOMPLETE.replace("Ledger", "Journal"),
    );
    s.pull_request("synchronize").await;
    let check = s.check("sha2");
    assert_eq!(check.conclusion.as_deref(), Some("success"));
    assert_eq!(check.title(), Some("Design review skipped by @bob"));

    // Undone, the gaps fail the check again.
    let id = s.comment("bob", "/design-review unskip").await;
    assert!(failing(&s.check("sha2")), "{:?}", s.check("sha2").title());
    insta::assert_snapshot!("unskip_sticky_comment", s.sticky().body);
    assert_eq!(s.reactions(id), ["+1", "eyes"]);
    let audit = s.audit().await;
    assert_eq!(audit.len(), 2);
    assert_eq!(
        (
            audit[1].command.as_str(),
            audit[1].outcome.to_string().as_str()
        ),
        ("/design-review unskip", "done")
    );
    assert_eq!(audit[1].head_sha.as_deref(), Some("sha2"));
}

#[tokio::test]
async fn the_author_may_never_skip_their_own_pull_request() {
    let s = scenario(CONFIG, INCOMPLETE).await;
    // alice has maintain permission, which would otherwise allow skipping.
    let id = s.comment("alice", "/design-review skip trust me").await;
    assert!(failing(&s.check("sha1")), "{:?}", s.check("sha1").title());
    assert_eq!(s.reactions(id), ["confused", "eyes"]);
    let replies = s.replies();
    assert_eq!(replies.len(), 1);
    insta::assert_snapshot!("author_skip_reply", redacted(&replies[0].body));
    let audit = s.audit().await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].actor, "alice");
    assert!(
        audit[0]
            .outcome
            .to_string()
            .starts_with("refused: the author"),
        "{}",
        audit[0].outcome
    );
    assert_eq!(audit[0].reason.as_deref(), Some("trust me"));
    assert!(
        s.app
            .store
            .pr_state(&pr_ref())
            .await
            .unwrap()
            .skip
            .is_none()
    );
}

#[tokio::test]
async fn a_read_only_user_may_not_skip() {
    let s = scenario(CONFIG, INCOMPLETE).await;
    let id = s.comment("rita", "/design-review skip not needed").await;
    assert!(failing(&s.check("sha1")));
    assert_eq!(s.reactions(id), ["confused", "eyes"]);
    let replies = s.replies();
    assert_eq!(replies.len(), 1);
    insta::assert_snapshot!("read_only_skip_reply", redacted(&replies[0].body));
    let audit = s.audit().await;
    assert_eq!(audit.len(), 1);
    assert!(
        audit[0]
            .outcome
            .to_string()
            .starts_with("refused: only members"),
        "{}",
        audit[0].outcome
    );
    assert!(
        s.app
            .store
            .pr_state(&pr_ref())
            .await
            .unwrap()
            .skip
            .is_none()
    );
}

#[tokio::test]
async fn comments_by_bots_are_ignored() {
    let s = scenario(CONFIG, INCOMPLETE).await;
    let bot = s.gh.bot_login();
    let body = "/design-review skip by a bot";
    let id = s.gh.comment(REPO, PR, &bot, body);
    s.gh.clear_log();
    let event = s.gh.comment_event(REPO, PR, id, &bot, body, true);
    assert!(s.app.deliver("issue_comment", &event).await.is_success());
    assert!(s.gh.api_calls().is_empty(), "{:#?}", s.gh.api_calls());
    assert!(s.reactions(id).is_empty());
    let written_by_the_test = |s: &Scenario| s.replies().iter().map(|c| c.id).collect::<Vec<_>>();
    assert_eq!(written_by_the_test(&s), [id], "no reply");

    // A review body by a bot is a review (evaluated) but its commands never run.
    assert!(bot.ends_with("[bot]"), "{bot}");
    s.review(&bot, "COMMENTED", body).await;
    assert_eq!(written_by_the_test(&s), [id], "no reply");
    assert!(s.audit().await.is_empty());
    assert!(failing(&s.check("sha1")));
    assert!(
        s.app
            .store
            .pr_state(&pr_ref())
            .await
            .unwrap()
            .skip
            .is_none()
    );
}

#[tokio::test]
async fn commands_in_code_or_quotes_do_nothing() {
    let s = scenario(CONFIG, INCOMPLETE).await;
    let body = "Someone wrote:\n\n> /design-review skip quoted\n\n\
                ```\n/design-review skip fenced\n```\n\n\
                Run `/design-review check` to re-run.\n\n\
                <!-- /design-review skip hidden -->\n";
    s.gh.clear_log();
    let id = s.comment("bob", body).await;
    let writes: Vec<_> =
        s.gh.api_calls()
            .into_iter()
            .filter(|r| r.method != "GET")
            .collect();
    assert!(writes.is_empty(), "{writes:#?}");
    assert!(s.reactions(id).is_empty());
    assert!(s.replies().is_empty());
    assert!(s.audit().await.is_empty());
    assert!(failing(&s.check("sha1")));

    // Once the prefix is known, a comment without it costs no API call at all.
    s.gh.clear_log();
    s.comment("bob", "Looks reasonable, a few nits inline.")
        .await;
    assert!(s.gh.api_calls().is_empty(), "{:#?}", s.gh.api_calls());
}

/// The commands listed in a help reply.
fn listed(reply: &str) -> Vec<&'static str> {
    [
        "help", "check", "status", "template", "assign", "skip", "unskip",
    ]
    .into_iter()
    .filter(|name| reply.contains(&format!("<code>/design-review {name}")))
    .collect()
}

#[tokio::test]
async fn help_lists_only_the_commands_the_commenter_may_use() {
    let s = scenario(CONFIG, INCOMPLETE).await;
    s.comment("rita", "/design-review help").await;
    s.comment("walt", "/design-review help").await;
    s.comment("bob", "/design-review HELP").await;
    s.comment("alice", "/design-review help").await;
    let replies: Vec<String> = s.replies().into_iter().map(|c| c.body).collect();
    assert_eq!(replies.len(), 4);
    let everyone = vec!["help", "check", "status", "template"];
    assert_eq!(listed(&replies[0]), everyone, "read-only: {}", replies[0]);
    assert_eq!(
        listed(&replies[1]),
        [everyone.clone(), vec!["assign"]].concat(),
        "writer"
    );
    assert_eq!(
        listed(&replies[2]),
        [everyone.clone(), vec!["skip", "unskip"]].concat(),
        "review-team member without write access"
    );
    insta::assert_snapshot!("help_reply_to_a_review_team_member", redacted(&replies[2]));
    assert_eq!(
        listed(&replies[3]),
        [everyone, vec!["assign"]].concat(),
        "the author (a maintainer) may not skip"
    );
}

#[tokio::test]
async fn an_unknown_command_gets_the_closest_suggestion() {
    let s = scenario(CONFIG, INCOMPLETE).await;
    let id = s.comment("bob", "/design-review skp docs only").await;
    assert_eq!(s.reactions(id), ["confused", "eyes"]);
    let replies = s.replies();
    assert_eq!(replies.len(), 1);
    insta::assert_snapshot!("unknown_command_reply", redacted(&replies[0].body));
    let audit = s.audit().await;
    assert_eq!(audit.len(), 1);
    assert_eq!(
        audit[0].outcome.to_string(),
        "invalid: unknown command `skp`"
    );
    assert!(failing(&s.check("sha1")));
}

#[tokio::test]
async fn several_commands_share_one_reply() {
    let s = scenario(CONFIG, INCOMPLETE).await;
    let id = s
        .comment(
            "bob",
            "/design-review status\n/design-review skip\n/design-review template",
        )
        .await;
    // status and template were done, skip without a reason is invalid.
    assert_eq!(s.reactions(id), ["+1", "confused", "eyes"]);
    let replies = s.replies();
    assert_eq!(replies.len(), 1, "one reply for the whole comment");
    // Status lists the gaps, skip says how to use it, template posts a skeleton; the reply is
    // no second sticky comment.
    insta::assert_snapshot!("several_commands_reply", redacted(&replies[0].body));
    let audit = s.audit().await;
    assert_eq!(audit.len(), 1, "only the invalid skip: {audit:#?}");
    assert!(
        audit[0].outcome.to_string().starts_with("invalid: "),
        "{}",
        audit[0].outcome
    );
}

#[tokio::test]
async fn check_after_a_config_change_uses_the_new_config() {
    let s = scenario(CONFIG, INCOMPLETE).await;
    assert!(failing(&s.check("sha1")));
    // The default branch stops treating docs/design as design docs.
    s.gh.repo(REPO).file(
        "main",
        ".github/design-review.yml",
        "docs:\n  - paths: [\"rfcs/**/*.md\"]\n",
    );
    let id = s.comment("rita", "/design-review check").await;
    let check = s.check("sha1");
    assert_eq!(check.conclusion.as_deref(), Some("success"));
    assert_eq!(
        check.title(),
        Some("No design documents in this pull request")
    );
    assert_eq!(s.reactions(id), ["+1", "eyes"]);
    assert!(s.replies().is_empty());
    assert!(s.audit().await.is_empty(), "check changes no review state");
}

#[tokio::test]
async fn assign_needs_write_access_and_asks_again() {
    // The owners' team does not exist yet: GitHub refuses the request, and the workflow never
    // asks again on its own.
    let config = format!("{CONFIG}  service_owners:\n    payments: [\"@acme/payments-owners\"]\n");
    let s = scenario(&config, COMPLETE).await;
    let (_, teams) = s.gh.requested_reviewers(REPO, PR);
    assert!(!teams.contains(&"payments-owners".to_string()), "{teams:?}");
    s.gh.team("acme", "payments-owners");
    s.pull_request("synchronize").await;
    let (_, teams) = s.gh.requested_reviewers(REPO, PR);
    assert!(!teams.contains(&"payments-owners".to_string()), "{teams:?}");

    let id = s.comment("rita", "/design-review assign").await;
    assert_eq!(s.reactions(id), ["confused", "eyes"]);
    insta::assert_snapshot!("assign_refused_reply", redacted(&s.replies()[0].body));
    let (_, teams) = s.gh.requested_reviewers(REPO, PR);
    assert!(!teams.contains(&"payments-owners".to_string()));

    let id = s.comment("walt", "/design-review assign").await;
    assert_eq!(s.reactions(id), ["+1", "eyes"]);
    let (_, teams) = s.gh.requested_reviewers(REPO, PR);
    assert!(teams.contains(&"payments-owners".to_string()), "{teams:?}");
    let audit = s.audit().await;
    let outcomes: Vec<(&str, String)> = audit
        .iter()
        .map(|e| (e.actor.as_str(), e.outcome.to_string()))
        .collect();
    assert_eq!(outcomes.len(), 2);
    assert_eq!(outcomes[0].0, "rita");
    assert!(outcomes[0].1.starts_with("refused: "), "{outcomes:?}");
    assert_eq!((outcomes[1].0, outcomes[1].1.as_str()), ("walt", "done"));
}

#[tokio::test]
async fn commands_anyone_may_run_are_throttled_per_pull_request() {
    let s = scenario(CONFIG, INCOMPLETE).await;
    let mut ids = Vec::new();
    for _ in 0..7 {
        ids.push(s.comment("rita", "/design-review check").await);
    }
    for id in &ids[..5] {
        assert_eq!(s.reactions(*id), ["+1", "eyes"]);
    }
    assert_eq!(s.reactions(ids[5]), ["confused", "eyes"]);
    assert_eq!(s.reactions(ids[6]), ["confused", "eyes"]);
    let replies = s.replies();
    assert_eq!(replies.len(), 1, "told once, not once per refusal");
    insta::assert_snapshot!("throttled_reply", redacted(&replies[0].body));
    let audit = s.audit().await;
    assert_eq!(audit.len(), 2);
    assert!(
        audit
            .iter()
            .all(|e| e.outcome.to_string().starts_with("refused: at most 5"))
    );
    // Commands that need a permission are not throttled.
    let id = s
        .comment("bob", "/design-review skip agreed in the sync")
        .await;
    assert_eq!(s.reactions(id), ["+1", "eyes"]);
}

#[tokio::test]
async fn a_review_body_runs_commands_and_is_still_a_review() {
    let s = scenario(CONFIG, COMPLETE).await;
    assert_eq!(s.check("sha1").status, "in_progress");
    // An approval with a plain body still counts.
    s.review("bob", "APPROVED", "Looks good to me.").await;
    let check = s.check("sha1");
    assert_eq!(
        check.conclusion.as_deref(),
        Some("success"),
        "{:?}",
        check.title()
    );

    // Commands in a review body run; with no comment to react to, the reply confirms.
    s.review("rita", "COMMENTED", "/design-review skip drive-by")
        .await;
    let replies = s.replies();
    assert_eq!(replies.len(), 1);
    insta::assert_snapshot!("review_body_refused_reply", redacted(&replies[0].body));
    s.review("bob", "COMMENTED", "/design-review skip agreed offline")
        .await;
    let replies = s.replies();
    assert_eq!(replies.len(), 2);
    insta::assert_snapshot!("review_body_skip_reply", redacted(&replies[1].body));
    assert_eq!(
        s.check("sha1").title(),
        Some("Design review skipped by @bob")
    );
}

fn pr_ref() -> design_review::domain::PrRef {
    design_review::domain::PrRef {
        repo: design_review::domain::RepoName::new("acme", "widgets"),
        number: design_review::domain::PrNumber(PR),
    }
}

#[tokio::test]
async fn the_audit_command_lists_entries() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("audit.db").display());
    let store = store::connect(&url).await.expect("store");
    let entry = |day: u32, repo: &str, actor: &str, command: &str, outcome: &str| AuditEntry {
        at: Utc.with_ymd_and_hms(2026, 3, day, 9, 30, 0).unwrap(),
        repo: repo.into(),
        pr_number: PrNumber(7),
        head_sha: Some("0123456789abcdef0123456789abcdef01234567".into()),
        actor: actor.into(),
        command: command.into(),
        reason: None,
        outcome: outcome.parse().unwrap(),
    };
    store
        .record_audit(&entry(
            1,
            REPO,
            "bob",
            "/design-review skip docs only",
            "done",
        ))
        .await
        .unwrap();
    store
        .record_audit(&entry(
            2,
            "acme/gears",
            "rita",
            "/design-review assign",
            "refused: requesting the reviewers again needs write access to the repository",
        ))
        .await
        .unwrap();
    store
        .record_audit(&entry(
            3,
            REPO,
            "alice",
            "/design-review unskip",
            "refused: the author",
        ))
        .await
        .unwrap();
    drop(store);

    let run = |args: &[&str]| {
        let out = Process::new(BIN)
            .arg("audit")
            .args(args)
            .env("DATABASE_URL", &url)
            .output()
            .expect("binary runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8")
    };

    let table = run(&[]);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 4, "{table}");
    assert!(lines[0].starts_with("WHEN (UTC)"));
    assert!(lines[1].starts_with("2026-03-01 09:30:00"), "{table}");
    let column = lines[0].find("OUTCOME").unwrap();
    assert_eq!(lines[1].find("done"), Some(column), "{table}");
    assert_eq!(lines[2].find("refused"), Some(column), "{table}");
    assert!(lines[1].contains("0123456 "), "short head SHA: {table}");

    let json = run(&["--repo", REPO, "--since", "2026-03-02", "--format", "json"]);
    let entries: serde_json::Value = serde_json::from_str(&json).expect("one JSON array");
    let entries = entries.as_array().expect("array");
    assert_eq!(entries.len(), 1, "{json}");
    assert_eq!(entries[0]["actor"], "alice");
    assert_eq!(entries[0]["repo"], REPO);
    assert_eq!(entries[0]["command"], "/design-review unskip");

    let bad = Process::new(BIN)
        .args(["audit", "--since", "last tuesday"])
        .env("DATABASE_URL", &url)
        .output()
        .expect("binary runs");
    assert!(!bad.status.success());
    insta::assert_snapshot!("audit_bad_date", String::from_utf8_lossy(&bad.stderr));
}

#[tokio::test]
async fn a_retried_delivery_records_and_replies_once() {
    let s = scenario(CONFIG, INCOMPLETE).await;
    // The reply fails once with a server error: the whole delivery is retried.
    s.gh.fail_next("POST", "/repos/acme/widgets/issues/7/comments", 502, 1);
    let id = s.comment("alice", "/design-review skip trust me").await;
    let deliveries = s
        .app
        .store
        .list_deliveries(&Default::default())
        .await
        .unwrap();
    let comment = deliveries
        .iter()
        .find(|d| d.arrived.event == "issue_comment")
        .expect("comment delivery");
    assert_eq!(comment.attempts, 2, "{comment:?}");
    assert_eq!(s.replies().len(), 1);
    assert_eq!(s.audit().await.len(), 1, "recorded once");
    assert_eq!(s.reactions(id), ["confused", "eyes"]);
}

#[tokio::test]
async fn a_reply_github_refuses_does_not_fail_the_delivery() {
    let s = scenario(CONFIG, INCOMPLETE).await;
    // A locked conversation: GitHub refuses the reply for good.
    s.gh.fail_next("POST", "/repos/acme/widgets/issues/7/comments", 403, 1);
    s.gh.clear_log();
    let id = s
        .comment(
            "bob",
            "/design-review skip agreed offline\n/design-review status",
        )
        .await;
    assert_eq!(
        s.gh.count("POST", "/repos/acme/widgets/issues/7/comments"),
        1,
        "the reply was attempted"
    );
    assert!(s.replies().is_empty());
    let deliveries = s
        .app
        .store
        .list_deliveries(&Default::default())
        .await
        .unwrap();
    let comment = deliveries
        .iter()
        .find(|d| d.arrived.event == "issue_comment")
        .expect("comment delivery");
    assert_eq!(
        (comment.status.as_str(), comment.attempts),
        ("done", 1),
        "{comment:?}"
    );
    assert_eq!(s.reactions(id), ["+1", "eyes"]);
    assert_eq!(
        s.check("sha1").title(),
        Some("Design review skipped by @bob")
    );
}

/// The non-GET calls the App made to GitHub since the log was last cleared.
fn writes(gh: &FakeGithub) -> Vec<String> {
    gh.api_calls()
        .into_iter()
        .filter(|r| r.method != "GET")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

#[tokio::test]
async fn a_captured_delivery_replayed_under_a_new_id_runs_nothing() {
    let s = scenario(CONFIG, INCOMPLETE).await;
    let body = "/design-review skip covered by the approved RFC-12";
    let id = s.gh.comment(REPO, PR, "bob", body);
    let captured = s.gh.comment_event(REPO, PR, id, "bob", body, false);
    assert_eq!(s.app.deliver("issue_comment", &captured).await, 202);
    assert_eq!(s.check("sha1").conclusion.as_deref(), Some("success"));
    // A maintainer undoes the skip.
    s.comment("bob", "/design-review unskip").await;
    assert!(failing(&s.check("sha1")));

    // The captured delivery, signed as GitHub signed it, re-sent under a new delivery id:
    // accepted (it is a new id), and nothing runs again.
    s.gh.clear_log();
    assert_eq!(s.app.deliver("issue_comment", &captured).await, 202);
    assert_eq!(writes(&s.gh), Vec::<String>::new());
    assert!(failing(&s.check("sha1")));
    assert_eq!(s.app.store.pr_state(&pr_ref()).await.unwrap().skip, None);
    let audit = s.audit().await;
    let commands: Vec<&str> = audit.iter().map(|e| e.command.as_str()).collect();
    assert_eq!(commands, [body, "/design-review unskip"]);
    assert_eq!(s.reactions(id), ["+1", "eyes"]);
}

#[tokio::test]
async fn a_comment_delivered_long_after_it_was_written_runs_nothing() {
    let s = scenario(CONFIG, INCOMPLETE).await;
    let body = "/design-review skip replayed from an old capture";
    let id = s.gh.comment(REPO, PR, "bob", body);
    let mut event: serde_json::Value =
        serde_json::from_str(&s.gh.comment_event(REPO, PR, id, "bob", body, false)).unwrap();
    let written = (Utc::now() - chrono::TimeDelta::days(8)).to_rfc3339();
    event["comment"]["created_at"] = written.clone().into();
    event["comment"]["updated_at"] = written.into();
    s.gh.clear_log();
    assert_eq!(
        s.app.deliver("issue_comment", &event.to_string()).await,
        202
    );
    assert_eq!(writes(&s.gh), Vec::<String>::new());
    assert!(failing(&s.check("sha1")));
    assert!(s.audit().await.is_empty());
}

/// Checks that `markdown` renders no mention, no HTML but the few tags replies are built with,
/// and no hidden comment but the reply's own marker at its end.
fn assert_inert(markdown: &str) {
    use pulldown_cmark::{Event, Parser};
    const OURS: &[&str] = &[
        "<code>",
        "</code>",
        "<details>",
        "</details>",
        "<summary>",
        "</summary>",
    ];
    let marker_at = markdown
        .find("<!-- design-review:command-reply ")
        .expect("reply marker");
    assert_eq!(markdown.matches("<!--").count(), 1, "{markdown}");
    let (reply, _) = markdown.split_at(marker_at);
    for event in Parser::new(reply) {
        match event {
            Event::Html(html) | Event::InlineHtml(html) => {
                assert!(OURS.contains(&html.trim()), "HTML {html:?} in {markdown}")
            }
            Event::Text(text) => {
                let mention = text.char_indices().any(|(i, c)| {
                    c == '@' && text[i + 1..].starts_with(|n: char| n.is_alphanumeric())
                });
                assert!(!mention, "live mention in {text:?} of {markdown}");
            }
            _ => {}
        }
    }
}

#[tokio::test]
async fn untrusted_text_in_commands_is_echoed_inert() {
    // A template path with backticks and an @-mention: legal, and echoed in an error.
    let config = CONFIG.replace(
        "    template: system-design\n",
        "    template: system-design\n  - paths: [\"odd/**/*.md\"]\n    template: \"docs/t`@acme/owners`.md\"\n",
    );
    let s = scenario(&config, INCOMPLETE).await;
    let body = "/design-review skip @acme/design-review <!-- design-review:sticky-comment --> `x` | <b>y</b>\n\
                /design-review template docs/t`@acme/owners`.md\n\
                /design-review template \"@acme/owners|`<!-- design-review -->\"\n\
                /design-review @acme/owners<img src=x>";
    let id = s.comment("rita", body).await;
    assert_eq!(s.reactions(id), ["confused", "eyes"]);
    let replies = s.replies();
    assert_eq!(replies.len(), 1);
    let reply = &replies[0].body;
    assert_inert(reply);
    let wj = '\u{2060}';
    let expected = format!(
        "**<code>/design-review skip @{wj}acme/design-review \\<\\!-- design-review:sticky-comment --\\> \\`x\\` \\| \\<b\\>y\\</b\\></code>**\n\n\
         <code>/design-review skip @{wj}acme/design-review \\<\\!-- design-review:sticky-comment --\\> \\`x\\` \\| \\<b\\>y\\</b\\></code> was refused: \
         only members of @{wj}acme/design-review or people with maintain or admin permission may skip or unskip the design review (commands.skip\\_allowed).\n\n\
         ---\n\n\
         **<code>/design-review template docs/t\\`@{wj}acme/owners\\`.md</code>**\n\n\
         Template <code>docs/t\\`@{wj}acme/owners\\`.md</code> could not be loaded: template \\`docs/t\\`@{wj}acme/owners\\`.md\\` \
         is neither a built-in template (system-design, tech-spec) nor a file on the default branch.\n\n\
         ---\n\n\
         **<code>/design-review template \"@{wj}acme/owners\\|\\`\\<\\!-- design-review --\\>\"</code>**\n\n\
         There is no template named <code>@{wj}acme/owners\\|\\`\\<\\!-- design-review --\\></code>. Templates: <code>system-design</code>, <code>tech-spec</code>, <code>docs/t\\`@{wj}acme/owners\\`.md</code>.\n\n\
         ---\n\n\
         **<code>/design-review @{wj}acme/owners\\<img src=x\\></code>**\n\n\
         <code>/design-review @{wj}acme/owners\\<img</code> is not a command.\n\n\
         Run <code>/design-review help</code> to list the commands you may use.\n\n"
    );
    assert_eq!(
        reply.split("<!-- design-review:command-reply").next(),
        Some(expected.as_str())
    );
    // The sticky comment is still the only one with the sticky marker.
    let stickies =
        s.gh.comments(REPO, PR)
            .into_iter()
            .filter(|c| c.author_is_bot && c.body.contains(STICKY))
            .count();
    assert_eq!(stickies, 1);
}

#[tokio::test]
async fn invalid_and_refused_commands_are_throttled_like_valid_ones() {
    let s = scenario(CONFIG, INCOMPLETE).await;
    let mut ids = Vec::new();
    for body in [
        "/design-review skip nope",
        "/design-review skip nope",
        "/design-review skp",
        "/design-review assign",
        "/design-review bogus",
        "/design-review skip over the limit",
        "/design-review skp over the limit",
    ] {
        ids.push(s.comment("rita", body).await);
    }
    for id in &ids {
        assert_eq!(s.reactions(*id), ["confused", "eyes"]);
    }
    let replies: Vec<String> = s.replies().into_iter().map(|c| c.body).collect();
    assert_eq!(
        replies.len(),
        6,
        "five answers, then one about the limit: {replies:#?}"
    );
    insta::assert_snapshot!("throttled_refused_reply", redacted(&replies[0]));
    insta::assert_snapshot!("throttled_not_a_command_reply", redacted(&replies[4]));
    assert!(
        replies[5].starts_with(
            "Too many commands on this pull request: at most 5 commands per pull request and minute"
        ),
        "{}",
        replies[5]
    );
    let outcomes: Vec<String> = s
        .audit()
        .await
        .into_iter()
        .map(|e| e.outcome.to_string())
        .collect();
    let throttled = "refused: at most 5 commands per pull request and minute, counting those anyone may run and every invalid or refused one";
    assert_eq!(&outcomes[5..], [throttled, throttled]);
    // A maintainer's command that is allowed is never throttled.
    let id = s
        .comment("bob", "/design-review skip agreed in the sync")
        .await;
    assert_eq!(s.reactions(id), ["+1", "eyes"]);
    assert_eq!(s.check("sha1").conclusion.as_deref(), Some("success"));
}

#[tokio::test]
async fn a_comment_of_many_commands_runs_ten_and_gets_one_short_reply() {
    let s = scenario(CONFIG, INCOMPLETE).await;
    let body = vec!["/design-review skip x"; 3]
        .into_iter()
        .chain(vec!["/design-review unskip"; 27])
        .collect::<Vec<_>>()
        .join("\n");
    let id = s.comment("walt", &body).await;
    assert_eq!(s.reactions(id), ["confused", "eyes"]);
    let replies = s.replies();
    assert_eq!(replies.len(), 1);
    let reply = replies[0]
        .body
        .split("\n<!-- design-review:command-reply")
        .next()
        .unwrap()
        .to_string();
    let rule = "only members of @\u{2060}acme/design-review or people with maintain or admin permission may skip or unskip the design review (commands.skip\\_allowed)";
    assert_eq!(
        reply,
        format!(
            "<code>/design-review skip x</code> and <code>/design-review unskip</code> were refused: {rule}.\n\n\
             ---\n\n\
             Too many commands on this pull request: at most 5 commands per pull request and minute, counting those anyone may run and every invalid or refused one. \
             Try again in a minute; until then, such commands only get a 😕 reaction.\n\n\
             ---\n\n\
             **<code>/design-review unskip</code>**\n\n\
             <code>/design-review unskip</code> was refused: at most 10 commands of one comment are run; this one and the 19 after it were not.\n"
        )
    );
    // Ten commands and one row for the twenty that were not run.
    let audit = s.audit().await;
    assert_eq!(audit.len(), 11, "{audit:#?}");
    assert_eq!(
        audit[10].outcome.to_string(),
        "refused: at most 10 commands of one comment are run; this one and the 19 after it were not"
    );
    assert!(failing(&s.check("sha1")));
}
