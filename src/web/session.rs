//! Who is reading: a signed-in GitHub user (a signed, `HttpOnly`, `SameSite=Lax` session cookie
//! that expires) or a back-office tool with the operator's API token; and which repositories
//! each may see.

use std::time::Duration;

use axum_extra::extract::cookie::{Cookie, SameSite, SignedCookieJar};
use chrono::Utc;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::store::reviews::Visibility;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "dr_session";
/// The cookie holding the OAuth `state` between the redirect to GitHub and the callback.
pub const STATE_COOKIE: &str = "dr_oauth";
/// How long a sign-in at GitHub may take.
const STATE_LIFETIME: Duration = Duration::from_secs(600);

/// A signed-in user, as the session cookie carries them.
#[derive(Clone, Serialize, Deserialize)]
pub struct Session {
    pub login: String,
    /// The user-to-server token, to ask GitHub which repositories the user can read.
    pub token: String,
    /// Unix seconds after which the session is refused.
    pub expires: i64,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("login", &self.login)
            .field("expires", &self.expires)
            .finish_non_exhaustive()
    }
}

/// The OAuth round trip in progress: the `state` sent to GitHub and where to go afterwards.
#[derive(Serialize, Deserialize)]
pub struct PendingSignIn {
    pub state: String,
    pub next: String,
    pub expires: i64,
}

/// Who is reading a page or the API.
#[derive(Debug, Clone)]
pub enum Reader {
    /// The operator's API token: every repository.
    Operator,
    User(Session),
}

/// Cookie attributes every cookie of ours has.
fn cookie(name: &'static str, value: String, lifetime: Duration, secure: bool) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(cookie::time::Duration::seconds(lifetime.as_secs() as i64))
        .build()
}

/// The session of `jar`, unless missing, forged or expired.
pub fn session(jar: &SignedCookieJar) -> Option<Session> {
    let session: Session = serde_json::from_str(jar.get(SESSION_COOKIE)?.value()).ok()?;
    (session.expires > Utc::now().timestamp()).then_some(session)
}

/// `jar` with a new session for `login`.
pub fn start_session(
    jar: SignedCookieJar,
    login: String,
    token: &SecretString,
    lifetime: Duration,
    secure: bool,
) -> SignedCookieJar {
    let session = Session {
        login,
        token: token.expose_secret().to_string(),
        expires: Utc::now().timestamp() + lifetime.as_secs() as i64,
    };
    let value = serde_json::to_string(&session).expect("a session serialises");
    jar.remove(Cookie::build(STATE_COOKIE).path("/"))
        .add(cookie(SESSION_COOKIE, value, lifetime, secure))
}

/// `jar` without the session.
pub fn end_session(jar: SignedCookieJar) -> SignedCookieJar {
    jar.remove(Cookie::build(SESSION_COOKIE).path("/"))
}

/// `jar` with a fresh OAuth `state` (returned) remembered for the callback.
pub fn begin_sign_in(jar: SignedCookieJar, next: &str, secure: bool) -> (SignedCookieJar, String) {
    let state = hex::encode(rand::random::<[u8; 16]>());
    let pending = PendingSignIn {
        state: state.clone(),
        next: safe_next(next).to_string(),
        expires: Utc::now().timestamp() + STATE_LIFETIME.as_secs() as i64,
    };
    let value = serde_json::to_string(&pending).expect("a pending sign-in serialises");
    (
        jar.add(cookie(STATE_COOKIE, value, STATE_LIFETIME, secure)),
        state,
    )
}

/// The pending sign-in whose `state` GitHub handed back, if it is ours and not expired.
pub fn pending_sign_in(jar: &SignedCookieJar, state: &str) -> Option<PendingSignIn> {
    let pending: PendingSignIn = serde_json::from_str(jar.get(STATE_COOKIE)?.value()).ok()?;
    let matches = same_secret(pending.state.as_bytes(), state.as_bytes());
    (matches && pending.expires > Utc::now().timestamp()).then_some(pending)
}

/// A local path to return to after sign-in (never another site: `//host` or `/\host`).
pub fn safe_next(next: &str) -> &str {
    let local = next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\");
    if local { next } else { "/reviews" }
}

/// Compares two secrets in constant time (their SHA-256, so the length does not show either).
pub fn same_secret(a: &[u8], b: &[u8]) -> bool {
    Sha256::digest(a).ct_eq(&Sha256::digest(b)).into()
}

/// The reader's repositories: all for the operator, else the cached or fetched list.
pub fn visibility_of(reader: &Reader, repos: Option<Vec<String>>) -> Visibility {
    match reader {
        Reader::Operator => Visibility::All,
        Reader::User(_) => Visibility::Repos(repos.unwrap_or_default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next("/reviews/acme/w/1"), "/reviews/acme/w/1");
        assert_eq!(safe_next("//evil.example"), "/reviews");
        assert_eq!(safe_next("/\\evil.example"), "/reviews");
        assert_eq!(safe_next("https://evil.example"), "/reviews");
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abc", b"abd"));
        assert!(!same_secret(b"abc", b"abcd"));
    }
}
