//! Check runs, with GitHub's limit of 50 annotations per request.

use std::sync::Arc;

use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::support::fake_github::Shared;
use crate::support::fake_github::json::{
    api_path, error, json_response, not_found, page, query_map, user, validation,
};
use crate::support::fake_github::state::CheckRunRecord;

const MAX_ANNOTATIONS: usize = 50;
/// GitHub refuses a summary or text longer than this many characters.
const MAX_OUTPUT_TEXT: usize = 65_535;

fn run_json(shared: &Shared, run: &CheckRunRecord) -> Value {
    let app_slug = if run.app_id == shared.app_id {
        shared.lock().app_slug.clone()
    } else {
        format!("app-{}", run.app_id)
    };
    let mut output = run
        .output
        .clone()
        .unwrap_or_else(|| json!({"title": null, "summary": null, "text": null}));
    output["annotations_count"] = json!(run.annotations.len());
    json!({
        "id": run.id,
        "node_id": format!("CR_{}", run.id),
        "head_sha": run.head_sha,
        "external_id": run
            .updates
            .iter()
            .rev()
            .find_map(|u| u.get("external_id")?.as_str())
            .unwrap_or(""),
        "url": format!("https://api.github.com/repos/{}/check-runs/{}", run.repo, run.id),
        "html_url": format!("https://github.com/{}/runs/{}", run.repo, run.id),
        "status": run.status,
        "conclusion": run.conclusion,
        "name": run.name,
        "output": output,
        "app": { "id": run.app_id, "slug": app_slug, "owner": user("acme", false) },
    })
}

/// Applies `output` (title/summary/text replace, annotations append). Refuses >50 annotations.
fn apply_output(run: &mut CheckRunRecord, output: &Value) -> Result<(), Response> {
    let annotations = output
        .get("annotations")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if annotations.len() > MAX_ANNOTATIONS {
        return Err(validation(
            "Validation Failed",
            json!([{ "resource": "CheckRun", "field": "annotations", "code": "too_many",
                     "message": "Only 50 annotations are allowed per request" }]),
        ));
    }
    for field in ["summary", "text"] {
        let length = output
            .get(field)
            .and_then(Value::as_str)
            .map_or(0, |t| t.chars().count());
        if length > MAX_OUTPUT_TEXT {
            return Err(validation(
                &format!(
                    "Invalid request.\n\nOnly {MAX_OUTPUT_TEXT} characters are allowed; {length} were supplied."
                ),
                json!([{ "resource": "CheckRun", "field": format!("output.{field}"), "code": "too_long" }]),
            ));
        }
    }
    if output.get("title").is_none() || output.get("summary").is_none() {
        return Err(validation(
            "Invalid request.\n\n\"title\", \"summary\" weren't supplied.",
            json!([]),
        ));
    }
    let mut kept = output.clone();
    if let Some(map) = kept.as_object_mut() {
        map.remove("annotations");
    }
    run.output = Some(kept);
    run.annotations.extend(annotations);
    Ok(())
}

fn apply_fields(run: &mut CheckRunRecord, body: &Value) {
    if let Some(name) = body.get("name").and_then(Value::as_str) {
        run.name = name.to_string();
    }
    if let Some(status) = body.get("status").and_then(Value::as_str) {
        run.status = status.to_string();
    }
    if let Some(conclusion) = body.get("conclusion").and_then(Value::as_str) {
        run.conclusion = Some(conclusion.to_string());
        run.status = "completed".into();
    }
}

pub async fn create(
    State(shared): State<Arc<Shared>>,
    Path((owner, name)): Path<(String, String)>,
    axum::Json(body): axum::Json<Value>,
) -> Response {
    let full = format!("{owner}/{name}");
    let (Some(run_name), Some(head_sha)) = (
        body.get("name").and_then(Value::as_str),
        body.get("head_sha").and_then(Value::as_str),
    ) else {
        return validation(
            "Invalid request.\n\n\"name\", \"head_sha\" weren't supplied.",
            json!([]),
        );
    };
    let mut run = CheckRunRecord {
        id: 0,
        app_id: shared.app_id,
        repo: full.clone(),
        name: run_name.to_string(),
        head_sha: head_sha.to_string(),
        status: "queued".into(),
        conclusion: None,
        output: None,
        annotations: Vec::new(),
        updates: vec![body.clone()],
    };
    apply_fields(&mut run, &body);
    if let Some(output) = body.get("output")
        && let Err(refused) = apply_output(&mut run, output)
    {
        return refused;
    }
    {
        let mut state = shared.lock();
        if !state.repos.contains_key(&full) {
            return not_found();
        }
        run.id = state.next_id();
        state.check_runs.push(run.clone());
    }
    json_response(201, run_json(&shared, &run))
}

pub async fn update(
    State(shared): State<Arc<Shared>>,
    Path((owner, name, id)): Path<(String, String, u64)>,
    axum::Json(body): axum::Json<Value>,
) -> Response {
    let full = format!("{owner}/{name}");
    let run = {
        let mut state = shared.lock();
        let Some(run) = state
            .check_runs
            .iter_mut()
            .find(|r| r.id == id && r.repo == full)
        else {
            return not_found();
        };
        if run.app_id != shared.app_id {
            return error(403, "Resource not accessible by integration");
        }
        let mut updated = run.clone();
        apply_fields(&mut updated, &body);
        if let Some(output) = body.get("output")
            && let Err(refused) = apply_output(&mut updated, output)
        {
            return refused;
        }
        updated.updates.push(body.clone());
        *run = updated.clone();
        updated
    };
    json_response(200, run_json(&shared, &run))
}

pub async fn list_for_ref(
    State(shared): State<Arc<Shared>>,
    Path((owner, name, git_ref)): Path<(String, String, String)>,
    RawQuery(query): RawQuery,
    uri: OriginalUri,
) -> Response {
    let full = format!("{owner}/{name}");
    let mut params = query_map(query.as_deref());
    let check_name = params.remove("check_name");
    let app_id = params
        .remove("app_id")
        .and_then(|id| id.parse::<u64>().ok());
    let runs: Vec<CheckRunRecord> = {
        let state = shared.lock();
        let head = state
            .pulls
            .iter()
            .find(|((repo, _), p)| *repo == full && p.head_ref == git_ref)
            .map(|(_, p)| p.head_sha.clone())
            .unwrap_or_else(|| git_ref.clone());
        state
            .check_runs
            .iter()
            .rev()
            .filter(|r| r.repo == full && r.head_sha == head)
            .filter(|r| check_name.as_ref().is_none_or(|n| *n == r.name))
            .filter(|r| app_id.is_none_or(|id| id == r.app_id))
            .cloned()
            .collect()
    };
    let total = runs.len();
    let items: Vec<Value> = runs.iter().map(|r| run_json(&shared, r)).collect();
    let (headers, slice) = page(&shared, &api_path(&uri, &shared), query.as_deref(), items);
    (
        headers,
        axum::Json(json!({ "total_count": total, "check_runs": slice })),
    )
        .into_response()
}
