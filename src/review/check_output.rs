//! The check run's report: title, summary with how to fix each gap, line annotations (pure).

use std::fmt::Write;

use crate::{
    checker::{self, GapKind, Severity},
    domain::Login,
    gfm,
    github::models::{Annotation, AnnotationLevel, CheckRunOutput},
};

use super::{
    approvals::{Gate, mention_text},
    docs::{DocOutcome, DocResult},
    evaluation::{Evaluation, Unseen, error_count, plural, verdict},
    gap_list::{self, Group},
    limits::{
        Layout, MAX_ANNOTATION_MESSAGE, MAX_ANNOTATION_TITLE, MAX_ANNOTATIONS, MAX_ECHOED,
        MAX_SUMMARY, clip,
    },
};

/// Most names shown on one line (approvers, reviewers); the rest are counted.
const NAMES_PER_LINE: usize = 50;

/// Builds the check run's output for an evaluation.
pub fn output(evaluation: &Evaluation) -> CheckRunOutput {
    let (_, title) = verdict(evaluation);
    let files = files_url(evaluation);
    let mut layout = Layout::new();
    if let Some(skip) = &evaluation.skip {
        // The reason is whatever the commenter wrote: escaped as in the sticky comment, so it
        // can neither format the summary nor mention anyone.
        layout.text(format!(
            "The design review of this pull request was **skipped** by @{} on {}.\n\n> {}\n\n{}\n\n",
            skip.by,
            skip.at.format("%Y-%m-%d %H:%M UTC"),
            gfm::escape(&clip(&skip.reason, MAX_ECHOED * 4)),
            skipped_note(evaluation)
        ));
    }
    layout.list(problem_lines(evaluation, "", "\n"), |n| {
        format!("…and {n} more configuration problems.\n\n")
    });
    for unseen in &evaluation.unseen {
        layout.text(format!("⚠️ {}\n\n", unseen_advice(unseen)));
    }
    if evaluation.docs.is_empty()
        && evaluation.base_problem.is_none()
        && evaluation.unseen.is_empty()
    {
        layout.text("No file of this pull request matches the design-doc paths configured in `.github/design-review.yml`.\n");
    }
    if !evaluation.docs.is_empty() {
        layout.text("| Design doc | Template | Errors | Warnings |\n|---|---|---|---|\n");
        let rows = evaluation.docs.iter().map(|doc| table_row(evaluation, doc));
        let more_files = files.clone();
        layout.list(rows.collect(), move |n| {
            format!("\n…and {n} more design docs: see [the changed files]({more_files}).\n")
        });
        layout.text("\n");
        let skipped = evaluation.skip.is_some();
        if !skipped && (!evaluation.gate.satisfied() || !evaluation.gate.approvers.is_empty()) {
            layout.text(approvals_summary(evaluation));
        }
        if !skipped && evaluation.held_reviewers.is_some() {
            layout.text("Reviewers will be requested once every design doc is complete.\n\n");
        }
        if let Some(over) = &evaluation.reviewers_over_limit {
            layout.text(reviewers_over_limit(over.left_out, over.limit));
        }
        let gaps = gap_count(evaluation);
        if gaps > MAX_ANNOTATIONS {
            layout.text(format!(
                "The first {MAX_ANNOTATIONS} of {gaps} findings are annotated on [the changed files]({files}); the pull request's comment lists them all.\n\n"
            ));
        } else if gaps > 0 {
            layout.text(format!(
                "Each gap is annotated on its line in [the changed files]({files}); the pull request's comment has the checklist.\n\n"
            ));
        }
    }
    layout.text(format!(
        "---\nStart from a fresh skeleton with `{} template`, or lint locally with `design-review check FILE`.\n",
        evaluation.command_prefix
    ));
    CheckRunOutput {
        title,
        summary: layout.render(MAX_SUMMARY),
        text: None,
        annotations: annotations(evaluation),
    }
}

/// One row of the docs table.
fn table_row(evaluation: &Evaluation, doc: &DocOutcome) -> String {
    let unknown_services = evaluation
        .unknown_services
        .iter()
        .filter(|u| u.path == doc.path)
        .count();
    let warnings = unknown_services
        + match &doc.result {
            DocResult::Checked(report) => report.warnings(),
            DocResult::Unreadable(_) => 0,
        };
    format!(
        "| [{}]({}) | {} | {} | {} |\n",
        shown_path(&doc.path),
        blob_url(evaluation, &doc.path),
        template_ref(evaluation, &doc.template),
        error_count(doc),
        warnings
    )
}

/// The configuration problems, one line each, between `before` and `after`.
pub(crate) fn problem_lines(evaluation: &Evaluation, before: &str, after: &str) -> Vec<String> {
    evaluation
        .base_problem
        .iter()
        .chain(&evaluation.problems)
        .map(|problem| {
            format!(
                "{before}**{}**: {}\n{after}",
                gfm::escape(&clip(&problem.file, MAX_ECHOED)),
                gfm::escape(&clip(&problem.error.to_string(), MAX_ECHOED * 4))
            )
        })
        .collect()
}

/// What was not looked at, and what to do about it.
pub(crate) fn unseen_advice(unseen: &Unseen) -> String {
    let advice = match unseen {
        Unseen::Files(_) => "Split the pull request so that GitHub lists all of its files.",
        Unseen::Docs { .. } => {
            "Split the pull request, or raise `limits.docs_per_pr` in `.github/design-review.yml`."
        }
    };
    format!("**{}.** {advice}", unseen.describe())
}

/// What a skip means for the reviews, and how to undo it: shown instead of the approvals, which
/// do not matter while the review is skipped.
pub(crate) fn skipped_note(evaluation: &Evaluation) -> String {
    format!(
        "No review is required while the design review is skipped; `{} unskip` requires it again.",
        evaluation.command_prefix
    )
}

/// The note shown when `limits.reviewers_per_pr` stopped review requests.
pub(crate) fn reviewers_over_limit(left_out: usize, limit: usize) -> String {
    format!(
        "The limit of {limit} review requests per pull request (`limits.reviewers_per_pr`) was reached: {} not requested.\n\n",
        plural(left_out, "more reviewer")
    )
}

/// A doc's path as shown: clipped and escaped as code.
pub(crate) fn shown_path(path: &str) -> String {
    gfm::code(&clip(path, MAX_ECHOED))
}

/// `names` joined with `, `, at most [`NAMES_PER_LINE`] of them, then how many more.
pub(crate) fn names(names: impl IntoIterator<Item = String>) -> String {
    let mut shown = Vec::new();
    let mut more = 0;
    for name in names {
        if shown.len() < NAMES_PER_LINE {
            shown.push(name);
        } else {
            more += 1;
        }
    }
    let mut line = shown.join(", ");
    if more > 0 {
        let _ = write!(line, " and {more} more");
    }
    line
}

/// The PR's changed files on the web: where whatever is cut from our output can be seen.
pub fn files_url(evaluation: &Evaluation) -> String {
    format!(
        "{}/pull/{}/files",
        evaluation.web_base, evaluation.pr.number.0
    )
}

/// Annotated findings: every gap, every unreadable doc and every unknown service.
fn gap_count(evaluation: &Evaluation) -> usize {
    all_annotations(evaluation).len()
}

/// What the approvals gate says, for the summary.
pub fn approvals_summary(evaluation: &Evaluation) -> String {
    let gate = &evaluation.gate;
    let mut out = String::new();
    if !gate.approvers.is_empty() {
        let _ = writeln!(
            out,
            "Approved by {}.",
            names(gate.approvers.iter().map(|l| approver(gate, l)))
        );
    }
    for missing in gate.missing_markdown() {
        let _ = writeln!(out, "Waiting for {missing}.");
    }
    if !gate.stale.is_empty() {
        let _ = writeln!(
            out,
            "No longer counted (a design doc changed after the approval): {}.",
            names(gate.stale.iter().map(|l| format!("@{l}")))
        );
    }
    if !gate.unverified.is_empty() {
        out.push_str(
            "An organisation owner can grant this App the `Members: read` permission so that \
             such approvals are counted.\n",
        );
    }
    if let Some(team) = &gate.team {
        let _ = writeln!(
            out,
            "Required: {} from @{}{}.",
            plural(team.needed as usize, "approval"),
            team.team,
            if gate.services.is_empty() {
                String::new()
            } else {
                format!(
                    ", and one from the owners of each affected service ({})",
                    gate.services
                        .iter()
                        .map(|s| format!(
                            "{}: {}",
                            gfm::code(&clip(&s.service, MAX_ECHOED)),
                            s.owners
                                .iter()
                                .map(mention_text)
                                .collect::<Vec<_>>()
                                .join(" ")
                        ))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        );
    }
    out.push('\n');
    out
}

/// An approver as listed, with the teams their approval could not be counted for.
fn approver(gate: &Gate, login: &Login) -> String {
    let teams: Vec<String> = gate
        .unverified_teams(login)
        .iter()
        .map(|team| format!("@{team}"))
        .collect();
    match teams.len() {
        0 => format!("@{login}"),
        1 => format!(
            "@{login} (not counted for {}: its membership could not be read)",
            teams[0]
        ),
        _ => format!(
            "@{login} (not counted for {}: their membership could not be read)",
            teams.join(" or ")
        ),
    }
}

/// One annotation per gap, on the doc's line: the first [`MAX_ANNOTATIONS`] of them.
fn annotations(evaluation: &Evaluation) -> Vec<Annotation> {
    let mut out = all_annotations(evaluation);
    out.truncate(MAX_ANNOTATIONS);
    for annotation in &mut out {
        annotation.message = clip(&annotation.message, MAX_ANNOTATION_MESSAGE);
        annotation.title = annotation
            .title
            .as_deref()
            .map(|t| clip(t, MAX_ANNOTATION_TITLE));
    }
    out
}

fn all_annotations(evaluation: &Evaluation) -> Vec<Annotation> {
    let mut out = Vec::new();
    for doc in &evaluation.docs {
        match &doc.result {
            DocResult::Checked(report) => {
                for gap in &report.gaps {
                    let line = u32::try_from(gap.line.max(1)).unwrap_or(u32::MAX);
                    out.push(Annotation {
                        path: doc.path.clone(),
                        start_line: line,
                        end_line: line,
                        annotation_level: match (gap.severity, Group::of(gap)) {
                            (Severity::Error, _) => AnnotationLevel::Failure,
                            (Severity::Warning, Group::Suggestions) => AnnotationLevel::Notice,
                            (Severity::Warning, _) => AnnotationLevel::Warning,
                        },
                        message: gap_list::guidance(gap),
                        title: Some(format!("{}: {}", kind_title(gap.kind), gap.section)),
                        raw_details: None,
                    });
                }
            }
            DocResult::Unreadable(reason) => out.push(Annotation {
                path: doc.path.clone(),
                start_line: 1,
                end_line: 1,
                annotation_level: AnnotationLevel::Failure,
                message: reason.clone(),
                title: Some("Design doc not checked".to_string()),
                raw_details: None,
            }),
        }
        out.extend(
            evaluation
                .unknown_services
                .iter()
                .filter(|u| u.path == doc.path)
                .map(|u| Annotation {
                    path: doc.path.clone(),
                    start_line: u32::try_from(u.line.max(1)).unwrap_or(u32::MAX),
                    end_line: u32::try_from(u.line.max(1)).unwrap_or(u32::MAX),
                    annotation_level: AnnotationLevel::Warning,
                    message: u.message(),
                    title: Some(format!("Unknown service: {}", u.service)),
                    raw_details: None,
                }),
        );
    }
    out
}

fn kind_title(kind: GapKind) -> &'static str {
    match kind {
        GapKind::MissingSection => "Missing section",
        GapKind::EmptySection => "Empty section",
        GapKind::PlaceholderSection => "Template text left in",
        GapKind::MissingField => "Missing field",
        GapKind::EmptyField => "Empty field",
        GapKind::PlaceholderField => "Example value left in",
        GapKind::OutOfOrder => "Section out of order",
    }
}

/// Link to a doc at the evaluated head.
pub fn blob_url(evaluation: &Evaluation, path: &str) -> String {
    format!(
        "{}/blob/{}/{}",
        evaluation.web_base,
        evaluation.head,
        encoded_path(path)
    )
}

/// The template a doc was checked against: a repository template links to its file on the
/// default branch; a built-in one has no file in the repository, so the command that posts its
/// skeleton is named instead.
pub fn template_ref(evaluation: &Evaluation, template: &str) -> String {
    if checker::builtin_template(template).is_some() {
        format!(
            "{} (built-in; `{} template` posts a skeleton)",
            gfm::code(template),
            evaluation.command_prefix
        )
    } else {
        format!(
            "[{}]({}/blob/{}/{})",
            gfm::code(&clip(template, MAX_ECHOED)),
            evaluation.web_base,
            crate::uri::component(&evaluation.default_branch),
            encoded_path(template)
        )
    }
}

/// A repository path percent-encoded segment by segment, for a URL.
fn encoded_path(path: &str) -> String {
    path.split('/')
        .map(crate::uri::component)
        .collect::<Vec<_>>()
        .join("/")
}
