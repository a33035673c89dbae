//! `design-review deliveries` and `design-review redeliver ID`: look into and replay the queue.

use std::process::ExitCode;

use secrecy::ExposeSecret;

use super::ListFormat;
use crate::config::settings::DatabaseArgs;
use crate::store::{self, DeliveryFilter, DeliveryStatus, StoreError};

/// Flags of `design-review deliveries`.
#[derive(Debug, clap::Args)]
pub struct DeliveriesArgs {
    #[command(flatten)]
    pub db: DatabaseArgs,
    /// Only deliveries that failed for good.
    #[arg(long)]
    pub failed: bool,
    /// How many to list (newest first).
    #[arg(long, default_value_t = 50)]
    pub limit: i64,
    /// `text`: one line per delivery; `json`: one array of deliveries.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
    /// The earlier spelling of `--format json`.
    #[arg(long, hide = true, conflicts_with = "format")]
    pub json: bool,
}

/// Lists deliveries and their state.
pub fn list(args: DeliveriesArgs) -> ExitCode {
    run_async(async move {
        // Never an empty new database: a wrong directory or path is reported, not hidden.
        let store = store::connect_existing(args.db.database_url.expose_secret()).await?;
        let filter = DeliveryFilter {
            status: args.failed.then_some(DeliveryStatus::Failed),
            limit: args.limit,
        };
        let deliveries = store.list_deliveries(&filter).await?;
        if args.json || args.format == ListFormat::Json {
            println!(
                "{}",
                serde_json::to_string_pretty(&deliveries).unwrap_or_default()
            );
            return Ok(());
        }
        for d in deliveries {
            println!(
                "{}  {:<10} {:<28} {:<28} attempts={} {}{}",
                d.arrived.received_at.format("%Y-%m-%d %H:%M:%S"),
                d.status.as_str(),
                format!(
                    "{}.{}",
                    d.arrived.event,
                    d.arrived.action.as_deref().unwrap_or("")
                ),
                d.arrived
                    .pr_key
                    .as_deref()
                    .or(d.arrived.repo.as_deref())
                    .unwrap_or("-"),
                d.attempts,
                d.arrived.id,
                d.last_error
                    .map(|e| format!("  error: {e}"))
                    .unwrap_or_default(),
            );
        }
        Ok(())
    })
}

/// Queues one delivery again.
pub fn redeliver(db: DatabaseArgs, id: String) -> ExitCode {
    run_async(async move {
        let store = store::connect_existing(db.database_url.expose_secret()).await?;
        store.requeue(&id).await?;
        println!("delivery {id} queued again");
        Ok(())
    })
}

fn run_async(job: impl std::future::Future<Output = Result<(), StoreError>>) -> ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("design-review: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(job) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("design-review: {error}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod debug_tests {
    use secrecy::SecretString;

    use super::DatabaseArgs;

    #[test]
    fn database_password_never_in_debug_output() {
        for url in [
            "postgres://dr:hunter2@db/dr",
            "postgres://dr:hunter2/x@db/dr",
        ] {
            let args = DatabaseArgs {
                database_url: SecretString::from(url),
            };
            let debug = format!("{args:?} {args:#?}");
            assert!(!debug.contains("hunter2"), "{debug}");
            assert!(debug.contains("[REDACTED]"), "{debug}");
        }
    }
}
