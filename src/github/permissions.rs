//! The App permissions each call needs, kept next to the calls so `app.yml` can be checked against
//! them (a call added without its permission fails that check, not a user's PR).

use std::collections::BTreeMap;

/// Level of access to one permission, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    Read,
    Write,
}

impl Access {
    /// Spelled as in `app.yml` and GitHub's manifest.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
        }
    }
}

/// One call and the permission it requires (`None` for calls made with the App's JWT).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallPermission {
    pub call: &'static str,
    pub permission: Option<(&'static str, Access)>,
}

const fn needs(call: &'static str, permission: &'static str, access: Access) -> CallPermission {
    CallPermission {
        call,
        permission: Some((permission, access)),
    }
}

/// Every call of [`InstallationClient`](super::InstallationClient) and [`GithubApp`](super::GithubApp).
pub const CALL_PERMISSIONS: &[CallPermission] = &[
    needs("get_repo", "metadata", Access::Read),
    needs("get_pull", "pull_requests", Access::Read),
    needs("list_open_pulls", "pull_requests", Access::Read),
    needs("list_pull_files", "pull_requests", Access::Read),
    needs("get_file", "contents", Access::Read),
    needs("create_check_run", "checks", Access::Write),
    needs("update_check_run", "checks", Access::Write),
    needs("list_check_runs_for_ref", "checks", Access::Read),
    needs("list_issue_comments", "issues", Access::Read),
    needs("create_issue_comment", "issues", Access::Write),
    needs("update_issue_comment", "issues", Access::Write),
    needs("add_reaction", "issues", Access::Write),
    needs("request_reviewers", "pull_requests", Access::Write),
    needs("list_requested_reviewers", "pull_requests", Access::Read),
    needs("list_reviews", "pull_requests", Access::Read),
    needs("team_membership", "members", Access::Read),
    needs("collaborator_permission", "metadata", Access::Read),
    needs("list_installation_repos", "metadata", Access::Read),
    needs("pull_changed_files", "pull_requests", Access::Read),
    needs("merge_base", "contents", Access::Read),
    needs("tree", "contents", Access::Read),
    CallPermission {
        call: "list_installations",
        permission: None,
    },
    CallPermission {
        call: "bot_login",
        permission: None,
    },
];

/// The permissions the App must request: for each, the strongest access any call needs.
pub fn required_permissions() -> BTreeMap<&'static str, Access> {
    let mut required = BTreeMap::new();
    for (name, access) in CALL_PERMISSIONS.iter().filter_map(|c| c.permission) {
        let entry = required.entry(name).or_insert(access);
        *entry = (*entry).max(access);
    }
    required
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strongest_access_wins() {
        let required = required_permissions();
        assert_eq!(required.get("checks"), Some(&Access::Write));
        assert_eq!(required.get("pull_requests"), Some(&Access::Write));
        assert_eq!(required.get("contents"), Some(&Access::Read));
        assert_eq!(required.get("members"), Some(&Access::Read));
    }
}
