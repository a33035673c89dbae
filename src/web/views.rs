//! The pages as pure functions from what the store found to HTML (maud escapes every value).

use chrono::{DateTime, Utc};
use maud::{DOCTYPE, Markup, html};

use crate::store::{
    AuditEntry,
    reviews::{ReviewPage, ReviewState, ReviewSummary, ReviewView},
};

/// Who is looking, for the page header.
pub struct Viewer<'a> {
    pub login: &'a str,
}

/// A page around `body`.
pub fn layout(title: &str, viewer: Option<&Viewer>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · design-review" }
                link rel="stylesheet" href="/static/dashboard.css";
            }
            body {
                header {
                    a href="/reviews" { "Design reviews" }
                    a href="/audit" { "Audit" }
                    a href="/trends" { "Trends" }
                    @if let Some(viewer) = viewer {
                        span.who { "@" (viewer.login) }
                        form method="post" action="/signout" { button type="submit" { "Sign out" } }
                    }
                }
                main { (body) }
            }
        }
    }
}

/// `gaps` -> "Gaps to fix".
pub fn state_label(state: ReviewState) -> &'static str {
    match state {
        ReviewState::Gaps => "Gaps to fix",
        ReviewState::Awaiting => "Awaiting approval",
        ReviewState::Approved => "Approved",
        ReviewState::Skipped => "Skipped",
        ReviewState::NoDocs => "No design docs",
        ReviewState::Invalid => "Invalid configuration",
    }
}

fn state_badge(state: ReviewState) -> Markup {
    html! { span class=(format!("state {}", state.as_str())) { (state_label(state)) } }
}

/// `3 d 4 h`, `5 h 10 min`, `12 min`, `now`.
pub fn duration(from: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let minutes = (now - from).num_minutes().max(0);
    let (days, hours, mins) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    match (days, hours, mins) {
        (0, 0, 0) => "now".to_string(),
        (0, 0, m) => format!("{m} min"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// The details page's path of a pull request.
pub fn details_path(repo: &str, number: impl std::fmt::Display) -> String {
    format!("/reviews/{repo}/{number}")
}

/// Why the check is in its state, in one sentence.
pub fn why(view: &ReviewView, now: DateTime<Utc>) -> String {
    let summary = &view.summary;
    let reason = summary.reason.trim_end_matches('.');
    match summary.state {
        ReviewState::Gaps => format!("The check fails: {reason}."),
        ReviewState::Invalid => format!("The check fails: {reason}."),
        ReviewState::Awaiting => match summary.awaited.first() {
            Some(oldest) => format!(
                "The check is pending: {reason}; {} has been waited on for {}.",
                oldest.reviewer,
                duration(oldest.since, now)
            ),
            None => format!("The check is pending: {reason}."),
        },
        ReviewState::Skipped => match &view.detail.skip {
            Some(skip) => format!(
                "The check passes because @{} skipped the design review: {}.",
                skip.by,
                skip.reason.trim_end_matches('.')
            ),
            None => format!("The check passes: {reason}."),
        },
        ReviewState::Approved => {
            "The check passes: every design doc is complete and approved.".to_string()
        }
        ReviewState::NoDocs => {
            "The check passes: this pull request has no design documents.".to_string()
        }
    }
}

/// What the board's links keep of the current filters.
pub struct BoardLinks {
    /// The query string without `state` and `page`, e.g. `repo=acme%2Fa&sort=waiting`.
    pub base: String,
    pub state: Option<ReviewState>,
    pub page: i64,
    pub per_page: i64,
}

impl BoardLinks {
    fn with(&self, state: Option<ReviewState>, page: i64) -> String {
        let mut parts: Vec<String> = Vec::new();
        if !self.base.is_empty() {
            parts.push(self.base.clone());
        }
        if let Some(state) = state {
            parts.push(format!("state={}", state.as_str()));
        }
        if page > 1 {
            parts.push(format!("page={page}"));
        }
        format!("/reviews?{}", parts.join("&"))
    }
}

/// The board's filter values, to show them in the form.
#[derive(Default)]
pub struct BoardForm {
    pub repo: String,
    pub team: String,
    pub state: Option<ReviewState>,
    pub sort: String,
    pub mine: bool,
    pub authored: bool,
    pub closed: bool,
}

/// `/reviews`.
pub fn board(
    page: &ReviewPage,
    form: &BoardForm,
    links: &BoardLinks,
    now: DateTime<Utc>,
) -> Markup {
    let last_page = ((page.total + links.per_page - 1) / links.per_page).max(1);
    html! {
        h1 { @if form.closed { "Closed design reviews" } @else { "Open design reviews" } }
        ul.counts {
            @for (state, n) in page.counts.iter().filter(|(s, n)| *s != ReviewState::NoDocs || *n > 0) {
                li { a class=(if links.state == Some(*state) { "on" } else { "" })
                       href=(links.with(Some(*state), 1)) { b { (n) } (state_label(*state)) } }
            }
            li { a class=(if links.state.is_none() { "on" } else { "" }) href=(links.with(None, 1)) {
                b { (page.counts.iter().map(|(_, n)| n).sum::<i64>()) } "All" } }
        }
        form.filters method="get" action="/reviews" {
            label { "Repository" input type="text" name="repo" value=(form.repo) placeholder="owner/name"; }
            label { "State" select name="state" {
                option value="" { "Any" }
                @for state in ReviewState::ALL {
                    option value=(state.as_str()) selected[form.state == Some(state)] { (state_label(state)) }
                }
            } }
            label { "Team" input type="text" name="team" value=(form.team) placeholder="org/team"; }
            label { "Sort" select name="sort" {
                option value="age" selected[form.sort == "age"] { "Oldest first" }
                option value="waiting" selected[form.sort == "waiting"] { "Longest waiting first" }
                option value="updated" selected[form.sort == "updated"] { "Recently evaluated" }
            } }
            label.check { input type="checkbox" name="mine" value="1" checked[form.mine]; "Waiting on me" }
            label.check { input type="checkbox" name="authored" value="1" checked[form.authored]; "Authored by me" }
            label.check { input type="checkbox" name="closed" value="1" checked[form.closed]; "Closed" }
            button type="submit" { "Filter" }
        }
        @if page.rows.is_empty() {
            p.muted { "No design reviews match these filters." }
        } @else {
            div.table-wrap { table.board.stack {
                thead { tr { th { "Pull request" } th { "Title" } th { "Author" } th { "Docs" }
                    th { "State" } th { "Age" } th { "Waiting on" } } }
                tbody { @for row in &page.rows { (board_row(row, now)) } }
            } }
        }
        div.pager {
            @if links.page > 1 { a rel="prev" href=(links.with(links.state, links.page - 1)) { "← Previous" } }
            span.muted { "Page " (links.page) " of " (last_page) " · " (page.total) (if page.total == 1 { " review" } else { " reviews" }) }
            @if links.page < last_page { a rel="next" href=(links.with(links.state, links.page + 1)) { "Next →" } }
        }
    }
}

fn board_row(row: &ReviewSummary, now: DateTime<Utc>) -> Markup {
    html! {
        tr {
            td data-label="PR" { a href=(details_path(&row.repo, row.number)) { (row.repo) "#" (row.number) } }
            td.title { (row.title) }
            td data-label="Author" { "@" (row.author) }
            td data-label="Docs" { (row.docs) }
            td data-label="State" { (state_badge(row.state)) }
            td.nowrap data-label="Age" { (duration(row.first_seen_at, now)) }
            td data-label="Waiting on" {
                @if row.awaited.is_empty() { span.muted { "—" } }
                ul.plain { @for awaited in &row.awaited {
                    li { (awaited.reviewer) " " span.muted.small.nowrap { (duration(awaited.since, now)) } }
                } }
            }
        }
    }
}

/// `/reviews/{owner}/{repo}/{number}`. `commands` are the audit entries of this pull request.
pub fn details(view: &ReviewView, commands: &[AuditEntry], now: DateTime<Utc>) -> Markup {
    let s = &view.summary;
    let d = &view.detail;
    let blob =
        |path: &str, line: u32| format!("{}/blob/{}/{}#L{line}", d.web_base, s.head_sha, path);
    html! {
        h1 { (s.title) " " span.muted { (s.repo) "#" (s.number) } }
        p class=(format!("why {}", s.state.as_str())) { (why(view, now)) }
        p.small.muted {
            (state_badge(s.state)) " by @" (s.author) " · "
            a href=(format!("{}/pull/{}", d.web_base, s.number)) { "open on GitHub" }
            " · head " code.sha { (s.head_sha.get(..7).unwrap_or(&s.head_sha)) }
            " · last evaluated " (when(s.evaluated_at))
            @if !s.open { " · closed" }
        }
        @if !d.problems.is_empty() {
            h2 { "Configuration problems" }
            ul { @for problem in &d.problems { li { (problem) } } }
        }
        h2 { "Design docs" }
        @if d.docs.is_empty() { p.muted { "No design documents in this pull request." } }
        @for doc in &d.docs {
            div.card {
                a href=(blob(&doc.path, 1)) { code { (doc.path) } }
                " " span.muted.small { "template " (doc.template) }
                @if let Some(why) = &doc.unreadable { p.gap-error { "Could not be checked: " (why) } }
                @else if doc.gaps.is_empty() { p { "Complete: no gaps." } }
                @else { ul { @for gap in &doc.gaps {
                    li { span class=(format!("gap-{}", gap.severity)) { (gap.severity) } " "
                        a href=(blob(&doc.path, gap.line)) { "line " (gap.line) }
                        " · " b { (gap.section) } ": " (gap.message) }
                } } }
            }
        }
        h2 { "Approvals" }
        @if d.requirements.is_empty() { p.muted { "No approvals are required." } }
        @else { div.table-wrap { table.stack {
            thead { tr { th { "Required" } th { "Needed" } th { "Approved by" } th { "" } } }
            tbody { @for r in &d.requirements { tr {
                td { (r.who) } td data-label="Needed" { (r.needed) }
                td data-label="Approved by" { @if r.approved_by.is_empty() { span.muted { "no one yet" } } @else { (r.approved_by.join(", ")) } }
                td { @if r.satisfied() { span.state.approved { "met" } } @else { span.state.awaiting { "missing" } } }
            } } }
        } } }
        @if !d.approved_by.is_empty() { p { "Approved the current version: " (d.approved_by.join(", ")) } }
        @if !d.stale.is_empty() {
            p { "Approved an earlier version (no longer counts, a design doc changed since): " (d.stale.join(", ")) }
        }
        h2 { "Reviewers" }
        @if view.requests.is_empty() && !d.draft { p.muted { "No reviewer was asked." } }
        @if d.draft { p.muted { "Reviewers are asked once the pull request is ready for review." } }
        ul { @for request in &view.requests { li {
            (request.reviewer) " asked " (when(request.requested_at))
            @if request.awaited { " · " b { "awaited for " (duration(request.requested_at, now)) } }
        } } }
        @for (who, why) in &d.not_requested { p.small.muted { (who) " was not asked: " (why) } }
        h2 { "Skips and commands" }
        @if let Some(skip) = &d.skip {
            p { "Skipped by @" (skip.by) " on " (when(skip.at)) ": " (skip.reason) }
        }
        @if commands.is_empty() { p.muted { "No command was run on this pull request." } }
        @else { ul { @for entry in commands { li {
            (when(entry.at)) " · @" (entry.actor) " · " code { (entry.command) }
            @if let Some(reason) = &entry.reason { " “" (reason) "”" }
            " · " (entry.outcome)
        } } } }
        h2 { "Evaluation history" }
        div.table-wrap { table.stack {
            thead { tr { th { "When" } th { "Head" } th { "Outcome" } } }
            tbody { @for e in &view.history { tr {
                td.nowrap { (when(e.at)) } td data-label="Head" { code.sha { (e.head_sha.get(..7).unwrap_or(&e.head_sha)) } }
                td { (state_badge(e.state)) " " (e.reason) }
            } } }
        } }
    }
}

/// The audit page's filter values and page.
#[derive(Default)]
pub struct AuditForm {
    pub repo: String,
    pub actor: String,
    pub outcome: String,
    pub page: i64,
    pub per_page: i64,
}

/// `/audit`.
pub fn audit(entries: &[AuditEntry], total: i64, form: &AuditForm) -> Markup {
    let last_page = ((total + form.per_page - 1) / form.per_page).max(1);
    let link = |page: i64| {
        format!(
            "/audit?repo={}&actor={}&outcome={}&page={page}",
            crate::uri::component(&form.repo),
            crate::uri::component(&form.actor),
            crate::uri::component(&form.outcome)
        )
    };
    html! {
        h1 { "Audit log" }
        p.muted { "Skips, unskips and refused or invalid commands, newest first." }
        form.filters method="get" action="/audit" {
            label { "Repository" input type="text" name="repo" value=(form.repo) placeholder="owner/name"; }
            label { "Actor" input type="text" name="actor" value=(form.actor) placeholder="login"; }
            label { "Outcome" select name="outcome" {
                option value="" { "Any" }
                @for o in ["done", "refused", "invalid"] { option value=(o) selected[form.outcome == o] { (o) } }
            } }
            button type="submit" { "Filter" }
        }
        @if entries.is_empty() { p.muted { "No entries match these filters." } }
        @else { div.table-wrap { table.board.stack {
            thead { tr { th { "When" } th { "Pull request" } th { "Actor" } th { "Command" } th { "Reason" } th { "Outcome" } } }
            tbody { @for e in entries { tr {
                td.nowrap data-label="When" { (when(e.at)) }
                td data-label="PR" { a href=(details_path(&e.repo, e.pr_number.0)) { (e.repo) "#" (e.pr_number.0) } }
                td data-label="Actor" { "@" (e.actor) }
                td data-label="Command" { code { (e.command) } }
                td data-label="Reason" { (e.reason.as_deref().unwrap_or("")) }
                td data-label="Outcome" { (e.outcome) }
            } } }
        } } }
        div.pager {
            @if form.page > 1 { a rel="prev" href=(link(form.page - 1)) { "← Newer" } }
            span.muted { "Page " (form.page) " of " (last_page) " · " (total) " entries" }
            @if form.page < last_page { a rel="next" href=(link(form.page + 1)) { "Older →" } }
        }
    }
}

/// What to configure before anyone can sign in.
pub fn not_configured() -> Markup {
    html! {
        h1 { "Sign-in is not configured" }
        div.notice {
            p { "These pages show design reviews only to people GitHub says may read each repository, so they need "
                "“Sign in with GitHub” through the App's OAuth credentials. Set:" }
            ul {
                li { code { "GITHUB_CLIENT_ID" } " and " code { "GITHUB_CLIENT_SECRET" }
                     ": the App's client id and a client secret (the setup flow writes both to " code { ".env" } ")" }
                li { code { "PUBLIC_URL" } ": this server's address; add " code { "PUBLIC_URL/signin/callback" }
                     " as the App's callback URL on GitHub" }
                li { code { "SESSION_KEY" } ": at least 32 random characters, kept secret" }
            }
            p { "Then restart the server. Webhooks are handled either way." }
        }
    }
}

/// The sign-in page.
pub fn sign_in(next: &str) -> Markup {
    html! {
        h1 { "Design reviews" }
        p { "Sign in with your GitHub account to see the design reviews of the repositories you can read." }
        p { a.state.approved href=(format!("/signin?next={}", crate::uri::component(next))) { "Sign in with GitHub" } }
    }
}

/// A short page for errors and refusals.
pub fn message(title: &str, text: &str) -> Markup {
    html! { h1 { (title) } p { (text) } p { a href="/reviews" { "Back to the board" } } }
}
