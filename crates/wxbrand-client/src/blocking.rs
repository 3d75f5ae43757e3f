//! The blocking client: the async pipeline driven on a private runtime.
//!
//! The pipeline (signing, retries, failover, rate limit, verification) exists once, in
//! [`Client`]; [`BlockingClient`] owns a small private tokio runtime and waits on it, so the
//! blocking and async surfaces behave identically.

use std::sync::Arc;

use bytes::Bytes;
use wxbrand_core::{Operation, PreparedRequest};

use crate::{Client, ClientBuilder, ConfigError, Error, Response};

/// The blocking twin of [`Client`], for synchronous programs. Cheap to clone.
///
/// Its methods must not be called from a thread that runs an async runtime (inside `async` code):
/// there they return [`Error::BlockingInsideRuntime`] instead of blocking the runtime. That includes
/// tokio's `spawn_blocking` threads, which carry the runtime's context. Use [`Client`] in async
/// code ([`BlockingClient::as_async`] gives it), e.g. `Handle::current().block_on(client.as_async().execute(&op))`
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

    pub(crate) fn from_builder(builder: ClientBuilder) -> Result<BlockingClient, ConfigError> {
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
            return Err(Error::BlockingInsideRuntime);
        }
        match &self.runtime.0 {
            Some(runtime) => Ok(runtime.block_on(future)),
            None => Err(Error::BlockingInsideRuntime),
        }
    }

    /// Runs any operation, blocking the thread: see [`Client::execute`].
    pub fn execute<O: Operation + ?Sized>(
        &self,
        operation: &O,
    ) -> Result<Response<O::Response>, Error> {
        self.block_on(self.client.execute(operation))?
    }

    /// Runs a prepared request, blocking the thread: see [`Client::execute_prepared`].
    pub fn execute_prepared(&self, prepared: &PreparedRequest) -> Result<Response<Bytes>, Error> {
        self.block_on(self.client.execute_prepared(prepared))?
    }
}
