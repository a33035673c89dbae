#!/usr/bin/env python3
"""Writes a `pull_request.synchronize` delivery shaped like GitHub's own (the same objects and
URL fields, compact JSON as GitHub sends it, about 20 KB), for the load scripts. The body is
varied prose, so the payload compresses like a real one rather than like repeated text.

    scripts/pr-payload.py OUT.json

benches/fixtures/pull_request.json is its output, for the in-process bench (benches/intake.rs).
"""
import json
import random
import sys

API = "https://api.github.com"
rng = random.Random(7)


def user(login, uid):
    u = f"{API}/users/{login}"
    return {
        "login": login, "id": uid, "node_id": f"MDQ6VXNlcj{uid}",
        "avatar_url": f"https://avatars.githubusercontent.com/u/{uid}?v=4", "gravatar_id": "",
        "url": u, "html_url": f"https://github.com/{login}",
        "followers_url": f"{u}/followers", "following_url": f"{u}/following{{/other_user}}",
        "gists_url": f"{u}/gists{{/gist_id}}", "starred_url": f"{u}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{u}/subscriptions", "organizations_url": f"{u}/orgs",
        "repos_url": f"{u}/repos", "events_url": f"{u}/events{{/privacy}}",
        "received_events_url": f"{u}/received_events", "type": "User",
        "user_view_type": "public", "site_admin": False,
    }


def repo(owner, name, rid):
    r = f"{API}/repos/{owner}/{name}"
    templated = {
        "keys": "keys{/key_id}", "collaborators": "collaborators{/collaborator}",
        "issue_events": "issues/events{/number}", "assignees": "assignees{/user}",
        "branches": "branches{/branch}", "blobs": "git/blobs{/sha}", "git_tags": "git/tags{/sha}",
        "git_refs": "git/refs{/sha}", "trees": "git/trees{/sha}", "statuses": "statuses/{sha}",
        "stargazers": "stargazers", "contributors": "contributors", "subscribers": "subscribers",
        "subscription": "subscription", "commits": "commits{/sha}", "git_commits": "git/commits{/sha}",
        "comments": "comments{/number}", "issue_comment": "issues/comments{/number}",
        "contents": "contents/{+path}", "compare": "compare/{base}...{head}", "merges": "merges",
        "archive": "{archive_format}{/ref}", "downloads": "downloads", "issues": "issues{/number}",
        "pulls": "pulls{/number}", "milestones": "milestones{/number}",
        "notifications": "notifications{?since,all,participating}", "labels": "labels{/name}",
        "releases": "releases{/id}", "deployments": "deployments", "forks": "forks",
        "events": "events", "hooks": "hooks", "languages": "languages", "tags": "tags",
        "teams": "teams", "trees_url": "git/trees{/sha}",
    }
    out = {
        "id": rid, "node_id": f"R_kgDO{rid}", "name": name, "full_name": f"{owner}/{name}",
        "private": True, "owner": user(owner, 9000 + rid % 100),
        "html_url": f"https://github.com/{owner}/{name}",
        "description": "Widgets and the ledger that bills them", "fork": False, "url": r,
    }
    for key, path in templated.items():
        out[key if key.endswith("_url") else f"{key}_url"] = f"{r}/{path}"
    out.update({
        "created_at": "2021-03-04T10:11:12Z", "updated_at": "2026-11-20T08:09:10Z",
        "pushed_at": "2026-11-21T17:18:19Z", "git_url": f"git://github.com/{owner}/{name}.git",
        "ssh_url": f"git@github.com:{owner}/{name}.git", "clone_url": f"https://github.com/{owner}/{name}.git",
        "svn_url": f"https://github.com/{owner}/{name}", "homepage": None, "size": 48213,
        "stargazers_count": 12, "watchers_count": 12, "language": "Rust", "has_issues": True,
        "has_projects": False, "has_downloads": True, "has_wiki": False, "has_pages": False,
        "has_discussions": False, "forks_count": 3, "mirror_url": None, "archived": False,
        "disabled": False, "open_issues_count": 41, "license": None, "allow_forking": False,
        "is_template": False, "web_commit_signoff_required": False, "topics": ["billing", "ledger"],
        "visibility": "private", "forks": 3, "open_issues": 41, "watchers": 12,
        "default_branch": "main", "allow_squash_merge": True, "allow_merge_commit": False,
        "allow_rebase_merge": False, "allow_auto_merge": True, "delete_branch_on_merge": True,
        "allow_update_branch": True, "use_squash_pr_title_as_default": True,
        "squash_merge_commit_message": "PR_BODY", "squash_merge_commit_title": "PR_TITLE",
        "merge_commit_message": "PR_TITLE", "merge_commit_title": "MERGE_MESSAGE",
    })
    return out


WORDS = ("ledger export invoice retries idempotent batch worker queue tenant schema migration "
         "rollout metric alert owner review latency budget partition replica snapshot cursor "
         "webhook signature payload backfill reconcile currency rounding audit report nightly "
         "the a of to and in for with on we will is be this that it by from as are").split()
body = " ".join(rng.choice(WORDS) for _ in range(120))

sha = lambda: "".join(rng.choice("0123456789abcdef") for _ in range(40))
alice = user("alice", 1001)
widgets = repo("acme", "widgets", 4242)
pr = f"{API}/repos/acme/widgets/pulls/7"
issue = f"{API}/repos/acme/widgets/issues/7"
head, base = sha(), sha()
payload = {
    "action": "synchronize", "number": 7, "before": sha(), "after": head,
    "pull_request": {
        "url": pr, "id": 1987654321, "node_id": "PR_kwDOAbCdEf5ndH8x",
        "html_url": "https://github.com/acme/widgets/pull/7",
        "diff_url": "https://github.com/acme/widgets/pull/7.diff",
        "patch_url": "https://github.com/acme/widgets/pull/7.patch", "issue_url": issue,
        "number": 7, "state": "open", "locked": False, "title": "Design: ledger export v2",
        "user": alice, "body": body, "created_at": "2026-11-20T09:00:00Z",
        "updated_at": "2026-11-21T17:18:19Z", "closed_at": None, "merged_at": None,
        "merge_commit_sha": sha(), "assignee": None, "assignees": [], "requested_reviewers": [],
        "requested_teams": [], "labels": [], "milestone": None, "draft": False,
        "commits_url": f"{pr}/commits", "review_comments_url": f"{pr}/comments",
        "review_comment_url": f"{API}/repos/acme/widgets/pulls/comments{{/number}}",
        "comments_url": f"{issue}/comments", "statuses_url": f"{API}/repos/acme/widgets/statuses/{head}",
        "head": {"label": "acme:ledger-export", "ref": "ledger-export", "sha": head, "user": alice, "repo": widgets},
        "base": {"label": "acme:main", "ref": "main", "sha": base, "user": widgets["owner"], "repo": widgets},
        "_links": {k: {"href": v} for k, v in {
            "self": pr, "html": "https://github.com/acme/widgets/pull/7", "issue": issue,
            "comments": f"{issue}/comments", "review_comments": f"{pr}/comments",
            "review_comment": f"{API}/repos/acme/widgets/pulls/comments{{/number}}",
            "commits": f"{pr}/commits", "statuses": f"{API}/repos/acme/widgets/statuses/{head}"}.items()},
        "author_association": "MEMBER", "auto_merge": None, "active_lock_reason": None,
        "merged": False, "mergeable": None, "rebaseable": None, "mergeable_state": "unknown",
        "merged_by": None, "comments": 3, "review_comments": 5, "maintainer_can_modify": False,
        "commits": 4, "additions": 212, "deletions": 17, "changed_files": 3,
    },
    "repository": widgets,
    "organization": {"login": "acme", "id": 9042, "node_id": "O_kgDOAbCd", "url": f"{API}/orgs/acme",
                     "repos_url": f"{API}/orgs/acme/repos", "events_url": f"{API}/orgs/acme/events",
                     "hooks_url": f"{API}/orgs/acme/hooks", "issues_url": f"{API}/orgs/acme/issues",
                     "members_url": f"{API}/orgs/acme/members{{/member}}",
                     "public_members_url": f"{API}/orgs/acme/public_members{{/member}}",
                     "avatar_url": "https://avatars.githubusercontent.com/u/9042?v=4", "description": ""},
    "sender": alice,
    "installation": {"id": 1, "node_id": "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ=="},
}
with open(sys.argv[1], "w") as out:
    json.dump(payload, out, separators=(",", ":"))
