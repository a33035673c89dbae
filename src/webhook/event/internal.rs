//! Work the bot queues for itself, stored beside GitHub's deliveries so the queue gives it the
//! same ordering, coalescing and retries: "evaluate this pull request again" after a re-run that
//! named only a commit, a push that changed the rules, or a resync.
//!
//! It is stored in a form of its own, with a version number, never dressed up as a GitHub
//! payload: a field GitHub renames cannot break it, and a later release can still read the rows
//! an earlier one queued.

use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::{CheckKind, EvaluateEvent, EvaluateReason, PayloadError};
use crate::{
    domain::{CommitSha, InstallationId, PrNumber, PrRef, RepoName},
    store::NewDelivery,
};

/// The `event` of the queued rows (GitHub sends no event of this name, so intake drops one).
pub const EVENT: &str = "internal";

/// The version of the stored form this release writes; it reads every earlier one.
const VERSION: u32 = 1;

/// Evaluate one pull request again, queued under the PR's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reevaluation {
    pub pr: PrRef,
    pub installation: Option<InstallationId>,
    /// The head commit the evaluation is for, when known.
    pub head_sha: Option<CommitSha>,
    /// Where the configuration is read from, when known (else the repository's default).
    pub default_branch: Option<String>,
    pub cause: ReevaluationCause,
}

/// Why the bot queued an evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReevaluationCause {
    /// The head commit had no check run of ours (`design-review resync`).
    Resync,
    /// "Re-run" on a check that named only the commit (a pull request from a fork).
    CheckRerun(CheckKind),
    /// A push to the default branch changed the configuration or a template.
    RulesChanged,
}

/// The stored form: `{"version": 1, "evaluate": {...}}`.
#[derive(Serialize, Deserialize)]
struct Stored {
    version: u32,
    evaluate: StoredEvaluation,
}

/// Plain fields, so that changes to the domain types cannot change what is stored.
#[derive(Serialize, Deserialize)]
struct StoredEvaluation {
    /// `owner/name`.
    repo: String,
    number: u64,
    installation: Option<u64>,
    head_sha: Option<String>,
    default_branch: Option<String>,
    cause: ReevaluationCause,
}

impl Reevaluation {
    /// The row to queue under `id` (derived from what caused it, so a retry queues nothing
    /// twice).
    pub fn delivery(&self, id: String) -> NewDelivery {
        NewDelivery {
            id,
            event: EVENT.to_string(),
            action: Some("evaluate".to_string()),
            installation_id: self.installation,
            repo: Some(self.pr.repo.to_string()),
            pr_key: Some(self.pr.queue_key()),
            coalescable: true,
            payload: self.encode(),
            received_at: Utc::now(),
        }
    }

    /// The stored form, in the current version.
    pub fn encode(&self) -> String {
        let stored = Stored {
            version: VERSION,
            evaluate: StoredEvaluation {
                repo: self.pr.repo.to_string(),
                number: self.pr.number.0,
                installation: self.installation.map(|i| i.0),
                head_sha: self.head_sha.as_ref().map(|sha| sha.0.clone()),
                default_branch: self.default_branch.clone(),
                cause: self.cause,
            },
        };
        serde_json::to_string(&stored).expect("plain fields always serialise")
    }

    /// Reads a stored form of any version this release knows.
    pub fn decode(payload: &[u8]) -> Result<Self, PayloadError> {
        #[derive(Deserialize)]
        struct Version {
            version: u32,
        }
        let Version { version } = serde_json::from_slice(payload)?;
        if version != VERSION {
            return Err(PayloadError::UnknownVersion(version));
        }
        let Stored { evaluate, .. } = serde_json::from_slice(payload)?;
        Ok(Self {
            pr: PrRef {
                repo: RepoName::parse(&evaluate.repo).ok_or(PayloadError::Missing("repo"))?,
                number: PrNumber(evaluate.number),
            },
            installation: evaluate.installation.map(InstallationId),
            head_sha: evaluate.head_sha.map(CommitSha),
            default_branch: evaluate.default_branch,
            cause: evaluate.cause,
        })
    }

    /// The evaluation to run: the workflow reads the pull request afresh.
    pub fn into_event(self) -> EvaluateEvent {
        EvaluateEvent {
            pr: self.pr,
            installation: self.installation,
            reason: EvaluateReason::Reevaluation(self.cause),
            head_sha: self.head_sha,
            sender: None,
            default_branch: self.default_branch,
            snapshot: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reevaluation(cause: ReevaluationCause) -> Reevaluation {
        Reevaluation {
            pr: PrRef {
                repo: RepoName::new("acme", "widgets"),
                number: PrNumber(9),
            },
            installation: Some(InstallationId(42)),
            head_sha: Some(CommitSha("def".into())),
            default_branch: Some("trunk".into()),
            cause,
        }
    }

    #[test]
    fn the_stored_form_is_versioned_and_reads_back() {
        let work = reevaluation(ReevaluationCause::CheckRerun(CheckKind::CheckSuite));
        let stored = work.encode();
        assert_eq!(
            stored,
            r#"{"version":1,"evaluate":{"repo":"acme/widgets","number":9,"installation":42,"head_sha":"def","default_branch":"trunk","cause":{"check_rerun":"check_suite"}}}"#
        );
        assert_eq!(Reevaluation::decode(stored.as_bytes()).unwrap(), work);
        for cause in [ReevaluationCause::Resync, ReevaluationCause::RulesChanged] {
            let work = reevaluation(cause);
            assert_eq!(
                Reevaluation::decode(work.encode().as_bytes()).unwrap(),
                work
            );
        }
    }

    #[test]
    fn a_later_version_is_refused_not_misread() {
        let later = br#"{"version":2,"evaluate":{"repo":"acme/widgets","number":9}}"#;
        assert!(matches!(
            Reevaluation::decode(later),
            Err(PayloadError::UnknownVersion(2))
        ));
    }

    #[test]
    fn the_queued_row_is_the_prs_and_coalescable() {
        let delivery = reevaluation(ReevaluationCause::Resync).delivery("resync-x".into());
        assert_eq!(
            (
                delivery.event.as_str(),
                delivery.action.as_deref(),
                delivery.installation_id,
                delivery.repo.as_deref(),
                delivery.pr_key.as_deref(),
                delivery.coalescable,
            ),
            (
                EVENT,
                Some("evaluate"),
                Some(InstallationId(42)),
                Some("acme/widgets"),
                Some("acme/widgets#9"),
                true
            )
        );
    }
}
