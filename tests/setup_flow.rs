//! First run: `serve` without App credentials shows the setup page, registers the App through
//! the (fake) GitHub manifest flow, saves the credentials and starts working without a restart.

mod support;

use std::time::{Duration, Instant};

use clap::Parser;
use design_review::{
    cli::serve,
    config::settings::{ServeArgs, Settings},
    webhook::signature,
};
use support::fake_github::{FakeGithub, PRIVATE_KEY_PEM, REGISTERED_WEBHOOK_SECRET};
use tokio_util::sync::CancellationToken;

#[derive(Parser)]
struct Flags {
    #[command(flatten)]
    args: ServeArgs,
}

/// A `serve` running in setup mode in this process, against the fake GitHub.
struct Server {
    base: String,
    dir: tempfile::TempDir,
    shutdown: CancellationToken,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl Server {
    async fn start(gh: &FakeGithub, extra: &[&str]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let database = format!("sqlite://{}", dir.path().join("dr.db").display());
        let api = gh.url().to_string();
        let web = gh.web_url().to_string();
        let mut argv = vec![
            "serve",
            "--database-url",
            &database,
            "--github-api-url",
            &api,
            "--github-url",
            &web,
            "--retry-base-ms",
            "20",
        ];
        if !extra.contains(&"--listen-addr") {
            argv.extend_from_slice(&["--listen-addr", "127.0.0.1:0"]);
        }
        argv.extend_from_slice(extra);
        let settings = Settings::from_args(&Flags::try_parse_from(argv).expect("flags").args)
            .expect("valid settings");
        assert!(settings.app.is_none(), "no credentials: setup mode");
        let listener = tokio::net::TcpListener::bind(settings.listen_addr)
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("address");
        // Off loopback, open the server as the printed setup URL names it.
        let base = if addr.ip().is_unspecified() {
            format!("http://localhost:{}", addr.port())
        } else {
            format!("http://{addr}")
        };
        let shutdown = CancellationToken::new();
        let task = tokio::spawn(serve::serve(
            settings,
            listener,
            dir.path().to_path_buf(),
            shutdown.clone(),
        ));
        Self {
            base,
            dir,
            shutdown,
            task,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn stop(self) {
        self.shutdown.cancel();
        self.task
            .await
            .expect("serve task")
            .expect("serve stops cleanly");
    }
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The value of the first `name="value"` attribute after `marker` in `html`.
fn attribute(html: &str, marker: &str, name: &str) -> String {
    let rest = &html[html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} in {html}"))..];
    let start = rest
        .find(&format!("{name}=\""))
        .unwrap_or_else(|| panic!("{name} after {marker}"))
        + name.len()
        + 2;
    let end = start + rest[start..].find('"').expect("closing quote");
    unescape(&rest[start..end])
}

struct Form {
    action: String,
    manifest: serde_json::Value,
    /// `name=value` of the cookie that binds the registration to this browser.
    cookie: String,
    /// The whole `Set-Cookie` header.
    set_cookie: String,
    /// The page itself.
    html: String,
}

impl Form {
    /// The `state` GitHub will send back.
    fn state(&self) -> &str {
        self.action.split_once("state=").expect("state in action").1
    }

    /// The cookie's attributes, after its random value.
    fn cookie_attributes(&self) -> &str {
        attributes(&self.set_cookie)
    }
}

/// What follows the `name=value` of a `Set-Cookie` header.
fn attributes(set_cookie: &str) -> &str {
    set_cookie.split_once(';').expect("attributes").1
}

/// The `<body>` of `html` with this run's addresses and random tokens replaced by fixed names,
/// so that a snapshot holds what every run shows.
fn redacted_body(html: &str, server: &Server, gh: &FakeGithub) -> String {
    let body = support::html::element(html, "body")
        .replace(gh.web_url().as_str(), "https://github.test/")
        .replace(&server.base, "http://design-review.test")
        .replace(&server.dir.path().display().to_string(), "[dir]")
        .replace(
            &format!("Version {}.", env!("CARGO_PKG_VERSION")),
            "Version [version].",
        );
    [
        (r"\b[0-9a-f]{32,}\b", "[token]"),
        (r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC", "[time]"),
        (r"http://127\.0\.0\.1:\d+", "http://[local service]"),
    ]
    .into_iter()
    .fold(body, |text, (pattern, mark)| {
        let pattern = regex::Regex::new(pattern).expect("pattern");
        pattern.replace_all(&text, mark).into_owned()
    })
}

/// The setup page as a browser without our cookie sees it.
async fn setup_form(server: &Server) -> Form {
    setup_form_with_cookie(server, None).await
}

async fn setup_form_with_cookie(server: &Server, cookie: Option<&str>) -> Form {
    let mut request = http().get(server.url("/"));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = request.send().await.expect("GET /");
    assert_eq!(response.status(), 200);
    let set_cookie = response
        .headers()
        .get("set-cookie")
        .expect("the page sets the state cookie")
        .to_str()
        .expect("cookie text")
        .to_string();
    let cookie = set_cookie
        .split(';')
        .next()
        .expect("name=value")
        .to_string();
    let html = response.text().await.expect("page");
    assert!(
        !html.contains("<script") && !html.contains("<link"),
        "self-contained"
    );
    Form {
        action: attribute(&html, "<form id=\"register\"", "action"),
        manifest: serde_json::from_str(&attribute(&html, "name=\"manifest\"", "value"))
            .expect("manifest is JSON"),
        cookie,
        set_cookie,
        html,
    }
}

/// Follows GitHub's redirect back to this server as the browser holding `cookie` would.
async fn open_callback(url: &str, cookie: Option<&str>) -> reqwest::Response {
    let mut request = http().get(url);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.expect("callback")
}

fn app_yml() -> serde_json::Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/app.yml")).unwrap();
    serde_yaml_ng::from_str(&text).unwrap()
}

/// Posts the form to the fake's "new GitHub App" page and returns where GitHub sends the user.
async fn confirm_on_github(form: &Form) -> String {
    let response = http()
        .post(&form.action)
        .form(&[("manifest", form.manifest.to_string())])
        .send()
        .await
        .expect("post to GitHub");
    assert_eq!(response.status(), 302);
    response.headers()["location"]
        .to_str()
        .expect("location")
        .to_string()
}

async fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn registers_the_app_and_processes_webhooks_without_a_restart() {
    let gh = FakeGithub::start().await;
    gh.repo("acme/widgets");
    gh.pull("acme/widgets", 7)
        .head_sha("1111111111111111111111111111111111111111");
    let server = Server::start(&gh, &[]).await;
    std::fs::write(
        server.dir.path().join(".env"),
        "LOG_FORMAT=json\nAPP_ID=1\n",
    )
    .unwrap();

    // The page: a form posting app.yml (with this server's URLs) to GitHub's new-App page.
    let form = setup_form(&server).await;
    let prefix = format!("{}settings/apps/new?state=", gh.web_url());
    assert!(form.action.starts_with(&prefix), "{}", form.action);
    // The state is bound to this browser by a cookie scripts cannot read.
    assert_eq!(
        form.cookie,
        format!("design_review_setup_state={}", form.state())
    );
    assert_eq!(
        form.cookie_attributes(),
        " Path=/; Max-Age=3600; HttpOnly; SameSite=Lax",
        "plain http"
    );
    insta::assert_snapshot!("setup_page", redacted_body(&form.html, &server, &gh));
    let expected = app_yml();
    assert_eq!(
        form.manifest["hook_attributes"]["url"],
        server.url("/api/github/webhooks")
    );
    assert_eq!(form.manifest["redirect_url"], server.url("/setup/callback"));
    assert_eq!(form.manifest["url"], expected["url"]);
    assert_eq!(form.manifest["default_events"], expected["default_events"]);
    assert_eq!(
        form.manifest["default_permissions"],
        expected["default_permissions"]
    );

    // No App yet: webhooks are refused rather than stored unverified.
    let body = gh.pull_request_event("opened", "acme/widgets", 7);
    let refused = http()
        .post(server.url("/api/github/webhooks"))
        .header("x-github-event", "pull_request")
        .header("x-github-delivery", "before-setup")
        .header(
            "x-hub-signature-256",
            signature::sign(REGISTERED_WEBHOOK_SECRET, body.as_bytes()),
        )
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 503);

    // GitHub sends the user back with a code; the server trades it for the App.
    let callback = confirm_on_github(&form).await;
    assert!(
        callback.starts_with(&server.url("/setup/callback?code=")),
        "{callback}"
    );
    let page = open_callback(&callback, Some(&form.cookie)).await;
    assert_eq!(page.status(), 200);
    let cleared = page.headers()["set-cookie"].to_str().unwrap().to_string();
    assert_eq!(
        cleared,
        "design_review_setup_state=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
    );
    let html = page.text().await.unwrap();
    insta::assert_snapshot!("registered_page", redacted_body(&html, &server, &gh));
    assert!(!html.contains(REGISTERED_WEBHOOK_SECRET) && !html.contains("PRIVATE KEY"));

    // Credentials saved: .env (other lines kept, old APP_ID replaced) and a 0600 key file.
    let env = std::fs::read_to_string(server.dir.path().join(".env")).unwrap();
    let vars: std::collections::HashMap<String, String> = dotenvy::from_read_iter(env.as_bytes())
        .collect::<Result<_, _>>()
        .expect(".env parses");
    assert_eq!(vars["LOG_FORMAT"], "json");
    assert_eq!(vars["APP_ID"], support::fake_github::APP_ID.to_string());
    assert_eq!(vars["WEBHOOK_SECRET"], REGISTERED_WEBHOOK_SECRET);
    // Only what the server reads (the OAuth client and a session key for the web pages'
    // sign-in), and the key by a path relative to `.env`.
    let mut names: Vec<&str> = vars.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "APP_ID",
            "GITHUB_CLIENT_ID",
            "GITHUB_CLIENT_SECRET",
            "LOG_FORMAT",
            "PRIVATE_KEY_PATH",
            "SESSION_KEY",
            "WEBHOOK_SECRET"
        ]
    );
    assert!(is_session_key(&vars["SESSION_KEY"]), "{env}");
    assert_eq!(env.matches("APP_ID=").count(), 1, "{env}");
    assert_eq!(vars["PRIVATE_KEY_PATH"], "design-review.private-key.pem");
    let key_path = server.dir.path().join(&vars["PRIVATE_KEY_PATH"]);
    assert_eq!(std::fs::read_to_string(&key_path).unwrap(), PRIVATE_KEY_PEM);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "key file mode {mode:o}");
        let mode = std::fs::metadata(server.dir.path().join(".env"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, ".env readable by others: {mode:o}");
    }

    // Same server, now in normal mode: a signed webhook is accepted and the App does its work.
    let accepted = http()
        .post(server.url("/api/github/webhooks"))
        .header("x-github-event", "pull_request")
        .header("x-github-delivery", "after-setup")
        .header(
            "x-hub-signature-256",
            signature::sign(REGISTERED_WEBHOOK_SECRET, body.as_bytes()),
        )
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 202);
    wait_for("the App's check run", || {
        !gh.check_runs("acme/widgets").is_empty()
    })
    .await;
    assert!(gh.token_exchanges() > 0, "the new App's key was used");

    // A replayed callback cannot register a second App; `/` is now the status line.
    let replay = open_callback(&callback, Some(&form.cookie)).await;
    assert_eq!(replay.status(), 409);
    let status = http()
        .get(server.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // The status page: the App, its reach in counts (no repository named), the next steps.
    insta::assert_snapshot!("status_page", redacted_body(&status, &server, &gh));
    assert!(!status.contains("widgets"), "{status}");
    assert_eq!(gh.registered_manifests().len(), 1);
    server.stop().await;
}

#[tokio::test]
async fn callbacks_not_started_here_are_refused() {
    let gh = FakeGithub::start().await;
    let server = Server::start(
        &gh,
        &[
            "--public-url",
            "https://dr.example.com",
            "--github-org",
            "acme",
        ],
    )
    .await;
    let form = setup_form(&server).await;
    assert!(
        form.action.starts_with(&format!(
            "{}organizations/acme/settings/apps/new?state=",
            gh.web_url()
        )),
        "{}",
        form.action
    );
    assert_eq!(
        form.manifest["redirect_url"],
        "https://dr.example.com/setup/callback"
    );
    let callback = confirm_on_github(&form).await;
    // The user is sent to PUBLIC_URL; replay the same query against this server, with a forged state.
    let query = callback.split_once('?').expect("query").1;
    let code = query
        .split('&')
        .find_map(|p| p.strip_prefix("code="))
        .expect("code");
    assert_eq!(
        form.cookie_attributes(),
        " Path=/; Max-Age=3600; HttpOnly; SameSite=Lax; Secure",
        "https"
    );
    let forged = open_callback(
        &server.url(&format!("/setup/callback?code={code}&state=forged")),
        Some(&form.cookie),
    )
    .await;
    assert_eq!(forged.status(), 400);
    // The real answer, but in a browser that did not start the registration: refused, as when
    // someone else's browser is sent a link to it.
    let real = server.url(&format!("/setup/callback?{query}"));
    assert_eq!(open_callback(&real, None).await.status(), 400);
    let other_browser = setup_form(&server).await;
    assert_ne!(other_browser.cookie, form.cookie);
    let refused = open_callback(&real, Some(&other_browser.cookie)).await;
    assert_eq!(refused.status(), 400);
    insta::assert_snapshot!(
        "callback_from_another_browser",
        redacted_body(&refused.text().await.unwrap(), &server, &gh)
    );
    assert!(!server.dir.path().join(".env").exists());
    assert_eq!(gh.registered_manifests().len(), 1, "no code was exchanged");
    // The real answer in the browser that started it still works.
    let real = open_callback(&real, Some(&form.cookie)).await;
    assert_eq!(real.status(), 200);
    assert!(server.dir.path().join(".env").exists());
    assert_eq!(
        gh.registered_manifests()[0].0.as_deref(),
        Some("acme"),
        "registered on the organization"
    );
    server.stop().await;
}

#[tokio::test]
async fn page_views_from_others_cannot_evict_a_registration_in_progress() {
    let gh = FakeGithub::start().await;
    let server = Server::start(&gh, &[]).await;
    let operator = setup_form(&server).await;
    // Someone else who can reach the page loads it many times (each view without the cookie
    // used to issue a token, and only the newest 64 were kept).
    for _ in 0..200 {
        setup_form(&server).await;
    }
    // The operator reloads the page: same registration, same state.
    let reloaded = setup_form_with_cookie(&server, Some(&operator.cookie)).await;
    assert_eq!(reloaded.state(), operator.state());
    let callback = confirm_on_github(&reloaded).await;
    let page = open_callback(&callback, Some(&operator.cookie)).await;
    assert_eq!(page.status(), 200);
    assert!(server.dir.path().join(".env").exists());
    server.stop().await;
}

/// Log lines of the servers in this test binary, to find the setup URL a server prints.
fn captured_logs() -> String {
    use std::sync::{Mutex, OnceLock};
    static LOGS: Mutex<Vec<u8>> = Mutex::new(Vec::new());
    static INSTALLED: OnceLock<()> = OnceLock::new();
    struct Capture;
    impl std::io::Write for Capture {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            LOGS.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    INSTALLED.get_or_init(|| {
        let _ = tracing_subscriber::fmt()
            .with_writer(|| Capture)
            .with_ansi(false)
            .with_max_level(tracing::Level::WARN)
            .try_init();
    });
    String::from_utf8_lossy(&LOGS.lock().unwrap()).into_owned()
}

/// A setup-mode server listening on all interfaces, and the setup URL it printed.
async fn public_server(gh: &FakeGithub) -> (Server, String) {
    captured_logs();
    let server = Server::start(gh, &["--listen-addr", "0.0.0.0:0"]).await;
    let prefix = format!("{}/?token=", server.base);
    wait_for("the setup URL", || captured_logs().contains(&prefix)).await;
    let logs = captured_logs();
    let start = logs.find(&prefix).expect("printed");
    let url = logs[start..start + prefix.len() + 32].to_string();
    (server, url)
}

fn cookie_of(response: &reqwest::Response) -> Option<String> {
    response.headers().get("set-cookie").map(|value| {
        value
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string()
    })
}

/// Status, whether a cookie was set, and the page's `<h1>` of `GET url` with these headers.
async fn refusal(url: &str, headers: &[(&str, &str)]) -> (u16, bool, String) {
    let mut request = http().get(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let cookie = cookie_of(&response).is_some();
    let html = response.text().await.unwrap();
    let title = html
        .split_once("<h1>")
        .and_then(|(_, rest)| rest.split_once("</h1>"))
        .map(|(title, _)| title.to_string())
        .unwrap_or(html);
    (status, cookie, title)
}

#[tokio::test]
async fn a_server_off_loopback_registers_only_through_the_printed_setup_link() {
    let gh = FakeGithub::start().await;
    let (server, setup_url) = public_server(&gh).await;
    let needed = (403, false, "Setup link needed".to_string());
    assert_eq!(refusal(&server.url("/"), &[]).await, needed);
    assert_eq!(
        refusal(&server.url(&format!("/?token={}", "0".repeat(32))), &[]).await,
        needed
    );
    assert_eq!(
        refusal(&server.url("/setup/callback?code=c&state=s"), &[]).await,
        needed
    );
    // The right token through someone else's domain name (DNS rebinding) is no better.
    assert_eq!(
        refusal(&setup_url, &[("host", "evil.example")]).await,
        (403, false, "Unknown address".to_string())
    );

    // The printed link: the token moves into a cookie and out of the address bar.
    let opened = http().get(&setup_url).send().await.unwrap();
    assert_eq!(opened.status(), 303);
    assert_eq!(opened.headers()["location"], "/");
    let token_cookie = cookie_of(&opened).expect("token cookie");
    let form = setup_form_with_cookie(&server, Some(&token_cookie)).await;
    assert_eq!(
        form.manifest["hook_attributes"]["url"],
        server.url("/api/github/webhooks")
    );
    let callback = confirm_on_github(&form).await;
    // Back from GitHub without the token cookie (another browser): refused.
    assert_eq!(
        refusal(&callback, &[("cookie", &form.cookie)]).await,
        needed
    );
    assert!(!server.dir.path().join(".env").exists());
    let both = format!("{token_cookie}; {}", form.cookie);
    let page = open_callback(&callback, Some(&both)).await;
    assert_eq!(page.status(), 200);
    assert!(server.dir.path().join(".env").exists());
    server.stop().await;
}

#[tokio::test]
async fn setup_on_loopback_refuses_a_foreign_host() {
    let gh = FakeGithub::start().await;
    let server = Server::start(&gh, &[]).await;
    let port = server.base.rsplit(':').next().unwrap().to_string();
    let evil = format!("evil.example:{port}");
    let unknown = (403, false, "Unknown address".to_string());
    assert_eq!(refusal(&server.url("/"), &[("host", &evil)]).await, unknown);
    assert_eq!(
        refusal(
            &server.url("/setup/callback?code=c&state=s"),
            &[("host", &evil)]
        )
        .await,
        unknown
    );
    // Through a loopback name, no token is needed.
    let form = setup_form(&server).await;
    assert_eq!(
        form.manifest["hook_attributes"]["url"],
        server.url("/api/github/webhooks")
    );
    server.stop().await;
}

#[tokio::test]
async fn page_views_without_the_token_take_no_registration_slot() {
    let gh = FakeGithub::start().await;
    let (server, setup_url) = public_server(&gh).await;
    // More views than there are registration slots, from someone without the link.
    for _ in 0..1100 {
        let response = http().get(server.url("/")).send().await.unwrap();
        assert_eq!(response.status(), 403);
        assert!(cookie_of(&response).is_none());
    }
    // The operator with the link still gets the page.
    let opened = http().get(&setup_url).send().await.unwrap();
    let token_cookie = cookie_of(&opened).expect("token cookie");
    let form = setup_form_with_cookie(&server, Some(&token_cookie)).await;
    assert!(form.action.contains("state="));
    server.stop().await;
}

/// Posts the "Use an existing App" form as the browser holding `form`'s cookie.
async fn submit_existing_app(
    server: &Server,
    form: &Form,
    app_id: &str,
    key: &str,
    secret: &str,
) -> reqwest::Response {
    let state = form.state().to_string();
    let multipart = reqwest::multipart::Form::new()
        .text("state", state)
        .text("app_id", app_id.to_string())
        .part(
            "private_key",
            reqwest::multipart::Part::bytes(key.as_bytes().to_vec()).file_name("app.pem"),
        )
        .text("webhook_secret", secret.to_string());
    http()
        .post(server.url("/setup/existing"))
        .header("cookie", &form.cookie)
        .multipart(multipart)
        .send()
        .await
        .expect("POST /setup/existing")
}

#[tokio::test]
async fn an_existing_app_is_checked_with_github_before_it_is_saved() {
    let gh = FakeGithub::start().await;
    gh.repo("acme/widgets");
    gh.pull("acme/widgets", 7)
        .head_sha("1111111111111111111111111111111111111111");
    let server = Server::start(&gh, &[]).await;
    let form = setup_form(&server).await;
    let app_id = support::fake_github::APP_ID.to_string();

    // Another App's id with this key: GitHub refuses the JWT, nothing is saved.
    let refused = submit_existing_app(&server, &form, "999", PRIVATE_KEY_PEM, "s3cret").await;
    assert_eq!(refused.status(), 400);
    let html = refused.text().await.unwrap();
    // The form is shown again, with why.
    insta::assert_snapshot!(
        "existing_app_refused_by_github",
        redacted_body(&html, &server, &gh)
    );
    // Not a key at all.
    let refused = submit_existing_app(&server, &form, &app_id, "hello", "s3cret").await;
    assert_eq!(refused.status(), 400);
    insta::assert_snapshot!(
        "existing_app_not_a_key",
        redacted_body(&refused.text().await.unwrap(), &server, &gh)
    );
    // Without the page's token (another site posting the form): refused before anything else.
    let forged = http()
        .post(server.url("/setup/existing"))
        .multipart(reqwest::multipart::Form::new().text("state", "forged"))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 400);
    assert!(!server.dir.path().join(".env").exists());

    // The right credentials: checked, saved, and used at once.
    let saved = submit_existing_app(&server, &form, &app_id, PRIVATE_KEY_PEM, "s3cret").await;
    assert_eq!(saved.status(), 200);
    let html = saved.text().await.unwrap();
    insta::assert_snapshot!("existing_app_saved", redacted_body(&html, &server, &gh));
    let env = std::fs::read_to_string(server.dir.path().join(".env")).unwrap();
    // An existing App's form asks for no OAuth client; a session key is generated.
    let (env, session_key) = env.rsplit_once("SESSION_KEY=").expect("a session key");
    assert!(is_session_key(session_key.trim_end()), "{session_key}");
    assert_eq!(
        env,
        format!(
            "# GitHub App saved by design-review's setup page\nAPP_ID={app_id}\n\
             PRIVATE_KEY_PATH=design-review.private-key.pem\nWEBHOOK_SECRET=s3cret\n"
        )
    );
    let body = gh.pull_request_event("opened", "acme/widgets", 7);
    let accepted = http()
        .post(server.url("/api/github/webhooks"))
        .header("x-github-event", "pull_request")
        .header("x-github-delivery", "existing-1")
        .header(
            "x-hub-signature-256",
            signature::sign("s3cret", body.as_bytes()),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 202);
    wait_for("the App's check run", || {
        !gh.check_runs("acme/widgets").is_empty()
    })
    .await;
    server.stop().await;
}

/// A smee-style channel service: `HEAD /new` redirects to a new channel.
async fn channel_service() -> String {
    use axum::{Router, http::StatusCode, routing::head};
    let app = Router::new().route(
        "/new",
        head(|| async { (StatusCode::TEMPORARY_REDIRECT, [("location", "/ch4nnel")]) }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test]
async fn on_a_laptop_the_page_creates_a_forwarding_channel_and_registers_it() {
    let gh = FakeGithub::start().await;
    let service = channel_service().await;
    let server = Server::start(&gh, &["--channel-service-url", &service]).await;
    let response = http().get(server.url("/")).send().await.unwrap();
    let cookie = cookie_of(&response).expect("state cookie");
    let html = response.text().await.unwrap();
    insta::assert_snapshot!(
        "setup_page_for_a_private_address",
        redacted_body(&html, &server, &gh)
    );
    let state = attribute(&html, "action=\"/setup/channel\"", "value");
    // Without the page's token: refused.
    let forged = http()
        .post(server.url("/setup/channel"))
        .form(&[("state", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 400);
    let created = http()
        .post(server.url("/setup/channel"))
        .header("cookie", &cookie)
        .form(&[("state", state.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 303);
    // The manifest now sends webhooks to the channel, and the offer is gone.
    let form = setup_form_with_cookie(&server, Some(&cookie)).await;
    let channel = format!("{service}/ch4nnel");
    assert_eq!(form.manifest["hook_attributes"]["url"], channel.as_str());
    let callback = confirm_on_github(&form).await;
    assert_eq!(open_callback(&callback, Some(&cookie)).await.status(), 200);
    let env = std::fs::read_to_string(server.dir.path().join(".env")).unwrap();
    let vars: std::collections::HashMap<String, String> = dotenvy::from_read_iter(env.as_bytes())
        .collect::<Result<_, _>>()
        .expect(".env parses");
    assert_eq!(vars["WEBHOOK_PROXY_URL"], channel, "{env}");
    server.stop().await;
}

/// A generated session key: 256 bits in hex.
fn is_session_key(value: &str) -> bool {
    value.len() == 64 && value.chars().all(|c| c.is_ascii_hexdigit())
}
