//! Pluggable HTTP transport for wxbrand. SKELETON: the transport issue fills this in.
#![warn(missing_docs, missing_debug_implementations)]

mod error;
#[cfg(feature = "hyper")]
mod hyper_transport;
#[cfg(feature = "blocking")]
mod blocking;
#[cfg(feature = "test-util")]
pub mod test_util;

pub use bytes::Bytes;
pub use error::{TransportError, TransportErrorKind};
#[cfg(feature = "hyper")]
pub use hyper_transport::{HyperTransport, HyperTransportBuilder};
#[cfg(feature = "blocking")]
pub use blocking::BlockingHyperTransport;

/// Sends one request and returns the whole answer. Object-safe: `Arc<dyn Transport>` works.
#[async_trait::async_trait]
pub trait Transport: Send + Sync + std::fmt::Debug {
    /// Sends `request` (absolute URI) and reads the whole answer body.
    async fn send(&self, request: http::Request<Bytes>) -> Result<http::Response<Bytes>, TransportError>;
}

/// The synchronous twin of [`Transport`].
pub trait BlockingTransport: Send + Sync + std::fmt::Debug {
    /// Sends `request` (absolute URI) and reads the whole answer body, blocking the thread.
    fn send(&self, request: http::Request<Bytes>) -> Result<http::Response<Bytes>, TransportError>;
}
