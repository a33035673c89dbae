//! `app.yml` (the manifest the setup page registers) stays in step with the code: the App
//! subscribes to exactly the events the dispatcher handles, and holds exactly the permissions the
//! GitHub calls need (least privilege), so a new call or event cannot ship without its grant.

use std::collections::{BTreeMap, BTreeSet};

use design_review::github::permissions::{Access, required_permissions};
use design_review::webhook::{Event, event::HANDLED_EVENTS};
use serde::Deserialize;

/// Permissions GitHub itself requires: `metadata` for every App, `merge_queues` to receive
/// `merge_group` events.
const REQUIRED_BY_GITHUB: &[(&str, &str)] = &[("metadata", "read"), ("merge_queues", "read")];

#[derive(Debug, Deserialize)]
struct Manifest {
    name: String,
    url: String,
    hook_attributes: HookAttributes,
    redirect_url: String,
    public: bool,
    default_events: Vec<String>,
    default_permissions: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
struct HookAttributes {
    url: String,
}

fn manifest() -> Manifest {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/app.yml"))
        .expect("app.yml at the crate root");
    serde_yaml_ng::from_str(&text).expect("app.yml is a valid manifest")
}

fn level(text: &str) -> Access {
    match text {
        "read" => Access::Read,
        "write" => Access::Write,
        other => panic!("app.yml grants unknown access level {other:?}"),
    }
}

#[test]
fn manifest_has_the_fields_github_requires() {
    let manifest = manifest();
    assert_eq!(manifest.name, "design-review");
    assert!(manifest.url.starts_with("https://"));
    assert!(manifest.hook_attributes.url.starts_with("https://"));
    assert!(manifest.redirect_url.ends_with("/setup/callback"));
    assert!(!manifest.public, "a self-hosted App is private by default");
}

#[test]
fn subscribes_to_exactly_the_handled_events() {
    let manifest = manifest();
    let subscribed: BTreeSet<&str> = manifest.default_events.iter().map(String::as_str).collect();
    let handled: BTreeSet<&str> = HANDLED_EVENTS.iter().copied().collect();
    let missing: Vec<_> = handled.difference(&subscribed).collect();
    assert!(
        missing.is_empty(),
        "app.yml default_events lacks {missing:?}"
    );
    let unused: Vec<_> = subscribed.difference(&handled).collect();
    assert!(
        unused.is_empty(),
        "app.yml subscribes to events nothing handles: {unused:?}"
    );
}

#[test]
fn handled_events_list_matches_the_parser() {
    // An event in the list the parser drops as unknown would make the manifest check meaningless.
    for event in HANDLED_EVENTS {
        if let Ok(Event::Ignored(why)) = Event::parse(event, b"{}") {
            assert!(!why.contains("event not handled"), "{event}: {why}");
        }
    }
    assert!(matches!(
        Event::parse("star", b"{}"),
        Ok(Event::Ignored(why)) if why.contains("event not handled")
    ));
}

#[test]
fn grants_every_permission_the_calls_need() {
    let granted = manifest().default_permissions;
    for (permission, needed) in required_permissions() {
        let Some(level_text) = granted.get(permission) else {
            panic!("app.yml does not grant {permission}: {}", needed.as_str());
        };
        assert!(
            level(level_text) >= needed,
            "app.yml grants {permission}: {level_text}, the calls need {}",
            needed.as_str()
        );
    }
}

#[test]
fn grants_nothing_beyond_what_is_needed() {
    let required = required_permissions();
    for (permission, level_text) in manifest().default_permissions {
        if REQUIRED_BY_GITHUB.contains(&(permission.as_str(), level_text.as_str())) {
            continue;
        }
        let Some(needed) = required.get(permission.as_str()) else {
            panic!("app.yml grants {permission}: {level_text}, which no call needs");
        };
        assert_eq!(
            level(&level_text),
            *needed,
            "app.yml grants {permission}: {level_text}, the calls need only {}",
            needed.as_str()
        );
    }
}
