//! Server settings: read once at start from flags, the environment and an optional `.env` file.
//!
//! Everything the server needs is validated here, so a bad value stops start-up with one line
//! naming the variable instead of failing later in a worker. Secrets are wrapped in
//! [`SecretString`] and never appear in `Debug` output or logs.

use std::{fmt, net::SocketAddr, path::PathBuf, time::Duration};

use secrecy::{ExposeSecret, SecretString};
use url::Url;

/// Flags (and their environment variables) of `design-review serve`.
///
/// `Debug` redacts PRIVATE_KEY, WEBHOOK_SECRET and the DATABASE_URL password.
#[derive(Clone, clap::Args)]
pub struct ServeArgs {
    /// GitHub App id.
    #[arg(long, env = "APP_ID")]
    pub app_id: Option<String>,
    /// The App's private key (PEM text; a `\n`-escaped single line is accepted).
    #[arg(long, env = "PRIVATE_KEY", hide_env_values = true)]
    pub private_key: Option<String>,
    /// Path to the App's private key PEM file (instead of PRIVATE_KEY).
    #[arg(long, env = "PRIVATE_KEY_PATH")]
    pub private_key_path: Option<PathBuf>,
    /// Webhook secret(s); several comma-separated secrets allow rotation without downtime.
    #[arg(long, env = "WEBHOOK_SECRET", hide_env_values = true)]
    pub webhook_secret: Option<String>,
    /// GitHub REST API base URL (GitHub Enterprise Server: https://HOST/api/v3).
    #[arg(long, env = "GITHUB_API_URL", default_value = "https://api.github.com")]
    pub github_api_url: String,
    /// sqlite://FILE (default, created if absent) or postgres://... (several replicas).
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://design-review.db",
        hide_env_values = true
    )]
    pub database_url: String,
    /// Address to listen on; default 0.0.0.0:3000, but 127.0.0.1:3000 in setup mode (no App
    /// credentials), so an unregistered server is not reachable from other machines.
    #[arg(long, env = "LISTEN_ADDR")]
    pub listen_addr: Option<String>,
    /// Serve /metrics on this address only (instead of on LISTEN_ADDR).
    #[arg(long, env = "METRICS_ADDR")]
    pub metrics_addr: Option<String>,
    /// Path GitHub posts webhooks to.
    #[arg(long, env = "WEBHOOK_PATH", default_value = "/api/github/webhooks")]
    pub webhook_path: String,
    /// Log format: text or json.
    #[arg(long, env = "LOG_FORMAT", default_value = "text")]
    pub log_format: String,
    /// Number of queue workers in this process; 0 runs intake only (deliveries are stored for
    /// workers in other replicas sharing the database).
    #[arg(long, env = "WORKERS", default_value_t = 4)]
    pub workers: usize,
    /// Attempts before a delivery is marked failed.
    #[arg(long, env = "MAX_ATTEMPTS", default_value_t = 8)]
    pub max_attempts: u32,
    /// Seconds a worker holds a claimed delivery before another may take it over (renewed while
    /// the worker is alive, so this only bounds recovery after a crash).
    #[arg(long, env = "QUEUE_LEASE_SECS", default_value_t = 30)]
    pub lease_secs: u64,
    /// Base delay in milliseconds of the retry backoff (doubled per attempt, with jitter).
    #[arg(long, env = "RETRY_BASE_MS", default_value_t = 2000)]
    pub retry_base_ms: u64,
    /// Days finished deliveries (and their payloads) are kept before they are deleted; 0 keeps
    /// them forever.
    #[arg(long, env = "DELIVERY_RETENTION_DAYS", default_value_t = 30)]
    pub delivery_retention_days: u32,
    /// Days audit-log entries (commands run, refused or invalid) are kept before they are
    /// deleted; 0 keeps them forever.
    #[arg(long, env = "AUDIT_RETENTION_DAYS", default_value_t = 365)]
    pub audit_retention_days: u32,
    /// The URL GitHub and browsers reach this server at (setup page, webhook URL of a new App);
    /// default: the address the browser used.
    #[arg(long, env = "PUBLIC_URL")]
    pub public_url: Option<String>,
    /// A webhook forwarding channel (smee-style) to register as the new App's webhook URL instead
    /// of PUBLIC_URL, for a server GitHub cannot reach (a laptop).
    #[arg(long, env = "WEBHOOK_PROXY_URL")]
    pub webhook_proxy_url: Option<String>,
    /// The smee-style service the setup page asks for a new forwarding channel when the server
    /// runs on a laptop (loopback address, no PUBLIC_URL or WEBHOOK_PROXY_URL).
    #[arg(long, env = "CHANNEL_SERVICE_URL", default_value = "https://smee.io")]
    pub channel_service_url: String,
    /// The directory of the `.env` file read at start, if any: a relative PRIVATE_KEY_PATH is
    /// resolved against it, so `.env` and the key file can move together.
    #[arg(skip)]
    pub env_dir: Option<PathBuf>,
    /// GitHub's web URL, where Apps are registered (GitHub Enterprise Server: https://HOST).
    #[arg(long, env = "GITHUB_URL", default_value = "https://github.com")]
    pub github_url: String,
    /// Register the App on this organization instead of the signed-in user's account.
    #[arg(long, env = "GITHUB_ORG")]
    pub github_org: Option<String>,
    /// At start, evaluate open pull requests whose head has no check run of ours (missed
    /// webhooks during downtime).
    #[arg(
        long,
        env = "RESYNC_ON_START",
        default_value_t = false,
        action = clap::ArgAction::Set,
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub resync_on_start: bool,
    /// Seconds after SIGTERM during which webhooks are still accepted while `/readyz` already
    /// answers 503, so a load balancer stops routing here before the listener closes; 0 stops
    /// at once (a single local server). At most 600.
    #[arg(long, env = "SHUTDOWN_DELAY_SECS", default_value = "0")]
    pub shutdown_delay_secs: String,
    #[command(flatten)]
    pub http: HttpArgs,
    #[command(flatten)]
    pub dashboard: DashboardArgs,
}

/// Limits of the HTTP server against clients that connect but never authenticate.
#[derive(Debug, Clone, clap::Args)]
pub struct HttpArgs {
    /// Seconds a client has, from a request's first byte, to send all of its headers.
    #[arg(long, env = "HTTP_HEADER_TIMEOUT_SECS", default_value_t = 10)]
    pub header_timeout_secs: u64,
    /// Seconds a webhook body may take to arrive once its headers are in (then 408).
    #[arg(long, env = "HTTP_BODY_TIMEOUT_SECS", default_value_t = 10)]
    pub body_timeout_secs: u64,
    /// Seconds a connection may stay open with no request in progress (keep above the idle
    /// timeout of a load balancer in front).
    #[arg(long, env = "HTTP_IDLE_TIMEOUT_SECS", default_value_t = 75)]
    pub idle_timeout_secs: u64,
    /// Open connections at most; past it the longest-idle connection is closed for a new one.
    #[arg(long, env = "HTTP_MAX_CONNECTIONS", default_value_t = 512)]
    pub max_connections: usize,
    /// Largest webhook body accepted, in bytes (larger: 413).
    #[arg(long, env = "WEBHOOK_MAX_BODY_BYTES", default_value_t = 4 * 1024 * 1024)]
    pub max_body_bytes: usize,
    /// Bytes of webhook bodies held at once across all requests (more: 503 with Retry-After).
    #[arg(long, env = "WEBHOOK_BODY_BUDGET_BYTES", default_value_t = 32 * 1024 * 1024)]
    pub body_budget_bytes: usize,
}

impl fmt::Debug for ServeArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = |secret: &Option<String>| secret.as_ref().map(|_| "[redacted]");
        f.debug_struct("ServeArgs")
            .field("app_id", &self.app_id)
            .field("private_key", &redacted(&self.private_key))
            .field("private_key_path", &self.private_key_path)
            .field("webhook_secret", &redacted(&self.webhook_secret))
            .field("github_api_url", &self.github_api_url)
            .field(
                "database_url",
                &crate::store::redact_url(&self.database_url),
            )
            .field("listen_addr", &self.listen_addr)
            .field("webhook_path", &self.webhook_path)
            .field("log_format", &self.log_format)
            .field("workers", &self.workers)
            .field("max_attempts", &self.max_attempts)
            .field("lease_secs", &self.lease_secs)
            .field("retry_base_ms", &self.retry_base_ms)
            .field("delivery_retention_days", &self.delivery_retention_days)
            .field("audit_retention_days", &self.audit_retention_days)
            .field("public_url", &self.public_url)
            .field("webhook_proxy_url", &self.webhook_proxy_url)
            .field("channel_service_url", &self.channel_service_url)
            .field("github_url", &self.github_url)
            .field("github_org", &self.github_org)
            .field("resync_on_start", &self.resync_on_start)
            .field("shutdown_delay_secs", &self.shutdown_delay_secs)
            .field("metrics_addr", &self.metrics_addr)
            .field("http", &self.http)
            .field("dashboard", &self.dashboard)
            .finish_non_exhaustive()
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// The GitHub App's credentials.
#[derive(Clone)]
pub struct AppCredentialsSetting {
    pub app_id: u64,
    pub private_key: SecretString,
}

impl fmt::Debug for AppCredentialsSetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppCredentials")
            .field("app_id", &self.app_id)
            .field("private_key", &"[redacted]")
            .finish()
    }
}

/// Validated server settings.
#[derive(Clone)]
pub struct Settings {
    /// `None` when no App credentials are configured at all (setup mode).
    pub app: Option<AppCredentialsSetting>,
    pub webhook_secrets: Vec<SecretString>,
    pub github_api_url: Url,
    pub database_url: SecretString,
    pub listen_addr: SocketAddr,
    pub webhook_path: String,
    pub log_format: LogFormat,
    pub workers: usize,
    pub max_attempts: u32,
    pub lease: Duration,
    pub retry_base: Duration,
    /// How long finished deliveries are kept; `None` keeps them forever.
    pub delivery_retention: Option<Duration>,
    /// How long audit-log entries are kept; `None` keeps them forever.
    pub audit_retention: Option<Duration>,
    /// Where this server is reached from outside, when configured.
    pub public_url: Option<Url>,
    /// The webhook forwarding channel: registered as a new App's webhook URL, and read by
    /// `serve` (see [`crate::forward`]), when configured.
    pub webhook_proxy_url: Option<Url>,
    /// Where the setup page creates a forwarding channel.
    pub channel_service_url: Url,
    /// GitHub's web URL (App registration pages).
    pub github_url: Url,
    /// Organization to register the App on (else the signed-in user's account).
    pub github_org: Option<String>,
    pub resync_on_start: bool,
    /// How long the server keeps accepting webhooks after SIGTERM with `/readyz` at 503.
    pub shutdown_delay: Duration,
    /// Where `/metrics` is served instead of `listen_addr`, when set.
    pub metrics_addr: Option<SocketAddr>,
    pub http: HttpSettings,
    /// The web pages' sign-in and API token.
    pub dashboard: DashboardSettings,
}

/// Validated [`HttpArgs`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpSettings {
    pub header_read_timeout: Duration,
    pub body_read_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_connections: usize,
    pub max_body_bytes: usize,
    pub body_budget_bytes: usize,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("app", &self.app)
            .field(
                "webhook_secrets",
                &format!("[{} redacted]", self.webhook_secrets.len()),
            )
            .field("github_api_url", &self.github_api_url.as_str())
            .field("database_url", &self.database_url_redacted())
            .field("listen_addr", &self.listen_addr)
            .field("webhook_path", &self.webhook_path)
            .field("log_format", &self.log_format)
            .field("workers", &self.workers)
            .field("max_attempts", &self.max_attempts)
            .field("lease", &self.lease)
            .field("retry_base", &self.retry_base)
            .field("delivery_retention", &self.delivery_retention)
            .field("audit_retention", &self.audit_retention)
            .field("public_url", &self.public_url.as_ref().map(Url::as_str))
            .field(
                "webhook_proxy_url",
                &self.webhook_proxy_url.as_ref().map(Url::as_str),
            )
            .field("channel_service_url", &self.channel_service_url.as_str())
            .field("github_url", &self.github_url.as_str())
            .field("github_org", &self.github_org)
            .field("resync_on_start", &self.resync_on_start)
            .field("shutdown_delay", &self.shutdown_delay)
            .field("metrics_addr", &self.metrics_addr)
            .field("http", &self.http)
            .field("dashboard", &self.dashboard)
            .finish()
    }
}

/// A setting that is missing or invalid; the message names the variable.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {message}")]
pub struct SettingsError {
    pub variable: &'static str,
    pub message: String,
}

fn invalid(variable: &'static str, message: impl Into<String>) -> SettingsError {
    SettingsError {
        variable,
        message: message.into(),
    }
}

impl Settings {
    /// Validates the raw flags/environment into settings.
    pub fn from_args(args: &ServeArgs) -> Result<Self, SettingsError> {
        let app = app_credentials(args)?;
        let webhook_secrets: Vec<SecretString> = args
            .webhook_secret
            .as_deref()
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| SecretString::from(s.to_string()))
            .collect();
        if app.is_some() && webhook_secrets.is_empty() {
            return Err(invalid(
                "WEBHOOK_SECRET",
                "required with App credentials (the secret set on the GitHub App's webhook)",
            ));
        }
        let github_api_url = parse_api_url(&args.github_api_url)?;
        let database_url = args.database_url.trim().to_string();
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres:")
            || database_url.starts_with("postgresql:"))
        {
            return Err(invalid(
                "DATABASE_URL",
                "must start with sqlite:// or postgres://",
            ));
        }
        let default_listen_addr = if app.is_some() {
            "0.0.0.0:3000"
        } else {
            "127.0.0.1:3000"
        };
        let listen_addr = socket_addr(
            "LISTEN_ADDR",
            args.listen_addr.as_deref().unwrap_or(default_listen_addr),
        )?;
        let metrics_addr = args
            .metrics_addr
            .as_deref()
            .filter(|text| !text.trim().is_empty())
            .map(|text| socket_addr("METRICS_ADDR", text))
            .transpose()?;
        let http = http_settings(&args.http)?;
        if !args.webhook_path.starts_with('/') {
            return Err(invalid("WEBHOOK_PATH", "must start with /"));
        }
        let log_format = match args.log_format.to_ascii_lowercase().as_str() {
            "text" => LogFormat::Text,
            "json" => LogFormat::Json,
            other => {
                return Err(invalid(
                    "LOG_FORMAT",
                    format!("expected text or json, got {other:?}"),
                ));
            }
        };
        if args.max_attempts == 0 {
            return Err(invalid("MAX_ATTEMPTS", "must be at least 1"));
        }
        if args.lease_secs == 0 {
            return Err(invalid("QUEUE_LEASE_SECS", "must be at least 1"));
        }
        let public_url = optional_web_url("PUBLIC_URL", args.public_url.as_deref())?;
        let webhook_proxy_url =
            optional_web_url("WEBHOOK_PROXY_URL", args.webhook_proxy_url.as_deref())?;
        let channel_service_url =
            optional_web_url("CHANNEL_SERVICE_URL", Some(&args.channel_service_url))?
                .ok_or_else(|| invalid("CHANNEL_SERVICE_URL", "must not be empty"))?;
        let github_url = optional_web_url("GITHUB_URL", Some(&args.github_url))?
            .ok_or_else(|| invalid("GITHUB_URL", "must not be empty"))?;
        let github_org = args
            .github_org
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        if let Some(org) = &github_org
            && !org.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(invalid("GITHUB_ORG", "not an organization login"));
        }
        let shutdown_delay = parse_shutdown_delay(&args.shutdown_delay_secs)?;
        Ok(Self {
            app,
            webhook_secrets,
            github_api_url,
            database_url: SecretString::from(database_url),
            listen_addr,
            webhook_path: normalize_path(&args.webhook_path),
            log_format,
            workers: args.workers,
            max_attempts: args.max_attempts,
            lease: Duration::from_secs(args.lease_secs),
            retry_base: Duration::from_millis(args.retry_base_ms),
            delivery_retention: days(args.delivery_retention_days),
            audit_retention: days(args.audit_retention_days),
            public_url,
            webhook_proxy_url,
            channel_service_url,
            github_url,
            github_org,
            resync_on_start: args.resync_on_start,
            shutdown_delay,
            metrics_addr,
            http,
            dashboard: DashboardSettings::from_args(&args.dashboard)?,
        })
    }

    /// The database URL with its password replaced, for logs.
    pub fn database_url_redacted(&self) -> String {
        crate::store::redact_url(self.database_url.expose_secret())
    }
}

fn app_credentials(args: &ServeArgs) -> Result<Option<AppCredentialsSetting>, SettingsError> {
    let app_id = args
        .app_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let key_text = args.private_key.as_deref().filter(|s| !s.trim().is_empty());
    let key_path = args.private_key_path.as_ref();
    if app_id.is_none() && key_text.is_none() && key_path.is_none() {
        return Ok(None);
    }
    let app_id = app_id
        .ok_or_else(|| invalid("APP_ID", "missing (PRIVATE_KEY or PRIVATE_KEY_PATH is set)"))?
        .parse::<u64>()
        .map_err(|_| invalid("APP_ID", "must be a number"))?;
    let key_path = key_path.map(|path| match &args.env_dir {
        Some(dir) if path.is_relative() => dir.join(path),
        _ => path.clone(),
    });
    let pem = match (key_text, &key_path) {
        (Some(text), _) => text.replace("\\n", "\n"),
        (None, Some(path)) => std::fs::read_to_string(path).map_err(|e| {
            invalid(
                "PRIVATE_KEY_PATH",
                format!("cannot read {}: {e}", path.display()),
            )
        })?,
        (None, None) => {
            return Err(invalid(
                "PRIVATE_KEY",
                "missing (APP_ID is set): set PRIVATE_KEY or PRIVATE_KEY_PATH",
            ));
        }
    };
    let variable = if key_text.is_some() {
        "PRIVATE_KEY"
    } else {
        "PRIVATE_KEY_PATH"
    };
    if jsonwebtoken::EncodingKey::from_rsa_pem(pem.as_bytes()).is_err() {
        return Err(invalid(variable, "not an RSA private key in PEM format"));
    }
    Ok(Some(AppCredentialsSetting {
        app_id,
        private_key: SecretString::from(pem),
    }))
}

fn socket_addr(variable: &'static str, text: &str) -> Result<SocketAddr, SettingsError> {
    text.trim()
        .parse()
        .map_err(|_| invalid(variable, format!("not a socket address: {text:?}")))
}

fn http_settings(args: &HttpArgs) -> Result<HttpSettings, SettingsError> {
    let at_least_one = |variable: &'static str, value: u64| {
        if value == 0 {
            Err(invalid(variable, "must be at least 1"))
        } else {
            Ok(value)
        }
    };
    let seconds = |variable, value| at_least_one(variable, value).map(Duration::from_secs);
    let settings = HttpSettings {
        header_read_timeout: seconds("HTTP_HEADER_TIMEOUT_SECS", args.header_timeout_secs)?,
        body_read_timeout: seconds("HTTP_BODY_TIMEOUT_SECS", args.body_timeout_secs)?,
        idle_timeout: seconds("HTTP_IDLE_TIMEOUT_SECS", args.idle_timeout_secs)?,
        max_connections: at_least_one("HTTP_MAX_CONNECTIONS", args.max_connections as u64)?
            as usize,
        max_body_bytes: at_least_one("WEBHOOK_MAX_BODY_BYTES", args.max_body_bytes as u64)?
            as usize,
        body_budget_bytes: args.body_budget_bytes,
    };
    if settings.body_budget_bytes < settings.max_body_bytes {
        return Err(invalid(
            "WEBHOOK_BODY_BUDGET_BYTES",
            format!(
                "must be at least WEBHOOK_MAX_BODY_BYTES ({})",
                settings.max_body_bytes
            ),
        ));
    }
    Ok(settings)
}

/// Longest drain delay accepted from `SHUTDOWN_DELAY_SECS`.
pub const MAX_SHUTDOWN_DELAY: Duration = Duration::from_secs(10 * 60);

/// `SHUTDOWN_DELAY_SECS`: whole seconds, empty meaning 0, at most [`MAX_SHUTDOWN_DELAY`].
fn parse_shutdown_delay(text: &str) -> Result<Duration, SettingsError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Ok(Duration::ZERO);
    }
    let delay = trimmed
        .parse::<u64>()
        .map(Duration::from_secs)
        .map_err(|_| {
            invalid(
                "SHUTDOWN_DELAY_SECS",
                format!("must be a number of seconds, got {text:?}"),
            )
        })?;
    if delay > MAX_SHUTDOWN_DELAY {
        return Err(invalid(
            "SHUTDOWN_DELAY_SECS",
            format!("at most {} seconds", MAX_SHUTDOWN_DELAY.as_secs()),
        ));
    }
    Ok(delay)
}

fn normalize_path(path: &str) -> String {
    match path.trim_end_matches('/') {
        "" => "/".to_string(),
        trimmed => trimmed.to_string(),
    }
}

/// An optional http(s) URL without a trailing slash (paths are appended to it).
fn optional_web_url(
    variable: &'static str,
    text: Option<&str>,
) -> Result<Option<Url>, SettingsError> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let url = Url::parse(text.trim_end_matches('/'))
        .map_err(|e| invalid(variable, format!("not a URL ({e}): {text:?}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(variable, "must be an http(s) URL"));
    }
    Ok(Some(url))
}

fn parse_api_url(text: &str) -> Result<Url, SettingsError> {
    let mut url = Url::parse(text.trim())
        .map_err(|e| invalid("GITHUB_API_URL", format!("not a URL ({e}): {text:?}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("GITHUB_API_URL", "must be an http(s) URL"));
    }
    // Keep a path prefix such as `/api/v3` by making it a directory: joining relative routes
    // onto it then keeps the prefix.
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// `days` as a retention; 0 keeps forever (`None`).
fn days(days: u32) -> Option<Duration> {
    (days > 0).then(|| Duration::from_secs(u64::from(days) * 24 * 60 * 60))
}

/// Flags of the web pages (`/reviews`, `/audit`, `/api/v1`).
#[derive(Clone, Default, clap::Args)]
pub struct DashboardArgs {
    /// The GitHub App's OAuth client id (written by the setup flow): "Sign in with GitHub".
    #[arg(long, env = "GITHUB_CLIENT_ID")]
    pub github_client_id: Option<String>,
    /// The GitHub App's OAuth client secret (written by the setup flow).
    #[arg(long, env = "GITHUB_CLIENT_SECRET", hide_env_values = true)]
    pub github_client_secret: Option<String>,
    /// Key signing the session cookies: at least 32 characters. Changing it signs everyone out.
    #[arg(long, env = "SESSION_KEY", hide_env_values = true)]
    pub session_key: Option<String>,
    /// Hours a sign-in lasts.
    #[arg(long, env = "SESSION_HOURS", default_value_t = 8)]
    pub session_hours: u32,
    /// Read-only bearer token of the JSON API (`/api/v1/...`) for back-office tools; sees
    /// every repository.
    #[arg(long, env = "DASHBOARD_API_TOKEN", hide_env_values = true)]
    pub api_token: Option<String>,
}

impl fmt::Debug for DashboardArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = |secret: &Option<String>| secret.as_ref().map(|_| "[redacted]");
        f.debug_struct("DashboardArgs")
            .field("github_client_id", &self.github_client_id)
            .field(
                "github_client_secret",
                &redacted(&self.github_client_secret),
            )
            .field("session_key", &redacted(&self.session_key))
            .field("session_hours", &self.session_hours)
            .field("api_token", &redacted(&self.api_token))
            .finish()
    }
}

/// The App's OAuth credentials, for signing users in.
#[derive(Clone)]
pub struct OAuthClient {
    pub client_id: String,
    pub client_secret: SecretString,
}

/// Validated settings of the web pages.
#[derive(Clone, Default)]
pub struct DashboardSettings {
    /// `None` without GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET: the pages say what to set.
    pub oauth: Option<OAuthClient>,
    /// `None`: a key is generated at start (sign-ins then end with the process).
    pub session_key: Option<SecretString>,
    pub session_lifetime: Duration,
    pub api_token: Option<SecretString>,
}

impl fmt::Debug for DashboardSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DashboardSettings")
            .field(
                "oauth_client_id",
                &self.oauth.as_ref().map(|o| &o.client_id),
            )
            .field(
                "session_key",
                &self.session_key.as_ref().map(|_| "[redacted]"),
            )
            .field("session_lifetime", &self.session_lifetime)
            .field("api_token", &self.api_token.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

impl DashboardSettings {
    fn from_args(args: &DashboardArgs) -> Result<Self, SettingsError> {
        let text = |value: &Option<String>| {
            value
                .as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let oauth = match (
            text(&args.github_client_id),
            text(&args.github_client_secret),
        ) {
            (Some(client_id), Some(secret)) => Some(OAuthClient {
                client_id,
                client_secret: SecretString::from(secret),
            }),
            (None, None) => None,
            (Some(_), None) => {
                return Err(invalid(
                    "GITHUB_CLIENT_SECRET",
                    "required with GITHUB_CLIENT_ID",
                ));
            }
            (None, Some(_)) => {
                return Err(invalid(
                    "GITHUB_CLIENT_ID",
                    "required with GITHUB_CLIENT_SECRET",
                ));
            }
        };
        let session_key = text(&args.session_key);
        if session_key.as_ref().is_some_and(|k| k.len() < 32) {
            return Err(invalid("SESSION_KEY", "must be at least 32 characters"));
        }
        if args.session_hours == 0 {
            return Err(invalid("SESSION_HOURS", "must be at least 1"));
        }
        let api_token = text(&args.api_token);
        if api_token.as_ref().is_some_and(|t| t.len() < 20) {
            return Err(invalid(
                "DASHBOARD_API_TOKEN",
                "must be at least 20 characters",
            ));
        }
        Ok(Self {
            oauth,
            session_key: session_key.map(SecretString::from),
            session_lifetime: Duration::from_secs(u64::from(args.session_hours) * 3600),
            api_token: api_token.map(SecretString::from),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Wrapper {
        #[command(flatten)]
        args: ServeArgs,
    }

    fn args(extra: &[&str]) -> ServeArgs {
        let mut argv = vec!["serve"];
        argv.extend_from_slice(extra);
        Wrapper::try_parse_from(argv).expect("flags parse").args
    }

    #[test]
    fn no_credentials_is_setup_mode() {
        let settings = Settings::from_args(&args(&[])).unwrap();
        assert!(settings.app.is_none());
        assert_eq!(settings.webhook_path, "/api/github/webhooks");
    }

    #[test]
    fn incomplete_credentials_name_the_variable() {
        let err = Settings::from_args(&args(&["--app-id", "12"])).unwrap_err();
        assert_eq!(err.variable, "PRIVATE_KEY");
        let err = Settings::from_args(&args(&["--private-key", "x"])).unwrap_err();
        assert_eq!(err.variable, "APP_ID");
        let err = Settings::from_args(&args(&["--app-id", "12", "--private-key", "not a key"]))
            .unwrap_err();
        assert_eq!(err.variable, "PRIVATE_KEY");
    }

    #[test]
    fn invalid_values_name_the_variable() {
        for (flags, variable) in [
            (&["--listen-addr", "nowhere"][..], "LISTEN_ADDR"),
            (&["--log-format", "xml"][..], "LOG_FORMAT"),
            (&["--database-url", "mysql://x"][..], "DATABASE_URL"),
            (&["--github-api-url", "ftp://x"][..], "GITHUB_API_URL"),
            (&["--public-url", "localhost:3000"][..], "PUBLIC_URL"),
            (&["--github-url", "ftp://ghe"][..], "GITHUB_URL"),
            (&["--github-org", "acme/widgets"][..], "GITHUB_ORG"),
        ] {
            assert_eq!(
                Settings::from_args(&args(flags)).unwrap_err().variable,
                variable
            );
        }
    }

    #[test]
    fn first_run_settings() {
        let s = Settings::from_args(&args(&[])).unwrap();
        assert_eq!(s.github_url.as_str(), "https://github.com/");
        assert!(!s.resync_on_start);
        let s = Settings::from_args(&args(&[
            "--public-url",
            "https://dr.example.com/",
            "--github-url",
            "https://ghe.example.com",
            "--github-org",
            "acme",
            "--resync-on-start",
            "yes",
        ]))
        .unwrap();
        assert_eq!(
            s.public_url.map(|u| u.to_string()).as_deref(),
            Some("https://dr.example.com/")
        );
        assert_eq!(s.github_org.as_deref(), Some("acme"));
        assert!(s.resync_on_start);
    }

    #[test]
    fn audit_retention_defaults_to_365_days_and_0_keeps_forever() {
        let s = Settings::from_args(&args(&[])).unwrap();
        assert_eq!(s.audit_retention, Some(Duration::from_secs(365 * 86_400)));
        let s = Settings::from_args(&args(&["--audit-retention-days", "0"])).unwrap();
        assert_eq!(s.audit_retention, None);
        let s = Settings::from_args(&args(&["--audit-retention-days", "90"])).unwrap();
        assert_eq!(s.audit_retention, Some(Duration::from_secs(90 * 86_400)));
    }

    #[test]
    fn delivery_retention_defaults_to_30_days_and_0_keeps_forever() {
        let s = Settings::from_args(&args(&[])).unwrap();
        assert_eq!(s.delivery_retention, Some(Duration::from_secs(30 * 86_400)));
        let s = Settings::from_args(&args(&["--delivery-retention-days", "0"])).unwrap();
        assert_eq!(s.delivery_retention, None);
        let s = Settings::from_args(&args(&["--delivery-retention-days", "7"])).unwrap();
        assert_eq!(s.delivery_retention, Some(Duration::from_secs(7 * 86_400)));
    }

    #[test]
    fn shutdown_delay_defaults_to_0_and_is_bounded() {
        let s = Settings::from_args(&args(&[])).unwrap();
        assert_eq!(s.shutdown_delay, Duration::ZERO);
        let s = Settings::from_args(&args(&["--shutdown-delay-secs", "15"])).unwrap();
        assert_eq!(s.shutdown_delay, Duration::from_secs(15));
        let s = Settings::from_args(&args(&["--shutdown-delay-secs", "600"])).unwrap();
        assert_eq!(s.shutdown_delay, MAX_SHUTDOWN_DELAY);
        for value in ["soon", "-1", "601", "1.5"] {
            let flag = format!("--shutdown-delay-secs={value}");
            let err = Settings::from_args(&args(&[&flag])).unwrap_err();
            assert_eq!(err.variable, "SHUTDOWN_DELAY_SECS", "{value}");
        }
    }

    #[test]
    fn setup_mode_listens_on_loopback_unless_told_otherwise() {
        let setup = Settings::from_args(&args(&[])).unwrap();
        assert_eq!(setup.listen_addr, "127.0.0.1:3000".parse().unwrap());
        let key = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/keys/app.pem");
        let app = [
            "--app-id",
            "1",
            "--private-key-path",
            key,
            "--webhook-secret",
            "s",
        ];
        let normal = Settings::from_args(&args(&app)).unwrap();
        assert_eq!(normal.listen_addr, "0.0.0.0:3000".parse().unwrap());
        let told = Settings::from_args(&args(&["--listen-addr", "0.0.0.0:8080"])).unwrap();
        assert_eq!(told.listen_addr, "0.0.0.0:8080".parse().unwrap());
    }

    #[test]
    fn http_limits_default_and_are_validated() {
        let s = Settings::from_args(&args(&[])).unwrap();
        assert_eq!(
            s.http,
            HttpSettings {
                header_read_timeout: Duration::from_secs(10),
                body_read_timeout: Duration::from_secs(10),
                idle_timeout: Duration::from_secs(75),
                max_connections: 512,
                max_body_bytes: 4 * 1024 * 1024,
                body_budget_bytes: 32 * 1024 * 1024,
            }
        );
        assert_eq!(s.metrics_addr, None);
        let s = Settings::from_args(&args(&["--metrics-addr", "127.0.0.1:9090"])).unwrap();
        assert_eq!(s.metrics_addr, Some("127.0.0.1:9090".parse().unwrap()));
        for (flags, variable) in [
            (&["--metrics-addr", "9090"][..], "METRICS_ADDR"),
            (
                &["--header-timeout-secs", "0"][..],
                "HTTP_HEADER_TIMEOUT_SECS",
            ),
            (&["--body-timeout-secs", "0"][..], "HTTP_BODY_TIMEOUT_SECS"),
            (&["--idle-timeout-secs", "0"][..], "HTTP_IDLE_TIMEOUT_SECS"),
            (&["--max-connections", "0"][..], "HTTP_MAX_CONNECTIONS"),
            (&["--max-body-bytes", "0"][..], "WEBHOOK_MAX_BODY_BYTES"),
            (
                &["--max-body-bytes", "2048", "--body-budget-bytes", "1024"][..],
                "WEBHOOK_BODY_BUDGET_BYTES",
            ),
        ] {
            assert_eq!(
                Settings::from_args(&args(flags)).unwrap_err().variable,
                variable,
                "{flags:?}"
            );
        }
    }

    #[test]
    fn ghes_url_keeps_its_path() {
        let s = Settings::from_args(&args(&[
            "--github-api-url",
            "https://ghe.example.com/api/v3",
        ]))
        .unwrap();
        assert_eq!(
            s.github_api_url.join("app").unwrap().as_str(),
            "https://ghe.example.com/api/v3/app"
        );
    }

    #[test]
    fn secrets_never_in_debug_output() {
        let s = Settings::from_args(&args(&[
            "--webhook-secret",
            "s3cret-one,s3cret-two",
            "--database-url",
            "postgres://dr:hunter2@db/dr",
        ]))
        .unwrap();
        assert_eq!(s.webhook_secrets.len(), 2);
        let debug = format!("{s:?}");
        assert!(!debug.contains("s3cret"), "{debug}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(debug.contains("db/dr"));
    }

    #[test]
    fn secrets_never_in_serve_args_debug_output() {
        let a = args(&[
            "--private-key=-----BEGIN RSA PRIVATE KEY-----\\nMIIEsecretkeybody\\n",
            "--webhook-secret",
            "s3cret-one,s3cret-two",
            "--database-url",
            "postgres://dr:hunter2@db/dr",
        ]);
        let debug = format!("{a:?}");
        assert!(!debug.contains("MIIEsecretkeybody"), "{debug}");
        assert!(!debug.contains("BEGIN"), "{debug}");
        assert!(!debug.contains("s3cret"), "{debug}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(debug.contains("db/dr"), "{debug}");
        assert!(debug.contains("[redacted]"), "{debug}");
        let pretty = format!("{a:#?}");
        assert!(!pretty.contains("s3cret") && !pretty.contains("hunter2"));
    }
}
