//! `merge_group`: a merge queue asks for checks on the head of a merge group.

use serde::Deserialize;

use super::{IdOnly, Origin, Repository, ignored, required, with_action};
use crate::{
    domain::CommitSha,
    webhook::event::{Event, MergeGroupEvent, PayloadError},
};

/// The `action` of a `merge_group` delivery.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, strum::Display)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum MergeGroupAction {
    ChecksRequested,
    /// `destroyed`: nothing left to check.
    #[serde(untagged)]
    #[strum(default)]
    Other(String),
}

#[derive(Debug, Deserialize)]
struct Payload {
    action: Option<MergeGroupAction>,
    installation: Option<IdOnly>,
    repository: Option<Repository>,
    merge_group: Option<MergeGroup>,
}

#[derive(Debug, Deserialize)]
struct MergeGroup {
    head_sha: String,
}

pub(super) fn parse(payload: &[u8]) -> Result<(Event, Option<String>), PayloadError> {
    let payload: Payload = serde_json::from_slice(payload)?;
    let action = &payload.action;
    if action != &Some(MergeGroupAction::ChecksRequested) {
        let event = ignored("merge_group", action, "action not handled");
        return Ok(with_action(event, action));
    }
    let group = required(&payload.merge_group, "merge_group")?;
    let origin = Origin::new(&payload.repository, &payload.installation);
    let event = Event::MergeGroup(MergeGroupEvent {
        repo: origin.repo()?,
        installation: origin.installation,
        head_sha: CommitSha(group.head_sha.clone()),
    });
    Ok(with_action(event, action))
}
