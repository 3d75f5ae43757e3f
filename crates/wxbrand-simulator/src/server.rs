//! The listener and its connections.
//!
//! Every accepted `TcpStream` is wrapped in a [`ConnIo`] that shares a [`ConnControl`] with the
//! request handler. Faults that must touch the connection itself (a reset instead of a clean close)
//! set a flag there; when hyper lets go of the connection, `ConnIo` sets `SO_LINGER` to 0 so the
//! kernel sends a TCP RST. HTTPS wraps the same `ConnIo` in rustls, so the faults work the same way.

use std::future::Future as _;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinError, JoinSet};
use tokio_rustls::TlsAcceptor;

use crate::service::{self, Shared};
use crate::stats::Recorder;

/// How long a TLS handshake may take.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long shutdown waits for connections to finish their answers.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(2);
/// How long a cut body waits (so the first half is flushed) before the reset.
const CUT_PAUSE: Duration = Duration::from_millis(30);

/// Per-connection switches the request handler can flip.
#[derive(Debug, Default)]
pub(crate) struct ConnControl {
    reset: AtomicBool,
}

impl ConnControl {
    /// End the connection with a TCP RST instead of a FIN.
    pub(crate) fn reset_on_close(&self) {
        self.reset.store(true, Ordering::SeqCst);
    }
    fn wants_reset(&self) -> bool {
        self.reset.load(Ordering::SeqCst)
    }
}

/// The accepted socket, with the ability to end it by reset.
#[derive(Debug)]
pub(crate) struct ConnIo {
    tcp: TcpStream,
    control: Arc<ConnControl>,
}

impl ConnIo {
    fn arm_reset(&self) {
        if let Err(e) = self.tcp.set_zero_linger() {
            tracing::debug!(error = %e, "setting SO_LINGER 0 failed");
        }
    }
}

impl Drop for ConnIo {
    fn drop(&mut self) {
        if self.control.wants_reset() {
            self.arm_reset();
        }
    }
}

impl AsyncRead for ConnIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_read(cx, buf)
    }
}

impl AsyncWrite for ConnIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.tcp).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.control.wants_reset() {
            // No FIN: the drop that follows sends the RST.
            self.arm_reset();
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.tcp).poll_shutdown(cx)
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.tcp).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }
}

/// The handler gave up on the request: hyper closes the connection without an answer.
#[derive(Debug)]
pub(crate) struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped on purpose")
    }
}

impl std::error::Error for Dropped {}

/// An answer body: whole, or cut in the middle ([`Fault::ResetMidBody`](crate::Fault::ResetMidBody)).
#[derive(Debug)]
pub(crate) struct AnswerBody {
    kind: BodyKind,
}

#[derive(Debug)]
enum BodyKind {
    Full(Option<Bytes>),
    Cut {
        first: Option<Bytes>,
        pause: Pin<Box<tokio::time::Sleep>>,
        control: Arc<ConnControl>,
    },
}

impl AnswerBody {
    pub(crate) fn full(bytes: Bytes) -> Self {
        AnswerBody {
            kind: BodyKind::Full((!bytes.is_empty()).then_some(bytes)),
        }
    }

    /// Sends the first half, pauses so it is flushed, then fails (and the connection is reset).
    pub(crate) fn cut(bytes: Bytes, control: Arc<ConnControl>) -> Self {
        let half = bytes.slice(..bytes.len() / 2);
        AnswerBody {
            kind: BodyKind::Cut {
                first: (!half.is_empty()).then_some(half),
                pause: Box::pin(tokio::time::sleep(CUT_PAUSE)),
                control,
            },
        }
    }
}

impl Body for AnswerBody {
    type Data = Bytes;
    type Error = Dropped;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Dropped>>> {
        match &mut self.get_mut().kind {
            BodyKind::Full(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            BodyKind::Cut {
                first,
                pause,
                control,
            } => {
                if let Some(half) = first.take() {
                    return Poll::Ready(Some(Ok(Frame::data(half))));
                }
                match pause.as_mut().poll(cx) {
                    Poll::Pending => Poll::Pending,
                    Poll::Ready(()) => {
                        control.reset_on_close();
                        Poll::Ready(Some(Err(Dropped)))
                    }
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(&self.kind, BodyKind::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            BodyKind::Full(bytes) => {
                SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64))
            }
            BodyKind::Cut { .. } => SizeHint::default(),
        }
    }
}

/// Accepts connections until `shutdown` flips, then drains them (briefly) and returns.
pub(crate) async fn accept_loop(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    let _ = stream.set_nodelay(true);
                    shared.stats.update(|s| s.connections_accepted += 1);
                    connections.spawn(serve_connection(
                        stream,
                        tls.clone(),
                        Arc::clone(&shared),
                        shutdown.clone(),
                    ));
                }
                Err(e) => {
                    // Out of file descriptors and the like: wait a little and go on.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            },
            Some(joined) = connections.join_next(), if !connections.is_empty() => {
                record_join(&shared.stats, joined);
            }
            _ = shutdown.changed() => break,
        }
    }
    drop(listener);
    let drained = tokio::time::timeout(DRAIN_TIMEOUT, async {
        while let Some(joined) = connections.join_next().await {
            record_join(&shared.stats, joined);
        }
    })
    .await;
    if drained.is_err() {
        connections.abort_all();
    }
}

/// Counts and logs a connection task that did not end normally (it panicked: a simulator bug).
fn record_join(stats: &Recorder, joined: Result<(), JoinError>) {
    if let Err(e) = joined {
        tracing::error!(error = %e, "a connection task failed");
        stats.update(|s| s.handler_panics += 1);
    }
}

async fn serve_connection(
    stream: TcpStream,
    tls: Option<TlsAcceptor>,
    shared: Arc<Shared>,
    shutdown: watch::Receiver<bool>,
) {
    let control = Arc::new(ConnControl::default());
    let io = ConnIo {
        tcp: stream,
        control: Arc::clone(&control),
    };
    match tls {
        None => drive(TokioIo::new(io), shared, control, shutdown).await,
        Some(acceptor) => {
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(io)).await {
                Ok(Ok(tls_stream)) => {
                    drive(TokioIo::new(tls_stream), shared, control, shutdown).await
                }
                Ok(Err(e)) => tracing::debug!(error = %e, "TLS handshake failed"),
                Err(_) => tracing::debug!("TLS handshake timed out"),
            }
        }
    }
}

async fn drive<I>(
    io: I,
    shared: Arc<Shared>,
    control: Arc<ConnControl>,
    mut shutdown: watch::Receiver<bool>,
) where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let service = service_fn(move |request| {
        service::handle(Arc::clone(&shared), Arc::clone(&control), request)
    });
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .serve_connection(io, service);
    tokio::pin!(connection);
    tokio::select! {
        result = connection.as_mut() => {
            if let Err(e) = result {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        }
        _ = shutdown.changed() => {
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panicking_connection_task_is_counted() {
        let stats = Recorder::default();
        let mut tasks = JoinSet::new();
        tasks.spawn(async {});
        tasks.spawn(async { panic!("a bug in a handler") });
        while let Some(joined) = tasks.join_next().await {
            record_join(&stats, joined);
        }
        assert_eq!(stats.snapshot().handler_panics, 1);
    }
}
