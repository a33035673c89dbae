//! The API's base URL, kept as origin + path prefix so every request keeps the prefix.
//!
//! GitHub Enterprise Server serves the API under `https://host/api/v3`. Joining an absolute path such
//! as `/repos/...` onto that URL with URL-join semantics drops `/api/v3`; we never join, we concatenate
//! `origin + prefix + path`, and pagination links are accepted only when they point under the same base.

use url::Url;

use super::GithubError;

/// Where the API lives: `https://api.github.com` or `https://ghe.example.com/api/v3`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiBase {
    /// `scheme://host[:port]`
    origin: String,
    /// The path prefix without a trailing slash (`""` for api.github.com).
    prefix: String,
}

impl ApiBase {
    pub(crate) fn new(url: &Url) -> Result<Self, GithubError> {
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(GithubError::Other(format!(
                "GitHub API URL must be an http(s) URL with a host, got {url}"
            )));
        }
        let origin = url.origin().ascii_serialization();
        let prefix = url.path().trim_end_matches('/').to_string();
        Ok(Self { origin, prefix })
    }

    /// The full URL of an API path such as `/repos/acme/widgets?per_page=100`.
    pub(crate) fn url(&self, path_and_query: &str) -> String {
        format!("{}{}{}", self.origin, self.prefix, path_and_query)
    }

    /// The API path of a full URL GitHub gave us (a `Link` header), if it is under this base.
    pub(crate) fn relative<'a>(&self, full: &'a str) -> Option<&'a str> {
        let rest = full
            .strip_prefix(&self.origin)?
            .strip_prefix(&self.prefix)?;
        rest.starts_with('/').then_some(rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enterprise_prefix_is_kept() {
        let base = ApiBase::new(&Url::parse("https://ghe.example.com/api/v3/").unwrap()).unwrap();
        assert_eq!(
            base.url("/repos/a/b"),
            "https://ghe.example.com/api/v3/repos/a/b"
        );
        assert_eq!(
            base.relative("https://ghe.example.com/api/v3/repos/a/b/pulls?page=2"),
            Some("/repos/a/b/pulls?page=2")
        );
        assert_eq!(base.relative("https://evil.example.com/api/v3/x"), None);
    }

    #[test]
    fn dotcom_has_no_prefix() {
        let base = ApiBase::new(&Url::parse("https://api.github.com").unwrap()).unwrap();
        assert_eq!(base.url("/app"), "https://api.github.com/app");
    }
}
