//! Slash-commands written in PR conversations (`/design-review skip <reason>`): the grammar and
//! the parser (pure, no I/O), who may run what ([`permissions`]), the per-PR [`throttle`] and
//! the limits against replays ([`replay`]). Running the commands (state changes, replies,
//! reactions, audit log) is the review workflow's job: `review::executor` calls in here, and
//! nothing here calls back.
//!
//! The pipeline is "strip, then parse": [`strip`] finds the parts of a comment that Markdown
//! renders as code, quotes or hidden comments (those never hold commands), [`parse`] scans the
//! remaining lines for the prefix and hands each command line to the one small parser per
//! command in `parsers`. The single table of commands ([`grammar::COMMANDS`]) feeds the
//! parsers' suggestions, the help text ([`help`]) and the error replies ([`render`]).

pub mod command;
pub mod error;
pub mod grammar;
pub mod help;
pub mod parse;
mod parsers;
pub mod permissions;
pub mod render;
pub mod replay;
pub mod strip;
pub mod throttle;

pub use command::Command;
pub use error::ParseError;
pub use grammar::{Audience, COMMANDS, CommandSpec};
pub use help::{command_list, help_text};
pub use parse::{CommandLine, find_commands, parse_commands};
pub use render::render_error;
pub use replay::{COMMAND_RUNS_KEPT, MAX_DELIVERY_DELAY};

/// The prefix used when the repository config does not set `commands.prefix`.
pub use crate::config::repo::DEFAULT_COMMAND_PREFIX;
