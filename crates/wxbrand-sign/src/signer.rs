//! The request signer. SKELETON.

use crate::{Authorization, PrivateKey, SignError};

/// Signs brand API requests. Cheap to clone, `Send + Sync`.
#[derive(Clone)]
pub struct Signer {}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.debug_struct("Signer").finish_non_exhaustive() }
}

impl Signer {
    /// A signer for a brand id, its API certificate serial number and private key.
    pub fn new(brand_id: impl Into<String>, serial_no: impl Into<String>, key: PrivateKey) -> Self { todo!() }
    /// The brand id.
    pub fn brand_id(&self) -> &str { todo!() }
    /// Signs one request. Deterministic for given inputs; reads no clock.
    pub fn authorization(
        &self,
        method: &str,
        path_and_query: &str,
        body: &[u8],
        timestamp: i64,
        nonce: &str,
    ) -> Result<Authorization, SignError> {
        todo!("{method}{path_and_query}{body:?}{timestamp}{nonce}")
    }
}
