//! `pull_request_review`: a review was submitted, edited or dismissed. Its body may hold
//! commands; either way the approvals, and so the verdict, may have changed.

use serde::Deserialize;

use super::{
    IdOnly, Origin, Repository, User, ignored, pull_request::PullRequest, required, with_action,
};
use crate::{
    domain::{CommentSource, CommentVersion, Login, PrNumber, PrRef},
    webhook::event::{CommentEvent, EvaluateReason, Event, PayloadError},
};

/// The `action` of a `pull_request_review` delivery.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, strum::Display)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ReviewAction {
    Submitted,
    Edited,
    Dismissed,
    /// An action the bot does not act on.
    #[serde(untagged)]
    #[strum(default)]
    Other(String),
}

#[derive(Debug, Deserialize)]
struct Payload {
    action: Option<ReviewAction>,
    installation: Option<IdOnly>,
    repository: Option<Repository>,
    sender: Option<User>,
    pull_request: Option<PullRequest>,
    review: Option<Review>,
}

#[derive(Debug, Deserialize)]
struct Review {
    id: Option<u64>,
    body: Option<String>,
    user: Option<User>,
    submitted_at: Option<chrono::DateTime<chrono::Utc>>,
}

pub(super) fn parse(payload: &[u8]) -> Result<(Event, Option<String>), PayloadError> {
    let payload: Payload = serde_json::from_slice(payload)?;
    let pr = required(&payload.pull_request, "pull_request")?;
    let action = &payload.action;
    let event = match action {
        Some(ReviewAction::Submitted) if has_commands(&payload) => comment(&payload, pr)?,
        Some(
            action @ (ReviewAction::Submitted | ReviewAction::Edited | ReviewAction::Dismissed),
        ) => evaluate(&payload, pr, action)?,
        _ => ignored("pull_request_review", action, "action not handled"),
    };
    Ok(with_action(event, action))
}

/// A review body may hold commands; only a freshly submitted one runs them (an edited body
/// never re-runs commands).
fn has_commands(payload: &Payload) -> bool {
    payload.review.as_ref().is_some_and(|r| {
        r.user.is_some() && r.body.as_deref().is_some_and(|b| !b.trim().is_empty())
    })
}

fn comment(payload: &Payload, pr: &PullRequest) -> Result<Event, PayloadError> {
    let origin = Origin::new(&payload.repository, &payload.installation);
    let review = required(&payload.review, "review")?;
    let user = required(&review.user, "review.user")?;
    Ok(Event::Comment(CommentEvent {
        pr: PrRef {
            repo: origin.repo()?,
            number: PrNumber(pr.number),
        },
        installation: origin.installation,
        comment_id: None,
        author: Login(user.login.clone()),
        author_is_bot: user.is_bot(),
        body: review.body.clone().unwrap_or_default(),
        default_branch: origin.default_branch(),
        version: review
            .id
            .zip(review.submitted_at)
            .map(|(id, updated_at)| CommentVersion {
                source: CommentSource::Review(id),
                updated_at,
            }),
    }))
}

fn evaluate(
    payload: &Payload,
    pr: &PullRequest,
    action: &ReviewAction,
) -> Result<Event, PayloadError> {
    let origin = Origin::new(&payload.repository, &payload.installation);
    let reason = EvaluateReason::Review(action.clone());
    pr.evaluate(&origin, payload.sender.as_ref(), reason)
}
