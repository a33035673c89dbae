//! Our own small types for what the GitHub calls return and take.
//!
//! The workflow code sees these, never octocrab models or raw JSON: only the fields we use, with
//! domain types ([`RepoName`], [`Login`], [`CommitSha`]) instead of strings.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{CommitSha, InstallationId, Login, PrNumber, RepoName, TeamSlug};

/// Facts about a repository we need (config is read from the default branch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoInfo {
    pub name: RepoName,
    pub default_branch: String,
}

/// Open or closed (merged pull requests are closed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PullState {
    Open,
    Closed,
}

/// A pull request as the workflow needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequest {
    pub number: PrNumber,
    pub title: String,
    pub head_sha: CommitSha,
    pub head_ref: String,
    pub base_ref: String,
    pub author: Login,
    pub draft: bool,
    pub state: PullState,
    pub html_url: String,
}

/// How a file changed in a pull request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileStatus {
    Added,
    Removed,
    Modified,
    Renamed,
    Copied,
    Changed,
    Unchanged,
    /// A status GitHub added after this code was written.
    #[serde(other)]
    Unknown,
}

/// One file of a pull request's diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullFile {
    pub filename: String,
    pub status: FileStatus,
    /// The old path of a renamed file.
    pub previous_filename: Option<String>,
    /// Blob SHA of the file at the head (empty for removed files).
    pub sha: String,
}

/// The files of a commit (from the git trees API).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tree {
    /// Files only (no directories or submodules), with their blob SHAs.
    pub entries: Vec<TreeEntry>,
    /// GitHub left entries out (over 100,000 entries or 7 MB): the tree is not whole.
    pub truncated: bool,
}

/// One file of a [`Tree`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeEntry {
    pub path: String,
    pub sha: String,
}

/// A file's content at a ref. Files over the size limit are reported as
/// [`GithubError::TooLarge`](super::GithubError::TooLarge) instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileContent {
    /// Blob SHA: equal SHAs mean equal content.
    pub sha: String,
    pub size: u64,
    pub content: Vec<u8>,
}

pub use crate::domain::{CheckRunId, CommentId};

/// Lifecycle of a check run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    Queued,
    InProgress,
    Completed,
    /// Statuses GitHub uses for Actions only (waiting, requested, pending).
    #[serde(other)]
    Other,
}

/// Result of a completed check run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckConclusion {
    Success,
    Failure,
    Neutral,
    Cancelled,
    Skipped,
    TimedOut,
    ActionRequired,
    /// A conclusion GitHub added after this code was written (e.g. `stale`).
    #[serde(other)]
    Other,
}

/// Severity of an annotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AnnotationLevel {
    Notice,
    Warning,
    Failure,
}

/// A line annotation on a file of the PR.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Annotation {
    pub path: String,
    pub start_line: u32,
    pub end_line: u32,
    pub annotation_level: AnnotationLevel,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw_details: Option<String>,
}

/// The visible report of a check run. Any number of annotations: they are sent in batches of 50.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckRunOutput {
    pub title: String,
    pub summary: String,
    pub text: Option<String>,
    pub annotations: Vec<Annotation>,
}

/// What to create or change in a check run. `None` fields are left as they are on update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckRunSpec {
    pub name: String,
    pub head_sha: CommitSha,
    pub status: CheckStatus,
    /// Required when `status` is `Completed`.
    pub conclusion: Option<CheckConclusion>,
    pub output: Option<CheckRunOutput>,
    pub details_url: Option<String>,
    pub external_id: Option<String>,
}

/// A check run as GitHub reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckRun {
    pub id: CheckRunId,
    pub name: String,
    pub head_sha: CommitSha,
    pub status: CheckStatus,
    pub conclusion: Option<CheckConclusion>,
    pub html_url: Option<String>,
    pub external_id: Option<String>,
}

/// A comment in a PR's conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub id: CommentId,
    pub body: String,
    pub author: Login,
    /// Written by a bot account (this App included): never executed as a command.
    pub author_is_bot: bool,
    pub html_url: String,
}

/// Reactions GitHub supports on comments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reaction {
    #[serde(rename = "+1")]
    PlusOne,
    #[serde(rename = "-1")]
    MinusOne,
    #[serde(rename = "laugh")]
    Laugh,
    #[serde(rename = "confused")]
    Confused,
    #[serde(rename = "heart")]
    Heart,
    #[serde(rename = "hooray")]
    Hooray,
    #[serde(rename = "rocket")]
    Rocket,
    #[serde(rename = "eyes")]
    Eyes,
}

/// Users and teams whose review is currently requested (not yet given).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestedReviewers {
    pub users: Vec<Login>,
    pub teams: Vec<TeamSlug>,
}

/// State of a submitted (or pending) review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReviewState {
    Approved,
    ChangesRequested,
    Commented,
    Dismissed,
    Pending,
    #[serde(other)]
    Unknown,
}

/// A pull request review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub id: u64,
    pub author: Login,
    pub state: ReviewState,
    /// The commit the review was given on.
    pub commit_id: Option<CommitSha>,
    pub submitted_at: Option<DateTime<Utc>>,
}

/// A user's role on a repository, weakest first (so `>=` compares strength).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Permission {
    None,
    Read,
    Triage,
    Write,
    Maintain,
    Admin,
}

/// An installation of the App.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installation {
    pub id: InstallationId,
    /// The user or organisation the App is installed on.
    pub account: Login,
}
