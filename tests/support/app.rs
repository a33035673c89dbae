//! Starts the real router (and, when asked, queue workers) on an ephemeral port, over a fresh
//! store, so end-to-end tests send real HTTP requests.
#![allow(dead_code)]

use std::{net::SocketAddr, sync::Arc, time::Duration};

use design_review::{
    queue::{Backoff, Handler, QueueSettings, WorkerPool},
    server::{self, AppState},
    store::{self, Store},
    webhook::{intake::IntakeState, signature},
};
use secrecy::SecretString;
use tokio::sync::Notify;

use super::scratch_pg::ScratchDatabase;
use tokio_util::sync::CancellationToken;

static DELIVERIES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

pub const SECRET: &str = "test-webhook-secret";
pub const WEBHOOK_PATH: &str = "/api/github/webhooks";

/// A running server for one test.
pub struct TestApp {
    pub addr: SocketAddr,
    pub store: Arc<dyn Store>,
    pub http: reqwest::Client,
    shutdown: CancellationToken,
    workers: Option<WorkerPool>,
    _database: TestDatabase,
}

/// Where a test app keeps its store: a SQLite file in a temporary directory, or a scratch
/// PostgreSQL database. Dropping it deletes the file or drops the database.
pub enum TestDatabase {
    Sqlite(tempfile::TempDir),
    Postgres(ScratchDatabase),
}

impl TestDatabase {
    /// A SQLite file of its own.
    pub fn sqlite() -> Self {
        Self::Sqlite(tempfile::tempdir().expect("temp dir"))
    }

    /// PostgreSQL when `TEST_DATABASE_URL` names a server (a fresh database on it), SQLite
    /// otherwise: the same end-to-end test then covers both stores.
    pub async fn from_env() -> Self {
        match ScratchDatabase::create("dr_e2e").await {
            Some(database) => Self::Postgres(database),
            None => Self::sqlite(),
        }
    }

    /// The URL `store::connect` opens.
    pub fn url(&self) -> String {
        match self {
            Self::Sqlite(dir) => format!("sqlite://{}", dir.path().join("test.db").display()),
            Self::Postgres(database) => database.url.clone(),
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Self::Postgres(database) = self {
            database.drop_blocking();
        }
    }
}

/// Fast queue settings for tests: short lease, tiny backoff.
pub fn test_queue_settings() -> QueueSettings {
    QueueSettings {
        workers: 2,
        lease: Duration::from_secs(5),
        max_attempts: 3,
        backoff: Backoff {
            base: Duration::from_millis(20),
            max: Duration::from_millis(200),
        },
        poll: Duration::from_millis(50),
    }
}

impl TestApp {
    /// Intake only: deliveries are stored but nothing processes them.
    pub async fn intake_only() -> Self {
        Self::start(None, test_queue_settings()).await
    }

    /// Intake only, over the store in `database`.
    pub async fn intake_only_on(database: TestDatabase) -> Self {
        Self::start_inner(
            None::<fn(Arc<dyn Store>) -> Arc<dyn Handler>>,
            test_queue_settings(),
            database,
        )
        .await
    }

    /// Intake plus workers running `handler`.
    pub async fn with_handler(handler: Arc<dyn Handler>, settings: QueueSettings) -> Self {
        Self::start_with(|_| handler, settings).await
    }

    async fn start(handler: Option<Arc<dyn Handler>>, settings: QueueSettings) -> Self {
        match handler {
            Some(handler) => Self::start_with(|_| handler, settings).await,
            None => {
                Self::start_inner(
                    None::<fn(Arc<dyn Store>) -> Arc<dyn Handler>>,
                    settings,
                    TestDatabase::sqlite(),
                )
                .await
            }
        }
    }

    /// Intake plus workers running the handler `make` builds over the app's store.
    pub async fn start_with(
        make: impl FnOnce(Arc<dyn Store>) -> Arc<dyn Handler>,
        settings: QueueSettings,
    ) -> Self {
        Self::start_inner(Some(make), settings, TestDatabase::sqlite()).await
    }

    /// As [`start_with`](Self::start_with), over the store in `database`.
    pub async fn start_on(
        database: TestDatabase,
        make: impl FnOnce(Arc<dyn Store>) -> Arc<dyn Handler>,
        settings: QueueSettings,
    ) -> Self {
        Self::start_inner(Some(make), settings, database).await
    }

    async fn start_inner(
        make: Option<impl FnOnce(Arc<dyn Store>) -> Arc<dyn Handler>>,
        settings: QueueSettings,
        database: TestDatabase,
    ) -> Self {
        let store = store::connect(&database.url()).await.expect("store opens");
        let handler = make.map(|make| make(store.clone()));
        let wake = Arc::new(Notify::new());
        let shutdown = CancellationToken::new();
        let workers = handler.map(|handler| {
            WorkerPool::start(
                store.clone(),
                handler,
                settings,
                wake.clone(),
                shutdown.clone(),
            )
        });
        let state = AppState {
            intake: IntakeState {
                store: store.clone(),
                secrets: Arc::new(vec![
                    SecretString::from("old-secret".to_string()),
                    SecretString::from(SECRET.to_string()),
                ]),
                wake,
            },
            store: store.clone(),
            shutdown: shutdown.clone(),
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let app = server::router(state, WEBHOOK_PATH);
        let stop = shutdown.clone();
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move { stop.cancelled().await })
                .await
                .expect("server runs");
        });
        Self {
            addr,
            store,
            http: reqwest::Client::new(),
            shutdown,
            workers,
            _database: database,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Sends a delivery signed with the test secret.
    pub async fn send(&self, event: &str, delivery: &str, body: &str) -> reqwest::Response {
        self.send_raw(
            event,
            delivery,
            body.as_bytes().to_vec(),
            Some(signature::sign(SECRET, body.as_bytes())),
            "application/json",
        )
        .await
    }

    /// Sends a delivery with full control over signature and content type.
    pub async fn send_raw(
        &self,
        event: &str,
        delivery: &str,
        body: Vec<u8>,
        signature: Option<String>,
        content_type: &str,
    ) -> reqwest::Response {
        let mut request = self
            .http
            .post(self.url(WEBHOOK_PATH))
            .header("content-type", content_type)
            .body(body);
        if !event.is_empty() {
            request = request.header("x-github-event", event);
        }
        if !delivery.is_empty() {
            request = request.header("x-github-delivery", delivery);
        }
        if let Some(signature) = signature {
            request = request.header("x-hub-signature-256", signature);
        }
        request.send().await.expect("request sent")
    }

    /// Sends a delivery and waits until the queue has handled everything.
    pub async fn deliver(&self, event: &str, body: &str) -> reqwest::StatusCode {
        let id = format!(
            "delivery-{}",
            DELIVERIES.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        let status = self.send(event, &id, body).await.status();
        self.wait_idle().await;
        status
    }

    /// Waits until no delivery is pending or in progress.
    pub async fn wait_idle(&self) {
        for _ in 0..1000 {
            if self.store.queue_depth().await.expect("queue depth") == 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("queue did not drain within 10 s");
    }

    /// Stops taking deliveries and waits for the workers to finish the ones in hand. What it
    /// returns keeps the database file: a read after the shutdown may open a new connection.
    pub async fn shutdown(mut self) -> Stopped {
        self.shutdown.cancel();
        if let Some(workers) = self.workers.take() {
            workers.join().await;
        }
        Stopped {
            store: self.store,
            _database: self._database,
        }
    }
}

/// A stopped [`TestApp`]: its store, still readable, and the database behind it.
pub struct Stopped {
    pub store: Arc<dyn Store>,
    _database: TestDatabase,
}

/// A `pull_request` payload in GitHub's shape (trimmed to what matters plus realistic noise).
pub fn pull_request_payload(action: &str, repo: &str, number: u64, head_sha: &str) -> String {
    serde_json::json!({
        "action": action,
        "number": number,
        "pull_request": {
            "url": format!("https://api.github.com/repos/{repo}/pulls/{number}"),
            "number": number,
            "state": "open",
            "draft": false,
            "title": "Add the warp drive design",
            "user": { "login": "alice", "id": 1, "type": "User" },
            "body": "Design for review.",
            "head": { "ref": "warp", "sha": head_sha },
            "base": { "ref": "main", "sha": "0000000000000000000000000000000000000000" }
        },
        "repository": {
            "id": 1,
            "name": repo.split('/').nth(1).unwrap_or(repo),
            "full_name": repo,
            "owner": { "login": repo.split('/').next().unwrap_or(repo), "type": "Organization" },
            "default_branch": "main"
        },
        "installation": { "id": 42 },
        "sender": { "login": "alice", "id": 1, "type": "User" }
    })
    .to_string()
}
