//! Saves an App's credentials: the private key in a 0600 PEM file and the settings the server
//! reads in `.env` (read at the next start), keeping the lines `.env` already had. The key file
//! sits beside `.env` and `.env` names it by a relative path, so the pair can be moved to
//! another host or directory together.

use std::{
    io::Write,
    path::{Path, PathBuf},
};

use secrecy::{ExposeSecret, SecretString};
use url::Url;

use crate::config::settings::OAuthClient;

/// Variables this module writes; earlier lines setting them (or `PRIVATE_KEY`, which would win
/// over the new key file) are replaced. `SESSION_KEY` is not among them: a key already there
/// is kept, so saving an App does not sign everyone out.
const WRITTEN: &[&str] = &[
    "APP_ID",
    "PRIVATE_KEY",
    "PRIVATE_KEY_PATH",
    "WEBHOOK_SECRET",
    "WEBHOOK_PROXY_URL",
    "GITHUB_CLIENT_ID",
    "GITHUB_CLIENT_SECRET",
];

/// What is saved: exactly what `serve` needs to run as this App.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub app_id: u64,
    /// Names the key file, `{slug}.private-key.pem`.
    pub slug: String,
    pub private_key: SecretString,
    pub webhook_secret: SecretString,
    /// The forwarding channel GitHub sends the webhooks to, when the App was registered with one.
    pub webhook_proxy_url: Option<Url>,
    /// The App's OAuth client, for "Sign in with GitHub" on the web pages; GitHub hands it over
    /// with a new App, while an existing App's form does not ask for it.
    pub oauth: Option<OAuthClient>,
}

/// Why the credentials could not be saved.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {path}: {source}")]
pub struct SaveError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// What was written where.
#[derive(Debug, Clone)]
pub struct Saved {
    pub env_file: PathBuf,
    pub key_file: PathBuf,
}

/// Writes `{dir}/{slug}.private-key.pem` (mode 0600) and updates `{dir}/.env` (mode 0600).
pub fn save(dir: &Path, app: &Credentials) -> Result<Saved, SaveError> {
    let key_name = format!("{}.private-key.pem", file_stem(&app.slug));
    let key_file = dir.join(&key_name);
    write_private(&key_file, app.private_key.expose_secret().as_bytes())?;
    let env_file = dir.join(".env");
    let existing = match std::fs::read_to_string(&env_file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => {
            return Err(SaveError {
                path: env_file,
                source,
            });
        }
    };
    let mut values = vec![
        ("APP_ID", app.app_id.to_string()),
        // Relative to `.env`'s directory (see `ServeArgs::env_dir`).
        ("PRIVATE_KEY_PATH", key_name),
        (
            "WEBHOOK_SECRET",
            app.webhook_secret.expose_secret().to_string(),
        ),
    ];
    if let Some(channel) = &app.webhook_proxy_url {
        values.push(("WEBHOOK_PROXY_URL", channel.to_string()));
    }
    if let Some(oauth) = &app.oauth {
        values.push(("GITHUB_CLIENT_ID", oauth.client_id.clone()));
        let secret = oauth.client_secret.expose_secret().to_string();
        values.push(("GITHUB_CLIENT_SECRET", secret));
    }
    if !existing
        .lines()
        .any(|line| assigned_name(line) == Some("SESSION_KEY"))
    {
        values.push(("SESSION_KEY", new_session_key()));
    }
    let text = merged(&existing, &values);
    write_private(&env_file, text.as_bytes())?;
    Ok(Saved { env_file, key_file })
}

/// A key for signing the web pages' session cookies: 256 random bits, hex-encoded.
fn new_session_key() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// The existing lines minus those setting a [`WRITTEN`] variable, then the new assignments.
fn merged(existing: &str, values: &[(&str, String)]) -> String {
    let mut out: String = existing
        .lines()
        .filter(|line| assigned_name(line).is_none_or(|name| !WRITTEN.contains(&name)))
        .map(|line| format!("{line}\n"))
        .collect();
    if !out.is_empty() && !out.ends_with("\n\n") {
        out.push('\n');
    }
    out.push_str("# GitHub App saved by design-review's setup page\n");
    for (name, value) in values {
        out.push_str(&format!("{name}={}\n", quoted(value)));
    }
    out
}

/// The variable a `.env` line assigns (`NAME=...` or `export NAME=...`).
fn assigned_name(line: &str) -> Option<&str> {
    let line = line.trim_start();
    let line = line.strip_prefix("export ").unwrap_or(line);
    let (name, _) = line.split_once('=')?;
    let name = name.trim();
    (!name.is_empty() && !name.starts_with('#')).then_some(name)
}

/// Values with characters `.env` parsers treat specially are double-quoted.
fn quoted(value: &str) -> String {
    if value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./:@+,".contains(c))
    {
        value.to_string()
    } else {
        let escaped = value
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('$', "\\$")
            .replace('\n', "\\n");
        format!("\"{escaped}\"")
    }
}

fn file_stem(slug: &str) -> String {
    let stem: String = slug
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    if stem.is_empty() {
        "github-app".to_string()
    } else {
        stem
    }
}

/// Writes through a temporary file readable by the owner only, then renames it into place, so
/// neither a half-written file nor a moment of wider permissions is ever visible.
fn write_private(path: &Path, content: &[u8]) -> Result<(), SaveError> {
    let error = |source| SaveError {
        path: path.to_path_buf(),
        source,
    };
    let temp = path.with_extension(format!("tmp{}", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&temp).map_err(error)?;
    #[cfg(unix)]
    file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .map_err(error)?;
    file.write_all(content)
        .and_then(|()| file.sync_all())
        .map_err(error)?;
    std::fs::rename(&temp, path).map_err(error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_other_lines_and_replaces_ours() {
        let existing = "DATABASE_URL=sqlite://x.db\n# note\nAPP_ID=1\nexport PRIVATE_KEY=abc\n";
        let text = merged(
            existing,
            &[("APP_ID", "7".into()), ("WEBHOOK_SECRET", "a b$c".into())],
        );
        assert!(text.starts_with("DATABASE_URL=sqlite://x.db\n# note\n"));
        assert!(!text.contains("APP_ID=1") && !text.contains("PRIVATE_KEY=abc"));
        assert!(text.contains("APP_ID=7\n"));
        assert!(text.contains("WEBHOOK_SECRET=\"a b\\$c\"\n"));
    }

    #[test]
    fn saves_only_what_the_server_reads_with_a_key_path_relative_to_the_env_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(".env"),
            "LOG_FORMAT=json\nGITHUB_CLIENT_SECRET=old\nSESSION_KEY=kept\n",
        )
        .unwrap();
        let saved = save(
            dir.path(),
            &Credentials {
                app_id: 42,
                slug: "design-review".into(),
                private_key: SecretString::from("PEM".to_string()),
                webhook_secret: SecretString::from("s3cret".to_string()),
                webhook_proxy_url: Some(Url::parse("https://smee.io/abc").unwrap()),
                oauth: Some(OAuthClient {
                    client_id: "Iv1.abc".into(),
                    client_secret: SecretString::from("oauth-secret".to_string()),
                }),
            },
        )
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(&saved.env_file).unwrap(),
            "LOG_FORMAT=json\nSESSION_KEY=kept\n\n# GitHub App saved by design-review's setup page\n\
             APP_ID=42\nPRIVATE_KEY_PATH=design-review.private-key.pem\nWEBHOOK_SECRET=s3cret\n\
             WEBHOOK_PROXY_URL=https://smee.io/abc\nGITHUB_CLIENT_ID=Iv1.abc\n\
             GITHUB_CLIENT_SECRET=oauth-secret\n"
        );
        assert_eq!(
            saved.key_file,
            dir.path().join("design-review.private-key.pem")
        );
        assert_eq!(std::fs::read_to_string(&saved.key_file).unwrap(), "PEM");
    }

    #[test]
    fn values_parse_back_with_dotenvy() {
        let text = merged("", &[("WEBHOOK_SECRET", "q\"uote \\ and # hash".into())]);
        let parsed: Vec<(String, String)> = dotenvy::from_read_iter(text.as_bytes())
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            parsed,
            vec![(
                "WEBHOOK_SECRET".to_string(),
                "q\"uote \\ and # hash".to_string()
            )]
        );
    }
}
