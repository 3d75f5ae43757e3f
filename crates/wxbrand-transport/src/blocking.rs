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
/// Connections and the pool live on the private runtime, so the caller's own runtime (if any) is
/// not needed:
///
/// - **From plain threads** (the intended use) it simply blocks.
/// - **From a thread that runs a current-thread tokio runtime** (inside its `block_on`, e.g.
///   under `#[tokio::main(flavor = "current_thread")]` or a default `#[tokio::test]`, or in one
///   of its tasks) [`send`](BlockingTransport::send) returns at once an error of kind
///   [`Other`](TransportErrorKind::Other) and sends nothing: blocking there would stall every
///   task of that runtime, and a server living on it could never answer. Use [`HyperTransport`]
///   in async code, or call this transport from `tokio::task::spawn_blocking` (whose threads
///   run no scheduler, so it works there).
/// - **From a worker of a multi-thread tokio runtime** it works, blocking that worker for as
///   long as the request takes (at most the request timeout); the other workers keep running.
///   Async code should still prefer [`HyperTransport`].
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
        if runs_current_thread_scheduler() {
            return Err(TransportError::new(
                TransportErrorKind::Other,
                "BlockingHyperTransport cannot be used on a thread that runs a current-thread \
                 tokio runtime: blocking there would stall that runtime's tasks; use the async \
                 HyperTransport, or call it from tokio::task::spawn_blocking",
                None,
            ));
        }
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

/// Whether this thread runs the scheduler of a current-thread tokio runtime (inside its
/// `block_on` or one of its tasks): blocking here would stall every task of that runtime.
///
/// `spawn_blocking` threads carry the runtime's handle too but run no scheduler, and blocking is
/// what they are for. tokio has no public query for the difference, so a yield tells: on a
/// scheduler thread the waker is deferred until the scheduler next idles; anywhere else tokio
/// wakes it at once. Should that ever change, the worst outcome is the old behaviour (blocking
/// until the request timeout) or a refusal in `spawn_blocking` — never a panic or a deadlock.
fn runs_current_thread_scheduler() -> bool {
    use std::future::Future;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::task::{Context, Wake, Waker};
    use tokio::runtime::{Handle, RuntimeFlavor};

    struct Woken(AtomicBool);
    impl Wake for Woken {
        fn wake(self: Arc<Self>) {
            self.0.store(true, Ordering::SeqCst);
        }
    }

    match Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == RuntimeFlavor::CurrentThread => {}
        _ => return false,
    }
    let woken = Arc::new(Woken(AtomicBool::new(false)));
    let waker = Waker::from(Arc::clone(&woken));
    let mut yield_now = std::pin::pin!(tokio::task::yield_now());
    let _ = yield_now.as_mut().poll(&mut Context::from_waker(&waker));
    !woken.0.load(Ordering::SeqCst)
}
