//! Memory under a flood of large unsigned bodies: the server refuses what the headers give away
//! without reading, reads the rest within the body limit and a byte budget shared by all
//! requests, returns the memory afterwards, and still accepts a real delivery meanwhile.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::{REPO, github_with_prs, quiet_env};
use crate::support::process::ServerProcess;

/// Size of each attacking body: what the attack sent, under GitHub's 25 MB cap.
const BODY: usize = 24 * 1024 * 1024;
/// Concurrent attackers of each kind.
const ATTACKERS: usize = 16;
/// The peak resident memory may grow by this much over the idle server's: the 32 MiB budget of
/// bodies in flight plus room for buffers, threads and the allocator.
const PEAK_GROWTH_BOUND: u64 = 64 * 1024 * 1024;
/// What may stay resident once the flood is over.
const KEPT_BOUND: u64 = 16 * 1024 * 1024;

/// `VmHWM` (peak) and `VmRSS` (now) of a process, in bytes.
fn memory(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| {
                rest.trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
            .map(|kib| kib * 1024)
            .unwrap_or_else(|| panic!("{name} in {status}"))
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// One attacker: a webhook request with a well-formed but wrong signature whose body is
/// `size` bytes, declared in `Content-Length` or sent chunked. Returns the status line's code,
/// or 0 when the server closed the connection before answering was read.
async fn attack(port: u16, size: usize, chunked: bool) -> u16 {
    let Ok(mut stream) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await else {
        return 0;
    };
    let length = if chunked {
        "Transfer-Encoding: chunked".to_string()
    } else {
        format!("Content-Length: {size}")
    };
    let head = format!(
        "POST /api/github/webhooks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         X-GitHub-Event: pull_request\r\nX-GitHub-Delivery: attack\r\n\
         X-Hub-Signature-256: sha256={}\r\n{length}\r\n\r\n",
        "0".repeat(64)
    );
    if stream.write_all(head.as_bytes()).await.is_err() {
        return 0;
    }
    let chunk = vec![b' '; 64 * 1024];
    let mut sent = 0;
    while sent < size {
        let result = if chunked {
            let mut framed = format!("{:x}\r\n", chunk.len()).into_bytes();
            framed.extend_from_slice(&chunk);
            framed.extend_from_slice(b"\r\n");
            stream.write_all(&framed).await
        } else {
            stream.write_all(&chunk).await
        };
        if result.is_err() {
            break;
        }
        sent += chunk.len();
    }
    if chunked {
        let _ = stream.write_all(b"0\r\n\r\n").await;
    }
    let mut answer = [0u8; 12];
    match tokio::time::timeout(Duration::from_secs(20), stream.read_exact(&mut answer)).await {
        Ok(Ok(_)) => std::str::from_utf8(&answer[9..12])
            .ok()
            .and_then(|code| code.parse().ok())
            .unwrap_or(0),
        _ => 0,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_large_unsigned_bodies_keeps_memory_bounded_and_a_delivery_gets_through() {
    let gh = github_with_prs(1).await;
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("dr.db").display());
    let server = ServerProcess::start(&quiet_env(&gh, &database_url)).await;
    let client = reqwest::Client::new();
    // Warm up: one delivery through every layer, so the baseline includes what any request
    // allocates once.
    let warm = gh.pull_request_event("synchronize", REPO, 1);
    assert_eq!(
        server.send(&client, "pull_request", "warm", &warm).await,
        202
    );
    let (_, baseline) = memory(server.pid());

    let port = server.port;
    let mut attacks = Vec::new();
    for n in 0..ATTACKERS {
        // Declared too large (refused from the headers), sent chunked (read up to the limit),
        // and declared just under the limit (read within the budget, then refused as unsigned).
        attacks.push(tokio::spawn(attack(port, BODY, false)));
        attacks.push(tokio::spawn(attack(port, BODY, true)));
        attacks.push(tokio::spawn(attack(port, 4 * 1024 * 1024 - n, false)));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let body = gh.pull_request_event("synchronize", REPO, 1);
    let during = server
        .send(&client, "pull_request", "during-flood", &body)
        .await;
    let mut answers = std::collections::BTreeMap::<u16, usize>::new();
    for attack in attacks {
        *answers.entry(attack.await.unwrap()).or_default() += 1;
    }
    let (peak, after_flood) = memory(server.pid());
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (_, settled) = memory(server.pid());
    let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
    println!(
        "memory: idle {:.1} MiB, peak {:.1} MiB, right after the flood {:.1} MiB, 0.5 s later \
         {:.1} MiB; {} attacking requests answered {answers:?} (0: connection closed first); \
         the delivery sent during the flood: {during}",
        mib(baseline),
        mib(peak),
        mib(after_flood),
        mib(settled),
        ATTACKERS * 3
    );
    assert_eq!(
        during, 202,
        "a signed delivery during the flood is accepted"
    );
    assert!(
        peak <= baseline + PEAK_GROWTH_BOUND,
        "peak RSS {:.1} MiB grew more than {:.0} MiB over the idle {:.1} MiB",
        mib(peak),
        mib(PEAK_GROWTH_BOUND),
        mib(baseline)
    );
    assert!(
        settled <= baseline + KEPT_BOUND,
        "RSS {:.1} MiB after the flood kept more than {:.0} MiB over the idle {:.1} MiB",
        mib(settled),
        mib(KEPT_BOUND),
        mib(baseline)
    );
    let after = gh.pull_request_event("synchronize", REPO, 1);
    assert_eq!(
        server
            .send(&client, "pull_request", "after-flood", &after)
            .await,
        202
    );
}
