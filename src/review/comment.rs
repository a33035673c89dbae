//! The sticky PR comment: one per PR, found again by a hidden marker, edited in place (pure
//! rendering here; publishing is in `publish`).

use std::fmt::Write;

use crate::{commands, gfm};

use super::{
    check_output::{
        approvals_summary, blob_url, files_url, names, problem_lines, reviewers_over_limit,
        shown_path, skipped_note, template_ref, unseen_advice,
    },
    docs::{DocOutcome, DocResult},
    evaluation::{Conclusion, Evaluation, verdict},
    gap_list,
    limits::{Layout, MAX_COMMENT, MAX_ECHOED, clip},
};

/// Hidden marker that identifies our comment among a PR's comments.
pub const MARKER: &str = "<!-- design-review:sticky-comment -->";

/// The comment body for an evaluation, trimmed to GitHub's limit: each cut list ends with how
/// many of its lines were left out and a link to the PR's changed files.
///
/// It reads top down: one status line saying where the PR stands and when reviewers are asked,
/// a compact list per doc (one line per kind of gap), the guidance for each gap collapsed, then
/// the reviews. The check run carries the table and the annotations, not this checklist.
pub fn body(evaluation: &Evaluation) -> String {
    let files = files_url(evaluation);
    let mut layout = Layout::new();
    layout.text(format!("{MARKER}\n{}\n\n", status_line(evaluation)));
    if let Some(skip) = &evaluation.skip {
        layout.text(format!(
            "Skipped by {} on {}: {}\n\n",
            gfm::escape(&format!("@{}", skip.by)),
            skip.at.format("%Y-%m-%d %H:%M UTC"),
            gfm::escape(&clip(&skip.reason, MAX_ECHOED * 4))
        ));
    }
    let problems = problem_lines(evaluation, "- ", "");
    let had_problems = !problems.is_empty();
    layout.list(problems, |n| {
        format!("- …and {n} more configuration problems\n")
    });
    if had_problems {
        layout.text("\n");
    }
    for unseen in &evaluation.unseen {
        layout.text(format!("⚠️ {}\n\n", unseen_advice(unseen)));
    }
    let more_files = files.clone();
    layout.list(compact_list(evaluation), move |n| {
        format!(
            "…and {n} more lines: see the check run, and the annotations on [the changed files]({more_files}).\n\n"
        )
    });
    let checklist = checklist(evaluation);
    if !checklist.is_empty() {
        layout.text("<details><summary>How to fix each gap</summary>\n\n");
        let more_files = files.clone();
        layout.list(checklist, move |n| {
            format!(
                "\n…and {n} more gaps: see the annotations on [the changed files]({more_files}).\n"
            )
        });
        layout.text("\n</details>\n\n");
    }
    if !evaluation.docs.is_empty() {
        reviews(&mut layout, evaluation, &files);
    }
    layout.text(format!(
        "<details><summary>Commands</summary>\n\n{}\n</details>\n",
        commands::command_list(&evaluation.command_prefix)
    ));
    layout.render(MAX_COMMENT)
}

/// The first line: where the PR stands and, while reviewers wait, when they will be asked.
fn status_line(evaluation: &Evaluation) -> String {
    let (conclusion, title) = verdict(evaluation);
    let icon = match conclusion {
        Conclusion::Success => "✅",
        Conclusion::Failure => "❌",
        Conclusion::WaitingForApprovals => "⏳",
    };
    let only_gaps = evaluation.skip.is_none()
        && evaluation.base_problem.is_none()
        && evaluation.problems.is_empty()
        && evaluation.unseen.is_empty()
        && evaluation.docs.iter().any(|d| !d.passes());
    let what = if only_gaps {
        gap_list::error_counts(&evaluation.docs)
    } else if unseen_is_the_verdict(evaluation) {
        // The note below the headline says what was not seen and what to do about it.
        "Design docs could not all be checked".to_string()
    } else {
        gfm::escape(&title)
    };
    let when = if evaluation.skip.is_some() {
        ""
    } else if evaluation.held_reviewers.is_some() {
        "; reviews will be requested once they are filled in"
    } else if evaluation.draft_waiting {
        "; reviews will be requested when the pull request is ready for review"
    } else {
        ""
    };
    format!("{icon} **{what}**{when}.")
}

/// True when the verdict is that part of the pull request was not looked at.
fn unseen_is_the_verdict(evaluation: &Evaluation) -> bool {
    evaluation.skip.is_none()
        && evaluation.base_problem.is_none()
        && evaluation.problems.is_empty()
        && !evaluation.unseen.is_empty()
}

/// Per doc: its heading (with the template it was checked against), then one line per kind of
/// gap. The heading rides on the doc's first line, so a cut never leaves it alone.
fn compact_list(evaluation: &Evaluation) -> Vec<String> {
    let mut lines = Vec::new();
    for doc in &evaluation.docs {
        let link = blob_url(evaluation, &doc.path);
        let mut doc_lines = gap_list::compact_lines(doc, &link);
        doc_lines.extend(
            evaluation
                .unknown_services
                .iter()
                .filter(|u| u.path == doc.path)
                .map(|u| {
                    format!(
                        "- **Services:** [{}]({link}#L{}) ⚠️ {}\n",
                        gfm::escape(&clip(&u.service, MAX_ECHOED)),
                        u.line,
                        gfm::escape(&clip(&u.message(), MAX_ECHOED * 4))
                    )
                }),
        );
        doc_lines[0] = format!(
            "[{}]({link}) · template {}\n{}",
            shown_path(&doc.path),
            template_ref(evaluation, &doc.template),
            doc_lines[0]
        );
        if let Some(last) = doc_lines.last_mut() {
            last.push('\n');
        }
        lines.extend(doc_lines);
    }
    lines
}

/// Every gap with its guidance, per doc (docs without gaps left out).
fn checklist(evaluation: &Evaluation) -> Vec<String> {
    let mut lines = Vec::new();
    for doc in evaluation.docs.iter().filter(|d| has_gaps(d)) {
        let mut doc_lines = gap_list::checklist_lines(doc, &blob_url(evaluation, &doc.path));
        if evaluation.docs.len() > 1 {
            doc_lines[0] = format!("{}\n\n{}", shown_path(&doc.path), doc_lines[0]);
            if let Some(last) = doc_lines.last_mut() {
                last.push('\n');
            }
        }
        lines.extend(doc_lines);
    }
    lines
}

/// A doc with a gap, or one that could not be checked.
fn has_gaps(doc: &DocOutcome) -> bool {
    !matches!(&doc.result, DocResult::Checked(report) if report.gaps.is_empty())
}

/// The "Reviews" section: who was asked, who could not be, and the approvals.
fn reviews(layout: &mut Layout, evaluation: &Evaluation, files: &str) {
    let mut text = String::from("### Reviews\n\n");
    let asked: Vec<String> = evaluation
        .requests
        .iter()
        .filter(|r| r.error.is_none())
        .map(|r| quiet(&r.reviewer))
        .collect();
    if !asked.is_empty() {
        let _ = writeln!(text, "Review requested from {}.", names(asked));
    }
    if evaluation.skip.is_some() {
        let _ = writeln!(text, "{}", skipped_note(evaluation));
    } else if let Some(held) = &evaluation.held_reviewers {
        if held.is_empty() {
            text.push_str("Reviewers will be requested once every design doc is complete.\n");
        } else {
            let _ = writeln!(
                text,
                "Reviewers will be requested once every design doc is complete: {}.",
                names(held.iter().map(|r| quiet(r)))
            );
        }
    } else if evaluation.draft_waiting {
        text.push_str("Reviewers will be requested when the pull request is ready for review.\n");
    } else if evaluation.base_problem.is_some() {
        text.push_str(
            "No reviewers were requested because the repository configuration is invalid.\n",
        );
    }
    layout.text(text);
    let refused: Vec<String> = evaluation
        .requests
        .iter()
        .filter_map(|r| {
            let error = r.error.as_deref()?;
            Some(format!(
                "⚠️ Could not request {}: {}\n",
                quiet(&r.reviewer),
                gfm::escape(&clip(error, MAX_ECHOED * 2))
            ))
        })
        .chain(evaluation.not_requested.iter().map(|(who, why)| {
            format!(
                "⚠️ Not requested {}: {}\n",
                quiet(who),
                gfm::escape(&clip(why, MAX_ECHOED * 2))
            )
        }))
        .collect();
    let files = files.to_string();
    layout.list(refused, move |n| {
        format!("⚠️ …and {n} more reviewers not requested: see [the pull request]({files}).\n")
    });
    if let Some(over) = &evaluation.reviewers_over_limit {
        layout.text(reviewers_over_limit(over.left_out, over.limit));
    }
    if evaluation.skip.is_none() {
        layout.text(approvals_summary(evaluation).replace('@', "@\u{2060}"));
    } else {
        layout.text("\n");
    }
}

/// Names a reviewer without pinging them again on every edit.
fn quiet(reviewer: &str) -> String {
    gfm::code(&clip(reviewer, MAX_ECHOED))
}
