//! One accepted connection: the socket, wrapped so that a fault can end it with a TCP reset, and
//! the switches the request handler shares with it.
//!
//! Every accepted `TcpStream` is wrapped in a [`ConnIo`] that shares a [`ConnControl`] with the
//! request handler. Faults that must touch the connection itself (a reset instead of a clean close)
//! set a flag there; when hyper lets go of the connection, `ConnIo` sets `SO_LINGER` to 0 so the
//! kernel sends a TCP RST. HTTPS wraps the same `ConnIo` in rustls, so the faults work the same way.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::Notify;
use tokio::time::Instant;

/// Per-connection switches the request handler and the listener can flip, and what the listener
/// needs to pick an idle connection to close when the connection cap is reached.
#[derive(Debug)]
pub(crate) struct ConnControl {
    reset: AtomicBool,
    /// Requests being handled on the connection now.
    busy: AtomicUsize,
    /// When the connection last finished a request (or was accepted); Tokio's clock.
    idle_since: Mutex<Instant>,
    /// Asks the connection to close once its current answer (if any) is out.
    close: Notify,
}

impl Default for ConnControl {
    fn default() -> Self {
        ConnControl {
            reset: AtomicBool::new(false),
            busy: AtomicUsize::new(0),
            idle_since: Mutex::new(Instant::now()),
            close: Notify::new(),
        }
    }
}

/// Marks a connection busy while a request is handled ([`ConnControl::begin_request`]).
#[derive(Debug)]
pub(crate) struct BusyGuard<'a> {
    control: &'a ConnControl,
}

impl Drop for BusyGuard<'_> {
    fn drop(&mut self) {
        *self
            .control
            .idle_since
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Instant::now();
        self.control.busy.fetch_sub(1, Ordering::SeqCst);
    }
}

impl ConnControl {
    /// The connection handles a request until the guard is dropped.
    pub(crate) fn begin_request(&self) -> BusyGuard<'_> {
        self.busy.fetch_add(1, Ordering::SeqCst);
        BusyGuard { control: self }
    }

    /// Since when the connection has been idle, or `None` while it handles a request.
    pub(crate) fn idle_since(&self) -> Option<Instant> {
        if self.busy.load(Ordering::SeqCst) > 0 {
            return None;
        }
        Some(
            *self
                .idle_since
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        )
    }

    /// Asks the connection to close (at once if idle, after its answer otherwise).
    pub(crate) fn ask_to_close(&self) {
        self.close.notify_one();
    }

    /// Resolves when the connection is asked to close.
    pub(crate) async fn close_requested(&self) {
        self.close.notified().await;
    }

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
    /// Wraps an accepted socket.
    pub(crate) fn new(tcp: TcpStream, control: Arc<ConnControl>) -> Self {
        ConnIo { tcp, control }
    }

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
