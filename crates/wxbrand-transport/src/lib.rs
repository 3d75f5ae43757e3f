//! The pluggable HTTP transport of wxbrand: bytes in, bytes out, in `http` types.
//!
//! The wxbrand client builds and signs each request, then hands it to a [`Transport`] (or, in
//! synchronous code, a [`BlockingTransport`]) that sends it and returns the whole answer. This
//! crate knows nothing of WeChat Pay: it defines the two traits, an error that tells the caller
//! what is safe to do next ([`TransportError`], [`TransportErrorKind`]), and implementations:
//!
//! - `HyperTransport` (feature `hyper`): a pooled hyper-util client over hyper-rustls, rustls
//!   on its aws-lc-rs provider, HTTP/1.1 keep-alive and HTTP/2 by ALPN;
//! - `BlockingHyperTransport` (feature `blocking`): the same stack behind a private runtime, for
//!   synchronous code (on a thread that runs a current-thread tokio runtime it refuses with an
//!   error instead of stalling that runtime);
//! - `test_util::MockTransport` (feature `test-util`): records requests, answers from a script.
//!
//! Bring your own HTTP stack by implementing [`Transport`]; the traits are object-safe, so
//! `Arc<dyn Transport>` and `Box<dyn BlockingTransport>` work.
//!
//! ```
//! use std::sync::Arc;
//! use wxbrand_transport::{Bytes, Transport, TransportError, TransportErrorKind};
//!
//! /// A transport that answers every request itself: no network.
//! #[derive(Debug)]
//! struct Canned;
//!
//! #[async_trait::async_trait]
//! impl Transport for Canned {
//!     async fn send(
//!         &self,
//!         request: http::Request<Bytes>,
//!     ) -> Result<http::Response<Bytes>, TransportError> {
//!         if request.uri().scheme_str() != Some("https") {
//!             return Err(TransportError::new(TransportErrorKind::InvalidUrl, "https only", None));
//!         }
//!         Ok(http::Response::new(Bytes::from_static(b"{}")))
//!     }
//! }
//!
//! # fn block_on<F: std::future::Future>(future: F) -> F::Output {
//! #     // A tiny executor so the example needs no runtime: `Canned` never waits.
//! #     use std::task::{Context, Poll, Wake, Waker};
//! #     struct Noop;
//! #     impl Wake for Noop { fn wake(self: Arc<Self>) {} }
//! #     let waker = Waker::from(Arc::new(Noop));
//! #     let mut future = std::pin::pin!(future);
//! #     let mut cx = Context::from_waker(&waker);
//! #     loop { if let Poll::Ready(out) = future.as_mut().poll(&mut cx) { return out; } }
//! # }
//! let transport: Arc<dyn Transport> = Arc::new(Canned);
//! let request = http::Request::get("https://example.test/").body(Bytes::new()).unwrap();
//! let response = block_on(transport.send(request)).unwrap();
//! assert_eq!(response.body().as_ref(), b"{}");
//!
//! let plain = http::Request::get("http://example.test/").body(Bytes::new()).unwrap();
//! let error = block_on(transport.send(plain)).unwrap_err();
//! assert_eq!(error.kind(), TransportErrorKind::InvalidUrl);
//! ```
//!
//! # What is safe after an error
//!
//! | [`TransportErrorKind`] | meaning | send again? |
//! |---|---|---|
//! | `NotSent` | DNS failure, connection refused, connect timeout, TLS handshake failure | yes, here or to another host |
//! | `MaybeDelivered` | reset or timeout after the request was handed to a connection, truncated answer | only a repeat-safe request |
//! | `ResponseTooLarge` | the answer exceeds the configured maximum | the server did act on it |
//! | `InvalidUrl` | the URL cannot be used | no: fix the URL |
//! | `Other` | anything else | treat as possibly delivered |
//!
//! # Crate features
//! - `hyper` (default): `HyperTransport`, hyper-util + hyper-rustls with rustls on aws-lc-rs,
//!   webpki roots or the platform's roots.
//! - `blocking`: `BlockingHyperTransport`, the hyper stack for synchronous code (implies `hyper`).
//! - `test-util`: `test_util::MockTransport`, a recording, scripted transport for tests.
//! - `reqwest`: `ReqwestTransport`, an adapter over a `reqwest::Client` you configure (rustls on
//!   aws-lc-rs; no native-tls or OpenSSL).
//!
//! The [`Transport`] and [`BlockingTransport`] traits and the error types are always available.
#![warn(missing_docs, missing_debug_implementations)]

#[cfg(feature = "blocking")]
mod blocking;
#[cfg(any(feature = "hyper", feature = "reqwest"))]
mod classify;
mod error;
#[cfg(feature = "hyper")]
mod hyper_transport;
#[cfg(feature = "reqwest")]
mod reqwest_transport;
#[cfg(feature = "test-util")]
pub mod test_util;

use std::sync::Arc;

#[cfg(feature = "blocking")]
pub use blocking::BlockingHyperTransport;
pub use bytes::Bytes;
pub use error::{TransportError, TransportErrorKind};
#[cfg(feature = "hyper")]
pub use hyper_transport::{BuiltInRoots, HyperTransport, HyperTransportBuilder};
/// The `reqwest` crate this transport is built for (feature `reqwest`), so that the client you
/// hand to [`ReqwestTransport`] comes from the same version.
#[cfg(feature = "reqwest")]
pub use reqwest;
#[cfg(feature = "reqwest")]
pub use reqwest_transport::ReqwestTransport;

/// Sends one request and returns the whole answer. Object-safe: `Arc<dyn Transport>` works.
///
/// Implementations send `request` to its absolute URI (scheme and host included), read the
/// whole answer body, and classify every failure by what is safe to do next
/// ([`TransportErrorKind`]). An HTTP error status (4xx, 5xx) is an answer, not an error.
///
/// `Arc<T>`, `Box<T>` and `&T` implement `Transport` when `T` does (including `dyn Transport`).
#[async_trait::async_trait]
pub trait Transport: Send + Sync + std::fmt::Debug {
    /// Sends `request` (absolute URI) and reads the whole answer body.
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError>;
}

/// The synchronous twin of [`Transport`]: same contract, blocking the calling thread.
///
/// `Arc<T>`, `Box<T>` and `&T` implement `BlockingTransport` when `T` does (including
/// `dyn BlockingTransport`).
pub trait BlockingTransport: Send + Sync + std::fmt::Debug {
    /// Sends `request` (absolute URI) and reads the whole answer body, blocking the thread.
    fn send(&self, request: http::Request<Bytes>) -> Result<http::Response<Bytes>, TransportError>;
}

#[async_trait::async_trait]
impl<T: Transport + ?Sized> Transport for Arc<T> {
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        (**self).send(request).await
    }
}

#[async_trait::async_trait]
impl<T: Transport + ?Sized> Transport for Box<T> {
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        (**self).send(request).await
    }
}

#[async_trait::async_trait]
impl<T: Transport + ?Sized> Transport for &T {
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        (**self).send(request).await
    }
}

impl<T: BlockingTransport + ?Sized> BlockingTransport for Arc<T> {
    fn send(&self, request: http::Request<Bytes>) -> Result<http::Response<Bytes>, TransportError> {
        (**self).send(request)
    }
}

impl<T: BlockingTransport + ?Sized> BlockingTransport for Box<T> {
    fn send(&self, request: http::Request<Bytes>) -> Result<http::Response<Bytes>, TransportError> {
        (**self).send(request)
    }
}

impl<T: BlockingTransport + ?Sized> BlockingTransport for &T {
    fn send(&self, request: http::Request<Bytes>) -> Result<http::Response<Bytes>, TransportError> {
        (**self).send(request)
    }
}
