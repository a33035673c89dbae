//! The slash-command grammar as a commenter experiences it: which lines are commands, what
//! they parse to, and the replies for mistakes.

use design_review::commands::{
    Audience, COMMANDS, Command, DEFAULT_COMMAND_PREFIX, ParseError, find_commands, help_text,
    parse_commands, render_error,
};
use proptest::prelude::*;

const P: &str = "/design-review";

fn parse(body: &str) -> Vec<Result<Command, ParseError>> {
    parse_commands(body, P)
}

fn one(body: &str) -> Result<Command, ParseError> {
    let mut all = parse(body);
    assert_eq!(
        all.len(),
        1,
        "expected exactly one command in {body:?}: {all:?}"
    );
    all.remove(0)
}

fn bad_arguments_of(result: Result<Command, ParseError>) -> &'static str {
    match result {
        Err(ParseError::BadArguments { command, .. }) => command,
        other => panic!("expected bad arguments, got {other:?}"),
    }
}

// ---- one parser per command -------------------------------------------------------------

#[test]
fn commands_without_arguments_parse() {
    assert_eq!(one("/design-review help"), Ok(Command::Help));
    assert_eq!(one("/design-review check"), Ok(Command::Check));
    assert_eq!(one("/design-review assign"), Ok(Command::Assign));
    assert_eq!(one("/design-review unskip"), Ok(Command::Unskip));
    assert_eq!(one("/design-review status"), Ok(Command::Status));
}

#[test]
fn commands_without_arguments_reject_extra_words() {
    for name in ["help", "check", "assign", "unskip", "status"] {
        let result = one(&format!("/design-review {name} extra-args"));
        assert_eq!(bad_arguments_of(result), name);
    }
}

#[test]
fn template_takes_an_optional_single_name() {
    assert_eq!(
        one("/design-review template"),
        Ok(Command::Template { name: None })
    );
    assert_eq!(
        one("/design-review template rfc"),
        Ok(Command::Template {
            name: Some("rfc".into())
        })
    );
    assert_eq!(
        one("/design-review template \"API change\""),
        Ok(Command::Template {
            name: Some("API change".into())
        })
    );
    assert_eq!(
        bad_arguments_of(one("/design-review template a b")),
        "template"
    );
    assert_eq!(
        bad_arguments_of(one("/design-review template \"\"")),
        "template"
    );
}

#[test]
fn skip_takes_the_rest_of_the_line_as_reason() {
    assert_eq!(
        one("/design-review skip   typo fix only, no design impact  "),
        Ok(Command::Skip {
            reason: "typo fix only, no design impact".into()
        })
    );
    assert_eq!(
        one("/design-review skip covered by `RFC-12` already"),
        Ok(Command::Skip {
            reason: "covered by `RFC-12` already".into()
        })
    );
}

#[test]
fn skip_reason_quotes_are_optional_and_removed() {
    for written in [
        "\"docs only\"",
        "'docs only'",
        "“docs only”",
        "\" docs only \"",
    ] {
        assert_eq!(
            one(&format!("/design-review skip {written}")),
            Ok(Command::Skip {
                reason: "docs only".into()
            }),
            "{written}"
        );
    }
    // Quotes that do not surround the whole reason are part of it.
    assert_eq!(
        one("/design-review skip \"v2\" is a rename"),
        Ok(Command::Skip {
            reason: "\"v2\" is a rename".into()
        })
    );
}

#[test]
fn skip_without_reason_is_refused() {
    for body in [
        "/design-review skip",
        "/design-review skip    ",
        "/design-review skip \"\"",
        "/design-review skip ' '",
    ] {
        assert_eq!(bad_arguments_of(one(body)), "skip", "{body:?}");
    }
}

#[test]
fn subcommand_names_ignore_case() {
    assert_eq!(one("/design-review CHECK"), Ok(Command::Check));
    assert_eq!(
        one("/design-review Skip Because"),
        Ok(Command::Skip {
            reason: "Because".into()
        })
    );
    assert_eq!(one("/design-review UnSkip"), Ok(Command::Unskip));
}

// ---- which lines are commands -------------------------------------------------------------

#[test]
fn several_commands_are_returned_in_order_with_their_lines() {
    let body = "Thanks for the update!\n\n/design-review check\nsome prose\n  /design-review skip not a design change\n/design-review frobnicate\n";
    let found = find_commands(body, P);
    let summary: Vec<(usize, &str)> = found.iter().map(|c| (c.line, c.text.as_str())).collect();
    assert_eq!(
        summary,
        vec![
            (3, "/design-review check"),
            (5, "/design-review skip not a design change"),
            (6, "/design-review frobnicate"),
        ]
    );
    assert_eq!(found[0].result, Ok(Command::Check));
    assert_eq!(
        found[1].result,
        Ok(Command::Skip {
            reason: "not a design change".into()
        })
    );
    assert!(matches!(found[2].result, Err(ParseError::Unknown { .. })));
    assert_eq!(
        &body[found[1].span.clone()],
        "  /design-review skip not a design change"
    );
}

#[test]
fn prose_mentioning_the_prefix_is_not_a_command() {
    assert!(parse("Please run /design-review check when ready").is_empty());
    assert!(parse("- /design-review check").is_empty());
    assert!(parse("1. /design-review check").is_empty());
    assert!(parse("# /design-review check").is_empty());
    assert!(parse("").is_empty());
}

#[test]
fn the_prefix_must_be_a_whole_word() {
    assert!(parse("/design-reviewer check").is_empty());
    assert!(parse("/design-review-bot check").is_empty());
    assert!(parse("/design-review:check").is_empty());
    assert_eq!(one("/design-review\tcheck"), Ok(Command::Check));
}

#[test]
fn prefix_matching_ignores_case_and_leading_whitespace() {
    assert_eq!(one("/Design-Review check"), Ok(Command::Check));
    assert_eq!(one("   /DESIGN-REVIEW status"), Ok(Command::Status));
    // A tab at the start of a line is four columns: an indented code block.
    assert!(parse("\t/design-review status").is_empty());
}

#[test]
fn the_prefix_is_configurable() {
    let body = "/dr check\n/design-review status";
    assert_eq!(parse_commands(body, "/dr"), vec![Ok(Command::Check)]);
    assert_eq!(parse_commands(body, "/DR"), vec![Ok(Command::Check)]);
    assert_eq!(parse_commands(body, " /dr "), vec![Ok(Command::Check)]);
    assert_eq!(parse_commands(body, P), vec![Ok(Command::Status)]);
    assert_eq!(DEFAULT_COMMAND_PREFIX, P);
    assert!(parse_commands(body, "").is_empty());
    assert!(parse_commands(body, "   ").is_empty());
}

#[test]
fn crlf_line_endings_do_not_leak_into_arguments() {
    let body =
        "/design-review skip docs only\r\n/design-review template rfc\r\n/design-review check\r\n";
    assert_eq!(
        parse(body),
        vec![
            Ok(Command::Skip {
                reason: "docs only".into()
            }),
            Ok(Command::Template {
                name: Some("rfc".into())
            }),
            Ok(Command::Check),
        ]
    );
    assert_eq!(
        parse("a\r/design-review check\rb"),
        vec![Ok(Command::Check)]
    );
}

#[test]
fn fenced_code_is_ignored() {
    let body = "```\n/design-review skip fenced\n```\n~~~text\n/design-review skip tilde\n~~~\n/design-review check";
    assert_eq!(parse(body), vec![Ok(Command::Check)]);
}

#[test]
fn an_unclosed_fence_hides_the_rest_of_the_comment() {
    assert!(parse("```\n/design-review check\n").is_empty());
}

#[test]
fn indented_code_is_ignored() {
    let body = "Example:\n\n    /design-review skip indented\n\n/design-review check";
    assert_eq!(parse(body), vec![Ok(Command::Check)]);
}

#[test]
fn inline_code_is_ignored_even_across_lines() {
    let body = "run `/design-review check` later, or `this\n/design-review skip wrapped` span";
    assert!(parse(body).is_empty());
}

#[test]
fn block_quotes_are_ignored() {
    let body =
        "> /design-review skip quoted\n>> /design-review unskip nested\n\n/design-review status";
    assert_eq!(parse(body), vec![Ok(Command::Status)]);
}

#[test]
fn a_lazy_continuation_of_a_quote_is_part_of_the_quote() {
    // GitHub renders the second line inside the quote, so it is quoted text.
    let body = "> You wrote:\n/design-review skip quoted\n\n/design-review check";
    assert_eq!(parse(body), vec![Ok(Command::Check)]);
}

#[test]
fn html_comments_are_ignored() {
    let body = "<!--\n/design-review skip hidden\n-->\n\n/design-review check\ntext <!-- inline\n/design-review unskip\n--> more\n<!-- /design-review assign -->";
    assert_eq!(parse(body), vec![Ok(Command::Check)]);
    assert!(parse("<!-- never closed\n\n/design-review check").is_empty());
}

#[test]
fn text_inside_visible_html_still_counts() {
    let body = "<details>\n/design-review check\n</details>";
    assert_eq!(parse(body), vec![Ok(Command::Check)]);
}

#[test]
fn commands_inside_list_item_text_count() {
    let body = "- [x] updated the doc\n  /design-review check";
    assert_eq!(parse(body), vec![Ok(Command::Check)]);
}

// ---- mistakes and suggestions -------------------------------------------------------------

#[test]
fn a_bare_prefix_is_a_missing_subcommand() {
    assert_eq!(one("/design-review"), Err(ParseError::MissingSubcommand));
    assert_eq!(
        one("/design-review   \r\n"),
        Err(ParseError::MissingSubcommand)
    );
}

#[test]
fn typos_suggest_the_closest_command() {
    let suggestion = |body: &str| match one(body) {
        Err(ParseError::Unknown { suggestion, .. }) => suggestion,
        other => panic!("expected unknown command, got {other:?}"),
    };
    assert_eq!(suggestion("/design-review skp x"), Some("skip"));
    assert_eq!(suggestion("/design-review hlep"), Some("help"));
    assert_eq!(suggestion("/design-review STAUTS"), Some("status"));
    assert_eq!(suggestion("/design-review tempalte rfc"), Some("template"));
    assert_eq!(suggestion("/design-review unskp"), Some("unskip"));
    assert_eq!(suggestion("/design-review asign"), Some("assign"));
    assert_eq!(suggestion("/design-review approve"), None);
    assert_eq!(suggestion("/design-review xyzzy"), None);
}

#[test]
fn unknown_commands_echo_what_was_written() {
    assert_eq!(
        one("/design-review Frobnicate now"),
        Err(ParseError::Unknown {
            given: "Frobnicate".into(),
            suggestion: None
        })
    );
    let long = "x".repeat(500);
    match one(&format!("/design-review {long}")) {
        Err(ParseError::Unknown { given, .. }) => assert!(given.len() < 100),
        other => panic!("expected unknown command, got {other:?}"),
    }
}

#[test]
fn the_reply_to_a_typo_shows_the_usage_of_the_suggestion() {
    let error = one("/design-review skp x").unwrap_err();
    assert_eq!(
        render_error(&error, P),
        "<code>/design-review skp</code> is not a command. Did you mean <code>skip</code>?\n\n\
         Usage: <code>/design-review skip \\<reason\\></code>: Waive the design review of this PR; the reason is required and shown in the check run.\n\n\
         Run <code>/design-review help</code> to list the commands you may use."
    );
}

#[test]
fn the_reply_to_bad_arguments_names_the_rule_and_the_usage() {
    let errors = parse_commands("/dr skip", "/dr");
    let reply = render_error(errors[0].as_ref().unwrap_err(), "/dr");
    insta::assert_snapshot!("skip_without_a_reason", reply);

    let reply = render_error(&one("/design-review check now").unwrap_err(), P);
    insta::assert_snapshot!("check_with_an_argument", reply);

    let reply = render_error(&one("/design-review template a b").unwrap_err(), P);
    insta::assert_snapshot!("template_with_two_arguments", reply);
}

#[test]
fn the_reply_to_a_bare_prefix_points_to_help() {
    let reply = render_error(&ParseError::MissingSubcommand, P);
    insta::assert_snapshot!("bare_prefix", reply);
}

#[test]
fn echoed_input_cannot_break_out_of_its_code_span() {
    let error = ParseError::Unknown {
        given: "`@everyone`|<b>".into(),
        suggestion: None,
    };
    assert_eq!(
        render_error(&error, P),
        "<code>/design-review \\`@\u{2060}everyone\\`\\|\\<b\\></code> is not a command.\n\n\
         Run <code>/design-review help</code> to list the commands you may use."
    );
}

// ---- help and the command table ------------------------------------------------------------

#[test]
fn help_lists_only_the_commands_the_commenter_may_use() {
    let everyone = help_text(P, |a| a == Audience::Everyone);
    for usage in [
        "<code>/design-review help</code>",
        "<code>/design-review check</code>",
        "<code>/design-review status</code>",
        "<code>/design-review template \\[NAME\\]</code>",
    ] {
        assert!(everyone.contains(usage), "{usage} missing from\n{everyone}");
    }
    assert!(!everyone.contains("assign"), "{everyone}");
    assert!(!everyone.contains("skip"), "{everyone}");

    let writer = help_text(P, |a| a != Audience::ReviewTeamOrMaintainer);
    assert!(writer.contains("<code>/design-review assign</code>"));
    assert!(!writer.contains("skip"));

    let all = help_text("/dr", |_| true);
    assert_eq!(all.matches("| <code>/dr ").count(), COMMANDS.len(), "{all}");
    assert!(all.contains("<code>/dr skip \\<reason\\></code>"));
    assert!(all.contains("<code>/dr unskip</code>"));

    assert!(!help_text(P, |_| false).contains('|'));
}

#[test]
fn audiences_follow_the_issue() {
    let audience = |command: Command| command.audience();
    assert_eq!(audience(Command::Help), Audience::Everyone);
    assert_eq!(audience(Command::Check), Audience::Everyone);
    assert_eq!(audience(Command::Status), Audience::Everyone);
    assert_eq!(
        audience(Command::Template { name: None }),
        Audience::Everyone
    );
    assert_eq!(audience(Command::Assign), Audience::WriteAccess);
    assert_eq!(
        audience(Command::Skip { reason: "r".into() }),
        Audience::ReviewTeamOrMaintainer
    );
    assert_eq!(audience(Command::Unskip), Audience::ReviewTeamOrMaintainer);
}

#[test]
fn only_skip_unskip_and_assign_change_state() {
    let changing: Vec<&str> = all_commands()
        .into_iter()
        .filter(Command::is_state_changing)
        .map(|c| c.name())
        .collect();
    assert_eq!(changing, vec!["assign", "skip", "unskip"]);
}

#[test]
fn every_command_round_trips_through_its_usage_name() {
    for command in all_commands() {
        assert_eq!(command.spec().name, command.name());
        let written = match &command {
            Command::Skip { reason } => format!("{P} {} {reason}", command.name()),
            _ => format!("{P} {}", command.name()),
        };
        assert_eq!(one(&written), Ok(command.clone()));
    }
}

fn all_commands() -> Vec<Command> {
    vec![
        Command::Help,
        Command::Check,
        Command::Assign,
        Command::Template { name: None },
        Command::Skip {
            reason: "why".into(),
        },
        Command::Unskip,
        Command::Status,
    ]
}

// ---- properties ----------------------------------------------------------------------------

/// Lines that look like what people paste into PR comments, commands included.
fn markdownish_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("/design-review check".to_string()),
        Just("/DESIGN-REVIEW skip \"because\"".to_string()),
        Just("/design-review".to_string()),
        Just("/design-reviewer status".to_string()),
        Just("```".to_string()),
        Just("~~~".to_string()),
        Just("> ".to_string()),
        Just("<!--".to_string()),
        Just("-->".to_string()),
        Just("`".to_string()),
        Just("    ".to_string()),
        Just("- ".to_string()),
        Just("<details>".to_string()),
        Just("| a | b |".to_string()),
        Just("---".to_string()),
        Just("\r".to_string()),
        "[^\n]{0,30}",
        any::<String>(),
    ]
}

fn markdownish_body() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::collection::vec(markdownish_line(), 1..4).prop_map(|parts| parts.concat()),
        0..12,
    )
    .prop_map(|lines| lines.join("\n"))
}

fn starts_with_prefix_ignoring_case(line: &str, prefix: &str) -> bool {
    let line = line.trim_start_matches([' ', '\t']);
    let mut chars = line.chars();
    prefix.chars().all(|p| {
        chars
            .next()
            .is_some_and(|c| c.to_lowercase().eq(p.to_lowercase()))
    }) && chars.next().is_none_or(char::is_whitespace)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text_never_panics_and_commands_come_from_prefixed_lines(
        body in prop_oneof![any::<String>(), markdownish_body()],
    ) {
        let found = find_commands(&body, P);
        for command in &found {
            let span = command.span.clone();
            let line = &body[span.clone()];
            prop_assert!(span.start == 0 || body[..span.start].ends_with(['\n', '\r']));
            prop_assert!(span.end == body.len() || body[span.end..].starts_with(['\n', '\r']));
            prop_assert!(starts_with_prefix_ignoring_case(line, P), "{line:?}");
            prop_assert_eq!(command.text.as_str(), line.trim());
            if let Err(error) = &command.result {
                prop_assert!(!render_error(error, P).is_empty());
            }
        }
        prop_assert_eq!(parse_commands(&body, P).len(), found.len());
    }

    #[test]
    fn any_prefix_on_any_text_never_panics(body in any::<String>(), prefix in any::<String>()) {
        for command in find_commands(&body, &prefix) {
            prop_assert!(starts_with_prefix_ignoring_case(&body[command.span], prefix.trim()));
        }
    }

    #[test]
    fn a_skip_reason_is_kept_verbatim(
        reason in any::<String>().prop_filter("one line, not quoted", |r| {
            !r.contains(['\n', '\r'])
                && !r.trim().is_empty()
                && !r.trim().starts_with(['"', '\'', '“', '‘'])
        }),
        lead in "(\n|Thanks!\n\n|<!-- note -->\n)",
    ) {
        let body = format!("{lead}/design-review skip {reason}");
        prop_assert_eq!(
            parse(&body),
            vec![Ok(Command::Skip { reason: reason.trim().to_string() })]
        );
    }

    #[test]
    fn nothing_inside_a_fence_or_a_quote_is_a_command(
        lines in prop::collection::vec(markdownish_line(), 0..10)
            .prop_filter("no line may close the fence", |lines| {
                lines.iter().all(|l| !l.contains(['`', '~']))
            }),
    ) {
        let fenced = format!("```\n{}\n```", lines.join("\n"));
        prop_assert_eq!(parse(&fenced), vec![]);
        let quoted: Vec<String> = lines
            .iter()
            .flat_map(|l| l.split(['\n', '\r']))
            .map(|l| format!("> {l}"))
            .collect();
        prop_assert_eq!(parse(&quoted.join("\n")), vec![]);
    }
}
