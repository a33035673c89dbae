//! Who may do what: team membership and repository permission.

use serde::Deserialize;

use super::{repo_path, seg};
use crate::domain::{Login, RepoName, TeamSlug};
use crate::github::models::Permission;
use crate::github::{GithubError, InstallationClient};

#[derive(Debug, Deserialize)]
struct WireMembership {
    state: String,
}

#[derive(Debug, Deserialize)]
struct WirePermission {
    permission: String,
    #[serde(default)]
    role_name: Option<String>,
}

fn parse_permission(name: &str) -> Option<Permission> {
    Some(match name {
        "admin" => Permission::Admin,
        "maintain" => Permission::Maintain,
        "write" | "push" => Permission::Write,
        "triage" => Permission::Triage,
        "read" | "pull" => Permission::Read,
        "none" => Permission::None,
        _ => return None,
    })
}

impl InstallationClient {
    /// `GET /orgs/{org}/teams/{team_slug}/memberships/{username}`: `true` only for an *active*
    /// membership (an invitation does not count); 404 means not a member.
    pub async fn team_membership(
        &self,
        team: &TeamSlug,
        login: &Login,
    ) -> Result<bool, GithubError> {
        let result: Result<WireMembership, _> = self
            .get_json(
                "/orgs/{org}/teams/{team_slug}/memberships/{username}",
                format!(
                    "/orgs/{}/teams/{}/memberships/{}",
                    seg(&team.org),
                    seg(&team.slug),
                    seg(&login.0)
                ),
            )
            .await;
        match result {
            Ok(membership) => Ok(membership.state == "active"),
            Err(GithubError::NotFound) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// `GET /repos/{owner}/{repo}/collaborators/{username}/permission`; 404 means no access.
    ///
    /// Prefers `role_name` (which knows `maintain` and `triage`) over the legacy `permission`.
    pub async fn collaborator_permission(
        &self,
        repo: &RepoName,
        login: &Login,
    ) -> Result<Permission, GithubError> {
        let result: Result<WirePermission, _> = self
            .get_json(
                "/repos/{owner}/{repo}/collaborators/{username}/permission",
                format!(
                    "{}/collaborators/{}/permission",
                    repo_path(repo),
                    seg(&login.0)
                ),
            )
            .await;
        match result {
            Ok(wire) => Ok(wire
                .role_name
                .as_deref()
                .and_then(parse_permission)
                .or_else(|| parse_permission(&wire.permission))
                .unwrap_or(Permission::None)),
            Err(GithubError::NotFound) => Ok(Permission::None),
            Err(e) => Err(e),
        }
    }
}
