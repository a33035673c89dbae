//! Reading files at a ref, with conditional requests.

use base64::Engine;
use http::Method;
use serde::Deserialize;

use super::{file_path, repo_path, seg};
use crate::domain::RepoName;
use crate::github::models::FileContent;
use crate::github::{GithubError, InstallationClient};

/// Largest file we download (1 MiB). Design docs and configs are far smaller; anything bigger is
/// reported by size instead of fetched.
pub const MAX_FILE_SIZE: u64 = 1024 * 1024;

const ROUTE: &str = "/repos/{owner}/{repo}/contents/{path}";

#[derive(Debug, Deserialize)]
struct WireContent {
    #[serde(rename = "type")]
    kind: String,
    size: u64,
    sha: String,
    #[serde(default)]
    encoding: Option<String>,
    #[serde(default)]
    content: Option<String>,
}

fn decode(wire: WireContent) -> Result<FileContent, GithubError> {
    if wire.kind != "file" {
        return Err(GithubError::Other(format!(
            "expected a file, found a {}",
            wire.kind
        )));
    }
    // GitHub omits the content of files over 1 MB (`encoding: "none"`); we also refuse over 1 MiB.
    let omitted = wire.encoding.as_deref() == Some("none");
    if wire.size > MAX_FILE_SIZE || omitted {
        return Err(GithubError::TooLarge {
            size: wire.size,
            limit: MAX_FILE_SIZE,
        });
    }
    let encoded: String = wire
        .content
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let content = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|e| GithubError::Other(format!("file content is not valid base64: {e}")))?;
    Ok(FileContent {
        sha: wire.sha,
        size: wire.size,
        content,
    })
}

impl InstallationClient {
    /// `GET /repos/{owner}/{repo}/contents/{path}?ref=...`; `None` when the file does not exist.
    /// An empty `git_ref` reads the default branch.
    ///
    /// A file over [`MAX_FILE_SIZE`] is [`GithubError::TooLarge`] with its size (its content is
    /// never downloaded: GitHub's JSON carries none past 1 MB). Re-reading a file sends its ETag, so
    /// an unchanged file costs a 304 answered from memory.
    pub async fn get_file(
        &self,
        repo: &RepoName,
        path: &str,
        git_ref: &str,
    ) -> Result<Option<FileContent>, GithubError> {
        let repo_key = repo.to_string();
        let cache = self.app().files();
        let cached = cache.get(&repo_key, path, git_ref);
        let mut request = self.request(
            Method::GET,
            ROUTE,
            // An empty ref reads the repository's default branch (GitHub's default).
            if git_ref.is_empty() {
                format!("{}/contents/{}", repo_path(repo), file_path(path))
            } else {
                format!(
                    "{}/contents/{}?ref={}",
                    repo_path(repo),
                    file_path(path),
                    seg(git_ref)
                )
            },
        );
        request.if_none_match = cached.as_ref().map(|(etag, _)| etag.clone());
        let response = match self.send(&request).await {
            Ok(response) => response,
            Err(GithubError::NotFound) => {
                cache.remove(&repo_key, path, git_ref);
                return Ok(None);
            }
            Err(e) => return Err(e),
        };
        if response.status == 304
            && let Some((_, file)) = cached
        {
            return Ok(Some(file));
        }
        let file = decode(response.json::<WireContent>(ROUTE)?)?;
        match response.headers.get("etag").and_then(|v| v.to_str().ok()) {
            Some(etag) => cache.put(&repo_key, path, git_ref, etag.to_string(), file.clone()),
            None => cache.remove(&repo_key, path, git_ref),
        }
        Ok(Some(file))
    }
}
