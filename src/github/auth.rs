//! GitHub App authentication: the App's JWT and the cache of installation access tokens.
//!
//! The JWT (RS256, `iss` = App id, issued 60 s in the past to absorb clock drift, valid 9 minutes, under
//! GitHub's 10-minute maximum) is only used to mint installation tokens and list installations. Every
//! other call uses an installation token, cached per installation and renewed shortly before it expires
//! so a long workflow never runs into an expired token midway.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

use super::GithubError;
use crate::domain::InstallationId;

/// Who a request is made as.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Auth {
    /// The App itself (JWT): token exchange, listing installations.
    App,
    /// An installation (installation access token).
    Installation(InstallationId),
}

/// Signs the App's JWTs. The key never leaves this type and `Debug` does not show it.
pub(crate) struct AppJwt {
    app_id: u64,
    key: EncodingKey,
}

impl fmt::Debug for AppJwt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppJwt")
            .field("app_id", &self.app_id)
            .field("key", &"[REDACTED]")
            .finish()
    }
}

#[derive(Serialize)]
struct Claims {
    iat: i64,
    exp: i64,
    iss: String,
}

impl AppJwt {
    /// Parses the PEM key and signs one JWT right away, so a broken key fails at start-up with a clear
    /// message instead of at the first webhook. Accepts the `\n`-escaped one-line form too.
    /// The App's numeric id.
    pub(crate) fn app_id(&self) -> u64 {
        self.app_id
    }

    pub(crate) fn new(app_id: u64, private_key: &SecretString) -> Result<Self, GithubError> {
        let pem = private_key.expose_secret().replace("\\n", "\n");
        let key = EncodingKey::from_rsa_pem(pem.trim().as_bytes()).map_err(|e| {
            GithubError::InvalidPrivateKey(format!("expected an RSA private key in PEM form ({e})"))
        })?;
        let jwt = Self { app_id, key };
        jwt.sign(Utc::now())
            .map_err(|e| GithubError::InvalidPrivateKey(e.to_string()))?;
        Ok(jwt)
    }

    /// A JWT valid from 60 s ago until 9 minutes from `now`.
    pub(crate) fn sign(&self, now: DateTime<Utc>) -> Result<SecretString, GithubError> {
        let claims = Claims {
            iat: now.timestamp() - 60,
            exp: now.timestamp() + 9 * 60,
            iss: self.app_id.to_string(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims, &self.key)
            .map(SecretString::from)
            .map_err(|e| GithubError::InvalidPrivateKey(format!("cannot sign the App JWT: {e}")))
    }
}

/// An installation access token and when GitHub says it expires.
#[derive(Clone)]
pub(crate) struct InstallationToken {
    pub(crate) token: SecretString,
    pub(crate) expires_at: DateTime<Utc>,
}

impl fmt::Debug for InstallationToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InstallationToken")
            .field("token", &"[REDACTED]")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

type Slot = Arc<tokio::sync::Mutex<Option<InstallationToken>>>;

/// Installation tokens, one slot per installation.
///
/// Each slot has its own async lock: concurrent calls for one installation wait for a single token
/// exchange instead of each minting a token, while other installations are not held up.
pub(crate) struct TokenCache {
    renew_before: Duration,
    slots: Mutex<HashMap<InstallationId, Slot>>,
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCache")
            .field("renew_before", &self.renew_before)
            .finish_non_exhaustive()
    }
}

impl TokenCache {
    /// Tokens with less than `renew_before` left are renewed before use.
    pub(crate) fn new(renew_before: Duration) -> Self {
        Self {
            renew_before,
            slots: Mutex::new(HashMap::new()),
        }
    }

    fn slot(&self, id: InstallationId) -> Slot {
        let mut slots = self
            .slots
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        slots.entry(id).or_default().clone()
    }

    /// The cached token when it is still fresh, else the one `fetch` mints (and caches).
    pub(crate) async fn get_or_fetch<F, Fut>(
        &self,
        id: InstallationId,
        fetch: F,
    ) -> Result<SecretString, GithubError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<InstallationToken, GithubError>>,
    {
        let slot = self.slot(id);
        let mut cached = slot.lock().await;
        let margin = chrono::Duration::from_std(self.renew_before).unwrap_or(chrono::Duration::MAX);
        if let Some(token) = cached.as_ref()
            && token.expires_at - Utc::now() > margin
        {
            return Ok(token.token.clone());
        }
        let token = fetch().await?;
        let secret = token.token.clone();
        *cached = Some(token);
        Ok(secret)
    }

    /// Forgets a token GitHub refused (revoked, or the installation's permissions changed).
    pub(crate) async fn invalidate(&self, id: InstallationId) {
        *self.slot(id).lock().await = None;
    }
}
