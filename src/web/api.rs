//! `/api/v1/...`: the pages' data as JSON, for back-office tools (the operator's bearer token,
//! every repository) and signed-in browsers (their repositories).

use axum::{
    Json,
    extract::{FromRequestParts, Path, Query, State},
    http::{HeaderMap, StatusCode, request::Parts},
    response::{IntoResponse, Response},
};
use axum_extra::extract::cookie::SignedCookieJar;
use chrono::Utc;
use serde_json::{Value, json};

use crate::store::reviews::Visibility;

use super::{
    WebState,
    pages::{AuditParams, BoardParams},
    session::Reader,
    views,
};

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "message": message }))).into_response()
}

/// Who calls the API and what they may see: what every API handler starts from. Without the
/// operator's token or a session the handler is not run: 401 with a JSON message.
pub struct ApiReader {
    reader: Reader,
    visible: Visibility,
}

impl FromRequestParts<WebState> for ApiReader {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Response> {
        let Ok(jar) = SignedCookieJar::from_request_parts(parts, state).await;
        let reader = reader(state, &jar, &parts.headers).map_err(|response| *response)?;
        let visible = state.visibility(&reader).await;
        Ok(Self { reader, visible })
    }
}

/// The API's reader: the operator's token, or a signed-in user's session.
fn reader(
    state: &WebState,
    jar: &SignedCookieJar,
    headers: &HeaderMap,
) -> Result<Reader, Box<Response>> {
    if state.operator(headers) {
        return Ok(Reader::Operator);
    }
    super::signed_in(jar).ok_or_else(|| {
        Box::new(error(
            StatusCode::UNAUTHORIZED,
            "Authorization: Bearer <DASHBOARD_API_TOKEN>, or sign in at /reviews",
        ))
    })
}

fn login(reader: &Reader) -> &str {
    match reader {
        Reader::User(user) => &user.login,
        Reader::Operator => "",
    }
}

fn unavailable(error_: crate::store::StoreError) -> Response {
    tracing::error!(error = %error_, "the API cannot read the store");
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        "the database did not answer",
    )
}

/// `GET /api/v1/reviews`: the board's filters (`repo`, `state`, `team`, `sort`, `closed`,
/// `page`; `mine` and `authored` for a signed-in user).
pub async fn reviews(
    State(state): State<WebState>,
    ApiReader { reader, visible }: ApiReader,
    Query(params): Query<BoardParams>,
) -> Response {
    let mut query = params.query(visible, login(&reader));
    if matches!(reader, Reader::Operator) {
        (query.waiting_on, query.author) = (None, None);
    }
    match state.store().list_reviews(&query).await {
        Ok(page) => {
            let counts: serde_json::Map<String, Value> = page
                .counts
                .iter()
                .map(|(s, n)| (s.as_str().to_string(), json!(n)))
                .collect();
            Json(json!({ "total": page.total, "counts": counts, "reviews": page.rows }))
                .into_response()
        }
        Err(e) => unavailable(e),
    }
}

/// `GET /api/v1/reviews/{owner}/{repo}/{number}`.
pub async fn review(
    State(state): State<WebState>,
    ApiReader { visible, .. }: ApiReader,
    Path((owner, repo, number)): Path<(String, String, i64)>,
) -> Response {
    match state
        .store()
        .review(&visible, &format!("{owner}/{repo}"), number)
        .await
    {
        Ok(Some(view)) => {
            let why = views::why(&view, Utc::now());
            let mut body = serde_json::to_value(&view).unwrap_or(Value::Null);
            body["why"] = json!(why);
            Json(body).into_response()
        }
        Ok(None) => error(
            StatusCode::NOT_FOUND,
            "no design review recorded for this pull request, or not readable by you",
        ),
        Err(e) => unavailable(e),
    }
}

/// `GET /api/v1/audit`: `repo`, `actor`, `outcome`, `page`.
pub async fn audit(
    State(state): State<WebState>,
    ApiReader { visible, .. }: ApiReader,
    Query(params): Query<AuditParams>,
) -> Response {
    match state.store().audit_page(&params.query(visible)).await {
        Ok((entries, total)) => Json(json!({ "total": total, "entries": entries })).into_response(),
        Err(e) => unavailable(e),
    }
}
