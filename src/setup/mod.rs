//! Setup mode: the first run of `design-review serve` without App credentials.
//!
//! `GET /` explains the App and offers a "Register GitHub App" button that posts the manifest
//! (`app.yml` with this server's URLs) to GitHub. GitHub sends the user back to
//! `GET /setup/callback?code=...&state=...`; the code is exchanged for the new App's credentials,
//! which are saved (`.env` plus a 0600 key file) and handed to the running server: the webhook
//! route starts accepting deliveries signed with the new secret and `serve` starts the workers,
//! without a restart.
//!
//! Two more ways in, on the same page and behind the same access rules ([`access`]):
//! - `POST /setup/existing`: an App that already exists (App id, private key file, webhook
//!   secret), checked with `GET /app` before anything is saved.
//! - `POST /setup/channel`: on a laptop (a loopback address, no `PUBLIC_URL`), GitHub cannot
//!   reach the server, so the page offers to create a forwarding channel on
//!   `CHANNEL_SERVICE_URL`; the App is registered with the channel as its webhook URL and
//!   `serve` reads the channel ([`crate::forward`]).

pub mod access;
pub mod conversion;
pub mod env_file;
mod existing;
pub mod manifest;
pub mod page;
mod states;

use std::{
    net::SocketAddr,
    path::PathBuf,
    sync::{Arc, RwLock},
};

use axum::{
    Router,
    extract::{Query, State},
    http::{HeaderMap, StatusCode, header},
    response::{Html, IntoResponse, Response},
    routing::{get, post},
};
use secrecy::SecretString;
use serde::Deserialize;
use tokio::sync::{Mutex, Notify, mpsc};
use url::Url;

use crate::{
    config::settings::Settings,
    github::{AppCredentials, GithubApp},
    status::{AppStatus, StatusSource},
    store::Store,
    webhook::intake::{self, BodyGate, IntakeState},
};

use access::{Refusal, SetupAccess};
use manifest::{ManifestUrls, manifest_json};
use states::StateTokens;

/// What setup mode needs to know, taken from the settings.
#[derive(Debug, Clone)]
pub struct SetupConfig {
    /// Where `.env` and the key file are written (and an `app.yml` override is read).
    pub dir: PathBuf,
    /// The address the server listens on: off loopback, setup needs the printed token.
    pub listen_addr: SocketAddr,
    pub webhook_path: String,
    pub public_url: Option<Url>,
    pub webhook_proxy_url: Option<Url>,
    /// Where a forwarding channel is created (`CHANNEL_SERVICE_URL`).
    pub channel_service_url: Url,
    pub github_url: Url,
    pub github_api_url: Url,
    pub github_org: Option<String>,
}

impl SetupConfig {
    pub fn from_settings(settings: &Settings, dir: PathBuf) -> Self {
        Self {
            dir,
            listen_addr: settings.listen_addr,
            webhook_path: settings.webhook_path.clone(),
            public_url: settings.public_url.clone(),
            webhook_proxy_url: settings.webhook_proxy_url.clone(),
            channel_service_url: settings.channel_service_url.clone(),
            github_url: settings.github_url.clone(),
            github_api_url: settings.github_api_url.clone(),
            github_org: settings.github_org.clone(),
        }
    }
}

/// The credentials of the App just registered, sent to `serve` to start the workers.
#[derive(Debug, Clone)]
pub struct Registered {
    pub app_id: u64,
    pub private_key: SecretString,
    pub webhook_secret: SecretString,
    /// The forwarding channel created on the setup page, for `serve` to read.
    pub webhook_proxy_url: Option<Url>,
}

/// Setup mode's shared state; cheap to clone.
#[derive(Clone)]
pub struct Setup {
    inner: Arc<Inner>,
}

struct Inner {
    config: SetupConfig,
    access: SetupAccess,
    store: Arc<dyn Store>,
    wake: Arc<Notify>,
    states: std::sync::Mutex<StateTokens>,
    /// `None` until an App is registered; then the intake that checks the new secret.
    intake: RwLock<Option<IntakeState>>,
    /// The status page once an App is registered.
    status: RwLock<Option<StatusSource>>,
    /// The forwarding channel created on this page, if any (used as the webhook URL).
    channel: RwLock<Option<Url>>,
    /// Serialises callbacks, so one App is registered even if two tabs come back.
    registering: Mutex<()>,
    registered: mpsc::Sender<Registered>,
}

impl Setup {
    /// Setup state plus the receiver on which `serve` learns about the registration.
    pub fn new(
        config: SetupConfig,
        store: Arc<dyn Store>,
        wake: Arc<Notify>,
    ) -> (Self, mpsc::Receiver<Registered>) {
        let (registered, receiver) = mpsc::channel(1);
        let setup = Self {
            inner: Arc::new(Inner {
                access: SetupAccess::new(config.listen_addr, config.public_url.clone()),
                config,
                store,
                wake,
                states: std::sync::Mutex::new(StateTokens::default()),
                intake: RwLock::new(None),
                status: RwLock::new(None),
                channel: RwLock::new(None),
                registering: Mutex::new(()),
                registered,
            }),
        };
        (setup, receiver)
    }

    /// `GET /`, `GET /setup/callback`, `POST /setup/channel`, `POST /setup/existing` and the
    /// webhook route (behind `gate`; refused until registration).
    pub fn router(&self, gate: BodyGate) -> Router {
        Router::new()
            .route("/", get(home))
            .route("/setup/callback", get(callback))
            .route("/setup/channel", post(create_channel))
            .route(
                "/setup/existing",
                post(existing::submit).layer(axum::extract::DefaultBodyLimit::max(
                    existing::MAX_FORM_BYTES,
                )),
            )
            .route(
                &self.inner.config.webhook_path,
                crate::server::webhook_route(post(webhook), gate),
            )
            .with_state(self.clone())
    }

    /// The URL to open to register the App (with the token when one is needed), printed at
    /// start.
    pub fn setup_url(&self) -> String {
        self.inner.access.setup_url()
    }

    /// True once an App has been registered through this server.
    pub fn is_registered(&self) -> bool {
        self.current_intake().is_some()
    }

    fn current_intake(&self) -> Option<IntakeState> {
        self.inner
            .intake
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The browser's outstanding token (from its cookie) or a new one; `None` when too many
    /// registrations were started recently.
    fn state_token(&self, headers: &HeaderMap) -> Option<String> {
        self.inner
            .states
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .issue(state_cookie(headers))
    }

    fn take_state_token(&self, token: &str) -> bool {
        self.inner
            .states
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take(token)
    }

    /// The webhook forwarding channel: `WEBHOOK_PROXY_URL`, else one created on this page.
    fn channel(&self) -> Option<Url> {
        self.inner.config.webhook_proxy_url.clone().or_else(|| {
            self.inner
                .channel
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .clone()
        })
    }

    /// Saves `credentials` and switches this server to them: the webhook route verifies the new
    /// secret, the status page shows the App, and `serve` starts the workers.
    fn adopt(
        &self,
        credentials: &env_file::Credentials,
    ) -> Result<env_file::Saved, env_file::SaveError> {
        let saved = env_file::save(&self.inner.config.dir, credentials)?;
        *self.inner.intake.write().unwrap_or_else(|p| p.into_inner()) = Some(IntakeState {
            store: self.inner.store.clone(),
            secrets: Arc::new(vec![credentials.webhook_secret.clone()]),
            wake: self.inner.wake.clone(),
        });
        let github = GithubApp::new(AppCredentials {
            app_id: credentials.app_id,
            private_key: credentials.private_key.clone(),
            api_base: self.inner.config.github_api_url.clone(),
        });
        *self.inner.status.write().unwrap_or_else(|p| p.into_inner()) = Some(StatusSource {
            store: self.inner.store.clone(),
            app: github.ok().map(|github| {
                Arc::new(AppStatus::new(github, self.inner.config.github_url.clone()))
            }),
            forwarding: credentials.webhook_proxy_url.is_some(),
        });
        let registered = Registered {
            app_id: credentials.app_id,
            private_key: credentials.private_key.clone(),
            webhook_secret: credentials.webhook_secret.clone(),
            webhook_proxy_url: credentials
                .webhook_proxy_url
                .clone()
                .filter(|_| self.inner.config.webhook_proxy_url.is_none()),
        };
        if self.inner.registered.try_send(registered).is_err() {
            tracing::warn!("server is stopping: the App is used from the next start");
        }
        Ok(saved)
    }

    fn app_yml(&self) -> String {
        std::fs::read_to_string(self.inner.config.dir.join("app.yml"))
            .unwrap_or_else(|_| manifest::BUNDLED_APP_YML.to_string())
    }
}

/// The answer to a setup request that failed [`SetupAccess::admit`].
fn refused(refusal: &Refusal) -> Response {
    tracing::warn!(%refusal, "setup request refused");
    let (title, message) = match refusal {
        Refusal::ForeignHost(host) => (
            "Unknown address",
            format!(
                "This server does not answer to {host:?}. Open it at http://localhost:PORT, or \
                 set PUBLIC_URL to the address you use and restart."
            ),
        ),
        Refusal::NoHost => (
            "Unknown address",
            "The request names no host. Open this server at http://localhost:PORT.".to_string(),
        ),
        Refusal::NoToken => (
            "Setup link needed",
            "This server listens on a public address, so registering an App needs the setup \
             link it printed when it started (ending in /?token=...). Open that link."
                .to_string(),
        ),
    };
    (StatusCode::FORBIDDEN, Html(page::error(title, &message))).into_response()
}

#[derive(Debug, Deserialize)]
struct HomeQuery {
    token: Option<String>,
}

async fn home(
    State(setup): State<Setup>,
    headers: HeaderMap,
    Query(query): Query<HomeQuery>,
) -> Response {
    let status = setup
        .inner
        .status
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    if let Some(status) = status {
        return Html(status.page().await).into_response();
    }
    let admitted = match setup.inner.access.admit(&headers, query.token.as_deref()) {
        Ok(admitted) => admitted,
        Err(refusal) => return refused(&refusal),
    };
    let secure = admitted.base.starts_with("https:");
    if admitted.token_in_url {
        // Keep the token in a cookie and take it out of the address bar (and of history).
        let cookie = setup.inner.access.token_cookie(secure).unwrap_or_default();
        return (
            StatusCode::SEE_OTHER,
            [
                (header::SET_COOKIE, cookie),
                (header::LOCATION, "/".to_string()),
            ],
        )
            .into_response();
    }
    setup.registration_page(&headers, &admitted.base, secure)
}

impl Setup {
    /// The page that starts a registration: the App's manifest in a form posted to GitHub,
    /// under a fresh state token also given to this browser as a cookie.
    fn registration_page(&self, headers: &HeaderMap, base: &str, secure: bool) -> Response {
        let config = &self.inner.config;
        let channel = self.channel();
        let urls = ManifestUrls::new(base, &config.webhook_path, channel.as_ref());
        let manifest = match manifest_json(&self.app_yml(), &urls) {
            Ok(manifest) => manifest.to_string(),
            Err(error) => {
                return failure(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "app.yml cannot be used",
                    &error.to_string(),
                )
                .into_response();
            }
        };
        let Some(state) = self.state_token(headers) else {
            tracing::warn!("setup page: too many registrations started recently");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::RETRY_AFTER, "300")],
                Html(page::error(
                    "Too many registrations in progress",
                    "Many registrations were started on this server in the last minutes. Try \
                     again in a few minutes.",
                )),
            )
                .into_response();
        };
        let action =
            manifest::registration_url(&config.github_url, config.github_org.as_deref(), &state);
        // The same value in a cookie: the callback must come back to the browser that started it.
        let secure = if secure { "; Secure" } else { "" };
        let cookie = format!(
            "{}={state}; Path=/; Max-Age={}; HttpOnly; SameSite=Lax{secure}",
            states::COOKIE,
            states::LIFETIME.as_secs()
        );
        (
            [(header::SET_COOKIE, cookie)],
            Html(page::setup(&page::SetupPage {
                form_action: &action,
                manifest: &manifest,
                webhook_url: &urls.webhook,
                org: config.github_org.as_deref(),
                state: &state,
                channel_offer: channel.is_none()
                    && config.public_url.is_none()
                    && manifest::unreachable(&urls.webhook),
                channel_service: config.channel_service_url.as_str(),
            })),
        )
            .into_response()
    }
}

/// The answer to a form whose state token does not match this browser's cookie (one this
/// browser was not given, such as another site's).
fn unknown_form() -> Response {
    (
        StatusCode::BAD_REQUEST,
        Html(page::error(
            "Unknown form",
            "This form was not served to this browser. Open the setup page again.",
        )),
    )
        .into_response()
}

/// The registration state held in the browser's cookie, if any.
fn state_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(|value| states::cookie_value(value, states::COOKIE))
}

#[derive(Debug, Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
}

async fn callback(
    State(setup): State<Setup>,
    headers: HeaderMap,
    Query(query): Query<CallbackQuery>,
) -> Response {
    if let Err(refusal) = setup.inner.access.admit(&headers, None) {
        return refused(&refusal);
    }
    let _one_at_a_time = setup.inner.registering.lock().await;
    let code = match setup.answer_code(&headers, query) {
        Ok(code) => code,
        Err(failure) => return failure.into_response(),
    };
    match setup.register(&code).await {
        Ok((app, saved)) => registered(&app, &saved),
        Err(failure) => failure.into_response(),
    }
}

/// Why a step of the registration stopped: an error page with its status.
struct Failure {
    status: StatusCode,
    title: &'static str,
    message: String,
}

fn failure(status: StatusCode, title: &'static str, message: &str) -> Failure {
    Failure {
        status,
        title,
        message: message.to_string(),
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        (self.status, Html(page::error(self.title, &self.message))).into_response()
    }
}

/// The page saying the App is registered, clearing the registration's cookie.
fn registered(app: &conversion::NewApp, saved: &env_file::Saved) -> Response {
    let name = if app.name.is_empty() {
        &app.slug
    } else {
        &app.name
    };
    let install = format!("{}/installations/new", app.html_url.trim_end_matches('/'));
    let clear = format!(
        "{}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax",
        states::COOKIE
    );
    (
        [(header::SET_COOKIE, clear)],
        Html(page::registered(
            name,
            &install,
            &saved.env_file.display().to_string(),
            &saved.key_file.display().to_string(),
        )),
    )
        .into_response()
}

impl Setup {
    /// The code of GitHub's answer to a registration, once the answer is known to come back to
    /// the browser that started an outstanding registration on a server without an App.
    fn answer_code(&self, headers: &HeaderMap, query: CallbackQuery) -> Result<String, Failure> {
        if self.is_registered() {
            return Err(failure(
                StatusCode::CONFLICT,
                "Already registered",
                "This server already has a GitHub App.",
            ));
        }
        let (Some(code), Some(state)) = (query.code, query.state) else {
            return Err(failure(
                StatusCode::BAD_REQUEST,
                "Incomplete answer from GitHub",
                "The link lacks the code or state GitHub adds. Start again from the setup page.",
            ));
        };
        // The state must be the one this browser was given (its cookie) and still outstanding.
        let from_this_browser =
            state_cookie(headers).is_some_and(|cookie| states::same_token(cookie, &state));
        if !from_this_browser {
            tracing::warn!("setup callback whose state is not this browser's refused");
            return Err(failure(
                StatusCode::BAD_REQUEST,
                "Unknown registration",
                "This answer does not belong to a registration started in this browser. Open \
                 the setup page again in the browser you registered from, or start again.",
            ));
        }
        if !self.take_state_token(&state) {
            tracing::warn!("setup callback with an unknown or used state refused");
            return Err(failure(
                StatusCode::BAD_REQUEST,
                "Unknown registration",
                "This answer does not belong to a registration started on this server (or it \
                 was used already). Start again from the setup page.",
            ));
        }
        Ok(code)
    }

    /// Exchanges `code` for the new App's credentials, saves them and starts using them.
    async fn register(&self, code: &str) -> Result<(conversion::NewApp, env_file::Saved), Failure> {
        let config = &self.inner.config;
        let app = match conversion::convert(&config.github_api_url, code).await {
            Ok(app) => app,
            Err(error) => {
                tracing::warn!(%error, "GitHub App manifest conversion failed");
                return Err(failure(
                    StatusCode::BAD_GATEWAY,
                    "GitHub did not hand over the App",
                    &error.to_string(),
                ));
            }
        };
        let credentials = env_file::Credentials {
            app_id: app.id,
            slug: app.slug.clone(),
            private_key: app.pem.clone(),
            webhook_secret: app.webhook_secret.clone(),
            webhook_proxy_url: self.channel(),
            oauth: Some(crate::config::settings::OAuthClient {
                client_id: app.client_id.clone(),
                client_secret: app.client_secret.clone(),
            }),
        };
        let saved = match self.adopt(&credentials) {
            Ok(saved) => saved,
            Err(error) => {
                tracing::error!(%error, app_id = app.id, "cannot save the new App's credentials");
                return Err(failure(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Credentials not saved",
                    &format!(
                        "{error}. The App exists on GitHub ({}): delete it there, make the \
                         directory writable and register again.",
                        app.html_url
                    ),
                ));
            }
        };
        tracing::info!(
            app_id = app.id,
            slug = %app.slug,
            env_file = %saved.env_file.display(),
            key_file = %saved.key_file.display(),
            "GitHub App registered; processing webhooks"
        );
        Ok((app, saved))
    }
}

#[derive(Debug, Deserialize)]
struct ChannelForm {
    state: String,
}

/// `POST /setup/channel`: creates a forwarding channel on `CHANNEL_SERVICE_URL` and goes back
/// to `/`, whose manifest then names the channel as the webhook URL.
async fn create_channel(
    State(setup): State<Setup>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<ChannelForm>,
) -> Response {
    if let Err(refusal) = setup.inner.access.admit(&headers, None) {
        return refused(&refusal);
    }
    // Only the page this browser was given may ask (its cookie holds the same token): another
    // site cannot make this server pick a channel.
    if !state_cookie(&headers).is_some_and(|cookie| states::same_token(cookie, &form.state)) {
        return unknown_form();
    }
    let service = &setup.inner.config.channel_service_url;
    match crate::forward::create_channel(service).await {
        Ok(channel) => {
            tracing::info!(
                service = %service,
                "forwarding channel created; the App will be registered with it"
            );
            *setup
                .inner
                .channel
                .write()
                .unwrap_or_else(|p| p.into_inner()) = Some(channel);
            (StatusCode::SEE_OTHER, [(header::LOCATION, "/")]).into_response()
        }
        Err(error) => {
            tracing::warn!(%error, service = %service, "cannot create a forwarding channel");
            (
                StatusCode::BAD_GATEWAY,
                Html(page::error(
                    "No forwarding channel",
                    &format!(
                        "{service} did not create a channel ({error}). Set WEBHOOK_PROXY_URL \
                         to a channel you created, or CHANNEL_SERVICE_URL to another service, \
                         and restart."
                    ),
                )),
            )
                .into_response()
        }
    }
}

/// The webhook route of setup mode: the normal intake once an App exists.
async fn webhook(State(setup): State<Setup>, request: axum::extract::Request) -> Response {
    match setup.current_intake() {
        Some(state) => intake::receive_request(state, request).await,
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({
                "error": "no GitHub App registered yet: open this server's / page to set one up"
            })),
        )
            .into_response(),
    }
}
