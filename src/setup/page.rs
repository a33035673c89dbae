//! The HTML pages of setup mode: small, self-contained (see [`crate::html`]).

use crate::html::document;
pub use crate::html::escape;

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
