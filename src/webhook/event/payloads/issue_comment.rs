//! `issue_comment`: a comment on an issue or a pull request, which may hold slash-commands.

use serde::Deserialize;

use super::{IdOnly, Origin, Repository, User, ignored, required, with_action};
use crate::{
    domain::{CommentSource, CommentVersion, Login, PrNumber, PrRef},
    webhook::event::{CommentEvent, Event, PayloadError},
};

/// The `action` of an `issue_comment` delivery.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, strum::Display)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum IssueCommentAction {
    Created,
    /// `edited`, `deleted`: only new comments run commands.
    #[serde(untagged)]
    #[strum(default)]
    Other(String),
}

#[derive(Debug, Deserialize)]
struct Payload {
    action: Option<IssueCommentAction>,
    installation: Option<IdOnly>,
    repository: Option<Repository>,
    comment: Option<Comment>,
    issue: Option<Issue>,
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
    /// Present when the issue is a pull request.
    pull_request: Option<serde::de::IgnoredAny>,
}

pub(super) fn parse(payload: &[u8]) -> Result<(Event, Option<String>), PayloadError> {
    let payload: Payload = serde_json::from_slice(payload)?;
    let action = &payload.action;
    let issue = required(&payload.issue, "issue")?;
    let ignore = |why| Ok(with_action(ignored("issue_comment", action, why), action));
    if issue.pull_request.is_none() {
        return ignore("comment on an issue, not a pull request");
    }
    if action != &Some(IssueCommentAction::Created) {
        return ignore("only new comments run commands");
    }
    let comment = required(&payload.comment, "comment")?;
    let user = required(&comment.user, "comment.user")?;
    if user.is_bot() {
        return ignore("comments by bots are never executed");
    }
    let origin = Origin::new(&payload.repository, &payload.installation);
    let event = Event::Comment(CommentEvent {
        pr: PrRef {
            repo: origin.repo()?,
            number: PrNumber(issue.number),
        },
        installation: origin.installation,
        comment_id: Some(comment.id),
        author: Login(user.login.clone()),
        author_is_bot: false,
        body: comment.body.clone().unwrap_or_default(),
        default_branch: origin.default_branch(),
        version: comment.updated_at.map(|updated_at| CommentVersion {
            source: CommentSource::IssueComment(comment.id),
            updated_at,
        }),
    });
    Ok(with_action(event, action))
}
