//! Serving a router over HTTP/1.1 with the connection limits of SPEC §12: a client must
//! send its whole request head within [`ConnectionLimits::header_read`] (10 s), a
//! keep-alive connection idle for [`ConnectionLimits::idle`] (60 s) is closed, and at most
//! `max_connections` are open at once (further ones wait in the kernel's backlog, so a
//! flood of idle sockets cannot exhaust file descriptors or starve `/healthz`).
//! `axum::serve` has none of these knobs.

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::pin::pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use ipnet::IpNet;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, Semaphore};
use tokio::time::Instant;
use tower::ServiceExt;

use crate::limits::client_subject;

/// The deadlines of a connection, and one client's share of the connections. SPEC §12
/// fixes the deadlines for people; tests shorten them rather than wait a minute of real
/// time.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Slowloris defence: the request line and headers must arrive within this.
    pub header_read: Duration,
    /// A keep-alive connection with no request in flight is closed after this.
    pub idle: Duration,
    /// Most connections one client address (IPv6 per /64) may hold open, trusted proxies
    /// excepted (`MAX_CONNECTIONS_PER_CLIENT`): one host cannot take every slot.
    pub per_client: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            header_read: Duration::from_secs(10),
            idle: Duration::from_secs(60),
            per_client: 256,
        }
    }
}

/// The open connections of each client address, for [`ConnectionLimits::per_client`]. An
/// entry lives only while its client has a connection open, so the map holds at most as
/// many entries as there are connections.
#[derive(Default)]
struct OpenByClient(Mutex<HashMap<String, usize>>);

/// One client's claim on a connection of its share; gives it back when dropped.
struct ClientShare {
    open: Arc<OpenByClient>,
    client: String,
}

impl OpenByClient {
    /// Counts one more connection for `client`, unless it holds its whole share already.
    fn claim(self: &Arc<Self>, client: String, share: usize) -> Option<ClientShare> {
        let mut open = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(client.clone()).or_default();
        if *count >= share {
            return None;
        }
        *count += 1;
        Some(ClientShare {
            open: self.clone(),
            client,
        })
    }
}

impl Drop for ClientShare {
    fn drop(&mut self) {
        let mut open = self.open.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.client) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.client);
            }
        }
    }
}

/// How long in-flight requests get to finish after shutdown begins.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);
/// File descriptors kept free of client connections: the database pool, SMTP, logs.
const RESERVED_DESCRIPTORS: u64 = 256;

/// Raises this process's open-file limit to what the system allows and returns how many
/// client connections fit under it, at most `wanted`: past the limit `accept` would fail,
/// and every other socket (the database, SMTP) with it.
pub(crate) fn connection_capacity(wanted: usize) -> usize {
    let Ok(soft) = rlimit::increase_nofile_limit(u64::MAX) else {
        return wanted;
    };
    let fits = usize::try_from(soft.saturating_sub(RESERVED_DESCRIPTORS)).unwrap_or(usize::MAX);
    if fits < wanted {
        tracing::warn!(
            wanted,
            fits,
            "MAX_CONNECTIONS is above what the open-file limit allows; using the lower number"
        );
    }
    wanted.min(fits).max(1)
}

/// Serves `router` on `listener` until `shutdown` resolves, then stops accepting and lets
/// open connections finish their requests (up to a grace period).
///
/// # Errors
/// Accepting failed in a way that retrying cannot mend.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    max_connections: usize,
    limits: ConnectionLimits,
    trusted_proxies: Arc<Vec<IpNet>>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(max_connections));
    let open_by_client = Arc::new(OpenByClient::default());
    let graceful = GracefulShutdown::new();
    let mut shutdown = pin!(shutdown);
    loop {
        // Wait for a free slot before accepting: past the cap, clients queue in the backlog.
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let trusted = trusted_proxies
            .iter()
            .any(|network| network.contains(&peer.ip()));
        let share = if trusted {
            None
        } else {
            // As the limits count clients: IPv6 per /64, which one subscriber holds.
            match open_by_client.claim(client_subject(peer.ip()), limits.per_client) {
                Some(share) => Some(share),
                // Its share is taken: closed at once, the slot free for someone else.
                None => {
                    tracing::debug!("a client holds its whole share of connections");
                    continue;
                }
            }
        };
        let _ = stream.set_nodelay(true);
        let activity = Arc::new(Activity::new(limits));
        let service = connection_service(router.clone(), peer, activity.clone());
        let io = TokioIo::new(Watched {
            stream,
            activity: activity.clone(),
        });
        let connection = hyper::server::conn::http1::Builder::new().serve_connection(io, service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let mut connection = pin!(connection);
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(error) = result {
                        tracing::debug!(%error, "connection ended with an error");
                    }
                }
                reason = activity.overdue() => tracing::debug!(reason, "closing a connection"),
            }
            drop(share);
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open after the grace period; closing them");
    }
    Ok(())
}

/// Where a connection stands, for its two deadlines.
#[derive(Debug, Clone, Copy)]
enum Phase {
    /// Waiting for a request head that began (or, on a new connection, should begin) at
    /// this instant: it must be complete within [`ConnectionLimits::header_read`].
    ReadingHead(Instant),
    /// This many requests are being answered; no deadline.
    Answering(usize),
    /// Idle since this instant, between requests of a keep-alive connection.
    Idle(Instant),
}

/// One connection's phase. hyper's own header timeout also runs while a keep-alive
/// connection is idle, so it would close those after 10 s instead of 60; this tracks both
/// deadlines itself.
struct Activity {
    phase: Mutex<Phase>,
    changed: Notify,
    limits: ConnectionLimits,
}

impl Activity {
    fn new(limits: ConnectionLimits) -> Self {
        Self {
            phase: Mutex::new(Phase::ReadingHead(Instant::now())),
            changed: Notify::new(),
            limits,
        }
    }

    fn update(&self, change: impl FnOnce(Phase) -> Phase) {
        let mut phase = self.phase.lock().unwrap_or_else(PoisonError::into_inner);
        *phase = change(*phase);
        drop(phase);
        self.changed.notify_waiters();
    }

    /// Bytes arrived: on an idle connection, a request head has begun.
    fn bytes_arrived(&self) {
        let idle = matches!(
            *self.phase.lock().unwrap_or_else(PoisonError::into_inner),
            Phase::Idle(_)
        );
        if idle {
            self.update(|_| Phase::ReadingHead(Instant::now()));
        }
    }

    fn request_began(&self) {
        self.update(|phase| match phase {
            Phase::Answering(count) => Phase::Answering(count + 1),
            Phase::ReadingHead(_) | Phase::Idle(_) => Phase::Answering(1),
        });
    }

    fn request_ended(&self) {
        self.update(|phase| match phase {
            Phase::Answering(count) if count > 1 => Phase::Answering(count - 1),
            _ => Phase::Idle(Instant::now()),
        });
    }

    /// Resolves when the connection has missed a deadline, saying which.
    async fn overdue(&self) -> &'static str {
        loop {
            let changed = self.changed.notified();
            let phase = *self.phase.lock().unwrap_or_else(PoisonError::into_inner);
            let (deadline, reason) = match phase {
                Phase::ReadingHead(since) => (
                    since + self.limits.header_read,
                    "the request head took too long",
                ),
                Phase::Idle(since) => (since + self.limits.idle, "idle keep-alive"),
                Phase::Answering(_) => {
                    changed.await;
                    continue;
                }
            };
            tokio::select! {
                () = tokio::time::sleep_until(deadline) => return reason,
                () = changed => {}
            }
        }
    }
}

/// The socket, telling its connection's [`Activity`] when bytes arrive.
struct Watched {
    stream: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.bytes_arrived();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

/// Counts the request as being answered until its response is ready.
struct Answering(Arc<Activity>);

impl Drop for Answering {
    fn drop(&mut self) {
        self.0.request_ended();
    }
}

fn connection_service(
    router: Router,
    peer: SocketAddr,
    activity: Arc<Activity>,
) -> TowerToHyperService<
    impl tower::Service<
        hyper::Request<Incoming>,
        Response = axum::response::Response,
        Error = std::convert::Infallible,
        Future = impl Send,
    > + Clone,
> {
    TowerToHyperService::new(tower::service_fn(
        move |mut request: hyper::Request<Incoming>| {
            let router = router.clone();
            activity.request_began();
            let answering = Answering(activity.clone());
            request.extensions_mut().insert(ConnectInfo(peer));
            async move {
                let response = router.oneshot(request.map(axum::body::Body::new)).await;
                drop(answering);
                response
            }
        },
    ))
}
