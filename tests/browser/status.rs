//! The status page of a registered server in a real browser: it renders (screenshot, kept for a
//! person to look at) with the App's link, the install button, the counts and the next steps,
//! and names no repository.

use std::{
    process::{Command, Stdio},
    time::Duration,
};

use super::cdp::{Browser, CHROMIUM, base_args};
use super::support::fake_github::{APP_ID, FakeGithub};
use super::{BIN, artifact, assert_png, chromium_missing, pixel_stats, shows_green_button};

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

    let profile = tempfile::tempdir().unwrap();
    let mut browser = Browser::launch(profile.path()).await;
    browser.navigate(&format!("{base}/")).await;
    browser
        .wait_until(
            "the status page",
            "document.readyState === 'complete' && !!document.getElementById('next-steps')",
        )
        .await;
    let read = |id: &str| format!("document.getElementById('{id}').textContent");
    let app = browser.eval(&read("app")).await;
    assert_eq!(app.as_str(), Some("design-review"));
    let install = browser
        .eval("document.getElementById('install').href")
        .await;
    assert_eq!(
        install.as_str(),
        Some("https://github.com/apps/design-review/installations/new")
    );
    let queue = browser.eval(&read("queue")).await;
    assert_eq!(queue.as_str(), Some("0 deliveries waiting"));
    let steps = browser
        .eval("document.querySelectorAll('#next-steps li').length")
        .await;
    assert_eq!(steps.as_u64(), Some(5));
    let text = browser.eval("document.body.innerText").await;
    let text = text.as_str().unwrap_or_default();
    assert!(text.contains("with access to 1 repository."), "{text}");
    assert!(!text.contains("widgets"), "{text}");
    let png = browser.screenshot().await;
    assert_png(&png);
    std::fs::write(artifact("status-page.png"), &png).expect("save screenshot");
    let stats = pixel_stats(&mut browser, &png).await;
    println!("status page screenshot: {stats}");
    if let Err(problem) = shows_green_button(&stats) {
        panic!("status page screenshot: {problem}");
    }
    browser.close().await;
    // Chromium's own rendering of the whole page (a taller window), for a person to read every
    // step.
    let profile = tempfile::tempdir().unwrap();
    let full = artifact("status-page-full.png");
    let shot = tokio::process::Command::new(CHROMIUM)
        .args(base_args(profile.path()))
        .arg("--window-size=1000,1700")
        .arg(format!("--screenshot={}", full.display()))
        .arg(format!("{base}/"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .await
        .expect("chromium runs");
    assert!(shot.success(), "chromium --screenshot failed: {shot:?}");
    assert_png(&std::fs::read(&full).expect("screenshot written"));
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}
