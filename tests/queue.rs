//! The delivery queue end to end through the real router: retries, failures, panics,
//! per-PR order, coalescing and graceful shutdown.

mod support;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use async_trait::async_trait;
use design_review::{
    queue::{HandleError, Handler},
    store::{Delivery, DeliveryStatus},
};
use support::app::{TestApp, pull_request_payload, test_queue_settings};
use tokio::sync::Semaphore;

/// A handler whose behaviour per delivery id is scripted by the test.
#[derive(Default)]
struct Scripted {
    /// Delivery ids in the order they were handled (one entry per attempt).
    log: Mutex<Vec<String>>,
    /// How many attempts fail transiently before one succeeds, per delivery id.
    transient_failures: Mutex<HashMap<String, u32>>,
    permanent: Mutex<Vec<String>>,
    panics: Mutex<HashMap<String, u32>>,
    /// When set, handling waits for a permit (to hold deliveries "in flight").
    gate: Option<Arc<Semaphore>>,
    in_flight: Mutex<Vec<String>>,
    overlap: Mutex<bool>,
}

#[async_trait]
impl Handler for Scripted {
    async fn handle(&self, delivery: &Delivery) -> Result<(), HandleError> {
        let key = delivery.arrived.pr_key.clone().unwrap_or_default();
        {
            let mut in_flight = self.in_flight.lock().unwrap();
            if in_flight.contains(&key) {
                *self.overlap.lock().unwrap() = true;
            }
            in_flight.push(key.clone());
        }
        self.log.lock().unwrap().push(delivery.arrived.id.clone());
        if let Some(gate) = &self.gate {
            gate.acquire().await.expect("gate open").forget();
        }
        self.in_flight.lock().unwrap().retain(|k| k != &key);
        let should_panic = match self.panics.lock().unwrap().get_mut(&delivery.arrived.id) {
            Some(left) if *left > 0 => {
                *left -= 1;
                true
            }
            _ => false,
        };
        assert!(!should_panic, "scripted panic");
        if self
            .permanent
            .lock()
            .unwrap()
            .contains(&delivery.arrived.id)
        {
            return Err(HandleError::Permanent("payload unusable".into()));
        }
        let mut failures = self.transient_failures.lock().unwrap();
        match failures.get_mut(&delivery.arrived.id) {
            Some(left) if *left > 0 => {
                *left -= 1;
                Err(HandleError::Transient {
                    message: "GitHub answered 502".into(),
                    retry_at: None,
                })
            }
            _ => Ok(()),
        }
    }
}

async fn wait_for_status(app: &TestApp, id: &str, status: DeliveryStatus) -> Delivery {
    for _ in 0..1000 {
        if let Some(d) = app.store.get_delivery(id).await.unwrap()
            && d.status == status
        {
            return d;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let d = app.store.get_delivery(id).await.unwrap();
    panic!("{id} never reached {status:?}: {d:?}");
}

fn payload(pr: u64, sha: &str) -> String {
    pull_request_payload("synchronize", "acme/widgets", pr, sha)
}

#[tokio::test]
async fn transient_failures_are_retried_until_success() {
    let handler = Arc::new(Scripted::default());
    handler
        .transient_failures
        .lock()
        .unwrap()
        .insert("t-1".into(), 2);
    let app = TestApp::with_handler(handler.clone(), test_queue_settings()).await;
    app.send("pull_request", "t-1", &payload(1, "a")).await;
    let done = wait_for_status(&app, "t-1", DeliveryStatus::Done).await;
    assert_eq!(done.attempts, 3);
    assert_eq!(handler.log.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn gives_up_after_max_attempts_and_keeps_the_last_error() {
    let handler = Arc::new(Scripted::default());
    handler
        .transient_failures
        .lock()
        .unwrap()
        .insert("t-2".into(), 100);
    let app = TestApp::with_handler(handler.clone(), test_queue_settings()).await;
    app.send("pull_request", "t-2", &payload(1, "a")).await;
    let failed = wait_for_status(&app, "t-2", DeliveryStatus::Failed).await;
    assert_eq!(failed.attempts, 3, "max_attempts is 3 in tests");
    assert_eq!(failed.last_error.as_deref(), Some("GitHub answered 502"));
    // `redeliver` puts it back in the queue with a fresh set of attempts: one more transient
    // failure is retried, not the end of it.
    handler
        .transient_failures
        .lock()
        .unwrap()
        .insert("t-2".into(), 1);
    app.store.requeue("t-2").await.unwrap();
    let done = wait_for_status(&app, "t-2", DeliveryStatus::Done).await;
    assert_eq!(done.attempts, 2);
    assert_eq!(done.last_error.as_deref(), Some("GitHub answered 502"));
}

#[tokio::test]
async fn permanent_failure_is_not_retried() {
    let handler = Arc::new(Scripted::default());
    handler.permanent.lock().unwrap().push("p-1".into());
    let app = TestApp::with_handler(handler.clone(), test_queue_settings()).await;
    app.send("pull_request", "p-1", &payload(1, "a")).await;
    let failed = wait_for_status(&app, "p-1", DeliveryStatus::Failed).await;
    assert_eq!(failed.attempts, 1);
    assert_eq!(failed.last_error.as_deref(), Some("payload unusable"));
}

#[tokio::test]
async fn a_panicking_handler_does_not_stop_the_workers() {
    let handler = Arc::new(Scripted::default());
    handler.panics.lock().unwrap().insert("boom".into(), 1);
    let app = TestApp::with_handler(handler.clone(), test_queue_settings()).await;
    app.send("pull_request", "boom", &payload(1, "a")).await;
    app.send("pull_request", "after", &payload(2, "b")).await;
    let done = wait_for_status(&app, "boom", DeliveryStatus::Done).await;
    assert_eq!(
        done.attempts, 2,
        "the panic counted as a failed attempt and was retried"
    );
    wait_for_status(&app, "after", DeliveryStatus::Done).await;
}

#[tokio::test]
async fn pushes_to_one_pr_coalesce_into_one_evaluation_of_the_newest() {
    let gate = Arc::new(Semaphore::new(0));
    let handler = Arc::new(Scripted {
        gate: Some(gate.clone()),
        ..Default::default()
    });
    let app = TestApp::with_handler(handler.clone(), test_queue_settings()).await;
    // The first push is taken at once and held in flight...
    app.send("pull_request", "push-0", &payload(7, "sha0"))
        .await;
    wait_for_status(&app, "push-0", DeliveryStatus::Processing).await;
    // ...while five more pushes arrive.
    for n in 1..=5 {
        app.send(
            "pull_request",
            &format!("push-{n}"),
            &payload(7, &format!("sha{n}")),
        )
        .await;
    }
    gate.add_permits(100);
    wait_for_status(&app, "push-5", DeliveryStatus::Done).await;
    for n in 1..=4 {
        wait_for_status(&app, &format!("push-{n}"), DeliveryStatus::Coalesced).await;
    }
    assert_eq!(*handler.log.lock().unwrap(), vec!["push-0", "push-5"]);
    assert!(!*handler.overlap.lock().unwrap());
}

#[tokio::test]
async fn one_pr_at_a_time_and_in_order_while_prs_run_in_parallel() {
    let handler = Arc::new(Scripted::default());
    let settings = test_queue_settings();
    let app = TestApp::with_handler(handler.clone(), settings).await;
    // Comments are not coalescable: every one runs, in order.
    for n in 0..5 {
        for pr in [1, 2] {
            let body = serde_json::json!({
                "action": "created",
                "issue": { "number": pr, "pull_request": { "url": "x" } },
                "comment": { "id": n, "body": format!("comment {n}"), "user": { "login": "bob", "type": "User" } },
                "repository": { "full_name": "acme/widgets" },
                "installation": { "id": 42 }
            });
            app.send("issue_comment", &format!("c-{pr}-{n}"), &body.to_string())
                .await;
        }
    }
    wait_for_status(&app, "c-1-4", DeliveryStatus::Done).await;
    wait_for_status(&app, "c-2-4", DeliveryStatus::Done).await;
    let log = handler.log.lock().unwrap().clone();
    for pr in [1, 2] {
        let order: Vec<_> = log
            .iter()
            .filter(|id| id.starts_with(&format!("c-{pr}-")))
            .cloned()
            .collect();
        assert_eq!(
            order,
            (0..5).map(|n| format!("c-{pr}-{n}")).collect::<Vec<_>>()
        );
    }
    assert!(!*handler.overlap.lock().unwrap());
}

#[tokio::test]
async fn graceful_shutdown_finishes_the_delivery_in_hand() {
    let gate = Arc::new(Semaphore::new(0));
    let handler = Arc::new(Scripted {
        gate: Some(gate.clone()),
        ..Default::default()
    });
    let app = TestApp::with_handler(handler.clone(), test_queue_settings()).await;
    app.send("pull_request", "in-hand", &payload(1, "a")).await;
    wait_for_status(&app, "in-hand", DeliveryStatus::Processing).await;
    let stopping = tokio::spawn(app.shutdown());
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        !stopping.is_finished(),
        "shutdown waits for the delivery in hand"
    );
    gate.add_permits(1);
    let stopped = stopping.await.unwrap();
    let d = stopped
        .store
        .get_delivery("in-hand")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(d.status, DeliveryStatus::Done);
}
