//! Team membership.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::json;

use crate::support::fake_github::Shared;
use crate::support::fake_github::json::{error, json_response, not_found};

pub async fn get_membership(
    State(shared): State<Arc<Shared>>,
    Path((org, slug, username)): Path<(String, String, String)>,
) -> Response {
    let state = shared.lock();
    if state.members_unreadable.contains(&org.to_lowercase()) {
        // An installation without the organisation's `members: read` permission.
        return error(403, "Resource not accessible by integration");
    }
    let Some(team) = state.teams.get(&(org.to_lowercase(), slug.to_lowercase())) else {
        return not_found();
    };
    let login = username.to_lowercase();
    let membership_state = if team.active.contains(&login) {
        "active"
    } else if team.pending.contains(&login) {
        "pending"
    } else {
        return not_found();
    };
    json_response(
        200,
        json!({
            "url": format!("https://api.github.com/organizations/1/team/1/memberships/{username}"),
            "role": "member",
            "state": membership_state,
        }),
    )
}
