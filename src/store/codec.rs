//! Value conversions shared by the SQL backends: the parts of a row that both dialects store the
//! same way (status text, limits, PR numbers) and the SQLite timestamp encoding.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{DeliveryStatus, StoreError, StoreResult};
use crate::domain::PrRef;

/// The longest lease a claim can take. Longer requests are capped so that the lease end stays a
/// representable timestamp in both databases.
pub(crate) const MAX_LEASE: Duration = Duration::from_secs(365 * 24 * 3600);

/// Parses a stored status, failing the row decode when the column holds something unknown.
pub(crate) fn decode_status(text: &str) -> Result<DeliveryStatus, sqlx::Error> {
    DeliveryStatus::parse(text)
        .ok_or_else(|| sqlx::Error::Decode(format!("unknown delivery status {text:?}").into()))
}

/// SQLite keeps timestamps as microseconds since the Unix epoch (UTC) in an INTEGER: sortable,
/// compact, and the same precision as PostgreSQL's TIMESTAMPTZ.
pub(crate) fn to_micros(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

/// The inverse of [`to_micros`]; fails the row decode on an out-of-range value.
pub(crate) fn from_micros(micros: i64) -> Result<DateTime<Utc>, sqlx::Error> {
    DateTime::from_timestamp_micros(micros)
        .ok_or_else(|| sqlx::Error::Decode(format!("timestamp out of range: {micros}").into()))
}

/// A lease length in microseconds, capped at [`MAX_LEASE`].
pub(crate) fn lease_micros(lease: Duration) -> i64 {
    // MAX_LEASE in microseconds fits comfortably in an i64.
    i64::try_from(lease.min(MAX_LEASE).as_micros()).unwrap_or(i64::MAX)
}

/// Deliveries deleted per retention batch (each batch is one short write transaction).
pub(crate) const PRUNE_BATCH: i64 = 100;
/// Pause between two retention batches, leaving the writer to intake and the workers.
pub(crate) const PRUNE_PAUSE: Duration = Duration::from_millis(10);

/// Runs `batch` (one short delete transaction, returning how many rows it deleted) until a
/// batch deletes fewer than [`PRUNE_BATCH`] rows, pausing [`PRUNE_PAUSE`] between batches so
/// that intake is never held up for long. Returns how many rows were deleted in all.
pub(crate) async fn in_batches<F, Fut>(mut batch: F) -> StoreResult<u64>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = StoreResult<u64>>,
{
    let mut deleted = 0;
    loop {
        let rows = batch().await?;
        deleted += rows;
        if rows < PRUNE_BATCH.unsigned_abs() {
            return Ok(deleted);
        }
        tokio::time::sleep(PRUNE_PAUSE).await;
    }
}

/// A list limit: zero or negative means "no limit" (the `Default` of the filters).
pub(crate) fn limit(limit: i64) -> Option<i64> {
    (limit > 0).then_some(limit)
}

/// Marks a payload stored LZ4-compressed (JSON text never starts with a NUL byte, so rows
/// written before compression, plain text, still read back as they are).
const LZ4_MAGIC: &[u8; 4] = b"\0lz4";
/// Largest payload a stored size prefix may announce (GitHub's bodies stop at 25 MiB).
const MAX_PAYLOAD_BYTES: usize = 64 * 1024 * 1024;

/// SQLite has no compression of its own: payloads (~20 KB of JSON full of repeated URLs, about
/// a fifth of that compressed) are stored LZ4-compressed, so the write-ahead log and its
/// checkpoints copy a fifth of the bytes. (PostgreSQL compresses large values itself.)
pub(crate) fn compress_payload(payload: &str) -> Vec<u8> {
    let compressed = lz4_flex::compress_prepend_size(payload.as_bytes());
    let mut stored = Vec::with_capacity(LZ4_MAGIC.len() + compressed.len());
    stored.extend_from_slice(LZ4_MAGIC);
    stored.extend_from_slice(&compressed);
    stored
}

/// The inverse of [`compress_payload`]; plain text (rows from before compression) is returned
/// as is. Fails the row decode on a corrupt value rather than returning garbage.
pub(crate) fn decompress_payload(stored: Vec<u8>) -> Result<String, sqlx::Error> {
    let bytes = match stored.strip_prefix(LZ4_MAGIC) {
        Some(compressed) => {
            let announced = compressed
                .first_chunk::<4>()
                .map_or(usize::MAX, |size| u32::from_le_bytes(*size) as usize);
            if announced > MAX_PAYLOAD_BYTES {
                return Err(sqlx::Error::Decode(
                    format!("stored payload announces {announced} bytes").into(),
                ));
            }
            lz4_flex::decompress_size_prepended(compressed)
                .map_err(|e| sqlx::Error::Decode(format!("stored payload: {e}").into()))?
        }
        None => stored,
    };
    String::from_utf8(bytes).map_err(|_| sqlx::Error::Decode("stored payload is not UTF-8".into()))
}

/// The `(repo, number)` key a PR's state is stored under.
pub(crate) fn pr_key_columns(pr: &PrRef) -> StoreResult<(String, i64)> {
    let number = i64::try_from(pr.number.0).map_err(|_| {
        StoreError::Database(sqlx::Error::Encode(
            format!(
                "pull request number {} does not fit a database integer",
                pr.number.0
            )
            .into(),
        ))
    })?;
    Ok((pr.repo.to_string(), number))
}

/// A token for one claim by `worker`: the worker's name (for diagnostics) and a random part, so
/// that two claims of one delivery never share a token, even by workers of the same name.
pub(crate) fn claim_token(worker: &str) -> String {
    format!("{worker}/{:016x}", rand::random::<u64>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn micros_round_trip_keeps_microsecond_precision() {
        let at = DateTime::from_timestamp_micros(1_700_000_000_123_456).unwrap();
        assert_eq!(from_micros(to_micros(at)).unwrap(), at);
    }

    #[test]
    fn payloads_round_trip_compressed_and_plain_rows_still_read() {
        let payload =
            r#"{"action":"opened","url":"https://api.github.com/repos/acme/widgets/pulls/7"}"#
                .repeat(50);
        let stored = compress_payload(&payload);
        assert!(stored.len() * 4 < payload.len(), "{} bytes", stored.len());
        assert_eq!(decompress_payload(stored).unwrap(), payload);
        assert_eq!(
            decompress_payload(payload.clone().into_bytes()).unwrap(),
            payload
        );
        assert_eq!(decompress_payload(compress_payload("")).unwrap(), "");
    }

    #[test]
    fn stored_payloads_keep_the_format_of_earlier_releases() {
        // The stored format is the magic, then lz4_flex's size-prepended block: rows written by
        // earlier releases must read back, and new rows must keep that format.
        let payload = r#"{"zen":"Keep it logically awesome.","hook_id":1}"#.repeat(40);
        let mut earlier = LZ4_MAGIC.to_vec();
        earlier.extend_from_slice(&lz4_flex::compress_prepend_size(payload.as_bytes()));
        assert_eq!(compress_payload(&payload), earlier);
        assert_eq!(decompress_payload(earlier).unwrap(), payload);
    }

    #[test]
    fn corrupt_payloads_fail_the_decode() {
        let mut stored = compress_payload(&"x".repeat(1000));
        stored.truncate(stored.len() / 2);
        assert!(decompress_payload(stored).is_err());
        let mut huge = LZ4_MAGIC.to_vec();
        huge.extend_from_slice(&u32::MAX.to_le_bytes());
        assert!(decompress_payload(huge).is_err());
        assert!(decompress_payload(vec![0xff, 0xfe]).is_err());
    }

    #[test]
    fn huge_leases_are_capped() {
        assert_eq!(
            lease_micros(Duration::from_secs(u64::MAX)),
            lease_micros(MAX_LEASE)
        );
        assert_eq!(lease_micros(Duration::from_millis(1500)), 1_500_000);
    }

    #[test]
    fn non_positive_limits_mean_unlimited() {
        assert_eq!(limit(0), None);
        assert_eq!(limit(-3), None);
        assert_eq!(limit(7), Some(7));
    }

    #[test]
    fn unknown_status_is_a_decode_error() {
        assert!(decode_status("processing").is_ok());
        assert!(matches!(decode_status("lost"), Err(sqlx::Error::Decode(_))));
    }
}
