//! What a delivery asks the bot to do, read once from its payload ([`payloads`] has one
//! parser per GitHub event) or from the bot's own queued work ([`internal`]). Everything
//! after intake works with [`Event`], never with raw JSON.

pub mod internal;
mod payloads;

use crate::{
    domain::{CommentVersion, CommitSha, InstallationId, Login, PrNumber, PrRef, RepoName},
    github::models::{PullRequest as PullFacts, RequestedReviewers},
};

use internal::{Reevaluation, ReevaluationCause};
pub use payloads::{
    CheckAction, CheckKind, IssueCommentAction, MergeGroupAction, PullRequestAction, ReviewAction,
};

/// The `X-GitHub-Event` types [`Event::parse`] acts on (`ping` aside, which GitHub always sends); `app.yml` subscribes to exactly these.
pub const HANDLED_EVENTS: &[&str] = &[
    "check_run",
    "check_suite",
    "issue_comment",
    "merge_group",
    "pull_request",
    "pull_request_review",
    "push",
];

/// What a delivery asks the bot to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// GitHub's hello when a webhook is set up.
    Ping,
    /// Something changed that can change the design review's verdict: evaluate the PR again.
    /// Handling only the newest of several pending ones is enough (coalescable).
    Evaluate(Box<EvaluateEvent>),
    /// A comment (or review body) on a PR that may hold slash-commands. Never coalesced.
    Comment(CommentEvent),
    /// A merge queue asks for checks on a merge group's head.
    MergeGroup(MergeGroupEvent),
    /// "Re-run" on a check whose payload names no pull request (GitHub leaves
    /// `pull_requests` empty for PRs from forks): the handler finds the PRs of the commit and
    /// queues one evaluation per PR ([`RerunCommitEvent::for_pull`]), so that each runs in
    /// its PR's order like any other delivery of that PR.
    RerunCommit(RerunCommitEvent),
    /// A push to the default branch that touched the configuration or Markdown files (a
    /// template may be among them): the handler re-evaluates the open pull requests when the
    /// rules they are judged by changed, so their checks do not keep an outdated verdict.
    RulesPush(RulesPushEvent),
    /// An event or action the bot does not act on; acknowledged and dropped.
    Ignored(String),
}

/// A reason to (re-)evaluate one pull request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvaluateEvent {
    pub pr: PrRef,
    pub installation: Option<InstallationId>,
    /// What asked for the evaluation.
    pub reason: EvaluateReason,
    /// The head SHA the event was about, when the payload says.
    pub head_sha: Option<CommitSha>,
    /// Who caused the event.
    pub sender: Option<Login>,
    /// The repository's default branch (where the configuration is read from), when the
    /// payload says.
    pub default_branch: Option<String>,
    /// The pull request as the payload describes it, which saves fetching it again when the
    /// delivery is fresh.
    pub snapshot: Option<PullSnapshot>,
}

/// What asked for an evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvaluateReason {
    /// A `pull_request` delivery.
    PullRequest(PullRequestAction),
    /// A `pull_request_review` delivery.
    Review(ReviewAction),
    /// "Re-run" on our check run or suite, naming the pull request.
    CheckRerequested(CheckKind),
    /// Work the bot queued for itself.
    Reevaluation(ReevaluationCause),
}

impl EvaluateReason {
    /// True for a pull request just opened, which cannot have reviews yet.
    pub fn is_pull_opened(&self) -> bool {
        *self == Self::PullRequest(PullRequestAction::Opened)
    }
}

/// A pull request as a webhook payload describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullSnapshot {
    pub pull: PullFacts,
    pub requested: RequestedReviewers,
}

/// A comment on a pull request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentEvent {
    pub pr: PrRef,
    pub installation: Option<InstallationId>,
    /// The issue comment id (reactions are added to it); `None` for review bodies.
    pub comment_id: Option<u64>,
    pub author: Login,
    pub author_is_bot: bool,
    pub body: String,
    pub default_branch: Option<String>,
    /// Which comment or review, in which version: `None` only for a payload without the id or
    /// time GitHub always sends, whose commands are not run.
    pub version: Option<CommentVersion>,
}

/// `merge_group.checks_requested`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeGroupEvent {
    pub repo: RepoName,
    pub installation: Option<InstallationId>,
    pub head_sha: CommitSha,
}

/// A re-run request that names only a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RerunCommitEvent {
    pub repo: RepoName,
    pub installation: Option<InstallationId>,
    pub head_sha: CommitSha,
    /// Which check the re-run was asked on.
    pub kind: CheckKind,
    pub default_branch: Option<String>,
}

/// A push to the repository's default branch, with the paths its commits touched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulesPushEvent {
    pub repo: RepoName,
    pub installation: Option<InstallationId>,
    pub default_branch: String,
    /// Paths added, modified or removed by the pushed commits.
    pub changed: Vec<String>,
    /// False when the payload may not list every commit (GitHub sends at most 2,048): then
    /// any path may have changed.
    pub complete: bool,
}

impl RulesPushEvent {
    /// Commits a push payload lists at most; a push with that many may have more.
    pub const MAX_LISTED_COMMITS: usize = 2048;

    /// True when `path` may have changed in this push.
    pub fn touched(&self, path: &str) -> bool {
        !self.complete || self.changed.iter().any(|c| c == path)
    }
}

impl RerunCommitEvent {
    /// The same re-run for pull request `number` of the commit, to be queued under the PR's key.
    pub fn for_pull(&self, number: PrNumber) -> Reevaluation {
        Reevaluation {
            pr: PrRef {
                repo: self.repo.clone(),
                number,
            },
            installation: self.installation,
            head_sha: Some(self.head_sha.clone()),
            default_branch: self.default_branch.clone(),
            cause: ReevaluationCause::CheckRerun(self.kind),
        }
    }
}

/// Why a payload could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PayloadError {
    #[error("payload is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("payload lacks {0}")]
    Missing(&'static str),
    #[error("queued work of version {0}, which this release cannot read")]
    UnknownVersion(u32),
}

impl Event {
    /// Reads a payload of the given `X-GitHub-Event` type.
    pub fn parse(event: &str, payload: &[u8]) -> Result<Self, PayloadError> {
        Ok(Self::parse_with_action(event, payload)?.0)
    }

    /// Like [`Event::parse`], also returning the payload's `action` (stored with the delivery).
    pub fn parse_with_action(
        event: &str,
        payload: &[u8],
    ) -> Result<(Self, Option<String>), PayloadError> {
        payloads::parse(event, payload)
    }

    /// Reads a stored delivery: a GitHub payload of type `event`, or work the bot queued for
    /// itself ([`internal::EVENT`], which GitHub never sends, so intake ignores it).
    pub fn decode_stored(event: &str, payload: &[u8]) -> Result<Self, PayloadError> {
        if event == internal::EVENT {
            let work = Reevaluation::decode(payload)?;
            return Ok(Event::Evaluate(Box::new(work.into_event())));
        }
        Self::parse(event, payload)
    }

    /// The repository this event concerns.
    pub fn repo(&self) -> Option<&RepoName> {
        match self {
            Event::Evaluate(e) => Some(&e.pr.repo),
            Event::Comment(c) => Some(&c.pr.repo),
            Event::MergeGroup(m) => Some(&m.repo),
            Event::RerunCommit(r) => Some(&r.repo),
            Event::RulesPush(p) => Some(&p.repo),
            Event::Ping | Event::Ignored(_) => None,
        }
    }

    /// The pull request this event concerns; the queue serialises work per PR.
    pub fn pr(&self) -> Option<&PrRef> {
        match self {
            Event::Evaluate(e) => Some(&e.pr),
            Event::Comment(c) => Some(&c.pr),
            _ => None,
        }
    }

    /// True when handling only the newest of several pending events of the PR is enough.
    pub fn coalescable(&self) -> bool {
        matches!(self, Event::Evaluate(_))
    }

    pub fn installation(&self) -> Option<InstallationId> {
        match self {
            Event::Evaluate(e) => e.installation,
            Event::Comment(c) => c.installation,
            Event::MergeGroup(m) => m.installation,
            Event::RerunCommit(r) => r.installation,
            Event::RulesPush(p) => p.installation,
            Event::Ping | Event::Ignored(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::CommentSource;

    fn pr_payload(action: &str) -> String {
        format!(
            r#"{{"action":"{action}","number":7,"installation":{{"id":42}},
            "repository":{{"full_name":"acme/widgets"}},"sender":{{"login":"alice","type":"User"}},
            "pull_request":{{"number":7,"head":{{"sha":"abc123"}},"user":{{"login":"alice"}}}}}}"#
        )
    }

    #[test]
    fn pull_request_actions() {
        let event = Event::parse("pull_request", pr_payload("synchronize").as_bytes()).unwrap();
        let Event::Evaluate(e) = &event else {
            panic!("{event:?}")
        };
        assert_eq!(e.pr.queue_key(), "acme/widgets#7");
        assert_eq!(e.installation, Some(InstallationId(42)));
        assert_eq!(e.head_sha, Some(CommitSha("abc123".into())));
        assert_eq!(
            e.reason,
            EvaluateReason::PullRequest(PullRequestAction::Synchronize)
        );
        assert!(event.coalescable());
        assert!(matches!(
            Event::parse("pull_request", pr_payload("labeled").as_bytes()).unwrap(),
            Event::Ignored(_)
        ));
        // A title edit changes nothing; a base change does.
        assert!(matches!(
            Event::parse("pull_request", pr_payload("edited").as_bytes()).unwrap(),
            Event::Ignored(_)
        ));
        let base_change =
            pr_payload("edited").replacen('{', r#"{"changes":{"base":{"ref":{"from":"dev"}}},"#, 1);
        assert!(matches!(
            Event::parse("pull_request", base_change.as_bytes()).unwrap(),
            Event::Evaluate(_)
        ));
    }

    #[test]
    fn comments_on_prs_only_and_never_from_bots() {
        let comment = |issue_pr: &str, user_type: &str, action: &str| {
            format!(
                r#"{{"action":"{action}","repository":{{"full_name":"acme/widgets"}},
                "issue":{{"number":3{issue_pr}}},
                "comment":{{"id":99,"body":"/design-review check","user":{{"login":"bob","type":"{user_type}"}},
                "created_at":"2026-11-21T12:00:00Z","updated_at":"2026-11-21T12:00:00Z"}}}}"#
            )
        };
        let pr = r#","pull_request":{"url":"x"}"#;
        let event =
            Event::parse("issue_comment", comment(pr, "User", "created").as_bytes()).unwrap();
        let Event::Comment(c) = &event else {
            panic!("{event:?}")
        };
        assert_eq!((c.comment_id, c.author.0.as_str()), (Some(99), "bob"));
        assert_eq!(
            c.version,
            Some(CommentVersion {
                source: CommentSource::IssueComment(99),
                updated_at: "2026-11-21T12:00:00Z".parse().unwrap(),
            })
        );
        assert!(!event.coalescable());
        for (issue_pr, kind, action) in [
            ("", "User", "created"),
            (pr, "Bot", "created"),
            (pr, "User", "edited"),
        ] {
            let parsed =
                Event::parse("issue_comment", comment(issue_pr, kind, action).as_bytes()).unwrap();
            assert!(matches!(parsed, Event::Ignored(_)), "{parsed:?}");
        }
    }

    #[test]
    fn bad_payloads_are_errors_not_panics() {
        assert!(matches!(
            Event::parse("pull_request", b"{not json"),
            Err(PayloadError::Json(_))
        ));
        assert!(matches!(
            Event::parse("pull_request", br#"{"action":"opened"}"#),
            Err(PayloadError::Missing(_))
        ));
        assert!(matches!(
            Event::parse("pull_request", b"[]"),
            Err(PayloadError::Json(_))
        ));
        assert!(matches!(
            Event::parse("star", b"{}").unwrap(),
            Event::Ignored(_)
        ));
        assert_eq!(
            Event::parse("ping", br#"{"zen":"x"}"#).unwrap(),
            Event::Ping
        );
    }

    #[test]
    fn check_rerequest_and_merge_group() {
        let rerun = br#"{"action":"rerequested","repository":{"full_name":"acme/widgets"},
            "check_run":{"head_sha":"def","pull_requests":[{"number":5}]}}"#;
        let Event::Evaluate(e) = Event::parse("check_run", rerun).unwrap() else {
            panic!()
        };
        assert_eq!(e.pr.number, PrNumber(5));
        assert_eq!(
            e.reason,
            EvaluateReason::CheckRerequested(CheckKind::CheckRun)
        );
        // A re-run for a PR from a fork names only the commit; the handler queues one
        // evaluation per PR of it, which the workflow reads back as that PR's evaluation.
        for (name, kind) in [
            ("check_run", CheckKind::CheckRun),
            ("check_suite", CheckKind::CheckSuite),
        ] {
            let fork = format!(
                r#"{{"action":"rerequested","installation":{{"id":42}},
                "repository":{{"full_name":"acme/widgets","default_branch":"trunk"}},
                "{name}":{{"head_sha":"def","pull_requests":[]}}}}"#
            );
            let Event::RerunCommit(rerun) = Event::parse(name, fork.as_bytes()).unwrap() else {
                panic!("{name}: not a re-run of a commit")
            };
            assert_eq!(rerun.kind, kind);
            let queued = rerun.for_pull(PrNumber(9)).encode();
            let Event::Evaluate(e) =
                Event::decode_stored(internal::EVENT, queued.as_bytes()).unwrap()
            else {
                panic!("{name}: not an evaluation")
            };
            let expected = EvaluateEvent {
                pr: PrRef {
                    repo: RepoName::new("acme", "widgets"),
                    number: PrNumber(9),
                },
                installation: Some(InstallationId(42)),
                reason: EvaluateReason::Reevaluation(ReevaluationCause::CheckRerun(kind)),
                head_sha: Some(CommitSha("def".into())),
                sender: None,
                default_branch: Some("trunk".into()),
                snapshot: None,
            };
            assert_eq!(*e, expected);
        }
        let group = br#"{"action":"checks_requested","repository":{"full_name":"acme/widgets"},
            "merge_group":{"head_sha":"fff","head_ref":"refs/heads/gh-readonly-queue/main/pr-5"}}"#;
        assert!(matches!(
            Event::parse("merge_group", group).unwrap(),
            Event::MergeGroup(_)
        ));
    }

    #[test]
    fn actions_read_and_print_as_github_spells_them() {
        let pull_request = [
            ("opened", PullRequestAction::Opened),
            ("reopened", PullRequestAction::Reopened),
            ("synchronize", PullRequestAction::Synchronize),
            ("ready_for_review", PullRequestAction::ReadyForReview),
            ("converted_to_draft", PullRequestAction::ConvertedToDraft),
            ("edited", PullRequestAction::Edited),
            ("labeled", PullRequestAction::Other("labeled".into())),
        ];
        for (text, action) in pull_request {
            let read: PullRequestAction = serde_json::from_value(text.into()).unwrap();
            assert_eq!((read.to_string(), read), (text.to_string(), action));
        }
        let others = [
            (
                ReviewAction::Submitted.to_string(),
                CheckAction::Rerequested.to_string(),
                IssueCommentAction::Created.to_string(),
                MergeGroupAction::ChecksRequested.to_string(),
            ),
            (
                ReviewAction::Other("x".into()).to_string(),
                CheckAction::Other("x".into()).to_string(),
                IssueCommentAction::Other("x".into()).to_string(),
                MergeGroupAction::Other("x".into()).to_string(),
            ),
        ];
        assert_eq!(
            others,
            [
                (
                    "submitted".into(),
                    "rerequested".into(),
                    "created".into(),
                    "checks_requested".into()
                ),
                ("x".into(), "x".into(), "x".into(), "x".into()),
            ]
        );
    }

    #[test]
    fn the_action_is_returned_as_sent() {
        for action in ["synchronize", "labeled"] {
            let (_, read) =
                Event::parse_with_action("pull_request", pr_payload(action).as_bytes()).unwrap();
            assert_eq!(read.as_deref(), Some(action));
        }
    }

    /// The payloads an earlier release queued for its own work, dressed up as GitHub's: rows
    /// still in a database are read as the evaluations they stood for.
    #[test]
    fn rows_queued_by_an_earlier_release_still_read() {
        let resync = r#"{"action":"synchronize","installation":{"id":3},"number":7,
            "pull_request":{"head":{"ref":"feature","sha":"abc"},"number":7},
            "repository":{"full_name":"acme/widgets"}}"#;
        let rerun = r#"{"action":"rerequested","check_suite":{"head_sha":"def",
            "pull_requests":[{"number":9}]},"installation":{"id":42},
            "repository":{"default_branch":"trunk","full_name":"acme/widgets"}}"#;
        let read = |event, payload: &str| match Event::decode_stored(event, payload.as_bytes()) {
            Ok(Event::Evaluate(e)) => *e,
            other => panic!("{other:?}"),
        };
        let resync = read("pull_request", resync);
        assert_eq!(
            (resync.pr.to_string(), resync.installation, resync.head_sha),
            (
                "acme/widgets#7".to_string(),
                Some(InstallationId(3)),
                Some(CommitSha("abc".into()))
            )
        );
        assert_eq!(resync.snapshot, None);
        let rerun = read("check_suite", rerun);
        assert_eq!(
            (
                rerun.pr.to_string(),
                rerun.installation,
                rerun.head_sha,
                rerun.default_branch
            ),
            (
                "acme/widgets#9".to_string(),
                Some(InstallationId(42)),
                Some(CommitSha("def".into())),
                Some("trunk".to_string())
            )
        );
    }

    #[test]
    fn github_cannot_send_the_bots_own_work() {
        let work = br#"{"version":1,"evaluate":{"repo":"acme/widgets","number":9,"installation":42,"head_sha":"def","default_branch":null,"cause":"resync"}}"#;
        assert!(matches!(
            Event::parse(internal::EVENT, work).unwrap(),
            Event::Ignored(why) if why.contains("event not handled")
        ));
        assert!(matches!(
            Event::decode_stored(internal::EVENT, work).unwrap(),
            Event::Evaluate(_)
        ));
    }

    fn push(git_ref: &str, modified: &[&str], deleted: bool) -> Event {
        let payload = serde_json::json!({
            "ref": git_ref, "deleted": deleted,
            "repository": { "full_name": "acme/widgets", "default_branch": "main" },
            "installation": { "id": 42 },
            "commits": [{ "added": [], "removed": [], "modified": modified }],
            "head_commit": { "added": [], "removed": [], "modified": modified },
        });
        Event::parse("push", payload.to_string().as_bytes()).unwrap()
    }

    #[test]
    fn only_pushes_to_the_default_branch_that_may_change_the_rules_count() {
        let Event::RulesPush(rules) =
            push("refs/heads/main", &[".github/design-review.yml"], false)
        else {
            panic!("config push not handled");
        };
        assert_eq!(rules.changed, [".github/design-review.yml"]);
        assert!(rules.touched(".github/design-review.yml"));
        assert!(!rules.touched("docs/templates/rfc.md"));
        assert_eq!(rules.installation, Some(InstallationId(42)));
        // A Markdown file may be a template: the handler reads the config to know.
        assert!(matches!(
            push("refs/heads/main", &["docs/templates/rfc.md"], false),
            Event::RulesPush(_)
        ));
        for ignored in [
            push("refs/heads/main", &["src/lib.rs"], false),
            push("refs/heads/feature", &[".github/design-review.yml"], false),
            push("refs/tags/v1", &[".github/design-review.yml"], false),
            push("refs/heads/main", &[".github/design-review.yml"], true),
        ] {
            assert!(matches!(ignored, Event::Ignored(_)), "{ignored:?}");
        }
    }
}
