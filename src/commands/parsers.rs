//! One small parser per command. Each looks at the subcommand word and the rest of the line
//! and answers "not mine", "mine, ok" or "mine, bad input"; [`super::parse`] asks them in turn.

use super::command::Command;

/// A parser's answer for one command line.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Parsed {
    /// The subcommand word names another command.
    NotMine,
    /// This command, well formed.
    Ok(Command),
    /// This command (by the returned name), with arguments it does not accept.
    Bad(&'static str, String),
}

/// A command parser: subcommand word as written, then the trimmed rest of the line.
pub(super) type Parser = fn(&str, &str) -> Parsed;

/// Every parser; a word no parser claims is an unknown command.
pub(super) const PARSERS: &[Parser] = &[help, check, status, template, assign, skip, unskip];

fn help(word: &str, args: &str) -> Parsed {
    without_arguments("help", Command::Help, word, args)
}

fn check(word: &str, args: &str) -> Parsed {
    without_arguments("check", Command::Check, word, args)
}

fn status(word: &str, args: &str) -> Parsed {
    without_arguments("status", Command::Status, word, args)
}

fn assign(word: &str, args: &str) -> Parsed {
    without_arguments("assign", Command::Assign, word, args)
}

fn unskip(word: &str, args: &str) -> Parsed {
    without_arguments("unskip", Command::Unskip, word, args)
}

/// `template [NAME]`: one optional name; a name with spaces must be quoted.
fn template(word: &str, args: &str) -> Parsed {
    if !word.eq_ignore_ascii_case("template") {
        return Parsed::NotMine;
    }
    if args.is_empty() {
        return Parsed::Ok(Command::Template { name: None });
    }
    let name = match unquote(args) {
        Some(inner) => inner.trim(),
        None if args.contains(char::is_whitespace) => {
            return Parsed::Bad(
                "template",
                "expected at most one template name (quote a name that contains spaces)".into(),
            );
        }
        None => args,
    };
    if name.is_empty() {
        return Parsed::Bad("template", "the template name is empty".into());
    }
    Parsed::Ok(Command::Template {
        name: Some(name.to_string()),
    })
}

/// `skip <reason>`: the rest of the line is the reason; surrounding quotes are optional.
fn skip(word: &str, args: &str) -> Parsed {
    if !word.eq_ignore_ascii_case("skip") {
        return Parsed::NotMine;
    }
    let reason = unquote(args).map_or(args, str::trim);
    if reason.is_empty() {
        return Parsed::Bad(
            "skip",
            "a reason is required, e.g. why this change needs no design review".into(),
        );
    }
    Parsed::Ok(Command::Skip {
        reason: reason.to_string(),
    })
}

fn without_arguments(name: &'static str, command: Command, word: &str, args: &str) -> Parsed {
    if !word.eq_ignore_ascii_case(name) {
        Parsed::NotMine
    } else if args.is_empty() {
        Parsed::Ok(command)
    } else {
        Parsed::Bad(name, format!("`{name}` takes no arguments"))
    }
}

/// The text between a matching pair of quotes around the whole of `s`, if there is one.
fn unquote(s: &str) -> Option<&str> {
    const PAIRS: &[(char, char)] = &[('"', '"'), ('\'', '\''), ('“', '”'), ('‘', '’')];
    PAIRS.iter().find_map(|&(open, close)| {
        let inner = s.strip_prefix(open)?.strip_suffix(close)?;
        Some(inner)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_parser_claims_only_its_own_word() {
        for parser in PARSERS {
            assert_eq!(parser("nonsense", ""), Parsed::NotMine);
        }
        let claims = |word: &str| {
            PARSERS
                .iter()
                .filter(|p| p(word, "") != Parsed::NotMine)
                .count()
        };
        for spec in super::super::COMMANDS {
            assert_eq!(claims(spec.name), 1, "{}", spec.name);
        }
        assert_eq!(PARSERS.len(), super::super::COMMANDS.len());
    }

    #[test]
    fn a_lone_quote_is_not_a_quoted_string() {
        assert_eq!(unquote("\""), None);
        assert_eq!(unquote("\"\""), Some(""));
        assert_eq!(unquote("'why'"), Some("why"));
        assert_eq!(unquote("\"why'"), None);
    }
}
