//! Finds the design docs a pull request adds or changes and checks each against its template.
//!
//! Content is read at the PR's head SHA; facts keyed by a commit SHA never change, so they are
//! cached and a re-evaluation of the same head costs no file reads.

use std::sync::Arc;

use futures_util::{StreamExt, TryStreamExt, future::BoxFuture, stream};
use quick_cache::sync::Cache;

use std::collections::HashMap;

use crate::{
    checker::{self, DocReport, Template},
    config::repo::RepoConfig,
    domain::{CommitSha, PrRef, RepoName},
    github::{
        GithubError, InstallationClient,
        models::{FileStatus, PullFile, Tree},
    },
};

use super::repo_config::{self, CONFIG_PATH, ConfigProblem};

/// What happened to one design doc of the PR.
#[derive(Debug, Clone)]
pub struct DocOutcome {
    pub path: String,
    /// Built-in template name or repository path.
    pub template: String,
    /// Blob SHA at the head (equal SHAs mean equal content).
    pub blob_sha: String,
    pub result: DocResult,
    /// The line of the doc's "Services Affected" heading (1 when it has none): where a warning
    /// about a service it lists goes.
    pub services_line: usize,
}

/// The check's result, or why the doc could not be checked (shown as an error on the PR).
#[derive(Debug, Clone)]
pub enum DocResult {
    Checked(DocReport),
    Unreadable(String),
}

impl DocOutcome {
    /// True when the doc has no error-severity gap.
    pub fn passes(&self) -> bool {
        matches!(&self.result, DocResult::Checked(report) if report.passes())
    }
}

/// A file's content at a commit, as far as we are willing to read it.
#[derive(Debug, Clone)]
pub enum Fetched {
    Text { blob_sha: String, text: Arc<str> },
    Unreadable { blob_sha: String, reason: String },
    Missing,
}

/// GitHub's files list of a pull request stops at this many files.
pub const MAX_LISTED_FILES: usize = 3_000;

/// The changed files of a pull request, and whether they are all of them.
#[derive(Debug, Clone)]
pub struct PullFiles {
    pub files: Vec<PullFile>,
    /// Set when `files` is only part of the PR's changes: GitHub listed `listed` of its
    /// `changed` files and the rest could not be found another way.
    pub partial: Option<Partial>,
}

/// A files list GitHub cut short.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partial {
    pub listed: usize,
    pub changed: u64,
}

/// Caches of facts that are fixed by a commit SHA, so they never need revalidating; bounded,
/// the least useful entries are evicted first.
pub struct DocCaches {
    /// (repo, PR, base branch, head SHA): retargeting a PR at another base changes its files.
    files: Cache<(String, u64, String, String), Arc<PullFiles>>,
    contents: Cache<(String, String, String), Fetched>,
}

impl Default for DocCaches {
    fn default() -> Self {
        Self {
            files: Cache::new(256),
            contents: Cache::new(1024),
        }
    }
}

impl DocCaches {
    /// The PR's changed files at `head` against the base branch `base`. The same head compared
    /// with another base has other files, so both are part of the cache key.
    ///
    /// GitHub's list stops at 3,000 files: when it is that long and the PR's `changed_files`
    /// says there are more, the changes are found by comparing the trees of the head and the
    /// merge base instead; if even that fails, the result says it is [`Partial`].
    pub async fn pull_files(
        &self,
        client: &InstallationClient,
        pr: &PrRef,
        base: &str,
        head: &CommitSha,
    ) -> Result<Arc<PullFiles>, GithubError> {
        let key = (
            pr.repo.to_string(),
            pr.number.0,
            base.to_string(),
            head.0.clone(),
        );
        if let Some(files) = self.files.get(&key) {
            return Ok(files);
        }
        let listed = client.list_pull_files(&pr.repo, pr.number).await?;
        let files = Arc::new(complete_files(client, pr, base, head, listed).await?);
        self.files.insert(key, files.clone());
        Ok(files)
    }

    /// A file's text at a commit: over 1 MiB or not UTF-8 is reported, never read whole.
    pub async fn file_at(
        &self,
        client: &InstallationClient,
        repo: &RepoName,
        path: &str,
        commit: &CommitSha,
    ) -> Result<Fetched, GithubError> {
        let key = (repo.to_string(), path.to_string(), commit.0.clone());
        if let Some(fetched) = self.contents.get(&key) {
            return Ok(fetched);
        }
        let fetched = match client.get_file(repo, path, &commit.0).await {
            Ok(Some(file)) => match String::from_utf8(file.content) {
                Ok(text) => Fetched::Text {
                    blob_sha: file.sha,
                    text: text.into(),
                },
                Err(_) => Fetched::Unreadable {
                    blob_sha: file.sha,
                    reason: "the file is not UTF-8 text (binary?), so it cannot be checked"
                        .to_string(),
                },
            },
            Ok(None) => Fetched::Missing,
            Err(GithubError::TooLarge { size, limit }) => Fetched::Unreadable {
                blob_sha: String::new(),
                reason: format!(
                    "the file is {size} bytes; design docs over {limit} bytes are not checked"
                ),
            },
            Err(error) => return Err(error),
        };
        self.contents.insert(key, fetched.clone());
        Ok(fetched)
    }
}

/// `listed` (GitHub's files list), or when GitHub cut it short, every change found by comparing
/// trees, or `listed` marked [`Partial`].
async fn complete_files(
    client: &InstallationClient,
    pr: &PrRef,
    base: &str,
    head: &CommitSha,
    listed: Vec<PullFile>,
) -> Result<PullFiles, GithubError> {
    if listed.len() < MAX_LISTED_FILES {
        return Ok(PullFiles {
            files: listed,
            partial: None,
        });
    }
    let changed = client.pull_changed_files(&pr.repo, pr.number).await?;
    if changed <= listed.len() as u64 {
        return Ok(PullFiles {
            files: listed,
            partial: None,
        });
    }
    match changes_between_trees(client, &pr.repo, base, head).await {
        Ok(Some(files)) => {
            tracing::info!(
                listed = listed.len(),
                changed,
                found = files.len(),
                "the files list is cut short: changes found by comparing trees"
            );
            Ok(PullFiles {
                files,
                partial: None,
            })
        }
        Ok(None) | Err(GithubError::NotFound) => {
            tracing::warn!(
                listed = listed.len(),
                changed,
                "the files list is cut short and the trees could not be compared"
            );
            Ok(PullFiles {
                partial: Some(Partial {
                    listed: listed.len(),
                    changed,
                }),
                files: listed,
            })
        }
        Err(error) => Err(error),
    }
}

/// The files that differ between the merge base of `base` and `head` and `head`, as the files
/// list would show them; `None` when GitHub cut a tree short.
async fn changes_between_trees(
    client: &InstallationClient,
    repo: &RepoName,
    base: &str,
    head: &CommitSha,
) -> Result<Option<Vec<PullFile>>, GithubError> {
    let merge_base = client.merge_base(repo, base, head).await?;
    let before = client.tree(repo, &merge_base).await?;
    let after = client.tree(repo, head).await?;
    if before.truncated || after.truncated {
        return Ok(None);
    }
    Ok(Some(tree_changes(&before, &after)))
}

/// What changed from `before` to `after`: added and modified files (in path order), then
/// removed ones. Renames show as a removal and an addition.
pub fn tree_changes(before: &Tree, after: &Tree) -> Vec<PullFile> {
    let old: HashMap<&str, &str> = before
        .entries
        .iter()
        .map(|e| (e.path.as_str(), e.sha.as_str()))
        .collect();
    let new: HashMap<&str, &str> = after
        .entries
        .iter()
        .map(|e| (e.path.as_str(), e.sha.as_str()))
        .collect();
    let mut changes: Vec<PullFile> = after
        .entries
        .iter()
        .filter_map(|e| {
            let status = match old.get(e.path.as_str()) {
                None => FileStatus::Added,
                Some(sha) if *sha != e.sha => FileStatus::Modified,
                Some(_) => return None,
            };
            Some(PullFile {
                filename: e.path.clone(),
                status,
                previous_filename: None,
                sha: e.sha.clone(),
            })
        })
        .collect();
    changes.extend(
        before
            .entries
            .iter()
            .filter(|e| !new.contains_key(e.path.as_str()))
            .map(|e| PullFile {
                filename: e.path.clone(),
                status: FileStatus::Removed,
                previous_filename: None,
                sha: String::new(),
            }),
    );
    changes.sort_by(|a, b| a.filename.cmp(&b.filename));
    changes
}

/// Files of the PR that count as design docs: added, modified, renamed or copied (never removed)
/// and matching the configured globs; with the template that applies.
pub fn design_docs<'a>(
    config: &RepoConfig,
    files: &'a [PullFile],
) -> Result<Vec<(&'a PullFile, String)>, crate::config::repo::ConfigError> {
    let matcher = config.matcher()?;
    Ok(files
        .iter()
        .filter(|f| {
            matches!(
                f.status,
                FileStatus::Added
                    | FileStatus::Modified
                    | FileStatus::Renamed
                    | FileStatus::Copied
                    | FileStatus::Changed
            )
        })
        .filter_map(|f| {
            matcher
                .template_for(&f.filename)
                .map(|t| (f, t.to_string()))
        })
        .collect())
}

/// How many files are read at once.
const CONCURRENT_READS: usize = 8;

/// The outcome of one doc from its content and its template.
fn outcome(
    file: &PullFile,
    template_name: &str,
    template: Option<&Result<Template, String>>,
    fetched: Fetched,
) -> DocOutcome {
    let mut services_line = 1;
    let (blob_sha, result) = match (fetched, template) {
        (Fetched::Text { blob_sha, text }, Some(Ok(template))) => {
            services_line = heading_line(&text, "services affected").unwrap_or(1);
            (
                blob_sha,
                DocResult::Checked(checker::check(&text, template)),
            )
        }
        (Fetched::Text { blob_sha, .. }, _) => (
            blob_sha,
            DocResult::Unreadable(format!(
                "its template `{template_name}` could not be loaded"
            )),
        ),
        (Fetched::Unreadable { blob_sha, reason }, _) => (blob_sha, DocResult::Unreadable(reason)),
        // Listed as changed but absent at the head: never a pass.
        (Fetched::Missing, _) => (
            file.sha.clone(),
            DocResult::Unreadable(
                "could not read the file: GitHub answered 404 Not Found for it at the head commit"
                    .to_string(),
            ),
        ),
    };
    DocOutcome {
        path: file.filename.clone(),
        template: template_name.to_string(),
        blob_sha,
        result,
        services_line,
    }
}

/// The 1-based line of the first Markdown heading whose text is `title` (any level, any case).
fn heading_line(text: &str, title: &str) -> Option<usize> {
    text.lines()
        .position(|line| {
            let line = line.trim_start();
            line.starts_with('#')
                && line
                    .trim_start_matches('#')
                    .trim()
                    .eq_ignore_ascii_case(title)
        })
        .map(|i| i + 1)
}

/// Everything needed to check the docs of one PR.
pub struct DocCheck<'a> {
    pub client: &'a InstallationClient,
    pub caches: &'a DocCaches,
    pub repo: &'a RepoName,
    pub head: &'a CommitSha,
    pub default_branch: &'a str,
    pub config: &'a RepoConfig,
}

impl DocCheck<'_> {
    /// Checks every design doc; a template that cannot be loaded is a configuration problem.
    ///
    /// The templates and the docs' contents are read side by side (a few at a time, as GitHub
    /// asks of integrations), so the whole check waits for about one round trip.
    pub async fn run(
        &self,
        docs: &[(&PullFile, String)],
    ) -> Result<(Vec<DocOutcome>, Vec<ConfigProblem>), GithubError> {
        let mut names: Vec<&str> = Vec::new();
        for (_, name) in docs {
            if !names.contains(&name.as_str()) {
                names.push(name);
            }
        }
        // Boxed so that the futures' lifetimes are plain (combinators over closures borrowing
        // them do not prove `Send` for the queue's handler).
        let mut template_reads: Vec<BoxFuture<'_, Result<Result<Template, String>, GithubError>>> =
            Vec::new();
        for name in &names {
            template_reads.push(Box::pin(self.template(name)));
        }
        let mut content_reads: Vec<BoxFuture<'_, Result<Fetched, GithubError>>> = Vec::new();
        for (file, _) in docs {
            content_reads.push(Box::pin(self.content(file)));
        }
        let templates = stream::iter(template_reads)
            .buffered(CONCURRENT_READS)
            .try_collect::<Vec<_>>();
        let contents = stream::iter(content_reads)
            .buffered(CONCURRENT_READS)
            .try_collect::<Vec<_>>();
        let (templates, contents) = futures_util::try_join!(templates, contents)?;
        let problems = names
            .iter()
            .zip(&templates)
            .filter_map(|(name, loaded)| {
                let message = loaded.as_ref().err()?;
                Some(ConfigProblem {
                    file: format!("template {name}"),
                    error: crate::config::repo::ConfigError {
                        line: None,
                        column: None,
                        message: message.clone(),
                    },
                })
            })
            .collect();
        let outcomes = docs
            .iter()
            .zip(contents)
            .map(|((file, template_name), fetched)| {
                let template = names
                    .iter()
                    .position(|n| n == template_name)
                    .map(|i| &templates[i]);
                outcome(file, template_name, template, fetched)
            })
            .collect();
        Ok((outcomes, problems))
    }

    /// A doc's content at the head; a refusal or an answer we cannot use is the doc's gap, a
    /// failure that may go away (5xx, rate limit, credentials) fails the attempt.
    async fn content(&self, file: &PullFile) -> Result<Fetched, GithubError> {
        match self
            .caches
            .file_at(self.client, self.repo, &file.filename, self.head)
            .await
        {
            Ok(fetched) => Ok(fetched),
            Err(GithubError::Forbidden(message) | GithubError::Other(message)) => {
                Ok(Fetched::Unreadable {
                    blob_sha: file.sha.clone(),
                    reason: format!("could not read the file: {message}"),
                })
            }
            Err(error) => Err(error),
        }
    }

    /// A built-in template by name, or a template file read from the default branch.
    pub async fn template(&self, name: &str) -> Result<Result<Template, String>, GithubError> {
        let rules = self.config.rules_for(name);
        if let Some(parsed) = checker::builtin(name, &rules) {
            return Ok(parsed.map_err(|e| e.to_string()));
        }
        let text = match self
            .client
            .get_file(self.repo, name, self.default_branch)
            .await
        {
            Ok(Some(file)) => match String::from_utf8(file.content) {
                Ok(text) => text,
                Err(_) => return Ok(Err(format!("template file `{name}` is not UTF-8 text"))),
            },
            Ok(None) | Err(GithubError::NotFound) => {
                return Ok(Err(format!(
                    "template `{name}` is neither a built-in template ({}) nor a file on the default branch",
                    checker::builtin_names().join(", ")
                )));
            }
            Err(GithubError::TooLarge { size, .. }) => {
                return Ok(Err(format!(
                    "template file `{name}` is {size} bytes, too large"
                )));
            }
            Err(error) => return Err(error),
        };
        Ok(Template::parse(name, &text, &rules).map_err(|e| e.to_string()))
    }
}

impl DocCheck<'_> {
    /// Validates configuration and template files that the PR itself changes: they do not apply
    /// to this PR (the default branch's do), but their errors are shown so that a broken config
    /// never reaches the default branch unnoticed.
    pub async fn changed_config_problems(
        &self,
        files: &[PullFile],
    ) -> Result<Vec<ConfigProblem>, GithubError> {
        let (client, caches, repo, head) = (self.client, self.caches, self.repo, self.head);
        let base_config = self.config;
        let mut problems = Vec::new();
        let changed = |path: &str| {
            files
                .iter()
                .any(|f| f.filename == path && f.status != FileStatus::Removed)
        };
        let mut head_config = None;
        if changed(CONFIG_PATH) {
            match caches.file_at(client, repo, CONFIG_PATH, head).await? {
                Fetched::Text { text, .. } => match repo_config::parse_bytes(text.as_bytes()) {
                    Ok(config) => head_config = Some(config),
                    Err(error) => problems.push(ConfigProblem {
                        file: format!("{CONFIG_PATH} (changed in this pull request)"),
                        error,
                    }),
                },
                Fetched::Unreadable { reason, .. } => problems.push(ConfigProblem {
                    file: format!("{CONFIG_PATH} (changed in this pull request)"),
                    error: crate::config::repo::ConfigError {
                        line: None,
                        column: None,
                        message: reason,
                    },
                }),
                Fetched::Missing => {}
            }
        }
        // Template files named by either configuration and changed here must still parse.
        let mut template_paths: Vec<(String, crate::checker::TemplateRules)> = Vec::new();
        for config in std::iter::once(base_config).chain(head_config.as_ref()) {
            for rule in config.docs() {
                if checker::builtin_template(&rule.template).is_none()
                    && changed(&rule.template)
                    && !template_paths.iter().any(|(p, _)| p == &rule.template)
                {
                    template_paths.push((rule.template.clone(), config.rules_for(&rule.template)));
                }
            }
        }
        for (path, rules) in template_paths {
            if let Fetched::Text { text, .. } = caches.file_at(client, repo, &path, head).await?
                && let Err(error) = Template::parse(&path, &text, &rules)
            {
                problems.push(ConfigProblem {
                    file: format!("{path} (changed in this pull request)"),
                    error: crate::config::repo::ConfigError {
                        line: None,
                        column: None,
                        message: error.to_string(),
                    },
                });
            }
        }
        Ok(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::github::models::TreeEntry;

    fn tree(entries: &[(&str, &str)]) -> Tree {
        Tree {
            entries: entries
                .iter()
                .map(|(path, sha)| TreeEntry {
                    path: path.to_string(),
                    sha: sha.to_string(),
                })
                .collect(),
            truncated: false,
        }
    }

    #[test]
    fn tree_changes_are_what_the_files_list_would_show() {
        let before = tree(&[("a.md", "1"), ("b.md", "2"), ("gone.md", "3")]);
        let after = tree(&[("a.md", "1"), ("b.md", "9"), ("new.md", "4")]);
        let changes: Vec<(String, FileStatus, String)> = tree_changes(&before, &after)
            .into_iter()
            .map(|f| (f.filename, f.status, f.sha))
            .collect();
        assert_eq!(
            changes,
            vec![
                ("b.md".into(), FileStatus::Modified, "9".into()),
                ("gone.md".into(), FileStatus::Removed, String::new()),
                ("new.md".into(), FileStatus::Added, "4".into()),
            ]
        );
    }
}
