//! Who may use setup mode. Whoever registers the App first owns this server's webhooks, so:
//!
//! - The `Host` a request names must be one this server answers to: a loopback name or address,
//!   `PUBLIC_URL`'s host, or the address it listens on. Any other host is a page reached through
//!   someone else's domain name (DNS rebinding), and the URLs the App is registered with are
//!   never built from it.
//! - A server listening on a non-loopback address (a container, a shared host) has a random
//!   token, printed once at start as a setup URL (`/?token=…`); a setup request without it is
//!   refused, so only whoever can read the server's output can register.
//!
//! The token travels in the URL once, then in an HttpOnly cookie (GitHub's redirect back to
//! `/setup/callback` is a top-level navigation, which carries `SameSite=Lax` cookies).

use std::net::{IpAddr, SocketAddr};

use axum::http::{HeaderMap, header};
use rand::Rng;
use url::Url;

use super::states;

/// The cookie that carries the setup token after the first visit.
pub const TOKEN_COOKIE: &str = "design_review_setup_token";

/// Why a setup request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the Host header {0:?} is not an address of this server")]
    ForeignHost(String),
    #[error("no Host header")]
    NoHost,
    #[error("no valid setup token")]
    NoToken,
}

/// The host and token rules of one setup-mode server.
#[derive(Debug, Clone)]
pub struct SetupAccess {
    listen_addr: SocketAddr,
    public_url: Option<Url>,
    /// `Some` when the server listens on a non-loopback address.
    token: Option<String>,
}

/// A request that passed the checks: the base URL to build the App's URLs from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admitted {
    pub base: String,
    /// The token came in the URL: the page sets the cookie and sends the browser on to `/`.
    pub token_in_url: bool,
}

impl SetupAccess {
    /// A fresh token (128 random bits) when `listen_addr` is not a loopback address.
    pub fn new(listen_addr: SocketAddr, public_url: Option<Url>) -> Self {
        let token = (!listen_addr.ip().is_loopback())
            .then(|| hex::encode(rand::rng().random::<[u8; 16]>()));
        Self {
            listen_addr,
            public_url,
            token,
        }
    }

    /// The URL to print at start: `PUBLIC_URL` or this server's address, with the token when
    /// one is needed.
    pub fn setup_url(&self) -> String {
        let base = match &self.public_url {
            Some(url) => url.as_str().trim_end_matches('/').to_string(),
            None if self.listen_addr.ip().is_unspecified()
                || self.listen_addr.ip().is_loopback() =>
            {
                format!("http://localhost:{}", self.listen_addr.port())
            }
            None => format!("http://{}", self.listen_addr),
        };
        match &self.token {
            Some(token) => format!("{base}/?token={token}"),
            None => format!("{base}/"),
        }
    }

    /// Checks the `Host` and the token (from `query_token` or the cookie).
    pub fn admit(
        &self,
        headers: &HeaderMap,
        query_token: Option<&str>,
    ) -> Result<Admitted, Refusal> {
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .ok_or(Refusal::NoHost)?;
        if !self.answers_to(host) {
            return Err(Refusal::ForeignHost(host.to_string()));
        }
        let token_in_url = match &self.token {
            None => false,
            Some(token) => {
                let valid = |candidate: &str| states::same_token(candidate, token);
                if query_token.is_some_and(valid) {
                    true
                } else if cookie(headers, TOKEN_COOKIE).is_some_and(valid) {
                    false
                } else {
                    return Err(Refusal::NoToken);
                }
            }
        };
        let base = match &self.public_url {
            Some(url) => url.as_str().trim_end_matches('/').to_string(),
            None => format!("http://{host}"),
        };
        Ok(Admitted { base, token_in_url })
    }

    /// The `Set-Cookie` value that keeps the token in this browser.
    pub fn token_cookie(&self, secure: bool) -> Option<String> {
        let secure = if secure { "; Secure" } else { "" };
        self.token
            .as_ref()
            .map(|token| format!("{TOKEN_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{secure}"))
    }

    /// `host` (with an optional port) is a loopback name or address, `PUBLIC_URL`'s host, or
    /// the address this server listens on.
    fn answers_to(&self, host: &str) -> bool {
        let Some(name) = host_name(host) else {
            return false;
        };
        if name.eq_ignore_ascii_case("localhost") {
            return true;
        }
        if let Ok(ip) = name
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
        {
            let listen_ip = self.listen_addr.ip();
            return ip.is_loopback() || (ip == listen_ip && !listen_ip.is_unspecified());
        }
        self.public_url
            .as_ref()
            .and_then(Url::host_str)
            .is_some_and(|public| public.eq_ignore_ascii_case(name))
    }
}

/// The name part of a `Host` value (`name`, `name:port`, `[v6]`, `[v6]:port`); `None` when the
/// value is not of that shape.
fn host_name(host: &str) -> Option<&str> {
    let name = if host.starts_with('[') {
        let end = host.find(']')?;
        let (name, rest) = host.split_at(end + 1);
        (rest.is_empty() || valid_port(rest.strip_prefix(':')?)).then_some(name)?
    } else {
        match host.split_once(':') {
            Some((name, port)) => valid_port(port).then_some(name)?,
            None => host,
        }
    };
    let allowed = |c: char| c.is_ascii_alphanumeric() || ".-:[]".contains(c);
    (!name.is_empty() && name.chars().all(allowed)).then_some(name)
}

fn valid_port(port: &str) -> bool {
    port.parse::<u16>().is_ok()
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(|value| states::cookie_value(value, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(host: &str, cookie: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, host.parse().unwrap());
        if let Some(cookie) = cookie {
            headers.insert(header::COOKIE, cookie.parse().unwrap());
        }
        headers
    }

    fn loopback() -> SetupAccess {
        SetupAccess::new("127.0.0.1:3000".parse().unwrap(), None)
    }

    #[test]
    fn loopback_needs_no_token_but_a_loopback_host() {
        let access = loopback();
        assert_eq!(access.setup_url(), "http://localhost:3000/");
        for host in [
            "localhost:3000",
            "127.0.0.1:3000",
            "[::1]:3000",
            "LOCALHOST",
        ] {
            let admitted = access.admit(&headers(host, None), None).unwrap();
            assert_eq!(admitted.base, format!("http://{host}"));
        }
        for host in [
            "evil.example:3000",
            "localhost.evil.example",
            "10.0.0.1:3000",
        ] {
            assert_eq!(
                access.admit(&headers(host, None), None),
                Err(Refusal::ForeignHost(host.to_string()))
            );
        }
        assert_eq!(
            access.admit(&headers("localhost:99999", None), None),
            Err(Refusal::ForeignHost("localhost:99999".to_string()))
        );
        assert_eq!(access.admit(&HeaderMap::new(), None), Err(Refusal::NoHost));
    }

    #[test]
    fn a_public_address_needs_the_token() {
        let access = SetupAccess::new("0.0.0.0:3000".parse().unwrap(), None);
        let token = access.token.clone().unwrap();
        assert_eq!(token.len(), 32);
        assert_eq!(
            access.setup_url(),
            format!("http://localhost:3000/?token={token}")
        );
        let host = headers("localhost:3000", None);
        assert_eq!(access.admit(&host, None), Err(Refusal::NoToken));
        assert_eq!(access.admit(&host, Some("guess")), Err(Refusal::NoToken));
        assert!(access.admit(&host, Some(&token)).unwrap().token_in_url);
        let with_cookie = headers("localhost:3000", Some(&format!("{TOKEN_COOKIE}={token}")));
        assert!(!access.admit(&with_cookie, None).unwrap().token_in_url);
        let wrong_cookie = headers("localhost:3000", Some(&format!("{TOKEN_COOKIE}=x{token}")));
        assert_eq!(access.admit(&wrong_cookie, None), Err(Refusal::NoToken));
        // Neither the unspecified address nor the token makes a host acceptable.
        assert_eq!(
            access.admit(&headers("0.0.0.0:3000", None), Some(&token)),
            Err(Refusal::ForeignHost("0.0.0.0:3000".to_string()))
        );
        assert_eq!(
            access.admit(&headers("evil.example", None), Some(&token)),
            Err(Refusal::ForeignHost("evil.example".to_string()))
        );
    }

    #[test]
    fn public_url_is_the_base_and_its_host_is_accepted() {
        let public = Url::parse("https://dr.example.com").unwrap();
        let access = SetupAccess::new("10.0.0.5:3000".parse().unwrap(), Some(public));
        let token = access.token.clone().unwrap();
        assert_eq!(
            access.setup_url(),
            format!("https://dr.example.com/?token={token}")
        );
        for host in ["dr.example.com", "10.0.0.5:3000", "localhost:3000"] {
            let admitted = access.admit(&headers(host, None), Some(&token)).unwrap();
            assert_eq!(admitted.base, "https://dr.example.com");
        }
        assert_eq!(
            access.admit(&headers("10.0.0.6:3000", None), Some(&token)),
            Err(Refusal::ForeignHost("10.0.0.6:3000".to_string()))
        );
    }
}
