//! Remembers recently read files with their ETag, so re-reading an unchanged file costs a 304
//! (which GitHub does not count against the rate limit) instead of a full download.

use std::collections::HashMap;
use std::sync::Mutex;

use super::models::FileContent;

type Key = (String, String, String);

/// A small bounded map `(repo, path, ref) -> (etag, content)`. When full it starts over: simple,
/// and the working set (config files and a PR's docs) is small.
#[derive(Debug)]
pub(crate) struct FileCache {
    capacity: usize,
    entries: Mutex<HashMap<Key, (String, FileContent)>>,
}

impl FileCache {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, (String, FileContent)>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn get(
        &self,
        repo: &str,
        path: &str,
        git_ref: &str,
    ) -> Option<(String, FileContent)> {
        self.lock()
            .get(&(repo.to_string(), path.to_string(), git_ref.to_string()))
            .cloned()
    }

    pub(crate) fn put(
        &self,
        repo: &str,
        path: &str,
        git_ref: &str,
        etag: String,
        file: FileContent,
    ) {
        if self.capacity == 0 {
            return;
        }
        let mut entries = self.lock();
        if entries.len() >= self.capacity {
            entries.clear();
        }
        entries.insert(
            (repo.to_string(), path.to_string(), git_ref.to_string()),
            (etag, file),
        );
    }

    pub(crate) fn remove(&self, repo: &str, path: &str, git_ref: &str) {
        self.lock()
            .remove(&(repo.to_string(), path.to_string(), git_ref.to_string()));
    }
}
