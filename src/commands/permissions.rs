//! Who may run what: the commenter's repository permission and review-team membership (read
//! through the shared [`PeopleCache`], briefly cached), and the rules that refuse a command.

use std::sync::Arc;

use crate::{
    config::repo::SkipRole,
    domain::{Login, RepoName, TeamSlug},
    github::{GithubError, InstallationClient, PeopleCache, models::Permission},
};

use super::throttle;

/// Why a command was refused. The rule is named in the reply and stored in the audit log as
/// `refused: <rule>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The PR's author tried to skip or unskip their own pull request.
    OwnPullRequest,
    /// `assign` by someone without write access.
    NeedsWriteAccess,
    /// `skip`/`unskip` by someone `commands.skip_allowed` does not admit; `allowed` says who
    /// may.
    NotAllowedToSkip { allowed: String },
    /// Over the per-PR limit of commands anyone may run (and of invalid or refused ones).
    Throttled,
    /// Past the first [`throttle::MAX_COMMANDS_PER_COMMENT`] command lines of a comment; this
    /// line and the `ignored - 1` after it were not run.
    TooManyCommands { ignored: usize },
}

impl Refusal {
    /// The rule that refused the command, as a sentence without its final stop.
    pub fn rule(&self) -> String {
        match self {
            Refusal::OwnPullRequest => {
                "the author of a pull request may never skip or unskip its design review".into()
            }
            Refusal::NeedsWriteAccess => {
                "requesting the reviewers again needs write access to the repository".into()
            }
            Refusal::NotAllowedToSkip { allowed } => format!(
                "only {allowed} may skip or unskip the design review (commands.skip_allowed)"
            ),
            Refusal::Throttled => format!(
                "at most {} commands per pull request and minute, counting those anyone may run \
                 and every invalid or refused one",
                throttle::LIMIT
            ),
            Refusal::TooManyCommands { ignored } => format!(
                "at most {} commands of one comment are run; this one and the {} after it were not",
                throttle::MAX_COMMANDS_PER_COMMENT,
                ignored.saturating_sub(1)
            ),
        }
    }
}

/// True when `permission` alone satisfies `role` (team membership is checked separately).
pub fn grants(role: SkipRole, permission: Permission) -> bool {
    match role {
        SkipRole::Team => false,
        SkipRole::Admin => permission >= Permission::Admin,
        SkipRole::Maintain => permission >= Permission::Maintain,
        SkipRole::Write => permission >= Permission::Write,
    }
}

/// Who `roles` admit, for a refusal: "members of @acme/design-review or people with maintain or
/// admin permission". Plain text for the audit log; the reply escapes it, so no one is notified.
pub fn describe(roles: &[SkipRole], team: Option<&TeamSlug>) -> String {
    let mut who: Vec<String> = Vec::new();
    for role in roles {
        let text = match role {
            SkipRole::Team => match team {
                Some(team) => format!("members of @{team}"),
                None => continue,
            },
            SkipRole::Admin => "people with admin permission".to_string(),
            SkipRole::Maintain => "people with maintain or admin permission".to_string(),
            SkipRole::Write => "people with write permission or higher".to_string(),
        };
        if !who.contains(&text) {
            who.push(text);
        }
    }
    match who.len() {
        0 => "the roles listed in the configuration (none applies to this repository)".into(),
        1 => who.remove(0),
        _ => {
            let last = who.pop().unwrap_or_default();
            format!("{} or {last}", who.join(", "))
        }
    }
}

/// Who may run what, asked of the [`PeopleCache`] the whole workflow shares.
pub struct Access {
    people: Arc<PeopleCache>,
}

impl Access {
    pub fn new(people: Arc<PeopleCache>) -> Self {
        Self { people }
    }

    /// `assign`: write access or higher.
    pub async fn may_assign(
        &self,
        client: &InstallationClient,
        repo: &RepoName,
        login: &Login,
    ) -> Result<Result<(), Refusal>, GithubError> {
        let permission = self.people.permission(client, repo, login).await?;
        Ok(if permission >= Permission::Write {
            Ok(())
        } else {
            Err(Refusal::NeedsWriteAccess)
        })
    }

    /// `skip`/`unskip`: never the PR's author; otherwise one of `roles` (asking GitHub only
    /// what the roles need).
    pub async fn may_skip(
        &self,
        client: &InstallationClient,
        repo: &RepoName,
        login: &Login,
        author: &Login,
        roles: &[SkipRole],
        team: Option<&TeamSlug>,
    ) -> Result<Result<(), Refusal>, GithubError> {
        if login == author {
            return Ok(Err(Refusal::OwnPullRequest));
        }
        if roles.iter().any(|r| *r != SkipRole::Team) {
            let permission = self.people.permission(client, repo, login).await?;
            if roles.iter().any(|r| grants(*r, permission)) {
                return Ok(Ok(()));
            }
        }
        if roles.contains(&SkipRole::Team)
            && let Some(team) = team
            && self
                .people
                .membership(client, team, login)
                .await?
                .is_active()
        {
            return Ok(Ok(()));
        }
        Ok(Err(Refusal::NotAllowedToSkip {
            allowed: describe(roles, team),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_grant_by_strength() {
        assert!(grants(SkipRole::Maintain, Permission::Admin));
        assert!(grants(SkipRole::Maintain, Permission::Maintain));
        assert!(!grants(SkipRole::Maintain, Permission::Write));
        assert!(grants(SkipRole::Write, Permission::Write));
        assert!(!grants(SkipRole::Write, Permission::Triage));
        assert!(!grants(SkipRole::Admin, Permission::Maintain));
        assert!(!grants(SkipRole::Team, Permission::Admin));
    }

    #[test]
    fn description_names_the_team_without_mentioning_it() {
        let team = TeamSlug::parse("acme/design-review");
        assert_eq!(
            describe(&[SkipRole::Team, SkipRole::Maintain], team.as_ref()),
            "members of @acme/design-review or people with maintain or admin permission"
        );
        assert_eq!(
            describe(
                &[SkipRole::Team, SkipRole::Admin, SkipRole::Write],
                team.as_ref()
            ),
            "members of @acme/design-review, people with admin permission or people with \
             write permission or higher"
        );
        // No team configured: the team role admits nobody and is not named.
        assert_eq!(
            describe(&[SkipRole::Team, SkipRole::Admin], None),
            "people with admin permission"
        );
        assert!(describe(&[SkipRole::Team], None).contains("none applies"));
    }
}
