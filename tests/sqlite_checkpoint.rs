//! SQLite specifics: the write-ahead log is copied into the database file in the background,
//! not inside intake's commits (which would stall the answer to GitHub).

use std::time::Duration;

use chrono::Utc;
use design_review::store::{self, NewDelivery};

#[tokio::test]
async fn the_wal_is_checkpointed_in_the_background() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dr.db");
    let store = store::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let payload = format!("{{\"body\":\"{}\"}}", "x".repeat(20_000));
    for n in 0..300 {
        store
            .insert_delivery(&NewDelivery {
                id: format!("d-{n}"),
                event: "pull_request".into(),
                action: Some("opened".into()),
                installation_id: Some(1),
                repo: Some("acme/widgets".into()),
                pr_key: Some(format!("acme/widgets#{n}")),
                coalescable: true,
                payload: payload.clone(),
                received_at: Utc::now(),
            })
            .await
            .unwrap();
    }
    // About 6 MB were written to the WAL; the background checkpoint moves them into the file.
    let mut size = 0;
    for _ in 0..100 {
        size = std::fs::metadata(&path).unwrap().len();
        if size > 5_000_000 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        size > 5_000_000,
        "database file is {size} bytes: the WAL was never checkpointed"
    );
    assert_eq!(store.queue_depth().await.unwrap(), 300);
}
