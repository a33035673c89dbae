//! The sticky PR comment: one per PR, found again by a hidden marker, edited in place (pure
//! rendering here; publishing is in `publish`).

use std::fmt::Write;

use crate::gfm;

use super::{
    check_output::{
        approvals_summary, blob_url, doc_lines, files_url, names, problem_lines,
        reviewers_over_limit, shown_path, template_link, unseen_advice,
    },
    evaluation::{Conclusion, Evaluation, verdict},
    limits::{Layout, MAX_COMMENT, MAX_ECHOED, clip},
};

/// Hidden marker that identifies our comment among a PR's comments.
pub const MARKER: &str = "<!-- design-review:sticky-comment -->";

/// The comment body for an evaluation, trimmed to GitHub's limit: each cut list ends with how
/// many of its lines were left out and a link to the PR's changed files.
pub fn body(evaluation: &Evaluation) -> String {
    let (conclusion, title) = verdict(evaluation);
    let icon = match conclusion {
        Conclusion::Success => "✅",
        Conclusion::Failure => "❌",
        Conclusion::WaitingForApprovals => "⏳",
    };
    let files = files_url(evaluation);
    let mut layout = Layout::new();
    layout.text(format!(
        "{MARKER}\n## Design review\n\n{icon} **{}**\n\n",
        gfm::escape(&title)
    ));
    if let Some(skip) = &evaluation.skip {
        layout.text(format!(
            "Skipped by @{} on {}: {}\n\n",
            skip.by,
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
    let mut gap_lines = Vec::new();
    for doc in &evaluation.docs {
        let heading = format!(
            "### [{}]({}) · template {}\n\n",
            shown_path(&doc.path),
            blob_url(evaluation, &doc.path),
            template_link(evaluation, &doc.template)
        );
        gap_lines.extend(doc_lines(evaluation, doc, heading, true));
    }
    let more_files = files.clone();
    layout.list(gap_lines, move |n| {
        format!(
            "…and {n} more lines: see the check run, and the annotations on [the changed files]({more_files}).\n\n"
        )
    });
    if !evaluation.docs.is_empty() {
        reviews(&mut layout, evaluation, &files);
    }
    layout.text(format!(
        "<details><summary>Commands</summary>\n\n\
         - `{p} check`: check again now\n\
         - `{p} assign`: request the reviewers again\n\
         - `{p} template`: get a fresh skeleton of the template\n\
         - `{p} status`: show the gaps and approvals\n\
         - `{p} skip <reason>`: waive the design review (review team or maintainers)\n\
         - `{p} help`: all commands\n\n</details>\n",
        p = evaluation.command_prefix
    ));
    layout.render(MAX_COMMENT)
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
    if evaluation.draft_waiting {
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
    layout.text(approvals_summary(evaluation).replace('@', "@\u{2060}"));
}

/// Names a reviewer without pinging them again on every edit.
fn quiet(reviewer: &str) -> String {
    gfm::code(&clip(reviewer, MAX_ECHOED))
}
