//! hyper + rustls transport. SKELETON.

use crate::{Bytes, Transport, TransportError};

/// hyper-util pooled client over hyper-rustls (rustls on aws-lc-rs).
#[derive(Debug, Clone)]
pub struct HyperTransport {}

/// Builds a [`HyperTransport`].
#[derive(Debug)]
pub struct HyperTransportBuilder {}

impl HyperTransport {
    /// Documented defaults.
    pub fn new() -> Result<Self, TransportError> { Self::builder().build() }
    /// A builder.
    pub fn builder() -> HyperTransportBuilder { HyperTransportBuilder {} }
}

impl HyperTransportBuilder {
    /// Trusts an extra root certificate (PEM), e.g. a local simulator's CA.
    pub fn add_root_certificate_pem(self, pem: &[u8]) -> Result<Self, TransportError> { todo!("{pem:?}") }
    /// Builds the transport.
    pub fn build(self) -> Result<HyperTransport, TransportError> { todo!() }
}

#[async_trait::async_trait]
impl Transport for HyperTransport {
    async fn send(&self, request: http::Request<Bytes>) -> Result<http::Response<Bytes>, TransportError> {
        todo!("{request:?}")
    }
}
