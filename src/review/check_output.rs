//! The check run's report: title, summary with how to fix each gap, line annotations (pure).

use std::fmt::Write;

use crate::{
    checker::{self, GapKind, Severity},
    github::models::{Annotation, AnnotationLevel, CheckRunOutput},
};

use super::{
    approvals::mention_text,
    docs::DocResult,
    evaluation::{Evaluation, error_count, plural, verdict},
    limits::{MAX_SUMMARY, fit},
};

/// Builds the check run's output for an evaluation.
pub fn output(evaluation: &Evaluation) -> CheckRunOutput {
    let (_, title) = verdict(evaluation);
    let mut head = String::new();
    let mut body = String::new();
    if let Some(skip) = &evaluation.skip {
        // The reason is whatever the commenter wrote: escaped as in the sticky comment, so it
        // can neither format the summary nor mention anyone.
        let _ = writeln!(
            head,
            "The design review of this pull request was **skipped** by @{} on {}.\n\n> {}\n",
            skip.by,
            skip.at.format("%Y-%m-%d %H:%M UTC"),
            checker::render::markdown::escape(&skip.reason)
        );
    }
    for problem in evaluation.base_problem.iter().chain(&evaluation.problems) {
        let _ = writeln!(
            head,
            "**{}**: {}\n",
            checker::render::markdown::escape(&problem.file),
            checker::render::markdown::escape(&problem.error.to_string())
        );
    }
    if evaluation.docs.is_empty() && evaluation.base_problem.is_none() {
        head.push_str("No file of this pull request matches the design-doc paths configured in `.github/design-review.yml`.\n");
    }
    if !evaluation.docs.is_empty() {
        head.push_str("| Design doc | Template | Errors | Warnings |\n|---|---|---|---|\n");
        for doc in &evaluation.docs {
            let warnings = match &doc.result {
                DocResult::Checked(report) => report.warnings(),
                DocResult::Unreadable(_) => 0,
            };
            let _ = writeln!(
                head,
                "| [`{}`]({}) | {} | {} | {} |",
                doc.path.replace('`', "'"),
                blob_url(evaluation, &doc.path),
                template_link(evaluation, &doc.template),
                error_count(doc),
                warnings
            );
        }
        head.push('\n');
        if !evaluation.gate.satisfied() || !evaluation.gate.approvers.is_empty() {
            head.push_str(&approvals_summary(evaluation));
        }
    }
    for doc in &evaluation.docs {
        match &doc.result {
            DocResult::Checked(report) if report.gaps.is_empty() => {}
            DocResult::Checked(report) => {
                let _ = writeln!(
                    body,
                    "### `{}`\n\n{}",
                    doc.path.replace('`', "'"),
                    checker::render_markdown_gaps(
                        &report.gaps,
                        Some(&blob_url(evaluation, &doc.path))
                    )
                );
            }
            DocResult::Unreadable(reason) => {
                let _ = writeln!(
                    body,
                    "### `{}`\n\n- [ ] {reason}\n",
                    doc.path.replace('`', "'")
                );
            }
        }
    }
    let tail = format!(
        "\n---\nStart from a fresh skeleton with `{} template`, or lint locally with `design-review check FILE`.\n",
        evaluation.command_prefix
    );
    let summary = fit(
        &head,
        &body,
        &tail,
        "_The gap list was cut to fit GitHub's limit: see the annotations, or run `design-review check` locally for the full list._",
        MAX_SUMMARY,
    );
    CheckRunOutput {
        title,
        summary,
        text: None,
        annotations: annotations(evaluation),
    }
}

/// What the approvals gate says, for the summary.
pub fn approvals_summary(evaluation: &Evaluation) -> String {
    let gate = &evaluation.gate;
    let mut out = String::new();
    if !gate.approvers.is_empty() {
        let _ = writeln!(
            out,
            "Approved by {}.",
            gate.approvers
                .iter()
                .map(|l| format!("@{l}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    for missing in gate.missing() {
        let _ = writeln!(out, "Waiting for {missing}.");
    }
    if !gate.stale.is_empty() {
        let _ = writeln!(
            out,
            "No longer counted (a design doc changed after the approval): {}.",
            gate.stale
                .iter()
                .map(|l| format!("@{l}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    for team in &gate.unreadable_teams {
        let _ = writeln!(
            out,
            "The membership of @{team} could not be read (the organisation has not granted this \
             App the `Members: read` permission), so approvals from its members cannot be counted."
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
                            "`{}`: {}",
                            s.service,
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

/// One annotation per gap, on the doc's line.
fn annotations(evaluation: &Evaluation) -> Vec<Annotation> {
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
                        annotation_level: match gap.severity {
                            Severity::Error => AnnotationLevel::Failure,
                            Severity::Warning => AnnotationLevel::Warning,
                        },
                        message: gap.message.clone(),
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
        path.split('/')
            .map(|s| urlencoding::encode(s).into_owned())
            .collect::<Vec<_>>()
            .join("/")
    )
}

/// Where the built-in templates are published: this project's repository.
const BUILTIN_TEMPLATES_URL: &str =
    concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/config/templates");

/// A link to the template: a built-in one in this project's repository, a repository template
/// on the default branch.
pub fn template_link(evaluation: &Evaluation, template: &str) -> String {
    if checker::builtin_template(template).is_some() {
        format!("[`{template}`]({BUILTIN_TEMPLATES_URL}/{template}.md) (built-in)")
    } else {
        format!(
            "[`{template}`]({}/blob/{}/{template})",
            evaluation.web_base, evaluation.default_branch
        )
    }
}
