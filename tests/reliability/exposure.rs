//! What strangers can read without credentials: `/metrics` (on its own address with
//! `METRICS_ADDR`) and the status page name no repository; and log lines written to a pipe carry
//! no colour codes.

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    time::Duration,
};

use crate::common::{REPO, github_with_prs, quiet_env};
use crate::support::process::{BIN, ServerProcess, server_env};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_listen_on_their_own_address_and_no_page_names_a_repository() {
    let gh = github_with_prs(1).await;
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("dr.db").display());
    let metrics_port = free_port();
    let mut env = quiet_env(&gh, &database_url);
    env.push(("METRICS_ADDR".into(), format!("127.0.0.1:{metrics_port}")));
    let server = ServerProcess::start(&env).await;
    let client = reqwest::Client::new();
    let body = gh.pull_request_event("synchronize", REPO, 1);
    assert_eq!(
        server.send(&client, "pull_request", "exposed", &body).await,
        202
    );
    let get = |url: String| {
        let client = client.clone();
        async move {
            let response = client.get(url).send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let (main_status, _) = get(server.url("/metrics")).await;
    assert_eq!(main_status, 404, "/metrics is not served on LISTEN_ADDR");
    // Wait until the delivery was handled, so its GitHub calls are counted.
    let metrics_url = format!("http://127.0.0.1:{metrics_port}/metrics");
    let started = std::time::Instant::now();
    let metrics = loop {
        let (status, metrics) = get(metrics_url.clone()).await;
        assert_eq!(status, 200);
        if metrics.contains("\ndesign_review_deliveries_processed_total{") {
            break metrics;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "{metrics}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(
        metrics.contains("\ndesign_review_github_requests_total{"),
        "{metrics}"
    );
    let (status, page) = get(server.url("/")).await;
    assert_eq!(status, 200);
    let (owner, name) = REPO.split_once('/').unwrap();
    for (what, text) in [("/metrics", &metrics), ("the status page", &page)] {
        assert!(
            !text.contains(owner) && !text.contains(name),
            "{what} names the repository:\n{text}"
        );
    }
}

#[test]
fn log_lines_written_to_a_pipe_have_no_colour_codes() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("dr.db").display());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let gh = runtime.block_on(github_with_prs(0));
    let mut child = Command::new(BIN)
        .arg("serve")
        .env_clear()
        .envs(server_env(&gh, &database_url))
        .env("RUST_LOG", "info")
        .env("LISTEN_ADDR", "127.0.0.1:0")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("server starts");
    let stderr = child.stderr.take().unwrap();
    let (lines_tx, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = lines_tx.send(line);
        }
    });
    let mut seen = Vec::new();
    while let Ok(line) = lines.recv_timeout(Duration::from_secs(20)) {
        let ready = line.contains("ready");
        seen.push(line);
        if ready {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        seen.iter().any(|line| line.contains(" INFO ready")),
        "{seen:#?}"
    );
    let coloured: Vec<_> = seen.iter().filter(|line| line.contains('\u{1b}')).collect();
    assert!(coloured.is_empty(), "escape codes in {coloured:#?}");
}

#[test]
fn json_log_lines_are_flat_and_every_line_of_a_delivery_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("dr.db").display());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let gh = runtime.block_on(github_with_prs(1));
    let port = free_port();
    let mut child = Command::new(BIN)
        .arg("serve")
        .env_clear()
        .envs(server_env(&gh, &database_url))
        .env("RUST_LOG", "info")
        .env("LOG_FORMAT", "json")
        .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("server starts");
    let stderr = child.stderr.take().unwrap();
    let (lines_tx, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = lines_tx.send(line);
        }
    });
    let mut seen: Vec<serde_json::Value> = Vec::new();
    let mut sent = false;
    while let Ok(line) = lines.recv_timeout(Duration::from_secs(20)) {
        let value: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        let message = value["message"].as_str().unwrap_or_default().to_string();
        seen.push(value);
        if message == "ready" && !sent {
            sent = true;
            let body = gh.pull_request_event("synchronize", REPO, 1);
            let status = runtime.block_on(async {
                reqwest::Client::new()
                    .post(format!("http://127.0.0.1:{port}/api/github/webhooks"))
                    .header("x-github-event", "pull_request")
                    .header("x-github-delivery", "json-logs-1")
                    .header(
                        "x-hub-signature-256",
                        design_review::webhook::signature::sign(
                            crate::support::process::SECRET,
                            body.as_bytes(),
                        ),
                    )
                    .body(body)
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            });
            assert_eq!(status, 202);
        }
        if message == "evaluation finished" {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    // Flat: the message and the fields at the top level, nothing nested.
    for line in &seen {
        let object = line.as_object().expect("an object per line");
        assert!(
            object.contains_key("message") && object.contains_key("level"),
            "{line}"
        );
        assert!(
            object.values().all(|v| !v.is_object() && !v.is_array()),
            "nested value in {line}"
        );
    }
    // Every line logged while the delivery was worked on names it, its repository and PR.
    let work: Vec<_> = seen
        .iter()
        .filter(|l| {
            l["target"]
                .as_str()
                .is_some_and(|t| t.starts_with("design_review::review"))
        })
        .collect();
    assert!(
        work.iter().any(|l| l["message"] == "evaluation finished"),
        "{seen:#?}"
    );
    for line in work {
        assert_eq!(line["delivery_id"], "json-logs-1", "{line}");
        assert_eq!(line["repo"], REPO, "{line}");
        assert_eq!(line["pr"], format!("{REPO}#1"), "{line}");
    }
    let received = seen
        .iter()
        .find(|l| l["message"] == "webhook received")
        .expect("intake line");
    assert_eq!(received["delivery_id"], "json-logs-1");
}
