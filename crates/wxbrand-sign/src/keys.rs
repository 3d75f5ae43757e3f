//! RSA keys. SKELETON.

use crate::KeyError;

/// An RSA private key (a brand API key, or in the simulator WeChat Pay's).
#[derive(Clone)]
pub struct PrivateKey {}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.debug_struct("PrivateKey").finish_non_exhaustive() }
}

impl PrivateKey {
    /// From PEM: PKCS#8 or PKCS#1.
    pub fn from_pem(pem: &[u8]) -> Result<Self, KeyError> { todo!("{pem:?}") }
    /// From DER: PKCS#8 or PKCS#1.
    pub fn from_der(der: &[u8]) -> Result<Self, KeyError> { todo!("{der:?}") }
    /// The matching public key.
    pub fn public_key(&self) -> PublicKey { todo!() }
    /// RSASSA-PKCS1-v1_5 SHA-256 signature of `message`, standard Base64.
    pub fn sign_base64(&self, message: &[u8]) -> Result<String, crate::SignError> { todo!("{message:?}") }
}

/// An RSA public key (WeChat Pay's, or in the simulator a brand's).
#[derive(Clone)]
pub struct PublicKey {}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.debug_struct("PublicKey").finish_non_exhaustive() }
}

impl PublicKey {
    /// From SPKI PEM (`BEGIN PUBLIC KEY`).
    pub fn from_pem(pem: &[u8]) -> Result<Self, KeyError> { todo!("{pem:?}") }
    /// From SPKI DER.
    pub fn from_der(der: &[u8]) -> Result<Self, KeyError> { todo!("{der:?}") }
    /// SPKI PEM text.
    pub fn to_pem(&self) -> String { todo!() }
    /// Whether `signature_base64` is a valid RSASSA-PKCS1-v1_5 SHA-256 signature of `message`.
    pub fn verify_base64(&self, message: &[u8], signature_base64: &str) -> bool { todo!("{message:?}{signature_base64}") }
}
