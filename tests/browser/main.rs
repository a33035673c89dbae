//! The setup page in a real browser (Debian's headless Chromium): the page renders with its
//! "Register GitHub App" button (screenshot and DOM), and clicking it completes the registration
//! against the fake GitHub, leaving the credentials in `.env` of a real `design-review serve`.
//!
//! Screenshots go to `target/screenshots/` for a person to look at (the paths are printed).
//!
//! Skips with a note when `/usr/bin/chromium` is absent (`.ci/run` installs it).

#[path = "../support/mod.rs"]
mod support;

#[allow(dead_code)]
mod chromium;
mod status;

use std::{
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use chromium::{Chromium, chromium_missing, screenshot_dir};
use serde_json::Value;
use support::fake_github::FakeGithub;

const BIN: &str = env!("CARGO_BIN_EXE_design-review");

/// `design-review serve` in setup mode, in its own working directory.
struct Serve {
    child: Child,
    base: String,
}

impl Serve {
    async fn start(dir: &Path, gh: &FakeGithub) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let child = Command::new(BIN)
            .arg("serve")
            .current_dir(dir)
            .env_clear()
            .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
            .env(
                "DATABASE_URL",
                format!("sqlite://{}", dir.join("dr.db").display()),
            )
            .env("GITHUB_API_URL", gh.url().as_str())
            .env("GITHUB_URL", gh.web_url().as_str())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("design-review starts");
        let base = format!("http://127.0.0.1:{port}");
        let health = format!("{base}/healthz");
        let started = std::time::Instant::now();
        while reqwest::get(&health).await.is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "server never answered"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Self { child, base }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

/// Keeps a screenshot in `target/screenshots/NAME` and says where.
fn keep(name: &str, png: &[u8]) {
    assert_png(png);
    let path = screenshot_dir().join(name);
    std::fs::write(&path, png).expect("save screenshot");
    println!("screenshot: {}", path.display());
}

fn assert_png(bytes: &[u8]) {
    assert!(bytes.len() > 1000, "PNG of {} bytes", bytes.len());
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
}

/// Pixel statistics of a PNG, decoded by the browser itself (no image crate needed): size,
/// number of distinct colours, share of the most common colour, pixels of the pages' button
/// green (#1f883d) and of dark text.
fn pixel_stats(chromium: &Chromium, png: &[u8]) -> Value {
    use base64::Engine;
    let data = base64::engine::general_purpose::STANDARD.encode(png);
    let script = format!(
        r#"(async () => {{
  const img = new Image();
  img.src = 'data:image/png;base64,{data}';
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = img.naturalWidth;
  canvas.height = img.naturalHeight;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  const counts = new Map();
  let green = 0, dark = 0, dominant = 0;
  for (let i = 0; i < px.length; i += 4) {{
    const r = px[i], g = px[i + 1], b = px[i + 2];
    const key = (r << 16) | (g << 8) | b;
    const n = (counts.get(key) || 0) + 1;
    counts.set(key, n);
    if (n > dominant) dominant = n;
    if (Math.abs(r - 0x1f) < 16 && Math.abs(g - 0x88) < 16 && Math.abs(b - 0x3d) < 16) green++;
    if (r < 90 && g < 90 && b < 90) dark++;
  }}
  const pixels = px.length / 4;
  return JSON.stringify({{ width: canvas.width, height: canvas.height, colours: counts.size,
           dominant: dominant / pixels, green, dark }});
}})()"#
    );
    serde_json::from_str(&chromium.text(&script)).expect("pixel statistics")
}

/// Whether a screenshot shows one of our pages with its green button (or install link): an
/// error page, a blank page or a page without the button fails.
fn shows_green_button(stats: &Value) -> Result<(), String> {
    let number = |key: &str| stats[key].as_f64().unwrap_or(0.0);
    if number("width") < 100.0 || number("height") < 100.0 {
        return Err(format!("too small: {stats}"));
    }
    if number("dominant") > 0.995 || number("colours") < 8.0 {
        return Err(format!("a near-uniform image: {stats}"));
    }
    // The button is about 190 x 40 pixels; its text is white on the green.
    if number("green") < 2000.0 {
        return Err(format!("no green button: {stats}"));
    }
    if number("dark") < 300.0 {
        return Err(format!("no text: {stats}"));
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setup_page_renders_and_registering_in_the_browser_writes_the_env_file() {
    if chromium_missing() {
        return;
    }
    let gh = FakeGithub::start().await;
    let work = tempfile::tempdir().unwrap();
    let server = Serve::start(work.path(), &gh).await;
    let page_url = format!("{}/", server.base);

    // The browser is driven synchronously, on this worker, while the other serves the fake
    // GitHub.
    let install = tokio::task::block_in_place(|| register_in_the_browser(&page_url));
    assert_eq!(
        install,
        format!("{}apps/design-review/installations/new", gh.web_url())
    );

    let env_file = work.path().join(".env");
    let env = poll(".env", Duration::from_secs(10), || {
        std::fs::read_to_string(&env_file).ok()
    })
    .await;
    assert!(
        env.contains(&format!("APP_ID={}\n", support::fake_github::APP_ID)),
        "{env}"
    );
    assert!(env.contains("PRIVATE_KEY_PATH="), "{env}");
    assert!(env.contains("WEBHOOK_SECRET="), "{env}");
    let manifests = gh.registered_manifests();
    assert_eq!(manifests.len(), 1);
    assert_eq!(
        manifests[0].1["redirect_url"],
        format!("{}/setup/callback", server.base)
    );
    // The running server switched to normal mode.
    let status = reqwest::get(&page_url).await.unwrap().text().await.unwrap();
    assert!(status.contains("is running"), "{status}");
}

/// Opens the setup page (screenshot and DOM), clicks "Register GitHub App" as a person would
/// (GitHub's page sends the browser back to /setup/callback, and the server saves the new
/// App), and returns the install link of the page it lands on.
fn register_in_the_browser(page_url: &str) -> String {
    let chromium = Chromium::launch(1000, 800);

    // The screenshot shows the page, not an error: the button's green and text are in it. The
    // same check refuses a screenshot of the blank page the browser starts on.
    let blank = chromium.screenshot();
    let blank_stats = pixel_stats(&chromium, &blank);
    assert!(
        shows_green_button(&blank_stats).is_err(),
        "the check must refuse a blank page: {blank_stats}"
    );

    chromium.go(page_url);
    chromium.wait_until(
        "the setup page",
        "!!document.getElementById('register-app')",
    );
    let setup = chromium.screenshot();
    keep("setup-page.png", &setup);
    let stats = pixel_stats(&chromium, &setup);
    println!("setup page screenshot: {stats}");
    if let Err(problem) = shows_green_button(&stats) {
        panic!("setup page screenshot: {problem}");
    }
    let dom = chromium.tab.get_content().expect("the page's DOM");
    assert!(dom.contains("id=\"register-app\""), "{dom}");
    assert!(dom.contains(">Register GitHub App</button>"), "{dom}");

    chromium.eval("document.getElementById('register-app').click(); true");
    chromium.wait_until(
        "the registered page",
        "document.readyState === 'complete' && location.pathname === '/setup/callback' \
         && !!document.getElementById('install')",
    );
    let install = chromium.text("document.getElementById('install').href");
    let done = chromium.screenshot();
    keep("registered-page.png", &done);
    // The registered page's install link is the same green.
    let stats = pixel_stats(&chromium, &done);
    println!("registered page screenshot: {stats}");
    if let Err(problem) = shows_green_button(&stats) {
        panic!("registered page screenshot: {problem}");
    }
    install
}

/// Polls `probe` until it yields a value (for processes that cannot hand us a bound socket).
async fn poll<T>(what: &str, limit: Duration, mut probe: impl FnMut() -> Option<T>) -> T {
    let started = Instant::now();
    loop {
        if let Some(value) = probe() {
            return value;
        }
        assert!(started.elapsed() < limit, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
