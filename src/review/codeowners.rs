//! The repository's CODEOWNERS file, read from the default branch, and who it says owns a path.
//!
//! GitHub's rules: the file is the first of `.github/CODEOWNERS`, `CODEOWNERS` and
//! `docs/CODEOWNERS` that exists; each line is a gitignore-style pattern followed by owners;
//! the **last** matching pattern wins, and a pattern without owners leaves its paths unowned.
//! Negation (`!`) and character ranges (`[ ]`) are not supported by GitHub and never match.

use globset::{GlobBuilder, GlobMatcher};

use crate::{
    checker::Mention,
    config::repo::parse_owner,
    domain::RepoName,
    github::{GithubError, InstallationClient},
};

/// Where GitHub looks for the file, in its order.
pub const LOCATIONS: [&str; 3] = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"];

/// A parsed CODEOWNERS file.
#[derive(Debug, Default)]
pub struct Codeowners {
    rules: Vec<Rule>,
}

#[derive(Debug)]
struct Rule {
    matchers: Vec<GlobMatcher>,
    owners: Vec<Mention>,
}

impl Codeowners {
    /// Parses the file; lines whose pattern GitHub would not accept are skipped. Owners that are
    /// e-mail addresses cannot be requested as reviewers and are left out.
    pub fn parse(text: &str) -> Codeowners {
        let rules = text
            .lines()
            .filter_map(|line| {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    return None;
                }
                let mut words = line.split_whitespace();
                let pattern = words.next()?;
                let owners = words
                    .take_while(|w| !w.starts_with('#'))
                    .filter_map(parse_owner)
                    .collect();
                Some(Rule {
                    matchers: matchers(pattern)?,
                    owners,
                })
            })
            .collect();
        Codeowners { rules }
    }

    /// The owners of `path` (a file or a directory, relative to the root, with or without a
    /// trailing `/`): those of the last pattern that matches it.
    pub fn owners_of(&self, path: &str) -> Vec<Mention> {
        let path = path.trim_start_matches('/').trim_end_matches('/');
        self.rules
            .iter()
            .rev()
            .find(|rule| rule.matchers.iter().any(|m| m.is_match(path)))
            .map(|rule| rule.owners.clone())
            .unwrap_or_default()
    }
}

/// The globs of one gitignore-style pattern: a pattern with a `/` before its end is anchored to
/// the root, any other matches at any depth; a match also covers everything beneath it, except
/// for a pattern ending in `*` (`docs/*` owns `docs/a.md`, not `docs/build/b.md`).
fn matchers(pattern: &str) -> Option<Vec<GlobMatcher>> {
    if pattern.starts_with('!') || pattern.contains('[') {
        return None;
    }
    let trimmed = pattern.trim_end_matches('/');
    let anchored = trimmed.contains('/');
    let body = trimmed.trim_start_matches('/');
    if body.is_empty() {
        return None;
    }
    let base = if anchored || body.starts_with("**") {
        body.to_string()
    } else {
        format!("**/{body}")
    };
    let mut globs = vec![base.clone()];
    if !base.ends_with('*') {
        globs.push(format!("{base}/**"));
    }
    globs
        .iter()
        .map(|g| {
            GlobBuilder::new(g)
                .literal_separator(true)
                .build()
                .ok()
                .map(|g| g.compile_matcher())
        })
        .collect()
}

/// The CODEOWNERS file of `repo`'s default branch (the first of [`LOCATIONS`] that exists),
/// all three read at once; an empty one when there is none.
pub async fn load(
    client: &InstallationClient,
    repo: &RepoName,
    default_branch: &str,
) -> Result<Codeowners, GithubError> {
    let read = |path: &'static str| async move {
        match client.get_file(repo, path, default_branch).await {
            Ok(file) => Ok(file),
            Err(GithubError::NotFound | GithubError::TooLarge { .. }) => Ok(None),
            Err(error) => Err(error),
        }
    };
    let (first, second, third) =
        tokio::join!(read(LOCATIONS[0]), read(LOCATIONS[1]), read(LOCATIONS[2]));
    let found = [first?, second?, third?].into_iter().flatten().next();
    Ok(found
        .map(|file| Codeowners::parse(&String::from_utf8_lossy(&file.content)))
        .unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Login, TeamSlug};

    fn names(owners: Vec<Mention>) -> Vec<String> {
        owners
            .into_iter()
            .map(|m| match m {
                Mention::User { login } => login.0,
                Mention::Team { team } => team.to_string(),
            })
            .collect()
    }

    /// The example file of GitHub's documentation ("About code owners").
    const GITHUB_EXAMPLE: &str = r#"
# These owners will be the default owners for everything in
# the repo. Unless a later match takes precedence,
# @global-owner1 and @global-owner2 will be requested for
# review when someone opens a pull request.
*       @global-owner1 @global-owner2

# Order is important; the last matching pattern takes the most
# precedence. When someone opens a pull request that only
# modifies JS files, only @js-owner and not the global
# owner(s) will be requested for a review.
*.js    @js-owner #This is an inline comment.

# You can also use email addresses if you prefer. They'll be
# used to look up users just like we do for commit author
# emails.
*.go docs@example.com

# Teams can be specified as code owners as well. Teams should
# be identified in the format @org/team-name.
*.txt @octo-org/octocats

# In this example, @doctocat owns any files in the build/logs
# directory at the root of the repository and any of its
# subdirectories.
/build/logs/ @doctocat

# The `docs/*` pattern will match files like
# `docs/getting-started.md` but not further nested files like
# `docs/build-app/troubleshooting.md`.
docs/*  docs@example.com

# In this example, @octocat owns any file in an apps directory
# anywhere in your repository.
apps/ @octocat

# In this example, @doctocat owns any file in the `/docs`
# directory in the root of your repository and any of its
# subdirectories.
/docs/ @doctocat

# In this example, any change inside the `/scripts` directory
# will require approval from @doctocat or @octocat.
/scripts/ @doctocat @octocat

# In this example, @octocat owns any file in a `/logs` directory such as
# `/build/logs`, `/scripts/logs`, and `/deeply/nested/logs`. Any changes
# in a `/logs` directory will require approval from @octocat.
**/logs @octocat

# In this example, @octocat owns any file in the `/apps`
# directory in the root of your repository except for the `/apps/github`
# subdirectory, as its owners are left empty. Without an owner, changes
# to `apps/github` can be made with the approval of any user who has
# write access to the repository.
/apps/ @octocat
/apps/github

# In this example, @octocat owns any file in the `/apps`
# directory in the root of your repository except for the `/apps/github`
# subdirectory, as this subdirectory has its own owner @doctocat
/apps/ @octocat
/apps/github @doctocat
"#;

    #[test]
    fn githubs_documented_examples() {
        let file = Codeowners::parse(GITHUB_EXAMPLE);
        let cases: [(&str, &[&str]); 12] = [
            ("README.md", &["global-owner1", "global-owner2"]),
            ("src/app.js", &["js-owner"]),
            // An e-mail owner cannot be requested: the file is left without one.
            ("main.go", &[]),
            ("notes/a.txt", &["octo-org/octocats"]),
            ("build/logs/2024/today.log", &["octocat"]),
            ("deeply/nested/logs/x.rb", &["octocat"]),
            ("docs/build-app/troubleshooting.md", &["doctocat"]),
            ("scripts/deploy.sh", &["doctocat", "octocat"]),
            ("src/apps/web/index.rb", &["octocat"]),
            ("apps/web/index.rb", &["octocat"]),
            ("apps/github/hub.rb", &["doctocat"]),
            ("apps/github/", &["doctocat"]),
        ];
        for (path, owners) in cases {
            assert_eq!(names(file.owners_of(path)), owners.to_vec(), "{path}");
        }
    }

    #[test]
    fn a_pattern_without_owners_unowns_and_the_last_match_wins() {
        let file = Codeowners::parse(
            "/services/ @acme/platform\n/services/payments/ @acme/payments @alice\n/services/legacy/\n",
        );
        assert_eq!(
            file.owners_of("services/payments/"),
            vec![
                Mention::Team {
                    team: TeamSlug::parse("acme/payments").unwrap()
                },
                Mention::User {
                    login: Login("alice".into())
                }
            ]
        );
        assert_eq!(names(file.owners_of("services/ledger/")), ["acme/platform"]);
        assert!(file.owners_of("services/legacy/").is_empty());
        assert!(file.owners_of("web/").is_empty());
        // `docs/*` owns the files directly in docs/, not those further down.
        let file = Codeowners::parse("docs/* @writer\n");
        assert_eq!(names(file.owners_of("docs/a.md")), ["writer"]);
        assert!(file.owners_of("docs/build/b.md").is_empty());
        // Negations and character ranges are not GitHub syntax: never matched.
        let file = Codeowners::parse("* @all\n!secret @nobody\n[ab].md @nobody\n");
        assert_eq!(names(file.owners_of("secret")), ["all"]);
    }
}
