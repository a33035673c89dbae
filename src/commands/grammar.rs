//! The one table of commands: name, usage, description and audience. Help text, error
//! replies and suggestions all read it, so a command is described in exactly one place.

/// Who may run a command. Resolving a commenter into these groups needs the GitHub API
/// (collaborator permission, team membership) and the repository config, so it happens at
/// execution; the grammar only states the requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Audience {
    /// Anyone who can comment on the PR.
    Everyone,
    /// People with write (or higher) access to the repository.
    WriteAccess,
    /// Members of the review team or people with admin/maintain permission (configurable
    /// through `commands.skip_allowed`).
    ReviewTeamOrMaintainer,
}

impl Audience {
    /// Who may run the command, as a reminder shows it; `None` when anyone may.
    pub fn restriction(self) -> Option<&'static str> {
        match self {
            Audience::Everyone => None,
            Audience::WriteAccess => Some("people with write access"),
            Audience::ReviewTeamOrMaintainer => Some("review team or maintainers"),
        }
    }
}

/// One row of the command table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandSpec {
    /// Subcommand name, lower case (matched case-insensitively).
    pub name: &'static str,
    /// Arguments as shown in the usage line, e.g. `<reason>` or `[NAME]`; empty if none.
    pub args: &'static str,
    /// One line saying what the command does.
    pub description: &'static str,
    /// Who may run it.
    pub audience: Audience,
}

impl CommandSpec {
    /// The usage line with the configured prefix, e.g. `/design-review skip <reason>`.
    pub fn usage(&self, prefix: &str) -> String {
        if self.args.is_empty() {
            format!("{prefix} {}", self.name)
        } else {
            format!("{prefix} {} {}", self.name, self.args)
        }
    }
}

/// Every command, in the order help lists them.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "help",
        args: "",
        description: "Reply with the commands you may use.",
        audience: Audience::Everyone,
    },
    CommandSpec {
        name: "check",
        args: "",
        description: "Re-evaluate the design docs of this PR now.",
        audience: Audience::Everyone,
    },
    CommandSpec {
        name: "status",
        args: "",
        description: "Reply with the current gaps and approvals.",
        audience: Audience::Everyone,
    },
    CommandSpec {
        name: "template",
        args: "[NAME]",
        description: "Reply with a fresh skeleton of this PR's template (or of template NAME).",
        audience: Audience::Everyone,
    },
    CommandSpec {
        name: "assign",
        args: "",
        description: "Request the design reviewers again (e.g. after the owners changed).",
        audience: Audience::WriteAccess,
    },
    CommandSpec {
        name: "skip",
        args: "<reason>",
        description: "Waive the design review of this PR; the reason is required and shown in the check run.",
        audience: Audience::ReviewTeamOrMaintainer,
    },
    CommandSpec {
        name: "unskip",
        args: "",
        description: "Undo a previous skip; the design review applies again.",
        audience: Audience::ReviewTeamOrMaintainer,
    },
];

/// The row for a subcommand name (case-insensitive).
pub fn spec(name: &str) -> Option<&'static CommandSpec> {
    COMMANDS.iter().find(|c| c.name.eq_ignore_ascii_case(name))
}

/// The command whose name is closest to `given`, if it is close enough to be a likely typo
/// (`skp` -> `skip`, `hlep` -> `help`); `None` for words that resemble nothing.
pub fn closest(given: &str) -> Option<&'static CommandSpec> {
    let given = given.to_lowercase();
    COMMANDS
        .iter()
        .map(|c| (strsim::osa_distance(&given, c.name), c))
        .filter(|(distance, c)| distance * 3 <= c.name.len() + 1)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c)
}
