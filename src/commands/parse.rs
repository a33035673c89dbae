//! Finding the command lines of a comment and parsing each one.
//!
//! A command line starts (after optional spaces or tabs) with the prefix, matched
//! case-insensitively and followed by whitespace or the end of the line, so `/design-reviewer`
//! is no command. Lines whose prefix sits in code, a block quote or an HTML comment (see
//! [`super::strip`]) are skipped. A list or quote marker before the prefix (`- /design-review
//! check`) makes the line ordinary text.

use std::ops::Range;

use super::command::Command;
use super::error::ParseError;
use super::grammar;
use super::parsers::{PARSERS, Parsed};
use super::strip;

/// Longest unknown subcommand echoed back in an error, in characters.
const MAX_ECHOED_CHARS: usize = 40;

/// One command line of a comment and what it parsed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandLine {
    /// Line number in the comment, starting at 1.
    pub line: usize,
    /// Byte range of the line in the comment, without its line ending.
    pub span: Range<usize>,
    /// The command as written (the line without surrounding whitespace), for replies and the
    /// audit log.
    pub text: String,
    /// The command, or why the line is not a valid one.
    pub result: Result<Command, ParseError>,
}

/// Every command in `body`, in order, one per command line; see [`find_commands`].
pub fn parse_commands(body: &str, prefix: &str) -> Vec<Result<Command, ParseError>> {
    find_commands(body, prefix)
        .into_iter()
        .map(|line| line.result)
        .collect()
}

/// Every command line in `body` (a comment or review body) for the given prefix, in order,
/// with its position. An empty prefix finds nothing.
pub fn find_commands(body: &str, prefix: &str) -> Vec<CommandLine> {
    let prefix = prefix.trim();
    if prefix.is_empty() {
        return Vec::new();
    }
    let candidates: Vec<(usize, Range<usize>, usize, &str)> = lines(body)
        .enumerate()
        .filter_map(|(index, span)| {
            let line = &body[span.clone()];
            let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
            let rest = strip_prefix_ignoring_case(&line[indent..], prefix)?;
            let at_word_end = rest.chars().next().is_none_or(char::is_whitespace);
            at_word_end.then_some((index + 1, span.clone(), span.start + indent, rest))
        })
        .collect();
    if candidates.is_empty() {
        // Most comments hold no command: skip the Markdown parse for them.
        return Vec::new();
    }
    let ignored = strip::ignored_ranges(body);
    candidates
        .into_iter()
        .filter(|(_, _, prefix_at, _)| !strip::is_ignored(&ignored, *prefix_at))
        .map(|(line, span, _, rest)| CommandLine {
            line,
            text: body[span.clone()].trim().to_string(),
            span,
            result: parse_after_prefix(rest),
        })
        .collect()
}

/// Parses what follows the prefix on a command line: the subcommand word and its arguments.
fn parse_after_prefix(rest: &str) -> Result<Command, ParseError> {
    let rest = rest.trim();
    if rest.is_empty() {
        return Err(ParseError::MissingSubcommand);
    }
    let (word, args) = rest
        .split_once(char::is_whitespace)
        .map_or((rest, ""), |(word, args)| (word, args.trim()));
    for parser in PARSERS {
        match parser(word, args) {
            Parsed::NotMine => continue,
            Parsed::Ok(command) => return Ok(command),
            Parsed::Bad(command, message) => {
                return Err(ParseError::BadArguments { command, message });
            }
        }
    }
    Err(ParseError::Unknown {
        given: word.chars().take(MAX_ECHOED_CHARS).collect(),
        suggestion: grammar::closest(word).map(|spec| spec.name),
    })
}

/// `text` after `prefix` when it starts with it, comparing characters case-insensitively.
fn strip_prefix_ignoring_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let mut chars = text.char_indices();
    for expected in prefix.chars() {
        let (_, actual) = chars.next()?;
        if actual != expected && !actual.to_lowercase().eq(expected.to_lowercase()) {
            return None;
        }
    }
    let end = chars.next().map_or(text.len(), |(at, _)| at);
    Some(&text[end..])
}

/// Byte ranges of the lines of `body`, without their endings (`\n`, `\r\n` or a lone `\r`,
/// as in CommonMark).
fn lines(body: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let bytes = body.as_bytes();
    let mut start = 0;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        match bytes[start..]
            .iter()
            .position(|&b| b == b'\n' || b == b'\r')
        {
            Some(offset) => {
                let end = start + offset;
                let ending = if bytes[end] == b'\r' && bytes.get(end + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                let line = start..end;
                start = end + ending;
                Some(line)
            }
            None => {
                done = true;
                Some(start..bytes.len())
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line_texts(body: &str) -> Vec<&str> {
        lines(body).map(|r| &body[r]).collect()
    }

    #[test]
    fn lines_split_on_every_commonmark_line_ending() {
        assert_eq!(line_texts("a\r\nb\nc\rd"), vec!["a", "b", "c", "d"]);
        assert_eq!(line_texts("a\n"), vec!["a", ""]);
        assert_eq!(line_texts(""), vec![""]);
    }

    #[test]
    fn prefix_comparison_ignores_case_of_any_letter() {
        assert_eq!(strip_prefix_ignoring_case("/DÉSIGN x", "/design"), None);
        assert_eq!(
            strip_prefix_ignoring_case("/DÉSIGN x", "/désign"),
            Some(" x")
        );
        assert_eq!(strip_prefix_ignoring_case("/des", "/design"), None);
        assert_eq!(strip_prefix_ignoring_case("/design", "/design"), Some(""));
    }
}
