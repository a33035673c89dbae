//! What a parsed command asks for; who may ask for it is in the command table ([`super::grammar`]).

use super::grammar::{self, Audience, CommandSpec};

/// One command, as written by a person in a PR comment or review body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Reply with the commands the commenter may use.
    Help,
    /// Re-evaluate the PR now.
    Check,
    /// Request the reviewers again (e.g. after the owners changed).
    Assign,
    /// Reply with a fresh skeleton of the PR's template, or of the named one.
    Template { name: Option<String> },
    /// Waive this PR's design review; the reason is required and shown in the check run.
    Skip { reason: String },
    /// Undo a previous `skip`.
    Unskip,
    /// Reply with the current gaps and approvals.
    Status,
}

impl Command {
    /// The subcommand name as written after the prefix (lower case), e.g. `"skip"`.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Help => "help",
            Command::Check => "check",
            Command::Assign => "assign",
            Command::Template { .. } => "template",
            Command::Skip { .. } => "skip",
            Command::Unskip => "unskip",
            Command::Status => "status",
        }
    }

    /// Whether running the command changes the PR's review state; those commands are
    /// recorded in the audit log whatever their outcome.
    pub fn is_state_changing(&self) -> bool {
        matches!(
            self,
            Command::Skip { .. } | Command::Unskip | Command::Assign
        )
    }

    /// The row of the command table describing this command (usage, description, audience).
    pub fn spec(&self) -> &'static CommandSpec {
        // Not input-derived: a unit test checks that every variant has its row.
        grammar::spec(self.name()).expect("every command has a row in COMMANDS")
    }

    /// Who may run this command.
    pub fn audience(&self) -> Audience {
        self.spec().audience
    }
}
