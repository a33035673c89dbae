//! Intake through the real router: signature, headers, sizes, encodings, duplicates.

mod support;

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use design_review::{
    queue::{HandleError, Handler},
    store::{Delivery, DeliveryFilter, DeliveryStatus},
    webhook::{intake::DEFAULT_MAX_BODY_BYTES, signature},
};
use support::app::{SECRET, TestApp, WEBHOOK_PATH, pull_request_payload, test_queue_settings};

async fn stored_count(app: &TestApp) -> usize {
    app.store
        .list_deliveries(&DeliveryFilter {
            status: None,
            limit: 1000,
        })
        .await
        .expect("list")
        .len()
}

#[tokio::test]
async fn signed_delivery_is_stored_before_the_answer() {
    let app = TestApp::intake_only().await;
    let body = pull_request_payload("opened", "acme/widgets", 7, "abc123");
    let response = app.send("pull_request", "d-1", &body).await;
    assert_eq!(response.status(), 202);
    let stored = app
        .store
        .get_delivery("d-1")
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(stored.arrived.event, "pull_request");
    assert_eq!(stored.arrived.action.as_deref(), Some("opened"));
    assert_eq!(
        stored.arrived.installation_id,
        Some(design_review::domain::InstallationId(42))
    );
    assert_eq!(stored.arrived.repo.as_deref(), Some("acme/widgets"));
    assert_eq!(stored.arrived.pr_key.as_deref(), Some("acme/widgets#7"));
    assert!(stored.arrived.coalescable);
    assert_eq!(stored.status, DeliveryStatus::Pending);
    assert_eq!(stored.arrived.payload, body);
}

#[tokio::test]
async fn wrong_or_missing_signature_is_401_and_nothing_is_stored() {
    let app = TestApp::intake_only().await;
    let body = pull_request_payload("opened", "acme/widgets", 7, "abc");
    let forged = signature::sign("not-the-secret", body.as_bytes());
    let response = app
        .send_raw(
            "pull_request",
            "d-1",
            body.clone().into_bytes(),
            Some(forged),
            "application/json",
        )
        .await;
    assert_eq!(response.status(), 401);
    let response = app
        .send_raw(
            "pull_request",
            "d-2",
            body.into_bytes(),
            None,
            "application/json",
        )
        .await;
    assert_eq!(response.status(), 401);
    let text = response.text().await.unwrap();
    assert!(text.contains("X-Hub-Signature-256"), "{text}");
    assert_eq!(stored_count(&app).await, 0);
}

#[tokio::test]
async fn malformed_signature_header_is_401() {
    let app = TestApp::intake_only().await;
    let body = pull_request_payload("opened", "acme/widgets", 7, "abc");
    for header in ["sha1=0123", "sha256=not-hex", "sha256=", "garbage"] {
        let response = app
            .send_raw(
                "pull_request",
                "d-bad",
                body.clone().into_bytes(),
                Some(header.into()),
                "application/json",
            )
            .await;
        assert_eq!(response.status(), 401, "{header}");
    }
    assert_eq!(stored_count(&app).await, 0);
}

#[tokio::test]
async fn rotated_secrets_both_verify() {
    // The test app is configured with two secrets, "old-secret" and SECRET (rotation).
    let app = TestApp::intake_only().await;
    for (secret, id) in [("old-secret", "d-old"), (SECRET, "d-new")] {
        let body = pull_request_payload("opened", "acme/widgets", 7, id);
        let response = app
            .send_raw(
                "pull_request",
                id,
                body.clone().into_bytes(),
                Some(signature::sign(secret, body.as_bytes())),
                "application/json",
            )
            .await;
        assert_eq!(response.status(), 202, "signed with {secret}");
        let stored = app.store.get_delivery(id).await.unwrap();
        assert_eq!(stored.map(|d| d.arrived.payload), Some(body), "{id} stored");
    }
    // A third secret, configured nowhere, is refused.
    let body = pull_request_payload("opened", "acme/widgets", 7, "d-third");
    let response = app
        .send_raw(
            "pull_request",
            "d-third",
            body.clone().into_bytes(),
            Some(signature::sign("third-secret", body.as_bytes())),
            "application/json",
        )
        .await;
    assert_eq!(response.status(), 401);
    assert!(app.store.get_delivery("d-third").await.unwrap().is_none());
    assert_eq!(stored_count(&app).await, 2);
}

#[tokio::test]
async fn missing_event_or_delivery_header_is_400() {
    let app = TestApp::intake_only().await;
    let body = pull_request_payload("opened", "acme/widgets", 7, "abc");
    let sig = Some(signature::sign(SECRET, body.as_bytes()));
    let no_event = app
        .send_raw(
            "",
            "d-1",
            body.clone().into_bytes(),
            sig.clone(),
            "application/json",
        )
        .await;
    assert_eq!(no_event.status(), 400);
    assert!(no_event.text().await.unwrap().contains("X-GitHub-Event"));
    let no_delivery = app
        .send_raw(
            "pull_request",
            "",
            body.into_bytes(),
            sig,
            "application/json",
        )
        .await;
    assert_eq!(no_delivery.status(), 400);
    assert!(
        no_delivery
            .text()
            .await
            .unwrap()
            .contains("X-GitHub-Delivery")
    );
    assert_eq!(stored_count(&app).await, 0);
}

#[tokio::test]
async fn malformed_json_with_a_valid_signature_is_400_and_the_server_carries_on() {
    let app = TestApp::intake_only().await;
    for (n, body) in [
        "{\"action\": \"opened\",",
        "[]",
        "null",
        "\u{0}\u{1}binary",
        "",
    ]
    .iter()
    .enumerate()
    {
        let response = app.send("pull_request", &format!("bad-{n}"), body).await;
        assert_eq!(response.status(), 400, "body {body:?}");
    }
    // A payload that is JSON but lacks what the event needs.
    let response = app
        .send("pull_request", "bad-shape", r#"{"action":"opened"}"#)
        .await;
    assert_eq!(response.status(), 400);
    assert!(response.text().await.unwrap().contains("pull_request"));
    assert_eq!(stored_count(&app).await, 0);
    let ok = app
        .send(
            "pull_request",
            "good",
            &pull_request_payload("opened", "acme/widgets", 1, "a"),
        )
        .await;
    assert_eq!(ok.status(), 202);
}

#[tokio::test]
async fn oversized_body_is_413() {
    let app = TestApp::intake_only().await;
    let body = vec![b' '; DEFAULT_MAX_BODY_BYTES + 1];
    let sig = signature::sign(SECRET, &body);
    let response = app
        .send_raw("pull_request", "huge", body, Some(sig), "application/json")
        .await;
    assert_eq!(response.status(), 413);
    assert_eq!(
        response.text().await.unwrap(),
        r#"{"delivery":"huge","error":"body over the 4194304-byte limit"}"#
    );
    assert_eq!(stored_count(&app).await, 0);
}

#[tokio::test]
async fn a_body_of_exactly_the_limit_is_accepted() {
    let app = TestApp::intake_only().await;
    let mut body = pull_request_payload("opened", "acme/widgets", 7, "abc123");
    body.push_str(&" ".repeat(DEFAULT_MAX_BODY_BYTES - body.len()));
    assert_eq!(body.len(), DEFAULT_MAX_BODY_BYTES);
    assert_eq!(
        app.send("pull_request", "largest", &body).await.status(),
        202
    );
    assert_eq!(stored_count(&app).await, 1);
}

/// Sends `head` (a request without its body) on a raw connection and returns the status line
/// of the answer, which must come without the body being sent.
async fn answer_before_the_body(app: &TestApp, head: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 4096];
    let read = tokio::time::timeout(std::time::Duration::from_secs(1), stream.read(&mut answer))
        .await
        .expect("answered without waiting for the body")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..read]).into_owned();
    answer.lines().next().unwrap_or_default().to_string()
}

#[tokio::test]
async fn what_the_headers_give_away_is_refused_before_the_body_is_read() {
    let app = TestApp::intake_only().await;
    let head = |extra: &str, length: usize| {
        format!(
            "POST {WEBHOOK_PATH} HTTP/1.1\r\nHost: localhost\r\nX-GitHub-Event: pull_request\r\n\
             X-GitHub-Delivery: early\r\n{extra}Content-Length: {length}\r\n\r\n"
        )
    };
    let signed = format!("X-Hub-Signature-256: sha256={}\r\n", "0".repeat(64));
    assert_eq!(
        answer_before_the_body(&app, &head(&signed, 100 * 1024 * 1024)).await,
        "HTTP/1.1 413 Payload Too Large"
    );
    assert_eq!(
        answer_before_the_body(&app, &head("", 1000)).await,
        "HTTP/1.1 401 Unauthorized"
    );
    for malformed in ["sha256=abc", "sha1=0123", "sha256="] {
        let header = format!("X-Hub-Signature-256: {malformed}\r\n");
        assert_eq!(
            answer_before_the_body(&app, &head(&header, 1000)).await,
            "HTTP/1.1 401 Unauthorized",
            "{malformed}"
        );
    }
    assert_eq!(stored_count(&app).await, 0);
}

#[tokio::test]
async fn form_encoded_payload_is_accepted() {
    let app = TestApp::intake_only().await;
    let json = pull_request_payload("synchronize", "acme/widgets", 9, "fff");
    let form = format!("payload={}", design_review::uri::component(&json));
    let sig = signature::sign(SECRET, form.as_bytes());
    let response = app
        .send_raw(
            "pull_request",
            "form-1",
            form.into_bytes(),
            Some(sig),
            "application/x-www-form-urlencoded",
        )
        .await;
    assert_eq!(response.status(), 202);
    let stored = app
        .store
        .get_delivery("form-1")
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(stored.arrived.payload, json);
    let sig = signature::sign(SECRET, b"other=1");
    let response = app
        .send_raw(
            "pull_request",
            "form-2",
            b"other=1".to_vec(),
            Some(sig),
            "application/x-www-form-urlencoded",
        )
        .await;
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn ping_and_unhandled_events_are_acknowledged_not_stored() {
    let app = TestApp::intake_only().await;
    let ping = app
        .send(
            "ping",
            "p-1",
            r#"{"zen":"Design for failure.","hook_id":1}"#,
        )
        .await;
    assert_eq!(ping.status(), 200);
    let star = app.send("star", "s-1", r#"{"action":"created"}"#).await;
    assert_eq!(star.status(), 200);
    let labeled = app
        .send(
            "pull_request",
            "l-1",
            &pull_request_payload("labeled", "acme/widgets", 7, "a"),
        )
        .await;
    assert_eq!(labeled.status(), 200);
    assert_eq!(stored_count(&app).await, 0);
}

/// Records every delivery it is given.
#[derive(Default)]
struct Recorder {
    seen: Mutex<Vec<String>>,
}

#[async_trait]
impl Handler for Recorder {
    async fn handle(&self, delivery: &Delivery) -> Result<(), HandleError> {
        self.seen.lock().unwrap().push(delivery.arrived.id.clone());
        Ok(())
    }
}

#[tokio::test]
async fn duplicate_delivery_is_processed_once() {
    let recorder = Arc::new(Recorder::default());
    let app = TestApp::with_handler(recorder.clone(), test_queue_settings()).await;
    let body = pull_request_payload("opened", "acme/widgets", 7, "abc");
    assert_eq!(app.send("pull_request", "dup", &body).await.status(), 202);
    assert_eq!(app.send("pull_request", "dup", &body).await.status(), 200);
    wait_until(|| recorder.seen.lock().unwrap().len() == 1).await;
    // A redelivery after processing is still recognised.
    assert_eq!(app.send("pull_request", "dup", &body).await.status(), 200);
    let stopped = app.shutdown().await;
    assert_eq!(*recorder.seen.lock().unwrap(), vec!["dup".to_string()]);
    let stored = stopped.store.get_delivery("dup").await.unwrap().unwrap();
    assert_eq!(stored.status, DeliveryStatus::Done);
}

#[tokio::test]
async fn health_readiness_and_metrics() {
    let app = TestApp::intake_only().await;
    let health = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let ready = app.http.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    app.send(
        "pull_request",
        "m-1",
        &pull_request_payload("opened", "acme/widgets", 7, "a"),
    )
    .await;
    app.send("pull_request", "m-2", "{").await;
    app.send("deployment", "m-3", "{}").await;
    let metrics = app
        .http
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("\ndesign_review_queue_depth "),
        "{metrics}"
    );
    assert!(
        metrics.contains("# HELP design_review_webhook_deliveries_total "),
        "{metrics}"
    );
    // Each delivery is counted under its own event and outcome; an event the App does not
    // subscribe to is counted as `other`.
    for labels in [
        r#"event="pull_request",outcome="accepted""#,
        r#"event="pull_request",outcome="bad_payload""#,
        r#"event="other",outcome="ignored""#,
    ] {
        let line = metrics.lines().find(|l| {
            l.starts_with("design_review_webhook_deliveries_total{") && l.contains(labels)
        });
        let count: f64 = line
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0);
        assert!(count >= 1.0, "{labels}: {line:?}\n{metrics}");
    }
    // The stored delivery went through one intake transaction at least.
    let batches: f64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("design_review_intake_batches_total "))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    assert!(batches >= 1.0, "{metrics}");
}

async fn wait_until(mut condition: impl FnMut() -> bool) {
    for _ in 0..500 {
        if condition() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("condition not reached within 5 s");
}
