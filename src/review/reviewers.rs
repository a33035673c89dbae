//! Whom to ask for a review, and asking.
//!
//! Candidates are the configured review team, the people and teams named in the docs' reviewer
//! fields and the owners of the services the docs list. Never the PR author, never someone
//! already requested, never someone who already reviewed, and never anyone asked before on this
//! PR (who removed themselves stays removed; re-requesting in a loop floods people).

use crate::{
    checker::Mention,
    domain::{Login, PrRef, TeamSlug},
    github::{GithubError, InstallationClient, models::RequestedReviewers},
    store::ReviewRequest,
};

/// The outcome of deciding whom to request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub users: Vec<Login>,
    pub teams: Vec<TeamSlug>,
    /// Candidates that cannot be requested, with why (shown in the comment).
    pub skipped: Vec<(String, String)>,
    /// Candidates left out because [`Known::room`] was used up.
    pub over_limit: usize,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.users.is_empty() && self.teams.is_empty()
    }

    /// Whether one more request fits in `room`; a candidate that does not is counted in
    /// [`Plan::over_limit`].
    fn has_room(&mut self, room: usize) -> bool {
        let fits = self.users.len() + self.teams.len() < room;
        if !fits {
            self.over_limit += 1;
        }
        fits
    }
}

/// The key under which a reviewer is remembered: `@login` or `@org/team`, lower case.
pub fn key_of(mention: &Mention) -> String {
    match mention {
        Mention::User { login } => format!("@{}", login.0.to_ascii_lowercase()),
        Mention::Team { team } => format!("@{}", team.to_string().to_ascii_lowercase()),
    }
}

/// What is known about the PR's reviewers already.
pub struct Known<'a> {
    pub author: &'a Login,
    /// The organisation or user owning the repository (teams must belong to it).
    pub repo_owner: &'a str,
    pub requested_now: &'a RequestedReviewers,
    pub reviewed: &'a [Login],
    pub asked_before: &'a [ReviewRequest],
    /// How many more reviewers may be requested on this PR (`limits.reviewers_per_pr` less
    /// those asked before): every request, refused or not, costs the installation a call.
    pub room: usize,
}

/// Decides whom to request among `candidates` (in order, duplicates removed).
pub fn plan(candidates: &[Mention], known: &Known<'_>) -> Plan {
    let mut plan = Plan::default();
    let mut seen = Vec::new();
    for candidate in candidates {
        let key = key_of(candidate);
        if seen.contains(&key) || known.asked_before.iter().any(|r| r.reviewer == key) {
            continue;
        }
        seen.push(key.clone());
        match candidate {
            Mention::User { login } => {
                if login == known.author {
                    continue;
                }
                if known.requested_now.users.contains(login) || known.reviewed.contains(login) {
                    continue;
                }
                if plan.has_room(known.room) {
                    plan.users.push(login.clone());
                }
            }
            Mention::Team { team } => {
                if !team.org.eq_ignore_ascii_case(known.repo_owner) {
                    plan.skipped.push((
                        key,
                        format!(
                            "team @{team} belongs to another organisation than {}",
                            known.repo_owner
                        ),
                    ));
                    continue;
                }
                if known
                    .requested_now
                    .teams
                    .iter()
                    .any(|t| t.slug.eq_ignore_ascii_case(&team.slug))
                {
                    continue;
                }
                if plan.has_room(known.room) {
                    plan.teams.push(team.clone());
                }
            }
        }
    }
    plan
}

/// `done` with every request of `plan` added as accepted: what the PR shows once the requests
/// succeed, written before they are sent.
pub fn as_accepted(plan: &Plan, done: &[ReviewRequest]) -> Vec<ReviewRequest> {
    let users = plan.users.iter().map(|login| Mention::User {
        login: login.clone(),
    });
    let teams = plan
        .teams
        .iter()
        .map(|team| Mention::Team { team: team.clone() });
    done.iter()
        .cloned()
        .chain(users.chain(teams).map(|m| ReviewRequest {
            reviewer: key_of(&m),
            error: None,
        }))
        .collect()
}

/// Sends the review requests, adding each one made (with GitHub's refusal, if any) to `done`
/// as soon as it is made: when a later one fails, `done` still says who was asked, so that a
/// retry asks no one twice. When GitHub refuses the batch (422, e.g. a team without access to
/// the repository), each reviewer is requested on its own so the others still get asked.
pub async fn request(
    client: &InstallationClient,
    pr: &PrRef,
    plan: &Plan,
    done: &mut Vec<ReviewRequest>,
) -> Result<(), GithubError> {
    if plan.is_empty() {
        return Ok(());
    }
    let all: Vec<(Mention, Vec<Login>, Vec<TeamSlug>)> = plan
        .users
        .iter()
        .map(|u| (Mention::User { login: u.clone() }, vec![u.clone()], vec![]))
        .chain(
            plan.teams
                .iter()
                .map(|t| (Mention::Team { team: t.clone() }, vec![], vec![t.clone()])),
        )
        .collect();
    match client
        .request_reviewers(&pr.repo, pr.number, &plan.users, &plan.teams)
        .await
    {
        Ok(_) => {
            done.extend(all.iter().map(|(m, _, _)| ReviewRequest {
                reviewer: key_of(m),
                error: None,
            }));
            return Ok(());
        }
        Err(GithubError::Validation(_)) if all.len() > 1 => {}
        Err(GithubError::Validation(message)) => {
            done.push(ReviewRequest {
                reviewer: key_of(&all[0].0),
                error: Some(message),
            });
            return Ok(());
        }
        Err(error) => return Err(error),
    }
    for (mention, users, teams) in &all {
        let error = match client
            .request_reviewers(&pr.repo, pr.number, users, teams)
            .await
        {
            Ok(_) => None,
            Err(GithubError::Validation(message)) => Some(message),
            Err(error) => return Err(error),
        };
        done.push(ReviewRequest {
            reviewer: key_of(mention),
            error,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(login: &str) -> Mention {
        Mention::User {
            login: Login(login.into()),
        }
    }

    fn team(text: &str) -> Mention {
        Mention::Team {
            team: TeamSlug::parse(text).unwrap(),
        }
    }

    #[test]
    fn never_the_author_nor_anyone_already_asked_or_reviewed() {
        let requested_now = RequestedReviewers {
            users: vec![Login("carol".into())],
            teams: vec![TeamSlug::parse("acme/already").unwrap()],
        };
        let asked_before = vec![ReviewRequest {
            reviewer: "@dave".into(),
            error: None,
        }];
        let known = Known {
            author: &Login("Alice".into()),
            repo_owner: "acme",
            requested_now: &requested_now,
            reviewed: &[Login("erin".into())],
            asked_before: &asked_before,
            room: 15,
        };
        let plan = plan(
            &[
                team("acme/design-review"),
                user("alice"),
                user("bob"),
                user("Bob"),
                user("carol"),
                user("dave"),
                user("erin"),
                team("acme/already"),
                team("other/team"),
            ],
            &known,
        );
        assert_eq!(plan.users, vec![Login("bob".into())]);
        assert_eq!(
            plan.teams,
            vec![TeamSlug::parse("acme/design-review").unwrap()]
        );
        assert_eq!(plan.skipped.len(), 1);
        assert!(plan.skipped[0].1.contains("another organisation"));
        assert_eq!(plan.over_limit, 0);
    }

    #[test]
    fn no_more_than_the_room_left_in_candidate_order() {
        let nobody = RequestedReviewers::default();
        let known = Known {
            author: &Login("alice".into()),
            repo_owner: "acme",
            requested_now: &nobody,
            reviewed: &[],
            asked_before: &[],
            room: 2,
        };
        let candidates: Vec<Mention> = std::iter::once(team("acme/design-review"))
            .chain((0..3000).map(|i| user(&format!("user{i}"))))
            .collect();
        let plan = plan(&candidates, &known);
        assert_eq!(plan.users, vec![Login("user0".into())]);
        assert_eq!(
            plan.teams,
            vec![TeamSlug::parse("acme/design-review").unwrap()]
        );
        assert_eq!(plan.over_limit, 2999);
    }
}
