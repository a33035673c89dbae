//! `design-review check` as a linter: the same template however a path is typed, directories,
//! unreadable files in JSON, messages that say what to do, one `--format` spelling.

mod cli_support;

use std::path::Path;

use cli_support::{complete, git, json_paths, run, stderr, stdout, write};

const SPECS_CONFIG: &str = "docs:\n  - paths: [\"docs/specs/**\"]\n    template: tech-spec\n";

/// A repository whose config maps `docs/specs/**` to tech-spec, with a complete tech spec in
/// `docs/specs/x.md` and a complete system design outside the globs in `notes/x.md`.
fn specs_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".github/design-review.yml", SPECS_CONFIG);
    write(dir.path(), "docs/specs/x.md", &complete("tech-spec"));
    write(dir.path(), "notes/x.md", &complete("system-design"));
    dir
}

fn passing(shown: &str, template: &str) -> String {
    format!("{shown} (template {template}): complete\n\n1 file checked: 0 errors, 0 warnings\n")
}

#[test]
fn a_doc_gets_its_configured_template_however_its_path_is_typed() {
    let repo = specs_repo();
    let root = repo.path();
    let absolute = root.join("docs/specs/x.md").display().to_string();
    for (dir, typed) in [
        (root.to_path_buf(), "docs/specs/x.md"),
        (root.to_path_buf(), "./docs/specs/x.md"),
        (root.join("docs"), "./specs/x.md"),
        (root.join("docs/specs"), "x.md"),
        (root.join("notes"), "../docs/specs/x.md"),
        (root.join("notes"), absolute.as_str()),
    ] {
        let o = run(&["check", typed], &dir);
        assert_eq!(
            stdout(&o),
            passing(typed, "tech-spec"),
            "{typed} from {dir:?}"
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
}

#[test]
fn files_the_config_does_not_match_get_the_default_template() {
    let repo = specs_repo();
    for args in [
        &["check", "notes/x.md"][..],
        &[
            "check",
            "--config",
            ".github/design-review.yml",
            "notes/x.md",
        ],
    ] {
        let o = run(args, repo.path());
        assert_eq!(
            stdout(&o),
            passing("notes/x.md", "system-design"),
            "{args:?}"
        );
        assert_eq!(o.status.code(), Some(0));
    }
}

#[test]
fn without_github_dir_the_git_top_level_is_the_root() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q"]);
    let config = format!(
        "docs:\n  - paths: [\"docs/other/**\"]\n    template: system-design\n{}",
        &SPECS_CONFIG["docs:\n".len()..]
    );
    write(root, "cfg.yml", &config);
    write(root, "docs/specs/x.md", &complete("tech-spec"));
    let o = run(
        &["check", "--config", "../../cfg.yml", "x.md"],
        &root.join("docs/specs"),
    );
    assert_eq!(stdout(&o), passing("x.md", "tech-spec"), "{}", stderr(&o));
}

#[test]
fn a_directory_is_walked_for_the_configured_docs_honouring_gitignore() {
    let repo = specs_repo();
    let root = repo.path();
    write(root, ".gitignore", "docs/specs/generated/\n");
    write(root, "docs/specs/generated/out.md", "# generated\n");
    write(root, "docs/specs/sub/y.md", "# Draft\n");
    write(
        root,
        "docs/specs/notes.txt",
        "not markdown, but matched by the glob\n",
    );
    write(root, "docs/README.md", "# Not a spec\n");
    let o = run(&["check", "--format", "json", "docs"], root);
    assert_eq!(
        json_paths(&o),
        [
            "docs/specs/notes.txt",
            "docs/specs/sub/y.md",
            "docs/specs/x.md"
        ]
    );
    assert_eq!(o.status.code(), Some(1));
    // From inside the directory, the walk shows paths as typed.
    let o = run(
        &["check", "--format", "json", "."],
        &root.join("docs/specs"),
    );
    assert_eq!(json_paths(&o), ["notes.txt", "sub/y.md", "x.md"]);
}

#[test]
fn without_a_config_a_directory_yields_its_markdown_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, ".gitignore", "build/\n");
    write(root, "docs/a.md", &complete("system-design"));
    write(root, "docs/sub/B.MD", &complete("system-design"));
    write(root, "docs/build/c.md", "# ignored\n");
    write(root, "docs/.drafts/d.md", "# hidden\n");
    write(root, "docs/notes.txt", "not a doc\n");
    let o = run(&["check", "docs"], root);
    assert_eq!(
        stdout(&o),
        "docs/a.md (template system-design): complete\n\n\
         docs/sub/B.MD (template system-design): complete\n\n\
         2 files checked: 0 errors, 0 warnings\n"
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn nothing_to_check_is_a_failure_not_a_pass() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("empty")).unwrap();
    let o = run(&["check", "empty"], dir.path());
    assert_eq!(stdout(&o), "0 files checked: 0 errors, 0 warnings\n");
    assert_eq!(
        stderr(&o),
        "design-review: no design docs found in empty (no *.md file)\n"
    );
    assert_eq!(o.status.code(), Some(2));

    let repo = specs_repo();
    let o = run(&["check", "notes"], repo.path());
    assert_eq!(
        stderr(&o),
        "design-review: no design docs found in notes (none matches the config's `docs` globs)\n"
    );
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn json_carries_unreadable_files_and_counts_them() {
    let repo = specs_repo();
    let o = run(
        &[
            "check",
            "--format",
            "json",
            "docs/specs/x.md",
            "docs/specs/gone.md",
        ],
        repo.path(),
    );
    assert_eq!(
        stdout(&o),
        r#"{
  "files": [
    {
      "path": "docs/specs/x.md",
      "template": "tech-spec",
      "gaps": []
    },
    {
      "path": "docs/specs/gone.md",
      "template": "tech-spec",
      "error": "cannot read: No such file or directory (os error 2)"
    }
  ],
  "summary": {
    "files": 2,
    "errors": 0,
    "warnings": 0,
    "unreadable": 1
  }
}
"#
    );
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_mistyped_template_name_suggests_the_closest_and_lists_the_builtins() {
    let repo = specs_repo();
    let o = run(&["check", "-t", "system-desing", "notes/x.md"], repo.path());
    assert_eq!(
        stderr(&o),
        "design-review: system-desing: template not found; did you mean system-design? \
         (built-in templates: system-design, tech-spec; or the path of a Markdown template)\n"
    );
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["check", "-t", "rfc", "notes/x.md"], repo.path());
    assert_eq!(
        stderr(&o),
        "design-review: rfc: template not found (built-in templates: system-design, \
         tech-spec; or the path of a Markdown template)\n"
    );
}

#[test]
fn template_names_are_case_insensitive() {
    let repo = specs_repo();
    let o = run(
        &["check", "--template", "Tech-SPEC", "docs/specs/x.md"],
        repo.path(),
    );
    assert_eq!(stdout(&o), passing("docs/specs/x.md", "tech-spec"));
    write(
        repo.path(),
        ".github/design-review.yml",
        &SPECS_CONFIG.replace("tech-spec", "TECH-SPEC"),
    );
    let o = run(&["check", "docs/specs/x.md"], repo.path());
    assert_eq!(
        stdout(&o),
        passing("docs/specs/x.md", "tech-spec"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_config_error_reports_every_error_each_location_once() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "doc.md", &complete("system-design"));
    write(
        dir.path(),
        "cfg.yml",
        "review:\n  team: not-a-team\nplaceholder:\n  threshold: 2\ncommands:\n  prefix: two words\n",
    );
    let o = run(&["check", "--config", "cfg.yml", "doc.md"], dir.path());
    assert_eq!(
        stderr(&o),
        "design-review: cfg.yml: line 2, column 9: review.team `not-a-team` is not of the form org/team\n\
         design-review: cfg.yml: line 4, column 3: placeholder.threshold must be between 0 and 1, not 2\n\
         design-review: cfg.yml: line 6, column 3: commands.prefix must be one word, such as /design-review\n"
    );
    assert_eq!(o.status.code(), Some(2));
    write(
        dir.path(),
        "cfg.yml",
        "docs:\n  - paths: ['docs/*.md']\n    templat: tech-spec\n",
    );
    let o = run(&["check", "--config", "cfg.yml", "doc.md"], dir.path());
    assert_eq!(
        stderr(&o),
        "design-review: cfg.yml: line 3, column 5: docs[0]: unknown field `templat`, expected \
         one of `paths`, `exclude`, `template`\n"
    );
}

#[test]
fn base_in_a_shallow_clone_says_to_fetch_more_history() {
    let dir = tempfile::tempdir().unwrap();
    let upstream = dir.path().join("upstream");
    std::fs::create_dir_all(&upstream).unwrap();
    git(&upstream, &["init", "-q"]);
    write(&upstream, "README.md", "# Project\n");
    git(&upstream, &["add", "."]);
    git(&upstream, &["commit", "-q", "-m", "one"]);
    write(&upstream, "README.md", "# Project\n\nTwo.\n");
    git(&upstream, &["commit", "-qam", "two"]);
    git(&upstream, &["checkout", "-q", "-b", "feature"]);
    write(&upstream, "docs/design/x.md", "# Draft\n");
    git(&upstream, &["add", "."]);
    git(&upstream, &["commit", "-q", "-m", "doc"]);
    let url = format!("file://{}", upstream.display());
    // What actions/checkout does by default: one commit of the head, no base history.
    git(
        dir.path(),
        &[
            "clone", "-q", "--depth", "1", "--branch", "feature", &url, "clone",
        ],
    );
    let clone = dir.path().join("clone");
    git(
        &clone,
        &[
            "fetch",
            "-q",
            "--depth",
            "1",
            "origin",
            "main:refs/remotes/origin/main",
        ],
    );
    let o = run(&["check", "--base", "origin/main"], &clone);
    assert_eq!(
        stderr(&o),
        "design-review: origin/main: no common ancestor with HEAD in this shallow clone; fetch \
         more history (`git fetch --deepen=100`, or `fetch-depth: 0` for actions/checkout) (git \
         merge-base origin/main HEAD: failed)\n"
    );
    assert_eq!(o.status.code(), Some(2));
    git(&clone, &["fetch", "-q", "--unshallow", "origin"]);
    let o = run(
        &["check", "--base", "origin/main", "--format", "json"],
        &clone,
    );
    assert_eq!(json_paths(&o), ["docs/design/x.md"], "{}", stderr(&o));
}

#[test]
fn listing_subcommands_share_the_format_flag() {
    let o = run(&["templates", "--format", "json"], Path::new("."));
    assert_eq!(
        stdout(&o),
        r#"[
  {
    "name": "system-design",
    "description": "Tech documentation / system design doc (Summary, Motivation, Detailed design, ...)"
  },
  {
    "name": "tech-spec",
    "description": "Tech spec (Overview, Background, Approach, Test Plan, Rollout, ...)"
  }
]
"#
    );
    for args in [
        ["deliveries", "--format", "json", "--database-url"],
        ["audit", "--format", "text", "--database-url"],
        ["audit", "--format", "table", "--database-url"],
    ] {
        // A database that does not exist: the flags parse, then the store refuses.
        let mut args = args.to_vec();
        args.push("sqlite:///nonexistent/dr.db");
        let o = run(&args, Path::new("."));
        assert!(
            !stderr(&o).contains("unexpected argument"),
            "{args:?}: {}",
            stderr(&o)
        );
        assert!(
            !stderr(&o).contains("invalid value"),
            "{args:?}: {}",
            stderr(&o)
        );
        assert_ne!(o.status.code(), Some(0), "{args:?}");
    }
    let o = run(&["deliveries", "--format", "table2"], Path::new("."));
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("[possible values: text, json]"),
        "{}",
        stderr(&o)
    );
}
