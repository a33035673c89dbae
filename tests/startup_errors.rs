//! Invalid settings stop start-up with one line naming the variable and saying why (exit 2),
//! before anything is started or created: values clap refuses, values checked against others,
//! and `RUST_LOG`.

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_design-review");

/// Runs `design-review COMMAND` in `dir` with only `env` (plus a listen address and a database
/// in `dir`) set.
fn run(dir: &Path, command: &str, env: &[(&str, &str)]) -> Output {
    Command::new(BIN)
        .arg(command)
        .current_dir(dir)
        .env_clear()
        .env("LISTEN_ADDR", "127.0.0.1:0")
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.join("dr.db").display()),
        )
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

/// The one line on stderr of a start-up refused with exit code 2.
fn refusal(output: &Output, case: &str) -> String {
    assert_eq!(output.status.code(), Some(2), "{case}");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(stderr.trim().lines().count(), 1, "{case}: {stderr}");
    assert!(!stderr.contains("panicked"), "{case}: {stderr}");
    stderr
}

#[test]
fn invalid_rust_log_stops_start_up_with_one_line_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    for command in ["serve", "resync"] {
        let output = run(dir.path(), command, &[("RUST_LOG", "design_review=loud")]);
        let stderr = refusal(&output, command);
        assert!(stderr.contains("RUST_LOG"), "{command}: {stderr}");
        assert!(stderr.contains("design_review=loud"), "{command}: {stderr}");
    }
    // Nothing was started: no database was created.
    assert!(!dir.path().join("dr.db").exists());
}

#[test]
fn empty_rust_log_means_the_default_filter() {
    let dir = tempfile::tempdir().unwrap();
    // `resync` without App credentials stops after the log set-up, with a line naming them.
    let output = run(dir.path(), "resync", &[("RUST_LOG", "")]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("RUST_LOG"), "{stderr}");
    assert!(stderr.contains("APP_ID"), "{stderr}");
}

#[test]
fn invalid_shutdown_delay_stops_start_up_with_one_line_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    for value in ["soon", "-1", "86400"] {
        let output = run(dir.path(), "serve", &[("SHUTDOWN_DELAY_SECS", value)]);
        let stderr = refusal(&output, value);
        assert!(stderr.contains("SHUTDOWN_DELAY_SECS"), "{value}: {stderr}");
    }
    assert!(!dir.path().join("dr.db").exists());
}

#[test]
fn invalid_numbers_and_switches_stop_start_up_with_one_line_naming_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    for (variable, value) in [
        ("WORKERS", "four"),
        ("MAX_ATTEMPTS", "-1"),
        ("QUEUE_LEASE_SECS", "30s"),
        ("DELIVERY_RETENTION_DAYS", "1e3"),
        ("RESYNC_ON_START", "maybe"),
    ] {
        let output = run(dir.path(), "serve", &[(variable, value)]);
        let stderr = refusal(&output, variable);
        assert!(
            stderr.starts_with(&format!(
                "design-review: invalid setting {variable}: \"{value}\""
            )),
            "{stderr}"
        );
    }
    assert!(!dir.path().join("dr.db").exists(), "nothing was created");
}

#[test]
fn invalid_values_stop_start_up_with_one_line_saying_why() {
    let dir = tempfile::tempdir().unwrap();
    let refused = |what: &str| format!("design-review: invalid setting {what}\n");
    for (variable, value, expected) in [
        (
            "LOG_FORMAT",
            "xml",
            r#"LOG_FORMAT: "xml": expected text or json"#,
        ),
        (
            "LISTEN_ADDR",
            "nowhere",
            r#"LISTEN_ADDR: "nowhere": invalid socket address syntax"#,
        ),
        (
            "GITHUB_API_URL",
            "ftp://x",
            r#"GITHUB_API_URL: "ftp://x": must be an http(s) URL"#,
        ),
        (
            "QUEUE_LEASE_SECS",
            "30s",
            r#"QUEUE_LEASE_SECS: "30s": not a whole number (invalid digit found in string)"#,
        ),
        (
            "SHUTDOWN_DELAY_SECS",
            "86400",
            r#"SHUTDOWN_DELAY_SECS: "86400": at most 600 seconds"#,
        ),
        (
            "HTTP_MAX_CONNECTIONS",
            "0",
            r#"HTTP_MAX_CONNECTIONS: "0": must be at least 1"#,
        ),
        (
            "GITHUB_ORG",
            "acme/widgets",
            r#"GITHUB_ORG: "acme/widgets": not an organization login"#,
        ),
        // Secrets are checked after parsing, and never echoed.
        (
            "DATABASE_URL",
            "mysql://dr:hunter2@db/dr",
            "DATABASE_URL: must start with sqlite:// or postgres://",
        ),
        (
            "SESSION_KEY",
            "short-s3cret",
            "SESSION_KEY: must be at least 32 characters",
        ),
    ] {
        let output = run(dir.path(), "serve", &[(variable, value)]);
        assert_eq!(refusal(&output, variable), refused(expected));
    }
    assert!(!dir.path().join("dr.db").exists(), "nothing was created");
}
