//! `push`: commits pushed to a branch. Only a push to the default branch that may change the
//! rules (the configuration file or a template) matters.

use serde::Deserialize;

use super::{IdOnly, Origin, Repository};
use crate::webhook::event::{Event, PayloadError, RulesPushEvent};

#[derive(Debug, Deserialize)]
struct Payload {
    installation: Option<IdOnly>,
    repository: Option<Repository>,
    /// The ref pushed to.
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

/// A push has no action.
pub(super) fn parse(payload: &[u8]) -> Result<(Event, Option<String>), PayloadError> {
    let payload: Payload = serde_json::from_slice(payload)?;
    Ok((rules_push(&payload)?, None))
}

fn rules_push(payload: &Payload) -> Result<Event, PayloadError> {
    let ignored = |why: &str| Ok(Event::Ignored(format!("push.: {why}")));
    let origin = Origin::new(&payload.repository, &payload.installation);
    let Some(branch) = origin.default_branch() else {
        return ignored("no default branch in the payload");
    };
    if payload.git_ref.as_deref() != Some(&format!("refs/heads/{branch}")) || payload.deleted {
        return ignored("not a push to the default branch");
    }
    let commits = payload.commits.as_deref().unwrap_or_default();
    let mut changed: Vec<String> = commits
        .iter()
        .chain(payload.head_commit.as_ref())
        .flat_map(|c| c.added.iter().chain(&c.modified).chain(&c.removed))
        .cloned()
        .collect();
    changed.sort_unstable();
    changed.dedup();
    let complete = commits.len() < RulesPushEvent::MAX_LISTED_COMMITS;
    if complete && !changed.iter().any(|path| may_hold_rules(path)) {
        return ignored("the push changes neither the configuration nor a template");
    }
    Ok(Event::RulesPush(RulesPushEvent {
        repo: origin.repo()?,
        installation: origin.installation,
        default_branch: branch,
        changed,
        complete,
    }))
}

/// The rules are the config file and templates, which are Markdown files.
fn may_hold_rules(path: &str) -> bool {
    path == crate::config::repo::CONFIG_PATH || path.ends_with(".md") || path.ends_with(".markdown")
}
