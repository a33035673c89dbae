//! The design-review workflow on pull requests: the handler of the delivery queue.
//!
//! [`Workflow`] turns each stored delivery into GitHub output: evaluate a PR (check run, sticky
//! comment, review requests, approval gate), answer a merge queue, run slash-commands. The
//! pure parts (approvals, verdict, rendering) are separate from the I/O (evaluate, publish).

pub mod approvals;
pub mod check_output;
pub mod codeowners;
pub mod comment;
pub mod docs;
mod evaluate;
pub mod evaluation;
pub mod executor;
pub(crate) mod gap_list;
pub mod limits;
mod merge_group;
pub mod ownership;
pub mod publish;
pub mod record;
pub mod repo_config;
pub mod reviewers;

use std::sync::Arc;

use async_trait::async_trait;

pub use evaluate::{Hints, candidates};

use crate::{
    config::settings::Settings,
    github::{AppCredentials, GithubApp, GithubError, InstallationClient, PeopleCache},
    queue::{HandleError, Handler},
    store::{Delivery, InsertOutcome, NewDelivery, Store, StoreError},
    webhook::{Event, event::PayloadError},
};

use docs::DocCaches;
use executor::{Executor, Invocation};

/// Why handling a delivery failed.
#[derive(Debug, thiserror::Error)]
pub enum WorkflowError {
    #[error("GitHub: {0}")]
    Github(#[from] GithubError),
    #[error("storage: {0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Payload(#[from] PayloadError),
    #[error("delivery has no installation id (not a GitHub App delivery)")]
    NoInstallation,
}

impl From<WorkflowError> for HandleError {
    fn from(error: WorkflowError) -> Self {
        let transient = match &error {
            WorkflowError::Github(e) => e.is_transient() || matches!(e, GithubError::Unauthorized),
            WorkflowError::Store(_) => true,
            WorkflowError::Payload(_) | WorkflowError::NoInstallation => false,
        };
        if transient {
            let retry_at = match &error {
                WorkflowError::Github(e) => e.retry_at(),
                _ => None,
            };
            HandleError::Transient {
                message: error.to_string(),
                retry_at,
            }
        } else {
            HandleError::Permanent(error.to_string())
        }
    }
}

/// The workflow's long-lived parts: the GitHub App, the store and in-process caches.
pub struct Workflow {
    app: GithubApp,
    store: Arc<dyn Store>,
    docs: DocCaches,
    /// Team memberships and repository permissions, shared with the command executor so that
    /// both read the same answer within one TTL.
    people: Arc<PeopleCache>,
    /// Runs slash-commands (with its per-PR throttle).
    commands: Executor,
    /// PUBLIC_URL: check runs link to their details page under it.
    public_url: Option<url::Url>,
}

impl Workflow {
    pub fn new(app: GithubApp, store: Arc<dyn Store>) -> Self {
        let people = Arc::new(PeopleCache::default());
        Self {
            app,
            commands: Executor::new(store.clone(), people.clone()),
            store,
            docs: DocCaches::default(),
            people,
            public_url: None,
        }
    }

    /// Links each check run to its details page under `public_url`.
    pub fn with_public_url(mut self, public_url: Option<url::Url>) -> Self {
        self.public_url = public_url;
        self
    }

    fn client(
        &self,
        installation: Option<crate::domain::InstallationId>,
    ) -> Result<InstallationClient, WorkflowError> {
        installation
            .map(|id| self.app.installation(id))
            .ok_or(WorkflowError::NoInstallation)
    }

    /// Handles one delivery.
    pub async fn handle_delivery(&self, delivery: &Delivery) -> Result<(), WorkflowError> {
        let event =
            Event::decode_stored(&delivery.arrived.event, delivery.arrived.payload.as_bytes())?;
        match event {
            Event::Evaluate(e) => {
                let client = self.client(e.installation)?;
                // A payload describes the PR as it was when GitHub sent it: trust it only on
                // the first attempt of a fresh delivery.
                let fresh = delivery.attempts <= 1
                    && chrono::Utc::now() - delivery.arrived.received_at
                        < chrono::Duration::seconds(60);
                let hints = Hints {
                    no_reviews_yet: fresh && e.reason.is_pull_opened(),
                    pull: e.snapshot.filter(|_| fresh).map(|s| (s.pull, s.requested)),
                    default_branch: e.default_branch,
                    retry: delivery.attempts > 1,
                };
                self.evaluate(&client, &e.pr, hints).await
            }
            Event::RerunCommit(e) => {
                // Evaluating here would run outside the PRs' queue order, alongside their own
                // deliveries: queue one evaluation per PR of the commit instead.
                let client = self.client(e.installation)?;
                let pulls = client.list_open_pulls(&e.repo).await?;
                for pull in pulls.into_iter().filter(|p| p.head_sha == e.head_sha) {
                    let queued = rerun_delivery(delivery, &e.for_pull(pull.number));
                    let (pr, id) = (queued.pr_key.clone(), queued.id.clone());
                    if self.store.insert_delivery(queued).await? == InsertOutcome::Inserted {
                        tracing::info!(
                            pr = %pr.as_deref().unwrap_or_default(),
                            delivery = %id,
                            "re-run queued an evaluation"
                        );
                    }
                }
                Ok(())
            }
            Event::RulesPush(e) => {
                let client = self.client(e.installation)?;
                self.rules_pushed(&client, delivery, &e).await
            }
            Event::MergeGroup(e) => {
                let client = self.client(e.installation)?;
                self.merge_group(&client, &e).await
            }
            Event::Comment(c) => {
                let client = self.client(c.installation)?;
                let invocation = Invocation::of(delivery);
                self.commands.run(self, &client, &c, &invocation).await
            }
            Event::Ping | Event::Ignored(_) => Ok(()),
        }
    }
}

impl Workflow {
    /// A push to the default branch: when it changed the configuration or a template the
    /// configuration names, every open PR is judged by new rules, so one evaluation per PR is
    /// queued under its key (in order with the PR's own deliveries, coalesced with them).
    async fn rules_pushed(
        &self,
        client: &InstallationClient,
        delivery: &Delivery,
        event: &crate::webhook::event::RulesPushEvent,
    ) -> Result<(), WorkflowError> {
        if !event.touched(repo_config::CONFIG_PATH) {
            let loaded = repo_config::load(client, &event.repo, &event.default_branch).await?;
            let config = &loaded.config;
            let mut named_templates = config
                .docs
                .iter()
                .flatten()
                .map(|rule| rule.template.as_str())
                .chain(config.templates.keys().map(String::as_str));
            if !named_templates.any(|t| event.touched(t.trim_start_matches("./"))) {
                return Ok(());
            }
        }
        let pulls = client.list_open_pulls(&event.repo).await?;
        tracing::info!(
            repo = %event.repo,
            pulls = pulls.len(),
            "the rules changed on the default branch: re-evaluating open pull requests"
        );
        for pull in pulls {
            let rerun = crate::webhook::internal::Reevaluation {
                pr: crate::domain::PrRef {
                    repo: event.repo.clone(),
                    number: pull.number,
                },
                installation: event.installation,
                head_sha: Some(pull.head_sha.clone()),
                default_branch: Some(event.default_branch.clone()),
                cause: crate::webhook::internal::ReevaluationCause::RulesChanged,
            };
            self.store
                .insert_delivery(rerun_delivery(delivery, &rerun))
                .await?;
        }
        Ok(())
    }
}

/// The evaluation of PR `number` queued under the PR's key by an event that fans out (a re-run
/// naming only a commit, a push that changed the rules). Its id derives from the event's
/// delivery, so a retried fan-out queues nothing twice.
fn rerun_delivery(
    rerun: &Delivery,
    evaluation: &crate::webhook::internal::Reevaluation,
) -> NewDelivery {
    evaluation.delivery(format!(
        "{}:pr-{}",
        rerun.arrived.id, evaluation.pr.number.0
    ))
}

#[async_trait]
impl Handler for Workflow {
    async fn handle(&self, delivery: &Delivery) -> Result<(), HandleError> {
        self.handle_delivery(delivery).await.map_err(Into::into)
    }
}

/// Builds the queue's handler, or `None` when the App has no credentials yet.
pub fn handler(
    settings: &Settings,
    store: Arc<dyn Store>,
) -> anyhow::Result<Option<Arc<dyn Handler>>> {
    let Some(app) = &settings.app else {
        return Ok(None);
    };
    let github = GithubApp::new(AppCredentials {
        app_id: app.app_id,
        private_key: app.private_key.clone(),
        api_base: settings.github_api_url.clone(),
    })
    .map_err(|e| anyhow::anyhow!("PRIVATE_KEY: {e}"))?;
    github.warm_up();
    Ok(Some(Arc::new(
        Workflow::new(github, store).with_public_url(settings.public_url.clone()),
    )))
}
