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

/// A list limit: zero or negative means "no limit" (the `Default` of the filters).
pub(crate) fn limit(limit: i64) -> Option<i64> {
    (limit > 0).then_some(limit)
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
