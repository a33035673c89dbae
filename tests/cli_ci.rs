//! `design-review` where CI runs it: `--format github` annotations, `--format sarif` validated
//! against the SARIF 2.1.0 schema, the GitHub Action's metadata and script, the pre-commit hook.

mod cli_support;

use std::path::Path;
use std::process::Command;

use cli_support::{BIN, complete, git, manifest_dir, run, stderr, stdout, write};
use design_review::config::repo::{DEFAULT_DOC_GLOBS, RepoConfig};

/// A template whose heading needs every kind of escaping GitHub's workflow commands have.
const TRICKY_TEMPLATE: &str = "# Costs: 100%, maybe\n\nWhat does it cost?\n\n# Plan\n\nSteps.\n";

fn tricky_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, ".github/design-review.yml", "");
    write(root, "templates/costly.md", TRICKY_TEMPLATE);
    write(root, "docs/design/a,b.md", "# Plan\n\nShip it.\n");
    dir
}

#[test]
fn github_format_prints_escaped_workflow_commands_with_repository_paths() {
    let repo = tricky_repo();
    // Typed from a subdirectory: the annotation still names the path in the repository.
    let o = run(
        &[
            "check",
            "--format",
            "github",
            "--template",
            "../../templates/costly.md",
            "a,b.md",
            "gone.md",
        ],
        &repo.path().join("docs/design"),
    );
    assert_eq!(
        stdout(&o),
        "::error file=docs/design/a%2Cb.md,line=1,title=Costs%3A 100%25%2C maybe%3A missing \
         section::Add a \"# Costs: 100%25, maybe\" section before \"Plan\". The template asks: \
         What does it cost?\n\
         ::error file=docs/design/gone.md,title=design-review%3A not checked::cannot read: No \
         such file or directory (os error 2)\n\
         design-review: 2 files checked: 1 error, 0 warnings, 1 unreadable\n"
    );
    assert_eq!(o.status.code(), Some(2));
}

fn sarif_validator() -> jsonschema::Validator {
    // The official OASIS schema, as the serde-sarif crate ships it (src/schema.json).
    let mut schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            manifest_dir().join("tests/fixtures/sarif/sarif-schema-2.1.0.json"),
        )
        .unwrap(),
    )
    .unwrap();
    // One erratum of the published schema: the `language` pattern of `run` and
    // `toolComponent` (`^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`) is not a valid ECMA-262
    // regex, so the validator's meta-schema check refuses the whole schema. It is replaced in
    // memory by what it means; we never emit `language`.
    let mut fixed = 0;
    for definition in ["run", "toolComponent"] {
        let language = &mut schema["definitions"][definition]["properties"]["language"]["pattern"];
        assert_eq!(*language, "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$");
        *language = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".into();
        fixed += 1;
    }
    assert_eq!(fixed, 2);
    jsonschema::validator_for(&schema).unwrap()
}

fn assert_valid_sarif(log: &serde_json::Value) {
    let validator = sarif_validator();
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{log:#}");
}

#[test]
fn sarif_output_is_valid_sarif_2_1_0() {
    let repo = tricky_repo();
    write(repo.path(), "docs/design/ok.md", &complete("system-design"));
    let o = run(
        &[
            "check",
            "--format",
            "sarif",
            "docs/design/ok.md",
            "docs/design/a,b.md",
            "docs/design/gone.md",
        ],
        repo.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let log: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_valid_sarif(&log);
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "design-review");
    assert_eq!(run["tool"]["driver"]["rules"].as_array().unwrap().len(), 7);
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 17, "{results:#?}");
    assert_eq!(
        results[0],
        serde_json::json!({
            "ruleId": "missing_field",
            "ruleIndex": 3,
            "level": "error",
            "message": {"text": "Add \"- Feature name: ...\" to the header list. Template: Warp drive design"},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": "docs/design/a%2Cb.md", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 1}
            }}]
        })
    );
    assert_eq!(
        run["invocations"][0],
        serde_json::json!({
            "executionSuccessful": false,
            "toolExecutionNotifications": [{
                "level": "error",
                "message": {"text": "cannot read: No such file or directory (os error 2)"},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": "docs/design/gone.md", "uriBaseId": "%SRCROOT%"}
                }}]
            }]
        })
    );
}

#[test]
fn the_schema_check_catches_invalid_sarif() {
    let invalid = serde_json::json!({
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"level": "fatal", "message": {"text": "m"}}]}]
    });
    assert!(!sarif_validator().is_valid(&invalid));
}

#[test]
fn the_action_metadata_is_a_pinned_composite_action_with_config_and_template_inputs() {
    let text = std::fs::read_to_string(manifest_dir().join("action.yml")).unwrap();
    let action: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
    assert_eq!(action["runs"]["using"], "composite");
    for input in ["config", "template", "base"] {
        assert_eq!(action["inputs"][input]["required"], false, "{input}");
        assert!(
            action["inputs"][input]["description"].is_string(),
            "{input}"
        );
    }
    let steps = action["runs"]["steps"].as_sequence().unwrap();
    let sha = regex::Regex::new(r"^[\w-]+/[\w-]+@[0-9a-f]{40}$").unwrap();
    for step in steps {
        if let Some(uses) = step["uses"].as_str() {
            assert!(sha.is_match(uses), "{uses} is not pinned to a commit");
        }
        if step["run"].is_string() {
            assert_eq!(step["shell"], "bash", "{step:?}");
        }
    }
    let install = steps
        .iter()
        .find_map(|s| s["run"].as_str().filter(|r| r.contains("cargo install")))
        .unwrap();
    assert!(install.contains("--locked") && install.contains("--path \"$GITHUB_ACTION_PATH\""));
    let check = steps.last().unwrap();
    assert_eq!(
        check["run"],
        "\"$GITHUB_ACTION_PATH/scripts/github-action.sh\""
    );
    assert_eq!(check["env"]["INPUT_CONFIG"], "${{ inputs.config }}");
    assert_eq!(check["env"]["INPUT_TEMPLATE"], "${{ inputs.template }}");
    assert_eq!(
        check["env"]["PR_BASE_SHA"],
        "${{ github.event.pull_request.base.sha }}"
    );
}

#[test]
fn the_action_script_annotates_a_pull_request_from_a_shallow_checkout() {
    let dir = tempfile::tempdir().unwrap();
    let upstream = dir.path().join("upstream");
    std::fs::create_dir_all(&upstream).unwrap();
    git(&upstream, &["init", "-q"]);
    write(&upstream, "README.md", "# Project\n");
    write(&upstream, "specs/old.md", "# Old\n");
    git(&upstream, &["add", "."]);
    git(&upstream, &["commit", "-q", "-m", "base"]);
    let base_sha = git(&upstream, &["rev-parse", "HEAD"]).trim().to_string();
    git(&upstream, &["checkout", "-q", "-b", "feature"]);
    write(
        &upstream,
        "specs/new.md",
        &complete("tech-spec").replace("## Overview", "## Overview\n\nTBD\n\n## Old overview"),
    );
    write(
        &upstream,
        "cfg/dr.yml",
        "docs:\n  - paths: [\"specs/*.md\"]\n    template: system-design\n",
    );
    git(&upstream, &["add", "."]);
    git(&upstream, &["commit", "-q", "-m", "spec"]);
    // What actions/checkout leaves: the head commit only.
    let url = format!("file://{}", upstream.display());
    git(
        dir.path(),
        &[
            "clone", "-q", "--depth", "1", "--branch", "feature", &url, "work",
        ],
    );
    let out = Command::new(manifest_dir().join("scripts/github-action.sh"))
        .current_dir(dir.path().join("work"))
        .env("DESIGN_REVIEW_BIN", BIN)
        .env("PR_BASE_SHA", &base_sha)
        .env("INPUT_CONFIG", "cfg/dr.yml")
        .env("INPUT_TEMPLATE", "tech-spec")
        .env("GIT_CONFIG_COUNT", "1")
        .env("GIT_CONFIG_KEY_0", "protocol.file.allow")
        .env("GIT_CONFIG_VALUE_0", "always")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout,
        "Shallow clone: fetching the history to find the merge base (fetch-depth: 0 skips this)\n\
         ::error file=specs/new.md,line=3,title=Overview%3A placeholder section::The \
         \"Overview\" section only holds filler such as TODO or TBD; write the real content. \
         The template asks: Summarize the project and link to external documents.\n\
         design-review: 1 file checked: 1 error, 0 warnings\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(1));
}

/// The hook's `files` pattern selects exactly what the default doc globs select.
#[test]
fn the_pre_commit_files_pattern_is_the_default_doc_globs() {
    let text = std::fs::read_to_string(manifest_dir().join(".pre-commit-hooks.yaml")).unwrap();
    let hooks: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
    let hook = &hooks[0];
    assert_eq!(hook["id"], "design-review");
    assert_eq!(hook["language"], "rust");
    assert_eq!(hook["entry"], "design-review check");
    let files = regex::Regex::new(hook["files"].as_str().unwrap()).unwrap();
    let matcher = RepoConfig::default().matcher().unwrap();
    assert_eq!(DEFAULT_DOC_GLOBS.len(), 4);
    for path in [
        "docs/design/a.md",
        "docs/design/x/y/z.md",
        "docs/rfcs/0001-x.md",
        "rfcs/a.md",
        "rfcs/text/a.md",
        "design/a.md",
        "docs/design.md",
        "docs/designs/a.md",
        "docs/design/a.txt",
        "src/design/a.md",
        "mydesign/a.md",
        "design/.md",
        "docs/design/a.md.bak",
    ] {
        assert_eq!(
            files.is_match(path),
            matcher.template_for(path).is_some(),
            "{path}"
        );
    }
}

#[test]
fn the_pre_commit_hook_runs_through_try_repo() {
    let available = Command::new("pre-commit").arg("--version").output();
    if !available.is_ok_and(|o| o.status.success()) {
        println!("pre-commit is not installed (pip install pre-commit): hook test skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    write(&repo, "docs/design/ok.md", &complete("system-design"));
    write(&repo, "docs/design/draft.md", "# Draft\n");
    write(&repo, "notes/todo.md", "# Not a design doc\n");
    git(&repo, &["add", "."]);
    let out = Command::new("pre-commit")
        .args([
            "try-repo",
            manifest_dir().to_str().unwrap(),
            "design-review",
            "--all-files",
            "--color",
            "never",
        ])
        .current_dir(&repo)
        .env("PRE_COMMIT_HOME", dir.path().join("pre-commit-home"))
        // The hook's `cargo install` reuses one build directory across runs, optimised like
        // a debug build: this tests the hook's wiring, not the release profile.
        .env(
            "CARGO_TARGET_DIR",
            manifest_dir().join("target/pre-commit-hook"),
        )
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "256")
        .env("CARGO_PROFILE_RELEASE_INCREMENTAL", "true")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("- hook id: design-review\n- exit code: 1\n\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("docs/design/draft.md (template system-design): 17 errors, 0 warnings\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("docs/design/ok.md (template system-design): complete\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("\n2 files checked: 17 errors, 0 warnings\n"),
        "{stdout}"
    );
    assert!(!stdout.contains("notes/todo.md"), "{stdout}");
}

#[test]
fn check_help_documents_path_resolution_and_every_format() {
    let o = run(&["check", "--help"], Path::new("."));
    let help = stdout(&o);
    for text in [
        "the config's first `docs` entry whose globs match the doc's path in the repository, else system-design",
        "- github: GitHub Actions workflow commands, which annotate the pull request's diff",
        "- sarif: SARIF 2.1.0, for code-scanning uploads",
        "A directory is searched for the docs the config's `docs` globs select",
    ] {
        assert!(
            help.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .contains(text),
            "{text}\n{help}"
        );
    }
}
