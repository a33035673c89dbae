//! `.github/design-review.yml`: the shipped example parses, defaults, strictness with line and
//! column, `extends: org` merging, and which files are design docs.

use design_review::checker::Mention;
use design_review::config::repo::{DraftMode, Extends, RepoConfig, SkipRole};

fn example() -> RepoConfig {
    let yaml = std::fs::read_to_string(format!(
        "{}/config/design-review.example.yml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    RepoConfig::parse(&yaml).unwrap()
}

#[test]
fn shipped_example_parses_with_every_key() {
    let c = example();
    assert_eq!(c.extends, Some(Extends::Org));
    assert_eq!(c.review.team().unwrap().to_string(), "acme/design-review");
    assert_eq!(c.review.approvals(), 1);
    assert!(c.review.request_named_reviewers());
    assert!(c.review.invalidate_on_doc_change());
    assert_eq!(c.review.drafts(), DraftMode::CheckOnly);
    assert_eq!(c.check.name(), "design-review");
    assert_eq!(c.commands.prefix(), "/design-review");
    assert_eq!(
        c.commands.skip_allowed(),
        [SkipRole::Team, SkipRole::Maintain]
    );
    assert_eq!(c.review.owners_of("Payments").len(), 2);
    assert_eq!(c.rules_for("tech-spec").optional.len(), 2);
    assert_eq!(c.rules_for("tech-spec").placeholder_threshold, Some(0.8));
    let m = c.matcher().unwrap();
    assert_eq!(
        m.template_for("docs/design/2024/cache.md"),
        Some("system-design")
    );
    assert_eq!(m.template_for("docs/design/README.md"), None, "excluded");
    assert_eq!(m.template_for("docs/specs/search.md"), Some("tech-spec"));
    assert_eq!(m.template_for("src/main.rs"), None);
}

#[test]
fn empty_file_means_documented_defaults() {
    let c = RepoConfig::parse("# nothing configured\n").unwrap();
    assert_eq!(c, RepoConfig::default());
    assert_eq!(c.review.team(), None);
    assert_eq!(c.review.approvals(), 1);
    assert_eq!(c.check.name(), "design-review");
    let m = c.matcher().unwrap();
    for path in [
        "docs/design/a.md",
        "docs/rfcs/x/y.md",
        "rfcs/0001-x.md",
        "design/a.md",
    ] {
        assert_eq!(m.template_for(path), Some("system-design"), "{path}");
    }
    assert_eq!(m.template_for("docs/designs/a.md"), None);
    assert_eq!(m.template_for("docs/design/a.txt"), None);
}

#[test]
fn unknown_keys_fail_with_line_and_column() {
    let err = RepoConfig::parse("review:\n  team: acme/x\n  aprovals: 2\n").unwrap_err();
    assert_eq!(err.line, Some(3), "{err}");
    assert!(err.column.is_some());
    assert!(err.message.contains("aprovals"), "{err}");
    assert!(err.to_string().starts_with("line 3, column"), "{err}");
}

#[test]
fn invalid_yaml_and_invalid_values_name_the_line() {
    let err = RepoConfig::parse("docs:\n  - paths: [\"docs/**/*.md\"\n").unwrap_err();
    assert!(err.line.is_some(), "{err}");
    let err = RepoConfig::parse("review:\n  team: not-a-team\n").unwrap_err();
    assert_eq!(err.line, Some(2), "{err}");
    let err = RepoConfig::parse("docs:\n  - paths: [\"docs/[.md\"]\n").unwrap_err();
    assert_eq!(err.line, Some(2), "{err}");
    let err =
        RepoConfig::parse("review:\n  service_owners:\n    pay: [\"not valid!\"]\n").unwrap_err();
    assert_eq!(err.line, Some(3), "{err}");
    let err = RepoConfig::parse("placeholder:\n  threshold: 2\n").unwrap_err();
    assert_eq!(err.line, Some(2), "{err}");
    assert!(RepoConfig::parse("review:\n  drafts: sometimes\n").is_err());
    assert!(RepoConfig::parse("templates:\n  tech-spec:\n    optionals: [x]\n").is_err());
}

#[test]
fn repo_file_extends_org_file() {
    let org = RepoConfig::parse(
        "review:\n  team: acme/design\n  approvals: 2\n  service_owners:\n    payments: ['@acme/pay']\n    cards: ['@carol']\ncheck:\n  name: org-check\n",
    )
    .unwrap();
    let repo = RepoConfig::parse(
        "extends: org\nreview:\n  approvals: 1\n  service_owners:\n    cards: ['@dave']\n",
    )
    .unwrap();
    let c = RepoConfig::effective(Some(repo.clone()), Some(org.clone()));
    assert_eq!(c.review.team().unwrap().to_string(), "acme/design");
    assert_eq!(c.review.approvals(), 1);
    assert_eq!(c.check.name(), "org-check");
    assert_eq!(
        c.review.owners_of("cards"),
        [Mention::User {
            login: design_review::domain::Login("dave".into())
        }]
    );
    assert_eq!(c.review.owners_of("payments").len(), 1);
    // Without `extends`, the repo file stands alone; without a repo file, the org file applies.
    let alone = RepoConfig {
        extends: None,
        ..repo
    };
    assert_eq!(
        RepoConfig::effective(Some(alone), Some(org.clone()))
            .review
            .team(),
        None
    );
    assert_eq!(RepoConfig::effective(None, Some(org)).review.approvals(), 2);
    assert_eq!(RepoConfig::effective(None, None), RepoConfig::default());
}

#[test]
fn template_paths_that_leave_the_repository_are_rejected_with_their_position() {
    // (template as written in YAML, line, column, the reason named in the message)
    let cases: &[(&str, usize, usize, &str)] = &[
        (
            "../secrets/template.md",
            4,
            16,
            "`..` would leave the repository",
        ),
        ("docs/../../x.md", 4, 16, "`..` would leave the repository"),
        ("/etc/passwd", 4, 16, "an absolute path"),
        ("https://evil.example/t.md", 4, 16, "a URL"),
        ("//evil.example/t.md", 4, 16, "an absolute path"),
        ("C:/templates/t.md", 4, 16, "a URL or a name with `:`"),
        ("docs\\..\\x.md", 4, 16, "a backslash"),
        ("docs/t.md?ref=other", 4, 16, "`?`, `#` and `%`"),
        ("docs/%2e%2e/t.md", 4, 16, "`?`, `#` and `%`"),
        ("docs//t.md", 4, 16, "empty and `.` path segments"),
        ("./docs/t.md", 4, 16, "empty and `.` path segments"),
    ];
    for &(template, line, column, reason) in cases {
        let yaml = format!(
            "review:\n  team: acme/design\ndocs:\n  - template: '{template}'\n    paths: [\"docs/**/*.md\"]\n"
        );
        let err = RepoConfig::parse(&yaml).expect_err(template);
        assert_eq!(
            (err.line, err.column),
            (Some(line), Some(column)),
            "{template}: {err}"
        );
        assert!(
            err.message.starts_with(&format!(
                "template `{}` must be a built-in name or a relative path in the repository: ",
                template.escape_debug()
            )) && err.message.contains(reason),
            "{template}: {err}"
        );
        // The same path as a key of `templates` is refused too, at its own position.
        let yaml = format!("templates:\n  '{template}':\n    optional: [Appendix]\n");
        let err = RepoConfig::parse(&yaml).expect_err(template);
        assert_eq!(
            (err.line, err.column),
            (Some(2), Some(4)),
            "{template}: {err}"
        );
    }
    // Built-in names and plain relative paths stay valid.
    for template in [
        "system-design",
        "docs/templates/adr.md",
        "rfcs/TEMPLATE.md",
        "a b/c.md",
    ] {
        let yaml = format!("docs:\n  - template: '{template}'\n    paths: [\"docs/**/*.md\"]\n");
        assert!(RepoConfig::parse(&yaml).is_ok(), "{template}");
    }
}

#[test]
fn the_checkers_alias_rule_is_a_valid_config_with_hostile_names() {
    let template = "docs/rfc \"x\" 'one'.md";
    let yaml =
        design_review::checker::alias_rule_yaml(template, "Alternatives: considered", "Alt's: #1");
    let parsed = RepoConfig::parse(&yaml).unwrap();
    let rules = parsed.rules_for(template);
    assert_eq!(rules.aliases["Alternatives: considered"], ["Alt's: #1"]);
}
