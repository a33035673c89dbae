//! Catching up after downtime or missed webhooks: every open pull request whose head commit has
//! no check run of ours gets an evaluation, queued as a synthetic `pull_request.synchronize`
//! delivery so the normal queue (ordering, coalescing, retries) does the work.
//!
//! Delivery ids are derived from the repository, PR and head SHA, so running resync again (or on
//! several replicas at once) never queues the same evaluation twice. A rate limit stops the run
//! (or waits, when it lifts soon) instead of burning the remaining budget.

use std::{sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use serde_json::json;
use tokio::sync::Notify;

use crate::{
    domain::{InstallationId, RepoName},
    github::{GithubApp, GithubError, InstallationClient, PullRequest},
    review::repo_config,
    store::{InsertOutcome, NewDelivery, Store, StoreError},
};

/// What to resync and how patient to be.
#[derive(Clone, Default)]
pub struct ResyncOptions {
    /// Only this repository (else every repository of every installation).
    pub repo: Option<RepoName>,
    /// A rate limit that lifts within this is waited out; a later one stops the run.
    pub max_wait: Duration,
    /// Woken after each queued evaluation (the workers of this process).
    pub wake: Option<Arc<Notify>>,
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResyncReport {
    pub repos: usize,
    /// Open pull requests looked at.
    pub pulls: usize,
    /// Delivery ids of the evaluations queued.
    pub queued: Vec<String>,
    /// Pull requests whose head already has our check run.
    pub up_to_date: usize,
    /// Evaluations already queued by an earlier run.
    pub already_queued: usize,
    /// Set when a rate limit stopped the run: run again after this moment.
    pub rate_limited_until: Option<DateTime<Utc>>,
    /// Repositories that could not be resynced (`owner/name`, error); the others still were.
    pub failed_repos: Vec<(String, String)>,
}

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum ResyncError {
    #[error("GitHub: {0}")]
    Github(#[from] GithubError),
    #[error("storage: {0}")]
    Store(#[from] StoreError),
    #[error("the App is not installed on {0}")]
    NotInstalled(RepoName),
}

/// Internal: a rate limit that ends the run early.
enum Stop {
    RateLimited(DateTime<Utc>),
    Failed(ResyncError),
}

impl<E: Into<ResyncError>> From<E> for Stop {
    fn from(error: E) -> Self {
        Stop::Failed(error.into())
    }
}

/// Runs one resync.
pub async fn resync(
    app: &GithubApp,
    store: &dyn Store,
    options: &ResyncOptions,
) -> Result<ResyncReport, ResyncError> {
    let mut report = ResyncReport::default();
    match run(app, store, options, &mut report).await {
        Ok(()) => Ok(report),
        Err(Stop::RateLimited(until)) => {
            tracing::warn!(%until, "resync stopped by the rate limit; run it again after then");
            report.rate_limited_until = Some(until);
            Ok(report)
        }
        Err(Stop::Failed(error)) => Err(error),
    }
}

async fn run(
    app: &GithubApp,
    store: &dyn Store,
    options: &ResyncOptions,
    report: &mut ResyncReport,
) -> Result<(), Stop> {
    let installations = patient(options, || app.list_installations()).await?;
    let mut found = false;
    for installation in installations {
        if let Some(repo) = &options.repo
            && !installation.account.0.eq_ignore_ascii_case(&repo.owner)
        {
            continue;
        }
        let client = app.installation(installation.id);
        let repos = patient(options, || client.list_installation_repos()).await?;
        for repo in repos {
            if let Some(wanted) = &options.repo
                && !(repo.owner.eq_ignore_ascii_case(&wanted.owner)
                    && repo.name.eq_ignore_ascii_case(&wanted.name))
            {
                continue;
            }
            found = true;
            report.repos += 1;
            // One repository GitHub refuses (archived, access lost, a config it cannot read)
            // must not keep the others from catching up; a rate limit stops the whole run.
            match resync_repo(&client, installation.id, &repo, store, options, report).await {
                Err(Stop::Failed(error)) => {
                    tracing::warn!(repo = %repo, %error, "resync skipped a repository");
                    report
                        .failed_repos
                        .push((repo.to_string(), error.to_string()));
                }
                other => other?,
            }
        }
    }
    match &options.repo {
        Some(repo) if !found => Err(Stop::Failed(ResyncError::NotInstalled(repo.clone()))),
        _ => Ok(()),
    }
}

async fn resync_repo(
    client: &InstallationClient,
    installation: InstallationId,
    repo: &RepoName,
    store: &dyn Store,
    options: &ResyncOptions,
    report: &mut ResyncReport,
) -> Result<(), Stop> {
    let pulls = patient(options, || client.list_open_pulls(repo)).await?;
    if pulls.is_empty() {
        return Ok(());
    }
    // The check name is per repository (`check.name`), read from the default branch.
    let config = patient(options, || repo_config::load(client, repo, "")).await?;
    let check_name = config.config.check.name().to_string();
    for pull in pulls {
        report.pulls += 1;
        let runs = patient(options, || {
            client.list_check_runs_for_ref(repo, &pull.head_sha, &check_name)
        })
        .await?;
        if !runs.is_empty() {
            report.up_to_date += 1;
            continue;
        }
        let delivery = synthetic_delivery(installation, repo, &pull);
        let id = delivery.id.clone();
        match store.insert_delivery(delivery).await? {
            InsertOutcome::Inserted => {
                tracing::info!(repo = %repo, pr = pull.number.0, delivery_id = %id, "resync queued an evaluation");
                if let Some(wake) = &options.wake {
                    wake.notify_waiters();
                }
                report.queued.push(id);
            }
            InsertOutcome::Duplicate => report.already_queued += 1,
        }
    }
    Ok(())
}

/// The delivery a `pull_request.synchronize` webhook for this head would have produced.
/// It carries no snapshot of the pull request, so the workflow reads the PR afresh.
pub fn synthetic_delivery(
    installation: InstallationId,
    repo: &RepoName,
    pull: &PullRequest,
) -> NewDelivery {
    let payload = json!({
        "action": "synchronize",
        "number": pull.number.0,
        "pull_request": {
            "number": pull.number.0,
            "head": { "sha": pull.head_sha.0, "ref": pull.head_ref },
        },
        "repository": { "full_name": repo.to_string() },
        "installation": { "id": installation.0 },
    });
    NewDelivery {
        id: format!("resync-{repo}-{}-{}", pull.number.0, pull.head_sha.0),
        event: "pull_request".to_string(),
        action: Some("synchronize".to_string()),
        installation_id: Some(installation),
        repo: Some(repo.to_string()),
        pr_key: Some(
            crate::domain::PrRef {
                repo: repo.clone(),
                number: pull.number,
            }
            .queue_key(),
        ),
        coalescable: true,
        payload: payload.to_string(),
        received_at: Utc::now(),
    }
}

/// Runs `call`; a rate limit that lifts within `max_wait` is slept out (once), a later one stops.
async fn patient<T, F, Fut>(options: &ResyncOptions, call: F) -> Result<T, Stop>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T, GithubError>>,
{
    match call().await {
        Err(GithubError::RateLimited { until }) => {
            let wait = (until - Utc::now()).to_std().unwrap_or(Duration::ZERO);
            if wait > options.max_wait {
                return Err(Stop::RateLimited(until));
            }
            tracing::info!(seconds = wait.as_secs(), "resync waits for the rate limit");
            tokio::time::sleep(wait).await;
            match call().await {
                Err(GithubError::RateLimited { until }) => Err(Stop::RateLimited(until)),
                other => Ok(other?),
            }
        }
        other => Ok(other?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        domain::{CommitSha, Login, PrNumber},
        github::PullState,
        webhook::Event,
    };

    #[test]
    fn synthetic_delivery_parses_as_an_evaluation_of_the_head() {
        let repo = RepoName::new("acme", "widgets");
        let pull = PullRequest {
            number: PrNumber(7),
            title: "x".into(),
            head_sha: CommitSha("abc".into()),
            head_ref: "feature".into(),
            base_ref: "main".into(),
            author: Login("alice".into()),
            draft: false,
            state: PullState::Open,
            html_url: String::new(),
        };
        let delivery = synthetic_delivery(InstallationId(3), &repo, &pull);
        assert_eq!(delivery.id, "resync-acme/widgets-7-abc");
        let Event::Evaluate(event) =
            Event::parse(&delivery.event, delivery.payload.as_bytes()).unwrap()
        else {
            panic!("not an evaluation");
        };
        assert_eq!(event.pr.queue_key(), delivery.pr_key.unwrap());
        assert_eq!(event.installation, Some(InstallationId(3)));
        assert_eq!(event.head_sha, Some(CommitSha("abc".into())));
        assert!(event.snapshot.is_none(), "the workflow reads the PR afresh");
    }
}
