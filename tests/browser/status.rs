//! The status page of a registered server in a real browser: it renders (screenshot, kept for a
//! person to look at) with the App's link, the install button, the counts and the next steps,
//! and names no repository.

use std::{
    process::{Command, Stdio},
    time::Duration,
};

use super::chromium::{Chromium, chromium_missing};
use super::support::fake_github::{APP_ID, FakeGithub};
use super::{BIN, keep, pixel_stats, shows_green_button};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_status_page_says_what_to_do_next() {
    if chromium_missing() {
        return;
    }
    let gh = FakeGithub::start().await;
    gh.repo("acme/widgets");
    let work = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let key = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/keys/app.pem");
    let mut child = Command::new(BIN)
        .arg("serve")
        .current_dir(work.path())
        .env_clear()
        .env("APP_ID", APP_ID.to_string())
        .env("PRIVATE_KEY_PATH", key)
        .env("WEBHOOK_SECRET", "s3cret")
        .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", work.path().join("dr.db").display()),
        )
        .env("GITHUB_API_URL", gh.url().as_str())
        .env("GITHUB_URL", "https://github.com")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("design-review starts");
    let base = format!("http://127.0.0.1:{port}");
    let started = std::time::Instant::now();
    while reqwest::get(format!("{base}/healthz")).await.is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "never answered"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // The browser is driven synchronously, on this worker, while the other serves the fake
    // GitHub.
    tokio::task::block_in_place(|| read_the_status_page(&format!("{base}/")));
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

/// Reads the status page at `url` as a person would, and photographs it.
fn read_the_status_page(url: &str) {
    let chromium = Chromium::launch(1000, 800);
    chromium.go(url);
    chromium.wait_until("the status page", "!!document.getElementById('next-steps')");
    let read = |id: &str| chromium.text(&format!("document.getElementById('{id}').textContent"));
    assert_eq!(read("app"), "design-review");
    assert_eq!(
        chromium.text("document.getElementById('install').href"),
        "https://github.com/apps/design-review/installations/new"
    );
    assert_eq!(read("queue"), "0 deliveries waiting");
    let steps = chromium.eval("document.querySelectorAll('#next-steps li').length");
    assert_eq!(steps.as_u64(), Some(5));
    let text = chromium.text("document.body.innerText");
    assert!(text.contains("with access to 1 repository."), "{text}");
    assert!(!text.contains("widgets"), "{text}");
    let png = chromium.screenshot();
    keep("status-page.png", &png);
    let stats = pixel_stats(&chromium, &png);
    println!("status page screenshot: {stats}");
    if let Err(problem) = shows_green_button(&stats) {
        panic!("status page screenshot: {problem}");
    }
    // The whole page (a taller screen), for a person to read every step.
    chromium.resize(1000, 1700);
    keep("status-page-full.png", &chromium.screenshot());
}
