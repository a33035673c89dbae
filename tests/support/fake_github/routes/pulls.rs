//! Pull requests, their files, requested reviewers and reviews.

use std::sync::Arc;

use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::response::Response;
use serde_json::{Value, json};

use crate::support::fake_github::Shared;
use crate::support::fake_github::json::{
    api_path, error, json_response, not_found, paged_array, person, query_map, validation,
};
use crate::support::fake_github::state::{Pull, ReviewerRequestRecord};

/// GitHub lists at most this many files of a pull request.
const MAX_LISTED_FILES: usize = 3000;

pub(crate) fn pull_json(full: &str, number: u64, pull: &Pull) -> Value {
    json!({
        "url": format!("https://api.github.com/repos/{full}/pulls/{number}"),
        "id": 1_000_000 + number,
        "node_id": format!("PR_{number}"),
        "html_url": format!("https://github.com/{full}/pull/{number}"),
        "number": number,
        "state": pull.state,
        "locked": false,
        "title": pull.title,
        "user": person(&pull.author),
        "body": "",
        "draft": pull.draft,
        "merged": false,
        "commits": 1,
        "additions": pull.files.len(),
        "deletions": 0,
        "changed_files": pull.files.len(),
        "requested_reviewers": pull.requested_users.iter().map(|u| person(u)).collect::<Vec<_>>(),
        "requested_teams": pull.requested_teams.iter().map(|t| json!({
            "name": t, "slug": t, "id": 1, "privacy": "closed", "permission": "pull"
        })).collect::<Vec<_>>(),
        "head": {
            "label": format!("{}:{}", full.split('/').next().unwrap_or(""), pull.head_ref),
            "ref": pull.head_ref,
            "sha": pull.head_sha,
        },
        "base": {
            "label": format!("{}:{}", full.split('/').next().unwrap_or(""), pull.base_ref),
            "ref": pull.base_ref,
            "sha": crate::support::fake_github::state::BASE_SHA,
        },
    })
}

pub async fn list_pulls(
    State(shared): State<Arc<Shared>>,
    Path((owner, name)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    uri: OriginalUri,
) -> Response {
    let full = format!("{owner}/{name}");
    let wanted = query_map(query.as_deref())
        .remove("state")
        .unwrap_or_else(|| "open".into());
    let items: Vec<Value> = {
        let state = shared.lock();
        if !state.repos.contains_key(&full) {
            return not_found();
        }
        state
            .pulls
            .iter()
            .filter(|((repo, _), p)| *repo == full && (wanted == "all" || p.state == wanted))
            .map(|((_, n), p)| pull_json(&full, *n, p))
            .collect()
    };
    paged_array(&shared, &api_path(&uri, &shared), query.as_deref(), items)
}

pub async fn get_pull(
    State(shared): State<Arc<Shared>>,
    Path((owner, name, number)): Path<(String, String, u64)>,
) -> Response {
    let full = format!("{owner}/{name}");
    let state = shared.lock();
    match state.pulls.get(&(full.clone(), number)) {
        Some(pull) => json_response(200, pull_json(&full, number, pull)),
        None => not_found(),
    }
}

pub async fn list_files(
    State(shared): State<Arc<Shared>>,
    Path((owner, name, number)): Path<(String, String, u64)>,
    RawQuery(query): RawQuery,
    uri: OriginalUri,
) -> Response {
    let full = format!("{owner}/{name}");
    let items: Vec<Value> = {
        let state = shared.lock();
        let Some(pull) = state.pulls.get(&(full.clone(), number)) else {
            return not_found();
        };
        pull.files
            .iter()
            .take(MAX_LISTED_FILES)
            .map(|f| {
                let mut file = json!({
                    "sha": f.sha,
                    "filename": f.filename,
                    "status": f.status,
                    "additions": 1,
                    "deletions": 0,
                    "changes": 1,
                    "blob_url": format!("https://github.com/{full}/blob/{}/{}", pull.head_sha, f.filename),
                    "raw_url": format!("https://github.com/{full}/raw/{}/{}", pull.head_sha, f.filename),
                    "contents_url": format!("https://api.github.com/repos/{full}/contents/{}?ref={}", f.filename, pull.head_sha),
                });
                if let Some(previous) = &f.previous_filename {
                    file["previous_filename"] = json!(previous);
                }
                file
            })
            .collect()
    };
    paged_array(&shared, &api_path(&uri, &shared), query.as_deref(), items)
}

fn requested_json(org: &str, pull: &Pull) -> Value {
    json!({
        "users": pull.requested_users.iter().map(|u| person(u)).collect::<Vec<_>>(),
        "teams": pull.requested_teams.iter().map(|slug| json!({
            "id": slug.len(),
            "node_id": format!("T_{slug}"),
            "name": slug,
            "slug": slug,
            "html_url": format!("https://github.com/orgs/{org}/teams/{slug}"),
            "permission": "pull",
        })).collect::<Vec<_>>(),
    })
}

pub async fn list_requested(
    State(shared): State<Arc<Shared>>,
    Path((owner, name, number)): Path<(String, String, u64)>,
) -> Response {
    let state = shared.lock();
    match state.pulls.get(&(format!("{owner}/{name}"), number)) {
        Some(pull) => json_response(200, requested_json(&owner, pull)),
        None => not_found(),
    }
}

fn strings(body: &Value, key: &str) -> Vec<String> {
    body.get(key)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Accepts the request unless GitHub would refuse it: the author as reviewer, a user who is not a
/// collaborator, or a team unknown to the organisation (no access) -> 422.
pub async fn request_reviewers(
    State(shared): State<Arc<Shared>>,
    Path((owner, name, number)): Path<(String, String, u64)>,
    axum::Json(body): axum::Json<Value>,
) -> Response {
    let full = format!("{owner}/{name}");
    let users = strings(&body, "reviewers");
    let teams = strings(&body, "team_reviewers");
    let mut state = shared.lock();
    let Some(pull) = state.pulls.get(&(full.clone(), number)) else {
        return not_found();
    };
    let author = pull.author.to_lowercase();
    let repo = state.repos.get(&full).cloned().unwrap_or_default();
    let refusal = if users.iter().any(|u| u.to_lowercase() == author) {
        Some("Review cannot be requested from pull request author.".to_string())
    } else if users
        .iter()
        .any(|u| repo.non_collaborators.contains(&u.to_lowercase()))
        || teams.iter().any(|t| {
            !state
                .teams
                .contains_key(&(owner.to_lowercase(), t.to_lowercase()))
        })
    {
        Some(format!(
            "Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the {full} repository."
        ))
    } else {
        None
    };
    let status = if refusal.is_some() { 422 } else { 201 };
    state.reviewer_requests.push(ReviewerRequestRecord {
        repo: full.clone(),
        pr: number,
        users: users.clone(),
        teams: teams.clone(),
        status,
    });
    if let Some(message) = refusal {
        return validation(
            "Validation Failed",
            json!([{ "resource": "PullRequest", "field": "reviewers", "code": "custom", "message": message }]),
        );
    }
    if users.is_empty() && teams.is_empty() {
        return error(422, "Invalid request. No reviewers given.");
    }
    let pull = state.pull_mut(&full, number);
    for user in users {
        if !pull
            .requested_users
            .iter()
            .any(|u| u.eq_ignore_ascii_case(&user))
        {
            pull.requested_users.push(user);
        }
    }
    for team in teams {
        if !pull
            .requested_teams
            .iter()
            .any(|t| t.eq_ignore_ascii_case(&team))
        {
            pull.requested_teams.push(team);
        }
    }
    let pull = pull.clone();
    let mut response = requested_json(&owner, &pull);
    response["number"] = json!(number);
    json_response(201, response)
}

pub async fn list_reviews(
    State(shared): State<Arc<Shared>>,
    Path((owner, name, number)): Path<(String, String, u64)>,
    RawQuery(query): RawQuery,
    uri: OriginalUri,
) -> Response {
    let full = format!("{owner}/{name}");
    let items: Vec<Value> = {
        let state = shared.lock();
        if !state.pulls.contains_key(&(full.clone(), number)) {
            return not_found();
        }
        state
            .reviews
            .iter()
            .filter(|r| r.repo == full && r.pr == number)
            .map(|r| {
                json!({
                    "id": r.id,
                    "node_id": format!("PRR_{}", r.id),
                    "user": person(&r.author),
                    "body": "",
                    "state": r.state,
                    "html_url": format!("https://github.com/{full}/pull/{number}#pullrequestreview-{}", r.id),
                    "commit_id": r.commit_id,
                    "submitted_at": r.submitted_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    "author_association": "MEMBER",
                })
            })
            .collect()
    };
    paged_array(&shared, &api_path(&uri, &shared), query.as_deref(), items)
}
