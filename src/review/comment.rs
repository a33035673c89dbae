//! The sticky PR comment: one per PR, found again by a hidden marker, edited in place (pure
//! rendering here; publishing is in `publish`).

use std::fmt::Write;

use crate::checker;

use super::{
    check_output::{approvals_summary, blob_url, template_link},
    docs::DocResult,
    evaluation::{Conclusion, Evaluation, verdict},
    limits::{MAX_COMMENT, fit},
};

/// Hidden marker that identifies our comment among a PR's comments.
pub const MARKER: &str = "<!-- design-review:sticky-comment -->";

/// The comment body for an evaluation.
pub fn body(evaluation: &Evaluation) -> String {
    let (conclusion, title) = verdict(evaluation);
    let icon = match conclusion {
        Conclusion::Success => "✅",
        Conclusion::Failure => "❌",
        Conclusion::WaitingForApprovals => "⏳",
    };
    let mut head = format!(
        "{MARKER}\n## Design review\n\n{icon} **{}**\n\n",
        escape(&title)
    );
    if let Some(skip) = &evaluation.skip {
        let _ = writeln!(
            head,
            "Skipped by @{} on {}: {}\n",
            skip.by,
            skip.at.format("%Y-%m-%d %H:%M UTC"),
            escape(&skip.reason)
        );
    }
    for problem in evaluation.base_problem.iter().chain(&evaluation.problems) {
        let _ = writeln!(
            head,
            "- **{}**: {}",
            escape(&problem.file),
            escape(&problem.error.to_string())
        );
    }
    if evaluation.base_problem.is_some() || !evaluation.problems.is_empty() {
        head.push('\n');
    }
    let mut body = String::new();
    for doc in &evaluation.docs {
        let _ = writeln!(
            body,
            "### [`{}`]({}) · template {}\n",
            doc.path.replace('`', "'"),
            blob_url(evaluation, &doc.path),
            template_link(evaluation, &doc.template)
        );
        match &doc.result {
            DocResult::Checked(report) if report.gaps.is_empty() => {
                body.push_str("All sections and fields are complete.\n\n");
            }
            DocResult::Checked(report) => {
                body.push_str(&checker::render_markdown_gaps(
                    &report.gaps,
                    Some(&blob_url(evaluation, &doc.path)),
                ));
                body.push('\n');
            }
            DocResult::Unreadable(reason) => {
                let _ = writeln!(body, "- [ ] {}\n", escape(reason));
            }
        }
    }
    let mut tail = String::new();
    if !evaluation.docs.is_empty() {
        tail.push_str("### Reviews\n\n");
        let asked: Vec<String> = evaluation
            .requests
            .iter()
            .filter(|r| r.error.is_none())
            .map(|r| quiet(&r.reviewer))
            .collect();
        if !asked.is_empty() {
            let _ = writeln!(tail, "Review requested from {}.", asked.join(", "));
        }
        if evaluation.draft_waiting {
            tail.push_str(
                "Reviewers will be requested when the pull request is ready for review.\n",
            );
        } else if evaluation.base_problem.is_some() {
            tail.push_str(
                "No reviewers were requested because the repository configuration is invalid.\n",
            );
        }
        for refused in evaluation.requests.iter().filter(|r| r.error.is_some()) {
            let _ = writeln!(
                tail,
                "⚠️ Could not request {}: {}",
                quiet(&refused.reviewer),
                escape(refused.error.as_deref().unwrap_or_default())
            );
        }
        for (who, why) in &evaluation.not_requested {
            let _ = writeln!(tail, "⚠️ Not requested {}: {}", quiet(who), escape(why));
        }
        tail.push_str(&approvals_summary(evaluation).replace('@', "@\u{2060}"));
    }
    let _ = write!(
        tail,
        "<details><summary>Commands</summary>\n\n\
         - `{p} check`: check again now\n\
         - `{p} assign`: request the reviewers again\n\
         - `{p} template`: get a fresh skeleton of the template\n\
         - `{p} status`: show the gaps and approvals\n\
         - `{p} skip <reason>`: waive the design review (review team or maintainers)\n\
         - `{p} help`: all commands\n\n</details>\n",
        p = evaluation.command_prefix
    );
    fit(
        &head,
        &body,
        &tail,
        "_The list was cut to fit GitHub's comment limit: the check run lists every gap._",
        MAX_COMMENT,
    )
}

/// Escapes Markdown and defuses @-mentions.
fn escape(text: &str) -> String {
    checker::render::markdown::escape(text)
}

/// Names a reviewer without pinging them again on every edit.
fn quiet(reviewer: &str) -> String {
    format!("`{}`", reviewer.replace('`', "'"))
}
