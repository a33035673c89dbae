//! The `design-review` binary as a process: start-up errors, readiness, healthcheck, SIGTERM.

use std::{
    io::Read,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

const BIN: &str = env!("CARGO_BIN_EXE_design-review");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn serve(dir: &std::path::Path, port: u16, extra: &[(&str, &str)]) -> Child {
    let mut command = Command::new(BIN);
    command
        .arg("serve")
        .current_dir(dir)
        .env_clear()
        .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.join("dr.db").display()),
        )
        .env("WEBHOOK_SECRET", "s3cret")
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (key, value) in extra {
        command.env(key, value);
    }
    command.spawn().expect("binary starts")
}

/// Polls /healthz until it answers (the process needs a moment to bind).
fn wait_ready(port: u16) -> Duration {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(20) {
        let status = Command::new(BIN)
            .args([
                "healthcheck",
                "--ready",
                "--listen-addr",
                &format!("127.0.0.1:{port}"),
            ])
            .stderr(Stdio::null())
            .status()
            .unwrap();
        if status.success() {
            return started.elapsed();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("server on {port} never became ready");
}

#[test]
fn invalid_settings_stop_start_up_with_one_line_naming_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    for (key, value, variable) in [
        ("LISTEN_ADDR", "not-an-address", "LISTEN_ADDR"),
        ("APP_ID", "12", "PRIVATE_KEY"),
        ("DATABASE_URL", "mysql://db", "DATABASE_URL"),
    ] {
        let output = Command::new(BIN)
            .arg("serve")
            .current_dir(dir.path())
            .env_clear()
            .env(key, value)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{key}={value}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(stderr.contains(variable), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn serves_health_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = serve(dir.path(), port, &[]);
    wait_ready(port);
    // The healthcheck subcommand used by the container image.
    let status = Command::new(BIN)
        .args(["healthcheck", "--listen-addr", &format!("0.0.0.0:{port}")])
        .status()
        .unwrap();
    assert!(status.success());
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status:?}");
    let mut log = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    assert!(log.contains("stopped"), "{log}");
    // The healthcheck now fails: nothing listens.
    let status = Command::new(BIN)
        .args(["healthcheck", "--listen-addr", &format!("127.0.0.1:{port}")])
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(!status.success());
}
