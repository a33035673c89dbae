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
