//! The `help` reply: the commands a commenter may use, rendered from the command table.

use super::grammar::{Audience, COMMANDS};
use crate::gfm::code;

/// Markdown help listing, with their usage and description, only the commands whose audience
/// `allowed` accepts (execution knows the commenter's permissions; this stays pure).
pub fn help_text(prefix: &str, allowed: impl Fn(Audience) -> bool) -> String {
    let rows: Vec<String> = COMMANDS
        .iter()
        .filter(|spec| allowed(spec.audience))
        .map(|spec| format!("| {} | {} |", code(&spec.usage(prefix)), spec.description))
        .collect();
    if rows.is_empty() {
        return "There are no commands you may use in this pull request.".to_string();
    }
    format!(
        "Commands you may use in this pull request, each at the start of its own line:\n\n\
         | Command | What it does |\n\
         | --- | --- |\n\
         {}\n\n\
         Commands inside code, block quotes or HTML comments are ignored.",
        rows.join("\n")
    )
}

/// Every command as a Markdown list line (usage, who may run it when not everyone, what it
/// does): the reminder at the foot of the sticky comment, read from the same table as `help`.
pub fn command_list(prefix: &str) -> String {
    COMMANDS
        .iter()
        .map(|spec| {
            let who = spec
                .audience
                .restriction()
                .map_or_else(String::new, |who| format!(" ({who})"));
            format!(
                "- {}{who}: {}\n",
                code(&spec.usage(prefix)),
                spec.description
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_has_one_line_per_command_with_its_audience() {
        assert_eq!(
            command_list("/dr"),
            "- <code>/dr help</code>: Reply with the commands you may use.\n\
             - <code>/dr check</code>: Re-evaluate the design docs of this PR now.\n\
             - <code>/dr status</code>: Reply with the current gaps and approvals.\n\
             - <code>/dr template \\[NAME\\]</code>: Reply with a fresh skeleton of this PR's template (or of template NAME).\n\
             - <code>/dr assign</code> (people with write access): Request the design reviewers again (e.g. after the owners changed).\n\
             - <code>/dr skip \\<reason\\></code> (review team or maintainers): Waive the design review of this PR; the reason is required and shown in the check run.\n\
             - <code>/dr unskip</code> (review team or maintainers): Undo a previous skip; the design review applies again.\n"
        );
    }
}
