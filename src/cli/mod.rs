//! The `design-review` command line: one subcommand per job.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub mod audit;
pub mod calibrate;
pub mod check;
pub mod deliveries;
mod git;
pub mod healthcheck;
pub mod init;
pub mod resync;
pub mod serve;
pub mod templates;
mod workspace;

/// Output format of the listing subcommands (`templates`, `deliveries`, `audit`); `check`
/// has more (see [`check::Format`]), under the same `--format` flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    /// For people: aligned columns or one line per item.
    #[value(alias = "table")]
    Text,
    /// For scripts.
    Json,
}

/// Enforce a design-review process on pull requests: lint design docs against their template,
/// or run the GitHub App.
#[derive(Debug, Parser)]
#[command(name = "design-review", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check design docs against their template.
    Check(check::CheckArgs),
    /// Read existing design docs and print the rules to adopt (aliases, optional sections,
    /// required fields) as YAML for .github/design-review.yml.
    Calibrate(calibrate::CalibrateArgs),
    /// List the built-in templates.
    Templates(templates::TemplatesArgs),
    /// Print a fresh doc skeleton from a template (built-in name or path).
    Template {
        /// Built-in template name or path to a template file.
        name: String,
    },
    /// Write a commented .github/design-review.yml (and, with --template, a copy of that
    /// template to adapt) into the repository.
    Init(init::InitArgs),
    /// Run the GitHub App (webhook intake, queue workers, health and metrics endpoints).
    Serve(crate::config::settings::ServeArgs),
    /// List stored webhook deliveries and their state.
    Deliveries(deliveries::DeliveriesArgs),
    /// Probe the local server's health endpoint (for container health checks).
    Healthcheck(healthcheck::HealthcheckArgs),
    /// List the audit log: skips, unskips, reviewer re-requests, refused and invalid commands.
    Audit(audit::AuditArgs),
    /// Evaluate open pull requests whose head has no check run of ours (after downtime).
    Resync(resync::ResyncArgs),
    /// Queue a stored delivery again.
    Redeliver {
        /// The delivery id (X-GitHub-Delivery).
        id: String,
        #[command(flatten)]
        db: crate::config::settings::DatabaseArgs,
    },
}

/// Parses the command line and runs the chosen subcommand.
pub fn run() -> ExitCode {
    // An optional `.env` file supplies settings not set in the environment.
    let _ = dotenvy::dotenv();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return refuse(error),
    };
    match cli.command {
        Command::Check(args) => check::run(args),
        Command::Calibrate(args) => calibrate::run(args),
        Command::Templates(args) => templates::list(args),
        Command::Init(args) => init::run(args),
        Command::Template { name } => templates::show(&name),
        Command::Serve(args) => serve::run(args),
        Command::Deliveries(args) => deliveries::list(args),
        Command::Healthcheck(args) => healthcheck::run(args),
        Command::Resync(args) => resync::run(args),
        Command::Audit(args) => audit::run(args),
        Command::Redeliver { id, db } => deliveries::redeliver(db, id),
    }
}

/// Exits on a command line clap refused. An invalid value of a setting read from the environment
/// is reported as one line naming the variable, like every other invalid setting (clap's own
/// message names the flag, which the operator may never have typed); anything else (usage
/// errors, `--help`, `--version`) is clap's own output.
/// The server's settings from its flags and environment, or, after saying what is wrong, the
/// exit code of an invalid setting (2), for the commands that need them.
fn settings(
    args: &crate::config::settings::ServeArgs,
) -> Result<crate::config::settings::Settings, ExitCode> {
    crate::config::settings::Settings::from_args(args).map_err(|error| {
        eprintln!("design-review: invalid setting {error}");
        ExitCode::from(2)
    })
}

/// A command's exit code: its own when it ran, else 2 after printing the error with its causes.
fn exit_code(result: anyhow::Result<ExitCode>) -> ExitCode {
    result.unwrap_or_else(|error| {
        eprintln!("design-review: {error:#}");
        ExitCode::from(2)
    })
}

/// The async runtime of a command, or, after saying why it cannot start, a failing exit code.
fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Runtime::new().map_err(|error| {
        eprintln!("design-review: cannot start the async runtime: {error}");
        ExitCode::FAILURE
    })
}

fn refuse(error: clap::Error) -> ExitCode {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    use std::error::Error as _;
    if matches!(
        error.kind(),
        ErrorKind::ValueValidation | ErrorKind::InvalidValue
    ) && let Some(ContextValue::String(flag)) = error.get(ContextKind::InvalidArg)
        && let Some(variable) = env_variable_of(flag)
        && let Some(ContextValue::String(value)) = error.get(ContextKind::InvalidValue)
        // The value came from the variable, not from a flag typed on the command line.
        && std::env::var(&variable).ok().as_ref() == Some(value)
    {
        let why = match (error.source(), error.get(ContextKind::ValidValue)) {
            (Some(cause), _) => format!(": {cause}"),
            (None, Some(ContextValue::Strings(valid))) => {
                format!(": expected {}", valid.join(" or "))
            }
            _ => String::new(),
        };
        eprintln!("design-review: invalid setting {variable}: {value:?}{why}");
        return ExitCode::from(2);
    }
    error.exit()
}

/// The environment variable behind the argument clap shows as `flag` (`--workers <WORKERS>`).
fn env_variable_of(flag: &str) -> Option<String> {
    use clap::CommandFactory;
    let long = flag.split_whitespace().next()?.strip_prefix("--")?;
    let command = Cli::command();
    let mut commands = vec![&command];
    while let Some(command) = commands.pop() {
        if let Some(arg) = command
            .get_arguments()
            .find(|arg| arg.get_long() == Some(long))
            && let Some(env) = arg.get_env()
        {
            return Some(env.to_string_lossy().into_owned());
        }
        commands.extend(command.get_subcommands());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Every subcommand that prints in more than one way says so with `--format`, and only
    /// with it (older spellings are hidden).
    #[test]
    fn output_formats_have_one_visible_spelling() {
        let command = Cli::command();
        let mut with_format = Vec::new();
        for sub in command.get_subcommands() {
            for arg in sub.get_arguments().filter(|a| !a.is_hide_set()) {
                let long = arg.get_long().unwrap_or_default();
                assert!(
                    !matches!(long, "json" | "output" | "output-format"),
                    "{} --{long}",
                    sub.get_name()
                );
                if long == "format" {
                    let values: Vec<String> = arg
                        .get_possible_values()
                        .iter()
                        .map(|v| v.get_name().to_string())
                        .collect();
                    assert_eq!(values[..2], ["text", "json"], "{}", sub.get_name());
                    with_format.push(sub.get_name().to_string());
                }
            }
        }
        assert_eq!(
            with_format,
            ["check", "calibrate", "templates", "deliveries", "audit"]
        );
    }
}
