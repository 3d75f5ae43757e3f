//! A [`BlockingTransport`] carrying the async pipeline (and so the `BlockingClient` too).

use std::sync::Arc;

use bytes::Bytes;
use wxbrand_transport::{BlockingTransport, Transport, TransportError, TransportErrorKind};

/// A [`BlockingTransport`] seen as a [`Transport`]: each send runs on the blocking thread pool.
#[derive(Debug)]
pub(crate) struct FromBlockingTransport(pub(crate) Arc<dyn BlockingTransport>);

#[async_trait::async_trait]
impl Transport for FromBlockingTransport {
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        let transport = Arc::clone(&self.0);
        match tokio::task::spawn_blocking(move || transport.send(request)).await {
            Ok(outcome) => outcome,
            // The request may or may not have been written when the transport panicked.
            Err(join) => Err(TransportError::new(
                TransportErrorKind::Other,
                "the blocking transport panicked or was cancelled",
                Some(Box::new(join)),
            )),
        }
    }
}
