//! Small in-process caches that save GitHub calls on re-evaluation.
//!
//! Content at a commit SHA never changes, so [`ShaCache`] needs no revalidation; facts that can
//! change (team membership) live in a [`TtlCache`] for a short time only.

use std::{
    collections::HashMap,
    hash::Hash,
    sync::Mutex,
    time::{Duration, Instant},
};

/// A bounded map for immutable facts (keyed by something that includes a commit SHA).
pub struct ShaCache<K, V> {
    entries: Mutex<HashMap<K, V>>,
    capacity: usize,
}

impl<K: Eq + Hash, V: Clone> ShaCache<K, V> {
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            capacity,
        }
    }

    pub fn get(&self, key: &K) -> Option<V> {
        self.entries.lock().ok()?.get(key).cloned()
    }

    pub fn put(&self, key: K, value: V) {
        if let Ok(mut entries) = self.entries.lock() {
            // Crude but bounded: facts are cheap to fetch again.
            if entries.len() >= self.capacity {
                entries.clear();
            }
            entries.insert(key, value);
        }
    }
}

/// A map whose entries expire after a fixed time.
pub struct TtlCache<K, V> {
    entries: Mutex<HashMap<K, (Instant, V)>>,
    ttl: Duration,
    capacity: usize,
}

impl<K: Eq + Hash, V: Clone> TtlCache<K, V> {
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            ttl,
            capacity,
        }
    }

    pub fn get(&self, key: &K) -> Option<V> {
        let entries = self.entries.lock().ok()?;
        let (at, value) = entries.get(key)?;
        (at.elapsed() < self.ttl).then(|| value.clone())
    }

    pub fn put(&self, key: K, value: V) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= self.capacity {
                let ttl = self.ttl;
                entries.retain(|_, (at, _)| at.elapsed() < ttl);
                if entries.len() >= self.capacity {
                    entries.clear();
                }
            }
            entries.insert(key, (Instant::now(), value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha_cache_is_bounded() {
        let cache = ShaCache::new(2);
        cache.put(1, "a");
        cache.put(2, "b");
        assert_eq!(cache.get(&1), Some("a"));
        cache.put(3, "c");
        assert_eq!(cache.get(&3), Some("c"));
        assert!(cache.get(&1).is_none());
    }

    #[test]
    fn ttl_cache_expires() {
        let cache = TtlCache::new(Duration::ZERO, 10);
        cache.put("k", 1);
        assert_eq!(cache.get(&"k"), None);
        let cache = TtlCache::new(Duration::from_secs(60), 10);
        cache.put("k", 1);
        assert_eq!(cache.get(&"k"), Some(1));
    }
}
