//! The one place that remembers who is in which team and who may do what in a repository.
//!
//! Both the review (whose approvals count) and the commands (who may skip or assign) ask these
//! questions, often several times for one delivery; one shared cache answers both the same way
//! for the same minute. People are added to teams and lose access, so an answer is trusted for
//! [`PeopleCache::TTL`] only, and the cache is bounded (least useful entries go first).

use std::time::{Duration, Instant};

use quick_cache::sync::Cache;

use super::{GithubError, InstallationClient, models::Permission};
use crate::domain::{Login, RepoName, TeamSlug};

/// What GitHub says about one login in one team.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Membership {
    /// An active member (an invitation does not count).
    Active,
    /// Not a member.
    NotMember,
    /// GitHub refused to tell (403: the organisation did not grant the App `members: read`).
    /// The review reports it on the check; the commands count it as not a member.
    Hidden,
}

impl Membership {
    /// Whether the login counts as a member: only an answer that says so.
    pub fn is_active(self) -> bool {
        self == Membership::Active
    }
}

/// An answer and when GitHub gave it.
#[derive(Debug, Clone, Copy)]
struct Answer<V> {
    at: Instant,
    value: V,
}

/// Team memberships and repository permissions, shared by everything that asks.
pub struct PeopleCache {
    memberships: Cache<(TeamSlug, String), Answer<Membership>>,
    permissions: Cache<(RepoName, String), Answer<Permission>>,
}

impl Default for PeopleCache {
    fn default() -> Self {
        Self {
            memberships: Cache::new(Self::CAPACITY),
            permissions: Cache::new(Self::CAPACITY),
        }
    }
}

/// The cached value of `key`, unless it is older than [`PeopleCache::TTL`].
fn fresh<K, V>(cache: &Cache<K, Answer<V>>, key: &K) -> Option<V>
where
    K: Eq + std::hash::Hash + Clone,
    V: Clone,
{
    cache
        .get(key)
        .filter(|answer| answer.at.elapsed() < PeopleCache::TTL)
        .map(|answer| answer.value)
}

impl PeopleCache {
    /// How long an answer is trusted without asking GitHub again: short, since a person
    /// removed from a team must soon lose what the team grants.
    pub const TTL: Duration = Duration::from_secs(60);
    /// Answers kept at most (logins times teams or repositories).
    const CAPACITY: usize = 4096;

    /// Whether `login` is an active member of `team`.
    pub async fn membership(
        &self,
        client: &InstallationClient,
        team: &TeamSlug,
        login: &Login,
    ) -> Result<Membership, GithubError> {
        let key = (team.clone(), login.0.to_ascii_lowercase());
        if let Some(membership) = fresh(&self.memberships, &key) {
            return Ok(membership);
        }
        let membership = match client.team_membership(team, login).await {
            Ok(true) => Membership::Active,
            Ok(false) => Membership::NotMember,
            Err(GithubError::Forbidden(message)) => {
                tracing::warn!(%team, %login, %message, "cannot read the team membership");
                Membership::Hidden
            }
            Err(error) => return Err(error),
        };
        let answer = Answer {
            at: Instant::now(),
            value: membership,
        };
        self.memberships.insert(key, answer);
        Ok(membership)
    }

    /// The role of `login` on `repo`. A refusal to tell (403) counts as no access: a permission
    /// that cannot be shown is not granted.
    pub async fn permission(
        &self,
        client: &InstallationClient,
        repo: &RepoName,
        login: &Login,
    ) -> Result<Permission, GithubError> {
        let key = (repo.clone(), login.0.to_ascii_lowercase());
        if let Some(permission) = fresh(&self.permissions, &key) {
            return Ok(permission);
        }
        let permission = match client.collaborator_permission(repo, login).await {
            Ok(permission) => permission,
            Err(GithubError::Forbidden(message)) => {
                tracing::warn!(%repo, %login, %message, "cannot read the collaborator permission");
                Permission::None
            }
            Err(error) => return Err(error),
        };
        let answer = Answer {
            at: Instant::now(),
            value: permission,
        };
        self.permissions.insert(key, answer);
        Ok(permission)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_trusted_for_the_ttl_only() {
        let cache: Cache<(TeamSlug, String), Answer<Membership>> = Cache::new(4);
        let team = TeamSlug::parse("acme/design").expect("a team");
        let key = (team, "octocat".to_string());
        let answer = |age: Duration| Answer {
            at: Instant::now() - age,
            value: Membership::Active,
        };
        cache.insert(key.clone(), answer(Duration::from_secs(1)));
        assert_eq!(fresh(&cache, &key), Some(Membership::Active));
        cache.insert(
            key.clone(),
            answer(PeopleCache::TTL + Duration::from_secs(1)),
        );
        assert_eq!(fresh(&cache, &key), None);
    }

    #[test]
    fn only_an_active_membership_counts() {
        assert!(Membership::Active.is_active());
        assert!(!Membership::NotMember.is_active());
        assert!(!Membership::Hidden.is_active());
    }
}
