//! The only door to the GitHub API.
//!
//! [`GithubApp`] owns the HTTP stack (octocrab, no built-in retries), the App's JWT signer, the
//! installation-token cache and the file cache; [`InstallationClient`] is a cheap handle that makes
//! calls as one installation. Every request goes through [`GithubApp::send`], which authenticates,
//! applies the call's retry policy, records metrics and maps failures into [`GithubError`].

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use http::header::{AUTHORIZATION, HeaderValue, IF_NONE_MATCH};
use http::{HeaderMap, Method};
use octocrab::Octocrab;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use url::Url;

use super::auth::{AppJwt, Auth, InstallationToken, TokenCache};
use super::base::ApiBase;
use super::file_cache::FileCache;
use super::list_cache::ListCache;
use super::retry::{Attempt, Decision, Idempotency, RetryPolicy};
use super::{GithubError, telemetry};
use crate::domain::InstallationId;

/// What identifies the App to GitHub, as read from the settings.
#[derive(Debug, Clone)]
pub struct AppCredentials {
    /// The App's numeric id (`APP_ID`).
    pub app_id: u64,
    /// The App's RSA private key in PEM form; `Debug` shows it redacted.
    pub private_key: SecretString,
    /// `https://api.github.com`, or a GitHub Enterprise Server URL such as `https://ghe.example.com/api/v3`.
    pub api_base: Url,
}

/// Tuning knobs; the defaults suit production, tests shorten the delays.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Retries of transient failures and rate limits.
    pub retry: RetryPolicy,
    /// Installation tokens with less than this left are renewed before use.
    pub renew_token_before: Duration,
    /// How many files (repo, path, ref) keep their ETag for conditional re-reads.
    pub file_cache_entries: usize,
    /// How many list pages (per URL and credentials) keep their ETag for conditional re-reads.
    pub list_cache_entries: usize,
    /// Timeout for establishing a connection.
    pub connect_timeout: Duration,
    /// Timeout for reading a response.
    pub read_timeout: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            retry: RetryPolicy::default(),
            renew_token_before: Duration::from_secs(5 * 60),
            file_cache_entries: 512,
            list_cache_entries: 2048,
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
        }
    }
}

/// What the HTTP client is built from.
#[derive(Debug, Clone)]
struct HttpSettings {
    base_uri: String,
    connect_timeout: Duration,
    read_timeout: Duration,
}

impl HttpSettings {
    /// Builds octocrab's client (no retries of its own: [`GithubApp::send`] does them).
    fn build(self) -> Result<Octocrab, String> {
        Octocrab::builder()
            .base_uri(self.base_uri.as_str())
            .and_then(|b| {
                b.set_connect_timeout(Some(self.connect_timeout))
                    .set_read_timeout(Some(self.read_timeout))
                    .build()
            })
            .map_err(|e| format!("cannot build the HTTP client: {e}"))
    }
}

/// The GitHub App: authenticates as the App and hands out per-installation clients.
#[derive(Clone)]
pub struct GithubApp {
    inner: Arc<Inner>,
}

struct Inner {
    /// Built on first use (or by [`GithubApp::warm_up`]): loading the system's root
    /// certificates takes longer than the rest of start-up together, and intake never needs it.
    http: tokio::sync::OnceCell<Octocrab>,
    http_settings: HttpSettings,
    base: ApiBase,
    jwt: AppJwt,
    tokens: TokenCache,
    retry: RetryPolicy,
    files: FileCache,
    lists: ListCache,
    /// The App's bot account, learnt from `GET /app` on first use.
    bot: tokio::sync::OnceCell<crate::domain::Login>,
}

impl fmt::Debug for GithubApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GithubApp")
            .field("base", &self.inner.base)
            .field("jwt", &self.inner.jwt)
            .finish_non_exhaustive()
    }
}

/// Calls made as one installation. Cheap to create and clone; shares the App's token cache.
#[derive(Clone, Debug)]
pub struct InstallationClient {
    app: GithubApp,
    id: InstallationId,
}

/// One API call, described once and sent (possibly several times) by [`GithubApp::send`].
#[derive(Debug)]
pub(crate) struct ApiRequest {
    pub(crate) method: Method,
    /// Templated route for metrics and logs, e.g. `/repos/{owner}/{repo}/pulls/{pull_number}`.
    pub(crate) route: &'static str,
    /// Path and query relative to the API base, e.g. `/repos/acme/widgets/pulls/7`.
    pub(crate) path: String,
    pub(crate) body: Option<serde_json::Value>,
    pub(crate) idempotency: Idempotency,
    pub(crate) auth: Auth,
    pub(crate) if_none_match: Option<String>,
}

impl ApiRequest {
    /// An idempotent request without body (GET and friends).
    pub(crate) fn new(method: Method, route: &'static str, path: String, auth: Auth) -> Self {
        Self {
            method,
            route,
            path,
            body: None,
            idempotency: Idempotency::Idempotent,
            auth,
            if_none_match: None,
        }
    }

    pub(crate) fn body(mut self, body: serde_json::Value) -> Self {
        self.body = Some(body);
        self
    }

    /// Marks a non-idempotent create: never repeated after a 5xx or a network failure.
    pub(crate) fn create(mut self) -> Self {
        self.idempotency = Idempotency::Create;
        self
    }
}

/// A successful (2xx or 304) answer.
#[derive(Debug)]
pub(crate) struct ApiResponse {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: String,
}

impl ApiResponse {
    /// Decodes the JSON body; a shape we do not understand is an `Other` error naming the route.
    pub(crate) fn json<T: DeserializeOwned>(&self, route: &str) -> Result<T, GithubError> {
        serde_json::from_str(&self.body)
            .map_err(|e| GithubError::Other(format!("unexpected response from {route}: {e}")))
    }

    /// The `rel="next"` URL of the `Link` header, if any.
    pub(crate) fn next_link(&self) -> Option<&str> {
        let link = self.headers.get("link")?.to_str().ok()?;
        link.split(',').find_map(|part| {
            let (url, params) = part.split_once(';')?;
            params
                .split(';')
                .any(|p| p.trim() == r#"rel="next""#)
                .then(|| url.trim().trim_start_matches('<').trim_end_matches('>'))
        })
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    token: String,
    expires_at: DateTime<Utc>,
}

impl GithubApp {
    /// Builds the App client with default options. Must run inside a Tokio runtime.
    ///
    /// Fails with [`GithubError::InvalidPrivateKey`] when the key is not a usable RSA PEM key.
    pub fn new(credentials: AppCredentials) -> Result<Self, GithubError> {
        Self::with_options(credentials, ClientOptions::default())
    }

    /// Builds the App client with explicit options. Must run inside a Tokio runtime.
    pub fn with_options(
        credentials: AppCredentials,
        options: ClientOptions,
    ) -> Result<Self, GithubError> {
        let jwt = AppJwt::new(credentials.app_id, &credentials.private_key)?;
        let base = ApiBase::new(&credentials.api_base)?;
        let http_settings = HttpSettings {
            base_uri: credentials.api_base.to_string(),
            connect_timeout: options.connect_timeout,
            read_timeout: options.read_timeout,
        };
        // The URL is checked now so that a bad `GITHUB_API_URL` stops start-up.
        Octocrab::builder()
            .base_uri(http_settings.base_uri.as_str())
            .map_err(|e| GithubError::Other(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self {
            inner: Arc::new(Inner {
                http: tokio::sync::OnceCell::new(),
                http_settings,
                base,
                jwt,
                tokens: TokenCache::new(options.renew_token_before),
                retry: options.retry,
                files: FileCache::new(options.file_cache_entries),
                lists: ListCache::new(options.list_cache_entries),
                bot: tokio::sync::OnceCell::new(),
            }),
        })
    }

    /// Builds the HTTP client in the background so that the first call does not wait for it.
    /// Must run inside a Tokio runtime.
    pub fn warm_up(&self) {
        let app = self.clone();
        tokio::spawn(async move {
            if let Err(error) = app.http().await {
                tracing::warn!(%error, "cannot build the HTTP client");
            }
        });
    }

    /// The HTTP client, built on first use on a blocking thread (it reads the certificate store).
    async fn http(&self) -> Result<&Octocrab, String> {
        self.inner
            .http
            .get_or_try_init(|| {
                let settings = self.inner.http_settings.clone();
                async move {
                    tokio::task::spawn_blocking(move || settings.build())
                        .await
                        .map_err(|e| format!("cannot build the HTTP client: {e}"))?
                }
            })
            .await
    }

    /// A client acting as `id`. Cheap: no request is made until the first call.
    pub fn installation(&self, id: InstallationId) -> InstallationClient {
        InstallationClient {
            app: self.clone(),
            id,
        }
    }

    /// The App's numeric id (`APP_ID`).
    pub fn app_id(&self) -> u64 {
        self.inner.jwt.app_id()
    }

    pub(crate) fn files(&self) -> &FileCache {
        &self.inner.files
    }

    pub(crate) fn bot_cell(&self) -> &tokio::sync::OnceCell<crate::domain::Login> {
        &self.inner.bot
    }

    /// Sends `request` with authentication, the retry policy, metrics and error mapping.
    pub(crate) async fn send(&self, request: &ApiRequest) -> Result<ApiResponse, GithubError> {
        let url = self.inner.base.url(&request.path);
        let mut attempt: u32 = 0;
        let mut refreshed_token = false;
        loop {
            attempt += 1;
            let authorization = self.authorization(request.auth).await?;
            let started = Instant::now();
            let result = self.send_once(request, &url, &authorization).await;
            let elapsed = started.elapsed();
            let decision = match &result {
                Ok(response) => {
                    telemetry::record(
                        &request.method,
                        request.route,
                        Some(response.status),
                        Some(&response.headers),
                        elapsed,
                    );
                    if response.status == 401
                        && !refreshed_token
                        && let Auth::Installation(id) = request.auth
                    {
                        // A revoked or outdated token: mint a new one once. 401 means nothing was applied.
                        refreshed_token = true;
                        self.inner.tokens.invalidate(id).await;
                        attempt -= 1;
                        continue;
                    }
                    if (200..300).contains(&response.status) || response.status == 304 {
                        None
                    } else {
                        Some(self.inner.retry.decide(
                            request.idempotency,
                            attempt,
                            &Attempt::Status {
                                status: response.status,
                                headers: &response.headers,
                                body: &response.body,
                            },
                            Utc::now(),
                        ))
                    }
                }
                Err(_) => {
                    telemetry::record(&request.method, request.route, None, None, elapsed);
                    Some(self.inner.retry.decide(
                        request.idempotency,
                        attempt,
                        &Attempt::Network,
                        Utc::now(),
                    ))
                }
            };
            match decision {
                None => return result.map_err(GithubError::Transient),
                Some(Decision::RetryAfter(wait)) => {
                    tracing::debug!(
                        route = request.route,
                        attempt,
                        wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                        "retrying github request"
                    );
                    tokio::time::sleep(wait).await;
                }
                Some(Decision::RateLimited(until)) => {
                    return Err(GithubError::RateLimited { until });
                }
                Some(Decision::GiveUp) => {
                    return Err(match result {
                        Ok(response) => GithubError::from_status(response.status, &response.body),
                        Err(message) => GithubError::Transient(message),
                    });
                }
            }
        }
    }

    /// One HTTP exchange. `Err` carries a description of a failure before a full response arrived.
    async fn send_once(
        &self,
        request: &ApiRequest,
        url: &str,
        authorization: &HeaderValue,
    ) -> Result<ApiResponse, String> {
        let mut builder =
            super::plain::request_builder(request.method.clone(), url, super::plain::GITHUB_JSON)
                .header(AUTHORIZATION, authorization.clone());
        if let Some(etag) = &request.if_none_match {
            builder = builder.header(IF_NONE_MATCH, etag.as_str());
        }
        let http = self.http().await?;
        let built = http
            .build_request(builder, request.body.as_ref())
            .map_err(|e| format!("cannot build request: {e}"))?;
        let response = http.execute(built).await.map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = http
            .body_to_string(response)
            .await
            .map_err(|e| format!("cannot read response body: {e}"))?;
        Ok(ApiResponse {
            status,
            headers,
            body,
        })
    }

    async fn authorization(&self, auth: Auth) -> Result<HeaderValue, GithubError> {
        let token = match auth {
            Auth::App => self.inner.jwt.sign(Utc::now())?,
            Auth::Installation(id) => {
                self.inner
                    .tokens
                    .get_or_fetch(id, || self.exchange_token(id))
                    .await?
            }
        };
        let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose_secret()))
            .map_err(|_| GithubError::Other("token is not a valid header value".into()))?;
        value.set_sensitive(true);
        Ok(value)
    }

    /// `POST /app/installations/{id}/access_tokens`. Minting a second token is harmless, so retried.
    async fn exchange_token(&self, id: InstallationId) -> Result<InstallationToken, GithubError> {
        let request = ApiRequest::new(
            Method::POST,
            "/app/installations/{installation_id}/access_tokens",
            format!("/app/installations/{}/access_tokens", id.0),
            Auth::App,
        );
        let response = Box::pin(self.send(&request)).await?;
        let parsed: TokenResponse = response.json(request.route)?;
        Ok(InstallationToken {
            token: SecretString::from(parsed.token),
            expires_at: parsed.expires_at,
        })
    }

    /// GETs every page of a list endpoint (`per_page=100`, following `Link: rel="next"`).
    ///
    /// `extract` turns one page's body into items, for endpoints that wrap the list in an object.
    pub(crate) async fn get_all<T, P>(
        &self,
        auth: Auth,
        route: &'static str,
        path: String,
        extract: impl Fn(P) -> Vec<T>,
    ) -> Result<Vec<T>, GithubError>
    where
        P: DeserializeOwned,
    {
        let separator = if path.contains('?') { '&' } else { '?' };
        let mut next = Some(format!("{path}{separator}per_page=100"));
        let mut items = Vec::new();
        while let Some(path) = next.take() {
            let response = self.get_page(auth, route, &path).await?;
            items.extend(extract(response.json::<P>(route)?));
            if let Some(link) = response.next_link() {
                let relative = self.inner.base.relative(link).ok_or_else(|| {
                    GithubError::Other(format!("pagination link outside the API base: {link}"))
                })?;
                next = Some(relative.to_string());
            }
        }
        Ok(items)
    }
}

impl GithubApp {
    /// GETs one page of a list, conditionally when it was read before: an unchanged page is a
    /// `304` (free against the rate limit, counted in `github_not_modified_total`) answered
    /// from memory.
    async fn get_page(
        &self,
        auth: Auth,
        route: &'static str,
        path: &str,
    ) -> Result<ApiResponse, GithubError> {
        let cached = self.inner.lists.get(auth, path);
        let mut request = ApiRequest::new(Method::GET, route, path.to_string(), auth);
        request.if_none_match = cached.as_ref().map(|(etag, _)| etag.clone());
        let mut response = self.send(&request).await?;
        if response.status == 304 {
            if let Some((_, body)) = cached {
                response.body = body;
                response.status = 200;
                return Ok(response);
            }
            return Err(GithubError::Other(format!(
                "{route} answered 304 to a request that was not conditional"
            )));
        }
        match response.headers.get("etag").and_then(|v| v.to_str().ok()) {
            Some(etag) => self
                .inner
                .lists
                .put(auth, path, etag.to_string(), response.body.clone()),
            None => self.inner.lists.remove(auth, path),
        }
        Ok(response)
    }
}

impl InstallationClient {
    /// The installation this client acts as.
    pub fn installation_id(&self) -> InstallationId {
        self.id
    }

    pub(crate) fn app(&self) -> &GithubApp {
        &self.app
    }

    pub(crate) fn auth(&self) -> Auth {
        Auth::Installation(self.id)
    }

    /// A request made as this installation.
    pub(crate) fn request(&self, method: Method, route: &'static str, path: String) -> ApiRequest {
        ApiRequest::new(method, route, path, self.auth())
    }

    pub(crate) async fn send(&self, request: &ApiRequest) -> Result<ApiResponse, GithubError> {
        self.app.send(request).await
    }

    /// GET and decode one JSON document.
    pub(crate) async fn get_json<T: DeserializeOwned>(
        &self,
        route: &'static str,
        path: String,
    ) -> Result<T, GithubError> {
        self.send(&self.request(Method::GET, route, path))
            .await?
            .json(route)
    }

    /// GET every page of a plain JSON array.
    pub(crate) async fn get_list<T: DeserializeOwned>(
        &self,
        route: &'static str,
        path: String,
    ) -> Result<Vec<T>, GithubError> {
        self.app
            .get_all(self.auth(), route, path, |page: Vec<T>| page)
            .await
    }
}
