//! The GitHub REST routes the fake answers, one file per API area.

mod apps;
mod checks;
mod issues;
pub(super) mod manifests;
mod orgs;
pub(super) mod pulls;
mod repos;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, patch, post};

use super::{Shared, auth, log};

/// All routes, relative to the API base (no prefix), behind the installation-token check.
pub fn api(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(
            "/app/installations/{installation_id}/access_tokens",
            post(auth::create_token),
        )
        .route("/app", get(apps::get_app))
        .route("/app/installations", get(apps::list_installations))
        .route(
            "/app-manifests/{code}/conversions",
            post(manifests::conversion),
        )
        .route("/installation/repositories", get(apps::list_repositories))
        .route("/repos/{owner}/{repo}", get(repos::get_repo))
        .route(
            "/repos/{owner}/{repo}/contents/{*path}",
            get(repos::get_contents),
        )
        .route(
            "/repos/{owner}/{repo}/collaborators/{username}/permission",
            get(repos::get_permission),
        )
        .route(
            "/repos/{owner}/{repo}/compare/{basehead}",
            get(repos::compare),
        )
        .route(
            "/repos/{owner}/{repo}/git/trees/{sha}",
            get(repos::get_tree),
        )
        .route("/repos/{owner}/{repo}/pulls", get(pulls::list_pulls))
        .route("/repos/{owner}/{repo}/pulls/{number}", get(pulls::get_pull))
        .route(
            "/repos/{owner}/{repo}/pulls/{number}/files",
            get(pulls::list_files),
        )
        .route(
            "/repos/{owner}/{repo}/pulls/{number}/requested_reviewers",
            get(pulls::list_requested).post(pulls::request_reviewers),
        )
        .route(
            "/repos/{owner}/{repo}/pulls/{number}/reviews",
            get(pulls::list_reviews),
        )
        .route("/repos/{owner}/{repo}/check-runs", post(checks::create))
        .route(
            "/repos/{owner}/{repo}/check-runs/{id}",
            patch(checks::update),
        )
        .route(
            "/repos/{owner}/{repo}/commits/{git_ref}/check-runs",
            get(checks::list_for_ref),
        )
        .route(
            "/repos/{owner}/{repo}/issues/{number}/comments",
            get(issues::list_comments).post(issues::create_comment),
        )
        .route(
            "/repos/{owner}/{repo}/issues/comments/{id}",
            patch(issues::update_comment),
        )
        .route(
            "/repos/{owner}/{repo}/issues/comments/{id}/reactions",
            post(issues::add_reaction),
        )
        .route(
            "/orgs/{org}/teams/{team_slug}/memberships/{username}",
            get(orgs::get_membership),
        )
        .fallback(log::unknown_route)
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            auth::require_token,
        ))
        .with_state(shared)
}

/// GitHub's web pages the setup flow visits (served at the root, also when the API has a prefix).
pub fn web(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/settings/apps/new", post(manifests::new_app))
        .route(
            "/organizations/{org}/settings/apps/new",
            post(manifests::new_org_app),
        )
        .with_state(shared)
}
