//! The intake hot path in-process: signature verification, payload parsing and the durable
//! insert, on a 22 KB `pull_request` delivery shaped like GitHub's.

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::Utc;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use design_review::{
    domain::InstallationId,
    store::{self, NewDelivery},
    webhook::{Event, signature},
};
use secrecy::SecretString;

/// A `pull_request.synchronize` delivery shaped like GitHub's (every object and URL field, compact
/// JSON, 22 KB of varied prose): what `scripts/pr-payload.py` writes for the load scripts. The
/// parse skips most of it, so its cost depends on the shape of the whole body, not on the few
/// fields read.
const PAYLOAD: &str = include_str!("fixtures/pull_request.json");

fn intake(c: &mut Criterion) {
    let body = PAYLOAD.to_string();
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
                installation_id: Some(InstallationId(1)),
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
