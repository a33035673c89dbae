//! Webhook forwarding end to end: a local smee-style channel (a Server-Sent Events stream) →
//! `serve` with `WEBHOOK_PROXY_URL` → the webhook intake → the store → the App's work on the fake
//! GitHub. The channel drops its first stream to prove the reconnection, and sends a duplicate,
//! a malformed event and a badly signed delivery, which must not be stored.

mod support;

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use axum::{Router, body::Body, extract::State, http::header, response::Response, routing::get};
use clap::Parser;
use design_review::{
    cli::serve,
    config::settings::{ServeArgs, Settings},
    webhook::signature,
};
use support::fake_github::{APP_ID, FakeGithub};
use tokio_util::sync::CancellationToken;

const SECRET: &str = "forwarded-secret";

#[derive(Parser)]
struct Flags {
    #[command(flatten)]
    args: ServeArgs,
}

/// One SSE `message` event as smee.io relays a webhook: the headers as keys, the payload under
/// `body`.
fn relayed(id: &str, event: &str, body: &str, secret: &str) -> String {
    let signature = signature::sign(secret, body.as_bytes());
    format!(
        "data: {{\"x-github-event\":\"{event}\",\"x-github-delivery\":\"{id}\",\
         \"x-hub-signature-256\":\"{signature}\",\"content-type\":\"application/json\",\
         \"body\":{body},\"query\":{{}},\"timestamp\":1700000000000}}\n\n"
    )
}

/// The channel: each connection gets the next scripted stream; the first ends (the channel
/// "drops"), the last stays open.
#[derive(Clone)]
struct Channel {
    streams: Arc<Vec<String>>,
    connections: Arc<AtomicUsize>,
}

async fn stream(State(channel): State<Channel>) -> Response {
    let n = channel.connections.fetch_add(1, Ordering::SeqCst);
    let script = channel.streams.get(n).cloned().unwrap_or_default();
    let last = n + 1 >= channel.streams.len();
    let chunks = futures_util::stream::iter(
        // Split in small chunks, so events cross chunk boundaries as they do on a network.
        script
            .into_bytes()
            .chunks(37)
            .map(|c| Ok::<_, std::io::Error>(bytes::Bytes::copy_from_slice(c)))
            .collect::<Vec<_>>(),
    );
    let body = if last {
        Body::from_stream(futures_util::StreamExt::chain(
            chunks,
            futures_util::stream::pending(),
        ))
    } else {
        Body::from_stream(chunks)
    };
    Response::builder()
        .header(header::CONTENT_TYPE, "text/event-stream")
        .body(body)
        .unwrap()
}

async fn start_channel(streams: Vec<String>) -> (String, Arc<AtomicUsize>) {
    let channel = Channel {
        streams: Arc::new(streams),
        connections: Arc::new(AtomicUsize::new(0)),
    };
    let connections = channel.connections.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Router::new()
        .route("/abc123", get(stream))
        .with_state(channel);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/abc123"), connections)
}

async fn wait_for(what: &str, mut done: impl AsyncFnMut() -> bool) {
    let started = Instant::now();
    while !done().await {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_from_the_channel_go_through_the_intake_and_are_worked_on() {
    let gh = FakeGithub::start().await;
    gh.repo("acme/widgets");
    gh.pull("acme/widgets", 7)
        .head_sha("1111111111111111111111111111111111111111");
    let opened = gh.pull_request_event("opened", "acme/widgets", 7);
    let first = [
        "event: ready\ndata: {}\n\n".to_string(),
        relayed("fwd-1", "pull_request", &opened, SECRET),
        // The same delivery again (a channel replays on reconnect): dropped by its id.
        relayed("fwd-1", "pull_request", &opened, SECRET),
        "data: not json at all\n\n".to_string(),
        "data: {\"x-github-event\":\"pull_request\"}\n\n".to_string(),
        relayed("fwd-forged", "pull_request", &opened, "not-the-secret"),
        "event: ping\ndata: {}\n\n".to_string(),
    ]
    .concat();
    let synchronize = gh.pull_request_event("synchronize", "acme/widgets", 7);
    let second = [
        "event: ready\ndata: {}\n\n".to_string(),
        relayed("fwd-2", "pull_request", &synchronize, SECRET),
    ]
    .concat();
    let (channel, connections) = start_channel(vec![first, second]).await;

    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("dr.db").display());
    let key = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/keys/app.pem");
    let api = gh.url().to_string();
    let app_id = APP_ID.to_string();
    let argv = [
        "serve",
        "--app-id",
        &app_id,
        "--private-key-path",
        key,
        "--webhook-secret",
        SECRET,
        "--github-api-url",
        &api,
        "--database-url",
        &database,
        "--listen-addr",
        "127.0.0.1:0",
        "--webhook-proxy-url",
        &channel,
        "--retry-base-ms",
        "20",
    ];
    let settings =
        Settings::from_args(&Flags::try_parse_from(argv).unwrap().args).expect("valid settings");
    let listener = tokio::net::TcpListener::bind(settings.listen_addr)
        .await
        .unwrap();
    let ready = format!("http://{}/readyz", listener.local_addr().unwrap());
    let shutdown = CancellationToken::new();
    let server = tokio::spawn(serve::serve(
        settings,
        listener,
        dir.path().to_path_buf(),
        shutdown.clone(),
    ));

    // The server creates the database; open it once the server is ready.
    wait_for("the server", async || {
        reqwest::get(&ready)
            .await
            .is_ok_and(|r| r.status().is_success())
    })
    .await;
    let store = design_review::store::connect(&database).await.unwrap();
    wait_for("both forwarded deliveries stored", async || {
        store.get_delivery("fwd-1").await.unwrap().is_some()
            && store.get_delivery("fwd-2").await.unwrap().is_some()
    })
    .await;
    assert!(
        connections.load(Ordering::SeqCst) >= 2,
        "the dropped stream was reopened"
    );
    assert!(
        store.get_delivery("fwd-forged").await.unwrap().is_none(),
        "a delivery whose signature does not verify is not stored"
    );
    let stored = store
        .list_deliveries(&design_review::store::DeliveryFilter {
            status: None,
            limit: 100,
        })
        .await
        .unwrap();
    let mut ids: Vec<&str> = stored.iter().map(|d| d.arrived.id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["fwd-1", "fwd-2"], "one row per delivery id");
    // The App did its work for the forwarded deliveries.
    wait_for("the App's check run", async || {
        !gh.check_runs("acme/widgets").is_empty()
    })
    .await;

    shutdown.cancel();
    server.await.unwrap().expect("serve stops cleanly");
}
