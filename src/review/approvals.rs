//! Who has approved, and whether that is enough: pure rules over facts gathered elsewhere.
//!
//! An approval counts when it still stands (no later "changes requested" or dismissal by the same
//! reviewer), is not the PR author's own, and (with `invalidate_on_doc_change`) was given on a
//! commit where every design doc had the content it has at the head.

use crate::{
    checker::Mention,
    domain::{CommitSha, Login, TeamSlug},
    github::models::{Review, ReviewState},
};

/// An approval that still stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub login: Login,
    pub commit: Option<CommitSha>,
}

/// The standing approvals of a PR, in the order they were given, never the author's.
pub fn standing_approvals(reviews: &[Review], author: &Login) -> Vec<Approval> {
    let mut latest: Vec<(Login, ReviewState, Option<CommitSha>)> = Vec::new();
    for review in reviews {
        // A plain comment does not change a reviewer's verdict.
        if !matches!(
            review.state,
            ReviewState::Approved | ReviewState::ChangesRequested | ReviewState::Dismissed
        ) {
            continue;
        }
        latest.retain(|(login, _, _)| login != &review.author);
        latest.push((
            review.author.clone(),
            review.state,
            review.commit_id.clone(),
        ));
    }
    latest
        .into_iter()
        .filter(|(login, state, _)| *state == ReviewState::Approved && login != author)
        .map(|(login, _, commit)| Approval { login, commit })
        .collect()
}

/// What the gate needs to know about one approver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApproverFacts {
    pub login: Login,
    /// False when a design doc changed since the approved commit (with invalidation on).
    pub current: bool,
    pub in_review_team: bool,
    /// Member of these owner teams (among the teams named as service owners).
    pub teams: Vec<TeamSlug>,
    /// Teams (review team or owner teams) whose membership GitHub would not show (403: the
    /// organisation did not grant the App `members: read`): the approval cannot count for them.
    pub unreadable: Vec<TeamSlug>,
}

/// What approvals are required.
#[derive(Debug, Clone, Default)]
pub struct Requirements {
    pub team: Option<TeamSlug>,
    pub approvals: u32,
    /// Services the docs list that have configured owners, with those owners.
    pub services: Vec<(String, Vec<Mention>)>,
}

/// The review team's part of the gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamGate {
    pub team: TeamSlug,
    pub needed: u32,
    pub approved_by: Vec<Login>,
}

/// One service's part of the gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceGate {
    pub service: String,
    pub owners: Vec<Mention>,
    pub approved_by: Option<Login>,
}

/// A current approval that could not be counted for some teams because their membership could
/// not be read: shown as such, so that it does not read as counted next to what is still missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unverified {
    pub login: Login,
    /// The teams whose membership could not be read, in the order they were asked about.
    pub teams: Vec<TeamSlug>,
}

/// Where the approvals stand.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Gate {
    pub team: Option<TeamGate>,
    pub services: Vec<ServiceGate>,
    /// Approvals that no longer count because a design doc changed after them.
    pub stale: Vec<Login>,
    /// Every current approval (for display), whether or not it meets a requirement.
    pub approvers: Vec<Login>,
    /// Current approvals that could not be counted for some teams (unreadable membership).
    pub unverified: Vec<Unverified>,
}

impl Gate {
    /// The teams `login`'s approval could not be counted for (empty when none).
    pub fn unverified_teams(&self, login: &Login) -> &[TeamSlug] {
        self.unverified
            .iter()
            .find(|u| &u.login == login)
            .map_or(&[], |u| u.teams.as_slice())
    }

    /// True when every required approval is in.
    pub fn satisfied(&self) -> bool {
        self.team
            .as_ref()
            .is_none_or(|t| t.approved_by.len() as u32 >= t.needed)
            && self.services.iter().all(|s| s.approved_by.is_some())
    }

    /// Human description of what is still missing, e.g. `1 more approval from @acme/design-review`
    /// (plain text, for the check run's title).
    pub fn missing(&self) -> Vec<String> {
        self.missing_with(|service| format!("`{service}`"))
    }

    /// [`Gate::missing`] as Markdown: the service names come from the docs, so they are shown
    /// through [`gfm::code`](crate::gfm::code).
    pub fn missing_markdown(&self) -> Vec<String> {
        self.missing_with(|service| {
            crate::gfm::code(&super::limits::clip(service, super::limits::MAX_ECHOED))
        })
    }

    fn missing_with(&self, show_service: impl Fn(&str) -> String) -> Vec<String> {
        let mut missing = Vec::new();
        if let Some(team) = &self.team {
            let have = team.approved_by.len() as u32;
            if have < team.needed {
                let more = team.needed - have;
                missing.push(format!(
                    "{more} more approval{} from @{}",
                    if more == 1 { "" } else { "s" },
                    team.team
                ));
            }
        }
        for service in self.services.iter().filter(|s| s.approved_by.is_none()) {
            missing.push(format!(
                "an approval from an owner of {} ({})",
                show_service(&service.service),
                service
                    .owners
                    .iter()
                    .map(mention_text)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        missing
    }
}

/// `@login` or `@org/team`.
pub fn mention_text(mention: &Mention) -> String {
    match mention {
        Mention::User { login } => format!("@{login}"),
        Mention::Team { team } => format!("@{team}"),
    }
}

/// Applies the requirements to the approvers.
pub fn gate(requirements: &Requirements, approvers: &[ApproverFacts]) -> Gate {
    let counting: Vec<&ApproverFacts> = approvers.iter().filter(|a| a.current).collect();
    let team = requirements.team.as_ref().map(|team| TeamGate {
        team: team.clone(),
        needed: requirements.approvals,
        approved_by: counting
            .iter()
            .filter(|a| a.in_review_team)
            .map(|a| a.login.clone())
            .collect(),
    });
    let owns = |approver: &ApproverFacts, owners: &[Mention]| {
        owners.iter().any(|owner| match owner {
            Mention::User { login } => login == &approver.login,
            Mention::Team { team } => approver.teams.contains(team),
        })
    };
    let services = requirements
        .services
        .iter()
        .map(|(service, owners)| ServiceGate {
            service: service.clone(),
            owners: owners.clone(),
            approved_by: counting
                .iter()
                .find(|a| owns(a, owners))
                .map(|a| a.login.clone()),
        })
        .collect();
    Gate {
        team,
        services,
        stale: approvers
            .iter()
            .filter(|a| !a.current)
            .map(|a| a.login.clone())
            .collect(),
        // One fact per reviewer: `standing_approvals` keeps each reviewer's latest verdict only.
        approvers: counting.iter().map(|a| a.login.clone()).collect(),
        unverified: counting
            .iter()
            .filter(|a| !a.unreadable.is_empty())
            .map(|a| Unverified {
                login: a.login.clone(),
                teams: a.unreadable.clone(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn review(login: &str, state: ReviewState, commit: &str) -> Review {
        Review {
            id: 0,
            author: Login(login.into()),
            state,
            commit_id: Some(CommitSha(commit.into())),
            submitted_at: None,
        }
    }

    fn facts(login: &str, current: bool, in_team: bool) -> ApproverFacts {
        ApproverFacts {
            login: Login(login.into()),
            current,
            in_review_team: in_team,
            teams: Vec::new(),
            unreadable: Vec::new(),
        }
    }

    #[test]
    fn latest_verdict_per_reviewer_and_never_the_author() {
        let reviews = vec![
            review("bob", ReviewState::Approved, "a"),
            review("carol", ReviewState::Approved, "a"),
            review("carol", ReviewState::ChangesRequested, "b"),
            review("bob", ReviewState::Commented, "b"),
            review("alice", ReviewState::Approved, "b"),
            review("dave", ReviewState::Approved, "a"),
            review("dave", ReviewState::Dismissed, "a"),
        ];
        let standing = standing_approvals(&reviews, &Login("Alice".into()));
        assert_eq!(
            standing,
            vec![Approval {
                login: Login("bob".into()),
                commit: Some(CommitSha("a".into()))
            }]
        );
    }

    #[test]
    fn team_approvals_must_be_current_members() {
        let requirements = Requirements {
            team: TeamSlug::parse("acme/design-review"),
            approvals: 2,
            services: Vec::new(),
        };
        let gate = gate(
            &requirements,
            &[
                facts("bob", true, true),
                facts("carol", false, true),
                facts("erin", true, false),
            ],
        );
        assert!(!gate.satisfied());
        assert_eq!(
            gate.missing(),
            vec!["1 more approval from @acme/design-review"]
        );
        assert_eq!(gate.stale, vec![Login("carol".into())]);
        let satisfied = super::gate(
            &requirements,
            &[facts("bob", true, true), facts("carol", true, true)],
        );
        assert!(satisfied.satisfied());
    }

    #[test]
    fn each_service_needs_one_of_its_owners() {
        let requirements = Requirements {
            team: None,
            approvals: 0,
            services: vec![
                (
                    "payments".into(),
                    vec![Mention::Team {
                        team: TeamSlug::parse("acme/payments").unwrap(),
                    }],
                ),
                (
                    "ledger".into(),
                    vec![Mention::User {
                        login: Login("erin".into()),
                    }],
                ),
            ],
        };
        let mut owner = facts("frank", true, false);
        owner.teams.push(TeamSlug::parse("acme/payments").unwrap());
        let gate = gate(&requirements, &[owner]);
        assert!(!gate.satisfied());
        assert_eq!(gate.services[0].approved_by, Some(Login("frank".into())));
        assert!(
            gate.missing()[0].contains("`ledger` (@erin)"),
            "{:?}",
            gate.missing()
        );
        let both = super::gate(
            &requirements,
            &[facts("erin", true, false), {
                let mut f = facts("frank", true, false);
                f.teams.push(TeamSlug::parse("acme/payments").unwrap());
                f
            }],
        );
        assert!(both.satisfied());
    }

    #[test]
    fn only_current_approvals_with_an_unreadable_membership_are_unverified() {
        let requirements = Requirements {
            team: TeamSlug::parse("acme/design-review"),
            approvals: 1,
            services: Vec::new(),
        };
        let team = TeamSlug::parse("acme/design-review").unwrap();
        let mut bob = facts("bob", true, false);
        bob.unreadable.push(team.clone());
        let mut carol = facts("carol", false, false);
        carol.unreadable.push(team.clone());
        let gate = gate(&requirements, &[bob, carol, facts("erin", true, false)]);
        assert_eq!(
            gate.unverified,
            vec![Unverified {
                login: Login("bob".into()),
                teams: vec![team.clone()],
            }]
        );
        assert_eq!(gate.unverified_teams(&Login("bob".into())), [team]);
        assert_eq!(gate.unverified_teams(&Login("erin".into())), []);
    }

    #[test]
    fn nothing_required_is_satisfied() {
        assert!(gate(&Requirements::default(), &[]).satisfied());
    }
}
