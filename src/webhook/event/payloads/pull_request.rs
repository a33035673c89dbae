//! `pull_request`: a change to the pull request itself (opened, pushed to, ready for review...).

use serde::Deserialize;

use super::{IdOnly, Origin, Repository, User, ignored, required, with_action};
use crate::{
    domain::{CommitSha, Login, PrNumber, RepoName, TeamSlug},
    github::models::{PullRequest as PullFacts, PullState, RequestedReviewers},
    webhook::event::{EvaluateReason, Event, PayloadError, PullSnapshot},
};

/// The `action` of a `pull_request` delivery.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, strum::Display)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum PullRequestAction {
    Opened,
    Reopened,
    Synchronize,
    ReadyForReview,
    ConvertedToDraft,
    Edited,
    /// An action that cannot change the verdict (`labeled`, `closed`, ...).
    #[serde(untagged)]
    #[strum(default)]
    Other(String),
}

#[derive(Debug, Deserialize)]
struct Payload {
    action: Option<PullRequestAction>,
    installation: Option<IdOnly>,
    repository: Option<Repository>,
    sender: Option<User>,
    pull_request: Option<PullRequest>,
    /// What an `edited` action changed: only a change of base branch matters.
    changes: Option<serde_json::Value>,
}

/// A pull request as payloads describe it (`pull_request` and `pull_request_review`).
#[derive(Debug, Deserialize)]
pub(super) struct PullRequest {
    pub(super) number: u64,
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

pub(super) fn parse(payload: &[u8]) -> Result<(Event, Option<String>), PayloadError> {
    let payload: Payload = serde_json::from_slice(payload)?;
    let pr = required(&payload.pull_request, "pull_request")?;
    let action = &payload.action;
    let event = match action {
        Some(
            action @ (PullRequestAction::Opened
            | PullRequestAction::Reopened
            | PullRequestAction::Synchronize
            | PullRequestAction::ReadyForReview
            | PullRequestAction::ConvertedToDraft),
        ) => evaluate(&payload, pr, action)?,
        // Only a change of base branch can change the verdict of an edit.
        Some(action @ PullRequestAction::Edited)
            if payload
                .changes
                .as_ref()
                .is_some_and(|c| c.get("base").is_some()) =>
        {
            evaluate(&payload, pr, action)?
        }
        _ => ignored("pull_request", action, "action not handled"),
    };
    Ok(with_action(event, action))
}

fn evaluate(
    payload: &Payload,
    pr: &PullRequest,
    action: &PullRequestAction,
) -> Result<Event, PayloadError> {
    let origin = Origin::new(&payload.repository, &payload.installation);
    let reason = EvaluateReason::PullRequest(action.clone());
    pr.evaluate(&origin, payload.sender.as_ref(), reason)
}

impl PullRequest {
    /// An evaluation of this pull request, with the payload's view of it.
    pub(super) fn evaluate(
        &self,
        origin: &Origin<'_>,
        sender: Option<&User>,
        reason: EvaluateReason,
    ) -> Result<Event, PayloadError> {
        let head = self.head.as_ref().map(|h| h.sha.as_str());
        let mut event = origin.evaluate(self.number, head, sender, reason)?;
        event.snapshot = self.snapshot(&event.pr.repo);
        Ok(Event::Evaluate(Box::new(event)))
    }

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
