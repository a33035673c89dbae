//! What an evaluation leaves for the web pages (pure): the [`ReviewRecord`] the store keeps
//! about a pull request after each published evaluation.

use crate::{
    checker::Severity,
    github::models::PullRequest,
    store::reviews::{DocDetail, GapDetail, Requirement, ReviewDetail, ReviewRecord, ReviewState},
};

use super::{
    approvals::mention_text,
    docs::DocResult,
    evaluation::{Conclusion, Evaluation, verdict},
};

/// The record of `evaluation` of `pull`, made at `at`.
pub fn review_record(
    pull: &PullRequest,
    evaluation: &Evaluation,
    at: chrono::DateTime<chrono::Utc>,
) -> ReviewRecord {
    let (conclusion, reason) = verdict(evaluation);
    let state = state_of(evaluation, conclusion);
    let requirements = requirements(evaluation);
    let requested: Vec<String> = evaluation
        .requests
        .iter()
        .filter(|r| r.error.is_none())
        .map(|r| r.reviewer.clone())
        .collect();
    let approved: Vec<String> = evaluation
        .gate
        .approvers
        .iter()
        .map(|l| format!("@{}", l.0.to_ascii_lowercase()))
        .collect();
    let awaited = if state == ReviewState::Awaiting {
        awaited(evaluation, &requested, &approved)
    } else {
        Vec::new()
    };
    ReviewRecord {
        repo: evaluation.pr.repo.to_string(),
        number: evaluation.pr.number.0 as i64,
        title: pull.title.clone(),
        author: pull.author.0.clone(),
        head_sha: evaluation.head.0.clone(),
        state,
        reason,
        team: evaluation.gate.team.as_ref().map(|t| t.team.to_string()),
        requested,
        awaited,
        detail: ReviewDetail {
            web_base: evaluation.web_base.clone(),
            docs: evaluation.docs.iter().map(doc_detail).collect(),
            requirements,
            approved_by: approved,
            stale: evaluation
                .gate
                .stale
                .iter()
                .map(|l| format!("@{}", l.0))
                .collect(),
            not_requested: evaluation.not_requested.clone(),
            skip: evaluation.skip.clone(),
            problems: evaluation
                .base_problem
                .iter()
                .chain(&evaluation.problems)
                .map(|p| format!("{}: {}", p.file, p.error))
                .collect(),
            draft: evaluation.draft_waiting,
        },
        at,
    }
}

/// The board's state, in the verdict's order of precedence.
fn state_of(evaluation: &Evaluation, conclusion: Conclusion) -> ReviewState {
    match conclusion {
        Conclusion::WaitingForApprovals => ReviewState::Awaiting,
        Conclusion::Failure
            if evaluation.base_problem.is_some() || !evaluation.problems.is_empty() =>
        {
            ReviewState::Invalid
        }
        Conclusion::Failure => ReviewState::Gaps,
        Conclusion::Success if evaluation.skip.is_some() => ReviewState::Skipped,
        Conclusion::Success if evaluation.docs.is_empty() => ReviewState::NoDocs,
        Conclusion::Success => ReviewState::Approved,
    }
}

fn requirements(evaluation: &Evaluation) -> Vec<Requirement> {
    let login = |l: &crate::domain::Login| format!("@{}", l.0);
    let team = evaluation.gate.team.iter().map(|t| Requirement {
        who: format!("@{}", t.team),
        needed: t.needed,
        approved_by: t.approved_by.iter().map(login).collect(),
    });
    let services = evaluation.gate.services.iter().map(|s| Requirement {
        who: format!(
            "an owner of {} ({})",
            s.service,
            s.owners
                .iter()
                .map(mention_text)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        needed: 1,
        approved_by: s.approved_by.iter().map(login).collect(),
    });
    team.chain(services).collect()
}

/// Who the review waits on: the required parties not yet satisfied, and the people asked who
/// have not approved.
fn awaited(evaluation: &Evaluation, requested: &[String], approved: &[String]) -> Vec<String> {
    let key = |text: String| text.to_ascii_lowercase();
    let mut awaited: Vec<String> = Vec::new();
    if let Some(team) = evaluation.gate.team.as_ref()
        && (team.approved_by.len() as u32) < team.needed
    {
        awaited.push(key(format!("@{}", team.team)));
    }
    for service in evaluation
        .gate
        .services
        .iter()
        .filter(|s| s.approved_by.is_none())
    {
        awaited.extend(service.owners.iter().map(|o| key(mention_text(o))));
    }
    for reviewer in requested {
        if !approved.contains(reviewer) && !reviewer.contains('/') {
            awaited.push(reviewer.clone());
        }
    }
    awaited.sort();
    awaited.dedup();
    awaited
}

fn doc_detail(doc: &super::docs::DocOutcome) -> DocDetail {
    let (unreadable, gaps) = match &doc.result {
        DocResult::Checked(report) => (
            None,
            report
                .gaps
                .iter()
                .map(|g| GapDetail {
                    severity: match g.severity {
                        Severity::Error => "error",
                        Severity::Warning => "warning",
                    }
                    .to_string(),
                    section: g.section.clone(),
                    line: g.line as u32,
                    message: g.message.clone(),
                })
                .collect(),
        ),
        DocResult::Unreadable(why) => (Some(why.clone()), Vec::new()),
    };
    DocDetail {
        path: doc.path.clone(),
        template: doc.template.clone(),
        unreadable,
        gaps,
    }
}

/// The details page of `pr` under the server's public address, for the check run's *Details*
/// link; `None` when PUBLIC_URL is not set (GitHub then links to the App's page).
pub fn details_url(public_url: Option<&url::Url>, pr: &crate::domain::PrRef) -> Option<String> {
    let base = public_url?.as_str().trim_end_matches('/');
    Some(format!(
        "{base}/reviews/{}/{}/{}",
        crate::uri::component(&pr.repo.owner),
        crate::uri::component(&pr.repo.name),
        pr.number.0
    ))
}
