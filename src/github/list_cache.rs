//! Remembers the pages of the lists a re-evaluation reads (a PR's files, its reviews, its
//! comments) with their ETags, so that asking again for an unchanged page costs a `304`, which
//! GitHub does not count against the rate limit.
//!
//! An entry is keyed by the URL *and* the credentials that read it: an answer given to one
//! installation is never trusted for another (what one may see, the other may not). Bounded:
//! the least useful entries are evicted first.

use quick_cache::sync::Cache;

use super::auth::Auth;

/// `(credentials, path and query) -> (etag, body)`.
pub(crate) struct ListCache {
    pages: Cache<(String, String), (String, String)>,
}

impl ListCache {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            pages: Cache::new(capacity.max(1)),
        }
    }

    fn key(auth: Auth, path: &str) -> (String, String) {
        let scope = match auth {
            Auth::App => "app".to_string(),
            Auth::Installation(id) => format!("installation:{}", id.0),
        };
        (scope, path.to_string())
    }

    /// The ETag and body last seen for `path` read as `auth`.
    pub(crate) fn get(&self, auth: Auth, path: &str) -> Option<(String, String)> {
        self.pages.get(&Self::key(auth, path))
    }

    pub(crate) fn put(&self, auth: Auth, path: &str, etag: String, body: String) {
        self.pages.insert(Self::key(auth, path), (etag, body));
    }

    pub(crate) fn remove(&self, auth: Auth, path: &str) {
        self.pages.remove(&Self::key(auth, path));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::InstallationId;

    #[test]
    fn an_answer_is_only_trusted_for_the_credentials_that_got_it() {
        let cache = ListCache::new(8);
        let one = Auth::Installation(InstallationId(1));
        cache.put(one, "/repos/a/b/pulls/1/files", "\"e\"".into(), "[]".into());
        assert_eq!(
            cache.get(one, "/repos/a/b/pulls/1/files"),
            Some(("\"e\"".to_string(), "[]".to_string()))
        );
        assert_eq!(
            cache.get(
                Auth::Installation(InstallationId(2)),
                "/repos/a/b/pulls/1/files"
            ),
            None
        );
        assert_eq!(cache.get(Auth::App, "/repos/a/b/pulls/1/files"), None);
    }

    #[test]
    fn it_is_bounded() {
        let cache = ListCache::new(16);
        let auth = Auth::Installation(InstallationId(1));
        for i in 0..1000 {
            cache.put(auth, &format!("/p/{i}"), "e".into(), "[]".into());
        }
        assert_eq!(cache.pages.len(), 16);
        assert_eq!(
            cache.get(auth, "/p/999"),
            Some(("e".to_string(), "[]".to_string())),
            "the newest page is kept"
        );
    }
}
