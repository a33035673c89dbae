//! The texts of the one reply a comment's commands get (pure). Several commands in one comment
//! share a single reply with a section per command that has something to say, so a comment
//! never causes a burst of bot comments.

use crate::{
    commands::{Command, permissions::Refusal},
    gfm::{code, escape},
    review::{
        comment::{self, MARKER},
        evaluation::Evaluation,
        limits::{MAX_COMMENT, fit},
    },
};

/// What one command line has to say in the reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The command as written, heading the section when the reply has several; `None` for a
    /// section that speaks for several commands.
    pub command: Option<String>,
    /// Markdown.
    pub body: String,
}

/// What one command line has to say, before the reply is put together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Said {
    /// Markdown of its own, headed by its command when the reply has several sections.
    Text(String),
    /// Markdown about more than its own command (the throttle): never headed by it.
    Notice(String),
    /// A refusal: commands refused by the same rule share one sentence.
    Refused(Refusal),
}

/// Refused commands named in one sentence before the rest are counted.
const NAMED_REFUSALS: usize = 3;

/// The sections of a reply for each command line's text and what it has to say, in order.
/// Refusals by the same rule are collapsed into one section where the first of them stood, so
/// that many refused commands make one sentence and not a wall of repeats.
pub fn sections(said: Vec<(String, Said)>) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    let mut refusals: Vec<(Refusal, Vec<String>, usize)> = Vec::new();
    for (command, said) in said {
        match said {
            Said::Text(body) => sections.push(Section {
                command: Some(command),
                body,
            }),
            Said::Notice(body) => sections.push(Section {
                command: None,
                body,
            }),
            Said::Refused(refusal) => match refusals.iter_mut().find(|(r, ..)| *r == refusal) {
                Some((_, commands, _)) => commands.push(command),
                None => {
                    sections.push(Section {
                        command: None,
                        body: String::new(),
                    });
                    refusals.push((refusal, vec![command], sections.len() - 1));
                }
            },
        }
    }
    for (refusal, commands, at) in refusals {
        sections[at] = match commands.as_slice() {
            [only] => Section {
                command: Some(only.clone()),
                body: refused(only, &refusal),
            },
            many => Section {
                command: None,
                body: refused_together(many, &refusal),
            },
        };
    }
    sections
}

/// Several commands refused by one rule, each named once: "`a`, `b`, `c` and 2 more were
/// refused: rule." (or "`a` was refused 4 times: rule." when they are all the same).
fn refused_together(commands: &[String], refusal: &Refusal) -> String {
    let mut distinct: Vec<&String> = Vec::new();
    for command in commands {
        if !distinct.contains(&command) {
            distinct.push(command);
        }
    }
    let rule = escape(&refusal.rule());
    if let [only] = distinct.as_slice() {
        return format!(
            "{} was refused {} times: {rule}.",
            code(only),
            commands.len()
        );
    }
    let named: Vec<String> = distinct
        .iter()
        .take(NAMED_REFUSALS)
        .map(|c| code(c))
        .collect();
    let list = match distinct.len() - named.len() {
        0 => {
            let (last, first) = named.split_last().expect("several commands");
            format!("{} and {last}", first.join(", "))
        }
        more => format!("{} and {more} more", named.join(", ")),
    };
    format!("{list} were refused: {rule}.")
}

/// A hidden marker naming the delivery a reply answers, so that a retried delivery finds the
/// reply it already posted instead of posting it twice.
pub fn marker(delivery_id: &str) -> String {
    let id: String = delivery_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(64)
        .collect();
    format!("<!-- design-review:command-reply {id} -->")
}

/// The reply for `sections` ending with `marker`, or `None` when no command has anything to
/// say. One section is shown as is; several are each headed by their command.
pub fn compose(sections: &[Section], marker: &str) -> Option<String> {
    let body = match sections {
        [] => return None,
        [only] => only.body.clone(),
        many => many
            .iter()
            .map(|s| match &s.command {
                Some(command) => format!("**{}**\n\n{}", code(command), s.body.trim_end()),
                None => s.body.trim_end().to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n\n---\n\n"),
    };
    Some(fit(
        "",
        &format!("{}\n", body.trim_end()),
        &format!("\n{marker}\n"),
        "_The reply was cut to fit GitHub's comment limit._",
        MAX_COMMENT,
    ))
}

/// A refused command: the rule that refused it.
pub fn refused(command: &str, refusal: &Refusal) -> String {
    format!(
        "{} was refused: {}.",
        code(command),
        escape(&refusal.rule())
    )
}

/// The first throttled command of a window (later ones only get a reaction).
pub fn throttled(refusal: &Refusal) -> String {
    format!(
        "Too many commands on this pull request: {}. Try again in a minute; until then, such \
         commands only get a 😕 reaction.",
        escape(&refusal.rule())
    )
}

/// A fresh skeleton of `template` in a collapsed block, fenced so that it can be copied as is.
pub fn template(name: &str, skeleton: &str) -> String {
    let longest = skeleton
        .lines()
        .map(|l| l.trim_start().chars().take_while(|c| *c == '`').count())
        .max()
        .unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!(
        "<details><summary>Fresh skeleton of template {}</summary>\n\n{fence}markdown\n{}\n{fence}\n\n</details>",
        code(name),
        skeleton.trim_end()
    )
}

/// A template that could not be loaded.
pub fn template_unavailable(name: &str, message: &str) -> String {
    format!(
        "Template {} could not be loaded: {}",
        code(name),
        escape(message.trim_end_matches('.'))
    ) + "."
}

/// `status`: the sticky comment's content in short form (without its hidden marker, which
/// identifies the sticky comment itself, and without the list of commands).
pub fn status(evaluation: &Evaluation) -> String {
    let full = comment::body(evaluation).replacen(MARKER, "", 1);
    let short = full
        .find("<details><summary>Commands</summary>")
        .map_or(full.as_str(), |at| &full[..at]);
    short.trim().to_string()
}

/// `status` when the pull request is not evaluated.
pub const NOT_EVALUATED: &str = "This pull request is not evaluated: it is closed, or a draft \
                                 while the configuration says `drafts: ignore`.";

/// A state-changing command done, said in the reply only when there is no comment to react to
/// (commands in a review body).
pub fn confirmation(command: &Command) -> Option<&'static str> {
    Some(match command {
        Command::Check => "Checked again: see the check run.",
        Command::Assign => "Requested the reviewers again.",
        Command::Skip { .. } => "The design review of this pull request is skipped.",
        Command::Unskip => "The skip is undone: the design review applies again.",
        Command::Help | Command::Template { .. } | Command::Status => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(command: &str, body: &str) -> Section {
        Section {
            command: Some(command.into()),
            body: body.into(),
        }
    }

    #[test]
    fn one_section_is_the_reply_and_several_are_headed() {
        assert_eq!(compose(&[], "<!-- m -->"), None);
        let one = compose(&[section("/dr help", "Help.")], "<!-- m -->").unwrap();
        assert_eq!(one, "Help.\n\n<!-- m -->\n");
        let two = compose(
            &[section("/dr help", "Help."), section("/dr skp", "Typo.")],
            "<!-- m -->",
        )
        .unwrap();
        assert_eq!(
            two,
            "**<code>/dr help</code>**\n\nHelp.\n\n---\n\n**<code>/dr skp</code>**\n\nTypo.\n\n<!-- m -->\n"
        );
    }

    #[test]
    fn refusals_by_one_rule_share_one_sentence() {
        let refused = |c: &str, r: &Refusal| (c.to_string(), Said::Refused(r.clone()));
        let own = Refusal::OwnPullRequest;
        let write = Refusal::NeedsWriteAccess;
        let got = sections(vec![
            refused("/dr skip a", &own),
            ("/dr help".into(), Said::Text("Help.".into())),
            refused("/dr unskip", &own),
            refused("/dr assign", &write),
            refused("/dr skip a", &own),
            refused("/dr skip b", &own),
            refused("/dr skip c", &own),
            refused("/dr assign", &write),
        ]);
        let bodies: Vec<(Option<&str>, &str)> = got
            .iter()
            .map(|s| (s.command.as_deref(), s.body.as_str()))
            .collect();
        assert_eq!(
            bodies,
            [
                (
                    None,
                    "<code>/dr skip a</code>, <code>/dr unskip</code>, <code>/dr skip b</code> \
                     and 1 more were refused: the author of a pull request may never skip or \
                     unskip its design review."
                ),
                (Some("/dr help"), "Help."),
                (
                    None,
                    "<code>/dr assign</code> was refused 2 times: requesting the reviewers again \
                     needs write access to the repository."
                ),
            ]
        );
        let single = sections(vec![refused("/dr assign", &write)]);
        assert_eq!(single[0].command.as_deref(), Some("/dr assign"));
        assert_eq!(
            single[0].body,
            "<code>/dr assign</code> was refused: requesting the reviewers again needs write \
             access to the repository."
        );
    }

    #[test]
    fn long_replies_fit_a_comment() {
        let long = "line\n".repeat(20_000);
        let reply = compose(&[section("/dr template", &long)], &marker("d-1")).unwrap();
        assert!(reply.len() <= MAX_COMMENT);
        assert!(reply.ends_with(&format!("{}\n", marker("d-1"))));
    }

    #[test]
    fn markers_keep_only_safe_characters() {
        // Without `>` the comment cannot be closed early.
        assert_eq!(
            marker("abc-123 --> <b>"),
            "<!-- design-review:command-reply abc-123--b -->"
        );
    }

    #[test]
    fn skeletons_are_fenced_longer_than_their_own_fences() {
        let block = template("adr", "# Title\n\n```yaml\nx: 1\n```\n");
        assert!(block.contains("````markdown\n# Title"), "{block}");
        assert!(block.starts_with("<details>"));
        assert!(block.ends_with("</details>"));
    }
}
