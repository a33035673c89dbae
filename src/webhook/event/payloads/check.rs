//! `check_run` and `check_suite`: someone pressed "Re-run" on our check.

use serde::{Deserialize, Serialize};

use super::{IdOnly, Origin, Repository, User, ignored, with_action};
use crate::{
    domain::CommitSha,
    webhook::event::{EvaluateReason, Event, PayloadError, RerunCommitEvent},
};

/// Which of the two check events a delivery is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::Display)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum CheckKind {
    CheckRun,
    CheckSuite,
}

/// The `action` of a `check_run` or `check_suite` delivery.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, strum::Display)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum CheckAction {
    Rerequested,
    /// `created`, `completed`, ...: our own doing, or another App's.
    #[serde(untagged)]
    #[strum(default)]
    Other(String),
}

#[derive(Debug, Deserialize)]
struct Payload {
    action: Option<CheckAction>,
    installation: Option<IdOnly>,
    repository: Option<Repository>,
    sender: Option<User>,
    check_run: Option<Check>,
    check_suite: Option<Check>,
}

/// The check run or suite: the commit it is about and the pull requests GitHub attached.
#[derive(Debug, Deserialize)]
struct Check {
    head_sha: Option<String>,
    #[serde(default)]
    pull_requests: Vec<PullRef>,
}

#[derive(Debug, Deserialize)]
struct PullRef {
    number: u64,
}

pub(super) fn parse(
    kind: CheckKind,
    payload: &[u8],
) -> Result<(Event, Option<String>), PayloadError> {
    let payload: Payload = serde_json::from_slice(payload)?;
    let action = &payload.action;
    let name = kind.to_string();
    if action != &Some(CheckAction::Rerequested) {
        return Ok(with_action(
            ignored(&name, action, "action not handled"),
            action,
        ));
    }
    let check = match kind {
        CheckKind::CheckRun => payload.check_run.as_ref(),
        CheckKind::CheckSuite => payload.check_suite.as_ref(),
    };
    let check = check.ok_or(PayloadError::Missing("check_run/check_suite"))?;
    let origin = Origin::new(&payload.repository, &payload.installation);
    let event = match (check.pull_requests.first(), &check.head_sha) {
        (Some(pr), head) => {
            let reason = EvaluateReason::CheckRerequested(kind);
            let sender = payload.sender.as_ref();
            let event = origin.evaluate(pr.number, head.as_deref(), sender, reason)?;
            Event::Evaluate(Box::new(event))
        }
        (None, Some(sha)) => Event::RerunCommit(RerunCommitEvent {
            repo: origin.repo()?,
            installation: origin.installation,
            head_sha: CommitSha(sha.clone()),
            kind,
            default_branch: origin.default_branch(),
        }),
        (None, None) => ignored(&name, action, "no pull request or commit attached"),
    };
    Ok(with_action(event, action))
}
