//! Property tests of the parsers that read what other people write: the repository config
//! (`.github/design-review.yml`) and webhook payloads. The same entry points are fuzzed under
//! `fuzz/`; these run in the normal suite. (The checker and command parser have theirs in
//! `checker_props.rs` and `commands_parse.rs`.)

use design_review::config::repo::{DraftMode, RepoConfig};
use design_review::webhook::{Event, event::HANDLED_EVENTS};
use proptest::prelude::*;
use serde_json::{Value, json};

/// Any JSON value, a few levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("action".to_string()),
                    Just("number".to_string()),
                    Just("sha".to_string()),
                    Just("head".to_string()),
                    Just("login".to_string()),
                    Just("id".to_string()),
                    "[a-z_]{1,10}".prop_map(String::from),
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A payload with the envelope keys GitHub uses, each holding anything.
fn envelope() -> impl Strategy<Value = Value> {
    let keys = [
        "action",
        "installation",
        "repository",
        "sender",
        "pull_request",
        "review",
        "comment",
        "issue",
        "check_run",
        "check_suite",
        "merge_group",
        "changes",
    ];
    prop::collection::vec((prop::sample::select(keys.to_vec()), json_value()), 0..8).prop_map(
        |pairs| Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()),
    )
}

fn event_names() -> Vec<&'static str> {
    HANDLED_EVENTS
        .iter()
        .copied()
        .chain(["ping", "push", ""])
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        // The seeds of a failure are printed; this test binary has no source root to keep them.
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn payload_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        for event in event_names() {
            let _ = Event::parse(event, &bytes);
        }
    }

    #[test]
    fn payloads_of_the_right_keys_and_wrong_shapes_never_panic(payload in envelope()) {
        let bytes = serde_json::to_vec(&payload).unwrap();
        for event in event_names() {
            if let Ok(parsed) = Event::parse(event, &bytes) {
                // Whatever was read is usable: a PR-scoped event names its PR.
                if let Some(pr) = parsed.pr() {
                    prop_assert!(!pr.repo.to_string().is_empty());
                }
            }
        }
    }

    #[test]
    fn pull_request_payloads_name_their_pr_and_head(
        number in 1u64..1_000_000,
        sha in "[0-9a-f]{40}",
        action in prop::sample::select(vec![
            "opened", "reopened", "synchronize", "ready_for_review", "converted_to_draft",
            "labeled", "closed", "assigned", "edited",
        ]),
        login in "[a-zA-Z][a-zA-Z0-9-]{0,20}",
    ) {
        let payload = json!({
            "action": action,
            "number": number,
            "installation": {"id": 7},
            "repository": {"full_name": "acme/widgets", "default_branch": "main"},
            "sender": {"login": login, "type": "User"},
            "pull_request": {
                "number": number, "state": "open", "draft": false,
                "head": {"sha": sha, "ref": "feature"}, "base": {"ref": "main", "sha": "0".repeat(40)},
                "user": {"login": login},
            },
        });
        let parsed = Event::parse("pull_request", payload.to_string().as_bytes()).unwrap();
        let evaluates = matches!(
            action,
            "opened" | "reopened" | "synchronize" | "ready_for_review" | "converted_to_draft"
        );
        match parsed {
            Event::Evaluate(e) => {
                prop_assert!(evaluates, "{action} evaluated");
                prop_assert_eq!(e.pr.number.0, number);
                prop_assert_eq!(e.head_sha.map(|h| h.0), Some(sha));
            }
            Event::Ignored(_) => prop_assert!(!evaluates, "{action} ignored"),
            other => prop_assert!(false, "unexpected {other:?}"),
        }
    }

    #[test]
    fn config_text_never_panics(text in "\\PC{0,300}") {
        let _ = RepoConfig::parse(&text);
    }

    #[test]
    fn config_yaml_of_any_shape_never_panics(value in json_value()) {
        // JSON is YAML: every shape of document, valid or not for the schema.
        let _ = RepoConfig::parse(&value.to_string());
        let nested = json!({ "review": value.clone(), "docs": [value] });
        let _ = RepoConfig::parse(&nested.to_string());
    }

    #[test]
    fn valid_configs_read_back_what_they_say(
        team in "[a-z][a-z0-9-]{0,15}/[a-z][a-z0-9-]{0,15}",
        approvals in 0u32..10,
        drafts in prop::sample::select(vec!["ignore", "check_only"]),
        globs in prop::collection::vec("[a-z]{1,8}/\\*\\*/\\*\\.md", 1..4),
        prefix in "/[a-z]{2,12}",
    ) {
        let yaml = format!(
            "docs:\n  - paths: [{}]\n    template: tech-spec\nreview:\n  team: {team}\n  \
             approvals: {approvals}\n  drafts: {drafts}\ncommands:\n  prefix: \"{prefix}\"\n",
            globs.iter().map(|g| format!("\"{g}\"")).collect::<Vec<_>>().join(", ")
        );
        let config = RepoConfig::parse(&yaml).map_err(|e| TestCaseError::fail(format!("{e}\n{yaml}")))?;
        prop_assert_eq!(config.review.team().map(|t| t.to_string()), Some(team));
        prop_assert_eq!(config.review.approvals(), approvals);
        let expected = if drafts == "ignore" { DraftMode::Ignore } else { DraftMode::CheckOnly };
        prop_assert_eq!(config.review.drafts(), expected);
        prop_assert_eq!(config.commands.prefix(), prefix.as_str());
        prop_assert_eq!(config.docs().len(), 1);
        prop_assert!(config.matcher().is_ok());
    }

    #[test]
    fn unknown_keys_are_refused_with_their_line(
        key in "[a-z]{3,12}",
        blank_lines in 0usize..5,
    ) {
        prop_assume!(!["docs", "templates", "placeholder", "review", "check", "commands", "extends"]
            .contains(&key.as_str()));
        let yaml = format!("review:\n  approvals: 1\n{}{key}: true\n", "\n".repeat(blank_lines));
        let error = RepoConfig::parse(&yaml).expect_err("unknown key accepted");
        prop_assert!(error.message.contains(&key), "{}", error.message);
        prop_assert!(error.line.is_some(), "no line in {error:?}");
    }
}
