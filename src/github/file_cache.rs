//! Remembers recently read files with their ETag, so re-reading an unchanged file costs a 304
//! (which GitHub does not count against the rate limit) instead of a full download.

use quick_cache::sync::Cache;

use super::models::FileContent;

type Key = (String, String, String);

/// A bounded map `(repo, path, ref) -> (etag, content)`; the least useful entries are evicted
/// first. A capacity of zero turns it off.
#[derive(Debug)]
pub(crate) struct FileCache {
    entries: Option<Cache<Key, (String, FileContent)>>,
}

fn key(repo: &str, path: &str, git_ref: &str) -> Key {
    (repo.to_string(), path.to_string(), git_ref.to_string())
}

impl FileCache {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            entries: (capacity > 0).then(|| Cache::new(capacity)),
        }
    }

    pub(crate) fn get(
        &self,
        repo: &str,
        path: &str,
        git_ref: &str,
    ) -> Option<(String, FileContent)> {
        self.entries.as_ref()?.get(&key(repo, path, git_ref))
    }

    pub(crate) fn put(
        &self,
        repo: &str,
        path: &str,
        git_ref: &str,
        etag: String,
        file: FileContent,
    ) {
        if let Some(entries) = &self.entries {
            entries.insert(key(repo, path, git_ref), (etag, file));
        }
    }

    pub(crate) fn remove(&self, repo: &str, path: &str, git_ref: &str) {
        if let Some(entries) = &self.entries {
            entries.remove(&key(repo, path, git_ref));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> FileContent {
        FileContent {
            sha: "s".into(),
            size: text.len() as u64,
            content: text.as_bytes().to_vec(),
        }
    }

    #[test]
    fn a_file_is_found_by_repo_path_and_ref() {
        let cache = FileCache::new(8);
        cache.put("o/r", "a.md", "main", "\"e\"".into(), file("x"));
        let (etag, content) = cache.get("o/r", "a.md", "main").expect("cached");
        assert_eq!((etag.as_str(), content.content), ("\"e\"", b"x".to_vec()));
        assert!(cache.get("o/r", "a.md", "dev").is_none());
        cache.remove("o/r", "a.md", "main");
        assert!(cache.get("o/r", "a.md", "main").is_none());
    }

    #[test]
    fn it_is_bounded() {
        let cache = FileCache::new(4);
        for i in 0..100 {
            cache.put("o/r", &format!("{i}.md"), "main", "e".into(), file("x"));
        }
        assert_eq!(cache.entries.as_ref().map(Cache::len), Some(4));
        assert!(cache.get("o/r", "99.md", "main").is_some());
    }

    #[test]
    fn a_capacity_of_zero_caches_nothing() {
        let cache = FileCache::new(0);
        cache.put("o/r", "a.md", "main", "e".into(), file("x"));
        assert!(cache.get("o/r", "a.md", "main").is_none());
    }
}
