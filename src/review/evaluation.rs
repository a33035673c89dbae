//! Everything one evaluation of a PR found, and the verdict that follows from it (pure).

use crate::{
    domain::{CommitSha, PrRef},
    store::{ReviewRequest, Skip},
};

use super::{
    approvals::Gate,
    docs::{DocOutcome, Partial},
    repo_config::ConfigProblem,
};

/// The facts of one evaluation, as the renderers need them.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub pr: PrRef,
    pub head: CommitSha,
    /// Web address of the repository (`https://github.com/acme/widgets`, or the GHES host).
    pub web_base: String,
    pub default_branch: String,
    pub docs: Vec<DocOutcome>,
    /// What the evaluation could not look at: the check then cannot pass.
    pub unseen: Vec<Unseen>,
    /// The base configuration is invalid: the check fails whatever the docs say.
    pub base_problem: Option<ConfigProblem>,
    /// Configuration or template files changed by the PR that do not parse, and templates that
    /// could not be loaded.
    pub problems: Vec<ConfigProblem>,
    pub gate: Gate,
    /// Review requests made on this PR (with GitHub's refusals).
    pub requests: Vec<ReviewRequest>,
    /// Candidates that could not be requested, with why.
    pub not_requested: Vec<(String, String)>,
    /// Reviewers left unrequested because `limits.reviewers_per_pr` was reached.
    pub reviewers_over_limit: Option<OverLimit>,
    /// Reviewers are not requested yet because the PR is a draft.
    pub draft_waiting: bool,
    /// Reviewers not requested yet because a doc still has an error gap (`review.request_when:
    /// complete`): who will be asked once every doc is complete.
    pub held_reviewers: Option<Vec<String>>,
    /// Who owns the services the docs list.
    pub ownership: super::ownership::Ownership,
    /// Services the docs list that no owner source knows (a typo must not skip an approval).
    pub unknown_services: Vec<UnknownService>,
    pub skip: Option<Skip>,
    pub command_prefix: String,
}

/// A service listed under "Services Affected" that neither `service_owners` nor CODEOWNERS
/// knows: shown as a warning on its doc, naming the services that are known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownService {
    /// The doc that lists it.
    pub path: String,
    pub service: String,
    /// The doc's line that names it (1 when not found).
    pub line: usize,
    /// The services the configuration knows, in order.
    pub known: Vec<String>,
}

impl UnknownService {
    /// The warning, plain text (escaped by whoever renders it).
    pub fn message(&self) -> String {
        let known = if self.known.is_empty() {
            "none is configured (`review.service_owners`)".to_string()
        } else {
            format!("known services: {}", self.known.join(", "))
        };
        format!(
            "\"{}\" is not a service this repository knows, so no owner is asked to approve for it; {known}.",
            self.service
        )
    }
}

/// Part of a pull request the evaluation did not look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unseen {
    /// GitHub's files list was cut short and the rest of the changes could not be found.
    Files(Partial),
    /// More design docs than `limits.docs_per_pr`: only the first `checked` were checked.
    Docs { found: usize, checked: usize },
}

impl Unseen {
    /// One sentence saying what was not looked at (plain text: numbers and our words only).
    pub fn describe(&self) -> String {
        match self {
            Unseen::Files(Partial { listed, changed }) => format!(
                "This pull request changes {changed} files; GitHub lists only the first {listed} \
                 and the rest could not be read, so design docs among them were not checked"
            ),
            Unseen::Docs { found, checked } => format!(
                "{found} design docs changed; the first {checked} were checked \
                 (limits.docs_per_pr)"
            ),
        }
    }
}

/// Review candidates not requested because the per-PR limit was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverLimit {
    /// Candidates left out.
    pub left_out: usize,
    /// The limit in force.
    pub limit: usize,
}

/// What the check run says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conclusion {
    Success,
    Failure,
    /// Docs complete, approvals missing: the check stays `in_progress`.
    WaitingForApprovals,
}

/// The verdict: conclusion and one-line title.
pub fn verdict(evaluation: &Evaluation) -> (Conclusion, String) {
    if let Some(problem) = &evaluation.base_problem {
        let file = problem.file.rsplit(':').next().unwrap_or(&problem.file);
        return (Conclusion::Failure, format!("Invalid {file}"));
    }
    if let Some(skip) = &evaluation.skip {
        return (
            Conclusion::Success,
            format!("Design review skipped by @{}", skip.by),
        );
    }
    if !evaluation.problems.is_empty() {
        let what = if evaluation
            .problems
            .iter()
            .any(|p| p.file.starts_with(super::repo_config::CONFIG_PATH))
        {
            format!(
                "Invalid {} in this pull request",
                super::repo_config::CONFIG_PATH
            )
        } else {
            "A design-review template does not load".to_string()
        };
        return (Conclusion::Failure, what);
    }
    if let Some(unseen) = evaluation.unseen.first() {
        return (Conclusion::Failure, unseen.describe());
    }
    if evaluation.docs.is_empty() {
        return (
            Conclusion::Success,
            "No design documents in this pull request".to_string(),
        );
    }
    let failing = evaluation.docs.iter().filter(|d| !d.passes()).count();
    if failing > 0 {
        let errors: usize = evaluation.docs.iter().map(error_count).sum();
        return (
            Conclusion::Failure,
            format!(
                "{} to fix in {} of {} design doc{}",
                plural(errors, "gap"),
                failing,
                evaluation.docs.len(),
                if evaluation.docs.len() == 1 { "" } else { "s" }
            ),
        );
    }
    if !evaluation.gate.satisfied() {
        return (
            Conclusion::WaitingForApprovals,
            format!("Waiting for {}", evaluation.gate.missing().join("; ")),
        );
    }
    (
        Conclusion::Success,
        "Design docs complete and approved".to_string(),
    )
}

/// Error-severity gaps of a doc (an unreadable doc counts as one).
pub fn error_count(doc: &DocOutcome) -> usize {
    match &doc.result {
        super::docs::DocResult::Checked(report) => report.errors(),
        super::docs::DocResult::Unreadable(_) => 1,
    }
}

/// `1 gap`, `3 gaps`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
