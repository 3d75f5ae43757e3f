//! Answer verification. SKELETON.

use crate::{HeaderSource, PublicKey, VerifyError};

/// Verifies WeChat Pay answers and notifications. Cheap to clone, `Send + Sync`.
#[derive(Clone)]
pub struct Verifier {}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.debug_struct("Verifier").finish_non_exhaustive() }
}

/// What a verified answer carried.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifiedResponse {
    /// The `Wechatpay-Serial` (key id) that verified it.
    pub key_id: String,
    /// The `Wechatpay-Timestamp`.
    pub timestamp: i64,
    /// The `Request-ID`, if present.
    pub request_id: Option<String>,
}

impl Verifier {
    /// A verifier holding one WeChat Pay public key by its id (`PUB_KEY_ID_…`).
    pub fn new(key_id: impl Into<String>, key: PublicKey) -> Self { todo!() }
    /// Adds another key (rotation: old and new at once).
    pub fn with_key(self, key_id: impl Into<String>, key: PublicKey) -> Self { todo!() }
    /// Sets the window (default 300 s): rejected when |now − timestamp| ≥ window.
    pub fn with_window_seconds(self, seconds: i64) -> Self { todo!("{seconds}") }
    /// The id of the first key (what requests send as `Wechatpay-Serial`).
    pub fn primary_key_id(&self) -> &str { todo!() }
    /// Verifies an answer's headers and raw body at `now` (Unix seconds).
    pub fn verify_response<H: HeaderSource + ?Sized>(&self, headers: &H, body: &[u8], now: i64) -> Result<VerifiedResponse, VerifyError> {
        todo!("{body:?}{now}{}", headers.header("x").is_some())
    }
}
