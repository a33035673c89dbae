//! The App's installations and the repositories an installation can see.

use std::sync::Arc;

use axum::extract::{OriginalUri, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::support::fake_github::Shared;
use crate::support::fake_github::auth::{installation_of, verify_jwt};
use crate::support::fake_github::json::{api_path, error, page, paged_array, user};

/// `GET /app` (JWT): the authenticated App, whose slug names its bot account `{slug}[bot]`.
pub async fn get_app(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if let Err(refused) = verify_jwt(&shared, &headers) {
        return refused;
    }
    let slug = shared.lock().app_slug.clone();
    crate::support::fake_github::json::json_response(
        200,
        json!({
            "id": shared.app_id,
            "slug": slug,
            "node_id": format!("A_{}", shared.app_id),
            "owner": user("acme", false),
            "name": "Design Review",
            "description": "",
            "external_url": "https://example.com",
            "html_url": format!("https://github.com/apps/{slug}"),
            "created_at": "2024-01-01T00:00:00Z",
            "updated_at": "2024-01-01T00:00:00Z",
            "permissions": { "checks": "write", "pull_requests": "write" },
            "events": ["pull_request"],
        }),
    )
}

pub async fn list_installations(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    uri: OriginalUri,
) -> Response {
    if let Err(refused) = verify_jwt(&shared, &headers) {
        return refused;
    }
    let items: Vec<Value> = shared
        .lock()
        .installations
        .iter()
        .map(|(id, account)| {
            json!({
                "id": id,
                "account": user(account, false),
                "app_id": shared.app_id,
                "target_type": "Organization",
                "repository_selection": "all",
            })
        })
        .collect();
    paged_array(&shared, &api_path(&uri, &shared), query.as_deref(), items)
}

pub async fn list_repositories(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    uri: OriginalUri,
) -> Response {
    let Some(installation) = installation_of(&shared, &headers) else {
        return error(401, "Bad credentials");
    };
    let items: Vec<Value> = {
        let state = shared.lock();
        let account = state
            .installations
            .get(&installation)
            .cloned()
            .unwrap_or_default();
        state
            .repos
            .iter()
            .filter(|(full, _)| full.split('/').next() == Some(account.as_str()))
            .map(|(full, repo)| {
                let (owner, name) = full.split_once('/').unwrap_or((full, full));
                json!({
                    "id": 1,
                    "name": name,
                    "full_name": full,
                    "owner": user(owner, false),
                    "private": false,
                    "default_branch": repo.default_branch,
                })
            })
            .collect()
    };
    let total = items.len();
    let (link, slice) = page(&shared, &api_path(&uri, &shared), query.as_deref(), items);
    (
        link,
        axum::Json(json!({ "total_count": total, "repositories": slice })),
    )
        .into_response()
}
