//! GitHub's OAuth web flow for a GitHub App and the user-to-server routes sign-in reads:
//! `GET /login/oauth/authorize` (the user approves at once, as the login chosen with
//! [`OAuth::signs_in`]), `POST /login/oauth/access_token`, `GET /user`, `GET /user/installations`
//! and `GET /user/installations/{id}/repositories` (the repositories granted with
//! [`OAuth::grant`]), with GitHub's shapes: a bad code is a 200 with `error`, a bad token a 401.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

/// The installation every signed-in user's repositories are listed under.
pub const USER_INSTALLATION_ID: u64 = 1;

#[derive(Default)]
struct OAuthState {
    client: Option<(String, String)>,
    next_login: Option<String>,
    codes: HashMap<String, String>,
    tokens: HashMap<String, String>,
    access: HashMap<String, Vec<String>>,
    /// Every token exchange, `(client_id, code)`.
    exchanges: Vec<(String, String)>,
}

/// The OAuth side of the fake.
#[derive(Default)]
pub struct OAuth {
    state: Mutex<OAuthState>,
}

impl OAuth {
    fn lock(&self) -> std::sync::MutexGuard<'_, OAuthState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The App's OAuth client id and secret.
    pub fn client(&self, id: &str, secret: &str) {
        self.lock().client = Some((id.into(), secret.into()));
    }

    /// Who approves the next sign-in.
    pub fn signs_in(&self, login: &str) {
        self.lock().next_login = Some(login.into());
    }

    /// The repositories `login` can read through the App's installation.
    pub fn grant(&self, login: &str, repos: &[&str]) {
        self.lock()
            .access
            .insert(login.into(), repos.iter().map(|r| r.to_string()).collect());
    }

    /// How many codes were exchanged for tokens.
    pub fn exchanges(&self) -> usize {
        self.lock().exchanges.len()
    }
}

fn random() -> String {
    hex::encode(rand::random::<[u8; 12]>())
}

#[derive(Deserialize)]
struct Authorize {
    client_id: String,
    redirect_uri: String,
    state: String,
}

async fn authorize(State(oauth): State<Arc<OAuth>>, Query(q): Query<Authorize>) -> Response {
    let mut s = oauth.lock();
    if s.client.as_ref().map(|c| c.0.as_str()) != Some(q.client_id.as_str()) {
        return (StatusCode::NOT_FOUND, "unknown client_id").into_response();
    }
    let Some(login) = s.next_login.clone() else {
        return (StatusCode::FORBIDDEN, "no user signs in").into_response();
    };
    let code = random();
    s.codes.insert(code.clone(), login);
    let separator = if q.redirect_uri.contains('?') {
        '&'
    } else {
        '?'
    };
    Redirect::to(&format!(
        "{}{separator}code={code}&state={}",
        q.redirect_uri,
        design_review::uri::component(&q.state)
    ))
    .into_response()
}

#[derive(Deserialize)]
struct Exchange {
    client_id: String,
    client_secret: String,
    code: String,
}

async fn access_token(State(oauth): State<Arc<OAuth>>, Json(body): Json<Exchange>) -> Response {
    let mut s = oauth.lock();
    s.exchanges
        .push((body.client_id.clone(), body.code.clone()));
    let client_ok = s.client.as_ref() == Some(&(body.client_id, body.client_secret));
    if !client_ok {
        return Json(json!({ "error": "incorrect_client_credentials" })).into_response();
    }
    let Some(login) = s.codes.remove(&body.code) else {
        return Json(json!({ "error": "bad_verification_code" })).into_response();
    };
    let token = format!("ghu_{}", random());
    s.tokens.insert(token.clone(), login);
    Json(json!({ "access_token": token, "token_type": "bearer", "scope": "" })).into_response()
}

/// The login of the request's user token, or GitHub's 401.
fn user(oauth: &OAuth, headers: &HeaderMap) -> Result<String, Response> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("token "))
        });
    token
        .and_then(|t| oauth.lock().tokens.get(t).cloned())
        .ok_or_else(|| {
            (
                StatusCode::UNAUTHORIZED,
                Json(json!({ "message": "Bad credentials" })),
            )
                .into_response()
        })
}

async fn get_user(State(oauth): State<Arc<OAuth>>, headers: HeaderMap) -> Response {
    match user(&oauth, &headers) {
        Ok(login) => Json(json!({ "login": login, "id": 1, "type": "User" })).into_response(),
        Err(response) => response,
    }
}

async fn installations(State(oauth): State<Arc<OAuth>>, headers: HeaderMap) -> Response {
    match user(&oauth, &headers) {
        Ok(_) => Json(json!({
            "total_count": 1,
            "installations": [{ "id": USER_INSTALLATION_ID, "account": { "login": "acme" } }]
        }))
        .into_response(),
        Err(response) => response,
    }
}

async fn repositories(
    State(oauth): State<Arc<OAuth>>,
    Path(id): Path<u64>,
    headers: HeaderMap,
) -> Response {
    let login = match user(&oauth, &headers) {
        Ok(login) => login,
        Err(response) => return response,
    };
    if id != USER_INSTALLATION_ID {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({ "message": "Not Found" })),
        )
            .into_response();
    }
    let repos = oauth.lock().access.get(&login).cloned().unwrap_or_default();
    let repositories: Vec<_> = repos
        .iter()
        .map(|full| {
            let (owner, name) = full.split_once('/').unwrap_or(("acme", full));
            json!({ "full_name": full, "name": name, "owner": { "login": owner }, "private": true })
        })
        .collect();
    Json(json!({ "total_count": repositories.len(), "repositories": repositories })).into_response()
}

/// The web-host routes (`GITHUB_URL`).
pub fn web(oauth: Arc<OAuth>) -> Router {
    Router::new()
        .route("/login/oauth/authorize", get(authorize))
        .route("/login/oauth/access_token", post(access_token))
        .with_state(oauth)
}

/// The API routes (under the API prefix), authenticated with the user's token.
pub fn api(oauth: Arc<OAuth>) -> Router {
    Router::new()
        .route("/user", get(get_user))
        .route("/user/installations", get(installations))
        .route(
            "/user/installations/{installation_id}/repositories",
            get(repositories),
        )
        .with_state(oauth)
}
