//! Webhook payloads as GitHub would send them for the fake's current state.

use serde_json::{Value, json};

use super::{FakeGithub, json::user, routes::pulls::pull_json};

impl FakeGithub {
    fn repository_json(&self, full: &str) -> Value {
        let state = self.lock();
        let default_branch = state
            .repos
            .get(full)
            .map(|r| r.default_branch.clone())
            .unwrap_or_else(|| "main".into());
        let (owner, name) = full.split_once('/').unwrap_or((full, full));
        json!({
            "id": 1, "node_id": "R_1", "name": name, "full_name": full, "private": true,
            "owner": user(owner, false),
            "html_url": format!("https://github.com/{full}"),
            "default_branch": default_branch,
        })
    }

    /// A `pull_request` delivery (`opened`, `synchronize`, ...) for the PR as it is now.
    pub fn pull_request_event(&self, action: &str, full: &str, number: u64) -> String {
        let pull = {
            let state = self.lock();
            let pull = state
                .pulls
                .get(&(full.to_string(), number))
                .expect("pull exists");
            pull_json(full, number, pull)
        };
        let sender = pull["user"].clone();
        json!({
            "action": action,
            "number": number,
            "pull_request": pull,
            "repository": self.repository_json(full),
            "installation": { "id": self.installation_id().0, "node_id": "I_1" },
            "sender": sender,
        })
        .to_string()
    }

    /// A `pull_request.edited` delivery for a change of base branch (the PR's base is already
    /// the new one; `from` is the old base branch).
    pub fn pull_request_base_changed_event(&self, full: &str, number: u64, from: &str) -> String {
        let mut event: Value =
            serde_json::from_str(&self.pull_request_event("edited", full, number))
                .expect("pull_request event is JSON");
        event["changes"] = json!({
            "base": {
                "ref": { "from": from },
                "sha": { "from": "1111111111111111111111111111111111111111" },
            }
        });
        event.to_string()
    }

    /// A `check_suite.rerequested` delivery for `head_sha` whose `pull_requests` is empty, as
    /// GitHub sends it for pull requests from forks.
    pub fn check_suite_rerequested_event(&self, full: &str, head_sha: &str) -> String {
        json!({
            "action": "rerequested",
            "check_suite": {
                "id": 5, "head_sha": head_sha, "head_branch": "feature", "status": "completed",
                "conclusion": "failure", "pull_requests": [],
            },
            "repository": self.repository_json(full),
            "installation": { "id": self.installation_id().0 },
            "sender": user("alice", false),
        })
        .to_string()
    }

    /// A `push` delivery of one commit to `branch` that modified `paths`.
    pub fn push_event(&self, full: &str, branch: &str, paths: &[&str]) -> String {
        let commit = json!({
            "id": "9d2c5f0e4b3a2d1c0b9a8f7e6d5c4b3a2f1e0d9c", "tree_id": "1111111111111111111111111111111111111111",
            "distinct": true, "message": "Update the rules", "timestamp": "2026-11-22T06:00:00Z",
            "url": format!("https://github.com/{full}/commit/9d2c5f0e4b3a2d1c0b9a8f7e6d5c4b3a2f1e0d9c"),
            "author": { "name": "Bob", "email": "bob@example.com", "username": "bob" },
            "committer": { "name": "GitHub", "email": "noreply@github.com", "username": "web-flow" },
            "added": [], "removed": [], "modified": paths,
        });
        json!({
            "ref": format!("refs/heads/{branch}"),
            "before": "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
            "after": "9d2c5f0e4b3a2d1c0b9a8f7e6d5c4b3a2f1e0d9c",
            "created": false, "deleted": false, "forced": false, "base_ref": null,
            "compare": format!("https://github.com/{full}/compare/0b0b0b0b0b0b...9d2c5f0e4b3a"),
            "commits": [commit.clone()],
            "head_commit": commit,
            "repository": self.repository_json(full),
            "pusher": { "name": "bob", "email": "bob@example.com" },
            "installation": { "id": self.installation_id().0 },
            "sender": user("bob", false),
        })
        .to_string()
    }

    /// A `pull_request_review` delivery (`submitted`, `dismissed`) by `login`.
    pub fn review_event(
        &self,
        action: &str,
        full: &str,
        number: u64,
        login: &str,
        state: &str,
        body: &str,
    ) -> String {
        let pull = {
            let s = self.lock();
            pull_json(
                full,
                number,
                s.pulls
                    .get(&(full.to_string(), number))
                    .expect("pull exists"),
            )
        };
        let commit = pull["head"]["sha"].clone();
        // The newest review of `login` on the PR, when the test recorded one.
        let (id, submitted_at) = self
            .lock()
            .reviews
            .iter()
            .rfind(|r| r.repo == full && r.pr == number && r.author == login)
            .map_or((1, chrono::Utc::now()), |r| (r.id, r.submitted_at));
        json!({
            "action": action,
            "review": {
                "id": id, "user": user(login, false), "body": body, "state": state.to_lowercase(),
                "commit_id": commit, "submitted_at": submitted_at,
            },
            "pull_request": pull,
            "repository": self.repository_json(full),
            "installation": { "id": self.installation_id().0 },
            "sender": user(login, false),
        })
        .to_string()
    }

    /// An `issue_comment.created` delivery on PR `number` for comment `comment_id`.
    pub fn comment_event(
        &self,
        full: &str,
        number: u64,
        comment_id: u64,
        login: &str,
        body: &str,
        is_bot: bool,
    ) -> String {
        let now = chrono::Utc::now();
        json!({
            "action": "created",
            "issue": {
                "number": number, "title": "PR", "state": "open",
                "user": user("alice", false),
                "pull_request": { "url": format!("https://api.github.com/repos/{full}/pulls/{number}") },
            },
            "comment": {
                "id": comment_id, "body": body, "user": user(login, is_bot),
                "created_at": now, "updated_at": now,
                "html_url": format!("https://github.com/{full}/pull/{number}#issuecomment-{comment_id}"),
            },
            "repository": self.repository_json(full),
            "installation": { "id": self.installation_id().0 },
            "sender": user(login, is_bot),
        })
        .to_string()
    }
}
