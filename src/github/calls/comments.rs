//! Comments in a PR's conversation (issue comments) and reactions to them.

use http::Method;
use serde::Deserialize;
use serde_json::json;

use super::{WireUser, login_of, repo_path};
use crate::domain::{PrNumber, RepoName};
use crate::github::models::{Comment, CommentId, Reaction};
use crate::github::{GithubError, InstallationClient, client::ApiRequest};

#[derive(Debug, Deserialize)]
struct WireComment {
    id: u64,
    #[serde(default)]
    body: Option<String>,
    user: Option<WireUser>,
    html_url: String,
}

impl From<WireComment> for Comment {
    fn from(w: WireComment) -> Self {
        Self {
            id: CommentId(w.id),
            body: w.body.unwrap_or_default(),
            author_is_bot: w.user.as_ref().is_some_and(|u| u.kind == "Bot"),
            author: login_of(w.user.as_ref()),
            html_url: w.html_url,
        }
    }
}

impl InstallationClient {
    /// `GET /repos/{owner}/{repo}/issues/{issue_number}/comments`, every page, oldest first.
    pub async fn list_issue_comments(
        &self,
        repo: &RepoName,
        number: PrNumber,
    ) -> Result<Vec<Comment>, GithubError> {
        let wires: Vec<WireComment> = self
            .get_list(
                "/repos/{owner}/{repo}/issues/{issue_number}/comments",
                format!("{}/issues/{}/comments", repo_path(repo), number.0),
            )
            .await?;
        Ok(wires.into_iter().map(Comment::from).collect())
    }

    /// `POST /repos/{owner}/{repo}/issues/{issue_number}/comments`. Not repeated after a 5xx: a
    /// second copy would be worse than a retry of the whole delivery, which finds the first one.
    pub async fn create_issue_comment(
        &self,
        repo: &RepoName,
        number: PrNumber,
        body: &str,
    ) -> Result<Comment, GithubError> {
        let request = self
            .request(
                Method::POST,
                "/repos/{owner}/{repo}/issues/{issue_number}/comments",
                format!("{}/issues/{}/comments", repo_path(repo), number.0),
            )
            .body(json!({ "body": body }))
            .create();
        self.send_comment(&request).await
    }

    /// `PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}`.
    pub async fn update_issue_comment(
        &self,
        repo: &RepoName,
        id: CommentId,
        body: &str,
    ) -> Result<Comment, GithubError> {
        let request = self
            .request(
                Method::PATCH,
                "/repos/{owner}/{repo}/issues/comments/{comment_id}",
                format!("{}/issues/comments/{}", repo_path(repo), id.0),
            )
            .body(json!({ "body": body }));
        self.send_comment(&request).await
    }

    /// Sends a request GitHub answers with the comment it wrote.
    async fn send_comment(&self, request: &ApiRequest) -> Result<Comment, GithubError> {
        Ok(self
            .send(request)
            .await?
            .json::<WireComment>(request.route)?
            .into())
    }

    /// `POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions`. GitHub answers 200
    /// instead of 201 when the reaction already exists, so adding twice is harmless.
    pub async fn add_reaction(
        &self,
        repo: &RepoName,
        comment: CommentId,
        content: Reaction,
    ) -> Result<(), GithubError> {
        let request = self
            .request(
                Method::POST,
                "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions",
                format!(
                    "{}/issues/comments/{}/reactions",
                    repo_path(repo),
                    comment.0
                ),
            )
            .body(json!({ "content": content }))
            .create();
        self.send(&request).await.map(|_| ())
    }
}
