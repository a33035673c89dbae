//! The `design-review` binary: exit codes, output formats, bad input, `--base` mode.

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_design-review");

fn root() -> &'static str {
    env!("CARGO_MANIFEST_DIR")
}

fn run(args: &[&str], dir: &Path) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        // Colour must be left out because stdout is not a terminal, not because of NO_COLOR.
        .env_remove("NO_COLOR")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn complete_doc_exits_zero_and_incomplete_exits_one() {
    let ok = run(
        &["check", "config/examples/system-design.md"],
        Path::new(root()),
    );
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    assert!(stdout(&ok).contains("complete"));
    let bad = run(
        &[
            "check",
            "tests/fixtures/checker/incomplete-system-design.md",
        ],
        Path::new(root()),
    );
    assert_eq!(bad.status.code(), Some(1));
    let out = stdout(&bad);
    assert!(
        out.contains(
            "tests/fixtures/checker/incomplete-system-design.md:22: error[placeholder_section]: \
             The \"Expected outcomes\" section only holds filler such as TODO or TBD; write the \
             real content. The template asks: What are the expected outcomes?\n"
        ),
        "{out}"
    );
    assert!(!out.contains('\x1b'), "no colour when not a tty");
}

#[test]
fn json_output_has_the_documented_shape() {
    let o = run(
        &[
            "check",
            "--format",
            "json",
            "--template",
            "tech-spec",
            "config/examples/tech-spec.md",
            "config/examples/system-design.md",
        ],
        Path::new(root()),
    );
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["summary"]["files"], 2);
    assert_eq!(v["files"][0]["path"], "config/examples/tech-spec.md");
    assert_eq!(v["files"][0]["template"], "tech-spec");
    assert_eq!(v["files"][0]["gaps"].as_array().unwrap().len(), 0);
    let gap = &v["files"][1]["gaps"][0];
    let keys: Vec<&str> = gap
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys.len(), 5);
    for key in ["kind", "severity", "section", "line", "message"] {
        assert!(keys.contains(&key), "{keys:?}");
    }
    assert_eq!(
        v["summary"]["errors"].as_u64().unwrap() as usize,
        v["files"][1]["gaps"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|g| g["severity"] == "error")
            .count()
    );
}

#[test]
fn markdown_output_is_a_checklist() {
    let o = run(
        &[
            "check",
            "--format",
            "markdown",
            "tests/fixtures/checker/incomplete-system-design.md",
        ],
        Path::new(root()),
    );
    assert!(
        stdout(&o).contains("- [ ] **Out of scope** (line 26) empty section:"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn unreadable_files_exit_two_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("binary.md"),
        [0x7f, b'E', b'L', b'F', 0, 0, 1],
    )
    .unwrap();
    std::fs::write(dir.path().join("latin1.md"), b"# Caf\xe9\n").unwrap();
    for (file, reason) in [
        (
            "missing.md",
            "cannot read: No such file or directory (os error 2)",
        ),
        ("binary.md", "not a text file (contains NUL bytes)"),
        ("latin1.md", "not valid UTF-8 (invalid byte at offset 5)"),
    ] {
        let o = run(&["check", file], dir.path());
        assert_eq!(o.status.code(), Some(2), "{file}");
        assert_eq!(
            stdout(&o),
            format!(
                "{file}: error: {reason}\n\n1 file checked: 0 errors, 0 warnings, 1 unreadable\n"
            )
        );
        // Machine formats keep stdout parseable and say why on stderr.
        let o = run(&["check", "--format", "json", file], dir.path());
        assert_eq!(o.status.code(), Some(2), "{file}");
        assert_eq!(stderr(&o), format!("design-review: {file}: {reason}\n"));
    }
}

#[test]
fn empty_and_huge_files_are_checked_without_trouble() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("empty.md"), "").unwrap();
    let o = run(&["check", "empty.md"], dir.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("empty.md:1: error[missing_section]: Add a \"# Summary\" section"),
        "{}",
        stdout(&o)
    );
    let paragraph = "Lorem ipsum dolor sit amet, consectetur adipiscing elit.\n\n";
    let big = format!(
        "# Summary\n\n{}",
        paragraph.repeat(10 * 1024 * 1024 / paragraph.len())
    );
    std::fs::write(dir.path().join("big.md"), big).unwrap();
    let o = run(&["check", "--format", "json", "big.md"], dir.path());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(serde_json::from_str::<serde_json::Value>(&stdout(&o)).is_ok());
}

#[test]
fn template_errors_exit_two() {
    let o = run(
        &[
            "check",
            "--template",
            "nope.md",
            "config/examples/tech-spec.md",
        ],
        Path::new(root()),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("nope.md: template not found"),
        "{}",
        stderr(&o)
    );
    let o = run(
        &[
            "check",
            "--template",
            "tests/fixtures/checker/no-headings-template.md",
            "config/examples/tech-spec.md",
        ],
        Path::new(root()),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no-headings-template.md")
            && stderr(&o).contains("no Markdown headings"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn template_path_uses_its_side_rules_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("doc.md"),
        "## Summary\n\nShort.\n\n## Motivation\n\nBecause.\n\n## Open questions\n\nNone.\n",
    )
    .unwrap();
    let tpl = format!("{}/tests/fixtures/checker/rfc-template.md", root());
    let o = run(&["check", "--template", &tpl, "doc.md"], dir.path());
    // The alias in rfc-template.rules.yml lets "Open questions" stand for "Unresolved questions";
    // only the two header fields are missing.
    let out = stdout(&o);
    assert!(!out.contains("missing_section"), "{out}");
    assert_eq!(out.matches("missing_field").count(), 2, "{out}");
}

#[test]
fn config_selects_templates_and_rules() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("specs")).unwrap();
    std::fs::copy(
        format!("{}/config/examples/tech-spec.md", root()),
        dir.path().join("specs/search.md"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("cfg.yml"),
        "docs:\n  - paths: ['specs/*.md']\n    template: tech-spec\n",
    )
    .unwrap();
    let o = run(
        &["check", "--config", "cfg.yml", "specs/search.md"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    std::fs::write(
        dir.path().join("bad.yml"),
        "docs:\n  - paths: ['specs/*.md']\n    templat: tech-spec\n",
    )
    .unwrap();
    let o = run(
        &["check", "--config", "bad.yml", "specs/search.md"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bad.yml: line 3"), "{}", stderr(&o));
}

#[test]
fn templates_lists_builtins_and_template_prints_a_skeleton() {
    let o = run(&["templates"], Path::new(root()));
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("system-design") && stdout(&o).contains("tech-spec"));
    let o = run(&["template", "tech-spec"], Path::new(root()));
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("## Timeline and Components"));
    let o = run(&["template", "nope"], Path::new(root()));
    assert_eq!(o.status.code(), Some(2));
}

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&ok.stderr)
    );
}

#[test]
fn base_mode_checks_added_and_modified_docs_only() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let complete =
        std::fs::read_to_string(format!("{}/config/examples/system-design.md", root())).unwrap();
    std::fs::create_dir_all(d.join("docs/design")).unwrap();
    std::fs::create_dir_all(d.join("src")).unwrap();
    std::fs::write(d.join("docs/design/old.md"), &complete).unwrap();
    std::fs::write(d.join("docs/design/gone.md"), &complete).unwrap();
    std::fs::write(d.join("docs/design/renamed.md"), &complete).unwrap();
    git(d, &["init", "-q"]);
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "base"]);
    let o = run(&["check", "--base", "HEAD"], d);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("No design docs"), "{}", stdout(&o));

    std::fs::write(
        d.join("docs/design/old.md"),
        complete.replace("# Drawbacks", "# Downsides"),
    )
    .unwrap();
    std::fs::remove_file(d.join("docs/design/gone.md")).unwrap();
    git(d, &["mv", "docs/design/renamed.md", "docs/design/moved.md"]);
    std::fs::write(d.join("docs/design/new.md"), "# Draft\n").unwrap();
    std::fs::write(d.join("src/notes.md"), "# not a design doc\n").unwrap();
    let o = run(&["check", "--base", "HEAD", "--format", "json"], d);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let paths: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "docs/design/moved.md",
            "docs/design/new.md",
            "docs/design/old.md"
        ]
    );

    let o = run(&["check", "--base", "no-such-rev"], d);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn base_mode_with_a_template_still_selects_docs_by_path() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let complete =
        std::fs::read_to_string(format!("{}/config/examples/system-design.md", root())).unwrap();
    std::fs::create_dir_all(d.join("docs/design")).unwrap();
    std::fs::write(d.join("README.md"), "# Project\n").unwrap();
    git(d, &["init", "-q"]);
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "base"]);
    std::fs::write(d.join("docs/design/limits.md"), &complete).unwrap();
    std::fs::write(d.join("README.md"), "# Project\n\nNow with limits.\n").unwrap();
    std::fs::write(d.join("CHANGELOG.md"), "# Changes\n").unwrap();
    let o = run(
        &[
            "check",
            "--base",
            "HEAD",
            "--template",
            "system-design",
            "--format",
            "json",
        ],
        d,
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let paths: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["docs/design/limits.md"], "{}", stderr(&o));
    assert_eq!(v["files"][0]["template"], "system-design");
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn base_mode_diffs_from_the_merge_base_like_a_pull_request() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let complete =
        std::fs::read_to_string(format!("{}/config/examples/system-design.md", root())).unwrap();
    std::fs::create_dir_all(d.join("docs/design")).unwrap();
    std::fs::write(d.join("docs/design/draft.md"), "# Draft\n").unwrap();
    git(d, &["init", "-q", "-b", "main"]);
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "base"]);
    git(d, &["checkout", "-q", "-b", "feature"]);
    std::fs::write(d.join("docs/design/limits.md"), &complete).unwrap();
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "limits design"]);
    // Meanwhile on main: the draft changes and another doc lands; neither is in this branch.
    git(d, &["checkout", "-q", "main"]);
    std::fs::write(
        d.join("docs/design/draft.md"),
        "# Draft\n\nStill a draft.\n",
    )
    .unwrap();
    std::fs::write(d.join("docs/design/other.md"), "# Other\n").unwrap();
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "work on main"]);
    git(d, &["checkout", "-q", "feature"]);
    let o = run(&["check", "--base", "main", "--format", "json"], d);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let paths: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["docs/design/limits.md"], "{}", stderr(&o));
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

/// Runs the binary with a terminal as stdout (through util-linux `script`); `None` when
/// `script` is not installed.
fn run_in_terminal(args: &[&str], no_color: bool) -> Option<String> {
    let quoted: Vec<String> = std::iter::once(BIN)
        .chain(args.iter().copied())
        .map(|a| format!("'{}'", a.replace('\'', "'\\''")))
        .collect();
    let mut cmd = Command::new("script");
    cmd.args(["-qec", &quoted.join(" "), "/dev/null"])
        .current_dir(root())
        .env_remove("NO_COLOR");
    if no_color {
        cmd.env("NO_COLOR", "1");
    }
    let out = cmd.output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn colour_on_a_terminal_unless_no_color_is_set() {
    let args = [
        "check",
        "tests/fixtures/checker/incomplete-system-design.md",
    ];
    let Some(coloured) = run_in_terminal(&args, false) else {
        eprintln!("`script` not found: terminal colour test skipped");
        return;
    };
    assert!(
        coloured.contains("\x1b[31merror[missing_section]\x1b[0m"),
        "{coloured}"
    );
    let plain = run_in_terminal(&args, true).unwrap();
    assert!(plain.contains("missing_section"), "{plain}");
    assert!(
        !plain.contains('\x1b'),
        "NO_COLOR turns colour off: {plain}"
    );
}
