//! A short-lived cache for facts that can change (team memberships, permissions, access lists),
//! so that a burst of evaluations does not ask GitHub the same question again and again.
//!
//! Facts fixed by a commit SHA need no expiry and use [`quick_cache::sync::Cache`] directly;
//! this adds the one thing that crate leaves out: an entry is trusted for a fixed time only.
//! The expiry is stored next to the value and checked when it is read; the bound on the number
//! of entries, and which to evict first, are the crate's.

use std::{
    hash::Hash,
    time::{Duration, Instant},
};

use quick_cache::sync::Cache;

/// A bounded map whose entries expire a fixed time after they were put.
pub struct TtlCache<K, V> {
    entries: Cache<K, (Instant, V)>,
    ttl: Duration,
}

impl<K: Eq + Hash, V: Clone> TtlCache<K, V> {
    /// Holds about `capacity` entries, each trusted for `ttl`.
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Self {
            entries: Cache::new(capacity.max(1)),
            ttl,
        }
    }

    /// The value put for `key`, unless it has expired.
    pub fn get(&self, key: &K) -> Option<V> {
        self.get_at(key, Instant::now())
    }

    /// Remembers `value` for `key` from now on.
    pub fn put(&self, key: K, value: V) {
        self.put_at(key, value, Instant::now());
    }

    /// [`Self::get`] as seen at `now`: the clock is a parameter so that expiry is testable
    /// without waiting.
    fn get_at(&self, key: &K, now: Instant) -> Option<V> {
        let (expires, value) = self.entries.get(key)?;
        if now < expires {
            return Some(value);
        }
        self.entries.remove_if(key, |(expires, _)| now >= *expires);
        None
    }

    fn put_at(&self, key: K, value: V, now: Instant) {
        self.entries.insert(key, (now + self.ttl, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    #[test]
    fn an_entry_is_trusted_until_its_time_is_up() {
        let cache = TtlCache::new(MINUTE, 10);
        let start = Instant::now();
        cache.put_at("k", 1, start);
        assert_eq!(cache.get_at(&"k", start), Some(1));
        assert_eq!(
            cache.get_at(&"k", start + MINUTE - Duration::from_nanos(1)),
            Some(1)
        );
        assert_eq!(cache.get_at(&"k", start + MINUTE), None);
        assert_eq!(
            cache.get_at(&"k", start),
            None,
            "an expired entry is dropped"
        );
    }

    #[test]
    fn a_zero_ttl_caches_nothing() {
        let cache = TtlCache::new(Duration::ZERO, 10);
        cache.put("k", 1);
        assert_eq!(cache.get(&"k"), None);
    }

    #[test]
    fn putting_again_renews_the_entry() {
        let cache = TtlCache::new(MINUTE, 10);
        let start = Instant::now();
        cache.put_at("k", 1, start);
        cache.put_at("k", 2, start + MINUTE);
        assert_eq!(cache.get_at(&"k", start + MINUTE), Some(2));
    }

    #[test]
    fn it_is_bounded() {
        let cache = TtlCache::new(MINUTE, 4);
        for i in 0..100 {
            cache.put(i, i);
        }
        assert_eq!(cache.entries.len(), 4);
        assert_eq!(cache.get(&99), Some(99), "the newest entry is kept");
    }
}
