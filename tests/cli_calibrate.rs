//! `design-review calibrate`: the rules learned from a set of existing docs, printed as YAML
//! that the real config parser accepts and that, pasted, makes exactly the expected gaps go.

mod cli_support;

use std::collections::BTreeSet;
use std::path::Path;

use cli_support::{manifest_dir, run, stderr, stdout, write};
use design_review::config::repo::RepoConfig;

const TEMPLATE: &str = "tests/fixtures/calibrate/template.md";
const DOCS: &str = "tests/fixtures/calibrate/rfcs";

/// One error gap of `check --format json`: (file, kind, section).
type ErrorGap = (String, String, String);

/// The error gaps `check` reports on the fixture docs, with an optional config file.
fn error_gaps(config: Option<&Path>) -> BTreeSet<ErrorGap> {
    let mut args = vec!["check", "--format", "json", "--template", TEMPLATE];
    let config = config.map(|c| c.display().to_string());
    if let Some(config) = &config {
        args.extend(["--config", config.as_str()]);
    }
    args.push(DOCS);
    let o = run(&args, manifest_dir());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let mut gaps = BTreeSet::new();
    for file in v["files"].as_array().unwrap() {
        for gap in file["gaps"].as_array().unwrap() {
            if gap["severity"] == "error" {
                gaps.insert((
                    file["path"].as_str().unwrap().to_string(),
                    gap["kind"].as_str().unwrap().to_string(),
                    gap["section"].as_str().unwrap().to_string(),
                ));
            }
        }
    }
    gaps
}

fn calibrate(args: &[&str]) -> String {
    let o = run(&[&["calibrate"], args].concat(), manifest_dir());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
    stdout(&o)
}

#[test]
fn suggests_aliases_optional_sections_and_fields_with_counts() {
    insta::assert_snapshot!(calibrate(&["--template", TEMPLATE, DOCS]));
}

#[test]
fn json_carries_the_same_suggestions() {
    insta::assert_snapshot!(calibrate(&[
        "--format",
        "json",
        "--template",
        TEMPLATE,
        DOCS
    ]));
}

#[test]
fn pasted_rules_remove_exactly_the_gaps_they_explain() {
    let yaml = calibrate(&["--template", TEMPLATE, DOCS]);
    let config = RepoConfig::parse_all(&yaml).unwrap();
    let rules = config.rules_for(TEMPLATE);
    assert_eq!(rules.aliases["Alternatives considered"], ["Alternatives"]);
    assert_eq!(rules.optional, ["Future possibilities"]);

    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("design-review.yml");
    // A repository's config also says which files are its docs.
    let docs_entry = format!("docs:\n  - paths: [\"{DOCS}/*.md\"]\n    template: \"{TEMPLATE}\"\n");
    std::fs::write(&config_path, docs_entry + &yaml).unwrap();
    let before = error_gaps(None);
    let after = error_gaps(Some(&config_path));

    let doc = |name: &str| format!("{DOCS}/{name}.md");
    let all = [
        "0001-fast-widgets",
        "0002-quiet-widgets",
        "0003-bulk-import",
        "0004-dark-mode",
        "0005-undo",
        "0006-audit-trail",
    ];
    let mut explained: BTreeSet<ErrorGap> = BTreeSet::new();
    for name in [
        "0001-fast-widgets",
        "0002-quiet-widgets",
        "0003-bulk-import",
        "0006-audit-trail",
    ] {
        explained.insert((
            doc(name),
            "missing_section".into(),
            "Alternatives considered".into(),
        ));
    }
    for name in [
        "0001-fast-widgets",
        "0002-quiet-widgets",
        "0003-bulk-import",
        "0005-undo",
    ] {
        explained.insert((
            doc(name),
            "missing_section".into(),
            "Future possibilities".into(),
        ));
    }
    for name in all {
        explained.insert((
            doc(name),
            "placeholder_field".into(),
            "Tracking Issue".into(),
        ));
    }
    assert!(explained.is_subset(&before), "{before:#?}");
    let expected: BTreeSet<ErrorGap> = before.difference(&explained).cloned().collect();
    assert_eq!(after, expected);
}

#[test]
fn nothing_to_suggest_is_said_plainly() {
    assert_eq!(
        calibrate(&["--template", TEMPLATE, "tests/fixtures/calibrate/tidy"]),
        "# Nothing to suggest for \"tests/fixtures/calibrate/template.md\" from 2 docs: no \
         alias, optional section or header-field change is needed.\n"
    );
}

#[test]
fn large_unreadable_and_linked_files_are_left_out_and_named() {
    let repo = tempfile::tempdir().unwrap();
    let root = repo.path();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    let fixture = |rel: &str| std::fs::read_to_string(manifest_dir().join(rel)).unwrap();
    write(root, "template.md", &fixture(TEMPLATE));
    for name in ["0001-fast-widgets", "0002-quiet-widgets"] {
        write(
            root,
            &format!("docs/{name}.md"),
            &fixture(&format!("{DOCS}/{name}.md")),
        );
    }
    write(
        root,
        "docs/0003-huge.md",
        &"# Summary\n\nword\n".repeat(70_000),
    );
    std::fs::write(root.join("docs/0004-latin1.md"), b"# Summary\n\nna\xefve\n").unwrap();
    let outside = tempfile::tempdir().unwrap();
    write(
        outside.path(),
        "0005-elsewhere.md",
        "# Summary\n\nelsewhere\n",
    );
    std::os::unix::fs::symlink(outside.path(), root.join("docs/linked")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("0005-elsewhere.md"),
        root.join("docs/0006-link.md"),
    )
    .unwrap();

    let o = run(&["calibrate", "--template", "template.md", "docs"], root);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        "design-review: docs/0003-huge.md: 1120000 bytes, more than the App reads (1048576) \
         (left out)\n\
         design-review: docs/0004-latin1.md: not valid UTF-8 (invalid byte at offset 13) \
         (left out)\n"
    );
    assert!(
        stdout(&o).contains("  # 2 docs read against this template.\n  \"template.md\":\n"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn no_readable_doc_is_an_error() {
    let o = run(
        &[
            "calibrate",
            "--template",
            TEMPLATE,
            "tests/fixtures/calibrate/none",
        ],
        manifest_dir(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout(&o), "");
    assert_eq!(
        stderr(&o),
        "design-review: tests/fixtures/calibrate/none: cannot read: No such file or directory \
         (os error 2) (left out)\n\
         design-review: no readable design docs in tests/fixtures/calibrate/none\n"
    );
}

#[test]
fn without_template_each_configured_template_gets_its_own_rules() {
    let repo = tempfile::tempdir().unwrap();
    let root = repo.path();
    let fixture = |rel: &str| std::fs::read_to_string(manifest_dir().join(rel)).unwrap();
    write(
        root,
        ".github/design-review.yml",
        "docs:\n  - paths: [\"rfcs/*.md\"]\n    template: rfcs/template.md\n  \
         - paths: [\"specs/*.md\"]\n    template: tech-spec\n",
    );
    // The template sits among the docs its globs select; it is not read as one of them.
    write(root, "rfcs/template.md", &fixture(TEMPLATE));
    for name in ["0001-fast-widgets", "0002-quiet-widgets", "0004-dark-mode"] {
        write(
            root,
            &format!("rfcs/{name}.md"),
            &fixture(&format!("{DOCS}/{name}.md")),
        );
    }
    write(
        root,
        "specs/search.md",
        &fixture("config/examples/tech-spec.md"),
    );
    let o = run(&["calibrate", "."], root);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
    insta::assert_snapshot!(stdout(&o));
}
