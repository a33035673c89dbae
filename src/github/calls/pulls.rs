//! Pull requests, their files, reviewers and reviews.

use chrono::{DateTime, Utc};
use http::Method;
use serde::Deserialize;
use serde_json::json;

use super::{WireUser, login_of, repo_path};
use crate::domain::{CommitSha, Login, PrNumber, RepoName, TeamSlug};
use crate::github::models::{
    FileStatus, PullFile, PullRequest, PullState, RequestedReviewers, Review, ReviewState,
};
use crate::github::{GithubError, InstallationClient};

#[derive(Debug, Deserialize)]
struct WireRef {
    sha: String,
    #[serde(rename = "ref")]
    name: String,
}

#[derive(Debug, Deserialize)]
struct WirePull {
    number: u64,
    #[serde(default)]
    title: String,
    state: PullState,
    #[serde(default)]
    draft: Option<bool>,
    html_url: String,
    user: Option<WireUser>,
    head: WireRef,
    base: WireRef,
}

impl From<WirePull> for PullRequest {
    fn from(wire: WirePull) -> Self {
        Self {
            number: PrNumber(wire.number),
            title: wire.title,
            head_sha: CommitSha(wire.head.sha),
            head_ref: wire.head.name,
            base_ref: wire.base.name,
            author: login_of(wire.user.as_ref()),
            draft: wire.draft.unwrap_or(false),
            state: wire.state,
            html_url: wire.html_url,
        }
    }
}

/// The size facts of a pull request (`changed_files` is absent from list answers).
#[derive(Debug, Deserialize)]
struct WirePullSize {
    changed_files: u64,
}

#[derive(Debug, Deserialize)]
struct WireFile {
    filename: String,
    status: FileStatus,
    #[serde(default)]
    previous_filename: Option<String>,
    #[serde(default)]
    sha: Option<String>,
}

#[derive(Debug, Deserialize)]
struct WireTeam {
    slug: String,
}

#[derive(Debug, Deserialize)]
struct WireRequested {
    #[serde(default)]
    users: Vec<WireUser>,
    #[serde(default)]
    teams: Vec<WireTeam>,
}

#[derive(Debug, Deserialize)]
struct WireReview {
    id: u64,
    user: Option<WireUser>,
    state: ReviewState,
    #[serde(default)]
    commit_id: Option<String>,
    #[serde(default)]
    submitted_at: Option<DateTime<Utc>>,
}

impl InstallationClient {
    /// `GET /repos/{owner}/{repo}/pulls/{pull_number}`.
    pub async fn get_pull(
        &self,
        repo: &RepoName,
        number: PrNumber,
    ) -> Result<PullRequest, GithubError> {
        let wire: WirePull = self
            .get_json(
                "/repos/{owner}/{repo}/pulls/{pull_number}",
                format!("{}/pulls/{}", repo_path(repo), number.0),
            )
            .await?;
        Ok(wire.into())
    }

    /// `GET /repos/{owner}/{repo}/pulls?state=open`, every page (for resyncing after downtime).
    pub async fn list_open_pulls(&self, repo: &RepoName) -> Result<Vec<PullRequest>, GithubError> {
        let wires: Vec<WirePull> = self
            .get_list(
                "/repos/{owner}/{repo}/pulls",
                format!("{}/pulls?state=open", repo_path(repo)),
            )
            .await?;
        Ok(wires.into_iter().map(PullRequest::from).collect())
    }

    /// `GET /repos/{owner}/{repo}/pulls/{pull_number}/files`, every page (GitHub lists up to 3,000).
    pub async fn list_pull_files(
        &self,
        repo: &RepoName,
        number: PrNumber,
    ) -> Result<Vec<PullFile>, GithubError> {
        let wires: Vec<WireFile> = self
            .get_list(
                "/repos/{owner}/{repo}/pulls/{pull_number}/files",
                format!("{}/pulls/{}/files", repo_path(repo), number.0),
            )
            .await?;
        Ok(wires
            .into_iter()
            .map(|w| PullFile {
                filename: w.filename,
                status: w.status,
                previous_filename: w.previous_filename,
                sha: w.sha.unwrap_or_default(),
            })
            .collect())
    }

    /// `GET /repos/{owner}/{repo}/pulls/{pull_number}`: how many files the pull request changes
    /// (`changed_files`), to tell whether the files list, which GitHub stops at 3,000, is whole.
    pub async fn pull_changed_files(
        &self,
        repo: &RepoName,
        number: PrNumber,
    ) -> Result<u64, GithubError> {
        let wire: WirePullSize = self
            .get_json(
                "/repos/{owner}/{repo}/pulls/{pull_number}",
                format!("{}/pulls/{}", repo_path(repo), number.0),
            )
            .await?;
        Ok(wire.changed_files)
    }

    /// `POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers`.
    ///
    /// Team slugs are sent without their org (the repository's org is implied). A 422 (e.g. a team
    /// without access, a user who is not a collaborator) is [`GithubError::Validation`] with
    /// GitHub's message, so it can be shown on the PR. Not repeated after a 5xx (re-requesting
    /// notifies people again).
    pub async fn request_reviewers(
        &self,
        repo: &RepoName,
        number: PrNumber,
        users: &[Login],
        teams: &[TeamSlug],
    ) -> Result<(), GithubError> {
        let users: Vec<&str> = users.iter().map(|u| u.0.as_str()).collect();
        let teams: Vec<&str> = teams.iter().map(|t| t.slug.as_str()).collect();
        let request = self
            .request(
                Method::POST,
                "/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers",
                format!("{}/pulls/{}/requested_reviewers", repo_path(repo), number.0),
            )
            .body(json!({ "reviewers": users, "team_reviewers": teams }))
            .create();
        self.send(&request).await.map(|_| ())
    }

    /// `GET /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers`: pending requests only
    /// (GitHub removes a request once that reviewer has reviewed).
    pub async fn list_requested_reviewers(
        &self,
        repo: &RepoName,
        number: PrNumber,
    ) -> Result<RequestedReviewers, GithubError> {
        let wire: WireRequested = self
            .get_json(
                "/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers",
                format!("{}/pulls/{}/requested_reviewers", repo_path(repo), number.0),
            )
            .await?;
        Ok(RequestedReviewers {
            users: wire.users.into_iter().map(|u| Login(u.login)).collect(),
            teams: wire
                .teams
                .into_iter()
                .map(|t| TeamSlug {
                    org: repo.owner.clone(),
                    slug: t.slug,
                })
                .collect(),
        })
    }

    /// `GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews`, every page, oldest first.
    pub async fn list_reviews(
        &self,
        repo: &RepoName,
        number: PrNumber,
    ) -> Result<Vec<Review>, GithubError> {
        let wires: Vec<WireReview> = self
            .get_list(
                "/repos/{owner}/{repo}/pulls/{pull_number}/reviews",
                format!("{}/pulls/{}/reviews", repo_path(repo), number.0),
            )
            .await?;
        Ok(wires
            .into_iter()
            .map(|w| Review {
                id: w.id,
                author: login_of(w.user.as_ref()),
                state: w.state,
                commit_id: w.commit_id.map(CommitSha),
                submitted_at: w.submitted_at,
            })
            .collect())
    }
}
