//! App authentication and the one client through which every GitHub API call goes.
