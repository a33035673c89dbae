//! The intake hot path in-process: signature verification, payload parsing and the durable
//! insert, on a realistic ~20 KB `pull_request` delivery.

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::Utc;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use design_review::{
    store::{self, NewDelivery},
    webhook::{Event, signature},
};
use secrecy::SecretString;

fn payload() -> String {
    serde_json::json!({
        "action": "synchronize", "number": 7,
        "pull_request": {
            "number": 7, "state": "open", "draft": false, "title": "Bench",
            "html_url": "https://github.com/acme/widgets/pull/7",
            "user": {"login": "alice", "type": "User"}, "body": "x".repeat(19_000),
            "head": {"ref": "f", "sha": "a".repeat(40)}, "base": {"ref": "main", "sha": "b".repeat(40)},
            "requested_reviewers": [], "requested_teams": []
        },
        "repository": {"full_name": "acme/widgets", "default_branch": "main"},
        "installation": {"id": 1}, "sender": {"login": "alice", "type": "User"}
    })
    .to_string()
}

fn intake(c: &mut Criterion) {
    let body = payload();
    let secrets = vec![SecretString::from("s3cret".to_string())];
    let header = signature::sign("s3cret", body.as_bytes());
    let mut group = c.benchmark_group("intake");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("verify_signature", |b| {
        b.iter(|| signature::verify(&secrets, Some(&header), body.as_bytes()).unwrap())
    });
    group.bench_function("parse_payload", |b| {
        b.iter(|| Event::parse_with_action("pull_request", body.as_bytes()).unwrap())
    });

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let store = runtime.block_on(store::connect(&url)).unwrap();
    let counter = AtomicU64::new(0);
    group.bench_function("verify_parse_store_sqlite", |b| {
        b.iter(|| {
            signature::verify(&secrets, Some(&header), body.as_bytes()).unwrap();
            let (event, action) =
                Event::parse_with_action("pull_request", body.as_bytes()).unwrap();
            let n = counter.fetch_add(1, Ordering::Relaxed);
            let delivery = NewDelivery {
                id: format!("bench-{n}"),
                event: "pull_request".into(),
                action,
                installation_id: Some(1),
                repo: Some("acme/widgets".into()),
                pr_key: event.pr().map(|p| p.queue_key()),
                coalescable: event.coalescable(),
                payload: body.clone(),
                received_at: Utc::now(),
            };
            runtime.block_on(store.insert_delivery(delivery)).unwrap();
        })
    });
    group.finish();
}

criterion_group!(benches, intake);
criterion_main!(benches);
