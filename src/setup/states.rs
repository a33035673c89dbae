//! The `state` values of registrations started on this server: random, single-use, short-lived,
//! so a callback that was not started here (CSRF) is refused.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use rand::Rng;

/// GitHub's codes are valid for an hour; a registration left open longer starts again.
const LIFETIME: Duration = Duration::from_secs(60 * 60);
/// Bound on outstanding registrations (each page view issues one).
const MAX_OUTSTANDING: usize = 64;

#[derive(Debug, Default)]
pub struct StateTokens {
    issued: HashMap<String, Instant>,
}

impl StateTokens {
    /// A fresh random token (128 bits, hex).
    pub fn issue(&mut self) -> String {
        let now = Instant::now();
        self.issued
            .retain(|_, at| now.duration_since(*at) < LIFETIME);
        if self.issued.len() >= MAX_OUTSTANDING
            && let Some(oldest) = self
                .issued
                .iter()
                .min_by_key(|(_, at)| **at)
                .map(|(token, _)| token.clone())
        {
            self.issued.remove(&oldest);
        }
        let token = hex::encode(rand::rng().random::<[u8; 16]>());
        self.issued.insert(token.clone(), now);
        token
    }

    /// True (once) for a token issued here within its lifetime.
    pub fn take(&mut self, token: &str) -> bool {
        self.issued
            .remove(token)
            .is_some_and(|at| at.elapsed() < LIFETIME)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_single_use_and_unguessable() {
        let mut tokens = StateTokens::default();
        let a = tokens.issue();
        let b = tokens.issue();
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
        assert!(!tokens.take("guess"));
        assert!(tokens.take(&a));
        assert!(!tokens.take(&a));
        assert!(tokens.take(&b));
    }

    #[test]
    fn outstanding_tokens_are_bounded() {
        let mut tokens = StateTokens::default();
        let first = tokens.issue();
        for _ in 0..MAX_OUTSTANDING {
            tokens.issue();
        }
        assert!(!tokens.take(&first));
    }
}
