//! The web pages' storage (reviews, reviewer requests, evaluation history, the audit page),
//! against SQLite and, when `TEST_DATABASE_URL` names a PostgreSQL server, PostgreSQL.

use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use design_review::domain::PrNumber;
use design_review::store::reviews::{
    AuditQuery, Awaited, DocDetail, EvaluationEntry, GapDetail, RequestEntry, Requirement,
    ReviewDetail, ReviewQuery, ReviewRecord, ReviewSort, ReviewState, Visibility,
};
use design_review::store::{self, AuditEntry, AuditOutcome, Store};
use support::scratch_pg::ScratchDatabase;

#[allow(dead_code)]
mod support;

/// Runs `test` against SQLite, then against PostgreSQL when `TEST_DATABASE_URL` is set.
async fn each_backend<F, Fut>(test: F)
where
    F: Fn(Arc<dyn Store>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("store.db").display());
    let store = store::connect(&url).await.expect("connect sqlite");
    if let Err(panic) = tokio::spawn(test(store)).await {
        eprintln!("failed on the sqlite backend");
        std::panic::resume_unwind(panic.into_panic());
    }
    match ScratchDatabase::create("dr_web").await {
        Some(database) => {
            let store = store::connect(&database.url)
                .await
                .expect("connect postgres");
            let outcome = tokio::spawn(test(store)).await;
            database.drop_database().await;
            if let Err(panic) = outcome {
                eprintln!("failed on the postgres backend");
                std::panic::resume_unwind(panic.into_panic());
            }
        }
        None => eprintln!(
            "note: TEST_DATABASE_URL is not set; the PostgreSQL run of this test was skipped"
        ),
    }
}

/// A fixed hour, at the microsecond precision both databases keep.
fn at(hours: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_750_000_000, 0).unwrap() + TimeDelta::hours(hours)
}

fn detail(docs: usize) -> ReviewDetail {
    ReviewDetail {
        web_base: "https://github.com/acme/widgets".into(),
        docs: (0..docs)
            .map(|i| DocDetail {
                path: format!("docs/design/{i}.md"),
                template: "system-design".into(),
                unreadable: None,
                gaps: vec![GapDetail {
                    severity: "error".into(),
                    section: "Rollback".into(),
                    line: 12,
                    message: "Say how to roll back.".into(),
                }],
            })
            .collect(),
        requirements: vec![Requirement {
            who: "@acme/design-review".into(),
            needed: 1,
            approved_by: vec![],
        }],
        ..ReviewDetail::default()
    }
}

fn record(repo: &str, number: i64, state: ReviewState, hour: i64) -> ReviewRecord {
    ReviewRecord {
        repo: repo.into(),
        number,
        title: format!("Design {number}"),
        author: "alice".into(),
        head_sha: "a1".into(),
        state,
        reason: format!("{state:?}"),
        team: Some("acme/design-review".into()),
        requested: vec![],
        awaited: vec![],
        detail: detail(1),
        at: at(hour),
    }
}

fn awaiting(repo: &str, number: i64, hour: i64, reviewers: &[&str]) -> ReviewRecord {
    let reviewers: Vec<String> = reviewers.iter().map(|r| r.to_string()).collect();
    ReviewRecord {
        requested: reviewers.clone(),
        awaited: reviewers,
        ..record(repo, number, ReviewState::Awaiting, hour)
    }
}

fn keys(page: &design_review::store::reviews::ReviewPage) -> Vec<String> {
    page.rows
        .iter()
        .map(|r| format!("{}#{}", r.repo, r.number))
        .collect()
}

#[tokio::test]
async fn a_review_keeps_when_each_reviewer_was_first_asked_and_a_history_of_changes() {
    each_backend(|store| async move {
        store
            .reviews()
            .unwrap()
            .record_review(&record("acme/widgets", 7, ReviewState::Gaps, 0))
            .await
            .unwrap();
        store
            .reviews()
            .unwrap()
            .record_review(&awaiting(
                "acme/widgets",
                7,
                1,
                &["@bob", "@acme/design-review"],
            ))
            .await
            .unwrap();
        // Re-evaluated twice without change, then bob approves: only the team is awaited, and
        // since it was first asked, not since the last evaluation.
        store
            .reviews()
            .unwrap()
            .record_review(&awaiting(
                "acme/widgets",
                7,
                2,
                &["@bob", "@acme/design-review"],
            ))
            .await
            .unwrap();
        let mut later = awaiting("acme/widgets", 7, 3, &["@acme/design-review"]);
        later.requested = vec!["@bob".into(), "@acme/design-review".into()];
        store
            .reviews()
            .unwrap()
            .record_review(&later)
            .await
            .unwrap();

        let view = store
            .reviews()
            .unwrap()
            .review(&Visibility::All, "acme/widgets", 7)
            .await
            .unwrap()
            .expect("recorded");
        assert_eq!(view.summary.state, ReviewState::Awaiting);
        assert_eq!(view.summary.first_seen_at, at(0));
        assert_eq!(view.summary.evaluated_at, at(3));
        assert_eq!(
            view.summary.awaited,
            vec![Awaited {
                reviewer: "@acme/design-review".into(),
                since: at(1)
            }]
        );
        assert_eq!(
            view.requests,
            vec![
                RequestEntry {
                    reviewer: "@acme/design-review".into(),
                    requested_at: at(1),
                    awaited: true
                },
                RequestEntry {
                    reviewer: "@bob".into(),
                    requested_at: at(1),
                    awaited: false
                },
            ]
        );
        assert_eq!(view.detail, detail(1));
        assert_eq!(
            view.history,
            vec![
                EvaluationEntry {
                    at: at(1),
                    head_sha: "a1".into(),
                    state: ReviewState::Awaiting,
                    reason: "Awaiting".into()
                },
                EvaluationEntry {
                    at: at(0),
                    head_sha: "a1".into(),
                    state: ReviewState::Gaps,
                    reason: "Gaps".into()
                },
            ]
        );

        // Approved, then closed: the approval time stays the first one, no one is awaited.
        store
            .reviews()
            .unwrap()
            .record_review(&record("acme/widgets", 7, ReviewState::Approved, 4))
            .await
            .unwrap();
        store
            .reviews()
            .unwrap()
            .record_review(&record("acme/widgets", 7, ReviewState::Approved, 5))
            .await
            .unwrap();
        store
            .reviews()
            .unwrap()
            .record_review_closed("acme/widgets", 7, at(6))
            .await
            .unwrap();
        let view = store
            .reviews()
            .unwrap()
            .review(&Visibility::All, "acme/widgets", 7)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(view.summary.approved_at, Some(at(4)));
        assert_eq!(view.summary.closed_at, Some(at(6)));
        assert!(!view.summary.open);
        assert!(view.requests.iter().all(|r| !r.awaited));
        assert_eq!(view.history.len(), 3);
        // Closing a pull request never recorded records nothing.
        store
            .reviews()
            .unwrap()
            .record_review_closed("acme/widgets", 8, at(6))
            .await
            .unwrap();
        assert!(
            store
                .reviews()
                .unwrap()
                .review(&Visibility::All, "acme/widgets", 8)
                .await
                .unwrap()
                .is_none()
        );
    })
    .await;
}

#[tokio::test]
async fn a_reader_sees_only_the_repositories_they_may_read() {
    each_backend(|store| async move {
        store
            .reviews()
            .unwrap()
            .record_review(&record("acme/widgets", 1, ReviewState::Gaps, 0))
            .await
            .unwrap();
        store
            .reviews()
            .unwrap()
            .record_review(&record("acme/secret", 2, ReviewState::Gaps, 1))
            .await
            .unwrap();
        store
            .record_audit(&AuditEntry {
                at: at(2),
                repo: "acme/secret".into(),
                pr_number: PrNumber(2),
                head_sha: None,
                actor: "carol".into(),
                command: "skip".into(),
                reason: Some("hush".into()),
                outcome: AuditOutcome::Done,
            })
            .await
            .unwrap();
        let widgets = Visibility::Repos(vec!["acme/widgets".into()]);
        let page = store
            .reviews()
            .unwrap()
            .list_reviews(&ReviewQuery::open(widgets.clone()))
            .await
            .unwrap();
        assert_eq!(keys(&page), vec!["acme/widgets#1"]);
        assert_eq!(page.total, 1);
        assert!(
            store
                .reviews()
                .unwrap()
                .review(&widgets, "acme/secret", 2)
                .await
                .unwrap()
                .is_none()
        );
        let audit = AuditQuery {
            visible: widgets.clone(),
            repo: None,
            pr_number: None,
            actor: None,
            outcome: None,
            limit: 50,
            offset: 0,
        };
        assert_eq!(
            store.reviews().unwrap().audit_page(&audit).await.unwrap(),
            (vec![], 0)
        );
        let nothing = Visibility::Repos(vec![]);
        assert!(
            store
                .reviews()
                .unwrap()
                .list_reviews(&ReviewQuery::open(nothing.clone()))
                .await
                .unwrap()
                .rows
                .is_empty()
        );
        assert!(
            store
                .reviews()
                .unwrap()
                .review_timelines(&widgets, None)
                .await
                .unwrap()
                .iter()
                .all(|t| t.repo == "acme/widgets")
        );
        let all = store
            .reviews()
            .unwrap()
            .audit_page(&AuditQuery {
                visible: Visibility::All,
                ..audit
            })
            .await
            .unwrap();
        assert_eq!(all.1, 1);
    })
    .await;
}

#[tokio::test]
async fn the_board_filters_counts_sorts_and_pages() {
    each_backend(|store| async move {
        store
            .reviews()
            .unwrap()
            .record_review(&awaiting("acme/a", 1, 0, &["@bob"]))
            .await
            .unwrap();
        store
            .reviews()
            .unwrap()
            .record_review(&awaiting("acme/a", 2, 1, &["@carol", "@bob"]))
            .await
            .unwrap();
        store
            .reviews()
            .unwrap()
            .record_review(&record("acme/b", 3, ReviewState::Gaps, 2))
            .await
            .unwrap();
        let mut other_author = record("acme/b", 4, ReviewState::Approved, 3);
        other_author.author = "Dave".into();
        store
            .reviews()
            .unwrap()
            .record_review(&other_author)
            .await
            .unwrap();
        // Waiting on carol since hour 0 on a review first seen at hour 5.
        let mut late = awaiting("acme/b", 5, 5, &["@carol"]);
        late.team = None;
        store.reviews().unwrap().record_review(&late).await.unwrap();
        let mut no_docs = record("acme/b", 6, ReviewState::NoDocs, 0);
        no_docs.detail = detail(0);
        store
            .reviews()
            .unwrap()
            .record_review(&no_docs)
            .await
            .unwrap();
        store
            .reviews()
            .unwrap()
            .record_review(&record("acme/b", 7, ReviewState::Gaps, 0))
            .await
            .unwrap();
        store
            .reviews()
            .unwrap()
            .record_review_closed("acme/b", 7, at(6))
            .await
            .unwrap();

        let all = ReviewQuery::open(Visibility::All);
        let page = store.reviews().unwrap().list_reviews(&all).await.unwrap();
        assert_eq!(
            keys(&page),
            vec!["acme/a#1", "acme/a#2", "acme/b#3", "acme/b#4", "acme/b#5"]
        );
        assert_eq!(
            page.counts,
            vec![
                (ReviewState::Gaps, 1),
                (ReviewState::Awaiting, 3),
                (ReviewState::Approved, 1),
                (ReviewState::Skipped, 0),
                (ReviewState::Invalid, 0),
                (ReviewState::NoDocs, 0),
            ]
        );
        let query = |f: fn(&mut ReviewQuery)| {
            let mut q = all.clone();
            f(&mut q);
            q
        };
        let awaiting_only = store
            .reviews()
            .unwrap()
            .list_reviews(&query(|q| q.state = Some(ReviewState::Awaiting)))
            .await
            .unwrap();
        assert_eq!(awaiting_only.total, 3);
        assert_eq!(awaiting_only.counts, page.counts);
        let on_bob = store
            .reviews()
            .unwrap()
            .list_reviews(&query(|q| q.waiting_on = Some("BOB".into())))
            .await
            .unwrap();
        assert_eq!(keys(&on_bob), vec!["acme/a#1", "acme/a#2"]);
        let by_dave = store
            .reviews()
            .unwrap()
            .list_reviews(&query(|q| q.author = Some("dave".into())))
            .await
            .unwrap();
        assert_eq!(keys(&by_dave), vec!["acme/b#4"]);
        let team = store
            .reviews()
            .unwrap()
            .list_reviews(&query(|q| q.team = Some("@acme/design-review".into())))
            .await
            .unwrap();
        assert_eq!(team.total, 4);
        let repo = store
            .reviews()
            .unwrap()
            .list_reviews(&query(|q| q.repo = Some("acme/a".into())))
            .await
            .unwrap();
        assert_eq!(keys(&repo), vec!["acme/a#1", "acme/a#2"]);
        let waiting = store
            .reviews()
            .unwrap()
            .list_reviews(&query(|q| q.sort = ReviewSort::Waiting))
            .await
            .unwrap();
        assert_eq!(
            keys(&waiting),
            vec!["acme/a#1", "acme/a#2", "acme/b#5", "acme/b#3", "acme/b#4"]
        );
        let second_page = store
            .reviews()
            .unwrap()
            .list_reviews(&query(|q| {
                q.limit = 2;
                q.offset = 2;
            }))
            .await
            .unwrap();
        assert_eq!(keys(&second_page), vec!["acme/b#3", "acme/b#4"]);
        assert_eq!(second_page.total, 5);
        let closed = store
            .reviews()
            .unwrap()
            .list_reviews(&query(|q| q.open = false))
            .await
            .unwrap();
        assert_eq!(keys(&closed), vec!["acme/b#7"]);
    })
    .await;
}

#[tokio::test]
async fn the_audit_page_is_newest_first_and_filtered() {
    each_backend(|store| async move {
        for (hour, actor, outcome) in [
            (0, "bob", "done"),
            (1, "carol", "refused: the author cannot skip"),
            (2, "bob", "invalid: unknown command"),
            (3, "bob", "done"),
        ] {
            store
                .record_audit(&AuditEntry {
                    at: at(hour),
                    repo: "acme/widgets".into(),
                    pr_number: PrNumber(u64::try_from(hour).unwrap()),
                    head_sha: None,
                    actor: actor.into(),
                    command: "skip".into(),
                    reason: None,
                    outcome: outcome.parse().unwrap(),
                })
                .await
                .unwrap();
        }
        let query = AuditQuery {
            visible: Visibility::All,
            repo: None,
            pr_number: None,
            actor: None,
            outcome: None,
            limit: 2,
            offset: 0,
        };
        let (entries, total) = store.reviews().unwrap().audit_page(&query).await.unwrap();
        assert_eq!(total, 4);
        assert_eq!(
            entries.iter().map(|e| e.pr_number.0).collect::<Vec<_>>(),
            vec![3, 2]
        );
        let (entries, total) = store
            .reviews()
            .unwrap()
            .audit_page(&AuditQuery {
                actor: Some("@Bob".into()),
                outcome: Some("done".into()),
                limit: 50,
                ..query.clone()
            })
            .await
            .unwrap();
        assert_eq!(total, 2);
        assert_eq!(
            entries.iter().map(|e| e.pr_number.0).collect::<Vec<_>>(),
            vec![3, 0]
        );
        let (entries, _) = store
            .reviews()
            .unwrap()
            .audit_page(&AuditQuery {
                pr_number: Some(1),
                ..query
            })
            .await
            .unwrap();
        assert_eq!(
            entries[0].outcome,
            AuditOutcome::Refused {
                rule: "the author cannot skip".into()
            }
        );
    })
    .await;
}

#[tokio::test]
async fn timelines_give_each_reviews_first_evaluation_approval_and_close() {
    each_backend(|store| async move {
        let mut first = record("acme/a", 1, ReviewState::NoDocs, 0);
        first.detail = detail(0);
        store
            .reviews()
            .unwrap()
            .record_review(&first)
            .await
            .unwrap();
        // Docs added at hour 2: the review starts then.
        store
            .reviews()
            .unwrap()
            .record_review(&record("acme/a", 1, ReviewState::Gaps, 2))
            .await
            .unwrap();
        store
            .reviews()
            .unwrap()
            .record_review(&record("acme/a", 1, ReviewState::Approved, 5))
            .await
            .unwrap();
        store
            .reviews()
            .unwrap()
            .record_review(&record("acme/b", 2, ReviewState::Gaps, 1))
            .await
            .unwrap();
        store
            .reviews()
            .unwrap()
            .record_review_closed("acme/b", 2, at(3))
            .await
            .unwrap();
        let mut timelines = store
            .reviews()
            .unwrap()
            .review_timelines(&Visibility::All, None)
            .await
            .unwrap();
        timelines.sort_by(|a, b| a.repo.cmp(&b.repo));
        assert_eq!(timelines.len(), 2);
        assert_eq!(
            (timelines[0].first_seen_at, timelines[0].approved_at),
            (at(2), Some(at(5)))
        );
        assert_eq!(
            (timelines[1].approved_at, timelines[1].closed_at),
            (None, Some(at(3)))
        );
        let only_b = store
            .reviews()
            .unwrap()
            .review_timelines(&Visibility::All, Some("acme/b"))
            .await
            .unwrap();
        assert_eq!(only_b.len(), 1);
    })
    .await;
}
