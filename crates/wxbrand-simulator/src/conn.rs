//! One accepted connection: the socket, wrapped so that a fault can end it with a TCP reset, and
//! the switches the request handler shares with it.
//!
//! Every accepted `TcpStream` is wrapped in a [`ConnIo`] that shares a [`ConnControl`] with the
//! request handler. Faults that must touch the connection itself (a reset instead of a clean close)
//! set a flag there; when hyper lets go of the connection, `ConnIo` sets `SO_LINGER` to 0 so the
//! kernel sends a TCP RST. HTTPS wraps the same `ConnIo` in rustls, so the faults work the same way.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

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
