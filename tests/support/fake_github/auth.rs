//! App authentication as GitHub does it: the App's JWT (RS256, `iss` = App id, at most 10 minutes)
//! mints installation tokens; every other route needs a valid, unexpired installation token.

use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use chrono::Utc;
use jsonwebtoken::{Algorithm, Validation};
use serde::Deserialize;
use serde_json::json;

use super::Shared;
use super::json::{error, json_response};
use super::state::Token;

#[derive(Debug, Deserialize)]
struct Claims {
    iat: i64,
    exp: i64,
    iss: String,
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get("authorization")?.to_str().ok()?;
    value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("token "))
}

/// Checks the App JWT: signature by the App's key, `iss`, and a lifetime GitHub accepts.
pub fn verify_jwt(shared: &Shared, headers: &HeaderMap) -> Result<(), Response> {
    let refuse = || error(401, "A JSON web token could not be decoded");
    let token = bearer(headers).ok_or_else(refuse)?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_required_spec_claims(&["exp", "iss", "iat"]);
    validation.set_issuer(&[shared.app_id.to_string()]);
    let data = jsonwebtoken::decode::<Claims>(token, &shared.decoding_key, &validation)
        .map_err(|_| refuse())?;
    let now = Utc::now().timestamp();
    let claims = data.claims;
    if claims.iss != shared.app_id.to_string() || claims.iat > now + 5 || claims.exp > now + 600 {
        return Err(error(
            401,
            "'Expiration time' claim ('exp') is too far in the future",
        ));
    }
    Ok(())
}

/// `POST /app/installations/{installation_id}/access_tokens`.
pub async fn create_token(
    State(shared): State<Arc<Shared>>,
    Path(installation): Path<u64>,
    headers: HeaderMap,
) -> Response {
    if let Err(refused) = verify_jwt(&shared, &headers) {
        return refused;
    }
    let mut state = shared.lock();
    if !state.installations.contains_key(&installation) {
        return error(404, "Not Found");
    }
    let serial = state.next_id();
    let token = format!("ghs_fake{installation}x{serial:030}");
    let expires_at = Utc::now() + state.token_lifetime;
    state.tokens.insert(
        token.clone(),
        Token {
            installation,
            expires_at,
        },
    );
    state.token_exchanges.push(installation);
    json_response(
        201,
        json!({
            "token": token,
            "expires_at": expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "permissions": {
                "checks": "write", "pull_requests": "write", "issues": "write",
                "contents": "read", "members": "read", "metadata": "read"
            },
            "repository_selection": "all",
        }),
    )
}

/// The installation an installation token belongs to, if the token is valid and unexpired.
pub fn installation_of(shared: &Shared, headers: &HeaderMap) -> Option<u64> {
    let token = bearer(headers)?;
    let state = shared.lock();
    let known = state.tokens.get(token)?;
    (known.expires_at > Utc::now()).then_some(known.installation)
}

/// Middleware: `/app` and `/app/...` routes need the JWT (checked by their handlers), manifest conversions
/// nothing, all others a token.
pub async fn require_token(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let app_route = path == "/app"
        || path == "/app/installations"
        || path.starts_with("/app/installations/")
        || path.starts_with("/app-manifests/");
    if !app_route && installation_of(&shared, request.headers()).is_none() {
        return error(401, "Bad credentials");
    }
    next.run(request).await
}
