//! The one place that remembers who is in which team and who may do what in a repository.
//!
//! Both the review (whose approvals count) and the commands (who may skip or assign) ask these
//! questions, often several times for one delivery; one shared cache answers both the same way
//! for the same minute. People are added to teams and lose access, so an answer is trusted for
//! [`PeopleCache::TTL`] only, and the cache is bounded (least useful entries go first): a
//! [`TtlCache`] like the other caches of facts that can change.

use std::time::Duration;

use super::{GithubError, InstallationClient, models::Permission};
use crate::cache::TtlCache;
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

/// Team memberships and repository permissions, shared by everything that asks.
pub struct PeopleCache {
    memberships: TtlCache<(TeamSlug, String), Membership>,
    permissions: TtlCache<(RepoName, String), Permission>,
}

impl Default for PeopleCache {
    fn default() -> Self {
        Self {
            memberships: TtlCache::new(Self::TTL, Self::CAPACITY),
            permissions: TtlCache::new(Self::TTL, Self::CAPACITY),
        }
    }
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
        if let Some(membership) = self.memberships.get(&key) {
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
        self.memberships.put(key, membership);
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
        if let Some(permission) = self.permissions.get(&key) {
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
        self.permissions.put(key, permission);
        Ok(permission)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_active_membership_counts() {
        assert!(Membership::Active.is_active());
        assert!(!Membership::NotMember.is_active());
        assert!(!Membership::Hidden.is_active());
    }
}
