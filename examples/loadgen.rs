//! A small load generator for the webhook endpoint: signs realistic deliveries with unique
//! delivery ids and sends them over a fixed number of connections, then reports throughput and
//! latency.
//!
//! cargo run --release --example loadgen -- --url http://127.0.0.1:3000/api/github/webhooks \
//!     --secret s3cret --event pull_request --requests 50000 --concurrency 64
//!
//! Without `--rate` it is closed-loop like `wrk`: each connection sends its next request as soon
//! as the previous one is answered, so the figures are those of a saturated server. With
//! `--rate N` it is open-loop, the way GitHub sends: request `i` is due at `i / N` seconds and
//! its latency counts from that moment, so time spent waiting for a free connection (when the
//! server falls behind) is part of the figure rather than hidden by the generator slowing down.

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use clap::Parser;
use design_review::webhook::signature;

#[derive(Parser)]
struct Args {
    #[arg(long, default_value = "http://127.0.0.1:3000/api/github/webhooks")]
    url: String,
    #[arg(long, default_value = "s3cret")]
    secret: String,
    /// `ping` or `pull_request`.
    #[arg(long, default_value = "pull_request")]
    event: String,
    #[arg(long, default_value_t = 20_000)]
    requests: usize,
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Approximate payload size in bytes for pull_request deliveries.
    #[arg(long, default_value_t = 20_000)]
    body_bytes: usize,
    /// Number of distinct pull requests the deliveries are spread over.
    #[arg(long, default_value_t = 500)]
    prs: usize,
    /// Prefix of the delivery ids (make it unique per run).
    #[arg(long, default_value = "load")]
    id_prefix: String,
    /// Offered load in requests per second (open loop); absent: as fast as answered.
    #[arg(long)]
    rate: Option<f64>,
    /// Send this file as the body of every request (e.g. the output of
    /// `scripts/pr-payload.py`) instead of a generated one. The delivery id, a header, still
    /// differs per request, so each is stored.
    #[arg(long)]
    body_file: Option<std::path::PathBuf>,
}

fn body(event: &str, n: usize, prs: usize, size: usize) -> String {
    if event == "ping" {
        return r#"{"zen":"Design for failure.","hook_id":1,"hook":{"type":"App","id":1,"events":["pull_request"]}}"#.to_string();
    }
    let pr = n % prs + 1;
    let filler = "x".repeat(size.saturating_sub(900));
    serde_json::json!({
        "action": "synchronize",
        "number": pr,
        "pull_request": {
            "number": pr, "state": "open", "draft": false, "title": "Load test",
            "html_url": format!("https://github.com/acme/widgets/pull/{pr}"),
            "user": {"login": "alice", "type": "User"},
            "body": filler,
            "head": {"ref": "feature", "sha": format!("{n:040x}")},
            "base": {"ref": "main", "sha": "0000000000000000000000000000000000000000"},
            "requested_reviewers": [], "requested_teams": []
        },
        "repository": {"full_name": "acme/widgets", "default_branch": "main"},
        "installation": {"id": 1},
        "sender": {"login": "alice", "type": "User"}
    })
    .to_string()
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .build()
        .expect("client");
    // Bodies and signatures are prepared up front so the generator measures the server.
    let fixed = args.body_file.as_ref().map(|path| {
        let body = std::fs::read_to_string(path).expect("readable --body-file");
        let sig = signature::sign(&args.secret, body.as_bytes());
        (sig, body)
    });
    let prepared: Arc<Vec<(String, String, String)>> = Arc::new(
        (0..args.requests)
            .map(|n| {
                let (sig, body) = fixed.clone().unwrap_or_else(|| {
                    let body = body(&args.event, n, args.prs, args.body_bytes);
                    (signature::sign(&args.secret, body.as_bytes()), body)
                });
                (format!("{}-{n}", args.id_prefix), sig, body)
            })
            .collect(),
    );
    let interval = args.rate.map(|rate| Duration::from_secs_f64(1.0 / rate));
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..args.concurrency {
        let client = client.clone();
        let prepared = prepared.clone();
        let next = next.clone();
        let url = args.url.clone();
        let event = args.event.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((id, sig, body)) = prepared.get(i) else {
                    break;
                };
                let t = match interval {
                    Some(interval) => {
                        let due = started + interval * i as u32;
                        tokio::time::sleep_until(due.into()).await;
                        due
                    }
                    None => Instant::now(),
                };
                let status = client
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("x-github-event", &event)
                    .header("x-github-delivery", id)
                    .header("x-hub-signature-256", sig)
                    .body(body.clone())
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
                    .unwrap_or(0);
                latencies.push(t.elapsed());
                *statuses.entry(status).or_default() += 1;
            }
            (latencies, statuses)
        }));
    }
    let mut latencies: Vec<Duration> = Vec::new();
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    for task in tasks {
        let (l, s) = task.await.expect("task");
        latencies.extend(l);
        for (k, v) in s {
            *statuses.entry(k).or_default() += v;
        }
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    println!(
        "{{\"event\":\"{}\",\"offered_rps\":{},\"requests\":{},\"concurrency\":{},\"seconds\":{:.3},\"rps\":{:.0},\"p50_ms\":{:.2},\"p99_ms\":{:.2},\"max_ms\":{:.2},\"statuses\":{}}}",
        args.event,
        args.rate
            .map_or("null".to_string(), |rate| format!("{rate:.0}")),
        latencies.len(),
        args.concurrency,
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
        serde_json::to_string(&statuses).unwrap_or_default()
    );
}
