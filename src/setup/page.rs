//! The HTML pages of setup mode and the status page: small, self-contained (inline style, no
//! scripts, no external assets) so they work offline and under a strict CSP.

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;\
padding:0 1rem;line-height:1.5;color:#1f2328}h1{font-size:1.6rem}code{background:#f6f8fa;\
padding:0 .2rem}button{font-size:1rem;padding:.6rem 1.2rem;border:0;border-radius:6px;\
background:#1f883d;color:#fff;cursor:pointer}.note{background:#fff8c5;padding:.5rem .8rem;\
border-radius:6px}a.install{display:inline-block;font-size:1.1rem;padding:.6rem 1.2rem;\
border-radius:6px;background:#1f883d;color:#fff;text-decoration:none}";

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
}

/// The first-run page: what the App does and the "Register GitHub App" button.
pub fn setup(page: &SetupPage<'_>) -> String {
    let owner = match page.org {
        Some(org) => format!("the <code>{}</code> organization", escape(org)),
        None => "your GitHub account".to_string(),
    };
    let unreachable = ["//localhost", "//127.", "//[::1]", "//0.0.0.0"]
        .iter()
        .any(|host| page.webhook_url.contains(host));
    let warning = if unreachable {
        "<p class=\"note\">GitHub cannot deliver webhooks to this address. For a server on a \
laptop, set <code>WEBHOOK_PROXY_URL</code> to a forwarding channel (smee-style) and restart, \
or forward with <code>gh webhook forward</code> after registering.</p>"
    } else {
        ""
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
<button id=\"register-app\" type=\"submit\">Register GitHub App</button></form>",
            webhook = escape(page.webhook_url),
            action = escape(page.form_action),
            manifest = escape(page.manifest),
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

/// The one-line status page of normal mode (no secrets, nothing about the configuration).
pub fn status(queue_depth: Option<i64>) -> String {
    let queue = match queue_depth {
        Some(depth) => format!("{depth} deliveries waiting"),
        None => "database unreachable".to_string(),
    };
    document(
        "design-review",
        &format!(
            "<p>design-review {} is running: {}.</p>",
            env!("CARGO_PKG_VERSION"),
            escape(&queue)
        ),
    )
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
        });
        assert!(html.contains(r#"value="{&quot;name&quot;:&quot;x&lt;y&quot;}""#));
        assert!(html.contains("state=a&amp;b"));
        assert!(html.contains("WEBHOOK_PROXY_URL"), "localhost warning");
        assert!(!html.contains("<script"));
    }
}
