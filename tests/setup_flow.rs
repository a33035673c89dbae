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
            "--listen-addr",
            "127.0.0.1:0",
            "--retry-base-ms",
            "20",
        ];
        argv.extend_from_slice(extra);
        let settings = Settings::from_args(&Flags::try_parse_from(argv).expect("flags").args)
            .expect("valid settings");
        assert!(settings.app.is_none(), "no credentials: setup mode");
        let listener = tokio::net::TcpListener::bind(settings.listen_addr)
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("address"));
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
}

async fn setup_form(server: &Server) -> Form {
    let response = http().get(server.url("/")).send().await.expect("GET /");
    assert_eq!(response.status(), 200);
    let html = response.text().await.expect("page");
    assert!(html.contains("Register GitHub App"), "{html}");
    assert!(
        !html.contains("<script") && !html.contains("<link"),
        "self-contained"
    );
    Form {
        action: attribute(&html, "<form", "action"),
        manifest: serde_json::from_str(&attribute(&html, "name=\"manifest\"", "value"))
            .expect("manifest is JSON"),
    }
}

fn app_yml() -> serde_json::Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/app.yml")).unwrap();
    serde_yaml::from_str(&text).unwrap()
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
    let page = http().get(&callback).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    let install = format!("{}apps/design-review/installations/new", gh.web_url());
    assert!(html.contains(&install), "{html}");
    assert!(!html.contains(REGISTERED_WEBHOOK_SECRET) && !html.contains("PRIVATE KEY"));

    // Credentials saved: .env (other lines kept, old APP_ID replaced) and a 0600 key file.
    let env = std::fs::read_to_string(server.dir.path().join(".env")).unwrap();
    let vars: std::collections::HashMap<String, String> = dotenvy::from_read_iter(env.as_bytes())
        .collect::<Result<_, _>>()
        .expect(".env parses");
    assert_eq!(vars["LOG_FORMAT"], "json");
    assert_eq!(vars["APP_ID"], support::fake_github::APP_ID.to_string());
    assert_eq!(vars["WEBHOOK_SECRET"], REGISTERED_WEBHOOK_SECRET);
    assert_eq!(vars["GITHUB_CLIENT_ID"], "Iv1.fakeclientid");
    assert_eq!(vars["GITHUB_CLIENT_SECRET"], "fake-client-secret");
    assert_eq!(env.matches("APP_ID=").count(), 1, "{env}");
    let key_path = std::path::PathBuf::from(&vars["PRIVATE_KEY_PATH"]);
    assert_eq!(key_path.parent(), Some(server.dir.path()));
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
    let replay = http().get(&callback).send().await.unwrap();
    assert_eq!(replay.status(), 409);
    let status = http()
        .get(server.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(status.contains("is running"), "{status}");
    assert!(!status.contains("Register GitHub App"));
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
    let forged = http()
        .get(server.url(&format!("/setup/callback?code={code}&state=forged")))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 400);
    assert!(!server.dir.path().join(".env").exists());
    // The real answer still works.
    let real = http()
        .get(server.url(&format!("/setup/callback?{query}")))
        .send()
        .await
        .unwrap();
    assert_eq!(real.status(), 200);
    assert!(server.dir.path().join(".env").exists());
    assert_eq!(
        gh.registered_manifests()[0].0.as_deref(),
        Some("acme"),
        "registered on the organization"
    );
    server.stop().await;
}
