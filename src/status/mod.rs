//! What the status page `/` says about the App: its name (slug) and page, and how many installations
//! and repositories it has, asked of GitHub (as the App) and kept for a while, so that a page
//! view costs no API call most of the time and a stranger reloading the page cannot spend the
//! App's rate limit.

use std::time::{Duration, Instant};

use std::sync::Arc;

use tokio::sync::Mutex;
use url::Url;

use crate::{
    github::{GithubApp, GithubError},
    store::{DeliveryFilter, Store},
};

pub mod page;

/// Where the review board is served (linked from the status page).
pub const BOARD_PATH: &str = "/reviews";

/// Everything the status page reads; cheap to clone.
#[derive(Clone)]
pub struct StatusSource {
    pub store: Arc<dyn Store>,
    /// `None` without App credentials (setup mode before registration, tests).
    pub app: Option<Arc<AppStatus>>,
    /// Webhooks arrive through `WEBHOOK_PROXY_URL`.
    pub forwarding: bool,
}

impl StatusSource {
    /// The status page as of now.
    pub async fn page(&self) -> String {
        let app = match &self.app {
            Some(app) => app.overview().await.ok(),
            None => None,
        };
        let last_delivery = self
            .store
            .list_deliveries(&DeliveryFilter {
                status: None,
                limit: 1,
            })
            .await
            .ok()
            .and_then(|latest| latest.into_iter().next())
            .map(|delivery| delivery.arrived.received_at);
        page::status(&page::StatusPage {
            app: app.as_ref().map(|app| page::AppSummary {
                name: &app.name,
                html_url: &app.html_url,
                installations: app.installations,
                repositories: app.repositories,
                repositories_lower_bound: app.repositories_lower_bound,
            }),
            queue_depth: self.store.queue_depth().await.ok(),
            last_delivery,
            forwarding: self.forwarding,
            board: BOARD_PATH,
        })
    }
}

/// How long a fetched [`AppOverview`] is shown before GitHub is asked again.
pub const OVERVIEW_TTL: Duration = Duration::from_secs(10 * 60);

/// Installations whose repositories are counted; past it the count is a lower bound.
pub const MAX_COUNTED_INSTALLATIONS: usize = 100;

/// The App as the status page shows it (counts, never names of repositories).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppOverview {
    pub name: String,
    /// The App's public page, `https://github.com/apps/{slug}`.
    pub html_url: String,
    pub installations: usize,
    pub repositories: u64,
    /// More than [`MAX_COUNTED_INSTALLATIONS`] installations: `repositories` counts the first.
    pub repositories_lower_bound: bool,
}

/// The App's overview, fetched on demand and cached for [`OVERVIEW_TTL`].
pub struct AppStatus {
    github: GithubApp,
    github_url: Url,
    ttl: Duration,
    /// Held across a refresh, so concurrent page views wait for one fetch instead of each
    /// making their own.
    cached: Mutex<Option<(Instant, AppOverview)>>,
}

impl AppStatus {
    /// `github_url` is GitHub's web address (`GITHUB_URL`), for the App's page.
    pub fn new(github: GithubApp, github_url: Url) -> Self {
        Self::with_ttl(github, github_url, OVERVIEW_TTL)
    }

    pub fn with_ttl(github: GithubApp, github_url: Url, ttl: Duration) -> Self {
        Self {
            github,
            github_url,
            ttl,
            cached: Mutex::new(None),
        }
    }

    /// The cached overview, refreshed when older than the TTL. When GitHub cannot be reached the
    /// last overview is kept (an error only when there was none yet).
    pub async fn overview(&self) -> Result<AppOverview, GithubError> {
        let mut cached = self.cached.lock().await;
        if let Some((at, overview)) = cached.as_ref()
            && at.elapsed() < self.ttl
        {
            return Ok(overview.clone());
        }
        match fetch(&self.github, &self.github_url).await {
            Ok(overview) => {
                *cached = Some((Instant::now(), overview.clone()));
                Ok(overview)
            }
            Err(error) => {
                tracing::warn!(%error, "status page: cannot read the App from GitHub");
                match cached.as_ref() {
                    Some((_, overview)) => Ok(overview.clone()),
                    None => Err(error),
                }
            }
        }
    }
}

/// `GET /app` (the slug), `GET /app/installations`, then each installation's repositories.
pub async fn fetch(github: &GithubApp, github_url: &Url) -> Result<AppOverview, GithubError> {
    let bot = github.bot_login().await?;
    let slug = bot.0.trim_end_matches("[bot]").to_string();
    let installations = github.list_installations().await?;
    let mut repositories = 0;
    for installation in installations.iter().take(MAX_COUNTED_INSTALLATIONS) {
        repositories += github
            .installation(installation.id)
            .list_installation_repos()
            .await?
            .len() as u64;
    }
    Ok(AppOverview {
        html_url: app_page(github_url, &slug),
        name: slug,
        installations: installations.len(),
        repositories,
        repositories_lower_bound: installations.len() > MAX_COUNTED_INSTALLATIONS,
    })
}

/// The App's public page: `/apps/{slug}` on github.com, `/github-apps/{slug}` on GitHub
/// Enterprise Server.
pub fn app_page(github_url: &Url, slug: &str) -> String {
    let base = github_url.as_str().trim_end_matches('/');
    let folder = if github_url.host_str() == Some("github.com") {
        "apps"
    } else {
        "github-apps"
    };
    format!("{base}/{folder}/{}", crate::uri::component(slug))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_pages_on_github_com_and_enterprise_server() {
        let dotcom = Url::parse("https://github.com").unwrap();
        assert_eq!(
            app_page(&dotcom, "design-review"),
            "https://github.com/apps/design-review"
        );
        let ghes = Url::parse("https://ghe.example.com/").unwrap();
        assert_eq!(
            app_page(&ghes, "design-review"),
            "https://ghe.example.com/github-apps/design-review"
        );
    }
}
