//! Server settings: read once at start from flags, the environment and an optional `.env` file.
//!
//! clap parses every value straight into its type (numbers, durations, addresses, URLs, enums,
//! secrets), so a bad value stops start-up naming its flag and variable instead of failing later
//! in a worker; [`Settings::from_args`] then checks what spans several values (the App
//! credentials, the OAuth pair, the body budget). Secrets are [`SecretString`]s, whose `Debug`
//! prints `[REDACTED]`, so neither these structs nor logs of them ever show one.

use std::{net::SocketAddr, num::ParseIntError, path::PathBuf, str::FromStr, time::Duration};

use secrecy::{ExposeSecret, SecretString};
use url::Url;

/// Flags (and their environment variables) of `design-review serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// GitHub App id.
    #[arg(long, env = "APP_ID", value_parser = whole::<u64>)]
    pub app_id: Option<u64>,
    /// The App's private key (PEM text; a `\n`-escaped single line is accepted).
    #[arg(long, env = "PRIVATE_KEY", hide_env_values = true)]
    pub private_key: Option<SecretString>,
    /// Path to the App's private key PEM file (instead of PRIVATE_KEY).
    #[arg(long, env = "PRIVATE_KEY_PATH")]
    pub private_key_path: Option<PathBuf>,
    /// Webhook secret(s); several comma-separated secrets allow rotation without downtime.
    #[arg(long, env = "WEBHOOK_SECRET", hide_env_values = true)]
    pub webhook_secret: Option<SecretString>,
    /// GitHub REST API base URL (GitHub Enterprise Server: https://HOST/api/v3).
    #[arg(
        long,
        env = "GITHUB_API_URL",
        default_value = "https://api.github.com",
        value_parser = api_url
    )]
    pub github_api_url: Url,
    #[command(flatten)]
    pub db: DatabaseArgs,
    /// Address to listen on; default 0.0.0.0:3000, but 127.0.0.1:3000 in setup mode (no App
    /// credentials), so an unregistered server is not reachable from other machines.
    #[arg(long, env = "LISTEN_ADDR", value_parser = trimmed::<SocketAddr>)]
    pub listen_addr: Option<SocketAddr>,
    /// Serve /metrics on this address only (instead of on LISTEN_ADDR).
    #[arg(long, env = "METRICS_ADDR", value_parser = trimmed::<SocketAddr>)]
    pub metrics_addr: Option<SocketAddr>,
    /// Path GitHub posts webhooks to.
    #[arg(
        long,
        env = "WEBHOOK_PATH",
        default_value = "/api/github/webhooks",
        value_parser = url_path
    )]
    pub webhook_path: String,
    /// Log format.
    #[arg(
        long,
        env = "LOG_FORMAT",
        value_enum,
        ignore_case = true,
        default_value = "text"
    )]
    pub log_format: LogFormat,
    /// Number of queue workers in this process; 0 runs intake only (deliveries are stored for
    /// workers in other replicas sharing the database).
    #[arg(long, env = "WORKERS", default_value_t = 4)]
    pub workers: usize,
    /// Attempts before a delivery is marked failed (at least 1).
    #[arg(long, env = "MAX_ATTEMPTS", default_value_t = 8, value_parser = positive::<u32>)]
    pub max_attempts: u32,
    /// Seconds a worker holds a claimed delivery before another may take it over (renewed while
    /// the worker is alive, so this only bounds recovery after a crash).
    #[arg(
        long = "lease-secs",
        value_name = "LEASE_SECS",
        env = "QUEUE_LEASE_SECS",
        default_value = "30",
        value_parser = positive_seconds
    )]
    pub lease: Duration,
    /// Base delay in milliseconds of the retry backoff (doubled per attempt, with jitter).
    #[arg(
        long = "retry-base-ms",
        value_name = "RETRY_BASE_MS",
        env = "RETRY_BASE_MS",
        default_value = "2000",
        value_parser = milliseconds
    )]
    pub retry_base: Duration,
    /// Days finished deliveries (and their payloads) are kept before they are deleted; 0 keeps
    /// them forever.
    #[arg(
        long = "delivery-retention-days",
        value_name = "DELIVERY_RETENTION_DAYS",
        env = "DELIVERY_RETENTION_DAYS",
        default_value = "30",
        value_parser = retention_days
    )]
    pub delivery_retention: Retention,
    /// Days audit-log entries (commands run, refused or invalid) are kept before they are
    /// deleted; 0 keeps them forever.
    #[arg(
        long = "audit-retention-days",
        value_name = "AUDIT_RETENTION_DAYS",
        env = "AUDIT_RETENTION_DAYS",
        default_value = "365",
        value_parser = retention_days
    )]
    pub audit_retention: Retention,
    /// The URL GitHub and browsers reach this server at (setup page, webhook URL of a new App);
    /// default: the address the browser used.
    #[arg(long, env = "PUBLIC_URL", value_parser = web_url)]
    pub public_url: Option<Url>,
    /// A webhook forwarding channel (smee-style) to register as the new App's webhook URL instead
    /// of PUBLIC_URL, for a server GitHub cannot reach (a laptop).
    #[arg(long, env = "WEBHOOK_PROXY_URL", value_parser = web_url)]
    pub webhook_proxy_url: Option<Url>,
    /// The smee-style service the setup page asks for a new forwarding channel when the server
    /// runs on a laptop (loopback address, no PUBLIC_URL or WEBHOOK_PROXY_URL).
    #[arg(
        long,
        env = "CHANNEL_SERVICE_URL",
        default_value = "https://smee.io",
        value_parser = web_url
    )]
    pub channel_service_url: Url,
    /// The directory of the `.env` file read at start, if any: a relative PRIVATE_KEY_PATH is
    /// resolved against it, so `.env` and the key file can move together.
    #[arg(skip)]
    pub env_dir: Option<PathBuf>,
    /// GitHub's web URL, where Apps are registered (GitHub Enterprise Server: https://HOST).
    #[arg(long, env = "GITHUB_URL", default_value = "https://github.com", value_parser = web_url)]
    pub github_url: Url,
    /// Register the App on this organization instead of the signed-in user's account.
    #[arg(long, env = "GITHUB_ORG", value_parser = org_login)]
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
    #[arg(
        long = "shutdown-delay-secs",
        value_name = "SHUTDOWN_DELAY_SECS",
        env = "SHUTDOWN_DELAY_SECS",
        default_value = "0",
        value_parser = shutdown_delay
    )]
    pub shutdown_delay: Duration,
    #[command(flatten)]
    pub http: HttpArgs,
    #[command(flatten)]
    pub dashboard: DashboardArgs,
}

/// Where the store is: for the server, and for the commands that read its queue and audit log.
/// The URL is a secret (it may hold a password).
#[derive(Debug, Clone, clap::Args)]
pub struct DatabaseArgs {
    /// sqlite://FILE (the default; `serve` creates it) or postgres://... (several replicas).
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://design-review.db",
        hide_env_values = true
    )]
    pub database_url: SecretString,
}

/// Limits of the HTTP server against clients that connect but never authenticate.
#[derive(Debug, Clone, clap::Args)]
pub struct HttpArgs {
    /// Seconds a client has, from a request's first byte, to send all of its headers.
    #[arg(
        long = "header-timeout-secs",
        value_name = "HEADER_TIMEOUT_SECS",
        env = "HTTP_HEADER_TIMEOUT_SECS",
        default_value = "10",
        value_parser = positive_seconds
    )]
    pub header_timeout: Duration,
    /// Seconds a webhook body may take to arrive once its headers are in (then 408).
    #[arg(
        long = "body-timeout-secs",
        value_name = "BODY_TIMEOUT_SECS",
        env = "HTTP_BODY_TIMEOUT_SECS",
        default_value = "10",
        value_parser = positive_seconds
    )]
    pub body_timeout: Duration,
    /// Seconds a connection may stay open with no request in progress (keep above the idle
    /// timeout of a load balancer in front).
    #[arg(
        long = "idle-timeout-secs",
        value_name = "IDLE_TIMEOUT_SECS",
        env = "HTTP_IDLE_TIMEOUT_SECS",
        default_value = "75",
        value_parser = positive_seconds
    )]
    pub idle_timeout: Duration,
    /// Open connections at most; past it the longest-idle connection is closed for a new one.
    #[arg(
        long,
        env = "HTTP_MAX_CONNECTIONS",
        default_value_t = 512,
        value_parser = positive::<usize>
    )]
    pub max_connections: usize,
    /// Largest webhook body accepted, in bytes (larger: 413).
    #[arg(
        long,
        env = "WEBHOOK_MAX_BODY_BYTES",
        default_value_t = 4 * 1024 * 1024,
        value_parser = positive::<usize>
    )]
    pub max_body_bytes: usize,
    /// Bytes of webhook bodies held at once across all requests (more: 503 with Retry-After).
    #[arg(long, env = "WEBHOOK_BODY_BUDGET_BYTES", default_value_t = 32 * 1024 * 1024)]
    pub body_budget_bytes: usize,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One line of text per event, coloured on a terminal.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// How long finished records are kept; `None` keeps them forever (`0` days).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention(pub Option<Duration>);

/// The GitHub App's credentials.
#[derive(Debug, Clone)]
pub struct AppCredentialsSetting {
    pub app_id: u64,
    pub private_key: SecretString,
}

/// Validated server settings.
#[derive(Debug, Clone)]
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

/// A setting that is missing or invalid given the others; the message names the variable.
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
    /// Checks what spans several flags and fills in the defaults that depend on others.
    pub fn from_args(args: &ServeArgs) -> Result<Self, SettingsError> {
        let app = app_credentials(args)?;
        let webhook_secrets = webhook_secrets(args.webhook_secret.as_ref());
        if app.is_some() && webhook_secrets.is_empty() {
            return Err(invalid(
                "WEBHOOK_SECRET",
                "required with App credentials (the secret set on the GitHub App's webhook)",
            ));
        }
        let database_url = database_url(&args.db.database_url)?;
        let default_listen_addr = if app.is_some() {
            SocketAddr::from(([0, 0, 0, 0], 3000))
        } else {
            SocketAddr::from(([127, 0, 0, 1], 3000))
        };
        Ok(Self {
            app,
            webhook_secrets,
            github_api_url: args.github_api_url.clone(),
            database_url,
            listen_addr: args.listen_addr.unwrap_or(default_listen_addr),
            webhook_path: args.webhook_path.clone(),
            log_format: args.log_format,
            workers: args.workers,
            max_attempts: args.max_attempts,
            lease: args.lease,
            retry_base: args.retry_base,
            delivery_retention: args.delivery_retention.0,
            audit_retention: args.audit_retention.0,
            public_url: args.public_url.clone(),
            webhook_proxy_url: args.webhook_proxy_url.clone(),
            channel_service_url: args.channel_service_url.clone(),
            github_url: args.github_url.clone(),
            github_org: args.github_org.clone(),
            resync_on_start: args.resync_on_start,
            shutdown_delay: args.shutdown_delay,
            metrics_addr: args.metrics_addr,
            http: http_settings(&args.http)?,
            dashboard: DashboardSettings::from_args(&args.dashboard)?,
        })
    }

    /// The database URL with its password replaced, for logs.
    pub fn database_url_redacted(&self) -> String {
        crate::store::redact_url(self.database_url.expose_secret())
    }
}

/// `WEBHOOK_SECRET` split at commas, blanks dropped.
fn webhook_secrets(text: Option<&SecretString>) -> Vec<SecretString> {
    text.map_or("", |secret| secret.expose_secret())
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(SecretString::from)
        .collect()
}

/// `DATABASE_URL`, trimmed, of a store this server speaks. Checked here rather than by clap so
/// that a refused URL (and the password in it) is never echoed.
fn database_url(url: &SecretString) -> Result<SecretString, SettingsError> {
    let url = url.expose_secret().trim();
    if ["sqlite:", "postgres:", "postgresql:"]
        .iter()
        .any(|scheme| url.starts_with(scheme))
    {
        Ok(SecretString::from(url))
    } else {
        Err(invalid(
            "DATABASE_URL",
            "must start with sqlite:// or postgres://",
        ))
    }
}

/// A secret with its surrounding blanks removed; `None` when nothing is left.
fn non_blank(secret: Option<&SecretString>) -> Option<SecretString> {
    secret
        .map(|s| s.expose_secret().trim())
        .filter(|s| !s.is_empty())
        .map(SecretString::from)
}

fn app_credentials(args: &ServeArgs) -> Result<Option<AppCredentialsSetting>, SettingsError> {
    let key_text = non_blank(args.private_key.as_ref());
    let key_path = args.private_key_path.as_ref();
    if args.app_id.is_none() && key_text.is_none() && key_path.is_none() {
        return Ok(None);
    }
    let app_id = args
        .app_id
        .ok_or_else(|| invalid("APP_ID", "missing (PRIVATE_KEY or PRIVATE_KEY_PATH is set)"))?;
    let key_path = key_path.map(|path| match &args.env_dir {
        Some(dir) if path.is_relative() => dir.join(path),
        _ => path.clone(),
    });
    let (pem, variable) = match (key_text, &key_path) {
        (Some(text), _) => (text.expose_secret().replace("\\n", "\n"), "PRIVATE_KEY"),
        (None, Some(path)) => (
            std::fs::read_to_string(path).map_err(|e| {
                invalid(
                    "PRIVATE_KEY_PATH",
                    format!("cannot read {}: {e}", path.display()),
                )
            })?,
            "PRIVATE_KEY_PATH",
        ),
        (None, None) => {
            return Err(invalid(
                "PRIVATE_KEY",
                "missing (APP_ID is set): set PRIVATE_KEY or PRIVATE_KEY_PATH",
            ));
        }
    };
    if jsonwebtoken::EncodingKey::from_rsa_pem(pem.as_bytes()).is_err() {
        return Err(invalid(variable, "not an RSA private key in PEM format"));
    }
    Ok(Some(AppCredentialsSetting {
        app_id,
        private_key: SecretString::from(pem),
    }))
}

fn http_settings(args: &HttpArgs) -> Result<HttpSettings, SettingsError> {
    if args.body_budget_bytes < args.max_body_bytes {
        return Err(invalid(
            "WEBHOOK_BODY_BUDGET_BYTES",
            format!(
                "must be at least WEBHOOK_MAX_BODY_BYTES ({})",
                args.max_body_bytes
            ),
        ));
    }
    Ok(HttpSettings {
        header_read_timeout: args.header_timeout,
        body_read_timeout: args.body_timeout,
        idle_timeout: args.idle_timeout,
        max_connections: args.max_connections,
        max_body_bytes: args.max_body_bytes,
        body_budget_bytes: args.body_budget_bytes,
    })
}

/// Longest drain delay accepted from `SHUTDOWN_DELAY_SECS`.
pub const MAX_SHUTDOWN_DELAY: Duration = Duration::from_secs(10 * 60);

/// Why clap refused one value; clap prefixes it with the value and the flag (and the command
/// line with the variable, see [`crate::cli`]).
#[derive(Debug, thiserror::Error)]
pub enum InvalidValue {
    #[error("not a whole number ({0})")]
    Number(#[from] ParseIntError),
    #[error("must be at least 1")]
    Zero,
    #[error("at most {} seconds", MAX_SHUTDOWN_DELAY.as_secs())]
    TooLong,
    #[error("not a URL ({0})")]
    Url(#[from] url::ParseError),
    #[error("must be an http(s) URL")]
    NotHttp,
    #[error("must start with /")]
    NotAPath,
    #[error("not an organization login")]
    NotALogin,
}

/// Any `FromStr` value, surrounding blanks ignored.
fn trimmed<T: FromStr>(text: &str) -> Result<T, T::Err> {
    text.trim().parse()
}

/// A whole number, surrounding blanks ignored.
fn whole<T: FromStr<Err = ParseIntError>>(text: &str) -> Result<T, InvalidValue> {
    Ok(trimmed(text)?)
}

/// A whole number of at least 1.
fn positive<T>(text: &str) -> Result<T, InvalidValue>
where
    T: FromStr<Err = ParseIntError> + Default + PartialEq,
{
    let number = whole::<T>(text)?;
    if number == T::default() {
        return Err(InvalidValue::Zero);
    }
    Ok(number)
}

fn positive_seconds(text: &str) -> Result<Duration, InvalidValue> {
    positive::<u64>(text).map(Duration::from_secs)
}

fn milliseconds(text: &str) -> Result<Duration, InvalidValue> {
    whole::<u64>(text).map(Duration::from_millis)
}

fn hours(text: &str) -> Result<Duration, InvalidValue> {
    positive::<u32>(text).map(|hours| Duration::from_secs(u64::from(hours) * 60 * 60))
}

/// Days as a [`Retention`]; 0 keeps forever.
fn retention_days(text: &str) -> Result<Retention, InvalidValue> {
    let days = whole::<u32>(text)?;
    Ok(Retention((days > 0).then(|| {
        Duration::from_secs(u64::from(days) * 24 * 60 * 60)
    })))
}

/// `SHUTDOWN_DELAY_SECS`: whole seconds, blank meaning 0, at most [`MAX_SHUTDOWN_DELAY`].
fn shutdown_delay(text: &str) -> Result<Duration, InvalidValue> {
    if text.trim().is_empty() {
        return Ok(Duration::ZERO);
    }
    let delay = Duration::from_secs(whole(text)?);
    if delay > MAX_SHUTDOWN_DELAY {
        return Err(InvalidValue::TooLong);
    }
    Ok(delay)
}

/// An http(s) URL without a trailing slash (paths are appended to it).
fn web_url(text: &str) -> Result<Url, InvalidValue> {
    let url = Url::parse(text.trim().trim_end_matches('/'))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(InvalidValue::NotHttp);
    }
    Ok(url)
}

/// The API's base URL, its path made a directory: joining relative routes onto it then keeps a
/// prefix such as `/api/v3`.
fn api_url(text: &str) -> Result<Url, InvalidValue> {
    let mut url = Url::parse(text.trim())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(InvalidValue::NotHttp);
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// A URL path without a trailing slash (`/` stays `/`).
fn url_path(text: &str) -> Result<String, InvalidValue> {
    if !text.starts_with('/') {
        return Err(InvalidValue::NotAPath);
    }
    Ok(match text.trim_end_matches('/') {
        "" => "/".to_string(),
        trimmed => trimmed.to_string(),
    })
}

/// A GitHub organization login: letters, digits and dashes.
fn org_login(text: &str) -> Result<String, InvalidValue> {
    let login = text.trim();
    if login.is_empty() || !login.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(InvalidValue::NotALogin);
    }
    Ok(login.to_string())
}

/// Flags of the web pages (`/reviews`, `/audit`, `/api/v1`).
#[derive(Debug, Clone, clap::Args)]
pub struct DashboardArgs {
    /// The GitHub App's OAuth client id (written by the setup flow): "Sign in with GitHub".
    #[arg(long, env = "GITHUB_CLIENT_ID")]
    pub github_client_id: Option<String>,
    /// The GitHub App's OAuth client secret (written by the setup flow).
    #[arg(long, env = "GITHUB_CLIENT_SECRET", hide_env_values = true)]
    pub github_client_secret: Option<SecretString>,
    /// Key signing the session cookies: at least 32 characters. Changing it signs everyone out.
    #[arg(long, env = "SESSION_KEY", hide_env_values = true)]
    pub session_key: Option<SecretString>,
    /// Hours a sign-in lasts.
    #[arg(
        long = "session-hours",
        value_name = "SESSION_HOURS",
        env = "SESSION_HOURS",
        default_value = "8",
        value_parser = hours
    )]
    pub session_lifetime: Duration,
    /// Read-only bearer token of the JSON API (`/api/v1/...`) for back-office tools; sees
    /// every repository.
    #[arg(long, env = "DASHBOARD_API_TOKEN", hide_env_values = true)]
    pub api_token: Option<SecretString>,
}

/// The App's OAuth client credentials (`GITHUB_CLIENT_ID`, `GITHUB_CLIENT_SECRET`), for
/// signing users in; the setup page saves them with a new App.
#[derive(Debug, Clone)]
pub struct OAuthClient {
    pub client_id: String,
    pub client_secret: SecretString,
}

/// Validated settings of the web pages.
#[derive(Debug, Clone, Default)]
pub struct DashboardSettings {
    /// `None` without GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET: the pages say what to set.
    pub oauth: Option<OAuthClient>,
    /// `None`: a key is generated at start (sign-ins then end with the process).
    pub session_key: Option<SecretString>,
    pub session_lifetime: Duration,
    pub api_token: Option<SecretString>,
}

impl DashboardSettings {
    fn from_args(args: &DashboardArgs) -> Result<Self, SettingsError> {
        let client_id = args
            .github_client_id
            .as_deref()
            .map(str::trim)
            .filter(|id| !id.is_empty());
        let oauth = match (client_id, non_blank(args.github_client_secret.as_ref())) {
            (Some(client_id), Some(client_secret)) => Some(OAuthClient {
                client_id: client_id.to_string(),
                client_secret,
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
        Ok(Self {
            oauth,
            session_key: long_secret(args.session_key.as_ref(), "SESSION_KEY", 32)?,
            session_lifetime: args.session_lifetime,
            api_token: long_secret(args.api_token.as_ref(), "DASHBOARD_API_TOKEN", 20)?,
        })
    }
}

/// A secret of at least `min_chars` characters, when given. Checked here rather than by clap so
/// that a refused secret is never echoed.
fn long_secret(
    secret: Option<&SecretString>,
    variable: &'static str,
    min_chars: usize,
) -> Result<Option<SecretString>, SettingsError> {
    let secret = non_blank(secret);
    if secret
        .as_ref()
        .is_some_and(|s| s.expose_secret().len() < min_chars)
    {
        return Err(invalid(
            variable,
            format!("must be at least {min_chars} characters"),
        ));
    }
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{
        Parser,
        error::{ContextKind, ContextValue, ErrorKind},
    };

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

    /// The argument clap names when it refuses `extra`'s value.
    fn refused(extra: &[&str]) -> String {
        let mut argv = vec!["serve"];
        argv.extend_from_slice(extra);
        let Err(error) = Wrapper::try_parse_from(argv) else {
            panic!("{extra:?} parsed");
        };
        assert!(
            matches!(
                error.kind(),
                ErrorKind::ValueValidation | ErrorKind::InvalidValue
            ),
            "{extra:?}: {error}"
        );
        match error.get(ContextKind::InvalidArg) {
            Some(ContextValue::String(arg)) => arg.clone(),
            other => panic!("{extra:?}: {other:?}"),
        }
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
    fn invalid_values_are_refused_naming_the_flag() {
        for (flags, arg) in [
            (&["--app-id", "twelve"][..], "--app-id <APP_ID>"),
            (
                &["--listen-addr", "nowhere"][..],
                "--listen-addr <LISTEN_ADDR>",
            ),
            (
                &["--metrics-addr", "9090"][..],
                "--metrics-addr <METRICS_ADDR>",
            ),
            (&["--log-format", "xml"][..], "--log-format <LOG_FORMAT>"),
            (
                &["--github-api-url", "ftp://x"][..],
                "--github-api-url <GITHUB_API_URL>",
            ),
            (
                &["--public-url", "localhost:3000"][..],
                "--public-url <PUBLIC_URL>",
            ),
            (
                &["--github-url", "ftp://ghe"][..],
                "--github-url <GITHUB_URL>",
            ),
            (
                &["--github-org", "acme/widgets"][..],
                "--github-org <GITHUB_ORG>",
            ),
            (
                &["--webhook-path", "hooks"][..],
                "--webhook-path <WEBHOOK_PATH>",
            ),
            (
                &["--max-attempts", "0"][..],
                "--max-attempts <MAX_ATTEMPTS>",
            ),
            (&["--lease-secs", "30s"][..], "--lease-secs <LEASE_SECS>"),
            (
                &["--session-hours", "0"][..],
                "--session-hours <SESSION_HOURS>",
            ),
            (
                &["--delivery-retention-days", "1e3"][..],
                "--delivery-retention-days <DELIVERY_RETENTION_DAYS>",
            ),
        ] {
            assert_eq!(refused(flags), arg);
        }
    }

    #[test]
    fn a_database_url_of_another_store_names_the_variable() {
        let err = Settings::from_args(&args(&["--database-url", "mysql://x"])).unwrap_err();
        assert_eq!(err.variable, "DATABASE_URL");
    }

    #[test]
    fn values_are_read_case_insensitively_and_trimmed() {
        let s = Settings::from_args(&args(&[
            "--log-format",
            "JSON",
            "--listen-addr",
            " 0.0.0.0:8080 ",
            "--webhook-path",
            "/hooks/",
            "--database-url",
            " postgres://db/dr ",
        ]))
        .unwrap();
        assert_eq!(s.log_format, LogFormat::Json);
        assert_eq!(s.listen_addr, "0.0.0.0:8080".parse().unwrap());
        assert_eq!(s.webhook_path, "/hooks");
        assert_eq!(s.database_url.expose_secret(), "postgres://db/dr");
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
        let s = Settings::from_args(&args(&["--shutdown-delay-secs="])).unwrap();
        assert_eq!(s.shutdown_delay, Duration::ZERO);
        for value in ["soon", "-1", "601", "1.5"] {
            let flag = format!("--shutdown-delay-secs={value}");
            assert_eq!(
                refused(&[&flag]),
                "--shutdown-delay-secs <SHUTDOWN_DELAY_SECS>",
                "{value}"
            );
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
        for (flag, arg) in [
            (
                "--header-timeout-secs",
                "--header-timeout-secs <HEADER_TIMEOUT_SECS>",
            ),
            (
                "--body-timeout-secs",
                "--body-timeout-secs <BODY_TIMEOUT_SECS>",
            ),
            (
                "--idle-timeout-secs",
                "--idle-timeout-secs <IDLE_TIMEOUT_SECS>",
            ),
            ("--max-connections", "--max-connections <MAX_CONNECTIONS>"),
            ("--max-body-bytes", "--max-body-bytes <MAX_BODY_BYTES>"),
        ] {
            assert_eq!(refused(&[flag, "0"]), arg);
        }
        let err = Settings::from_args(&args(&[
            "--max-body-bytes",
            "2048",
            "--body-budget-bytes",
            "1024",
        ]))
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "WEBHOOK_BODY_BUDGET_BYTES: must be at least WEBHOOK_MAX_BODY_BYTES (2048)"
        );
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
    fn dashboard_secrets_are_checked_without_echoing_them() {
        let err = Settings::from_args(&args(&["--session-key", "short-k3y"])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "SESSION_KEY: must be at least 32 characters"
        );
        let err = Settings::from_args(&args(&["--api-token", "short-t0ken"])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "DASHBOARD_API_TOKEN: must be at least 20 characters"
        );
        let err = Settings::from_args(&args(&["--github-client-id", "Iv1.abc"])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "GITHUB_CLIENT_SECRET: required with GITHUB_CLIENT_ID"
        );
    }

    /// Every secret flag, set, for the `Debug` tests.
    const SECRET_FLAGS: [&str; 10] = [
        "--private-key=-----BEGIN RSA PRIVATE KEY-----\\nMIIEsecretkeybody\\n",
        "--webhook-secret=s3cret-one,s3cret-two",
        "--database-url=postgres://dr:hunter2@db/dr",
        "--github-client-id=Iv1.client",
        "--github-client-secret=client-s3cret",
        "--session-key=session-s3cret-session-s3cret-session",
        "--api-token=token-s3cret-token-s3cret",
        "--app-id=1",
        "--listen-addr=127.0.0.1:0",
        "--log-format=json",
    ];

    fn assert_no_secret(debug: &str) {
        for secret in ["MIIEsecretkeybody", "BEGIN", "s3cret", "hunter2"] {
            assert!(!debug.contains(secret), "{secret} in {debug}");
        }
        assert!(debug.contains("[REDACTED]"), "{debug}");
    }

    #[test]
    fn secrets_never_in_serve_args_debug_output() {
        let a = args(&SECRET_FLAGS);
        assert_no_secret(&format!("{a:?}"));
        assert_no_secret(&format!("{a:#?}"));
        assert!(format!("{a:?}").contains("Iv1.client"));
    }

    #[test]
    fn secrets_never_in_settings_debug_output() {
        let key = concat!(
            "--private-key-path=",
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/keys/app.pem"
        );
        let mut flags = SECRET_FLAGS[1..].to_vec();
        flags.push(key);
        let s = Settings::from_args(&args(&flags)).unwrap();
        assert_eq!(s.webhook_secrets.len(), 2);
        assert!(s.app.is_some() && s.dashboard.oauth.is_some());
        assert_no_secret(&format!("{s:?}"));
        assert_no_secret(&format!("{s:#?}"));
        assert_eq!(s.database_url_redacted(), "postgres://dr:***@db/dr");
    }
}
