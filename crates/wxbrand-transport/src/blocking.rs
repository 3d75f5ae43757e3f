//! The hyper stack for synchronous code, driven by a private tokio runtime.

use std::fmt;
use std::sync::mpsc;
use std::sync::Arc;

use http::{Request, Response};

use crate::{BlockingTransport, Bytes, HyperTransport, HyperTransportBuilder, Transport};
use crate::{TransportError, TransportErrorKind};

/// A [`HyperTransport`] driven by a private tokio runtime (one worker thread), for synchronous
/// code: [`BlockingTransport::send`] blocks the calling thread until the answer is read or the
/// request fails.
///
/// Each request runs as a task on the private runtime; the calling thread waits for its result.
/// Connections and the pool live on the private runtime, so this works the same whether or not
/// the caller is itself inside a tokio runtime:
///
/// - **From plain threads** (the intended use) it simply blocks.
/// - **From inside a tokio runtime** it also works and never panics, but it blocks the calling
///   thread for as long as the request takes (at most the request timeout). On a current-thread
///   runtime that stalls every other task of that runtime meanwhile — including, say, a local
///   test server living there, which then cannot answer until the timeout fires. Async code should
///   use [`HyperTransport`] instead.
/// - **Dropping it** anywhere, including inside an async context, is fine: the private runtime
///   is shut down in the background without waiting.
///
/// Cloning is cheap: clones share the runtime and the connection pool; the runtime stops when
/// the last clone is dropped.
///
/// ```no_run
/// use wxbrand_transport::{BlockingHyperTransport, BlockingTransport, Bytes};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let transport = BlockingHyperTransport::new()?;
/// let request = http::Request::get("https://api.mch.weixin.qq.com/").body(Bytes::new())?;
/// let response = transport.send(request)?;
/// println!("{}", response.status());
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct BlockingHyperTransport {
    inner: Arc<Inner>,
}

struct Inner {
    transport: HyperTransport,
    // `Option` so `Drop` can take it and shut it down without blocking.
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            // A plain drop waits for the worker and panics inside an async context.
            runtime.shutdown_background();
        }
    }
}

impl fmt::Debug for BlockingHyperTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlockingHyperTransport")
            .field("transport", &self.inner.transport)
            .finish_non_exhaustive()
    }
}

impl BlockingHyperTransport {
    /// A blocking transport with the documented defaults of [`HyperTransportBuilder`].
    ///
    /// Fails with [`Other`](TransportErrorKind::Other) if the TLS configuration or the private
    /// runtime cannot be made.
    pub fn new() -> Result<Self, TransportError> {
        HyperTransport::builder().build_blocking()
    }

    /// Drives `transport` (configured with [`HyperTransport::builder`]) from a new private
    /// runtime. Connections this transport opens live on that runtime.
    pub fn with_transport(transport: HyperTransport) -> Result<Self, TransportError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("wxbrand-transport")
            .enable_all()
            .build()
            .map_err(|e| {
                TransportError::with_source(
                    TransportErrorKind::Other,
                    "the private runtime of the blocking transport cannot be started",
                    e,
                )
            })?;
        Ok(BlockingHyperTransport {
            inner: Arc::new(Inner {
                transport,
                runtime: Some(runtime),
            }),
        })
    }

    /// The async transport this one drives.
    pub fn transport(&self) -> &HyperTransport {
        &self.inner.transport
    }
}

impl HyperTransportBuilder {
    /// Builds a [`BlockingHyperTransport`] with these settings (feature `blocking`).
    pub fn build_blocking(self) -> Result<BlockingHyperTransport, TransportError> {
        BlockingHyperTransport::with_transport(self.build()?)
    }
}

impl BlockingTransport for BlockingHyperTransport {
    fn send(&self, request: Request<Bytes>) -> Result<Response<Bytes>, TransportError> {
        let stopped = || {
            TransportError::new(
                TransportErrorKind::Other,
                "the private runtime of the blocking transport stopped before answering",
                None,
            )
        };
        let runtime = self.inner.runtime.as_ref().ok_or_else(stopped)?;
        let transport = self.inner.transport.clone();
        let (answer_tx, answer_rx) = mpsc::sync_channel(1);
        // Spawning (unlike `Runtime::block_on`) is allowed from any thread, inside a runtime or not.
        runtime.spawn(async move {
            let answer = transport.send(request).await;
            // The caller may be gone; nothing to do then.
            let _ = answer_tx.send(answer);
        });
        answer_rx.recv().map_err(|_| stopped())?
    }
}
