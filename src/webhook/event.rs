//! GitHub webhook payloads converted once into our own small event types.
//!
//! Only the fields the bot needs are read (unknown fields are ignored), so payloads from newer
//! GitHub versions or GitHub Enterprise Server keep parsing. Everything after intake works with
//! [`Event`], never with raw JSON.

use serde::Deserialize;

use crate::{
    domain::{
        CommentSource, CommentVersion, CommitSha, InstallationId, Login, PrNumber, PrRef, RepoName,
        TeamSlug,
    },
    github::models::{PullRequest as PullFacts, PullState, RequestedReviewers},
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
    /// `pull_request.synchronize`, `check_run.rerequested`, ...
    pub reason: String,
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
    /// `check_run` or `check_suite`.
    pub event: String,
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
    /// The payload of the same re-run naming pull request `number`: it parses as an
    /// [`Event::Evaluate`] of that PR (reason `check_run.rerequested` or
    /// `check_suite.rerequested`), to be queued under the PR's key.
    pub fn for_pull(&self, number: PrNumber) -> String {
        let mut repository = serde_json::json!({ "full_name": self.repo.to_string() });
        if let Some(branch) = &self.default_branch {
            repository["default_branch"] = serde_json::json!(branch);
        }
        let mut payload = serde_json::json!({
            "action": "rerequested",
            "repository": repository,
        });
        payload[self.event.as_str()] = serde_json::json!({
            "head_sha": self.head_sha.0,
            "pull_requests": [{ "number": number.0 }],
        });
        if let Some(installation) = self.installation {
            payload["installation"] = serde_json::json!({ "id": installation.0 });
        }
        payload.to_string()
    }
}

/// Why a payload could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PayloadError {
    #[error("payload is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("payload lacks {0}")]
    Missing(&'static str),
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
        let envelope: Envelope = serde_json::from_slice(payload)?;
        let action = envelope.action.clone();
        Ok((envelope.into_event(event)?, action))
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

#[derive(Debug, Deserialize)]
struct Envelope {
    action: Option<String>,
    installation: Option<IdOnly>,
    repository: Option<Repository>,
    sender: Option<User>,
    pull_request: Option<PullRequest>,
    review: Option<Review>,
    comment: Option<Comment>,
    issue: Option<Issue>,
    check_run: Option<CheckHolder>,
    check_suite: Option<CheckHolder>,
    merge_group: Option<MergeGroup>,
    changes: Option<serde_json::Value>,
    /// `push`: the ref pushed to, and the pushed commits.
    #[serde(rename = "ref")]
    git_ref: Option<String>,
    commits: Option<Vec<PushCommit>>,
    head_commit: Option<PushCommit>,
    #[serde(default)]
    deleted: bool,
}

#[derive(Debug, Deserialize)]
struct PushCommit {
    #[serde(default)]
    added: Vec<String>,
    #[serde(default)]
    modified: Vec<String>,
    #[serde(default)]
    removed: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct IdOnly {
    id: u64,
}

#[derive(Debug, Deserialize)]
struct Repository {
    full_name: String,
    default_branch: Option<String>,
}

#[derive(Debug, Deserialize)]
struct User {
    login: String,
    #[serde(rename = "type")]
    kind: Option<String>,
}

impl User {
    fn is_bot(&self) -> bool {
        self.kind.as_deref() == Some("Bot") || self.login.ends_with("[bot]")
    }
}

#[derive(Debug, Deserialize)]
struct PullRequest {
    number: u64,
    head: Option<Branch>,
    base: Option<Branch>,
    user: Option<User>,
    title: Option<String>,
    #[serde(default)]
    draft: bool,
    state: Option<String>,
    html_url: Option<String>,
    requested_reviewers: Option<Vec<User>>,
    requested_teams: Option<Vec<TeamRef>>,
}

#[derive(Debug, Deserialize)]
struct Branch {
    sha: String,
    #[serde(rename = "ref")]
    name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct TeamRef {
    slug: String,
}

impl PullRequest {
    /// The full picture, when the payload carries everything the workflow needs.
    fn snapshot(&self, repo: &RepoName) -> Option<PullSnapshot> {
        let head = self.head.as_ref()?;
        let base = self.base.as_ref()?;
        let pull = PullFacts {
            number: PrNumber(self.number),
            title: self.title.clone().unwrap_or_default(),
            head_sha: CommitSha(head.sha.clone()),
            head_ref: head.name.clone().unwrap_or_default(),
            base_ref: base.name.clone()?,
            author: Login(self.user.as_ref()?.login.clone()),
            draft: self.draft,
            state: match self.state.as_deref()? {
                "open" => PullState::Open,
                _ => PullState::Closed,
            },
            html_url: self.html_url.clone().unwrap_or_default(),
        };
        let requested = RequestedReviewers {
            users: self
                .requested_reviewers
                .as_ref()?
                .iter()
                .map(|u| Login(u.login.clone()))
                .collect(),
            teams: self
                .requested_teams
                .as_ref()?
                .iter()
                .map(|t| TeamSlug {
                    org: repo.owner.clone(),
                    slug: t.slug.clone(),
                })
                .collect(),
        };
        Some(PullSnapshot { pull, requested })
    }
}

#[derive(Debug, Deserialize)]
struct Review {
    id: Option<u64>,
    body: Option<String>,
    user: Option<User>,
    submitted_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Deserialize)]
struct Comment {
    id: u64,
    body: Option<String>,
    user: Option<User>,
    updated_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Deserialize)]
struct Issue {
    number: u64,
    pull_request: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct CheckHolder {
    head_sha: Option<String>,
    #[serde(default)]
    pull_requests: Vec<PullRef>,
}

#[derive(Debug, Deserialize)]
struct PullRef {
    number: u64,
}

#[derive(Debug, Deserialize)]
struct MergeGroup {
    head_sha: String,
}

impl Envelope {
    fn into_event(self, event: &str) -> Result<Event, PayloadError> {
        if event == "ping" {
            return Ok(Event::Ping);
        }
        let action = self.action.clone().unwrap_or_default();
        let installation = self.installation.as_ref().map(|i| InstallationId(i.id));
        let sender = self.sender.as_ref().map(|u| Login(u.login.clone()));
        let default_branch = self
            .repository
            .as_ref()
            .and_then(|r| r.default_branch.clone());
        let ignored = |why: &str| Ok(Event::Ignored(format!("{event}.{action}: {why}")));
        let repo = || -> Result<RepoName, PayloadError> {
            self.repository
                .as_ref()
                .and_then(|r| RepoName::parse(&r.full_name))
                .ok_or(PayloadError::Missing("repository.full_name"))
        };
        let evaluate = |number: u64, head_sha: Option<String>| -> Result<Event, PayloadError> {
            let repo = repo()?;
            let snapshot = self
                .pull_request
                .as_ref()
                .filter(|pr| pr.number == number)
                .and_then(|pr| pr.snapshot(&repo));
            Ok(Event::Evaluate(Box::new(EvaluateEvent {
                pr: PrRef {
                    repo,
                    number: PrNumber(number),
                },
                installation,
                reason: format!("{event}.{action}"),
                head_sha: head_sha.map(CommitSha),
                sender: sender.clone(),
                default_branch: default_branch.clone(),
                snapshot,
            })))
        };
        match event {
            "pull_request" => {
                let pr = self
                    .pull_request
                    .as_ref()
                    .ok_or(PayloadError::Missing("pull_request"))?;
                let head = pr.head.as_ref().map(|h| h.sha.clone());
                match action.as_str() {
                    "opened" | "reopened" | "synchronize" | "ready_for_review"
                    | "converted_to_draft" => evaluate(pr.number, head),
                    // Only a change of base branch can change the verdict of an edit.
                    "edited"
                        if self
                            .changes
                            .as_ref()
                            .is_some_and(|c| c.get("base").is_some()) =>
                    {
                        evaluate(pr.number, head)
                    }
                    _ => ignored("action not handled"),
                }
            }
            "pull_request_review" => {
                let pr = self
                    .pull_request
                    .as_ref()
                    .ok_or(PayloadError::Missing("pull_request"))?;
                match action.as_str() {
                    "submitted" | "dismissed" | "edited" => {}
                    _ => return ignored("action not handled"),
                }
                let review = self.review.as_ref();
                let body = review.and_then(|r| r.body.clone()).unwrap_or_default();
                // A review body may hold commands; only a freshly submitted one runs them
                // (an edited body never re-runs commands).
                if action == "submitted"
                    && !body.trim().is_empty()
                    && let Some(user) = review.and_then(|r| r.user.as_ref())
                {
                    return Ok(Event::Comment(CommentEvent {
                        pr: PrRef {
                            repo: repo()?,
                            number: PrNumber(pr.number),
                        },
                        installation,
                        comment_id: None,
                        author: Login(user.login.clone()),
                        author_is_bot: user.is_bot(),
                        body,
                        default_branch: default_branch.clone(),
                        version: review.and_then(|r| {
                            Some(CommentVersion {
                                source: CommentSource::Review(r.id?),
                                updated_at: r.submitted_at?,
                            })
                        }),
                    }));
                }
                evaluate(pr.number, pr.head.as_ref().map(|h| h.sha.clone()))
            }
            "issue_comment" => {
                let issue = self.issue.as_ref().ok_or(PayloadError::Missing("issue"))?;
                if issue.pull_request.is_none() {
                    return ignored("comment on an issue, not a pull request");
                }
                if action != "created" {
                    return ignored("only new comments run commands");
                }
                let comment = self
                    .comment
                    .as_ref()
                    .ok_or(PayloadError::Missing("comment"))?;
                let user = comment
                    .user
                    .as_ref()
                    .ok_or(PayloadError::Missing("comment.user"))?;
                if user.is_bot() {
                    return ignored("comments by bots are never executed");
                }
                Ok(Event::Comment(CommentEvent {
                    pr: PrRef {
                        repo: repo()?,
                        number: PrNumber(issue.number),
                    },
                    installation,
                    comment_id: Some(comment.id),
                    author: Login(user.login.clone()),
                    author_is_bot: false,
                    body: comment.body.clone().unwrap_or_default(),
                    default_branch: default_branch.clone(),
                    version: comment.updated_at.map(|updated_at| CommentVersion {
                        source: CommentSource::IssueComment(comment.id),
                        updated_at,
                    }),
                }))
            }
            "check_run" | "check_suite" => {
                if action != "rerequested" {
                    return ignored("action not handled");
                }
                let holder = if event == "check_run" {
                    self.check_run.as_ref()
                } else {
                    self.check_suite.as_ref()
                };
                let holder = holder.ok_or(PayloadError::Missing("check_run/check_suite"))?;
                match (holder.pull_requests.first(), &holder.head_sha) {
                    (Some(pr), _) => evaluate(pr.number, holder.head_sha.clone()),
                    (None, Some(sha)) => Ok(Event::RerunCommit(RerunCommitEvent {
                        repo: repo()?,
                        installation,
                        head_sha: CommitSha(sha.clone()),
                        event: event.to_string(),
                        default_branch: default_branch.clone(),
                    })),
                    (None, None) => ignored("no pull request or commit attached"),
                }
            }
            "merge_group" => {
                if action != "checks_requested" {
                    return ignored("action not handled");
                }
                let group = self
                    .merge_group
                    .as_ref()
                    .ok_or(PayloadError::Missing("merge_group"))?;
                Ok(Event::MergeGroup(MergeGroupEvent {
                    repo: repo()?,
                    installation,
                    head_sha: CommitSha(group.head_sha.clone()),
                }))
            }
            "push" => {
                let Some(branch) = default_branch.as_deref() else {
                    return ignored("no default branch in the payload");
                };
                if self.git_ref.as_deref() != Some(&format!("refs/heads/{branch}")) || self.deleted
                {
                    return ignored("not a push to the default branch");
                }
                let commits = self.commits.as_deref().unwrap_or_default();
                let mut changed: Vec<String> = commits
                    .iter()
                    .chain(self.head_commit.as_ref())
                    .flat_map(|c| c.added.iter().chain(&c.modified).chain(&c.removed))
                    .cloned()
                    .collect();
                changed.sort_unstable();
                changed.dedup();
                let complete = commits.len() < RulesPushEvent::MAX_LISTED_COMMITS;
                // The rules are the config file and templates, which are Markdown files.
                let may_change_rules = !complete
                    || changed.iter().any(|path| {
                        path == crate::config::repo::CONFIG_PATH
                            || path.ends_with(".md")
                            || path.ends_with(".markdown")
                    });
                if !may_change_rules {
                    return ignored("the push changes neither the configuration nor a template");
                }
                Ok(Event::RulesPush(RulesPushEvent {
                    repo: repo()?,
                    installation,
                    default_branch: branch.to_string(),
                    changed,
                    complete,
                }))
            }
            _ => ignored("event not handled"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        // A re-run for a PR from a fork names only the commit; the handler queues one
        // evaluation per PR of it, each parsing as that PR's evaluation.
        for event in ["check_run", "check_suite"] {
            let fork = format!(
                r#"{{"action":"rerequested","installation":{{"id":42}},
                "repository":{{"full_name":"acme/widgets","default_branch":"trunk"}},
                "{event}":{{"head_sha":"def","pull_requests":[]}}}}"#
            );
            let Event::RerunCommit(rerun) = Event::parse(event, fork.as_bytes()).unwrap() else {
                panic!("{event}: not a re-run of a commit")
            };
            let queued = Event::parse(event, rerun.for_pull(PrNumber(9)).as_bytes()).unwrap();
            assert_eq!(
                queued.pr().map(PrRef::queue_key).as_deref(),
                Some("acme/widgets#9")
            );
            let Event::Evaluate(e) = queued else {
                panic!("{event}: not an evaluation")
            };
            assert_eq!(e.reason, format!("{event}.rerequested"));
            assert_eq!(e.head_sha, Some(CommitSha("def".into())));
            assert_eq!(e.installation, Some(InstallationId(42)));
            assert_eq!(e.default_branch.as_deref(), Some("trunk"));
        }
        let group = br#"{"action":"checks_requested","repository":{"full_name":"acme/widgets"},
            "merge_group":{"head_sha":"fff","head_ref":"refs/heads/gh-readonly-queue/main/pr-5"}}"#;
        assert!(matches!(
            Event::parse("merge_group", group).unwrap(),
            Event::MergeGroup(_)
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
