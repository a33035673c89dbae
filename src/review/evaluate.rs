//! One evaluation of a pull request: read config and docs, check, weigh approvals, request
//! reviewers, publish the check run and the sticky comment. Idempotent: running it again on the
//! same state changes nothing on GitHub.

use crate::{
    checker::Mention,
    config::repo::{DraftMode, OwnersSource, RepoConfig, RequestWhen},
    domain::{CommitSha, Login, PrRef, RepoName},
    github::{
        GithubError, InstallationClient, Membership,
        models::{Comment, PullFile, PullRequest, PullState, RequestedReviewers, Review},
    },
    store::PrState,
};

use super::{
    Workflow, WorkflowError,
    approvals::{self, ApproverFacts, Requirements},
    check_output, codeowners, comment,
    docs::{self, DocCheck, DocOutcome, Fetched},
    evaluation::{Evaluation, OverLimit, UnknownService, Unseen, verdict},
    ownership::{self, Ownership},
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

/// The request counts of evaluations (`evaluations_total` evaluations made
/// `evaluation_github_requests_total` requests): their ratio is the mean cost of one.
const EVALUATIONS_TOTAL: &str = "evaluations_total";
const EVALUATION_REQUESTS_TOTAL: &str = "evaluation_github_requests_total";
/// Evaluations that reached a per-PR limit, by `limit`.
const LIMITS_REACHED_TOTAL: &str = "evaluation_limits_reached_total";

/// What one evaluation works from, once the PR, its config and its stored state are known.
struct Inputs<'a> {
    client: &'a InstallationClient,
    pr: &'a PrRef,
    pull: &'a PullRequest,
    requested_now: Option<RequestedReviewers>,
    default_branch: &'a str,
    loaded: &'a repo_config::LoadedConfig,
    /// The PR's changed files at its head.
    listing: &'a docs::PullFiles,
    hints: &'a Hints,
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
    ///
    /// The GitHub requests it makes are counted (`evaluation_github_requests_total`), so the
    /// cost of one PR to its installation's rate limit can be watched.
    pub async fn evaluate_report(
        &self,
        client: &InstallationClient,
        pr: &PrRef,
        hints: Hints,
    ) -> Result<Option<Evaluation>, WorkflowError> {
        let (result, calls) =
            crate::github::telemetry::count_calls(self.evaluate_counted(client, pr, hints)).await;
        metrics::counter!(EVALUATIONS_TOTAL).increment(1);
        metrics::counter!(EVALUATION_REQUESTS_TOTAL).increment(calls);
        tracing::info!(github_requests = calls, "evaluation finished");
        result
    }

    async fn evaluate_counted(
        &self,
        client: &InstallationClient,
        pr: &PrRef,
        hints: Hints,
    ) -> Result<Option<Evaluation>, WorkflowError> {
        let (pull, requested_now) = match hints.pull.clone() {
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
        let default_branch = match hints.default_branch.clone() {
            Some(branch) => branch,
            None => client.get_repo(&pr.repo).await?.default_branch,
        };
        // The configuration and the files list do not depend on each other: one round trip
        // for both. A draft waits for the configuration first (`drafts: ignore` reads nothing
        // more).
        let files = self
            .docs
            .pull_files(client, pr, &pull.base_ref, &pull.head_sha);
        let config = repo_config::load(client, &pr.repo, &default_branch);
        let (loaded, listing) = if pull.draft {
            let loaded = config.await?;
            if loaded.config.review.drafts() == DraftMode::Ignore {
                tracing::info!("draft pull request and `drafts: ignore`: not evaluated");
                return Ok(None);
            }
            (loaded, files.await?)
        } else {
            let (loaded, listing) = tokio::join!(config, files);
            (loaded?, listing?)
        };
        let inputs = Inputs {
            client,
            pr,
            pull: &pull,
            requested_now,
            default_branch: &default_branch,
            loaded: &loaded,
            listing: &listing,
            hints: &hints,
        };
        let mut state = self.store.pr_state(pr).await?;
        // Boxed: the side-by-side reads and writes make a large future, too large for the stack
        // of a command's task in a debug build.
        let result = Box::pin(self.evaluate_with_state(inputs, &mut state)).await;
        // Saved whatever happened: a retry must edit the check run created here rather than
        // create a second one, and must not ask again the reviewers asked here.
        self.store.save_pr_state(pr, &state).await?;
        let evaluation = result?;
        if let Some(reviews) = self.store.reviews() {
            let record = super::record::review_record(&pull, &evaluation, chrono::Utc::now());
            reviews.record_review(&record).await?;
        }
        let (conclusion, _) = verdict(&evaluation);
        tracing::info!(
            conclusion = ?conclusion,
            docs = evaluation.docs.len(),
            head = %evaluation.head,
            "pull request evaluated"
        );
        Ok(Some(evaluation))
    }

    /// Checks, weighs, requests and publishes, recording in `state` what was done on GitHub.
    async fn evaluate_with_state(
        &self,
        inputs: Inputs<'_>,
        state: &mut PrState,
    ) -> Result<Evaluation, WorkflowError> {
        let selected = select_docs(&inputs.loaded.config, inputs.listing);
        let will_comment = !selected.checked.is_empty()
            || !selected.unseen.is_empty()
            || inputs.loaded.problem.is_some();
        let lookup_sticky = will_comment && state.comment_id.is_none();
        let read = self
            .read_side_by_side(&inputs, &selected.checked, lookup_sticky)
            .await?;
        let mut evaluation = new_evaluation(&inputs, state, selected, read.checked);
        let plan = if evaluation.docs.is_empty() {
            None
        } else {
            self.weigh_and_plan(&inputs, &mut evaluation, state).await?
        };
        self.publish_side_by_side(&inputs, &mut evaluation, plan, read.found, state)
            .await?;
        Ok(evaluation)
    }

    /// Round three: the review requests, the check run and the comment depend only on the
    /// result, so they are sent side by side. The comment is written as if every request
    /// succeeds and edited again when GitHub refuses one. `found` is our comment as round two
    /// looked it up, if it did.
    async fn publish_side_by_side(
        &self,
        inputs: &Inputs<'_>,
        evaluation: &mut Evaluation,
        plan: Option<reviewers::Plan>,
        found: Option<Option<Comment>>,
        state: &mut PrState,
    ) -> Result<(), WorkflowError> {
        let (client, pr, config) = (inputs.client, inputs.pr, &inputs.loaded.config);
        let mut requested = state.requested.clone();
        if let Some(plan) = &plan {
            evaluation.requests = reviewers::as_accepted(plan, &requested);
        }
        let (conclusion, _) = verdict(evaluation);
        let mut run_state = state.clone();
        let mut comment_state = state.clone();
        // No comment at all on PRs without design docs, unless one was posted earlier (it is
        // then edited to say so, never left stale).
        let comment = (!is_quiet(evaluation) || state.comment_id.is_some())
            .then(|| comment::body(evaluation));
        let requests = async {
            match &plan {
                Some(plan) => reviewers::request(client, pr, plan, &mut requested).await,
                None => Ok(()),
            }
        };
        let run = publish::check_run(
            client,
            pr,
            &mut run_state,
            publish::CheckRunRequest {
                name: config.check.name(),
                head: &inputs.pull.head_sha,
                conclusion,
                output: check_output::output(evaluation),
                maybe_published: inputs.hints.retry,
                details_url: super::record::details_url(self.public_url.as_ref(), pr),
            },
        );
        let sticky = async {
            match &comment {
                Some(body) => {
                    publish::sticky_comment(client, pr, &mut comment_state, body, found).await
                }
                None => Ok(()),
            }
        };
        let (requested_result, run_result, sticky_result) = tokio::join!(requests, run, sticky);
        state.requested = requested;
        (state.check_run, state.check) = (run_state.check_run, run_state.check);
        (state.comment_id, state.comment_hash) =
            (comment_state.comment_id, comment_state.comment_hash);
        requested_result?;
        run_result?;
        sticky_result?;
        if plan.is_some() && evaluation.requests != state.requested {
            evaluation.requests = state.requested.clone();
            publish::sticky_comment(client, pr, state, &comment::body(evaluation), None).await?;
        }
        Ok(())
    }

    /// Round two: the docs, the CODEOWNERS file, the configuration files the PR changes and
    /// our comment (when `lookup_sticky`: one will be posted and its id is not stored) are read
    /// side by side.
    async fn read_side_by_side(
        &self,
        inputs: &Inputs<'_>,
        checked: &[(&PullFile, String)],
        lookup_sticky: bool,
    ) -> Result<Read, WorkflowError> {
        let (client, pr, config) = (inputs.client, inputs.pr, &inputs.loaded.config);
        let (head, default_branch) = (&inputs.pull.head_sha, inputs.default_branch);
        let check = DocCheck {
            client,
            caches: &self.docs,
            repo: &pr.repo,
            head,
            default_branch,
            config,
        };
        let codeowners = async {
            if config.review.service_owners_from() == OwnersSource::Codeowners {
                codeowners::load(client, &pr.repo, default_branch)
                    .await
                    .map(Some)
            } else {
                Ok(None)
            }
        };
        let changed_config = check.changed_config_problems(&inputs.listing.files);
        let lookup = async {
            if lookup_sticky {
                publish::find_sticky(client, pr).await.map(Some)
            } else {
                Ok(None)
            }
        };
        let (checked_docs, codeowners, changed_config, found) =
            tokio::join!(check.run(checked), codeowners, changed_config, lookup);
        let (outcomes, mut problems) = checked_docs?;
        problems.extend(changed_config?);
        Ok(Read {
            checked: Checked {
                outcomes,
                problems,
                codeowners: codeowners?,
            },
            found: found?,
        })
    }

    /// The approvals gate and, unless the PR is a draft, the config is invalid or the docs are
    /// not complete yet, whom to request.
    async fn weigh_and_plan(
        &self,
        inputs: &Inputs<'_>,
        evaluation: &mut Evaluation,
        state: &PrState,
    ) -> Result<Option<reviewers::Plan>, WorkflowError> {
        let (client, pr, pull, config) =
            (inputs.client, inputs.pr, inputs.pull, &inputs.loaded.config);
        let reviews = if inputs.hints.no_reviews_yet {
            Vec::new()
        } else {
            client.list_reviews(&pr.repo, pr.number).await?
        };
        evaluation.gate = self.gate(inputs, evaluation, &reviews).await?;
        if pull.draft {
            evaluation.draft_waiting = true;
        } else if evaluation.base_problem.is_some() {
            // The configuration in force is invalid: `config` is only the defaults, not the
            // repository's rules, so no one is asked to review on their strength.
            tracing::info!("invalid configuration: no reviewer requested");
        } else if config.review.request_when() == RequestWhen::Complete
            && !evaluation.docs.iter().all(DocOutcome::passes)
        {
            // Reviewers are not paged to read a skeleton: the first evaluation that finds every
            // doc complete asks them (once: `state.requested` remembers who was asked).
            let waiting = not_yet_asked(config, evaluation, &pull.author, state);
            evaluation.held_reviewers = (!waiting.is_empty()).then_some(waiting);
        } else {
            return self
                .plan_requests(inputs, &reviews, evaluation, state)
                .await;
        }
        Ok(None)
    }

    /// Gathers the facts about each standing approval and applies the requirements.
    async fn gate(
        &self,
        inputs: &Inputs<'_>,
        evaluation: &Evaluation,
        reviews: &[Review],
    ) -> Result<approvals::Gate, WorkflowError> {
        let (client, repo, pull, config) = (
            inputs.client,
            &inputs.pr.repo,
            inputs.pull,
            &inputs.loaded.config,
        );
        let docs = &evaluation.docs;
        let requirements = Requirements {
            team: config.review.team(),
            approvals: config.review.approvals(),
            services: evaluation.ownership.owned.clone(),
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
            let login = &approval.login;
            // Teams whose membership GitHub would not show: the approval cannot count for them.
            let mut unreadable = Vec::new();
            let in_review_team = match &requirements.team {
                Some(team) => {
                    let answer = self.is_member(client, team, login).await?;
                    member(answer, team, &mut unreadable)
                }
                None => false,
            };
            let mut teams = Vec::new();
            for team in &owner_teams {
                let answer = self.is_member(client, team, login).await?;
                if member(answer, team, &mut unreadable) {
                    teams.push(team.clone());
                }
            }
            facts.push(ApproverFacts {
                login: approval.login,
                current,
                in_review_team,
                teams,
                unreadable,
            });
        }
        Ok(approvals::gate(&requirements, &facts))
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
        Ok(match self.people.membership(client, team, login).await? {
            Membership::Active => Some(true),
            Membership::NotMember => Some(false),
            Membership::Hidden => None,
        })
    }

    /// Whom to request: whoever should review and has not been asked yet, up to
    /// `limits.reviewers_per_pr` over the PR's life; `None` when no one.
    async fn plan_requests(
        &self,
        inputs: &Inputs<'_>,
        reviews: &[Review],
        evaluation: &mut Evaluation,
        state: &PrState,
    ) -> Result<Option<reviewers::Plan>, WorkflowError> {
        let (client, pr, config) = (inputs.client, inputs.pr, &inputs.loaded.config);
        let candidates = candidates(config, &evaluation.docs, &evaluation.ownership);
        let fresh: Vec<Mention> = candidates
            .into_iter()
            .filter(|c| {
                let key = reviewers::key_of(c);
                !state.requested.iter().any(|r| r.reviewer == key)
            })
            .collect();
        if fresh.is_empty() {
            return Ok(None);
        }
        let requested_now = match &inputs.requested_now {
            Some(requested) => requested.clone(),
            None => client.list_requested_reviewers(&pr.repo, pr.number).await?,
        };
        let reviewed: Vec<Login> = reviews.iter().map(|r| r.author.clone()).collect();
        let limit = config.limits.reviewers_per_pr();
        let plan = reviewers::plan(
            &fresh,
            &Known {
                author: &inputs.pull.author,
                repo_owner: &pr.repo.owner,
                requested_now: &requested_now,
                reviewed: &reviewed,
                asked_before: &state.requested,
                room: limit.saturating_sub(state.requested.len()),
            },
        );
        evaluation.not_requested = plan.skipped.clone();
        if plan.over_limit > 0 {
            metrics::counter!(LIMITS_REACHED_TOTAL, "limit" => "reviewers_per_pr").increment(1);
            tracing::warn!(
                left_out = plan.over_limit,
                limit,
                "limits.reviewers_per_pr reached: the other reviewers are not requested"
            );
            evaluation.reviewers_over_limit = Some(OverLimit {
                left_out: plan.over_limit,
                limit,
            });
        }
        Ok((!plan.is_empty()).then_some(plan))
    }
}

/// Whether a membership answer makes the approver a member of `team`; an unreadable answer
/// (`None`) counts as not a member and is noted in `unreadable`.
fn member(
    answer: Option<bool>,
    team: &crate::domain::TeamSlug,
    unreadable: &mut Vec<crate::domain::TeamSlug>,
) -> bool {
    if answer.is_none() && !unreadable.contains(team) {
        unreadable.push(team.clone());
    }
    answer == Some(true)
}

/// The design docs of the PR this evaluation checks, and what it leaves unseen.
struct Selected<'a> {
    /// At most `limits.docs_per_pr` docs, each with its template's name.
    checked: Vec<(&'a PullFile, String)>,
    unseen: Vec<Unseen>,
    /// The configuration's doc patterns, when they are invalid.
    problems: Vec<ConfigProblem>,
}

/// What checking the docs found, with the facts read beside them.
struct Checked {
    outcomes: Vec<DocOutcome>,
    /// The templates' and the changed configuration files' problems.
    problems: Vec<ConfigProblem>,
    codeowners: Option<codeowners::Codeowners>,
}

/// What round two read: [`Checked`], and our sticky comment when it was looked for.
struct Read {
    checked: Checked,
    found: Option<Option<Comment>>,
}

/// True when there is nothing to say: no design doc, no file that could not be seen, no problem
/// with the configuration.
fn is_quiet(evaluation: &Evaluation) -> bool {
    evaluation.docs.is_empty()
        && evaluation.unseen.is_empty()
        && evaluation.problems.is_empty()
        && evaluation.base_problem.is_none()
}

/// Round one: the design docs among the PR's files, up to `limits.docs_per_pr`.
fn select_docs<'a>(config: &RepoConfig, listing: &'a docs::PullFiles) -> Selected<'a> {
    let mut problems = Vec::new();
    let design_docs = match docs::design_docs(config, &listing.files) {
        Ok(found) => found,
        Err(error) => {
            problems.push(ConfigProblem {
                file: repo_config::CONFIG_PATH.to_string(),
                error,
            });
            Vec::new()
        }
    };
    let mut unseen: Vec<Unseen> = listing.partial.map(Unseen::Files).into_iter().collect();
    let limit = config.limits.docs_per_pr();
    if design_docs.len() > limit {
        metrics::counter!(LIMITS_REACHED_TOTAL, "limit" => "docs_per_pr").increment(1);
        tracing::warn!(
            found = design_docs.len(),
            limit,
            "more design docs than limits.docs_per_pr: the rest are not checked"
        );
        unseen.push(Unseen::Docs {
            found: design_docs.len(),
            checked: limit,
        });
    }
    let mut checked = design_docs;
    checked.truncate(limit);
    Selected {
        checked,
        unseen,
        problems,
    }
}

/// The evaluation as the docs leave it, before approvals are weighed and reviewers planned.
fn new_evaluation(
    inputs: &Inputs<'_>,
    state: &PrState,
    selected: Selected<'_>,
    checked: Checked,
) -> Evaluation {
    let (pr, pull, config) = (inputs.pr, inputs.pull, &inputs.loaded.config);
    let services = ownership::listed_services(&checked.outcomes);
    let ownership = ownership::resolve(config, &services, checked.codeowners.as_ref());
    let unknown_services = unknown_services(&ownership, &checked.outcomes);
    let mut problems = selected.problems;
    problems.extend(checked.problems);
    Evaluation {
        pr: pr.clone(),
        head: pull.head_sha.clone(),
        web_base: web_base(pull, pr),
        default_branch: inputs.default_branch.to_string(),
        docs: checked.outcomes,
        unseen: selected.unseen,
        base_problem: inputs.loaded.problem.clone(),
        problems,
        gate: approvals::Gate::default(),
        requests: state.requested.clone(),
        not_requested: Vec::new(),
        reviewers_over_limit: None,
        draft_waiting: false,
        held_reviewers: None,
        unknown_services,
        ownership,
        skip: state.skip.clone(),
        command_prefix: config.commands.prefix().to_string(),
    }
}

/// The candidates (as `@login` or `@org/team`) that have not been asked on this PR, without
/// the author: who a complete doc will bring in.
fn not_yet_asked(
    config: &RepoConfig,
    evaluation: &Evaluation,
    author: &Login,
    state: &PrState,
) -> Vec<String> {
    let author = reviewers::key_of(&Mention::User {
        login: author.clone(),
    });
    let mut keys: Vec<String> = Vec::new();
    let candidates = candidates(config, &evaluation.docs, &evaluation.ownership);
    for key in candidates.iter().map(reviewers::key_of) {
        let asked = state.requested.iter().any(|r| r.reviewer == key);
        if key != author && !asked && !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys
}

/// Review candidates in order: the review team, the people named in the docs, the owners of
/// the services the docs list.
pub fn candidates(config: &RepoConfig, docs: &[DocOutcome], ownership: &Ownership) -> Vec<Mention> {
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
    for (_, owners) in &ownership.owned {
        out.extend(owners.iter().cloned());
    }
    out
}

/// The services of `ownership.unknown`, on each doc that lists them.
fn unknown_services(ownership: &Ownership, docs: &[DocOutcome]) -> Vec<UnknownService> {
    let mut out = Vec::new();
    for doc in docs {
        let docs::DocResult::Checked(report) = &doc.result else {
            continue;
        };
        for service in report
            .services
            .iter()
            .filter(|s| ownership.unknown.contains(s))
        {
            out.push(UnknownService {
                path: doc.path.clone(),
                service: service.clone(),
                line: doc.services_line,
                known: ownership.known.clone(),
            });
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
