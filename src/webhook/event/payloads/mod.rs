//! One parser per GitHub event. Each reads its payload into a typed value, with the action as an
//! enum, and says what the bot does about it (an [`Event`]); the parts every payload shares
//! (repository, installation, sender) are read by the types here.
//!
//! Only the fields the bot needs are read (unknown fields are ignored), so payloads from newer
//! GitHub versions or GitHub Enterprise Server keep parsing. An action the bot does not know
//! parses as the `Other` variant of its enum and is acknowledged and dropped.

mod check;
mod issue_comment;
mod merge_group;
mod pull_request;
mod pull_request_review;
mod push;

use std::fmt::Display;

use serde::Deserialize;

pub use check::{CheckAction, CheckKind};
pub use issue_comment::IssueCommentAction;
pub use merge_group::MergeGroupAction;
pub use pull_request::PullRequestAction;
pub use pull_request_review::ReviewAction;

use super::{EvaluateEvent, EvaluateReason, Event, PayloadError};
use crate::domain::{CommitSha, InstallationId, Login, PrNumber, PrRef, RepoName};

/// Reads the payload of an `X-GitHub-Event` type with its own parser, returning the event and the
/// payload's action as GitHub spells it (stored with the delivery).
pub(super) fn parse(event: &str, payload: &[u8]) -> Result<(Event, Option<String>), PayloadError> {
    match event {
        "ping" => Ok((Event::Ping, untyped_action(payload)?)),
        "pull_request" => pull_request::parse(payload),
        "pull_request_review" => pull_request_review::parse(payload),
        "issue_comment" => issue_comment::parse(payload),
        "check_run" => check::parse(CheckKind::CheckRun, payload),
        "check_suite" => check::parse(CheckKind::CheckSuite, payload),
        "merge_group" => merge_group::parse(payload),
        "push" => push::parse(payload),
        _ => {
            let action = untyped_action(payload)?;
            let why = ignored(event, &action, "event not handled");
            Ok((why, action))
        }
    }
}

/// A part of the payload the event cannot be handled without, named in the error when absent.
fn required<'a, T>(part: &'a Option<T>, name: &'static str) -> Result<&'a T, PayloadError> {
    part.as_ref().ok_or(PayloadError::Missing(name))
}

/// The action of a payload no parser of ours reads (it must still be a JSON object).
fn untyped_action(payload: &[u8]) -> Result<Option<String>, PayloadError> {
    #[derive(Deserialize)]
    struct Untyped {
        action: Option<String>,
    }
    Ok(serde_json::from_slice::<Untyped>(payload)?.action)
}

/// An event or action the bot does not act on, with the reason in the log line.
fn ignored<A: Display>(event: &str, action: &Option<A>, why: &str) -> Event {
    let action = action.as_ref().map(ToString::to_string).unwrap_or_default();
    Event::Ignored(format!("{event}.{action}: {why}"))
}

/// The event and the action as GitHub spells it.
fn with_action<A: Display>(event: Event, action: &Option<A>) -> (Event, Option<String>) {
    (event, action.as_ref().map(ToString::to_string))
}

/// `installation`: which installation of the App the delivery is for.
#[derive(Debug, Deserialize)]
struct IdOnly {
    id: u64,
}

/// `repository`.
#[derive(Debug, Deserialize)]
struct Repository {
    full_name: String,
    default_branch: Option<String>,
}

/// A GitHub account (`sender`, the author of a comment or review).
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

/// Where a delivery comes from: the parts every payload of a repository event carries.
struct Origin<'a> {
    repository: Option<&'a Repository>,
    installation: Option<InstallationId>,
}

impl<'a> Origin<'a> {
    fn new(repository: &'a Option<Repository>, installation: &Option<IdOnly>) -> Self {
        Self {
            repository: repository.as_ref(),
            installation: installation.as_ref().map(|i| InstallationId(i.id)),
        }
    }

    fn repo(&self) -> Result<RepoName, PayloadError> {
        self.repository
            .and_then(|r| RepoName::parse(&r.full_name))
            .ok_or(PayloadError::Missing("repository.full_name"))
    }

    fn default_branch(&self) -> Option<String> {
        self.repository.and_then(|r| r.default_branch.clone())
    }

    /// An evaluation of pull request `number`, without the payload's view of the PR (the
    /// caller adds it when the payload has one).
    fn evaluate(
        &self,
        number: u64,
        head_sha: Option<&str>,
        sender: Option<&User>,
        reason: EvaluateReason,
    ) -> Result<EvaluateEvent, PayloadError> {
        Ok(EvaluateEvent {
            pr: PrRef {
                repo: self.repo()?,
                number: PrNumber(number),
            },
            installation: self.installation,
            reason,
            head_sha: head_sha.map(|sha| CommitSha(sha.to_string())),
            sender: sender.map(|u| Login(u.login.clone())),
            default_branch: self.default_branch(),
            snapshot: None,
        })
    }
}
