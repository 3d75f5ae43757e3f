//! The blocking client: the async pipeline driven on a private runtime.
//!
//! The pipeline (signing, retries, failover, rate limit, verification) exists once, in
//! [`Client`]; [`BlockingClient`] owns a small private tokio runtime and waits on it, so the
//! blocking and async surfaces behave identically.

use std::sync::Arc;

use bytes::Bytes;
use wxbrand_core::{Operation, Paged, PreparedRequest};

use crate::paging::Pager;
use crate::{Client, ClientBuilder, ConfigError, Error, ErrorKind, Response};

impl ClientBuilder {
    /// Builds a [`BlockingClient`] with these settings.
    pub fn build_blocking(self) -> Result<BlockingClient, ConfigError> {
        BlockingClient::from_builder(self)
    }
}

/// The blocking twin of [`Client`], for synchronous programs. Cheap to clone.
///
/// Its methods must not be called from a thread that runs an async runtime (inside `async` code):
/// there they return [`ErrorKind::BlockingInsideRuntime`] instead of blocking the runtime. That includes
/// tokio's `spawn_blocking` threads, which carry the runtime's context. Use [`Client`] in async
/// code ([`BlockingClient::as_async`] gives it), e.g. `Handle::current().block_on(client.as_async().send(&op))`
/// inside `spawn_blocking`.
#[derive(Clone)]
pub struct BlockingClient {
    client: Client,
    runtime: Arc<PrivateRuntime>,
}

impl std::fmt::Debug for BlockingClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlockingClient")
            .field("client", &self.client)
            .finish_non_exhaustive()
    }
}

/// Owns the runtime and shuts it down without blocking, so dropping the last clone is safe
/// anywhere (even inside another runtime).
struct PrivateRuntime(Option<tokio::runtime::Runtime>);

impl Drop for PrivateRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

impl BlockingClient {
    /// A builder; finish it with [`ClientBuilder::build_blocking`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A blocking client configured from the `WXBRAND_*` environment variables.
    pub fn from_env() -> Result<BlockingClient, ConfigError> {
        ClientBuilder::from_env()?.build_blocking()
    }

    fn from_builder(builder: ClientBuilder) -> Result<BlockingClient, ConfigError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("wxbrand-blocking")
            .enable_all()
            .build()
            .map_err(|error| ConfigError::Invalid {
                setting: "blocking runtime",
                problem: format!("the private runtime could not start: {error}"),
            })?;
        // The transport is built inside the runtime's context, so it binds to that runtime.
        let client = {
            let _context = runtime.enter();
            builder.build()?
        };
        Ok(BlockingClient {
            client,
            runtime: Arc::new(PrivateRuntime(Some(runtime))),
        })
    }

    /// The async client underneath (for code that has both).
    pub fn as_async(&self) -> &Client {
        &self.client
    }

    /// The brand id requests are signed for.
    pub fn brand_id(&self) -> &str {
        self.client.brand_id()
    }

    fn block_on<F: std::future::Future>(&self, future: F) -> Result<F::Output, Error> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(ErrorKind::BlockingInsideRuntime.into());
        }
        match &self.runtime.0 {
            Some(runtime) => Ok(runtime.block_on(future)),
            None => Err(ErrorKind::BlockingInsideRuntime.into()),
        }
    }

    /// Runs any operation, blocking the thread: see [`Client::send`].
    pub fn send<O: Operation>(&self, operation: &O) -> Result<Response<O::Response>, Error> {
        self.block_on(self.client.send(operation))?
    }

    /// Runs a prepared request, blocking the thread: see [`Client::send_prepared`].
    pub fn send_prepared(&self, prepared: &PreparedRequest) -> Result<Response<Bytes>, Error> {
        self.block_on(self.client.send_prepared(prepared))?
    }

    /// Every item of a listing, page after page, fetched as the iterator is read: the blocking
    /// twin of [`Client::paginate`] (same ends and limits, see [`crate::paging`]).
    pub fn paginate<O: Paged>(&self, first: O) -> PageIter<O> {
        PageIter {
            client: self.clone(),
            pager: Pager::new(first),
        }
    }
}

/// Every item of a listing, page after page: an iterator of `Result<item, Error>`. Made by
/// [`BlockingClient::paginate`]; how it ends and its limits: see [`crate::paging`].
pub struct PageIter<O: Paged> {
    client: BlockingClient,
    pager: Pager<O>,
}

impl<O: Paged> PageIter<O> {
    crate::paging::limit_methods!();
}

impl<O: Paged> std::fmt::Debug for PageIter<O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageIter")
            .field("operation", &O::NAME)
            .finish_non_exhaustive()
    }
}

impl<O: Paged> Iterator for PageIter<O> {
    type Item = Result<O::Item, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.pager.pop() {
                return Some(item);
            }
            let Some(request) = self.pager.next_request() else {
                return self.pager.pop();
            };
            let page = self.client.send(&request);
            self.pager.accept(request, page);
        }
    }
}
