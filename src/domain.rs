//! Small domain types that GitHub payloads are converted into once, at the border.
//!
//! The rest of the crate never handles raw webhook JSON: it works with these types, so a
//! repository name cannot be confused with a login, nor a PR number with an installation id.

use std::fmt;

use serde::{Deserialize, Serialize};

/// `owner/name` of a repository.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RepoName {
    pub owner: String,
    pub name: String,
}

impl RepoName {
    pub fn new(owner: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            owner: owner.into(),
            name: name.into(),
        }
    }

    /// Parses `owner/name`; `None` when the text is not of that form.
    pub fn parse(full: &str) -> Option<Self> {
        let (owner, name) = full.split_once('/')?;
        if owner.is_empty() || name.is_empty() || name.contains('/') {
            return None;
        }
        Some(Self::new(owner, name))
    }
}

impl fmt::Display for RepoName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.owner, self.name)
    }
}

/// A pull request number within a repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PrNumber(pub u64);

impl fmt::Display for PrNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// A full commit SHA.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CommitSha(pub String);

impl fmt::Display for CommitSha {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A GitHub user login (compared case-insensitively, as GitHub does).
#[derive(Debug, Clone, Eq, Serialize, Deserialize)]
pub struct Login(pub String);

impl PartialEq for Login {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}

impl std::hash::Hash for Login {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.to_ascii_lowercase().hash(state)
    }
}

impl fmt::Display for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A team as `org/slug`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TeamSlug {
    pub org: String,
    pub slug: String,
}

impl TeamSlug {
    /// Parses `org/slug` or `@org/slug`.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim().trim_start_matches('@');
        let (org, slug) = text.split_once('/')?;
        if org.is_empty() || slug.is_empty() || slug.contains('/') {
            return None;
        }
        Some(Self {
            org: org.to_string(),
            slug: slug.to_string(),
        })
    }
}

impl fmt::Display for TeamSlug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.org, self.slug)
    }
}

/// A GitHub App installation id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct InstallationId(pub u64);

impl fmt::Display for InstallationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Id of a check run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CheckRunId(pub u64);

/// Id of an issue (or PR conversation) comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CommentId(pub u64);

/// Identifies one pull request across repositories; the unit of ordering in the queue.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PrRef {
    pub repo: RepoName,
    pub number: PrNumber,
}

impl PrRef {
    /// The key the queue uses to serialise work per pull request: `owner/name#12`.
    pub fn queue_key(&self) -> String {
        format!("{}#{}", self.repo, self.number.0)
    }
}

impl fmt::Display for PrRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.repo, self.number.0)
    }
}

/// Where a slash-command was written: an issue comment or the body of a submitted review
/// (GitHub numbers the two separately).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommentSource {
    IssueComment(u64),
    Review(u64),
}

/// One version of a comment or review body: its source and when GitHub last changed it
/// (`updated_at`, a review's `submitted_at`). Its commands run once per version, whatever
/// delivery carries it, so a captured delivery replayed under a new delivery id changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CommentVersion {
    pub source: CommentSource,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_and_team_parsing() {
        assert_eq!(
            RepoName::parse("acme/widgets"),
            Some(RepoName::new("acme", "widgets"))
        );
        assert_eq!(RepoName::parse("acme"), None);
        assert_eq!(RepoName::parse("a/b/c"), None);
        let team = TeamSlug::parse("@acme/design-review").unwrap();
        assert_eq!(team.to_string(), "acme/design-review");
        assert_eq!(TeamSlug::parse("@bob"), None);
    }

    #[test]
    fn logins_compare_case_insensitively() {
        assert_eq!(Login("Octocat".into()), Login("octocat".into()));
    }
}
