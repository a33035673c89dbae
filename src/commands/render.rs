//! The one place where a parse error becomes the reply the commenter reads. What the commenter
//! wrote is echoed through [`crate::gfm`], so it shows as written and can ping no one.

use super::error::ParseError;
use super::grammar::{self, CommandSpec};
use crate::gfm::code;

/// Markdown reply for a command line that failed to parse: what is wrong, the usage of the
/// offending (or most likely intended) command, and how to list all commands.
pub fn render_error(error: &ParseError, prefix: &str) -> String {
    let help_hint = format!(
        "Run {} to list the commands you may use.",
        code(&format!("{prefix} help"))
    );
    let (problem, usage_of) = match error {
        ParseError::Unknown { given, suggestion } => {
            let mut problem = format!("{} is not a command.", code(&format!("{prefix} {given}")));
            if let Some(name) = suggestion {
                problem.push_str(&format!(" Did you mean {}?", code(name)));
            }
            (problem, suggestion.and_then(grammar::spec))
        }
        ParseError::MissingSubcommand => (
            format!(
                "{} needs a command after it, e.g. {}.",
                code(prefix),
                code(&format!("{prefix} check"))
            ),
            None,
        ),
        ParseError::BadArguments { command, message } => (
            format!(
                "{}: {}",
                code(&format!("{prefix} {command}")),
                sentence(message)
            ),
            grammar::spec(command),
        ),
    };
    match usage_of {
        Some(spec) => format!("{problem}\n\n{}\n\n{help_hint}", usage(spec, prefix)),
        None => format!("{problem}\n\n{help_hint}"),
    }
}

/// `Usage: `/design-review skip <reason>`: what it does.`
fn usage(spec: &CommandSpec, prefix: &str) -> String {
    format!("Usage: {}: {}", code(&spec.usage(prefix)), spec.description)
}

/// `message` with a capital first letter and a final full stop.
fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    let mut out: String = chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_are_capitalised_and_end_with_a_stop() {
        assert_eq!(sentence("a reason is required"), "A reason is required.");
        assert_eq!(sentence("done!"), "Done!");
        assert_eq!(sentence(""), ".");
    }
}
