//! Every example payload GitHub publishes for the events we handle must parse into our events.
//!
//! Reads `../shared/corpus/webhooks` (octokit/webhooks examples) when it is present beside the
//! repository (or in the directory `WEBHOOK_CORPUS` names); run with
//! `cargo test --test corpus_webhooks -- --ignored`.

use std::path::PathBuf;

use design_review::webhook::Event;

fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("WEBHOOK_CORPUS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/webhooks"),
        PathBuf::from,
    );
    dir.is_dir().then_some(dir)
}

#[test]
#[ignore = "reads the external webhook corpus"]
fn every_example_payload_parses() {
    let Some(dir) = corpus() else {
        eprintln!("SKIPPED: no webhook corpus at ../shared/corpus/webhooks");
        return;
    };
    let mut parsed = 0;
    let mut handled = 0;
    for event_dir in std::fs::read_dir(&dir).unwrap().flatten() {
        let event = event_dir.file_name().to_string_lossy().to_string();
        for file in std::fs::read_dir(event_dir.path()).unwrap().flatten() {
            let bytes = std::fs::read(file.path()).unwrap();
            let result = Event::parse(&event, &bytes);
            let event_value = result.unwrap_or_else(|e| panic!("{}: {e}", file.path().display()));
            parsed += 1;
            if !matches!(event_value, Event::Ignored(_)) {
                handled += 1;
            }
            // The events and actions we act on must come out as actions, not as ignored.
            let name = file.file_name().to_string_lossy().to_string();
            let action = name.split('.').next().unwrap_or_default();
            let expect_handled = matches!(
                (event.as_str(), action),
                (
                    "pull_request",
                    "opened"
                        | "reopened"
                        | "synchronize"
                        | "ready_for_review"
                        | "converted_to_draft"
                ) | ("pull_request_review", "submitted" | "dismissed")
                    | ("check_run" | "check_suite", "rerequested")
                    | ("ping", _)
            );
            if expect_handled {
                assert!(
                    !matches!(event_value, Event::Ignored(_)),
                    "{event}/{name} was ignored: {event_value:?}"
                );
            }
        }
    }
    eprintln!("{parsed} example payloads parsed, {handled} acted on");
    assert!(parsed > 50);
}
