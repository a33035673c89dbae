//! `design-review serve`: run the GitHub App.

use std::{process::ExitCode, sync::Arc, time::Duration};

use anyhow::Context;
use secrecy::ExposeSecret;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::{
    config::settings::{ServeArgs, Settings},
    queue::{Backoff, QueueSettings, WorkerPool},
    server::{self, AppState},
    store,
    webhook::intake::IntakeState,
};

/// Validates the settings, then runs the server until SIGTERM or Ctrl-C.
pub fn run(args: ServeArgs) -> ExitCode {
    let settings = match Settings::from_args(&args) {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("design-review: invalid setting {error}");
            return ExitCode::from(2);
        }
    };
    crate::telemetry::init(settings.log_format, "info");
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("design-review: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error:#}");
            eprintln!("design-review: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    server::metrics::handle();
    let store = store::connect(settings.database_url.expose_secret())
        .await
        .with_context(|| format!("DATABASE_URL {}", settings.database_url_redacted()))?;
    let listener = tokio::net::TcpListener::bind(settings.listen_addr)
        .await
        .with_context(|| format!("LISTEN_ADDR {}: cannot listen", settings.listen_addr))?;
    let local_addr = listener.local_addr()?;
    let wake = Arc::new(Notify::new());
    let shutdown = CancellationToken::new();

    let workers = match crate::review::handler(&settings, store.clone())? {
        Some(handler) => Some(WorkerPool::start(
            store.clone(),
            handler,
            queue_settings(&settings),
            wake.clone(),
            shutdown.clone(),
        )),
        None => {
            tracing::warn!(
                "no GitHub App credentials (APP_ID, PRIVATE_KEY): deliveries are stored but not processed until they are set"
            );
            None
        }
    };

    let state = AppState {
        intake: IntakeState {
            store: store.clone(),
            secrets: Arc::new(settings.webhook_secrets.clone()),
            wake,
        },
        store,
    };
    let app = server::router(state, &settings.webhook_path);
    tracing::info!(
        addr = %local_addr,
        webhook_path = %settings.webhook_path,
        database = %settings.database_url_redacted(),
        github = %settings.github_api_url,
        startup_ms = started.elapsed().as_millis() as u64,
        "ready"
    );
    let stop = shutdown.clone();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            wait_for_signal().await;
            tracing::info!("shutting down: no new deliveries, finishing the ones in hand");
            stop.cancel();
        })
        .await
        .context("HTTP server failed")?;
    shutdown.cancel();
    if let Some(workers) = workers {
        workers.join().await;
    }
    tracing::info!("stopped");
    Ok(())
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
