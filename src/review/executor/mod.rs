//! Running the slash-commands of one PR comment or review body: who may run what, the per-PR
//! throttle, the state change and re-evaluation, reactions, one reply and the audit log.
//!
//! A delivery may be retried after a transient failure, so every step is safe to repeat:
//! reactions are idempotent on GitHub's side, a skip that is already in place is kept as is,
//! evaluations publish nothing when nothing changed, audit entries carry the delivery's time
//! and are not stored twice, and the reply carries a hidden marker that a retry looks for.
//! GitHub refusing a reaction or a reply (4xx: comment deleted, conversation locked) is
//! logged and does not fail the delivery; transient errors propagate so the queue retries.
//!
//! Another delivery of the same comment is not a retry: the store records which delivery ran
//! each version of a comment (its id and `updated_at`), and a replay under a new delivery id
//! runs nothing.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use chrono::{DateTime, Utc};

use crate::{
    cache::TtlCache,
    checker,
    config::repo::{DEFAULT_TEMPLATE, RepoConfig},
    domain::{CommitSha, Login, PrRef, RepoName},
    gfm::code,
    github::{
        GithubError, InstallationClient, PeopleCache,
        models::{CommentId, PullRequest, Reaction},
    },
    store::{AuditEntry, AuditFilter, AuditOutcome, CommandRun, Delivery, Skip, Store, StoreError},
    webhook::event::CommentEvent,
};

use crate::commands::{
    Audience, Command, CommandLine, MAX_DELIVERY_DELAY, find_commands, help_text,
    permissions::{Access, Refusal},
    render_error,
    throttle::{MAX_COMMANDS_PER_COMMENT, Throttle, Verdict},
};

use super::{
    Hints, Workflow, WorkflowError,
    docs::{self, DocCaches, DocCheck},
    repo_config,
};

pub mod reply;

use reply::Said;

/// How long a repository's command prefix is trusted: briefly, its configuration may change.
const PREFIX_TTL: Duration = Duration::from_secs(60);

/// The delivery a comment arrived in; what a retry of it must not repeat.
#[derive(Debug, Clone)]
pub struct Invocation {
    /// GitHub's delivery id: keys the reply marker and the throttle.
    pub delivery_id: String,
    /// 1 on the first attempt.
    pub attempt: i32,
    /// When GitHub delivered the comment: the time of its commands in the audit log and of a
    /// skip, the same on every retry.
    pub received_at: DateTime<Utc>,
}

impl Invocation {
    pub fn of(delivery: &Delivery) -> Self {
        Self {
            delivery_id: delivery.arrived.id.clone(),
            attempt: delivery.attempts,
            received_at: delivery.arrived.received_at,
        }
    }
}

/// What became of one command line.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// Done; with what to tell the commenter, if anything.
    Done {
        say: Option<String>,
    },
    Refused(Refusal),
    /// Over the per-PR limit; `notify` for the first refusal of the window only.
    Throttled {
        notify: bool,
    },
    /// Not a valid command: `message` for the audit log, `say` for the reply.
    Invalid {
        message: String,
        say: String,
    },
}

impl Outcome {
    fn failed(&self) -> bool {
        !matches!(self, Outcome::Done { .. })
    }

    /// `done`, `refused: <rule>` or `invalid: <message>`.
    fn audit_text(&self) -> String {
        self.audit_outcome().to_string()
    }

    /// The outcome as the audit log records it.
    fn audit_outcome(&self) -> AuditOutcome {
        match self {
            Outcome::Done { .. } => AuditOutcome::Done,
            Outcome::Refused(refusal) => AuditOutcome::Refused {
                rule: refusal.rule().to_string(),
            },
            Outcome::Throttled { .. } => AuditOutcome::Refused {
                rule: Refusal::Throttled.rule().to_string(),
            },
            Outcome::Invalid { message, .. } => AuditOutcome::Invalid {
                message: message.clone(),
            },
        }
    }
}

/// Runs slash-commands. Long-lived (one per [`Workflow`]): it holds the permission caches,
/// the throttle and the repositories' command prefixes.
pub struct Executor {
    store: Arc<dyn Store>,
    access: Access,
    throttle: Throttle,
    /// Repository -> command prefix, so that the many comments without a command cost no API
    /// call once the repository's prefix is known (briefly: the config may change).
    prefixes: TtlCache<String, String>,
}

impl Executor {
    /// An executor whose permission lookups go through `people`, the workflow's shared cache.
    pub fn new(store: Arc<dyn Store>, people: Arc<PeopleCache>) -> Self {
        Self {
            store,
            access: Access::new(people),
            throttle: Throttle::default(),
            prefixes: TtlCache::new(PREFIX_TTL, 4096),
        }
    }

    /// Runs the commands of `event`. A review body is also a review: the PR is evaluated again
    /// afterwards if none of its commands did so already.
    pub async fn run(
        &self,
        workflow: &Workflow,
        client: &InstallationClient,
        event: &CommentEvent,
        invocation: &Invocation,
    ) -> Result<(), WorkflowError> {
        let evaluated = self
            .run_commands(workflow, client, event, invocation)
            .await?;
        if event.comment_id.is_none() && !evaluated {
            let hints = Hints {
                default_branch: event.default_branch.clone(),
                ..Hints::default()
            };
            workflow.evaluate(client, &event.pr, hints).await?;
        }
        Ok(())
    }

    /// Returns whether a command evaluated the PR.
    async fn run_commands(
        &self,
        workflow: &Workflow,
        client: &InstallationClient,
        event: &CommentEvent,
        invocation: &Invocation,
    ) -> Result<bool, WorkflowError> {
        if event.author_is_bot {
            tracing::debug!(pr = %event.pr, author = %event.author, "comment by a bot: not executed");
            return Ok(false);
        }
        let repo = &event.pr.repo;
        if let Some(prefix) = self.prefixes.get(&repo.to_string())
            && !mentions(&event.body, &prefix)
        {
            return Ok(false);
        }
        let (config, default_branch) = self.config_of(client, event).await?;
        let prefix = config.commands.prefix().to_string();
        self.prefixes.put(repo.to_string(), prefix.clone());
        let mut lines = find_commands(&event.body, &prefix);
        if lines.is_empty() || !self.first_run(event, invocation).await? {
            return Ok(false);
        }
        let beyond_cap = lines.split_off(lines.len().min(MAX_COMMANDS_PER_COMMENT));
        tracing::info!(pr = %event.pr, author = %event.author, commands = lines.len(), "running commands");
        let target = event.comment_id.map(CommentId);
        if let Some(id) = target {
            tolerate(
                client.add_reaction(repo, id, Reaction::Eyes).await,
                "eyes reaction",
            )?;
        }
        let mut run = CommentRun {
            executor: self,
            workflow,
            client,
            event,
            invocation,
            config: &config,
            prefix: &prefix,
            default_branch: &default_branch,
            pull: None,
            evaluated: false,
        };
        let mut outcomes = Vec::with_capacity(lines.len() + 1);
        for line in &lines {
            outcomes.push(run.execute(line).await?);
        }
        // The lines past the cap are answered as one: one audit row, one sentence.
        if let Some(first) = beyond_cap.first() {
            let refusal = Refusal::TooManyCommands {
                ignored: beyond_cap.len(),
            };
            outcomes.push(Outcome::Refused(refusal));
            lines.push(first.clone());
        }

        let entries = run.audit_entries(&lines, &outcomes).await?;
        self.record(&entries, invocation).await?;

        if let Some(id) = target {
            react_to_outcomes(client, repo, id, &outcomes).await?;
        }

        let said = what_to_say(&lines, &outcomes, target.is_none());
        let sections = reply::sections(said);
        let marker = reply::marker(&invocation.delivery_id);
        if let Some(body) = reply::compose(&sections, &marker) {
            run.post_reply(&body, &marker).await?;
        }
        Ok(run.evaluated)
    }

    /// The repository's configuration from its default branch (never the PR head), and that
    /// branch's name.
    async fn config_of(
        &self,
        client: &InstallationClient,
        event: &CommentEvent,
    ) -> Result<(RepoConfig, String), WorkflowError> {
        let repo = &event.pr.repo;
        let default_branch = match &event.default_branch {
            Some(branch) => branch.clone(),
            None => client.get_repo(repo).await?.default_branch,
        };
        let config = repo_config::load(client, repo, &default_branch)
            .await?
            .config;
        Ok((config, default_branch))
    }

    /// Whether this delivery may run the commands of the comment: it is the first delivery of
    /// this version of the comment (or a retry of that delivery), and it came soon after the
    /// comment was written. Anything else is a replay of a captured delivery under a new id.
    async fn first_run(
        &self,
        event: &CommentEvent,
        invocation: &Invocation,
    ) -> Result<bool, StoreError> {
        let delivery = &invocation.delivery_id;
        let Some(version) = &event.version else {
            tracing::warn!(%delivery, pr = %event.pr, "payload without the comment's id or time: commands not run");
            return Ok(false);
        };
        let delay = invocation.received_at - version.updated_at;
        if delay.to_std().is_ok_and(|delay| delay > MAX_DELIVERY_DELAY) {
            tracing::warn!(%delivery, pr = %event.pr, updated_at = %version.updated_at, "comment delivered long after it was written (a replay): commands not run");
            return Ok(false);
        }
        match self
            .store
            .claim_command_run(version, &invocation.delivery_id)
            .await?
        {
            CommandRun::Ours => Ok(true),
            CommandRun::RanUnder(first) => {
                tracing::warn!(%delivery, first_delivery = %first, pr = %event.pr, "commands of this comment already ran under another delivery (a replay): not run again");
                Ok(false)
            }
        }
    }

    /// Stores audit entries, except those a previous attempt of the same delivery stored.
    async fn record(
        &self,
        entries: &[AuditEntry],
        invocation: &Invocation,
    ) -> Result<(), StoreError> {
        let Some(first) = entries.first() else {
            return Ok(());
        };
        let mut earlier: Vec<AuditEntry> = if invocation.attempt > 1 {
            let filter = AuditFilter {
                repo: Some(first.repo.clone()),
                since: Some(invocation.received_at),
                limit: 0,
            };
            self.store
                .list_audit(&filter)
                .await?
                .into_iter()
                .filter(|e| e.at == invocation.received_at)
                .collect()
        } else {
            Vec::new()
        };
        for entry in entries {
            if let Some(at) = earlier.iter().position(|e| same_command(e, entry)) {
                earlier.swap_remove(at);
                continue;
            }
            self.store.record_audit(entry).await?;
        }
        Ok(())
    }
}

/// Everything one comment's commands share.
struct CommentRun<'a> {
    executor: &'a Executor,
    workflow: &'a Workflow,
    client: &'a InstallationClient,
    event: &'a CommentEvent,
    invocation: &'a Invocation,
    config: &'a RepoConfig,
    prefix: &'a str,
    default_branch: &'a str,
    /// The pull request, fetched when a command first needs it (author, head).
    pull: Option<PullRequest>,
    /// A command evaluated the PR.
    evaluated: bool,
}

impl CommentRun<'_> {
    fn pr(&self) -> &PrRef {
        &self.event.pr
    }

    fn login(&self) -> &Login {
        &self.event.author
    }

    async fn pull(&mut self) -> Result<PullRequest, GithubError> {
        if let Some(pull) = &self.pull {
            return Ok(pull.clone());
        }
        let pull = self
            .client
            .get_pull(&self.event.pr.repo, self.event.pr.number)
            .await?;
        self.pull = Some(pull.clone());
        Ok(pull)
    }

    /// Checks who may run the command, then runs it.
    async fn execute(&mut self, line: &CommandLine) -> Result<Outcome, WorkflowError> {
        let command = match &line.result {
            Ok(command) => command,
            Err(error) => {
                let invalid = Outcome::Invalid {
                    message: error.to_string(),
                    say: render_error(error, self.prefix),
                };
                return Ok(self.counted(line, invalid));
            }
        };
        if let Err(outcome) = self.admit(command, line).await? {
            tracing::info!(pr = %self.pr(), author = %self.login(), command = command.name(), outcome = %outcome.audit_text(), "command not run");
            return Ok(outcome);
        }
        let pr = self.pr().clone();
        let store = &self.executor.store;
        Ok(match command {
            Command::Help => Outcome::Done {
                say: Some(self.help().await?),
            },
            Command::Check => {
                self.evaluate().await?;
                Outcome::Done { say: None }
            }
            Command::Status => {
                let evaluation = self.evaluate().await?;
                let text = evaluation
                    .map_or_else(|| reply::NOT_EVALUATED.to_string(), |e| reply::status(&e));
                Outcome::Done { say: Some(text) }
            }
            Command::Template { name } => self.template(name.as_deref()).await?,
            Command::Skip { reason } => {
                let mut state = store.pr_state(&pr).await?;
                let by = self.login().0.clone();
                // A retry of the same command keeps the skip (and its time) as it is.
                let in_place = state
                    .skip
                    .as_ref()
                    .is_some_and(|s| s.by.eq_ignore_ascii_case(&by) && &s.reason == reason);
                if !in_place {
                    state.skip = Some(Skip {
                        by,
                        reason: reason.clone(),
                        at: self.invocation.received_at,
                    });
                    store.save_pr_state(&pr, &state).await?;
                }
                self.evaluate().await?;
                Outcome::Done { say: None }
            }
            Command::Unskip => {
                let mut state = store.pr_state(&pr).await?;
                if state.skip.take().is_some() {
                    store.save_pr_state(&pr, &state).await?;
                }
                self.evaluate().await?;
                Outcome::Done { say: None }
            }
            Command::Assign => {
                // Forget who was asked before, so that the evaluation asks everyone it would
                // ask on a new PR (minus those already requested or who reviewed).
                let mut state = store.pr_state(&pr).await?;
                if !state.requested.is_empty() {
                    state.requested.clear();
                    store.save_pr_state(&pr, &state).await?;
                }
                self.evaluate().await?;
                Outcome::Done { say: None }
            }
        })
    }

    /// `Ok(())` when the commenter may run `command` now, else the outcome that says why not.
    async fn admit(
        &mut self,
        command: &Command,
        line: &CommandLine,
    ) -> Result<Result<(), Outcome>, WorkflowError> {
        let access = &self.executor.access;
        let repo = &self.event.pr.repo;
        let refused = match command.audience() {
            Audience::Everyone => {
                return Ok(match self.throttled(line) {
                    Some(outcome) => Err(outcome),
                    None => Ok(()),
                });
            }
            Audience::WriteAccess => access
                .may_assign(self.client, repo, self.login())
                .await?
                .err(),
            Audience::ReviewTeamOrMaintainer => self.may_skip().await?.err(),
        };
        // Done commands that need a permission are never throttled (a flood of comments must
        // not keep a maintainer from skipping); refused ones count like any other.
        Ok(refused.map_or(Ok(()), |r| Err(self.counted(line, Outcome::Refused(r)))))
    }

    /// Counts `line` against the per-PR throttle: the outcome that says so when over it.
    fn throttled(&self, line: &CommandLine) -> Option<Outcome> {
        let key = format!("{}:{}", self.invocation.delivery_id, line.line);
        match self
            .executor
            .throttle
            .check(&self.pr().queue_key(), &key, Instant::now())
        {
            Verdict::Allowed => None,
            Verdict::Throttled { notify } => Some(Outcome::Throttled { notify }),
        }
    }

    /// `outcome` (a refusal or an invalid command) counted against the per-PR throttle: over
    /// it, the commenter hears about the throttle once instead of about each command.
    fn counted(&self, line: &CommandLine, outcome: Outcome) -> Outcome {
        self.throttled(line).unwrap_or(outcome)
    }

    async fn may_skip(&mut self) -> Result<Result<(), Refusal>, GithubError> {
        let author = self.pull().await?.author;
        let team = self.config.review.team();
        self.executor
            .access
            .may_skip(
                self.client,
                &self.event.pr.repo,
                &self.event.author,
                &author,
                &self.config.commands.skip_allowed(),
                team.as_ref(),
            )
            .await
    }

    /// Evaluates the PR now and publishes the result.
    async fn evaluate(
        &mut self,
    ) -> Result<Option<crate::review::evaluation::Evaluation>, WorkflowError> {
        let hints = Hints {
            default_branch: Some(self.default_branch.to_string()),
            ..Hints::default()
        };
        let evaluation = self
            .workflow
            .evaluate_report(self.client, &self.event.pr, hints)
            .await?;
        self.evaluated = true;
        Ok(evaluation)
    }

    /// The commands this commenter may use.
    async fn help(&mut self) -> Result<String, WorkflowError> {
        let write = self
            .executor
            .access
            .may_assign(self.client, &self.event.pr.repo, &self.event.author)
            .await?
            .is_ok();
        let skip = self.may_skip().await?.is_ok();
        Ok(help_text(self.prefix, |audience| match audience {
            Audience::Everyone => true,
            Audience::WriteAccess => write,
            Audience::ReviewTeamOrMaintainer => skip,
        }))
    }

    /// A fresh skeleton of `name`, or of the template of the PR's first design doc (else of
    /// the first `docs` entry's template). Only built-in templates and those the configuration
    /// names can be asked for: a comment must not read arbitrary files of the repository.
    async fn template(&mut self, name: Option<&str>) -> Result<Outcome, WorkflowError> {
        let head = self.pull().await?.head_sha;
        let name = match name {
            Some(name) => name.to_string(),
            None => self.default_template().await?,
        };
        let available = available_templates(self.config);
        let Some(name) = available
            .iter()
            .find(|t| t.eq_ignore_ascii_case(&name))
            .cloned()
        else {
            let listed: Vec<String> = available.iter().map(|t| code(t)).collect();
            return Ok(Outcome::Invalid {
                message: format!("no template named {name}"),
                say: format!(
                    "There is no template named {}. Templates: {}.",
                    code(&name),
                    listed.join(", ")
                ),
            });
        };
        let caches = DocCaches::default();
        let check = DocCheck {
            client: self.client,
            caches: &caches,
            repo: &self.event.pr.repo,
            head: &head,
            default_branch: self.default_branch,
            config: self.config,
        };
        Ok(match check.template(&name).await? {
            Ok(template) => Outcome::Done {
                say: Some(reply::template(&name, &checker::skeleton(&template))),
            },
            Err(message) => Outcome::Invalid {
                say: reply::template_unavailable(&name, &message),
                message: format!("template {name}: {message}"),
            },
        })
    }

    async fn default_template(&self) -> Result<String, GithubError> {
        let files = self
            .client
            .list_pull_files(&self.event.pr.repo, self.event.pr.number)
            .await?;
        let from_doc = docs::design_docs(self.config, &files)
            .ok()
            .and_then(|found| found.first().map(|(_, template)| template.clone()));
        Ok(from_doc
            .or_else(|| self.config.docs().first().map(|r| r.template.clone()))
            .unwrap_or_else(|| DEFAULT_TEMPLATE.to_string()))
    }

    /// The audit-log lines of a comment: one per state-changing or failed command.
    async fn audit_entries(
        &mut self,
        lines: &[CommandLine],
        outcomes: &[Outcome],
    ) -> Result<Vec<AuditEntry>, GithubError> {
        let mut entries = Vec::new();
        for (line, outcome) in lines.iter().zip(outcomes) {
            let state_changing = line.result.as_ref().is_ok_and(Command::is_state_changing);
            if state_changing || outcome.failed() {
                entries.push(self.audit_entry(line, outcome).await?);
            }
        }
        Ok(entries)
    }

    /// The audit-log line of a command.
    async fn audit_entry(
        &mut self,
        line: &CommandLine,
        outcome: &Outcome,
    ) -> Result<AuditEntry, GithubError> {
        let head_sha = match self.pull().await {
            Ok(pull) => Some(pull.head_sha),
            Err(error) if error.is_transient() => return Err(error),
            Err(_) => None,
        };
        Ok(AuditEntry {
            at: self.invocation.received_at,
            repo: self.event.pr.repo.to_string(),
            pr_number: self.event.pr.number,
            head_sha: head_sha.map(|CommitSha(sha)| sha),
            actor: self.event.author.0.clone(),
            command: line.text.clone(),
            reason: match &line.result {
                Ok(Command::Skip { reason }) => Some(reason.clone()),
                _ => None,
            },
            outcome: outcome.audit_outcome(),
        })
    }

    /// Posts the reply, unless a previous attempt of this delivery already did.
    async fn post_reply(&self, body: &str, marker: &str) -> Result<(), WorkflowError> {
        let pr = self.pr();
        if self.invocation.attempt > 1 {
            let posted = self
                .client
                .list_issue_comments(&pr.repo, pr.number)
                .await?
                .iter()
                .any(|c| c.author_is_bot && c.body.contains(marker));
            if posted {
                return Ok(());
            }
        }
        tolerate(
            self.client
                .create_issue_comment(&pr.repo, pr.number, body)
                .await
                .map(|_| ()),
            "reply",
        )?;
        Ok(())
    }
}

/// Reacts on the comment: 👍 when a command was done, 😕 when one failed (both when both).
async fn react_to_outcomes(
    client: &InstallationClient,
    repo: &RepoName,
    comment: CommentId,
    outcomes: &[Outcome],
) -> Result<(), GithubError> {
    if outcomes.iter().any(|o| !o.failed()) {
        tolerate(
            client.add_reaction(repo, comment, Reaction::PlusOne).await,
            "+1 reaction",
        )?;
    }
    if outcomes.iter().any(Outcome::failed) {
        tolerate(
            client.add_reaction(repo, comment, Reaction::Confused).await,
            "confused reaction",
        )?;
    }
    Ok(())
}

/// What the reply says about each command line, if anything. A command done silently is
/// confirmed in words only when there is no comment to react on (a review body).
fn what_to_say(
    lines: &[CommandLine],
    outcomes: &[Outcome],
    no_reactions: bool,
) -> Vec<(String, Said)> {
    lines
        .iter()
        .zip(outcomes)
        .filter_map(|(line, outcome)| {
            let said = match outcome {
                Outcome::Done { say: Some(text) } => Said::Text(text.clone()),
                Outcome::Done { say: None } if no_reactions => {
                    Said::Text(reply::confirmation(line.result.as_ref().ok()?)?.to_string())
                }
                Outcome::Done { say: None } => return None,
                Outcome::Refused(refusal) => Said::Refused(refusal.clone()),
                Outcome::Throttled { notify: true } => {
                    Said::Notice(reply::throttled(&Refusal::Throttled))
                }
                Outcome::Throttled { notify: false } => return None,
                Outcome::Invalid { say, .. } => Said::Text(say.clone()),
            };
            Some((line.text.clone(), said))
        })
        .collect()
}

/// Passes transient failures on (the delivery is retried) and logs the rest: GitHub refusing
/// a reaction or a reply (the comment was deleted, the conversation locked) would refuse it
/// again on every retry.
fn tolerate(result: Result<(), GithubError>, what: &str) -> Result<(), GithubError> {
    match result {
        Ok(()) => Ok(()),
        Err(error) if error.is_transient() || matches!(error, GithubError::Unauthorized) => {
            Err(error)
        }
        Err(error) => {
            tracing::warn!(%error, "GitHub refused the {what}; going on");
            Ok(())
        }
    }
}

/// Whether `body` contains `prefix`, ignoring case (a cheap test before parsing).
fn mentions(body: &str, prefix: &str) -> bool {
    body.to_lowercase().contains(&prefix.trim().to_lowercase())
}

/// Built-in templates and the templates the configuration names, in that order.
fn available_templates(config: &RepoConfig) -> Vec<String> {
    let mut names: Vec<String> = checker::builtin_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let configured = config
        .docs()
        .into_iter()
        .map(|rule| rule.template)
        .chain(config.templates.keys().cloned());
    for name in configured {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// The same command of the same delivery (the head may have moved between attempts).
fn same_command(a: &AuditEntry, b: &AuditEntry) -> bool {
    a.at == b.at
        && a.repo == b.repo
        && a.pr_number == b.pr_number
        && a.actor == b.actor
        && a.command == b.command
        && a.reason == b.reason
        && a.outcome == b.outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_found_whatever_their_case() {
        assert!(mentions("Please /Design-Review CHECK", "/design-review"));
        assert!(!mentions("looks good to me", "/design-review"));
        assert!(mentions("!DR skip x", "!dr"));
    }

    #[test]
    fn audit_outcomes_follow_the_documented_forms() {
        assert_eq!(Outcome::Done { say: None }.audit_text(), "done");
        assert!(
            Outcome::Refused(Refusal::OwnPullRequest)
                .audit_text()
                .starts_with("refused: the author")
        );
        assert!(
            Outcome::Throttled { notify: false }
                .audit_text()
                .starts_with("refused: at most")
        );
        let invalid = Outcome::Invalid {
            message: "unknown command `skp`".into(),
            say: String::new(),
        };
        assert_eq!(invalid.audit_text(), "invalid: unknown command `skp`");
    }

    #[test]
    fn configured_templates_are_available_besides_the_built_in_ones() {
        let config = RepoConfig::parse(
            "docs:\n  - paths: [\"adr/**/*.md\"]\n    template: docs/templates/adr.md\n",
        )
        .expect("valid config");
        let names = available_templates(&config);
        assert!(names.contains(&DEFAULT_TEMPLATE.to_string()));
        assert_eq!(
            names.last().map(String::as_str),
            Some("docs/templates/adr.md")
        );
    }
}
