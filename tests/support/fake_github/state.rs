//! The fake's in-memory GitHub: repositories, pull requests, people, and what the App did.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The base commit every pull request of the fake reports (and the merge base of any compare).
pub const BASE_SHA: &str = "0000000000000000000000000000000000000000";

/// A file's content and its blob SHA (a content hash, so equal content means equal SHA).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    pub sha: String,
    pub content: Vec<u8>,
}

impl Blob {
    pub fn new(content: impl Into<Vec<u8>>) -> Self {
        let content = content.into();
        let digest = Sha256::digest(&content);
        Self {
            sha: hex::encode(digest)[..40].to_string(),
            content,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Repo {
    pub default_branch: String,
    /// `(ref, path) -> blob`; refs are branch names or commit SHAs.
    pub files: HashMap<(String, String), Blob>,
    /// login (lowercase) -> role name (`admin`, `maintain`, `write`, `triage`, `read`).
    pub permissions: HashMap<String, String>,
    /// Users GitHub refuses as reviewers (not collaborators).
    pub non_collaborators: BTreeSet<String>,
}

impl Default for Repo {
    fn default() -> Self {
        Self {
            default_branch: "main".into(),
            files: HashMap::new(),
            permissions: HashMap::new(),
            non_collaborators: BTreeSet::new(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct PullFile {
    pub filename: String,
    pub status: String,
    pub previous_filename: Option<String>,
    pub sha: String,
}

#[derive(Debug, Clone)]
pub struct Pull {
    pub title: String,
    pub author: String,
    pub head_sha: String,
    pub head_ref: String,
    pub base_ref: String,
    pub draft: bool,
    pub state: String,
    pub files: Vec<PullFile>,
    pub requested_users: Vec<String>,
    pub requested_teams: Vec<String>,
}

/// A review as stored (and listed) by the fake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRecord {
    pub id: u64,
    pub repo: String,
    pub pr: u64,
    pub author: String,
    pub state: String,
    pub commit_id: String,
    pub submitted_at: DateTime<Utc>,
}

/// A comment with every body it ever had (`history[0]` is the original).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentRecord {
    pub id: u64,
    pub repo: String,
    pub issue: u64,
    pub author: String,
    pub author_is_bot: bool,
    pub body: String,
    pub history: Vec<String>,
}

impl CommentRecord {
    /// How many times the body was edited after creation.
    pub fn edits(&self) -> usize {
        self.history.len() - 1
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReactionRecord {
    pub comment_id: u64,
    pub content: String,
    pub by: String,
}

/// A check run with its current fields and every request body that created or changed it.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckRunRecord {
    pub id: u64,
    /// The App that created the run; only that App may update it.
    pub app_id: u64,
    pub repo: String,
    pub name: String,
    pub head_sha: String,
    pub status: String,
    pub conclusion: Option<String>,
    /// `output` without annotations (title, summary, text) as last set.
    pub output: Option<Value>,
    /// All annotations received, in order.
    pub annotations: Vec<Value>,
    /// The create body followed by each PATCH body.
    pub updates: Vec<Value>,
}

impl CheckRunRecord {
    pub fn title(&self) -> Option<&str> {
        self.output.as_ref()?.get("title")?.as_str()
    }
    pub fn summary(&self) -> Option<&str> {
        self.output.as_ref()?.get("summary")?.as_str()
    }

    /// What the check's page shows: the title, a blank line, then the summary.
    pub fn page(&self) -> String {
        format!(
            "{}\n\n{}",
            self.title().unwrap_or_default(),
            self.summary().unwrap_or_default()
        )
    }
}

/// One `POST .../requested_reviewers` that GitHub accepted or refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewerRequestRecord {
    pub repo: String,
    pub pr: u64,
    pub users: Vec<String>,
    pub teams: Vec<String>,
    pub status: u16,
}

/// One request the fake received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    pub method: String,
    /// Path relative to the API prefix (`/repos/acme/widgets`), or the full path when it was
    /// outside the prefix.
    pub path: String,
    /// The path exactly as received (with the `/api/v3` prefix when served under one).
    pub full_path: String,
    pub query: Option<String>,
    pub status: u16,
    pub if_none_match: Option<String>,
    /// Served by the unknown-route fallback.
    pub unknown_route: bool,
    /// When the answer was sent.
    pub at: std::time::Instant,
    /// When the request arrived (before any latency).
    pub received: std::time::Instant,
}

/// What an injected fault answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// A bare status (e.g. 502) with GitHub's error body.
    Status(u16),
    /// 403 secondary rate limit with `Retry-After: secs`.
    SecondaryRateLimit { retry_after_secs: u64 },
    /// 403 primary rate limit: `X-RateLimit-Remaining: 0`, reset `reset_in_secs` from now.
    PrimaryRateLimit { reset_in_secs: i64 },
    /// 429 with `Retry-After: secs`.
    TooManyRequests { retry_after_secs: u64 },
}

#[derive(Debug, Clone)]
pub struct FaultRule {
    pub method: String,
    pub path: String,
    pub fault: Fault,
    /// Matching requests answered normally before the fault applies.
    pub skip: usize,
    pub remaining: usize,
}

#[derive(Debug, Clone)]
pub struct Token {
    pub installation: u64,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Team {
    pub active: BTreeSet<String>,
    pub pending: BTreeSet<String>,
}

/// Everything the fake knows. Keys of people are lowercase logins (GitHub is case-insensitive).
#[derive(Debug)]
pub struct State {
    pub app_slug: String,
    pub token_lifetime: chrono::Duration,
    pub tokens: HashMap<String, Token>,
    pub token_exchanges: Vec<u64>,
    /// installation id -> account login.
    pub installations: BTreeMap<u64, String>,
    pub repos: BTreeMap<String, Repo>,
    pub pulls: BTreeMap<(String, u64), Pull>,
    pub reviews: Vec<ReviewRecord>,
    pub teams: BTreeMap<(String, String), Team>,
    /// Organisations (lowercase) whose team memberships the App may not read (403).
    pub members_unreadable: BTreeSet<String>,
    pub comments: Vec<CommentRecord>,
    pub reactions: Vec<ReactionRecord>,
    pub check_runs: Vec<CheckRunRecord>,
    pub reviewer_requests: Vec<ReviewerRequestRecord>,
    pub log: Vec<LoggedRequest>,
    pub faults: Vec<FaultRule>,
    pub rate_limit_remaining: u64,
    /// Added before every answer, to simulate a slow GitHub.
    pub latency: std::time::Duration,
    /// Random faults (reliability tests).
    pub chaos: Option<super::chaos::Chaos>,
    /// Concurrent-evaluation detection (reliability tests).
    pub tracking: Option<super::chaos::EvaluationTracker>,
    /// Repositories whose git trees GitHub answers `truncated` (too many entries).
    pub truncated_trees: BTreeSet<String>,
    /// Manifest codes not yet converted -> the manifest they were issued for.
    pub manifest_codes: HashMap<String, Value>,
    /// Every manifest posted to the "new GitHub App" page, with the organization if any.
    pub registered_manifests: Vec<(Option<String>, Value)>,
    next_id: u64,
}

impl State {
    pub fn new() -> Self {
        let mut installations = BTreeMap::new();
        installations.insert(1, "acme".to_string());
        Self {
            app_slug: "design-review".into(),
            token_lifetime: chrono::Duration::hours(1),
            tokens: HashMap::new(),
            token_exchanges: Vec::new(),
            installations,
            repos: BTreeMap::new(),
            pulls: BTreeMap::new(),
            reviews: Vec::new(),
            teams: BTreeMap::new(),
            members_unreadable: BTreeSet::new(),
            comments: Vec::new(),
            reactions: Vec::new(),
            check_runs: Vec::new(),
            reviewer_requests: Vec::new(),
            log: Vec::new(),
            faults: Vec::new(),
            rate_limit_remaining: 5000,
            latency: std::time::Duration::ZERO,
            chaos: None,
            tracking: None,
            truncated_trees: BTreeSet::new(),
            manifest_codes: HashMap::new(),
            registered_manifests: Vec::new(),
            next_id: 1000,
        }
    }

    pub fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// The App's bot account, author of everything the App writes.
    pub fn bot_login(&self) -> String {
        format!("{}[bot]", self.app_slug)
    }

    pub fn repo_mut(&mut self, full_name: &str) -> &mut Repo {
        self.repos.entry(full_name.to_string()).or_default()
    }

    pub fn pull_mut(&mut self, repo: &str, number: u64) -> &mut Pull {
        self.repo_mut(repo);
        self.pulls
            .entry((repo.to_string(), number))
            .or_insert_with(|| Pull {
                title: format!("Pull request {number}"),
                author: "octocat".into(),
                head_sha: format!("{:040x}", number),
                head_ref: format!("feature-{number}"),
                base_ref: "main".into(),
                draft: false,
                state: "open".into(),
                files: Vec::new(),
                requested_users: Vec::new(),
                requested_teams: Vec::new(),
            })
    }

    /// The files of commit `sha` as the git trees API lists them, `(path, blob sha)` in path
    /// order: the default branch's files for the base commit every pull request reports
    /// ([`BASE_SHA`]); for a pull request's head, those files changed by the pull request's
    /// files (content stored at the head, or only listed, as [`many_files`] makes them).
    ///
    /// [`many_files`]: super::PullHandle::many_files
    pub fn tree(&self, repo: &str, sha: &str) -> Option<Vec<(String, String)>> {
        let r = self.repos.get(repo)?;
        let mut files: BTreeMap<String, String> = r
            .files
            .iter()
            .filter(|((git_ref, _), _)| *git_ref == r.default_branch)
            .map(|((_, path), blob)| (path.clone(), blob.sha.clone()))
            .collect();
        if sha == BASE_SHA {
            return Some(files.into_iter().collect());
        }
        let pull = self
            .pulls
            .iter()
            .find(|((name, _), p)| name == repo && p.head_sha == sha)
            .map(|(_, p)| p)?;
        for file in &pull.files {
            if file.status == "removed" {
                files.remove(&file.filename);
            } else {
                files.insert(file.filename.clone(), file.sha.clone());
            }
        }
        Some(files.into_iter().collect())
    }

    /// The blob at `(git_ref, path)`: a file stored at that ref, else a PR whose head branch is `git_ref`.
    pub fn blob(&self, repo: &str, git_ref: &str, path: &str) -> Option<&Blob> {
        let r = self.repos.get(repo)?;
        if let Some(blob) = r.files.get(&(git_ref.to_string(), path.to_string())) {
            return Some(blob);
        }
        self.pulls
            .iter()
            .filter(|((name, _), p)| name == repo && p.head_ref == git_ref)
            .find_map(|(_, p)| r.files.get(&(p.head_sha.clone(), path.to_string())))
    }
}
