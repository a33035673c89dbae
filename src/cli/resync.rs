//! `design-review resync [--repo OWNER/NAME]`: queue evaluations of open pull requests whose head
//! has no check run of ours (after downtime or missed webhooks). A running server's workers pick
//! them up from the shared database.

use std::{process::ExitCode, time::Duration};

use anyhow::Context;
use secrecy::ExposeSecret;

use crate::{
    config::settings::{ServeArgs, Settings},
    domain::RepoName,
    github::{AppCredentials, GithubApp},
    resync::{ResyncOptions, resync},
    store,
};

/// Flags of `design-review resync` (plus the server's settings, for credentials and database).
/// The derived `Debug` shows the settings through [`ServeArgs`]' redacting `Debug`.
#[derive(Debug, Clone, clap::Args)]
pub struct ResyncArgs {
    /// Only this repository (OWNER/NAME); default: every repository of every installation.
    #[arg(long)]
    pub repo: Option<String>,
    /// Wait out a rate limit that lifts within this many seconds instead of stopping.
    #[arg(long, default_value_t = 300)]
    pub max_wait_secs: u64,
    #[command(flatten)]
    pub settings: ServeArgs,
}

/// The App client for `settings` (which must hold App credentials).
pub fn github_app(settings: &Settings) -> anyhow::Result<GithubApp> {
    let app = settings
        .app
        .as_ref()
        .context("APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH) are required")?;
    GithubApp::new(AppCredentials {
        app_id: app.app_id,
        private_key: app.private_key.clone(),
        api_base: settings.github_api_url.clone(),
    })
    .context("PRIVATE_KEY")
}

/// Runs the command; exit code 0 when done, 3 when a rate limit stopped it early.
pub fn run(args: ResyncArgs) -> ExitCode {
    let settings = match super::settings(&args.settings) {
        Ok(settings) => settings,
        Err(code) => return code,
    };
    let repo = match args.repo.as_deref().map(|r| (r, RepoName::parse(r))) {
        None => None,
        Some((_, Some(repo))) => Some(repo),
        Some((text, None)) => {
            eprintln!("design-review: --repo expects OWNER/NAME, got {text:?}");
            return ExitCode::from(2);
        }
    };
    crate::telemetry::init(settings.log_format, "warn");
    let runtime = match super::runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    let options = ResyncOptions {
        repo,
        max_wait: Duration::from_secs(args.max_wait_secs),
        wake: None,
    };
    let result = runtime.block_on(async {
        let app = github_app(&settings)?;
        let store = store::connect(settings.database_url.expose_secret())
            .await
            .with_context(|| format!("DATABASE_URL {}", settings.database_url_redacted()))?;
        Ok::<_, anyhow::Error>(resync(&app, store.as_ref(), &options).await?)
    });
    match result {
        Ok(report) => {
            println!(
                "{} repositories, {} open pull requests: {} evaluations queued, {} already checked, {} already queued",
                report.repos,
                report.pulls,
                report.queued.len(),
                report.up_to_date,
                report.already_queued
            );
            for id in &report.queued {
                println!("queued {id}");
            }
            for (repo, error) in &report.failed_repos {
                eprintln!("design-review: {repo} skipped: {error}");
            }
            match report.rate_limited_until {
                Some(until) => {
                    println!(
                        "stopped by GitHub's rate limit: run `design-review resync` again after {until}"
                    );
                    ExitCode::from(3)
                }
                None if !report.failed_repos.is_empty() => ExitCode::FAILURE,
                None => ExitCode::SUCCESS,
            }
        }
        Err(error) => {
            eprintln!("design-review: {error:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod debug_tests {
    use clap::Parser;

    use super::ResyncArgs;

    #[derive(Parser)]
    struct Wrapper {
        #[command(flatten)]
        args: ResyncArgs,
    }

    #[test]
    fn secrets_never_in_debug_output() {
        let args = Wrapper::try_parse_from([
            "resync",
            "--repo",
            "acme/widgets",
            "--private-key=-----BEGIN RSA PRIVATE KEY-----\\nMIIEsecretkeybody",
            "--webhook-secret",
            "s3cret-one,s3cret-two",
            "--database-url",
            "postgres://dr:hunter2@db/dr",
        ])
        .expect("flags parse")
        .args;
        let debug = format!("{args:?} {args:#?}");
        for secret in ["MIIEsecretkeybody", "s3cret", "hunter2"] {
            assert!(!debug.contains(secret), "{secret} in {debug}");
        }
        assert!(debug.contains("acme/widgets"), "{debug}");
    }
}
