//! The board (`/reviews`) for 10,000 open design reviews over 200 repositories: the store's
//! query and the page's HTML, from a SQLite store the workflow's own writes filled. Each case is
//! a whole page as a signed-in user who can read every repository gets it (the repository list
//! goes into the query), 50 rows of 10,000.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use design_review::store::reviews::{
    DocDetail, GapDetail, Requirement, ReviewDetail, ReviewQuery, ReviewRecord, ReviewSort,
    ReviewState, ReviewStore, Visibility,
};
use design_review::store::{self, Store};
use design_review::web::views::{self, BoardForm, BoardLinks, Viewer};

const REVIEWS: usize = 10_000;
const REPOS: usize = 200;
const PER_PAGE: i64 = 50;
/// Logins and teams the reviews wait on.
const REVIEWERS: usize = 60;
const TEAMS: usize = 12;

fn repo(i: usize) -> String {
    format!("acme/service-{:03}", i % REPOS)
}

/// The `i`th review: states mixed as on a busy organisation's board, first seen over 90 days,
/// one or two reviewers awaited when it awaits approval.
fn record(i: usize, now: DateTime<Utc>) -> ReviewRecord {
    let state = match i % 20 {
        0..=7 => ReviewState::Awaiting,
        8..=12 => ReviewState::Gaps,
        13..=16 => ReviewState::Approved,
        17..=18 => ReviewState::Skipped,
        _ => ReviewState::Invalid,
    };
    let awaited: Vec<String> = match state {
        ReviewState::Awaiting => vec![
            format!("@reviewer-{}", i % REVIEWERS),
            format!("@acme/team-{}", i % TEAMS),
        ],
        _ => vec![],
    };
    let path = format!("docs/design/{i}-design.md");
    ReviewRecord {
        repo: repo(i),
        number: (i / REPOS + 1) as i64,
        title: format!("Design {i}: move the {} cache to a shared store", i % 37),
        author: format!("author-{}", i % 97),
        head_sha: format!("{i:040x}"),
        state,
        reason: format!("{state:?} for design {i}"),
        team: Some(format!("acme/team-{}", i % TEAMS)),
        requested: awaited.clone(),
        awaited,
        detail: ReviewDetail {
            web_base: format!("https://github.com/{}", repo(i)),
            docs: vec![DocDetail {
                path,
                template: "system-design".into(),
                unreadable: None,
                gaps: vec![GapDetail {
                    severity: "error".into(),
                    section: "Rollback".into(),
                    line: 12,
                    message: "Say how to roll back.".into(),
                }],
            }],
            requirements: vec![Requirement {
                who: format!("@acme/team-{}", i % TEAMS),
                needed: 1,
                approved_by: vec![],
            }],
            ..ReviewDetail::default()
        },
        at: now - TimeDelta::minutes((i as i64 * 13) % (90 * 24 * 60)),
    }
}

/// One board page as HTML, as the handler builds it.
async fn board_page(reviews: &dyn ReviewStore, query: &ReviewQuery, now: DateTime<Utc>) -> String {
    let page = reviews.list_reviews(query).await.unwrap();
    assert!(
        page.rows.len() as i64 == PER_PAGE.min(page.total),
        "a full page"
    );
    let links = BoardLinks {
        base: String::new(),
        state: query.state,
        page: query.offset / PER_PAGE + 1,
        per_page: PER_PAGE,
    };
    let body = views::board(&page, &BoardForm::default(), &links, now);
    let viewer = Viewer {
        login: "reviewer-7",
    };
    views::layout("Design reviews", Some(&viewer), body).into_string()
}

fn board(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("board.db").display());
    let store: Arc<dyn Store> = runtime.block_on(store::connect(&url)).unwrap();
    let now = Utc::now();
    runtime.block_on(async {
        let reviews = store.reviews().unwrap();
        for i in 0..REVIEWS {
            reviews.record_review(&record(i, now)).await.unwrap();
        }
    });
    let reviews = store.reviews().unwrap();
    let everyone = Visibility::Repos((0..REPOS).map(repo).collect());
    let base = ReviewQuery {
        limit: PER_PAGE,
        ..ReviewQuery::open(everyone)
    };
    let cases = [
        ("oldest_first", base.clone()),
        (
            "longest_waiting_first",
            ReviewQuery {
                sort: ReviewSort::Waiting,
                ..base.clone()
            },
        ),
        (
            "awaiting_page_40",
            ReviewQuery {
                state: Some(ReviewState::Awaiting),
                offset: 39 * PER_PAGE,
                ..base.clone()
            },
        ),
        (
            "one_repository",
            ReviewQuery {
                repo: Some(repo(42)),
                ..base.clone()
            },
        ),
        (
            "team",
            ReviewQuery {
                team: Some("acme/team-3".into()),
                ..base.clone()
            },
        ),
        (
            "waiting_on_me",
            ReviewQuery {
                waiting_on: Some("reviewer-7".into()),
                ..base.clone()
            },
        ),
    ];
    let mut group = c.benchmark_group("board_10000_reviews_200_repos");
    for (name, query) in &cases {
        group.bench_function(*name, |b| {
            b.iter(|| runtime.block_on(board_page(reviews, query, now)))
        });
    }
    group.finish();
}

criterion_group!(benches, board);
criterion_main!(benches);
