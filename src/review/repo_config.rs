//! Loads a repository's `.github/design-review.yml` from its default branch (never from a PR's
//! head: a PR must not be able to loosen its own rules), falling back to the owner's `.github`
//! repository and then to the built-in defaults.

use crate::{
    config::repo::{self, ConfigError, ConfigRef, Extends, RepoConfig},
    domain::RepoName,
    github::{GithubError, InstallationClient},
};

/// Where the configuration lives in a repository.
pub const CONFIG_PATH: &str = ".github/design-review.yml";

/// Where the effective configuration came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigSource {
    Repository,
    Organization,
    /// `extends: org`: the repository's file merged over the organisation's.
    RepositoryOverOrganization,
    /// `_extends`: the repository's file merged over the chain of files it names.
    RepositoryOverBase,
    Defaults,
}

/// A configuration file that did not parse: shown on the check run, never ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    /// `owner/repo:.github/design-review.yml` or a PR path.
    pub file: String,
    pub error: ConfigError,
}

/// The configuration in force for one evaluation.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    pub config: RepoConfig,
    pub source: ConfigSource,
    /// Set when the base configuration is invalid; `config` is then the defaults, but the check
    /// run fails and names the problem.
    pub problem: Option<ConfigProblem>,
}

/// Reads the configuration in force for `repo` on its default branch.
pub async fn load(
    client: &InstallationClient,
    repo: &RepoName,
    default_branch: &str,
) -> Result<LoadedConfig, GithubError> {
    let repo_file = read(client, repo, default_branch).await?;
    if let Some(Ok(own)) = &repo_file
        && own.base.is_some()
    {
        return load_chain(client, repo, default_branch).await;
    }
    let needs_org = match &repo_file {
        None => true,
        Some(Ok(config)) => config.extends == Some(Extends::Org),
        Some(Err(_)) => false,
    };
    let org_file = if needs_org && repo.name != ".github" {
        // The `.github` repository's own default branch: an empty ref means "default branch".
        read(client, &RepoName::new(repo.owner.clone(), ".github"), "").await?
    } else {
        None
    };
    let problem = |file: String, error: ConfigError| LoadedConfig {
        config: RepoConfig::default(),
        source: ConfigSource::Defaults,
        problem: Some(ConfigProblem { file, error }),
    };
    Ok(match (repo_file, org_file) {
        (Some(Err(error)), _) => problem(format!("{repo}:{CONFIG_PATH}"), error),
        (_, Some(Err(error))) => problem(format!("{}/.github:{CONFIG_PATH}", repo.owner), error),
        (Some(Ok(own)), Some(Ok(org))) => LoadedConfig {
            config: RepoConfig::effective(Some(own), Some(org)),
            source: ConfigSource::RepositoryOverOrganization,
            problem: None,
        },
        (Some(Ok(own)), None) => LoadedConfig {
            config: RepoConfig::effective(Some(own), None),
            source: ConfigSource::Repository,
            problem: None,
        },
        (None, Some(Ok(org))) => LoadedConfig {
            config: org,
            source: ConfigSource::Organization,
            problem: None,
        },
        (None, None) => LoadedConfig {
            config: RepoConfig::default(),
            source: ConfigSource::Defaults,
            problem: None,
        },
    })
}

/// `_extends`: the repository's file over its chain of bases, each read from its repository's
/// default branch ([`repo::resolve`]); a missing base or a cycle is a configuration problem.
async fn load_chain(
    client: &InstallationClient,
    repo: &RepoName,
    default_branch: &str,
) -> Result<LoadedConfig, GithubError> {
    let text = |file: Option<crate::github::FileContent>| {
        file.map(|file| String::from_utf8_lossy(&file.content).into_owned())
    };
    let own = text(client.get_file(repo, CONFIG_PATH, default_branch).await?).unwrap_or_default();
    let start = ConfigRef {
        owner: repo.owner.clone(),
        repo: repo.name.clone(),
        path: CONFIG_PATH.to_string(),
    };
    let read = |file: ConfigRef| async move {
        let at = RepoName::new(file.owner, file.repo);
        match client.get_file(&at, &file.path, "").await {
            Ok(found) => Ok(text(found)),
            Err(GithubError::NotFound) => Ok(None),
            Err(error) => Err(error),
        }
    };
    Ok(match repo::resolve(start, &own, read).await? {
        Ok(config) => LoadedConfig {
            config,
            source: ConfigSource::RepositoryOverBase,
            problem: None,
        },
        Err(chain) => LoadedConfig {
            config: RepoConfig::default(),
            source: ConfigSource::Defaults,
            problem: Some(ConfigProblem {
                file: chain.file.to_string(),
                error: chain.error,
            }),
        },
    })
}

/// `None` when the file does not exist; `Some(Err)` when it exists but is invalid.
async fn read(
    client: &InstallationClient,
    repo: &RepoName,
    git_ref: &str,
) -> Result<Option<Result<RepoConfig, ConfigError>>, GithubError> {
    match client.get_file(repo, CONFIG_PATH, git_ref).await {
        Ok(Some(file)) => Ok(Some(parse_bytes(&file.content))),
        Ok(None) => Ok(None),
        // The whole org may be invisible to this installation: same as no file.
        Err(GithubError::NotFound) => Ok(None),
        Err(GithubError::TooLarge { size, .. }) => Ok(Some(Err(ConfigError {
            line: None,
            column: None,
            message: format!("the file is {size} bytes, too large for a configuration file"),
        }))),
        Err(error) => Err(error),
    }
}

/// Parses configuration bytes, reporting non-UTF-8 content as a configuration error.
pub fn parse_bytes(content: &[u8]) -> Result<RepoConfig, ConfigError> {
    let text = std::str::from_utf8(content).map_err(|e| ConfigError {
        line: None,
        column: None,
        message: format!("the file is not UTF-8 text: {e}"),
    })?;
    RepoConfig::parse(text)
}
