//! Publishing an evaluation: the check run (one per head SHA, updated in place) and the sticky
//! comment (one per PR, edited in place). Unchanged content is not sent again, so a
//! re-evaluation that changes nothing makes no write and notifies no one.

use sha2::{Digest, Sha256};

use crate::{
    domain::{CommitSha, PrRef},
    github::{
        GithubError, InstallationClient,
        models::{
            CheckConclusion, CheckRunId, CheckRunOutput, CheckRunSpec, CheckStatus, Comment,
            CommentId,
        },
    },
    store::PrState,
};

use super::{comment::MARKER, evaluation::Conclusion};

/// Creates or updates the check run of `head`, recording its id and content hash in `state`.
/// With `maybe_published` (a retried delivery), a run of ours on `head` that `state` does not
/// know is looked for first and updated, instead of creating a second one.
///
/// GitHub adds the annotations of every update to those already on the run and cannot take
/// any back, so annotations are sent once per run: an update that keeps the same annotations
/// sends none, and different annotations on the same head get a fresh run (which replaces the
/// old one as the check of that name) rather than piling up on the old one.
///
/// `details_url` is where GitHub's *Details* link leads (the run's details page).
#[allow(clippy::too_many_arguments)]
pub async fn check_run(
    client: &InstallationClient,
    pr: &PrRef,
    state: &mut PrState,
    name: &str,
    head: &CommitSha,
    conclusion: Conclusion,
    output: CheckRunOutput,
    maybe_published: bool,
    details_url: Option<String>,
) -> Result<(), GithubError> {
    let (status, github_conclusion) = match conclusion {
        Conclusion::Success => (CheckStatus::Completed, Some(CheckConclusion::Success)),
        Conclusion::Failure => (CheckStatus::Completed, Some(CheckConclusion::Failure)),
        Conclusion::WaitingForApprovals => (CheckStatus::InProgress, None),
    };
    let status_key = if status == CheckStatus::Completed {
        "completed"
    } else {
        "in_progress"
    };
    let annotations = serde_json::to_string(&output.annotations).unwrap_or_default();
    let notes = digest(&[&annotations]);
    let hash = format!(
        "{status_key}:{}:{notes}",
        digest(&[
            name,
            &head.0,
            &format!("{github_conclusion:?}"),
            &output.title,
            &output.summary,
            &annotations,
        ])
    );
    let spec = CheckRunSpec {
        name: name.to_string(),
        head_sha: head.clone(),
        status,
        conclusion: github_conclusion,
        output: Some(output),
        details_url,
        external_id: Some(pr.to_string()),
    };
    let existing = state
        .check_run
        .as_ref()
        .filter(|(sha, _)| sha == &head.0)
        .map(|(_, id)| *id);
    let previous_completed = state
        .check_hash
        .as_deref()
        .is_some_and(|h| h.starts_with("completed:"));
    // The annotations the known run carries (unknown for hashes stored before they were
    // recorded: the run may carry several copies, so it is replaced).
    let same_annotations = state
        .check_hash
        .as_deref()
        .and_then(|h| h.split(':').nth(2))
        == Some(notes.as_str());
    match existing {
        Some(_) if state.check_hash.as_deref() == Some(hash.as_str()) => return Ok(()),
        // A completed run cannot go back to in progress: a new run of the same name replaces it.
        Some(id)
            if same_annotations && !(previous_completed && status == CheckStatus::InProgress) =>
        {
            client
                .update_check_run(&pr.repo, CheckRunId(id as u64), &unsent(&spec, usize::MAX))
                .await?;
        }
        _ => {
            let found = match existing {
                None if maybe_published => lost_run(client, pr, &spec, None).await,
                _ => None,
            };
            let id = match found {
                Some((id, sent)) => {
                    client
                        .update_check_run(&pr.repo, id, &unsent(&spec, sent))
                        .await?;
                    id
                }
                None => match client.create_check_run(&pr.repo, &spec).await {
                    Ok(run) => run.id,
                    // A 5xx or a lost connection may come after GitHub created the run: adopt
                    // it rather than leave two runs of one name on the commit (never the run
                    // being replaced, `existing`: it is not the one this create made).
                    Err(error @ GithubError::Transient(_)) => {
                        let Some((id, sent)) = lost_run(client, pr, &spec, existing).await else {
                            return Err(error);
                        };
                        client
                            .update_check_run(&pr.repo, id, &unsent(&spec, sent))
                            .await?;
                        id
                    }
                    Err(error) => return Err(error),
                },
            };
            state.check_run = Some((head.0.clone(), id.0 as i64));
        }
    }
    state.check_hash = Some(hash);
    Ok(())
}

/// `spec` without the first `sent` of its annotations (those the run already carries).
fn unsent(spec: &CheckRunSpec, sent: usize) -> CheckRunSpec {
    let mut spec = spec.clone();
    if let Some(output) = spec.output.as_mut() {
        output
            .annotations
            .drain(..sent.min(output.annotations.len()));
    }
    spec
}

/// Our newest run of `spec`'s name on its head with the status `spec` asks for (a completed
/// run is never moved back to in progress), if GitHub lists one, with how many annotations it
/// carries. An earlier attempt sent `spec`'s annotations in order, so those are the first of
/// them; a run with more annotations than `spec` has is from another evaluation and is not
/// adopted. Nor is `replacing`, the run a fresh one was being created to replace: its
/// annotations are not `spec`'s, whatever their number.
async fn lost_run(
    client: &InstallationClient,
    pr: &PrRef,
    spec: &CheckRunSpec,
    replacing: Option<i64>,
) -> Option<(CheckRunId, usize)> {
    let runs = client
        .list_check_runs_with_annotation_counts(&pr.repo, &spec.head_sha, &spec.name)
        .await
        .ok()?;
    let (ours, sent) = runs
        .into_iter()
        .find(|(run, _)| run.external_id.as_deref() == spec.external_id.as_deref())?;
    let wanted = spec.output.as_ref().map_or(0, |o| o.annotations.len());
    let replaced = replacing == Some(ours.id.0 as i64);
    (ours.status == spec.status && sent <= wanted && !replaced).then_some((ours.id, sent))
}

/// Our sticky comment on the PR, if there is one: the comment carrying our marker written by
/// our own bot account (another App's bot could copy the marker). The bot's login and the
/// comments are asked for side by side.
pub async fn find_sticky(
    client: &InstallationClient,
    pr: &PrRef,
) -> Result<Option<Comment>, GithubError> {
    let (bot, comments) = tokio::join!(
        client.bot_login(),
        client.list_issue_comments(&pr.repo, pr.number)
    );
    let bot = bot?;
    Ok(comments?
        .into_iter()
        .find(|c| c.author.0.eq_ignore_ascii_case(&bot.0) && c.body.contains(MARKER)))
}

/// Creates or edits the sticky comment so that it shows `body`. `found` is the result of
/// [`find_sticky`] when it was already asked (alongside other reads); without it, and without
/// an id in `state`, the comment is looked for first.
pub async fn sticky_comment(
    client: &InstallationClient,
    pr: &PrRef,
    state: &mut PrState,
    body: &str,
    found: Option<Option<Comment>>,
) -> Result<(), GithubError> {
    let hash = digest(&[body]);
    if state.comment_id.is_some() && state.comment_hash.as_deref() == Some(hash.as_str()) {
        return Ok(());
    }
    let known = match state.comment_id {
        Some(id) => Some(CommentId(id as u64)),
        // Lost track (first run, or the database was reset): adopt ours if it is there.
        None => {
            let found = match found {
                Some(found) => found,
                None => find_sticky(client, pr).await?,
            };
            match found {
                Some(existing) if digest(&[&existing.body]) == hash => {
                    state.comment_id = Some(existing.id.0 as i64);
                    state.comment_hash = Some(hash);
                    return Ok(());
                }
                Some(existing) => Some(existing.id),
                None => None,
            }
        }
    };
    if let Some(id) = known {
        match client.update_issue_comment(&pr.repo, id, body).await {
            Ok(_) => {
                state.comment_id = Some(id.0 as i64);
                state.comment_hash = Some(hash);
                return Ok(());
            }
            // Someone deleted it: post a new one.
            Err(GithubError::NotFound) => {}
            Err(error) => return Err(error),
        }
    }
    let created = client
        .create_issue_comment(&pr.repo, pr.number, body)
        .await?;
    state.comment_id = Some(created.id.0 as i64);
    state.comment_hash = Some(hash);
    Ok(())
}

fn digest(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    hex::encode(&hasher.finalize()[..16])
}
