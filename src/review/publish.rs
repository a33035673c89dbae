//! Publishing an evaluation: the check run (one per head SHA, updated in place) and the sticky
//! comment (one per PR, edited in place). Unchanged content is not sent again, so a
//! re-evaluation that changes nothing makes no write and notifies no one.

use sha2::{Digest, Sha256};

use crate::{
    domain::{CheckRunId, CommitSha, PrRef},
    github::{
        GithubError, InstallationClient,
        models::{CheckConclusion, CheckRunOutput, CheckRunSpec, CheckStatus, Comment},
    },
    store::{CheckRunRef, PrState, PublishedCheck, PublishedStatus},
};

use super::{comment::MARKER, evaluation::Conclusion};

/// One check run to publish: what [`check_run`] needs besides the client and the PR's state.
pub struct CheckRunRequest<'a> {
    /// The check's name, as required checks name it.
    pub name: &'a str,
    pub head: &'a CommitSha,
    pub conclusion: Conclusion,
    pub output: CheckRunOutput,
    /// A retried delivery: an earlier attempt may have published a run that the state does not
    /// know yet.
    pub maybe_published: bool,
    /// Where GitHub's *Details* link leads (the run's details page).
    pub details_url: Option<String>,
}

/// What publishing a check run does, given what was published before.
enum Step {
    /// The run shows this already.
    Unchanged,
    /// Update the known run, sending no annotations (it carries them).
    Update(CheckRunId),
    /// Publish a fresh run (or adopt one an earlier attempt left).
    Fresh,
}

/// Creates or updates the check run of `request.head`, recording its id and what it shows in
/// `state`. With `maybe_published` (a retried delivery), a run of ours on the head that `state`
/// does not know is looked for first and updated, instead of creating a second one.
///
/// GitHub adds the annotations of every update to those already on the run and cannot take
/// any back, so annotations are sent once per run: an update that keeps the same annotations
/// sends none, and different annotations on the same head get a fresh run (which replaces the
/// old one as the check of that name) rather than piling up on the old one.
pub async fn check_run(
    client: &InstallationClient,
    pr: &PrRef,
    state: &mut PrState,
    request: CheckRunRequest<'_>,
) -> Result<(), GithubError> {
    let maybe_published = request.maybe_published;
    let (spec, published) = prepare(pr, request);
    let existing = state
        .check_run
        .as_ref()
        .filter(|run| run.head == spec.head_sha)
        .map(|run| run.id);
    match step(existing, state.check.as_ref(), &published) {
        Step::Unchanged => return Ok(()),
        Step::Update(id) => {
            client
                .update_check_run(&pr.repo, id, &unsent(&spec, usize::MAX))
                .await?;
        }
        Step::Fresh => {
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
                None => create(client, pr, &spec, existing).await?,
            };
            state.check_run = Some(CheckRunRef {
                head: spec.head_sha.clone(),
                id,
            });
        }
    }
    state.check = Some(published);
    Ok(())
}

/// The run `request` asks for, and what it shows once published.
fn prepare(pr: &PrRef, request: CheckRunRequest<'_>) -> (CheckRunSpec, PublishedCheck) {
    let (status, conclusion) = match request.conclusion {
        Conclusion::Success => (CheckStatus::Completed, Some(CheckConclusion::Success)),
        Conclusion::Failure => (CheckStatus::Completed, Some(CheckConclusion::Failure)),
        Conclusion::WaitingForApprovals => (CheckStatus::InProgress, None),
    };
    let output = request.output;
    let annotations = serde_json::to_string(&output.annotations).unwrap_or_default();
    let published = PublishedCheck {
        status: match status {
            CheckStatus::Completed => PublishedStatus::Completed,
            _ => PublishedStatus::InProgress,
        },
        digest: digest(&[
            request.name,
            &request.head.0,
            &format!("{conclusion:?}"),
            &output.title,
            &output.summary,
            &annotations,
        ]),
        notes: Some(digest(&[&annotations])),
    };
    let spec = CheckRunSpec {
        name: request.name.to_string(),
        head_sha: request.head.clone(),
        status,
        conclusion,
        output: Some(output),
        details_url: request.details_url,
        external_id: Some(pr.to_string()),
    };
    (spec, published)
}

/// Whether the run `existing` (of the same head) that shows `before` can show `after` by an
/// update. A completed run cannot go back to in progress, and a run whose annotations are
/// unknown or different is replaced by a fresh one.
fn step(
    existing: Option<CheckRunId>,
    before: Option<&PublishedCheck>,
    after: &PublishedCheck,
) -> Step {
    let Some(id) = existing else {
        return Step::Fresh;
    };
    if before == Some(after) {
        return Step::Unchanged;
    }
    let same_annotations = before.and_then(|b| b.notes.as_deref()) == after.notes.as_deref();
    let reopens = before.is_some_and(|b| b.status == PublishedStatus::Completed)
        && after.status == PublishedStatus::InProgress;
    if same_annotations && !reopens {
        Step::Update(id)
    } else {
        Step::Fresh
    }
}

/// Creates the run of `spec`. A 5xx or a lost connection may come after GitHub created the
/// run: then it is adopted rather than leaving two runs of one name on the commit (never the
/// run being replaced, `replacing`: it is not the one this create made).
async fn create(
    client: &InstallationClient,
    pr: &PrRef,
    spec: &CheckRunSpec,
    replacing: Option<CheckRunId>,
) -> Result<CheckRunId, GithubError> {
    match client.create_check_run(&pr.repo, spec).await {
        Ok(run) => Ok(run.id),
        Err(error @ GithubError::Transient(_)) => {
            let Some((id, sent)) = lost_run(client, pr, spec, replacing).await else {
                return Err(error);
            };
            client
                .update_check_run(&pr.repo, id, &unsent(spec, sent))
                .await?;
            Ok(id)
        }
        Err(error) => Err(error),
    }
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
    replacing: Option<CheckRunId>,
) -> Option<(CheckRunId, usize)> {
    let runs = client
        .list_check_runs_with_annotation_counts(&pr.repo, &spec.head_sha, &spec.name)
        .await
        .ok()?;
    let (ours, sent) = runs
        .into_iter()
        .find(|(run, _)| run.external_id.as_deref() == spec.external_id.as_deref())?;
    let wanted = spec.output.as_ref().map_or(0, |o| o.annotations.len());
    let replaced = replacing == Some(ours.id);
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
        Some(id) => Some(id),
        // Lost track (first run, or the database was reset): adopt ours if it is there.
        None => {
            let found = match found {
                Some(found) => found,
                None => find_sticky(client, pr).await?,
            };
            match found {
                Some(existing) if digest(&[&existing.body]) == hash => {
                    state.comment_id = Some(existing.id);
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
                state.comment_id = Some(id);
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
    state.comment_id = Some(created.id);
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
