//! Handles that set up a scenario in a few lines. Each call changes the fake's state at once, so a
//! handle can also change a scenario mid-test (a push: `gh.pull(..).head_sha("def").file(..)`).

use std::sync::Arc;

use chrono::Utc;

use super::Shared;
use super::state::{Blob, PullFile, ReviewRecord};

/// Setup of one repository.
pub struct RepoHandle {
    shared: Arc<Shared>,
    repo: String,
}

impl RepoHandle {
    pub(crate) fn new(shared: Arc<Shared>, repo: &str) -> Self {
        Self {
            shared,
            repo: repo.to_string(),
        }
    }

    pub fn default_branch(&self, branch: &str) -> &Self {
        self.shared.lock().repo_mut(&self.repo).default_branch = branch.to_string();
        self
    }

    /// A file at `git_ref` (a branch name or a commit SHA).
    pub fn file(&self, git_ref: &str, path: &str, content: impl Into<Vec<u8>>) -> &Self {
        self.shared
            .lock()
            .repo_mut(&self.repo)
            .files
            .insert((git_ref.to_string(), path.to_string()), Blob::new(content));
        self
    }

    pub fn remove_file(&self, git_ref: &str, path: &str) -> &Self {
        self.shared
            .lock()
            .repo_mut(&self.repo)
            .files
            .remove(&(git_ref.to_string(), path.to_string()));
        self
    }

    /// Gives `login` a role: `admin`, `maintain`, `write`, `triage` or `read`.
    pub fn permission(&self, login: &str, role: &str) -> &Self {
        self.shared
            .lock()
            .repo_mut(&self.repo)
            .permissions
            .insert(login.to_lowercase(), role.to_string());
        self
    }

    /// GitHub will refuse `login` as a reviewer (422: not a collaborator).
    pub fn non_collaborator(&self, login: &str) -> &Self {
        self.shared
            .lock()
            .repo_mut(&self.repo)
            .non_collaborators
            .insert(login.to_lowercase());
        self
    }
}

/// Setup of one pull request.
pub struct PullHandle {
    shared: Arc<Shared>,
    repo: String,
    number: u64,
}

impl PullHandle {
    pub(crate) fn new(shared: Arc<Shared>, repo: &str, number: u64) -> Self {
        Self {
            shared,
            repo: repo.to_string(),
            number,
        }
    }

    fn edit(&self, change: impl FnOnce(&mut super::state::Pull)) -> &Self {
        let mut state = self.shared.lock();
        change(state.pull_mut(&self.repo, self.number));
        self
    }

    pub fn author(&self, login: &str) -> &Self {
        self.edit(|p| p.author = login.to_string())
    }

    pub fn title(&self, title: &str) -> &Self {
        self.edit(|p| p.title = title.to_string())
    }

    pub fn head_ref(&self, branch: &str) -> &Self {
        self.edit(|p| p.head_ref = branch.to_string())
    }

    pub fn base_ref(&self, branch: &str) -> &Self {
        self.edit(|p| p.base_ref = branch.to_string())
    }

    pub fn draft(&self, draft: bool) -> &Self {
        self.edit(|p| p.draft = draft)
    }

    /// `open` or `closed`.
    pub fn state(&self, state: &str) -> &Self {
        self.edit(|p| p.state = state.to_string())
    }

    /// Moves the head to `sha` (a push). The PR's files keep their content at the new head until
    /// changed with [`file`](Self::file); content at the old head stays readable.
    pub fn head_sha(&self, sha: &str) -> &Self {
        let mut state = self.shared.lock();
        let pull = state.pull_mut(&self.repo, self.number);
        let old = std::mem::replace(&mut pull.head_sha, sha.to_string());
        let paths: Vec<String> = pull.files.iter().map(|f| f.filename.clone()).collect();
        let repo = state.repo_mut(&self.repo);
        for path in paths {
            if let Some(blob) = repo.files.get(&(old.clone(), path.clone())).cloned() {
                repo.files.insert((sha.to_string(), path), blob);
            }
        }
        self
    }

    /// A file changed by the PR with `status` (`added`, `modified`, `renamed`, `removed`, ...),
    /// readable at the head SHA (except removed files).
    pub fn file(&self, path: &str, status: &str, content: impl Into<Vec<u8>>) -> &Self {
        self.change(path, status, None, Some(Blob::new(content)))
    }

    /// A file the PR deletes.
    pub fn removed_file(&self, path: &str) -> &Self {
        self.change(path, "removed", None, None)
    }

    /// A file the PR renames from `previous`.
    pub fn renamed_file(&self, previous: &str, path: &str, content: impl Into<Vec<u8>>) -> &Self {
        self.change(path, "renamed", Some(previous), Some(Blob::new(content)))
    }

    /// `count` modified files named by `name(i)`, e.g. a 3,000-file PR (content not readable).
    pub fn many_files(&self, count: usize, name: impl Fn(usize) -> String) -> &Self {
        self.edit(|p| {
            p.files.extend((0..count).map(|i| PullFile {
                filename: name(i),
                status: "modified".into(),
                previous_filename: None,
                sha: format!("{i:040x}"),
            }))
        })
    }

    fn change(
        &self,
        path: &str,
        status: &str,
        previous: Option<&str>,
        blob: Option<Blob>,
    ) -> &Self {
        let mut state = self.shared.lock();
        let pull = state.pull_mut(&self.repo, self.number);
        let head = pull.head_sha.clone();
        let entry = PullFile {
            filename: path.to_string(),
            status: status.to_string(),
            previous_filename: previous.map(str::to_string),
            sha: blob.as_ref().map(|b| b.sha.clone()).unwrap_or_default(),
        };
        match pull.files.iter_mut().find(|f| f.filename == path) {
            Some(existing) => *existing = entry,
            None => pull.files.push(entry),
        }
        let repo = state.repo_mut(&self.repo);
        match blob {
            Some(blob) => {
                repo.files.insert((head, path.to_string()), blob);
            }
            None => {
                repo.files.remove(&(head, path.to_string()));
            }
        }
        self
    }

    /// A review by `login` on the current head (`APPROVED`, `CHANGES_REQUESTED`, `COMMENTED`,
    /// `DISMISSED`); like GitHub, it clears `login`'s pending review request. Returns the review id.
    pub fn review(&self, login: &str, review_state: &str) -> u64 {
        let head = self
            .shared
            .lock()
            .pull_mut(&self.repo, self.number)
            .head_sha
            .clone();
        self.review_on(login, review_state, &head)
    }

    /// A review by `login` given on commit `sha`.
    pub fn review_on(&self, login: &str, review_state: &str, sha: &str) -> u64 {
        let mut state = self.shared.lock();
        let id = state.next_id();
        state.reviews.push(ReviewRecord {
            id,
            repo: self.repo.clone(),
            pr: self.number,
            author: login.to_string(),
            state: review_state.to_string(),
            commit_id: sha.to_string(),
            submitted_at: Utc::now(),
        });
        state
            .pull_mut(&self.repo, self.number)
            .requested_users
            .retain(|u| !u.eq_ignore_ascii_case(login));
        id
    }

    /// Marks the review `id` as dismissed.
    pub fn dismiss_review(&self, id: u64) -> &Self {
        let mut state = self.shared.lock();
        if let Some(review) = state.reviews.iter_mut().find(|r| r.id == id) {
            review.state = "DISMISSED".into();
        }
        self
    }

    /// A review already requested from `login` (before the App ran).
    pub fn requested_user(&self, login: &str) -> &Self {
        self.edit(|p| p.requested_users.push(login.to_string()))
    }

    /// A review already requested from team `slug`.
    pub fn requested_team(&self, slug: &str) -> &Self {
        self.edit(|p| p.requested_teams.push(slug.to_string()))
    }
}
