//! Sockets held by clients that never finish a request: idle connections, headers or bodies
//! sent a byte at a time, more connections than the server may open. They are cut off by the
//! timeouts and the connection cap, and a real delivery still gets through within a second.

use std::time::{Duration, Instant};

use tokio::{
    io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt},
    net::TcpStream,
};

use crate::common::{REPO, github_with_prs, quiet_env};
use crate::support::process::{SECRET, ServerProcess};

/// Sends a signed delivery on a new connection and returns its status and how long it took;
/// status 0 when no answer came within `limit`.
async fn deliver(server: &ServerProcess, body: &str, id: &str, limit: Duration) -> (u16, Duration) {
    let client = reqwest::Client::builder().timeout(limit).build().unwrap();
    let started = Instant::now();
    let status = client
        .post(server.url("/api/github/webhooks"))
        .header("content-type", "application/json")
        .header("x-github-event", "pull_request")
        .header("x-github-delivery", id)
        .header(
            "x-hub-signature-256",
            design_review::webhook::signature::sign(SECRET, body.as_bytes()),
        )
        .body(body.to_string())
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0);
    (status, started.elapsed())
}

async fn connect(port: u16) -> TcpStream {
    TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect")
}

/// Headers of a webhook request whose body is declared but not sent yet.
fn webhook_head(content_length: usize) -> String {
    format!(
        "POST /api/github/webhooks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         X-GitHub-Event: pull_request\r\nX-GitHub-Delivery: slow\r\n\
         X-Hub-Signature-256: sha256={}\r\nContent-Length: {content_length}\r\n\r\n",
        "0".repeat(64)
    )
}

/// Writes `bytes` one at a time every `every`, until done or the server closes the connection.
async fn trickle(stream: &mut (impl AsyncWrite + Unpin), bytes: &[u8], every: Duration) {
    for byte in bytes {
        if stream.write_all(&[*byte]).await.is_err() {
            return;
        }
        tokio::time::sleep(every).await;
    }
}

/// What the server sent before closing the connection, and when it closed; `None` when it
/// was still open after `limit`.
async fn until_closed(
    stream: &mut (impl AsyncRead + Unpin),
    limit: Duration,
) -> Option<(String, Duration)> {
    let started = Instant::now();
    let mut received = Vec::new();
    let mut buffer = [0u8; 1024];
    loop {
        let left = limit.checked_sub(started.elapsed())?;
        match tokio::time::timeout(left, stream.read(&mut buffer)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => {
                return Some((
                    String::from_utf8_lossy(&received).into_owned(),
                    started.elapsed(),
                ));
            }
            Ok(Ok(n)) => received.extend_from_slice(&buffer[..n]),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_and_slow_clients_past_the_open_file_limit_do_not_keep_a_delivery_out() {
    /// Open files the server may have; the attack opens more connections than that.
    const OPEN_FILES: u32 = 128;
    let gh = github_with_prs(1).await;
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("dr.db").display());
    let server =
        ServerProcess::start_with_open_file_limit(&quiet_env(&gh, &database_url), OPEN_FILES).await;
    let port = server.port;
    let mut idle = Vec::new();
    for _ in 0..200 {
        idle.push(connect(port).await);
    }
    let mut slow = Vec::new();
    for n in 0..20 {
        slow.push(tokio::spawn(async move {
            let mut stream = connect(port).await;
            if n % 2 == 0 {
                // Headers a byte at a time.
                let head = webhook_head(10);
                trickle(&mut stream, head.as_bytes(), Duration::from_millis(100)).await;
            } else {
                // Headers at once, then the body a byte at a time.
                let _ = stream.write_all(webhook_head(1000).as_bytes()).await;
                trickle(&mut stream, &[b' '; 1000], Duration::from_millis(100)).await;
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let body = gh.pull_request_event("synchronize", REPO, 1);
    let (status, took) = deliver(&server, &body, "past-the-limit", Duration::from_secs(1)).await;
    println!(
        "sockets: 200 idle and 20 slow clients at ulimit -n {OPEN_FILES}: a delivery answered \
         {status} in {:.0} ms",
        took.as_secs_f64() * 1000.0
    );
    assert_eq!(
        status, 202,
        "a delivery is accepted within 1 s (took {took:?})"
    );
    for task in slow {
        task.abort();
    }
    drop(idle);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeouts_close_idle_and_slow_clients_and_the_connection_cap_holds() {
    /// `HTTP_MAX_CONNECTIONS` of the server under test.
    const CAP: usize = 16;
    let gh = github_with_prs(1).await;
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("dr.db").display());
    let mut env = quiet_env(&gh, &database_url);
    env.extend(
        [
            ("HTTP_MAX_CONNECTIONS", CAP.to_string()),
            ("HTTP_HEADER_TIMEOUT_SECS", "1".into()),
            ("HTTP_BODY_TIMEOUT_SECS", "1".into()),
            ("HTTP_IDLE_TIMEOUT_SECS", "2".into()),
        ]
        .map(|(k, v)| (k.to_string(), v)),
    );
    let server = ServerProcess::start(&env).await;
    let port = server.port;

    // An idle connection: closed after the idle timeout, without an answer.
    let idle = tokio::spawn(async move {
        let mut stream = connect(port).await;
        until_closed(&mut stream, Duration::from_secs(5)).await
    });
    // Headers a byte every 200 ms: closed once the header timeout passed since the first byte.
    let slow_headers = tokio::spawn(async move {
        let (mut read, mut write) = connect(port).await.into_split();
        let head = webhook_head(10);
        let writing = tokio::spawn(async move {
            trickle(&mut write, head.as_bytes(), Duration::from_millis(200)).await
        });
        let closed = until_closed(&mut read, Duration::from_secs(5)).await;
        writing.abort();
        closed
    });
    // The body a byte every 200 ms: 408 once the body timeout passed.
    let slow_body = tokio::spawn(async move {
        let (mut read, mut write) = connect(port).await.into_split();
        write
            .write_all(webhook_head(1000).as_bytes())
            .await
            .unwrap();
        let writing = tokio::spawn(async move {
            trickle(&mut write, &[b' '; 1000], Duration::from_millis(200)).await
        });
        let closed = until_closed(&mut read, Duration::from_secs(5)).await;
        writing.abort();
        closed
    });
    let (idle_answer, idle_after) = idle
        .await
        .unwrap()
        .expect("an idle connection is closed within 5 s");
    let (header_answer, headers_after) = slow_headers
        .await
        .unwrap()
        .expect("a client sending headers a byte at a time is cut off within 5 s");
    let (body_answer, body_after) = slow_body
        .await
        .unwrap()
        .expect("a client sending a body a byte at a time is cut off within 5 s");
    // Three times the cap in idle connections: all but the newest are closed at once.
    let mut crowd = Vec::new();
    for _ in 0..CAP * 3 {
        crowd.push(connect(port).await);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut closed = 0;
    for stream in &mut crowd {
        if until_closed(stream, Duration::from_millis(10))
            .await
            .is_some()
        {
            closed += 1;
        }
    }
    let body = gh.pull_request_event("synchronize", REPO, 1);
    let (status, took) = deliver(&server, &body, "over-the-cap", Duration::from_secs(1)).await;

    println!(
        "sockets: idle connection closed after {idle_after:.1?}, slow headers after \
         {headers_after:.1?}, slow body after {body_after:.1?}; {closed} of {} connections over \
         a cap of {CAP} closed; a delivery answered {status} in {:.0} ms",
        CAP * 3,
        took.as_secs_f64() * 1000.0
    );
    assert_eq!(idle_answer, "", "an idle connection gets no answer");
    assert!(
        idle_after >= Duration::from_millis(1500),
        "closed after {idle_after:?}, before the 2 s idle timeout"
    );
    assert_eq!(header_answer, "", "slow headers get no answer");
    assert_eq!(
        body_answer.lines().next(),
        Some("HTTP/1.1 408 Request Timeout"),
        "{body_answer}"
    );
    assert!(
        body_answer.ends_with(r#"{"delivery":"slow","error":"body not received within 1 s"}"#),
        "{body_answer}"
    );
    assert!(
        closed >= CAP * 2,
        "only {closed} of {} connections closed with a cap of {CAP}",
        CAP * 3
    );
    assert_eq!(
        status, 202,
        "a delivery is accepted within 1 s (took {took:?})"
    );
}
