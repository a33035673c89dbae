//! The HTML pages of setup mode and the status page: small, self-contained (inline style, no
//! scripts, no external assets) so they work offline and under a strict CSP.

use chrono::{DateTime, Utc};

use crate::status::AppOverview;

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;\
padding:0 1rem;line-height:1.5;color:#1f2328}h1{font-size:1.6rem}code{background:#f6f8fa;\
padding:0 .2rem}button{font-size:1rem;padding:.6rem 1.2rem;border:0;border-radius:6px;\
background:#1f883d;color:#fff;cursor:pointer}.note{background:#fff8c5;padding:.5rem .8rem;\
border-radius:6px}a.install{display:inline-block;font-size:1.1rem;padding:.6rem 1.2rem;\
border-radius:6px;background:#1f883d;color:#fff;text-decoration:none}pre{background:#f6f8fa;\
padding:.6rem;overflow-x:auto}li{margin-bottom:.6rem}";

/// Escapes text for HTML content and double-quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn document(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<title>{}</title><style>{STYLE}</style></head><body>\n{body}\n</body></html>\n",
        escape(title)
    )
}

/// What the setup page shows.
pub struct SetupPage<'a> {
    /// Where the form posts (GitHub's "new App" page, with `?state=`).
    pub form_action: &'a str,
    /// The manifest JSON.
    pub manifest: &'a str,
    /// The webhook URL the App will be registered with.
    pub webhook_url: &'a str,
    /// The organization the App is registered on, if any.
    pub org: Option<&'a str>,
    /// This page's registration token, repeated in the page's own forms.
    pub state: &'a str,
    /// The webhook URL is this machine, which GitHub cannot reach: offer a forwarding channel.
    pub channel_offer: bool,
    /// Where the channel would be created (`CHANNEL_SERVICE_URL`).
    pub channel_service: &'a str,
}

/// The first-run page: what the App does and the "Register GitHub App" button.
pub fn setup(page: &SetupPage<'_>) -> String {
    let owner = match page.org {
        Some(org) => format!("the <code>{}</code> organization", escape(org)),
        None => "your GitHub account".to_string(),
    };
    let warning = if page.channel_offer {
        format!(
            "<div class=\"note\" id=\"channel-offer\"><p>GitHub cannot deliver webhooks to \
this address, so an App registered with it would never hear of a pull request. A forwarding \
channel relays them: GitHub posts to the channel and this server reads it.</p>\
<form method=\"post\" action=\"/setup/channel\"><input type=\"hidden\" name=\"state\" \
value=\"{state}\"><button id=\"create-channel\" type=\"submit\">Create a channel on {service}\
</button></form><p>Or set <code>WEBHOOK_PROXY_URL</code> (a channel of your own) or \
<code>PUBLIC_URL</code> (an address GitHub reaches) and restart.</p></div>",
            state = escape(page.state),
            service = escape(page.channel_service.trim_end_matches('/')),
        )
    } else {
        String::new()
    };
    document(
        "Set up design-review",
        &format!(
            "<h1>Set up design-review</h1>\n\
<p>design-review checks the design documents in pull requests (tech specs, RFCs, system designs) \
against their template, reports what is missing as a check run and one comment, requests reviews \
from the design-review team and the service owners a doc names, and blocks the merge until they \
approve.</p>\n\
<p>This server has no GitHub App yet. Register one on {owner}: GitHub shows the App's name and \
permissions for you to confirm, then sends you back here, and the server starts working without \
a restart.</p>\n\
<p>Webhooks will be sent to <code>{webhook}</code>.</p>\n{warning}\n\
<form id=\"register\" method=\"post\" action=\"{action}\">\
<input type=\"hidden\" name=\"manifest\" value=\"{manifest}\">\
<button id=\"register-app\" type=\"submit\">Register GitHub App</button></form>\n{existing}",
            existing = existing_app_form(page.state, None),
            webhook = escape(page.webhook_url),
            action = escape(page.form_action),
            manifest = escape(page.manifest),
        ),
    )
}

/// "Use an existing App": its id, private key file and webhook secret, checked with GitHub
/// before they are saved. `error` is the reason the last attempt was refused.
pub fn existing_app_form(state: &str, error: Option<&str>) -> String {
    let error = error
        .map(|error| {
            format!(
                "<p class=\"note\" id=\"existing-error\">{}</p>",
                escape(error)
            )
        })
        .unwrap_or_default();
    format!(
        "<h2 id=\"existing\">Use an existing App</h2>\n\
<p>If your GitHub App already exists (its settings page shows the App ID; generate a private key \
there and set the webhook secret), enter its credentials: they are checked with GitHub before \
they are saved.</p>\n{error}\
<form id=\"existing-app\" method=\"post\" action=\"/setup/existing\" \
enctype=\"multipart/form-data\"><input type=\"hidden\" name=\"state\" value=\"{state}\">\
<p><label>App ID<br><input id=\"app-id\" name=\"app_id\" inputmode=\"numeric\" required></label></p>\
<p><label>Private key (.pem file)<br><input id=\"private-key\" name=\"private_key\" \
type=\"file\" accept=\".pem\" required></label></p>\
<p><label>Webhook secret<br><input id=\"webhook-secret\" name=\"webhook_secret\" \
type=\"password\" required></label></p>\
<button id=\"use-existing\" type=\"submit\">Check and save</button></form>",
        state = escape(state),
    )
}

/// The setup page again, with the existing-App form's error.
pub fn existing_app_refused(state: &str, error: &str) -> String {
    document(
        "Use an existing App",
        &format!(
            "<h1>The App's credentials were not saved</h1>\n{}\n<p><a href=\"/\">Back to setup</a></p>",
            existing_app_form(state, Some(error))
        ),
    )
}

/// After the callback: where the credentials went and the install link.
pub fn registered(name: &str, install_url: &str, env_file: &str, key_file: &str) -> String {
    document(
        "design-review is registered",
        &format!(
            "<h1>{name} is registered</h1>\n\
<p>The credentials are saved in <code>{env_file}</code> and the private key in \
<code>{key_file}</code> (readable by you only). Keep both out of version control. The server \
now processes webhooks.</p>\n\
<p>Last step: install the App on the repositories whose design docs it should check.</p>\n\
<p><a class=\"install\" id=\"install\" href=\"{install}\">Install the App</a></p>",
            name = escape(name),
            env_file = escape(env_file),
            key_file = escape(key_file),
            install = escape(install_url),
        ),
    )
}

/// A failure a person can act on.
pub fn error(title: &str, message: &str) -> String {
    document(
        title,
        &format!(
            "<h1>{}</h1>\n<p>{}</p>\n<p><a href=\"/\">Back to setup</a></p>",
            escape(title),
            escape(message)
        ),
    )
}

/// What the status page of normal mode shows. It needs no authentication, so it names no
/// repository and no installation account: counts only, no secrets, nothing of the configuration.
pub struct StatusPage<'a> {
    /// The App from GitHub (cached); `None` when GitHub could not be asked yet.
    pub app: Option<&'a AppOverview>,
    /// `None` when the database is unreachable.
    pub queue_depth: Option<i64>,
    /// When the latest delivery was stored, if any is kept.
    pub last_delivery: Option<DateTime<Utc>>,
    /// Webhooks arrive through a forwarding channel (`WEBHOOK_PROXY_URL`).
    pub forwarding: bool,
    /// Where the review board is served.
    pub board: &'a str,
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
    let app = match page.app {
        Some(app) => format!(
            "<p>GitHub App: <a id=\"app\" href=\"{url}\">{name}</a>. Installed on {installations} \
{accounts} with access to {more}{repositories} {repos}.</p>\n\
<p><a class=\"install\" id=\"install\" href=\"{install}\">Install on more repositories</a></p>",
            url = escape(&app.html_url),
            name = escape(&app.name),
            installations = app.installations,
            accounts = plural(app.installations as u64, "account", "accounts"),
            more = if app.repositories_lower_bound {
                "at least "
            } else {
                ""
            },
            repositories = app.repositories,
            repos = plural(app.repositories, "repository", "repositories"),
            install = escape(&app.install_url()),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_is_escaped_into_the_form() {
        let html = setup(&SetupPage {
            form_action: "https://github.com/settings/apps/new?state=a&b",
            manifest: r#"{"name":"x<y"}"#,
            webhook_url: "http://localhost:3000/hook",
            org: None,
            state: "t<1>",
            channel_offer: true,
            channel_service: "https://smee.io/",
        });
        assert!(html.contains(r#"value="{&quot;name&quot;:&quot;x&lt;y&quot;}""#));
        assert!(html.contains("state=a&amp;b"));
        assert!(html.contains("WEBHOOK_PROXY_URL"), "localhost warning");
        assert!(html.contains(r#"name="state" value="t&lt;1&gt;""#));
        assert!(!html.contains("<script"));
    }
}
