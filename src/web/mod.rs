//! The web pages and the JSON API over the store: the board of design reviews (`/reviews`), a
//! details page per pull request (the check run's *Details* link), the audit log (`/audit`) and
//! `/api/v1/...`, behind "Sign in with GitHub".
//!
//! A thin handler layer: each handler works out who is reading ([`session`]) and which
//! repositories they may see, asks the store, and hands the result to a pure view ([`views`]).

mod api;
mod github_user;
mod pages;
pub mod session;
pub mod trends;
pub mod views;

use std::{sync::Arc, time::Duration};

use axum::{
    Router,
    extract::FromRef,
    http::{HeaderMap, StatusCode, header},
    response::{Html, IntoResponse, Response},
    routing::{get, post},
};
use axum_extra::extract::cookie::{Key, SignedCookieJar};
use secrecy::{ExposeSecret, SecretString};
use sha2::Digest;
use url::Url;

use crate::{
    cache::TtlCache,
    config::settings::{DashboardSettings, Settings},
    store::{Store, reviews::Visibility},
};

use github_user::UserApi;
use session::Reader;

/// How long what GitHub said about a user's repositories is trusted.
const ACCESS_TTL: Duration = Duration::from_secs(60);

/// Everything the pages need, cheap to clone.
#[derive(Clone)]
pub struct WebState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn Store>,
    settings: DashboardSettings,
    user_api: UserApi,
    public_url: Option<Url>,
    key: Key,
    /// login -> the repositories GitHub says they can read.
    access: TtlCache<String, Arc<Vec<String>>>,
}

impl FromRef<WebState> for Key {
    fn from_ref(state: &WebState) -> Key {
        state.inner.key.clone()
    }
}

impl WebState {
    /// The pages' state from the server's settings. Without SESSION_KEY a key is generated
    /// (sign-ins then last until the process stops). Fails for a store that keeps no reviews.
    pub fn new(settings: &Settings, store: Arc<dyn Store>) -> anyhow::Result<Self> {
        anyhow::ensure!(
            store.reviews().is_some(),
            "this store keeps no design reviews for the web pages"
        );
        let key = match &settings.dashboard.session_key {
            Some(secret) => Key::from(&sha2::Sha512::digest(secret.expose_secret().as_bytes())),
            None => {
                if settings.dashboard.oauth.is_some() {
                    tracing::warn!("SESSION_KEY is not set: sign-ins end when the server restarts");
                }
                Key::generate()
            }
        };
        Ok(Self {
            inner: Arc::new(Inner {
                store,
                settings: settings.dashboard.clone(),
                user_api: UserApi {
                    web: settings.github_url.clone(),
                    api: settings.github_api_url.clone(),
                },
                public_url: settings.public_url.clone(),
                key,
                access: TtlCache::new(ACCESS_TTL, 4096),
            }),
        })
    }

    fn store(&self) -> &dyn crate::store::ReviewStore {
        self.inner
            .store
            .reviews()
            .expect("WebState::new checked that the store keeps reviews")
    }

    /// Cookies get `Secure` when the server is reached over HTTPS.
    fn secure_cookies(&self) -> bool {
        self.inner
            .public_url
            .as_ref()
            .is_some_and(|u| u.scheme() == "https")
    }

    /// `{PUBLIC_URL}/signin/callback`, or on the host the browser used.
    fn callback_url(&self, headers: &HeaderMap) -> String {
        let base = match &self.inner.public_url {
            Some(url) => url.as_str().trim_end_matches('/').to_string(),
            None => {
                let host = headers
                    .get(header::HOST)
                    .and_then(|h| h.to_str().ok())
                    .unwrap_or("localhost");
                format!("http://{host}")
            }
        };
        format!("{base}/signin/callback")
    }

    /// The reader's bearer token, when it is the operator's API token.
    fn operator(&self, headers: &HeaderMap) -> bool {
        let Some(expected) = &self.inner.settings.api_token else {
            return false;
        };
        let presented = headers
            .get(header::AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .and_then(|h| h.strip_prefix("Bearer "));
        presented.is_some_and(|token| {
            session::same_secret(token.as_bytes(), expected.expose_secret().as_bytes())
        })
    }

    /// The repositories `reader` may see: every one for the operator; for a user, what GitHub
    /// says (cached for a minute). A failure to ask GitHub shows nothing rather than too much.
    async fn visibility(&self, reader: &Reader) -> Visibility {
        let Reader::User(user) = reader else {
            return Visibility::All;
        };
        let key = user.login.to_ascii_lowercase();
        if let Some(repos) = self.inner.access.get(&key) {
            return Visibility::Repos(repos.as_ref().clone());
        }
        let token = SecretString::from(user.token.clone());
        match self.inner.user_api.readable_repos(&token).await {
            Ok(repos) => {
                self.inner.access.put(key, Arc::new(repos.clone()));
                Visibility::Repos(repos)
            }
            Err(error) => {
                tracing::warn!(login = %user.login, %error, "cannot list the user's repositories");
                Visibility::Repos(Vec::new())
            }
        }
    }
}

/// The routes of the pages and the API.
pub fn router(state: WebState) -> Router {
    Router::new()
        .route("/reviews", get(pages::board))
        .route("/reviews/{owner}/{repo}/{number}", get(pages::details))
        .route("/audit", get(pages::audit))
        .route("/trends", get(pages::trends))
        .route("/signin", get(pages::sign_in))
        .route("/signin/callback", get(pages::callback))
        .route("/signout", post(pages::sign_out))
        .route("/static/dashboard.css", get(stylesheet))
        .route("/api/v1/reviews", get(api::reviews))
        .route("/api/v1/reviews/{owner}/{repo}/{number}", get(api::review))
        .route("/api/v1/audit", get(api::audit))
        .with_state(state)
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("style.css"),
    )
        .into_response()
}

/// A whole HTML page with a status.
fn page(status: StatusCode, markup: maud::Markup) -> Response {
    (
        status,
        [(header::CACHE_CONTROL, "no-store")],
        Html(markup.into_string()),
    )
        .into_response()
}

/// The signed-in user of a page request, if any.
fn signed_in(jar: &SignedCookieJar) -> Option<Reader> {
    session::session(jar).map(Reader::User)
}
