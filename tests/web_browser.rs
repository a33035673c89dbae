//! The web pages in a real browser (Debian's headless Chromium, driven over DevTools by
//! `headless_chrome`), served by the real router over a SQLite store and signed in through the
//! fake GitHub's OAuth endpoints: sign-in, the board and its filters, a details page, the audit
//! log, a private repository the user cannot read, and a hostile title that must stay text.
//!
//! Each page is also photographed 375 and 1440 pixels wide into `target/screenshots/` for a
//! person to look at (the paths are printed), and must fit a phone's width without scrolling
//! sideways.
//!
//! Skips with a note when `/usr/bin/chromium` is absent (`.ci/run` installs it).

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use clap::Parser;
use design_review::config::settings::{ServeArgs, Settings};
use design_review::domain::PrNumber;
use design_review::store::reviews::{
    DocDetail, GapDetail, Requirement, ReviewDetail, ReviewRecord, ReviewState,
};
use design_review::store::{self, AuditEntry, Skip, Store};
use design_review::web::{WebState, router};
use support::fake_github::FakeGithub;

#[allow(dead_code)]
#[path = "browser/chromium.rs"]
mod chromium;
#[allow(dead_code)]
mod support;

use chromium::{Chromium, chromium_missing, screenshot_dir};

const HOSTILE_TITLE: &str = "<script>alert(1)</script>";
/// Phone and desktop widths every page is photographed at.
const WIDTHS: [u32; 2] = [375, 1440];

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    args: ServeArgs,
}

/// The pages on a real port, the fake GitHub, and the runtime both run on.
struct Site {
    base: String,
    gh: FakeGithub,
    _runtime: tokio::runtime::Runtime,
    _dir: tempfile::TempDir,
}

fn hours_ago(hours: i64) -> DateTime<Utc> {
    Utc::now() - TimeDelta::hours(hours)
}

/// A review as the workflow records it, awaiting nobody, with one complete doc.
fn review(
    repo: &str,
    number: i64,
    title: &str,
    state: ReviewState,
    at: DateTime<Utc>,
) -> ReviewRecord {
    ReviewRecord {
        repo: repo.into(),
        number,
        title: title.into(),
        author: "alice".into(),
        head_sha: "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432".into(),
        state,
        reason: "Every design doc is complete and approved".into(),
        team: Some("acme/design-review".into()),
        requested: vec![],
        awaited: vec![],
        detail: ReviewDetail {
            web_base: format!("https://github.com/{repo}"),
            docs: vec![DocDetail {
                path: format!("docs/design/{number}-design.md"),
                template: "system-design".into(),
                unreadable: None,
                gaps: vec![],
            }],
            requirements: vec![Requirement {
                who: "@acme/design-review".into(),
                needed: 1,
                approved_by: vec![],
            }],
            ..ReviewDetail::default()
        },
        at,
    }
}

fn gap(section: &str, line: u32, message: &str) -> GapDetail {
    GapDetail {
        severity: "error".into(),
        section: section.into(),
        line,
        message: message.into(),
    }
}

/// What bob can read (acme/widgets, acme/gadgets) and what he cannot (acme/secret).
async fn seed(store: &dyn Store) {
    let reviews = store.reviews().unwrap();
    let mut hostile = review(
        "acme/widgets",
        7,
        HOSTILE_TITLE,
        ReviewState::Awaiting,
        hours_ago(5),
    );
    hostile.reason = "Waiting for 1 more approval from @acme/design-review".into();
    hostile.requested = vec!["@acme/design-review".into()];
    hostile.awaited = vec!["@acme/design-review".into()];
    hostile.detail.docs[0].gaps = vec![GapDetail {
        severity: "warning".into(),
        ..gap(HOSTILE_TITLE, 3, "Say more.")
    }];

    let mut gaps = review(
        "acme/widgets",
        12,
        "Cache invalidation for the pricing service",
        ReviewState::Gaps,
        hours_ago(48),
    );
    gaps.reason = "2 gaps to fix in docs/design/12-design.md".into();
    gaps.detail.docs[0].gaps = vec![
        gap("Rollback", 41, "Say how to roll back."),
        gap(
            "Alternatives considered",
            58,
            "Name at least one alternative.",
        ),
    ];

    // Asked of carol while it still had gaps, then of bob too once it was complete.
    let first = ReviewRecord {
        reason: "1 gap to fix in docs/design/31-design.md".into(),
        requested: vec!["@carol".into()],
        ..review(
            "acme/gadgets",
            31,
            "Move user sessions from Redis to PostgreSQL, with a migration that keeps every \
             signed-in user signed in across the switch",
            ReviewState::Gaps,
            hours_ago(72),
        )
    };
    let mut sessions = ReviewRecord {
        state: ReviewState::Awaiting,
        reason: "Waiting for 2 more approvals from service owners of sessions".into(),
        requested: vec!["@carol".into(), "@bob".into()],
        awaited: vec!["@carol".into(), "@bob".into()],
        head_sha: "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567".into(),
        at: hours_ago(50),
        ..first.clone()
    };
    sessions.detail.docs.push(DocDetail {
        path: "services/sessions/docs/design/postgres-session-store-and-migration-plan.md".into(),
        template: "adr".into(),
        unreadable: None,
        gaps: vec![],
    });
    sessions.detail.requirements = vec![
        Requirement {
            who: "@acme/design-review".into(),
            needed: 1,
            approved_by: vec!["@dave".into()],
        },
        Requirement {
            who: "owners of sessions (@acme/sessions-team)".into(),
            needed: 2,
            approved_by: vec![],
        },
    ];
    sessions.detail.approved_by = vec!["@dave".into()];
    sessions.detail.stale = vec!["@erin".into()];

    let approved = review(
        "acme/gadgets",
        40,
        "Rate limiter",
        ReviewState::Approved,
        hours_ago(24),
    );
    let mut skipped = review(
        "acme/widgets",
        15,
        "Drop the legacy importer",
        ReviewState::Skipped,
        hours_ago(10),
    );
    skipped.detail.skip = Some(Skip {
        by: "carol".into(),
        reason: "Only deletes code".into(),
        at: hours_ago(9),
    });
    let mut secret = review(
        "acme/secret",
        9,
        "Secret merger plan",
        ReviewState::Awaiting,
        hours_ago(30),
    );
    secret.requested = vec!["@bob".into()];
    secret.awaited = vec!["@bob".into()];

    for record in [
        &hostile, &gaps, &first, &sessions, &approved, &skipped, &secret,
    ] {
        reviews.record_review(record).await.unwrap();
    }
    for (repo, number, actor, reason, outcome, hours) in [
        ("acme/widgets", 15, "carol", "Only deletes code", "done", 9),
        (
            "acme/widgets",
            7,
            "alice",
            "in a hurry",
            "refused: the author cannot skip their own review",
            4,
        ),
        ("acme/secret", 9, "eve", "Secret merger plan", "done", 1),
    ] {
        store
            .record_audit(&AuditEntry {
                at: hours_ago(hours),
                repo: repo.into(),
                pr_number: PrNumber(number),
                head_sha: None,
                actor: actor.into(),
                command: "/design-review skip".into(),
                reason: Some(reason.into()),
                outcome: outcome.parse().unwrap(),
            })
            .await
            .unwrap();
    }
}

impl Site {
    fn start() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let db = format!("sqlite://{}", dir.path().join("web.db").display());
        let (base, gh) = runtime.block_on(async {
            let gh = FakeGithub::start().await;
            gh.oauth.client("Iv1.browser", "client-secret");
            gh.oauth.grant("bob", &["acme/widgets", "acme/gadgets"]);
            gh.oauth.signs_in("bob");
            let store = store::connect(&db).await.unwrap();
            seed(store.as_ref()).await;
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let base = format!("http://{}", listener.local_addr().unwrap());
            let argv = [
                "serve".to_string(),
                format!("--database-url={db}"),
                format!("--github-api-url={}", gh.url()),
                format!("--github-url={}", gh.web_url()),
                format!("--public-url={base}"),
                "--github-client-id=Iv1.browser".to_string(),
                "--github-client-secret=client-secret".to_string(),
                "--session-key=0123456789abcdef0123456789abcdef".to_string(),
            ];
            let settings = Settings::from_args(&Cli::parse_from(argv).args).unwrap();
            let app = router(WebState::new(&settings, store).unwrap());
            tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
            (base, gh)
        });
        Self {
            base,
            gh,
            _runtime: runtime,
            _dir: dir,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// What the board's pages need beyond the shared helpers.
impl Chromium {
    /// Clicks the element `selector` (as a person would, with the mouse) and waits for the page
    /// it leads to.
    fn click_and_wait(&self, selector: &str, arrived: &str) {
        self.tab
            .find_element(selector)
            .unwrap_or_else(|e| panic!("{selector}: {e}"))
            .click()
            .unwrap();
        self.wait_until(
            arrived,
            &format!("document.readyState === 'complete' && ({arrived})"),
        );
    }

    /// The first cell's text of each row of the page's table.
    fn first_column(&self) -> Vec<String> {
        let json = self.text(
            "JSON.stringify([...document.querySelectorAll('table.board tbody tr')]\
             .map(tr => tr.cells[0].innerText.trim()))",
        );
        serde_json::from_str(&json).unwrap()
    }

    /// Photographs the whole page at each of [`WIDTHS`] into `target/screenshots/NAME-WIDTH.png`
    /// and checks it fits each width without scrolling sideways, tables included (a table
    /// scrolled sideways on a phone hides its last columns).
    fn screenshots(&self, name: &str) {
        for width in WIDTHS {
            self.resize(width, 800);
            let height = self
                .eval("document.documentElement.scrollHeight")
                .as_u64()
                .unwrap() as u32;
            self.resize(width, height.clamp(400, 5000));
            let png = self.screenshot();
            let path = screenshot_dir().join(format!("{name}-{width}.png"));
            std::fs::write(&path, &png).unwrap();
            println!("screenshot: {}", path.display());
            let overflow = self.text(
                "JSON.stringify({page: document.documentElement.scrollWidth, screen: innerWidth, \
                 wide: [...document.querySelectorAll('main *')]\
                 .filter(e => e.getBoundingClientRect().right > innerWidth + 1 \
                 && !e.closest('.table-wrap') || e.scrollWidth > e.clientWidth + 1 \
                 && e.matches('.table-wrap'))\
                 .map(e => e.tagName.toLowerCase() + '.' + e.className).slice(0, 5)})",
            );
            let overflow: serde_json::Value = serde_json::from_str(&overflow).unwrap();
            assert!(
                overflow["page"].as_u64() <= overflow["screen"].as_u64()
                    && overflow["wide"].as_array().unwrap().is_empty(),
                "{name} at {width} px is wider than the screen: {overflow} ({})",
                path.display()
            );
        }
        self.resize(1440, 900);
    }
}

/// Opens a details page before signing in, signs in as bob at the fake GitHub, and lands back
/// on the page asked for.
fn sign_in(site: &Site, chromium: &Chromium, path: &str) {
    chromium.go(&site.url(path));
    assert_eq!(
        chromium.text("document.querySelector('main').innerText"),
        "Design reviews\n\nSign in with your GitHub account to see the design reviews of the \
         repositories you can read.\n\nSign in with GitHub"
    );
    chromium.click_and_wait(
        "a[href^='/signin']",
        &format!("location.pathname === '{path}'"),
    );
    assert_eq!(site.gh.oauth.exchanges(), 1);
    assert_eq!(
        chromium.text("document.querySelector('header .who').innerText"),
        "@bob"
    );
}

#[test]
fn a_review_lead_signs_in_filters_the_board_and_reads_a_review_and_the_audit_log() {
    if chromium_missing() {
        return;
    }
    let site = Site::start();
    let chromium = Chromium::launch(1440, 900);
    sign_in(&site, &chromium, "/reviews");

    // The board: bob's repositories only, oldest first, counts per state.
    assert_eq!(
        chromium.first_column(),
        [
            "acme/gadgets#31",
            "acme/widgets#12",
            "acme/gadgets#40",
            "acme/widgets#15",
            "acme/widgets#7"
        ]
    );
    assert_eq!(
        chromium.text(
            "[...document.querySelectorAll('ul.counts li')].map(li => li.innerText).join(' | ')"
        ),
        "1Gaps to fix | 2Awaiting approval | 1Approved | 1Skipped | 0Invalid configuration | 5All"
    );
    chromium.screenshots("board");

    // A filter, set in the form: waiting on me.
    chromium
        .tab
        .find_element("input[name=mine]")
        .unwrap()
        .click()
        .unwrap();
    chromium.click_and_wait(
        "form.filters button[type=submit]",
        "location.search.includes('mine=1')",
    );
    assert_eq!(chromium.first_column(), ["acme/gadgets#31"]);
    assert_eq!(
        chromium.text("document.querySelector('table.board tbody tr').cells[6].innerText"),
        "@carol 3 d 0 h\n@bob 2 d 2 h"
    );

    // A count is a filter too.
    chromium.go(&site.url("/reviews"));
    chromium.click_and_wait(
        "ul.counts a[href*='state=gaps']",
        "location.search.includes('state=gaps')",
    );
    assert_eq!(chromium.first_column(), ["acme/widgets#12"]);

    // The details page, from the board's link.
    chromium.go(&site.url("/reviews?sort=waiting"));
    chromium.click_and_wait(
        "a[href='/reviews/acme/gadgets/31']",
        "location.pathname === '/reviews/acme/gadgets/31'",
    );
    assert_eq!(
        chromium.text("document.querySelector('p.why').innerText"),
        "The check is pending: Waiting for 2 more approvals from service owners of sessions; \
         @carol has been waited on for 3 d 0 h."
    );
    assert_eq!(
        chromium.text(
            "[...document.querySelectorAll('main table')[0].rows].map(r => r.innerText).join('\\n')"
        ),
        "REQUIRED\tNEEDED\tAPPROVED BY\t\n\
         @acme/design-review\t1\t@dave\tmet\n\
         owners of sessions (@acme/sessions-team)\t2\tno one yet\tmissing"
    );
    chromium.screenshots("details");

    // The audit log: newest first, then filtered in the form.
    chromium.click_and_wait("header a[href='/audit']", "location.pathname === '/audit'");
    assert_eq!(chromium.first_column().len(), 2);
    assert_eq!(
        chromium.text(
            "[...document.querySelectorAll('table.board tbody tr')]\
             .map(tr => tr.cells[1].innerText + ' ' + tr.cells[5].innerText).join('\\n')"
        ),
        "acme/widgets#7 refused: the author cannot skip their own review\n\
         acme/widgets#15 done"
    );
    chromium.screenshots("audit");
    chromium.eval("document.querySelector('select[name=outcome]').value = 'refused'; true");
    chromium.click_and_wait(
        "form.filters button[type=submit]",
        "location.search.includes('outcome=refused')",
    );
    assert_eq!(
        chromium.text("document.querySelector('table.board tbody tr').cells[1].innerText"),
        "acme/widgets#7"
    );
    assert_eq!(chromium.first_column().len(), 1);

    chromium.go(&site.url("/trends"));
    chromium.screenshots("trends");
    assert!(chromium.dialogs().is_empty(), "{:?}", chromium.dialogs());
}

#[test]
fn a_private_repository_the_user_cannot_read_stays_out_of_every_page() {
    if chromium_missing() {
        return;
    }
    let site = Site::start();
    let chromium = Chromium::launch(1440, 900);
    sign_in(&site, &chromium, "/reviews/acme/secret/9");

    assert_eq!(
        chromium.text("document.querySelector('main').innerText"),
        "Not found\n\nNo design review of acme/secret#9 is recorded, or you cannot read that \
         repository.\n\nBack to the board"
    );
    chromium.screenshots("denied");
    for path in [
        "/reviews",
        "/reviews?mine=1",
        "/reviews?repo=acme/secret",
        "/audit",
        "/audit?repo=acme/secret",
        "/trends?repo=acme/secret",
    ] {
        chromium.go(&site.url(path));
        let page = chromium.text("document.documentElement.outerHTML");
        assert!(!page.contains("acme/secret#"), "{path}: {page}");
        assert!(!page.contains("Secret merger plan"), "{path}: {page}");
    }
    chromium.go(&site.url("/reviews?repo=acme/secret"));
    assert_eq!(
        chromium.text("document.querySelector('main p.muted').innerText"),
        "No design reviews match these filters."
    );
}

#[test]
fn a_script_in_a_title_shows_as_text_and_never_runs() {
    if chromium_missing() {
        return;
    }
    let site = Site::start();
    let chromium = Chromium::launch(1440, 900);

    // The watch for dialogs sees one when a page does run a script.
    chromium.go("data:text/html,<title>x</title><script>alert(2)</script>");
    chromium.wait_until("the control page's dialog", "true");
    let started = Instant::now();
    while chromium.dialogs().is_empty() && started.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(chromium.dialogs(), ["2"]);

    sign_in(&site, &chromium, "/reviews");
    let title_cell = "[...document.querySelectorAll('table.board tbody tr')]\
        .find(tr => tr.cells[0].innerText === 'acme/widgets#7').cells[1]";
    assert_eq!(
        chromium.text(&format!("{title_cell}.textContent")),
        HOSTILE_TITLE
    );
    assert_eq!(chromium.eval(&format!("{title_cell}.children.length")), 0);
    assert_eq!(chromium.eval("document.scripts.length"), 0);

    chromium.go(&site.url("/reviews/acme/widgets/7"));
    assert_eq!(
        chromium.text("document.querySelector('h1').innerText"),
        format!("{HOSTILE_TITLE} acme/widgets#7")
    );
    assert_eq!(
        chromium.text("document.querySelector('.card li b').textContent"),
        HOSTILE_TITLE
    );
    assert_eq!(chromium.eval("document.scripts.length"), 0);
    chromium.screenshots("hostile-title");
    assert_eq!(chromium.dialogs(), ["2"], "only the control page's dialog");
}
