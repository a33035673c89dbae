//! The `state` values of registrations started on this server: random, single-use, short-lived
//! and bound to the browser that started them (a cookie holds the same value), so a callback
//! that was not started here (CSRF) is refused.
//!
//! Anyone who can reach the setup page can ask for tokens, so the store is bounded, but flooding
//! it cannot evict a registration in progress: a browser that already holds a live token keeps
//! it (one token per cookie), and a token younger than [`PROTECTED`] is never evicted; when the
//! store is full of young tokens, new visitors are asked to come back later instead.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use rand::Rng;

/// GitHub's codes are valid for an hour; a registration left open longer starts again.
pub const LIFETIME: Duration = Duration::from_secs(60 * 60);
/// Bound on outstanding registrations.
const MAX_OUTSTANDING: usize = 1024;
/// A token this young is never evicted to make room: long enough to confirm the App on GitHub.
const PROTECTED: Duration = Duration::from_secs(15 * 60);

/// The cookie that binds a registration's `state` to the browser that started it.
pub const COOKIE: &str = "design_review_setup_state";

#[derive(Debug, Default)]
pub struct StateTokens {
    issued: HashMap<String, Instant>,
}

impl StateTokens {
    /// The browser's token when it is still outstanding (its cookie holds `current`), else a
    /// fresh random one (128 bits, hex); `None` when every slot holds a token too young to
    /// evict.
    pub fn issue(&mut self, current: Option<&str>) -> Option<String> {
        self.issue_at(current, Instant::now())
    }

    fn issue_at(&mut self, current: Option<&str>, now: Instant) -> Option<String> {
        self.issued
            .retain(|_, at| now.saturating_duration_since(*at) < LIFETIME);
        if let Some(current) = current
            && self.issued.contains_key(current)
        {
            return Some(current.to_string());
        }
        if self.issued.len() >= MAX_OUTSTANDING {
            let (oldest, at) = self
                .issued
                .iter()
                .min_by_key(|(_, at)| **at)
                .map(|(token, at)| (token.clone(), *at))?;
            if now.saturating_duration_since(at) < PROTECTED {
                return None;
            }
            self.issued.remove(&oldest);
        }
        let token = hex::encode(rand::rng().random::<[u8; 16]>());
        self.issued.insert(token.clone(), now);
        Some(token)
    }

    /// True (once) for a token issued here within its lifetime.
    pub fn take(&mut self, token: &str) -> bool {
        self.take_at(token, Instant::now())
    }

    fn take_at(&mut self, token: &str, now: Instant) -> bool {
        self.issued
            .remove(token)
            .is_some_and(|at| now.saturating_duration_since(at) < LIFETIME)
    }
}

/// The value of cookie `name` in a `Cookie` request header.
pub fn cookie_value<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').find_map(|pair| {
        let (key, value) = pair.trim().split_once('=')?;
        (key.trim() == name).then(|| value.trim().trim_matches('"'))
    })
}

/// Compares two tokens in constant time (for equal lengths).
pub fn same_token(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_single_use_and_unguessable() {
        let mut tokens = StateTokens::default();
        let a = tokens.issue(None).unwrap();
        let b = tokens.issue(None).unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
        assert!(!tokens.take("guess"));
        assert!(tokens.take(&a));
        assert!(!tokens.take(&a));
        assert!(tokens.take(&b));
    }

    #[test]
    fn a_browser_keeps_its_live_token() {
        let mut tokens = StateTokens::default();
        let a = tokens.issue(None).unwrap();
        assert_eq!(tokens.issue(Some(&a)).as_deref(), Some(a.as_str()));
        assert_ne!(tokens.issue(Some("unknown")).unwrap(), a);
        assert!(tokens.take(&a));
        // Used: the same cookie gets a new token.
        assert_ne!(tokens.issue(Some(&a)).unwrap(), a);
    }

    #[test]
    fn tokens_expire_after_an_hour() {
        let mut tokens = StateTokens::default();
        let start = Instant::now();
        let a = tokens.issue_at(None, start).unwrap();
        let b = tokens.issue_at(None, start).unwrap();
        assert!(tokens.take_at(&a, start + LIFETIME - Duration::from_secs(1)));
        assert!(!tokens.take_at(&b, start + LIFETIME));
    }

    #[test]
    fn flooding_never_evicts_a_young_token() {
        let mut tokens = StateTokens::default();
        let start = Instant::now();
        let operator = tokens.issue_at(None, start).unwrap();
        // Page views from someone else fill the store within minutes ...
        let mut issued = 1;
        while tokens
            .issue_at(None, start + Duration::from_secs(60))
            .is_some()
        {
            issued += 1;
        }
        assert_eq!(issued, MAX_OUTSTANDING);
        // ... and are then refused, while the operator's token stays usable.
        assert!(
            tokens
                .issue_at(None, start + PROTECTED - Duration::from_secs(1))
                .is_none()
        );
        assert_eq!(
            tokens
                .issue_at(Some(&operator), start + Duration::from_secs(120))
                .as_deref(),
            Some(operator.as_str())
        );
        assert!(tokens.take_at(&operator, start + Duration::from_secs(600)));
    }

    #[test]
    fn old_tokens_make_room_when_the_store_is_full() {
        let mut tokens = StateTokens::default();
        let start = Instant::now();
        let first = tokens.issue_at(None, start).unwrap();
        for _ in 1..MAX_OUTSTANDING {
            tokens
                .issue_at(None, start + PROTECTED)
                .expect("room for new tokens");
        }
        let later = start + PROTECTED + Duration::from_secs(1);
        assert!(tokens.issue_at(None, later).is_some());
        assert!(
            !tokens.take_at(&first, later),
            "the oldest, unprotected one went"
        );
    }

    #[test]
    fn cookie_header_is_parsed() {
        let header = "theme=dark; design_review_setup_state=abc123 ; other=1";
        assert_eq!(cookie_value(header, COOKIE), Some("abc123"));
        assert_eq!(cookie_value("theme=dark", COOKIE), None);
        assert_eq!(cookie_value("design_review_setup_statex=1", COOKIE), None);
        assert!(same_token("abc", "abc"));
        assert!(!same_token("abc", "abd"));
        assert!(!same_token("abc", "ab"));
    }
}
