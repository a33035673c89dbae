//! The status page's HTML.

use chrono::{DateTime, Utc};

use crate::html::{document, escape};

/// What the status page of normal mode shows. It needs no authentication, so it names no
/// repository and no installation account: counts only, no secrets, nothing of the configuration.
pub struct StatusPage<'a> {
    /// The App from GitHub (cached); `None` when GitHub could not be asked yet.
    pub app: Option<AppSummary<'a>>,
    /// `None` when the database is unreachable.
    pub queue_depth: Option<i64>,
    /// When the latest delivery was stored, if any is kept.
    pub last_delivery: Option<DateTime<Utc>>,
    /// Webhooks arrive through a forwarding channel (`WEBHOOK_PROXY_URL`).
    pub forwarding: bool,
    /// Where the review board is served.
    pub board: &'a str,
}

/// The App as the status page shows it: public name and page, counts only.
pub struct AppSummary<'a> {
    pub name: &'a str,
    /// The App's public page.
    pub html_url: &'a str,
    pub installations: usize,
    pub repositories: u64,
    /// `repositories` counts only some installations.
    pub repositories_lower_bound: bool,
}

/// A repository configuration to copy: the keys a first rollout sets.
pub const EXAMPLE_CONFIG: &str = "# .github/design-review.yml (read from the default branch)
docs:
  - paths: [\"docs/design/**/*.md\", \"rfcs/**/*.md\"]
    template: system-design  # or tech-spec, or a template's path
review:
  team: your-org/design-review  # requested on every design PR
  approvals: 1
";

/// The status page of normal mode: the App, its reach, the queue, and what to do next.
pub fn status(page: &StatusPage<'_>) -> String {
    let app = match &page.app {
        Some(app) => format!(
            "<p>GitHub App: <a id=\"app\" href=\"{url}\">{name}</a>. Installed on {installations} \
{accounts} with access to {more}{repositories} {repos}.</p>\n\
<p><a class=\"install\" id=\"install\" href=\"{install}\">Install on more repositories</a></p>",
            url = escape(app.html_url),
            name = escape(app.name),
            installations = app.installations,
            accounts = plural(app.installations as u64, "account", "accounts"),
            more = if app.repositories_lower_bound {
                "at least "
            } else {
                ""
            },
            repositories = app.repositories,
            repos = plural(app.repositories, "repository", "repositories"),
            install = escape(&format!(
                "{}/installations/new",
                app.html_url.trim_end_matches('/')
            )),
        ),
        None => "<p class=\"note\">GitHub could not be asked about the App just now (see the \
server's log); the counts appear once it answers.</p>"
            .to_string(),
    };
    let queue = match page.queue_depth {
        Some(depth) => format!(
            "{depth} {} waiting",
            plural(depth as u64, "delivery", "deliveries")
        ),
        None => "database unreachable".to_string(),
    };
    let last = match page.last_delivery {
        Some(at) => format!(
            "last delivery received {}",
            at.format("%Y-%m-%d %H:%M:%S UTC")
        ),
        None => "no delivery received yet".to_string(),
    };
    let via = if page.forwarding {
        " Webhooks arrive through the forwarding channel set in <code>WEBHOOK_PROXY_URL</code>."
    } else {
        ""
    };
    document(
        "design-review",
        &format!(
            "<h1>design-review is running</h1>\n\
<p>Version {version}. Queue: <span id=\"queue\">{queue}</span>; <span id=\"last-delivery\">{last}</span>.{via}</p>\n\
{app}\n\
<h2>Next steps</h2>\n<ol id=\"next-steps\">\n\
<li>Install the App on the repositories whose design docs it should check (button above).</li>\n\
<li>Add <code>.github/design-review.yml</code> to a repository's default branch, or to the \
organization's <code>.github</code> repository for every repository at once:\n\
<pre id=\"example-config\">{example}</pre></li>\n\
<li>Set <code>review.team</code> to the team that approves designs (<code>org/team-slug</code>): \
it is requested on every pull request with a design doc.</li>\n\
<li>Make the <code>{check}</code> check required. It must have run once (open a pull request \
that adds a design doc) before GitHub offers it. Then either a branch protection rule \
(repository <b>Settings &rarr; Branches &rarr; Add branch protection rule</b>, \
<b>Require status checks to pass before merging</b>, search <code>{check}</code>) or, for many \
repositories at once, a ruleset (organization or repository <b>Settings &rarr; Rules &rarr; \
Rulesets &rarr; New branch ruleset</b>, <b>Require status checks to pass</b>, \
<b>Add checks</b>, <code>{check}</code>, with this App as its source).</li>\n\
<li>Follow the reviews on the <a id=\"board\" href=\"{board}\">review board</a>.</li>\n</ol>",
            version = env!("CARGO_PKG_VERSION"),
            queue = escape(&queue),
            last = escape(&last),
            example = escape(EXAMPLE_CONFIG),
            check = crate::config::repo::DEFAULT_CHECK_NAME,
            board = escape(page.board),
        ),
    )
}

fn plural<'a>(count: u64, one: &'a str, many: &'a str) -> &'a str {
    if count == 1 { one } else { many }
}
