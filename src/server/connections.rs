//! The HTTP listener: accepts TCP connections and serves them with hyper, so that clients who
//! never authenticate cannot hold the server's sockets.
//!
//! Every connection is in one [`Phase`]: waiting for a request, reading a request's headers, or
//! inside a request (the route's handler runs; the webhook route bounds its own body read). A
//! connection waiting longer than the idle timeout, or reading headers longer than the header
//! timeout, is closed. At most `max_connections` are open: when the cap is reached (or `accept`
//! fails for want of file descriptors), the connection that has been waiting or reading headers
//! the longest is closed to make room, so a flood of idle or slow clients cannot keep a real
//! delivery out. Connections inside a request are never cut.

use std::{
    collections::HashMap,
    future::Future,
    io,
    pin::Pin,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    task::{Context, Poll},
    time::Duration,
};

use axum::{Router, body::Body};
use hyper::{Request, body::Incoming, server::conn::http1};
use hyper_util::rt::TokioIo;
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::{TcpListener, TcpStream},
    sync::Notify,
    time::Instant,
};
use tokio_util::{sync::CancellationToken, task::TaskTracker};
use tower::ServiceExt;

/// How long connections may stay open without progress, and how many may be open at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// From a request's first byte to the end of its headers (slowloris headers).
    pub header_read_timeout: Duration,
    /// With no request in progress: after the connection opened or its last response.
    pub idle_timeout: Duration,
    /// Open connections; more are served by closing the longest-waiting idle one.
    pub max_connections: usize,
}

/// Serves `app` on `listener` until `stop` completes; then stops accepting, lets requests in
/// progress finish, closes idle connections and returns once every connection is closed.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    stop: impl Future<Output = ()>,
) {
    let open = Arc::new(OpenConnections::default());
    let closing = CancellationToken::new();
    let tasks = TaskTracker::new();
    let mut accept_errors = AcceptErrorLog::default();
    let max_connections = limits.max_connections.min(open_file_share()).max(1);
    if max_connections < limits.max_connections {
        tracing::info!(
            max_connections,
            "HTTP_MAX_CONNECTIONS lowered to half the open-file limit (ulimit -n)"
        );
    }
    tokio::pin!(stop);
    loop {
        if open.len() >= max_connections {
            open.make_room();
            tokio::select! {
                () = open.wait_for_room(Duration::from_millis(100)) => continue,
                () = &mut stop => break,
            }
        }
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut stop => break,
        };
        match accepted {
            Ok((stream, _peer)) => {
                let registration = open.register();
                tasks.spawn(serve_connection(
                    stream,
                    app.clone(),
                    registration,
                    limits,
                    closing.clone(),
                ));
            }
            Err(error) if is_connection_error(&error) => {}
            Err(error) => {
                // Out of file descriptors (EMFILE, ENFILE) or memory: free a socket and go on
                // at once rather than sleeping, which would stall every client.
                accept_errors.note(&error, open.len());
                open.make_room();
                open.wait_for_room(Duration::from_millis(10)).await;
            }
        }
    }
    drop(listener);
    closing.cancel();
    tasks.close();
    tasks.wait().await;
}

/// Half the process's open-file limit: client connections never take the descriptors the
/// database and the GitHub client need.
fn open_file_share() -> usize {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: `getrlimit` writes into the struct it is given and nothing else.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0 {
            return usize::try_from(limit.rlim_cur / 2).unwrap_or(usize::MAX);
        }
    }
    usize::MAX
}

/// Errors of one connection that never reached us (the client went away): nothing to do.
fn is_connection_error(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// Logs `accept` failures at most once a second, with how many were seen since.
#[derive(Default)]
struct AcceptErrorLog {
    last: Option<Instant>,
    since: u64,
}

impl AcceptErrorLog {
    fn note(&mut self, error: &io::Error, open: usize) {
        self.since += 1;
        let now = Instant::now();
        if self
            .last
            .is_none_or(|last| now - last >= Duration::from_secs(1))
        {
            tracing::warn!(
                %error,
                failures = self.since,
                open_connections = open,
                "cannot accept connections: closing the longest-idle one"
            );
            self.last = Some(now);
            self.since = 0;
        }
    }
}

/// Where a connection is; what decides when it is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// No request in progress, no byte of the next one received.
    Waiting,
    /// The first bytes of a request arrived; its headers are not complete.
    ReadingHeaders,
    /// A request is being handled.
    InRequest,
}

/// One open connection, shared by its task, its I/O wrapper and the registry.
struct Connection {
    id: u64,
    state: Mutex<(Phase, Instant)>,
    /// Woken when the phase changes, so the connection's deadline is recomputed.
    changed: Notify,
    /// Cancelled to close the connection at once (to make room for a new one).
    evict: CancellationToken,
}

impl Connection {
    fn phase(&self) -> (Phase, Instant) {
        *self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn enter(&self, phase: Phase) {
        *self.state.lock().unwrap_or_else(|p| p.into_inner()) = (phase, Instant::now());
        self.changed.notify_one();
    }

    /// Bytes arrived: when waiting, a request has begun.
    fn received(&self) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if state.0 == Phase::Waiting {
            *state = (Phase::ReadingHeaders, Instant::now());
            drop(state);
            self.changed.notify_one();
        }
    }

    /// When the connection must be closed unless its phase changes; `None` inside a request.
    fn deadline(&self, limits: &ConnectionLimits) -> Option<Instant> {
        match self.phase() {
            (Phase::Waiting, since) => Some(since + limits.idle_timeout),
            (Phase::ReadingHeaders, since) => Some(since + limits.header_read_timeout),
            (Phase::InRequest, _) => None,
        }
    }
}

/// Marks a connection as inside a request until dropped (also when the request is abandoned).
struct InRequest(Arc<Connection>);

impl InRequest {
    fn begin(connection: Arc<Connection>) -> Self {
        connection.enter(Phase::InRequest);
        Self(connection)
    }
}

impl Drop for InRequest {
    fn drop(&mut self) {
        self.0.enter(Phase::Waiting);
    }
}

/// The registry of open connections.
#[derive(Default)]
struct OpenConnections {
    next_id: AtomicU64,
    open: Mutex<HashMap<u64, Arc<Connection>>>,
    closed: Notify,
}

impl OpenConnections {
    fn len(&self) -> usize {
        self.open.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    fn register(self: &Arc<Self>) -> Registration {
        let connection = Arc::new(Connection {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            state: Mutex::new((Phase::Waiting, Instant::now())),
            changed: Notify::new(),
            evict: CancellationToken::new(),
        });
        self.open
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(connection.id, connection.clone());
        Registration {
            open: self.clone(),
            connection,
        }
    }

    /// Closes the connection that has waited or read headers the longest, if any (one not yet
    /// closing); connections inside a request are kept.
    fn make_room(&self) {
        let open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let oldest = open
            .values()
            .filter(|c| !c.evict.is_cancelled())
            .filter_map(|c| match c.phase() {
                (Phase::InRequest, _) => None,
                (_, since) => Some((since, c)),
            })
            .min_by_key(|(since, _)| *since);
        if let Some((_, connection)) = oldest {
            connection.evict.cancel();
        }
    }

    /// Returns once a connection closed, or after `at_most`.
    async fn wait_for_room(&self, at_most: Duration) {
        let _ = tokio::time::timeout(at_most, self.closed.notified()).await;
    }
}

/// A connection's place in the registry, given up when its task ends (even by a panic).
struct Registration {
    open: Arc<OpenConnections>,
    connection: Arc<Connection>,
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.open
            .open
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.connection.id);
        self.open.closed.notify_one();
    }
}

/// Serves one connection until it ends, times out, is evicted, or (at shutdown) finishes its
/// request in progress.
async fn serve_connection(
    stream: TcpStream,
    app: Router,
    registration: Registration,
    limits: ConnectionLimits,
    closing: CancellationToken,
) {
    let connection = registration.connection.clone();
    let _ = stream.set_nodelay(true);
    let io = TokioIo::new(WatchedIo {
        inner: stream,
        connection: connection.clone(),
    });
    let in_service = connection.clone();
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        let in_request = InRequest::begin(in_service.clone());
        let response = app.clone().oneshot(request.map(Body::new));
        async move {
            let response = response.await;
            drop(in_request);
            response
        }
    });
    // Timeouts are the phases' (hyper's header timeout would count idle keep-alive time too).
    let served = http1::Builder::new()
        .header_read_timeout(None)
        .serve_connection(io, service);
    tokio::pin!(served);
    let mut shutting_down = false;
    loop {
        let deadline = connection.deadline(&limits);
        let expired = async {
            match deadline {
                Some(deadline) => tokio::time::sleep_until(deadline).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            result = served.as_mut() => {
                if let Err(error) = result {
                    tracing::debug!(%error, "connection ended with an error");
                }
                break;
            }
            () = connection.changed.notified() => {}
            () = expired => {
                if connection.deadline(&limits).is_some_and(|d| d <= Instant::now()) {
                    tracing::debug!(phase = ?connection.phase().0, "connection timed out");
                    break;
                }
            }
            () = connection.evict.cancelled() => {
                tracing::debug!("idle connection closed to make room");
                break;
            }
            () = closing.cancelled(), if !shutting_down => {
                shutting_down = true;
                served.as_mut().graceful_shutdown();
            }
        }
    }
}

/// The TCP stream, telling its connection when bytes arrive (a request has begun).
struct WatchedIo {
    inner: TcpStream,
    connection: Arc<Connection>,
}

impl AsyncRead for WatchedIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.connection.received();
        }
        polled
    }
}

impl AsyncWrite for WatchedIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}
