//! `design-review init`: a commented config (and a template copy) at the repository root,
//! never overwriting without `--force`, with the next steps printed.

mod cli_support;

use cli_support::{complete, git, run, stderr, stdout, write};
use design_review::checker;
use design_review::config::repo::RepoConfig;

const NEXT_STEPS: &str = "
Next steps:
  1. Commit these files and merge them into the default branch (the App reads the
     config from there).
  2. Install the design-review GitHub App on the repository (or run the GitHub
     Action of docs/github-action.md in a workflow).
  3. Make the `design-review` check required: Settings > Branches > branch
     protection rule for the default branch > Require status checks to pass.
  4. Start the first design doc:
       design-review template TEMPLATE > docs/design/my-feature.md
     and check it before you push:
       design-review check docs/design/my-feature.md
";

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    std::fs::create_dir_all(dir.path().join("src/deep")).unwrap();
    dir
}

#[test]
fn init_writes_a_commented_config_at_the_repository_root() {
    let repo = repo();
    let o = run(&["init"], &repo.path().join("src/deep"));
    assert_eq!(
        stdout(&o),
        format!(
            "Wrote .github/design-review.yml\n{}",
            NEXT_STEPS.replace("TEMPLATE", "system-design")
        )
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let yaml = std::fs::read_to_string(repo.path().join(".github/design-review.yml")).unwrap();
    insta::assert_snapshot!("default_config", yaml);
    // The written config is the default configuration, spelled out.
    let config = RepoConfig::parse(&yaml).unwrap();
    assert_eq!(config.docs(), RepoConfig::default().docs());
    assert_eq!(config.review, RepoConfig::default().review);
}

#[test]
fn init_refuses_to_overwrite_without_force() {
    let repo = repo();
    write(repo.path(), ".github/design-review.yml", "# ours\n");
    let o = run(&["init", "--template", "tech-spec"], repo.path());
    assert_eq!(
        stderr(&o),
        "design-review: .github/design-review.yml already exists; nothing written (use --force \
         to overwrite)\n"
    );
    assert_eq!(o.status.code(), Some(2));
    let config = repo.path().join(".github/design-review.yml");
    assert_eq!(std::fs::read_to_string(&config).unwrap(), "# ours\n");
    assert!(!repo.path().join(".github/design-review").exists());

    let o = run(&["init", "--force"], repo.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_ne!(std::fs::read_to_string(&config).unwrap(), "# ours\n");
}

#[test]
fn init_with_a_template_copies_it_and_points_the_config_at_the_copy() {
    let repo = repo();
    let o = run(&["init", "--template", "Tech-Spec"], repo.path());
    assert_eq!(
        stdout(&o),
        format!(
            "Wrote .github/design-review.yml\nWrote .github/design-review/tech-spec.md\n{}",
            NEXT_STEPS.replace("TEMPLATE", ".github/design-review/tech-spec.md")
        )
    );
    let copy = ".github/design-review/tech-spec.md";
    assert_eq!(
        std::fs::read_to_string(repo.path().join(copy)).unwrap(),
        checker::builtin_template("tech-spec").unwrap()
    );
    let yaml = std::fs::read_to_string(repo.path().join(".github/design-review.yml")).unwrap();
    insta::assert_snapshot!("config_with_template_copy", yaml);
    let config = RepoConfig::parse(&yaml).unwrap();
    assert_eq!(config.docs()[0].template, copy);
    // The copy keeps the built-in's rules, for the App and the CLI alike.
    assert_eq!(
        config.templates[copy],
        checker::builtin_rules("tech-spec"),
        "{yaml}"
    );

    // The next step works: a doc under the default globs is checked against the copy, with
    // its rules (the built-in tech-spec rules accept "Testing" for "Test Plan").
    write(
        repo.path(),
        "docs/design/search.md",
        &complete("tech-spec").replace("## Test Plan", "## Testing"),
    );
    let o = run(&["check", "docs/design/search.md"], repo.path());
    assert_eq!(
        stdout(&o),
        "docs/design/search.md (template .github/design-review/tech-spec.md): complete\n\n\
         1 file checked: 0 errors, 0 warnings\n",
        "{}",
        stderr(&o)
    );
}

#[test]
fn init_with_an_unknown_template_suggests_the_closest_and_writes_nothing() {
    let repo = repo();
    let o = run(&["init", "--template", "tech-spce"], repo.path());
    assert_eq!(
        stderr(&o),
        "design-review: tech-spce: not a built-in template; did you mean tech-spec? (built-in \
         templates: system-design, tech-spec)\n"
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(!repo.path().join(".github").exists());
}
