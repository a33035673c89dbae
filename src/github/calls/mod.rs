//! One method per GitHub call the workflows make, grouped by API area. Each file keeps the JSON
//! shapes it reads private and returns our own types from [`models`](super::models).

mod apps;
mod checks;
mod comments;
mod contents;
mod git;
mod people;
mod pulls;
mod repos;

pub use contents::MAX_FILE_SIZE;

use serde::Deserialize;

use crate::domain::Login;

/// A user as embedded in GitHub responses. Deleted accounts come back as `null`: we show them as
/// `ghost`, as GitHub's web UI does.
#[derive(Debug, Deserialize)]
pub(crate) struct WireUser {
    pub(crate) login: String,
    #[serde(rename = "type", default)]
    pub(crate) kind: String,
}

pub(crate) fn login_of(user: Option<&WireUser>) -> Login {
    Login(user.map_or_else(|| "ghost".to_string(), |u| u.login.clone()))
}

/// Percent-encodes one path segment (owner, repo, login, ref).
pub(crate) fn seg(text: &str) -> String {
    crate::uri::component(text)
}

/// Percent-encodes a repository file path, keeping its `/` separators.
pub(crate) fn file_path(path: &str) -> String {
    path.split('/').map(seg).collect::<Vec<_>>().join("/")
}

/// `/repos/{owner}/{repo}` for a repository.
pub(crate) fn repo_path(repo: &crate::domain::RepoName) -> String {
    format!("/repos/{}/{}", seg(&repo.owner), seg(&repo.name))
}
