//! Why a command line could not be parsed. These are the commenter's mistakes, not ours:
//! execution answers them with the reply built by [`super::render_error`].

/// A line started with the prefix but is not a valid command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The word after the prefix names no command.
    #[error("unknown command `{given}`")]
    Unknown {
        /// The word as written (truncated if very long).
        given: String,
        /// The closest command name, when the word looks like a typo of it.
        suggestion: Option<&'static str>,
    },
    /// The prefix stood alone on its line.
    #[error("missing subcommand")]
    MissingSubcommand,
    /// A known command with arguments it does not accept (or without ones it needs).
    #[error("`{command}`: {message}")]
    BadArguments {
        /// The command's name, e.g. `"skip"`.
        command: &'static str,
        /// What is wrong, as a sentence for the commenter.
        message: String,
    },
}
