//! Runs the `design-review` binary as a separate process (crash, restart and replica tests).
#![allow(dead_code)]

use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use super::fake_github::{APP_ID, FakeGithub};

pub const BIN: &str = env!("CARGO_BIN_EXE_design-review");
pub const SECRET: &str = "process-test-secret";

/// A running `design-review serve`.
pub struct ServerProcess {
    child: Child,
    pub port: u16,
}

/// Environment for a server that talks to `gh` and stores in `database_url`.
pub fn server_env(gh: &FakeGithub, database_url: &str) -> Vec<(String, String)> {
    let key = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keys/app.pem");
    vec![
        ("APP_ID".into(), APP_ID.to_string()),
        ("PRIVATE_KEY_PATH".into(), key.display().to_string()),
        ("WEBHOOK_SECRET".into(), SECRET.into()),
        ("GITHUB_API_URL".into(), gh.url().to_string()),
        ("DATABASE_URL".into(), database_url.into()),
        ("QUEUE_LEASE_SECS".into(), "1".into()),
        ("RETRY_BASE_MS".into(), "50".into()),
        ("WORKERS".into(), "4".into()),
        ("RUST_LOG".into(), "warn".into()),
    ]
}

impl ServerProcess {
    /// Starts the server on a free port and waits until it is ready.
    pub async fn start(env: &[(String, String)]) -> Self {
        let mut command = Command::new(BIN);
        command.arg("serve");
        Self::start_command(command, env).await
    }

    /// [`Self::start`] with at most `limit` open file descriptors (`prlimit --nofile`).
    pub async fn start_with_open_file_limit(env: &[(String, String)], limit: u32) -> Self {
        let mut command = Command::new("prlimit");
        command
            .arg(format!("--nofile={limit}"))
            .arg("--")
            .arg(BIN)
            .arg("serve");
        Self::start_command(command, env).await
    }

    async fn start_command(mut command: Command, env: &[(String, String)]) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = command
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("server binary starts");
        let server = Self { child, port };
        server.wait_ready().await;
        server
    }

    async fn wait_ready(&self) {
        let client = reqwest::Client::new();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(20) {
            if let Ok(r) = client.get(self.url("/readyz")).send().await
                && r.status() == 200
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("server on port {} never became ready", self.port);
    }

    /// The server's process id (`prlimit` execs the server, keeping its id).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Sends a signed delivery; returns the status code.
    pub async fn send(&self, client: &reqwest::Client, event: &str, id: &str, body: &str) -> u16 {
        client
            .post(self.url("/api/github/webhooks"))
            .header("content-type", "application/json")
            .header("x-github-event", event)
            .header("x-github-delivery", id)
            .header(
                "x-hub-signature-256",
                design_review::webhook::signature::sign(SECRET, body.as_bytes()),
            )
            .body(body.to_string())
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0)
    }

    /// SIGKILL: no chance to finish anything.
    pub fn kill(mut self) {
        self.child.kill().expect("kill");
        self.child.wait().expect("reap");
    }

    /// SIGTERM, then waits for the exit; returns whether it exited successfully.
    pub async fn terminate(mut self) -> bool {
        let pid = self.child.id().to_string();
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill -TERM");
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.success();
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "no exit after SIGTERM"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
