//! SQLite specifics: the write-ahead log is copied into the database file in the background,
//! not inside intake's commits (which would stall the answer to GitHub).

use std::time::Duration;

use chrono::Utc;
use design_review::domain::InstallationId;
use design_review::store::{self, NewDelivery};

#[tokio::test]
async fn the_wal_is_checkpointed_in_the_background() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dr.db");
    let store = store::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    // Payloads are stored compressed: this one does not compress (pseudo-random letters).
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let noise: String = (0..20_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(b'a' + (state % 26) as u8)
        })
        .collect();
    let payload = format!("{{\"body\":\"{noise}\"}}");
    for n in 0..300 {
        store
            .insert_delivery(NewDelivery {
                id: format!("d-{n}"),
                event: "pull_request".into(),
                action: Some("opened".into()),
                installation_id: Some(InstallationId(1)),
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

/// Payloads are stored LZ4-compressed; rows written as plain text (before compression) still
/// read back, and a compressed payload is a fraction of the JSON's size on disk.
#[tokio::test]
async fn payloads_are_stored_compressed_and_plain_rows_still_read() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("dr.db").display());
    let store = store::connect(&url).await.unwrap();
    let payload = format!(
        "{{\"pull_request\":{{\"url\":\"https://api.github.com/repos/acme/widgets/pulls/7\"}},\"links\":[{}]}}",
        vec!["\"https://api.github.com/repos/acme/widgets/issues/7/comments\""; 200].join(",")
    );
    for id in ["compressed", "legacy"] {
        store
            .insert_delivery(NewDelivery {
                id: id.into(),
                event: "pull_request".into(),
                action: Some("opened".into()),
                installation_id: Some(InstallationId(1)),
                repo: Some("acme/widgets".into()),
                pr_key: Some("acme/widgets#7".into()),
                coalescable: true,
                payload: payload.clone(),
                received_at: Utc::now(),
            })
            .await
            .unwrap();
    }
    let raw = sqlx::SqlitePool::connect(&url).await.unwrap();
    let stored: i64 = sqlx::query_scalar(
        "SELECT length(p.payload) FROM delivery_payloads p JOIN deliveries d ON d.seq = p.seq WHERE d.id = 'compressed'",
    )
    .fetch_one(&raw)
    .await
    .unwrap();
    assert!(
        (stored as usize) * 4 < payload.len(),
        "{stored} bytes stored for {} bytes of JSON",
        payload.len()
    );
    // A row from before compression holds the JSON as TEXT.
    sqlx::query(
        "UPDATE delivery_payloads SET payload = ? WHERE seq = (SELECT seq FROM deliveries WHERE id = 'legacy')",
    )
    .bind(&payload)
    .execute(&raw)
    .await
    .unwrap();
    for id in ["compressed", "legacy"] {
        let delivery = store.get_delivery(id).await.unwrap().unwrap();
        assert_eq!(delivery.arrived.payload, payload, "{id}");
    }
}
