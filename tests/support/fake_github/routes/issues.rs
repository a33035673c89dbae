//! Conversation comments (issue comments) and reactions.

use std::sync::Arc;

use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::response::Response;
use serde_json::{Value, json};

use crate::support::fake_github::Shared;
use crate::support::fake_github::json::{
    api_path, error, json_response, not_found, paged_array, person, user, validation,
};
use crate::support::fake_github::state::{CommentRecord, ReactionRecord};

/// GitHub refuses comment bodies longer than this.
const MAX_BODY: usize = 65_536;

const REACTIONS: &[&str] = &[
    "+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes",
];

fn comment_json(c: &CommentRecord) -> Value {
    json!({
        "id": c.id,
        "node_id": format!("IC_{}", c.id),
        "url": format!("https://api.github.com/repos/{}/issues/comments/{}", c.repo, c.id),
        "html_url": format!("https://github.com/{}/pull/{}#issuecomment-{}", c.repo, c.issue, c.id),
        "issue_url": format!("https://api.github.com/repos/{}/issues/{}", c.repo, c.issue),
        "body": c.body,
        "user": user(&c.author, c.author_is_bot),
        "created_at": "2024-01-01T00:00:00Z",
        "updated_at": "2024-01-01T00:00:00Z",
        "author_association": if c.author_is_bot { "NONE" } else { "MEMBER" },
    })
}

fn body_of(body: &Value) -> Result<String, Response> {
    let text = body
        .get("body")
        .and_then(Value::as_str)
        .ok_or_else(|| validation("Invalid request.\n\n\"body\" wasn't supplied.", json!([])))?;
    if text.chars().count() > MAX_BODY {
        return Err(validation(
            "Validation Failed",
            json!([{ "resource": "IssueComment", "field": "data", "code": "custom",
                     "message": "Body is too long (maximum is 65536 characters)" }]),
        ));
    }
    Ok(text.to_string())
}

pub async fn list_comments(
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
            .comments
            .iter()
            .filter(|c| c.repo == full && c.issue == number)
            .map(comment_json)
            .collect()
    };
    paged_array(&shared, &api_path(&uri, &shared), query.as_deref(), items)
}

pub async fn create_comment(
    State(shared): State<Arc<Shared>>,
    Path((owner, name, number)): Path<(String, String, u64)>,
    axum::Json(body): axum::Json<Value>,
) -> Response {
    let full = format!("{owner}/{name}");
    let text = match body_of(&body) {
        Ok(text) => text,
        Err(refused) => return refused,
    };
    let mut state = shared.lock();
    if !state.pulls.contains_key(&(full.clone(), number)) {
        return not_found();
    }
    let comment = CommentRecord {
        id: state.next_id(),
        repo: full,
        issue: number,
        author: state.bot_login(),
        author_is_bot: true,
        body: text.clone(),
        history: vec![text],
    };
    state.comments.push(comment.clone());
    json_response(201, comment_json(&comment))
}

pub async fn update_comment(
    State(shared): State<Arc<Shared>>,
    Path((owner, name, id)): Path<(String, String, u64)>,
    axum::Json(body): axum::Json<Value>,
) -> Response {
    let full = format!("{owner}/{name}");
    let text = match body_of(&body) {
        Ok(text) => text,
        Err(refused) => return refused,
    };
    let mut state = shared.lock();
    let bot = state.bot_login();
    let Some(comment) = state
        .comments
        .iter_mut()
        .find(|c| c.id == id && c.repo == full)
    else {
        return not_found();
    };
    if comment.author != bot {
        return error(403, "Resource not accessible by integration");
    }
    comment.body = text.clone();
    comment.history.push(text);
    json_response(200, comment_json(comment))
}

pub async fn add_reaction(
    State(shared): State<Arc<Shared>>,
    Path((owner, name, id)): Path<(String, String, u64)>,
    axum::Json(body): axum::Json<Value>,
) -> Response {
    let full = format!("{owner}/{name}");
    let content = body.get("content").and_then(Value::as_str).unwrap_or("");
    if !REACTIONS.contains(&content) {
        return validation(
            "Validation Failed",
            json!([{ "resource": "Reaction", "field": "content", "code": "invalid" }]),
        );
    }
    let mut state = shared.lock();
    if !state.comments.iter().any(|c| c.id == id && c.repo == full) {
        return not_found();
    }
    let by = state.bot_login();
    let existing = state
        .reactions
        .iter()
        .any(|r| r.comment_id == id && r.content == content && r.by == by);
    let reaction_id = state.next_id();
    if !existing {
        state.reactions.push(ReactionRecord {
            comment_id: id,
            content: content.to_string(),
            by: by.clone(),
        });
    }
    json_response(
        if existing { 200 } else { 201 },
        json!({
            "id": reaction_id,
            "node_id": format!("REA_{reaction_id}"),
            "user": person(&by),
            "content": content,
            "created_at": "2024-01-01T00:00:00Z",
        }),
    )
}
