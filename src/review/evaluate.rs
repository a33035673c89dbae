//! One evaluation of a pull request: read config and docs, check, weigh approvals, request
//! reviewers, publish the check run and the sticky comment. Idempotent: running it again on the
//! same state changes nothing on GitHub.

use crate::{
    checker::Mention,
    config::repo::{DraftMode, RepoConfig},
    domain::{CommitSha, Login, PrRef, RepoName},
    github::{
        GithubError, InstallationClient,
        models::{PullRequest, PullState, RequestedReviewers, Review},
    },
    store::PrState,
};

use super::{
    Workflow, WorkflowError,
    approvals::{self, ApproverFacts, Requirements},
    check_output, comment,
    docs::{self, DocCheck, DocOutcome, Fetched},
    evaluation::{Evaluation, verdict},
    publish,
    repo_config::{self, ConfigProblem},
    reviewers::{self, Known},
};

/// What the triggering event already told us, to save API calls.
#[derive(Debug, Clone, Default)]
pub struct Hints {
    /// The PR as a fresh payload described it.
    pub pull: Option<(PullRequest, RequestedReviewers)>,
    pub default_branch: Option<String>,
    /// The PR was just opened: it cannot have reviews yet.
    pub no_reviews_yet: bool,
    /// The delivery was started before (a failure, or a crash mid-way): what that attempt
    /// published may not be recorded, so look for it before creating.
    pub retry: bool,
}

impl Workflow {
    /// Evaluates one pull request and publishes the result.
    pub async fn evaluate(
        &self,
        client: &InstallationClient,
        pr: &PrRef,
        hints: Hints,
    ) -> Result<(), WorkflowError> {
        self.evaluate_report(client, pr, hints).await.map(|_| ())
    }

    /// [`Workflow::evaluate`], also returning what the evaluation found (for the `status`
    /// command); `None` when the PR was not evaluated (closed, or a draft under `drafts: ignore`).
    pub async fn evaluate_report(
        &self,
        client: &InstallationClient,
        pr: &PrRef,
        hints: Hints,
    ) -> Result<Option<Evaluation>, WorkflowError> {
        let (pull, requested_now) = match hints.pull {
            Some((pull, requested)) => (pull, Some(requested)),
            None => (client.get_pull(&pr.repo, pr.number).await?, None),
        };
        if pull.state == PullState::Closed {
            tracing::info!("pull request is closed: nothing to do");
            if let Some(reviews) = self.store.reviews() {
                let (repo, number) = (pr.repo.to_string(), pr.number.0 as i64);
                reviews
                    .record_review_closed(&repo, number, chrono::Utc::now())
                    .await?;
            }
            return Ok(None);
        }
        let default_branch = match hints.default_branch {
            Some(branch) => branch,
            None => client.get_repo(&pr.repo).await?.default_branch,
        };
        let loaded = repo_config::load(client, &pr.repo, &default_branch).await?;
        let config = &loaded.config;
        if pull.draft && config.review.drafts() == DraftMode::Ignore {
            tracing::info!("draft pull request and `drafts: ignore`: not evaluated");
            return Ok(None);
        }
        let mut state = self.store.pr_state(pr).await?;
        let head = pull.head_sha.clone();
        let files = self
            .docs
            .pull_files(client, pr, &pull.base_ref, &head)
            .await?;
        let mut problems: Vec<ConfigProblem> = Vec::new();
        let design_docs = match docs::design_docs(config, &files) {
            Ok(found) => found,
            Err(error) => {
                problems.push(ConfigProblem {
                    file: repo_config::CONFIG_PATH.to_string(),
                    error,
                });
                Vec::new()
            }
        };
        let check = DocCheck {
            client,
            caches: &self.docs,
            repo: &pr.repo,
            head: &head,
            default_branch: &default_branch,
            config,
        };
        let (outcomes, template_problems) = check.run(&design_docs).await?;
        problems.extend(template_problems);
        problems.extend(
            docs::changed_config_problems(client, &self.docs, &pr.repo, &head, config, &files)
                .await?,
        );

        let mut evaluation = Evaluation {
            pr: pr.clone(),
            head: head.clone(),
            web_base: web_base(&pull, pr),
            default_branch: default_branch.clone(),
            docs: outcomes,
            base_problem: loaded.problem.clone(),
            problems,
            gate: approvals::Gate::default(),
            requests: state.requested.clone(),
            not_requested: Vec::new(),
            draft_waiting: false,
            skip: state.skip.clone(),
            command_prefix: config.commands.prefix().to_string(),
        };
        let quiet = evaluation.docs.is_empty()
            && evaluation.problems.is_empty()
            && evaluation.base_problem.is_none();
        if !evaluation.docs.is_empty() {
            let reviews = if hints.no_reviews_yet {
                Vec::new()
            } else {
                client.list_reviews(&pr.repo, pr.number).await?
            };
            evaluation.gate = self
                .gate(client, &pr.repo, config, &pull, &evaluation.docs, &reviews)
                .await?;
            if pull.draft {
                evaluation.draft_waiting = true;
            } else if evaluation.base_problem.is_some() {
                // The configuration in force is invalid: `config` is only the defaults, not
                // the repository's rules, so no one is asked to review on their strength.
                tracing::info!("invalid configuration: no reviewer requested");
            } else {
                self.request_reviewers(
                    client,
                    config,
                    &pull,
                    pr,
                    requested_now,
                    &reviews,
                    &mut evaluation,
                    &mut state,
                )
                .await?;
            }
        }
        let (conclusion, _) = verdict(&evaluation);
        let published = async {
            publish::check_run(
                client,
                pr,
                &mut state,
                config.check.name(),
                &head,
                conclusion,
                check_output::output(&evaluation),
                hints.retry,
                super::record::details_url(self.public_url.as_ref(), pr),
            )
            .await?;
            // No comment at all on PRs without design docs, unless one was posted earlier (it
            // is then edited to say so, never left stale).
            if !quiet || state.comment_id.is_some() {
                publish::sticky_comment(client, pr, &mut state, &comment::body(&evaluation))
                    .await?;
            }
            Ok::<_, GithubError>(())
        }
        .await;
        // Saved even when publishing failed half-way: the retry must edit the check run
        // created here, not create a second one.
        self.store.save_pr_state(pr, &state).await?;
        published?;
        if let Some(reviews) = self.store.reviews() {
            let record = super::record::review_record(&pull, &evaluation, chrono::Utc::now());
            reviews.record_review(&record).await?;
        }
        tracing::info!(
            conclusion = ?conclusion,
            docs = evaluation.docs.len(),
            head = %head,
            "pull request evaluated"
        );
        Ok(Some(evaluation))
    }

    /// Gathers the facts about each standing approval and applies the requirements.
    async fn gate(
        &self,
        client: &InstallationClient,
        repo: &RepoName,
        config: &RepoConfig,
        pull: &PullRequest,
        docs: &[DocOutcome],
        reviews: &[Review],
    ) -> Result<approvals::Gate, WorkflowError> {
        let requirements = Requirements {
            team: config.review.team(),
            approvals: config.review.approvals(),
            services: services_with_owners(config, docs),
        };
        let owner_teams: Vec<_> = requirements
            .services
            .iter()
            .flat_map(|(_, owners)| owners)
            .filter_map(|m| match m {
                Mention::Team { team } => Some(team.clone()),
                Mention::User { .. } => None,
            })
            .collect();
        let mut facts = Vec::new();
        // Teams whose membership GitHub would not show: their approvals cannot be counted.
        let mut unreadable: Vec<crate::domain::TeamSlug> = Vec::new();
        let mut member = async |team: &crate::domain::TeamSlug, login: &Login| {
            let member = self.is_member(client, team, login).await?;
            if member.is_none() && !unreadable.contains(team) {
                unreadable.push(team.clone());
            }
            Ok::<_, WorkflowError>(member == Some(true))
        };
        for approval in approvals::standing_approvals(reviews, &pull.author) {
            let current = !config.review.invalidate_on_doc_change()
                || self
                    .docs_unchanged_since(
                        client,
                        repo,
                        &pull.head_sha,
                        approval.commit.as_ref(),
                        docs,
                    )
                    .await?;
            let in_review_team = match &requirements.team {
                Some(team) => member(team, &approval.login).await?,
                None => false,
            };
            let mut teams = Vec::new();
            for team in &owner_teams {
                if member(team, &approval.login).await? {
                    teams.push(team.clone());
                }
            }
            facts.push(ApproverFacts {
                login: approval.login,
                current,
                in_review_team,
                teams,
            });
        }
        let mut gate = approvals::gate(&requirements, &facts);
        gate.unreadable_teams = unreadable;
        Ok(gate)
    }

    /// True when every design doc has, at `approved`, the content it has at the head.
    async fn docs_unchanged_since(
        &self,
        client: &InstallationClient,
        repo: &RepoName,
        head: &CommitSha,
        approved: Option<&CommitSha>,
        docs: &[DocOutcome],
    ) -> Result<bool, WorkflowError> {
        let Some(approved) = approved else {
            return Ok(false);
        };
        if approved == head {
            return Ok(true);
        }
        for doc in docs {
            let then = self.docs.file_at(client, repo, &doc.path, approved).await;
            let same = match then {
                Ok(Fetched::Text { blob_sha, .. }) | Ok(Fetched::Unreadable { blob_sha, .. }) => {
                    !blob_sha.is_empty() && blob_sha == doc.blob_sha
                }
                Ok(Fetched::Missing) => false,
                // The approved commit may be gone after a force-push: the approval is stale.
                Err(GithubError::NotFound) => false,
                Err(error) => return Err(error.into()),
            };
            if !same {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Whether `login` is an active member of `team`; `None` when GitHub refuses to tell (403,
    /// an installation the organisation did not grant `members: read`), which counts as not a
    /// member, as for commands, but is reported on the check instead of failing the delivery.
    async fn is_member(
        &self,
        client: &InstallationClient,
        team: &crate::domain::TeamSlug,
        login: &Login,
    ) -> Result<Option<bool>, WorkflowError> {
        let key = (team.to_string(), login.0.to_ascii_lowercase());
        if let Some(member) = self.membership.get(&key) {
            return Ok(member);
        }
        let member = match client.team_membership(team, login).await {
            Ok(member) => Some(member),
            Err(GithubError::Forbidden(message)) => {
                tracing::warn!(%team, %login, %message, "cannot read the team membership");
                None
            }
            Err(error) => return Err(error.into()),
        };
        self.membership.put(key, member);
        Ok(member)
    }

    /// Requests reviews from whoever should review and has not been asked yet.
    #[allow(clippy::too_many_arguments)]
    async fn request_reviewers(
        &self,
        client: &InstallationClient,
        config: &RepoConfig,
        pull: &PullRequest,
        pr: &PrRef,
        requested_now: Option<RequestedReviewers>,
        reviews: &[Review],
        evaluation: &mut Evaluation,
        state: &mut PrState,
    ) -> Result<(), WorkflowError> {
        let candidates = candidates(config, &evaluation.docs);
        let fresh: Vec<Mention> = candidates
            .into_iter()
            .filter(|c| {
                let key = reviewers::key_of(c);
                !state.requested.iter().any(|r| r.reviewer == key)
            })
            .collect();
        if fresh.is_empty() {
            return Ok(());
        }
        let requested_now = match requested_now {
            Some(requested) => requested,
            None => client.list_requested_reviewers(&pr.repo, pr.number).await?,
        };
        let reviewed: Vec<Login> = reviews.iter().map(|r| r.author.clone()).collect();
        let plan = reviewers::plan(
            &fresh,
            &Known {
                author: &pull.author,
                repo_owner: &pr.repo.owner,
                requested_now: &requested_now,
                reviewed: &reviewed,
                asked_before: &state.requested,
            },
        );
        evaluation.not_requested = plan.skipped.clone();
        let records = reviewers::request(client, pr, &plan).await?;
        state.requested.extend(records);
        evaluation.requests = state.requested.clone();
        Ok(())
    }
}

/// Review candidates in order: the review team, the people named in the docs, the owners of
/// the services the docs list.
pub fn candidates(config: &RepoConfig, docs: &[DocOutcome]) -> Vec<Mention> {
    let mut out = Vec::new();
    if let Some(team) = config.review.team() {
        out.push(Mention::Team { team });
    }
    if config.review.request_named_reviewers() {
        for doc in docs {
            if let docs::DocResult::Checked(report) = &doc.result {
                out.extend(report.reviewers.iter().map(|r| r.mention.clone()));
            }
        }
    }
    for (_, owners) in services_with_owners(config, docs) {
        out.extend(owners);
    }
    out
}

/// The services the docs list under "Services Affected" that have configured owners.
pub fn services_with_owners(
    config: &RepoConfig,
    docs: &[DocOutcome],
) -> Vec<(String, Vec<Mention>)> {
    let mut out: Vec<(String, Vec<Mention>)> = Vec::new();
    for doc in docs {
        if let docs::DocResult::Checked(report) = &doc.result {
            for service in &report.services {
                let owners = config.review.owners_of(service);
                if !owners.is_empty() && !out.iter().any(|(s, _)| s == service) {
                    out.push((service.clone(), owners));
                }
            }
        }
    }
    out
}

/// The repository's web address, from the PR's (works for GitHub Enterprise Server too).
fn web_base(pull: &PullRequest, pr: &PrRef) -> String {
    pull.html_url
        .rsplit_once("/pull/")
        .map(|(base, _)| base.to_string())
        .filter(|b| !b.is_empty())
        .unwrap_or_else(|| format!("https://github.com/{}", pr.repo))
}
