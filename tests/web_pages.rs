//! The web pages and the API over HTTP, signed in through the fake GitHub's OAuth flow: who sees
//! what, escaping, the operator's token, and what the pages say without OAuth credentials.

use std::sync::Arc;

use chrono::Utc;
use clap::Parser;
use design_review::config::settings::{ServeArgs, Settings};
use design_review::store::reviews::{
    DocDetail, GapDetail, ReviewDetail, ReviewRecord, ReviewState,
};
use design_review::store::{self, Store};
use design_review::web::{WebState, router};
use reqwest::{StatusCode, header};
use support::fake_github::FakeGithub;
use support::html::element;

#[allow(dead_code)]
mod support;

const OPERATOR_TOKEN: &str = "operator-token-0123456789abcdef";
const HOSTILE_TITLE: &str = "<script>alert(1)</script>";

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    args: ServeArgs,
}

struct Server {
    base: String,
    gh: FakeGithub,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

fn record(repo: &str, number: i64, title: &str) -> ReviewRecord {
    ReviewRecord {
        repo: repo.into(),
        number,
        title: title.into(),
        author: "alice".into(),
        head_sha: "0123456789abcdef".into(),
        state: ReviewState::Awaiting,
        reason: "Waiting for 1 more approval from @acme/design-review".into(),
        team: Some("acme/design-review".into()),
        requested: vec!["@acme/design-review".into()],
        awaited: vec!["@acme/design-review".into()],
        detail: ReviewDetail {
            web_base: format!("https://github.com/{repo}"),
            docs: vec![DocDetail {
                path: "docs/design/cache.md".into(),
                template: "system-design".into(),
                unreadable: None,
                gaps: vec![GapDetail {
                    severity: "warning".into(),
                    section: HOSTILE_TITLE.into(),
                    line: 3,
                    message: "Say more.".into(),
                }],
            }],
            ..ReviewDetail::default()
        },
        at: Utc::now() - chrono::TimeDelta::hours(5),
    }
}

async fn start(oauth: bool) -> Server {
    let gh = FakeGithub::start().await;
    gh.oauth.client("Iv1.test", "client-secret");
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("web.db").display());
    let store: Arc<dyn Store> = store::connect(&db).await.unwrap();
    let reviews = store.reviews().unwrap();
    reviews
        .record_review(&record("acme/widgets", 7, HOSTILE_TITLE))
        .await
        .unwrap();
    reviews
        .record_review(&record("acme/secret", 9, "Secret merger plan"))
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let mut argv = vec![
        "serve".to_string(),
        format!("--database-url={db}"),
        format!("--github-api-url={}", gh.url()),
        format!("--github-url={}", gh.web_url()),
        format!("--public-url={base}"),
        format!("--api-token={OPERATOR_TOKEN}"),
    ];
    if oauth {
        argv.extend([
            "--github-client-id=Iv1.test".to_string(),
            "--github-client-secret=client-secret".to_string(),
            "--session-key=0123456789abcdef0123456789abcdef".to_string(),
        ]);
    }
    let settings = Settings::from_args(&Cli::parse_from(argv).args).unwrap();
    let app = router(WebState::new(&settings, store).unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Server {
        base,
        gh,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        _dir: dir,
    }
}

/// The `name=value` of a `Set-Cookie` for `name`.
fn cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap().to_string())
}

fn location(response: &reqwest::Response) -> String {
    response.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string()
}

impl Server {
    async fn get(&self, path: &str, cookie: Option<&str>) -> reqwest::Response {
        let url = if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        };
        let mut request = self.http.get(url);
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        request.send().await.unwrap()
    }

    /// Signs `login` in through the fake GitHub; returns the session cookie.
    async fn sign_in(&self, login: &str) -> String {
        self.gh.oauth.signs_in(login);
        let start = self.get("/signin?next=/reviews", None).await;
        assert_eq!(start.status(), StatusCode::SEE_OTHER);
        let state_cookie = cookie(&start, "dr_oauth").expect("state cookie");
        let at_github = self.get(&location(&start), None).await;
        assert_eq!(at_github.status(), StatusCode::SEE_OTHER);
        let callback = location(&at_github);
        assert!(callback.starts_with(&format!("{}/signin/callback?", self.base)));
        let done = self.get(&callback, Some(&state_cookie)).await;
        assert_eq!(done.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&done), "/reviews");
        let set = done
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .find(|v| v.starts_with("dr_session="))
            .expect("session cookie");
        let attributes = set.split_once(';').expect("attributes after the value").1;
        assert_eq!(attributes, " HttpOnly; SameSite=Lax; Path=/; Max-Age=28800");
        cookie(&done, "dr_session").unwrap()
    }
}

/// The page's `<main>` with the wall-clock times of this run (the fixture's reviews are dated
/// relative to now) replaced by a fixed mark.
fn main_of(html: &str) -> String {
    let time = regex::Regex::new(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC").expect("pattern");
    time.replace_all(&element(html, "main"), "[time]")
        .into_owned()
}

#[tokio::test]
async fn a_user_sees_only_reviews_of_repositories_github_says_they_can_read() {
    let server = start(true).await;
    server.gh.oauth.grant("bob", &["acme/widgets"]);
    let unsigned = server.get("/reviews", None).await;
    assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
    insta::assert_snapshot!("board_signed_out", main_of(&unsigned.text().await.unwrap()));

    let session = server.sign_in("bob").await;
    let board = server.get("/reviews", Some(&session)).await;
    assert_eq!(board.status(), StatusCode::OK);
    let html = board.text().await.unwrap();
    insta::assert_snapshot!("board_for_bob", main_of(&html));
    assert!(!html.contains("acme/secret"), "{html}");
    assert!(!html.contains("Secret merger plan"), "{html}");

    for path in [
        "/reviews/acme/secret/9",
        "/api/v1/reviews/acme/secret/9",
        "/audit?repo=acme/secret",
        "/api/v1/reviews?repo=acme/secret",
        "/api/v1/reviews",
        "/trends?repo=acme/secret",
    ] {
        let response = server.get(path, Some(&session)).await;
        let body = response.text().await.unwrap();
        assert!(!body.contains("Secret merger plan"), "{path}: {body}");
        assert!(!body.contains("docs/design/cache.md"), "{path}: {body}");
    }
    // A hidden review answers exactly as one never recorded.
    let hidden = server.get("/reviews/acme/secret/9", Some(&session)).await;
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
    let never = server.get("/reviews/acme/secret/10", Some(&session)).await;
    assert_eq!(
        hidden.text().await.unwrap().replace("#9", "#10"),
        never.text().await.unwrap()
    );
    let api: serde_json::Value = server
        .get("/api/v1/reviews", Some(&session))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(api["total"], 1);
    assert_eq!(api["reviews"][0]["repo"], "acme/widgets");
}

#[tokio::test]
async fn titles_and_headings_render_as_text() {
    let server = start(true).await;
    server.gh.oauth.grant("bob", &["acme/widgets"]);
    let session = server.sign_in("bob").await;
    for path in ["/reviews", "/reviews/acme/widgets/7"] {
        let html = server.get(path, Some(&session)).await.text().await.unwrap();
        assert!(!html.contains(HOSTILE_TITLE), "{path}: {html}");
    }
    // The board's rendering of the title is in the `board_for_bob` snapshot.
    let details = server
        .get("/reviews/acme/widgets/7", Some(&session))
        .await
        .text()
        .await
        .unwrap();
    insta::assert_snapshot!("details_with_hostile_title", main_of(&details));
}

#[tokio::test]
async fn a_callback_with_a_state_we_did_not_send_is_refused() {
    let server = start(true).await;
    server.gh.oauth.signs_in("bob");
    let start = server.get("/signin", None).await;
    let state_cookie = cookie(&start, "dr_oauth").unwrap();
    let at_github = server.get(&location(&start), None).await;
    let forged = location(&at_github).replace("state=", "state=x");
    let refused = server.get(&forged, Some(&state_cookie)).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(cookie(&refused, "dr_session").is_none());
    assert_eq!(server.gh.oauth.exchanges(), 0);
    // A session cookie made up without the key is no session.
    let made_up = server
        .get("/reviews", Some("dr_session={\"login\":\"eve\"}"))
        .await;
    assert_eq!(made_up.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_operator_token_reads_every_repository_and_nothing_else_does() {
    let server = start(true).await;
    let with = |token: &str| {
        server
            .http
            .get(format!("{}/api/v1/reviews", server.base))
            .bearer_auth(token)
            .send()
    };
    let all: serde_json::Value = with(OPERATOR_TOKEN).await.unwrap().json().await.unwrap();
    assert_eq!(all["total"], 2);
    assert_eq!(all["counts"]["awaiting"], 2);
    let wrong = with("operator-token-0123456789abcdeX").await.unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let audit = server
        .http
        .get(format!("{}/api/v1/audit", server.base))
        .bearer_auth(OPERATOR_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(
        audit.json::<serde_json::Value>().await.unwrap(),
        serde_json::json!({ "total": 0, "entries": [] })
    );
}

#[tokio::test]
async fn without_oauth_credentials_the_pages_say_what_to_configure() {
    let server = start(false).await;
    let page = server.get("/reviews", None).await;
    assert_eq!(page.status(), StatusCode::SERVICE_UNAVAILABLE);
    let html = page.text().await.unwrap();
    insta::assert_snapshot!("sign_in_not_configured", main_of(&html));
}
