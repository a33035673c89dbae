//! GitHub's JSON shapes and answers: users, errors, pagination.

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::Shared;

/// A response with a JSON body.
pub fn json_response(status: u16, body: Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, axum::Json(body)).into_response()
}

/// GitHub's error body: `{"message", "documentation_url", "status"}`.
pub fn error(status: u16, message: &str) -> Response {
    json_response(
        status,
        json!({
            "message": message,
            "documentation_url": "https://docs.github.com/rest",
            "status": status.to_string(),
        }),
    )
}

pub fn not_found() -> Response {
    error(404, "Not Found")
}

/// 422 with GitHub's validation-error shape.
pub fn validation(message: &str, errors: Value) -> Response {
    json_response(
        422,
        json!({
            "message": message,
            "errors": errors,
            "documentation_url": "https://docs.github.com/rest",
            "status": "422",
        }),
    )
}

/// A user object as embedded in GitHub responses.
pub fn user(login: &str, is_bot: bool) -> Value {
    let id = login
        .bytes()
        .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)))
        % 10_000_000;
    json!({
        "login": login,
        "id": id,
        "node_id": format!("U_{id}"),
        "avatar_url": format!("https://avatars.githubusercontent.com/u/{id}?v=4"),
        "url": format!("https://api.github.com/users/{login}"),
        "html_url": format!("https://github.com/{login}"),
        "type": if is_bot { "Bot" } else { "User" },
        "site_admin": false,
    })
}

/// The user object of someone, bot when the login ends in `[bot]`.
pub fn person(login: &str) -> Value {
    user(login, login.ends_with("[bot]"))
}

/// Query parameters as a map (last value wins).
pub fn query_map(query: Option<&str>) -> std::collections::HashMap<String, String> {
    url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

/// One page of `items` as GitHub paginates (`per_page` default 30, max 100; `page` from 1) and
/// the `Link` header with absolute `next`/`last` URLs under the fake's base (prefix included).
pub fn page(
    shared: &Shared,
    path: &str,
    query: Option<&str>,
    items: Vec<Value>,
) -> (HeaderMap, Vec<Value>) {
    let params = query_map(query);
    let per_page = params
        .get("per_page")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(30)
        .clamp(1, 100);
    let page = params
        .get("page")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let last = items.len().div_ceil(per_page).max(1);
    let slice: Vec<Value> = items
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .collect();
    let mut headers = HeaderMap::new();
    let link_to = |n: usize| {
        let mut params = params.clone();
        params.insert("page".into(), n.to_string());
        params.insert("per_page".into(), per_page.to_string());
        let mut keys: Vec<_> = params.into_iter().collect();
        keys.sort();
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(keys)
            .finish();
        format!("{}{}?{}", shared.base_url(), path, query)
    };
    let mut links = Vec::new();
    if page < last {
        links.push(format!("<{}>; rel=\"next\"", link_to(page + 1)));
        links.push(format!("<{}>; rel=\"last\"", link_to(last)));
    }
    if page > 1 {
        links.push(format!("<{}>; rel=\"first\"", link_to(1)));
        links.push(format!("<{}>; rel=\"prev\"", link_to(page - 1)));
    }
    if !links.is_empty()
        && let Ok(value) = HeaderValue::from_str(&links.join(", "))
    {
        headers.insert("link", value);
    }
    (headers, slice)
}

/// A paginated JSON array response.
pub fn paged_array(
    shared: &Shared,
    path: &str,
    query: Option<&str>,
    items: Vec<Value>,
) -> Response {
    let (headers, slice) = page(shared, path, query, items);
    (headers, axum::Json(Value::Array(slice))).into_response()
}

/// The API-relative path of a request (without the GHES prefix), for building `Link` headers.
pub fn api_path(uri: &axum::extract::OriginalUri, shared: &Shared) -> String {
    let path = uri.path();
    path.strip_prefix(shared.prefix.as_str())
        .filter(|rest| !shared.prefix.is_empty() && rest.starts_with('/'))
        .unwrap_or(path)
        .to_string()
}
