//! App registration from a manifest, as github.com does it: the "new GitHub App" page (web, not
//! API) receives the form post and, once the user "confirms", redirects to the manifest's
//! `redirect_url` with a one-time `code` and the `state` it was given; `POST
//! /app-manifests/{code}/conversions` (API, no authentication) trades the code for the App.

use std::sync::Arc;

use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::support::fake_github::json::{error, json_response, validation};
use crate::support::fake_github::{APP_ID, PRIVATE_KEY_PEM, Shared};

/// The webhook secret of every App the fake registers.
pub const REGISTERED_WEBHOOK_SECRET: &str = "fake-registered-webhook-secret";

#[derive(Debug, Deserialize)]
pub struct NewAppForm {
    manifest: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct StateQuery {
    state: Option<String>,
}

/// `POST /settings/apps/new?state=...` and `POST /organizations/{org}/settings/apps/new`.
pub async fn new_app(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<StateQuery>,
    Form(form): Form<NewAppForm>,
) -> Response {
    register(&shared, None, query, form)
}

pub async fn new_org_app(
    State(shared): State<Arc<Shared>>,
    Path(org): Path<String>,
    Query(query): Query<StateQuery>,
    Form(form): Form<NewAppForm>,
) -> Response {
    register(&shared, Some(org), query, form)
}

fn register(shared: &Shared, org: Option<String>, query: StateQuery, form: NewAppForm) -> Response {
    let Some(manifest) = form
        .manifest
        .as_deref()
        .and_then(|m| serde_json::from_str::<Value>(m).ok())
    else {
        return (StatusCode::BAD_REQUEST, "Invalid GitHub App configuration").into_response();
    };
    let Some(redirect) = manifest["redirect_url"].as_str().map(str::to_string) else {
        return (StatusCode::BAD_REQUEST, "redirect_url is required").into_response();
    };
    let code = {
        let mut state = shared.lock();
        let code = format!("fake-manifest-code-{}", state.next_id());
        state.manifest_codes.insert(code.clone(), manifest.clone());
        state.registered_manifests.push((org, manifest));
        code
    };
    let mut location = format!("{redirect}?code={code}");
    if let Some(state) = query.state {
        location.push_str(&format!("&state={}", design_review::uri::component(&state)));
    }
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// `POST /app-manifests/{code}/conversions`: each code works once.
pub async fn conversion(State(shared): State<Arc<Shared>>, Path(code): Path<String>) -> Response {
    let Some(manifest) = shared.lock().manifest_codes.remove(&code) else {
        return error(404, "Not Found");
    };
    let Some(name) = manifest["name"].as_str() else {
        return validation(
            "Validation Failed",
            json!([{"field": "name", "code": "missing"}]),
        );
    };
    let slug = name.to_lowercase().replace(' ', "-");
    let html_url = format!("{}/apps/{slug}", shared.web_url());
    json_response(
        201,
        json!({
            "id": APP_ID,
            "slug": slug,
            "node_id": "A_fake",
            "name": name,
            "owner": { "login": "acme", "type": "Organization" },
            "description": manifest["description"],
            "external_url": manifest["url"],
            "html_url": html_url,
            "events": manifest["default_events"],
            "permissions": manifest["default_permissions"],
            "client_id": "Iv1.fakeclientid",
            "client_secret": "fake-client-secret",
            "webhook_secret": REGISTERED_WEBHOOK_SECRET,
            "pem": PRIVATE_KEY_PEM,
        }),
    )
}
