//! `design-review serve`: run the GitHub App.

use std::{process::ExitCode, sync::Arc, time::Duration};

use anyhow::Context;
use secrecy::ExposeSecret;
use tokio::sync::{Mutex, Notify, watch};
use tokio_util::sync::CancellationToken;

use crate::{
    config::settings::{AppCredentialsSetting, HttpSettings, ServeArgs, Settings},
    forward::{Forwarder, Reconnect},
    queue::{Backoff, QueueSettings, WorkerPool},
    server::{self, AppState, connections::ConnectionLimits},
    setup::{Registered, Setup, SetupConfig},
    status::{AppStatus, StatusSource},
    store,
    webhook::intake::{BodyGate, BodyLimits, IntakeState},
};

/// Validates the settings, then runs the server until SIGTERM or Ctrl-C.
pub fn run(mut args: ServeArgs) -> ExitCode {
    // The `.env` read at start (already loaded; asked again only for its place): a relative
    // PRIVATE_KEY_PATH is resolved against its directory, and setup mode writes there.
    args.env_dir = dotenvy::dotenv()
        .ok()
        .and_then(|file| file.parent().map(std::path::Path::to_path_buf));
    let settings = match super::settings(&args) {
        Ok(settings) => settings,
        Err(code) => return code,
    };
    let drain = settings.shutdown_delay;
    if let Err(error) = crate::telemetry::try_init(settings.log_format, "info") {
        eprintln!("design-review: invalid setting {error}");
        return ExitCode::from(2);
    }
    server::memory::return_large_blocks_when_freed();
    let runtime = match super::runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    let dir = match args.env_dir.clone().map_or_else(std::env::current_dir, Ok) {
        Ok(dir) => dir,
        Err(error) => {
            eprintln!("design-review: cannot read the working directory: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(settings.listen_addr)
            .await
            .with_context(|| format!("LISTEN_ADDR {}: cannot listen", settings.listen_addr))?;
        let shutdown = CancellationToken::new();
        let on_signal = shutdown.clone();
        tokio::spawn(async move {
            wait_for_signal().await;
            on_signal.cancel();
        });
        serve_with_drain(settings, listener, dir, shutdown, drain).await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error:#}");
            eprintln!("design-review: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the server on `listener` until `shutdown` is cancelled, then finishes the deliveries in
/// hand. Without App credentials it starts in setup mode ([`crate::setup`]), writing the new
/// App's `.env` into `dir`, and starts the workers once the App is registered.
pub async fn serve(
    settings: Settings,
    listener: tokio::net::TcpListener,
    dir: std::path::PathBuf,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    serve_with_drain(settings, listener, dir, shutdown, Duration::ZERO).await
}

/// [`serve`] with a drain delay: once `shutdown` is cancelled, `/readyz` answers 503 at once,
/// while webhooks are still accepted and workers keep going for `drain`; then the listener
/// closes and the workers finish the deliveries in hand.
pub async fn serve_with_drain(
    settings: Settings,
    listener: tokio::net::TcpListener,
    dir: std::path::PathBuf,
    shutdown: CancellationToken,
    drain: Duration,
) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    server::metrics::handle();
    let store = open_store(&settings, &shutdown).await?;
    let local_addr = listener.local_addr()?;
    let metrics_listener = bind_metrics(settings.metrics_addr).await?;
    let running = Running {
        settings,
        store,
        wake: Arc::new(Notify::new()),
        workers: Arc::new(Mutex::new(None)),
        shutdown,
        stop: CancellationToken::new(),
    };
    let state = running.app_state();
    let gate = BodyGate::new(body_limits(&running.settings.http));
    // The channel `serve` reads deliveries from: WEBHOOK_PROXY_URL, or one created on the setup
    // page (sent when the App is registered).
    let (channel_tx, channel_rx) = watch::channel(running.settings.webhook_proxy_url.clone());
    let (app, registration) =
        match crate::review::handler(&running.settings, running.store.clone())? {
            Some(handler) => (running.start_app(handler, state.clone(), gate).await, None),
            None => {
                let (app, registration) = running.start_setup(local_addr, dir, channel_tx, gate);
                (app, Some(registration))
            }
        };
    // The web pages and their API (in setup mode they say what to configure).
    let app = app.merge(crate::web::router(crate::web::WebState::new(
        &running.settings,
        running.store.clone(),
    )?));
    let app = running.with_metrics(state, app, metrics_listener)?;
    tokio::spawn(
        Forwarding {
            routes: app.clone(),
            webhook_path: running.settings.webhook_path.clone(),
            max_event_bytes: running.settings.http.max_body_bytes.saturating_mul(2) + 64 * 1024,
        }
        .follow(channel_rx, running.stop.clone()),
    );
    tokio::spawn(drain_after_shutdown(
        running.shutdown.clone(),
        running.stop.clone(),
        drain,
    ));
    log_ready(&running.settings, local_addr, started);
    running
        .serve_until_stopped(listener, app, registration)
        .await;
    Ok(())
}

/// Connects to the database and starts pruning it.
async fn open_store(
    settings: &Settings,
    shutdown: &CancellationToken,
) -> anyhow::Result<Arc<dyn store::Store>> {
    let store = store::connect(settings.database_url.expose_secret())
        .await
        .with_context(|| format!("DATABASE_URL {}", settings.database_url_redacted()))?;
    let retention = crate::queue::Retention {
        deliveries: settings.delivery_retention,
        audit: settings.audit_retention,
    };
    tokio::spawn(crate::queue::prune_periodically(
        store.clone(),
        retention,
        crate::queue::PRUNE_EVERY,
        shutdown.clone(),
    ));
    Ok(store)
}

/// The listener of METRICS_ADDR, when set.
async fn bind_metrics(
    addr: Option<std::net::SocketAddr>,
) -> anyhow::Result<Option<tokio::net::TcpListener>> {
    let Some(addr) = addr else {
        return Ok(None);
    };
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("METRICS_ADDR {addr}: cannot listen"))?;
    Ok(Some(listener))
}

/// After `shutdown`, keeps accepting deliveries for `drain` (while `/readyz` answers 503), then
/// cancels `stop`; returns at once when `stop` comes first.
async fn drain_after_shutdown(
    shutdown: CancellationToken,
    stop: CancellationToken,
    drain: Duration,
) {
    tokio::select! {
        () = shutdown.cancelled() => {}
        () = stop.cancelled() => return,
    }
    if !drain.is_zero() {
        tracing::info!(
            drain_secs = drain.as_secs(),
            "shutting down: not ready any more, still accepting deliveries while load balancers catch up"
        );
        tokio::select! {
            () = tokio::time::sleep(drain) => {}
            () = stop.cancelled() => {}
        }
    }
    stop.cancel();
}

fn log_ready(settings: &Settings, addr: std::net::SocketAddr, started: std::time::Instant) {
    tracing::info!(
        addr = %addr,
        webhook_path = %settings.webhook_path,
        database = %settings.database_url_redacted(),
        github = %settings.github_api_url,
        startup_ms = started.elapsed().as_millis() as u64,
        "ready"
    );
}

/// What the steps of [`serve_with_drain`] share.
struct Running {
    settings: Settings,
    store: Arc<dyn store::Store>,
    /// Wakes the workers when a delivery is stored.
    wake: Arc<Notify>,
    /// The queue workers, once App credentials are known.
    workers: Arc<Mutex<Option<WorkerPool>>>,
    /// Shutdown has begun: readiness fails.
    shutdown: CancellationToken,
    /// Intake and workers stop.
    stop: CancellationToken,
}

impl Running {
    fn app_state(&self) -> AppState {
        AppState {
            intake: IntakeState {
                store: self.store.clone(),
                secrets: Arc::new(self.settings.webhook_secrets.clone()),
                wake: self.wake.clone(),
            },
            store: self.store.clone(),
            shutdown: self.shutdown.clone(),
        }
    }

    /// With App credentials: starts the workers (and the start-up resync when asked) and
    /// serves the webhook and status routes.
    async fn start_app(
        &self,
        handler: Arc<dyn crate::queue::Handler>,
        state: AppState,
        gate: BodyGate,
    ) -> axum::Router {
        *self.workers.lock().await = Some(WorkerPool::start(
            self.store.clone(),
            handler,
            queue_settings(&self.settings),
            self.wake.clone(),
            self.stop.clone(),
        ));
        if self.settings.resync_on_start {
            tokio::spawn(resync_on_start(
                self.settings.clone(),
                self.store.clone(),
                self.wake.clone(),
            ));
        }
        let status = StatusSource {
            store: self.store.clone(),
            app: crate::cli::resync::github_app(&self.settings)
                .ok()
                .map(|github| Arc::new(AppStatus::new(github, self.settings.github_url.clone()))),
            forwarding: self.settings.webhook_proxy_url.is_some(),
        };
        server::webhook_and_status_routes(state, &self.settings.webhook_path, gate, status)
    }

    /// Without App credentials: serves the setup pages, and starts the workers once the App is
    /// registered (the task returned).
    fn start_setup(
        &self,
        local_addr: std::net::SocketAddr,
        dir: std::path::PathBuf,
        channel: watch::Sender<Option<url::Url>>,
        gate: BodyGate,
    ) -> (axum::Router, tokio::task::JoinHandle<()>) {
        let config = SetupConfig {
            listen_addr: local_addr,
            ..SetupConfig::from_settings(&self.settings, dir)
        };
        let (setup, registered) = Setup::new(config, self.store.clone(), self.wake.clone());
        tracing::warn!(
            url = %setup.setup_url(),
            "no GitHub App credentials (APP_ID, PRIVATE_KEY): setup mode, open this URL to register the App"
        );
        let registration = tokio::spawn(start_after_registration(
            registered,
            AfterRegistration {
                settings: self.settings.clone(),
                store: self.store.clone(),
                wake: self.wake.clone(),
                workers: self.workers.clone(),
                channel,
                shutdown: self.stop.clone(),
            },
        ));
        (setup.router(gate), registration)
    }

    /// `app` with `/metrics`: on its own listener (METRICS_ADDR, served here until `stop`) or
    /// beside the other routes.
    fn with_metrics(
        &self,
        state: AppState,
        app: axum::Router,
        metrics_listener: Option<tokio::net::TcpListener>,
    ) -> anyhow::Result<axum::Router> {
        let Some(metrics_listener) = metrics_listener else {
            return Ok(server::router_with(state, app));
        };
        tracing::info!(addr = %metrics_listener.local_addr()?, "metrics listening");
        let metrics = server::metrics_router(state.clone());
        let stopped = self.stop.clone();
        let limits = connection_limits(&self.settings.http);
        tokio::spawn(async move {
            server::connections::serve(
                metrics_listener,
                metrics,
                limits,
                stopped.cancelled_owned(),
            )
            .await;
        });
        Ok(server::router_without_metrics(state, app))
    }

    /// Serves `app` until `stop`, then waits for the registration task and the workers to
    /// finish the deliveries in hand.
    async fn serve_until_stopped(
        self,
        listener: tokio::net::TcpListener,
        app: axum::Router,
        registration: Option<tokio::task::JoinHandle<()>>,
    ) {
        let stopped = self.stop.clone();
        server::connections::serve(
            listener,
            app,
            connection_limits(&self.settings.http),
            async move {
                stopped.cancelled().await;
                tracing::info!("shutting down: no new deliveries, finishing the ones in hand");
            },
        )
        .await;
        self.shutdown.cancel();
        self.stop.cancel();
        if let Some(registration) = registration {
            let _ = registration.await;
        }
        if let Some(workers) = self.workers.lock().await.take() {
            workers.join().await;
        }
        tracing::info!("stopped");
    }
}

/// What [`start_after_registration`] needs.
struct AfterRegistration {
    settings: Settings,
    store: Arc<dyn store::Store>,
    wake: Arc<Notify>,
    workers: Arc<Mutex<Option<WorkerPool>>>,
    /// Where a forwarding channel created on the setup page is handed to the forwarder.
    channel: watch::Sender<Option<url::Url>>,
    shutdown: CancellationToken,
}

/// Setup mode: waits for the App's registration, then starts the workers with its credentials
/// (and the forwarder, when the App was registered with a channel created on the setup page).
async fn start_after_registration(
    mut registered: tokio::sync::mpsc::Receiver<Registered>,
    after: AfterRegistration,
) {
    let registration = tokio::select! {
        registration = registered.recv() => registration,
        () = after.shutdown.cancelled() => None,
    };
    let Some(registration) = registration else {
        return;
    };
    if let Some(channel) = registration.webhook_proxy_url.clone() {
        let _ = after.channel.send(Some(channel));
    }
    let mut settings = after.settings;
    settings.app = Some(AppCredentialsSetting {
        app_id: registration.app_id,
        private_key: registration.private_key,
    });
    settings.webhook_secrets = vec![registration.webhook_secret];
    match crate::review::handler(&settings, after.store.clone()) {
        Ok(Some(handler)) => {
            *after.workers.lock().await = Some(WorkerPool::start(
                after.store,
                handler,
                queue_settings(&settings),
                after.wake,
                after.shutdown,
            ));
            tracing::info!(app_id = registration.app_id, "workers started");
        }
        Ok(None) => {}
        Err(error) => tracing::error!("cannot use the new App's credentials: {error:#}"),
    }
}

/// The forwarder of this server, once a channel is known.
struct Forwarding {
    routes: axum::Router,
    webhook_path: String,
    max_event_bytes: usize,
}

impl Forwarding {
    /// Waits for a channel (at once with `WEBHOOK_PROXY_URL`), then reads it until `stop`.
    async fn follow(self, mut channel: watch::Receiver<Option<url::Url>>, stop: CancellationToken) {
        let channel = tokio::select! {
            channel = channel.wait_for(Option::is_some) => match channel {
                Ok(channel) => channel.clone(),
                Err(_) => return,
            },
            () = stop.cancelled() => return,
        };
        let Some(channel) = channel else { return };
        Forwarder {
            channel,
            routes: self.routes,
            webhook_path: self.webhook_path,
            max_event_bytes: self.max_event_bytes,
            reconnect: Reconnect::default(),
        }
        .run(stop)
        .await;
    }
}

/// `RESYNC_ON_START=true`: queue evaluations of open PRs missed while the server was down.
async fn resync_on_start(settings: Settings, store: Arc<dyn store::Store>, wake: Arc<Notify>) {
    let app = match crate::cli::resync::github_app(&settings) {
        Ok(app) => app,
        Err(error) => {
            tracing::error!("resync at start skipped: {error:#}");
            return;
        }
    };
    let options = crate::resync::ResyncOptions {
        repo: None,
        max_wait: Duration::from_secs(5 * 60),
        wake: Some(wake),
    };
    // A run stopped by the rate limit resumes once it lifts: evaluations already queued are
    // recognised by their ids and PRs already checked are skipped, so nothing is done twice.
    for _ in 0..MAX_RESYNC_RUNS {
        match crate::resync::resync(&app, store.as_ref(), &options).await {
            Ok(report) => {
                tracing::info!(
                    repos = report.repos,
                    pulls = report.pulls,
                    queued = report.queued.len(),
                    failed_repos = report.failed_repos.len(),
                    rate_limited_until = ?report.rate_limited_until,
                    "resync at start finished"
                );
                let Some(until) = report.rate_limited_until else {
                    return;
                };
                let wait = (until - chrono::Utc::now()).to_std().unwrap_or_default();
                tokio::time::sleep(wait + Duration::from_secs(1)).await;
            }
            Err(error) => {
                tracing::error!(%error, "resync at start failed");
                return;
            }
        }
    }
}

/// Runs of the start-up resync, each resuming after a rate limit, before it gives up.
const MAX_RESYNC_RUNS: usize = 24;

fn connection_limits(http: &HttpSettings) -> ConnectionLimits {
    ConnectionLimits {
        header_read_timeout: http.header_read_timeout,
        idle_timeout: http.idle_timeout,
        max_connections: http.max_connections,
    }
}

fn body_limits(http: &HttpSettings) -> BodyLimits {
    BodyLimits {
        max_body_bytes: http.max_body_bytes,
        bytes_in_flight: http.body_budget_bytes,
        read_timeout: http.body_read_timeout,
    }
}

fn queue_settings(settings: &Settings) -> QueueSettings {
    QueueSettings {
        workers: settings.workers,
        lease: settings.lease,
        max_attempts: settings.max_attempts,
        backoff: Backoff {
            base: settings.retry_base,
            max: Duration::from_secs(15 * 60),
        },
        poll: Duration::from_millis(500),
    }
}

async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Flags {
        #[command(flatten)]
        args: ServeArgs,
    }

    #[test]
    fn default_settings_give_the_default_body_limits() {
        let args = Flags::try_parse_from(["serve"]).unwrap().args;
        let settings = Settings::from_args(&args).unwrap();
        assert_eq!(body_limits(&settings.http), BodyLimits::default());
    }
}
