//! Repositories, file contents, collaborator permissions.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::json;

use crate::support::fake_github::Shared;
use crate::support::fake_github::json::{error, json_response, not_found, query_map, user};
use crate::support::fake_github::state::BASE_SHA;

/// Files GitHub serves whole through the contents API; bigger ones come with `encoding: "none"`.
const INLINE_LIMIT: usize = 1024 * 1024;

pub async fn get_repo(
    State(shared): State<Arc<Shared>>,
    Path((owner, name)): Path<(String, String)>,
) -> Response {
    let full = format!("{owner}/{name}");
    let state = shared.lock();
    let Some(repo) = state.repos.get(&full) else {
        return not_found();
    };
    json_response(
        200,
        json!({
            "id": 1296269,
            "node_id": "R_1296269",
            "name": name,
            "full_name": full,
            "owner": user(&owner, false),
            "private": false,
            "html_url": format!("https://github.com/{full}"),
            "url": format!("https://api.github.com/repos/{full}"),
            "default_branch": repo.default_branch,
        }),
    )
}

pub async fn get_contents(
    State(shared): State<Arc<Shared>>,
    Path((owner, name, path)): Path<(String, String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let full = format!("{owner}/{name}");
    let state = shared.lock();
    let Some(repo) = state.repos.get(&full) else {
        return not_found();
    };
    let git_ref = query_map(query.as_deref())
        .remove("ref")
        .unwrap_or_else(|| repo.default_branch.clone());
    let Some(blob) = state.blob(&full, &git_ref, &path) else {
        return not_found();
    };
    let etag = format!("\"{}\"", blob.sha);
    if headers
        .get("if-none-match")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == etag || v == format!("W/{etag}"))
    {
        return (StatusCode::NOT_MODIFIED, [("etag", etag)]).into_response();
    }
    let (encoding, content) = if blob.content.len() > INLINE_LIMIT {
        ("none", String::new())
    } else {
        // GitHub wraps base64 at 60 characters with `\n`.
        let encoded = base64::engine::general_purpose::STANDARD.encode(&blob.content);
        let wrapped: Vec<String> = encoded
            .as_bytes()
            .chunks(60)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect();
        ("base64", wrapped.join("\n"))
    };
    let file_name = path.rsplit('/').next().unwrap_or(&path).to_string();
    let body = json!({
        "type": "file",
        "encoding": encoding,
        "size": blob.content.len(),
        "name": file_name,
        "path": path,
        "content": content,
        "sha": blob.sha,
        "url": format!("https://api.github.com/repos/{full}/contents/{path}?ref={git_ref}"),
        "html_url": format!("https://github.com/{full}/blob/{git_ref}/{path}"),
        "download_url": format!("https://raw.githubusercontent.com/{full}/{git_ref}/{path}"),
    });
    let mut response = json_response(200, body);
    if let Ok(value) = etag.parse() {
        response.headers_mut().insert("etag", value);
    }
    response
}

pub async fn get_permission(
    State(shared): State<Arc<Shared>>,
    Path((owner, name, username)): Path<(String, String, String)>,
) -> Response {
    let state = shared.lock();
    let Some(repo) = state.repos.get(&format!("{owner}/{name}")) else {
        return not_found();
    };
    let Some(role) = repo.permissions.get(&username.to_lowercase()) else {
        return not_found();
    };
    let legacy = match role.as_str() {
        "maintain" => "write",
        "triage" => "read",
        other => other,
    };
    json_response(
        200,
        json!({ "permission": legacy, "role_name": role, "user": user(&username, false) }),
    )
}

/// `GET /repos/{owner}/{repo}/compare/{base}...{head}`: the merge base of a pull request's head
/// is the base commit it reports ([`BASE_SHA`]). Commits and files are left out (the App asks
/// for the merge base only).
pub async fn compare(
    State(shared): State<Arc<Shared>>,
    Path((owner, name, basehead)): Path<(String, String, String)>,
) -> Response {
    let full = format!("{owner}/{name}");
    let state = shared.lock();
    let Some((_, head)) = basehead.split_once("...") else {
        return not_found();
    };
    let known = state
        .pulls
        .iter()
        .any(|((repo, _), p)| *repo == full && (p.head_sha == head || p.head_ref == head));
    if !known {
        return not_found();
    }
    let commit = |sha: &str| json!({ "sha": sha, "url": format!("https://api.github.com/repos/{full}/commits/{sha}") });
    json_response(
        200,
        json!({
            "url": format!("https://api.github.com/repos/{full}/compare/{basehead}"),
            "status": "ahead",
            "ahead_by": 1,
            "behind_by": 0,
            "total_commits": 1,
            "base_commit": commit(BASE_SHA),
            "merge_base_commit": commit(BASE_SHA),
            "commits": [],
            "files": [],
        }),
    )
}

/// `GET /repos/{owner}/{repo}/git/trees/{sha}?recursive=1`: blobs only (the fake has no
/// directories), `truncated` when the repository was set up so.
pub async fn get_tree(
    State(shared): State<Arc<Shared>>,
    Path((owner, name, sha)): Path<(String, String, String)>,
    RawQuery(query): RawQuery,
) -> Response {
    let full = format!("{owner}/{name}");
    if !query_map(query.as_deref()).contains_key("recursive") {
        return error(422, "the fake serves recursive trees only");
    }
    let state = shared.lock();
    let Some(files) = state.tree(&full, &sha) else {
        return not_found();
    };
    let tree: Vec<_> = files
        .iter()
        .map(|(path, blob)| {
            json!({
                "path": path, "mode": "100644", "type": "blob", "sha": blob, "size": 1,
                "url": format!("https://api.github.com/repos/{full}/git/blobs/{blob}"),
            })
        })
        .collect();
    json_response(
        200,
        json!({
            "sha": sha,
            "url": format!("https://api.github.com/repos/{full}/git/trees/{sha}"),
            "tree": tree,
            "truncated": state.truncated_trees.contains(&full),
        }),
    )
}
