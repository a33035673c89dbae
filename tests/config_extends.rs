//! Probot's `_extends` read through the App's GitHub client against the fake GitHub: the chain of
//! bases is read from each repository's default branch and merged; a missing base is a config
//! problem naming the file, line and column.

mod support;

use design_review::{
    config::repo::CONFIG_PATH,
    domain::RepoName,
    review::repo_config::{ConfigSource, load},
};
use support::fake_github::FakeGithub;

#[tokio::test]
async fn a_repository_file_extends_a_file_in_another_repository() {
    let gh = FakeGithub::start().await;
    gh.repo("acme/widgets").file(
        "main",
        CONFIG_PATH,
        "_extends: policies:design/base.yml\nreview:\n  approvals: 3\n",
    );
    gh.repo("acme/policies").file(
        "main",
        "design/base.yml",
        "review:\n  team: acme/architects\n  approvals: 2\ncheck:\n  name: design\n",
    );
    let client = gh.app().installation(gh.installation_id());
    let loaded = load(&client, &RepoName::new("acme", "widgets"), "main")
        .await
        .unwrap();
    assert_eq!(loaded.problem, None);
    assert_eq!(loaded.source, ConfigSource::RepositoryOverBase);
    assert_eq!(loaded.config.review.approvals(), 3);
    assert_eq!(
        loaded.config.review.team.as_deref(),
        Some("acme/architects")
    );
    assert_eq!(loaded.config.check.name(), "design");
}

#[tokio::test]
async fn a_missing_base_is_a_config_problem_with_its_position() {
    let gh = FakeGithub::start().await;
    gh.repo("acme/widgets").file(
        "main",
        CONFIG_PATH,
        "review:\n  approvals: 3\n_extends: acme/nowhere\n",
    );
    let client = gh.app().installation(gh.installation_id());
    let loaded = load(&client, &RepoName::new("acme", "widgets"), "main")
        .await
        .unwrap();
    let problem = loaded.problem.expect("a problem");
    assert_eq!(problem.file, "acme/widgets:.github/design-review.yml");
    assert_eq!(
        problem.error.to_string(),
        "line 3, column 1: the base acme/nowhere:.github/design-review.yml does not exist"
    );
}
