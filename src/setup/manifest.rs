//! The GitHub App manifest posted by the "Register GitHub App" button: `app.yml` with this
//! server's webhook and redirect URLs filled in.

use serde_json::Value;
use url::Url;

/// `app.yml` as shipped with this version, used when the working directory has none.
pub const BUNDLED_APP_YML: &str = include_str!("../../app.yml");

/// Why the manifest could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("app.yml is not valid YAML: {0}")]
    Yaml(#[from] serde_yaml_ng::Error),
    #[error("app.yml is not a mapping")]
    NotAMapping,
}

/// Where the new App's webhooks and the post-registration redirect go.
#[derive(Debug, Clone)]
pub struct ManifestUrls {
    /// `WEBHOOK_PROXY_URL` as is (a forwarding channel is the whole webhook URL, as with smee),
    /// else `PUBLIC_URL` + `WEBHOOK_PATH`.
    pub webhook: String,
    /// `PUBLIC_URL/setup/callback`.
    pub redirect: String,
}

impl ManifestUrls {
    /// Derives both URLs from the public base URL of this server and the optional proxy.
    pub fn new(public_base: &str, webhook_path: &str, proxy: Option<&Url>) -> Self {
        let base = public_base.trim_end_matches('/');
        Self {
            webhook: proxy
                .map(|p| p.as_str().to_string())
                .unwrap_or_else(|| format!("{base}{webhook_path}")),
            redirect: format!("{base}/setup/callback"),
        }
    }
}

/// The manifest as GitHub's registration form expects it (JSON), from `app.yml` text.
pub fn manifest_json(app_yml: &str, urls: &ManifestUrls) -> Result<Value, ManifestError> {
    let mut manifest: Value = serde_yaml_ng::from_str(app_yml)?;
    let object = manifest.as_object_mut().ok_or(ManifestError::NotAMapping)?;
    let hook = object
        .entry("hook_attributes")
        .or_insert_with(|| Value::Object(Default::default()));
    if !hook.is_object() {
        *hook = Value::Object(Default::default());
    }
    if let Some(hook) = hook.as_object_mut() {
        hook.insert("url".into(), Value::String(urls.webhook.clone()));
    }
    object.insert("redirect_url".into(), Value::String(urls.redirect.clone()));
    Ok(manifest)
}

/// True when `webhook_url` names this machine (a loopback or unspecified address): GitHub
/// would accept the App but could never deliver a webhook to it.
pub fn unreachable(webhook_url: &str) -> bool {
    let Ok(url) = Url::parse(webhook_url) else {
        return false;
    };
    match url.host() {
        Some(url::Host::Domain(name)) => {
            name.eq_ignore_ascii_case("localhost") || name.ends_with(".localhost")
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback() || ip.is_unspecified(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback() || ip.is_unspecified(),
        None => false,
    }
}

/// Where the form posts: the user's or the organization's "new GitHub App" page.
pub fn registration_url(github_url: &Url, org: Option<&str>, state: &str) -> String {
    let base = github_url.as_str().trim_end_matches('/');
    let page = match org {
        Some(org) => format!("{base}/organizations/{org}/settings/apps/new"),
        None => format!("{base}/settings/apps/new"),
    };
    format!("{page}?state={}", crate::uri::component(state))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_in_the_urls_and_keeps_the_rest() {
        let urls = ManifestUrls::new("https://dr.example.com/", "/hooks", None);
        let manifest = manifest_json(BUNDLED_APP_YML, &urls).unwrap();
        assert_eq!(
            manifest["hook_attributes"]["url"],
            "https://dr.example.com/hooks"
        );
        assert_eq!(
            manifest["redirect_url"],
            "https://dr.example.com/setup/callback"
        );
        assert_eq!(manifest["default_permissions"]["checks"], "write");
        assert!(manifest["url"].as_str().unwrap().starts_with("https://"));
    }

    #[test]
    fn a_proxy_channel_is_the_webhook_url() {
        let proxy = Url::parse("https://smee.io/abc").unwrap();
        let urls = ManifestUrls::new("http://localhost:3000", "/hooks", Some(&proxy));
        assert_eq!(urls.webhook, "https://smee.io/abc");
        assert_eq!(urls.redirect, "http://localhost:3000/setup/callback");
    }

    #[test]
    fn loopback_webhook_urls_are_unreachable() {
        for url in [
            "http://localhost:3000/hooks",
            "http://127.0.0.1:3000/hooks",
            "http://[::1]:3000/hooks",
            "http://0.0.0.0:3000/hooks",
        ] {
            assert!(unreachable(url), "{url}");
        }
        for url in ["https://smee.io/abc", "https://dr.example.com/hooks"] {
            assert!(!unreachable(url), "{url}");
        }
    }

    #[test]
    fn organization_registration_page() {
        let github = Url::parse("https://ghe.example.com").unwrap();
        assert_eq!(
            registration_url(&github, Some("acme"), "s t"),
            "https://ghe.example.com/organizations/acme/settings/apps/new?state=s%20t"
        );
        assert_eq!(
            registration_url(&github, None, "x"),
            "https://ghe.example.com/settings/apps/new?state=x"
        );
    }
}
