//! Answer verification, and sensitive-field encryption with the same WeChat Pay public keys.

use std::sync::Arc;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use crate::error::received_prefix;
use crate::keys::MAX_SIGNATURE_LEN;
use crate::{message, EncryptError, HeaderSource, PublicKey, VerifyError, SCHEME};

/// `Wechatpay-Timestamp`.
pub const HEADER_TIMESTAMP: &str = "Wechatpay-Timestamp";
/// `Wechatpay-Nonce`.
pub const HEADER_NONCE: &str = "Wechatpay-Nonce";
/// `Wechatpay-Signature`.
pub const HEADER_SIGNATURE: &str = "Wechatpay-Signature";
/// `Wechatpay-Serial`: the id of the WeChat Pay public key (answers) or the key a request's
/// sensitive fields are encrypted with (requests).
pub const HEADER_SERIAL: &str = "Wechatpay-Serial";
/// `Wechatpay-Signature-Type`: optional; when present it must name the brand scheme.
pub const HEADER_SIGNATURE_TYPE: &str = "Wechatpay-Signature-Type";
/// `Request-ID`.
pub const HEADER_REQUEST_ID: &str = "Request-ID";

/// The default window, in seconds: an answer is rejected when |now − timestamp| ≥ this.
pub const DEFAULT_WINDOW_SECONDS: i64 = 300;

/// Verifies WeChat Pay answers and notifications with WeChat Pay public keys held by id (several at
/// once during a key rotation). Keys are parsed once; cheap to clone (an `Arc` inside), `Send + Sync`,
/// no lock on the verifying path. Reads no clock: `now` is an argument.
#[derive(Clone)]
pub struct Verifier {
    inner: Arc<VerifierInner>,
}

#[derive(Clone)]
struct VerifierInner {
    /// First entry = primary key. Few entries: a linear scan beats hashing.
    keys: Vec<(String, PublicKey)>,
    window: u64,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("key_ids", &self.key_ids().collect::<Vec<_>>())
            .field("window_seconds", &self.inner.window)
            .finish_non_exhaustive()
    }
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

/// A sensitive field encrypted for the brand API, and the key id the request's `Wechatpay-Serial`
/// header must carry.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EncryptedField {
    /// RSA-OAEP (SHA-1, MGF1-SHA-1) ciphertext, standard Base64: put it in the field.
    pub ciphertext: String,
    /// The WeChat Pay public key id used: send it as `Wechatpay-Serial`.
    pub key_id: String,
}

impl std::fmt::Debug for EncryptedField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncryptedField")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier holding one WeChat Pay public key by its id (`PUB_KEY_ID_…`).
    pub fn new(key_id: impl Into<String>, key: PublicKey) -> Self {
        Self {
            inner: Arc::new(VerifierInner {
                keys: vec![(key_id.into(), key)],
                window: DEFAULT_WINDOW_SECONDS.unsigned_abs(),
            }),
        }
    }

    /// Adds another key (rotation: old and new at once). A key with an id already held replaces it.
    #[must_use]
    pub fn with_key(mut self, key_id: impl Into<String>, key: PublicKey) -> Self {
        let key_id = key_id.into();
        let inner = Arc::make_mut(&mut self.inner);
        match inner.keys.iter_mut().find(|(id, _)| *id == key_id) {
            Some(slot) => slot.1 = key,
            None => inner.keys.push((key_id, key)),
        }
        self
    }

    /// Sets the window (default 300 s): rejected when |now − timestamp| ≥ window. A negative value
    /// counts as 0, which rejects everything.
    #[must_use]
    pub fn with_window_seconds(mut self, seconds: i64) -> Self {
        Arc::make_mut(&mut self.inner).window = u64::try_from(seconds).unwrap_or(0);
        self
    }

    /// The id of the first key (what requests send as `Wechatpay-Serial`).
    pub fn primary_key_id(&self) -> &str {
        self.inner.keys.first().map_or("", |(id, _)| id.as_str())
    }

    /// The ids of the keys held, primary first.
    pub fn key_ids(&self) -> impl Iterator<Item = &str> + '_ {
        self.inner.keys.iter().map(|(id, _)| id.as_str())
    }

    /// The key held under `key_id` (exact comparison).
    pub fn key(&self, key_id: &str) -> Option<&PublicKey> {
        self.inner
            .keys
            .iter()
            .find(|(id, _)| id == key_id)
            .map(|(_, key)| key)
    }

    /// The window in seconds.
    pub fn window_seconds(&self) -> u64 {
        self.inner.window
    }

    /// Verifies an answer's headers and raw body at `now` (Unix seconds). Only decode a body that passed.
    ///
    /// Checks, in order: the four `Wechatpay-*` headers are present; `Wechatpay-Signature-Type`, if
    /// present, names the brand scheme; `Wechatpay-Serial` names a key held (exact comparison);
    /// `Wechatpay-Timestamp` is an integer with |now − timestamp| < window; the signature over
    /// `timestamp\nnonce\nbody\n` verifies.
    ///
    /// # Errors
    /// A [`VerifyError`] naming the first check that failed.
    pub fn verify_response<H: HeaderSource + ?Sized>(
        &self,
        headers: &H,
        body: &[u8],
        now: i64,
    ) -> Result<VerifiedResponse, VerifyError> {
        let get = |name: &'static str| {
            headers
                .header_bytes(name)
                .ok_or(VerifyError::MissingHeader(name))
        };
        let timestamp_text = get(HEADER_TIMESTAMP)?;
        let nonce = get(HEADER_NONCE)?;
        let signature = get(HEADER_SIGNATURE)?;
        let serial = get(HEADER_SERIAL)?;
        if let Some(kind) = headers.header_bytes(HEADER_SIGNATURE_TYPE) {
            if kind.trim_ascii() != SCHEME.as_bytes() {
                return Err(VerifyError::MalformedHeader(HEADER_SIGNATURE_TYPE));
            }
        }
        let (key_id, key) = self
            .inner
            .keys
            .iter()
            .find(|(id, _)| id.as_bytes() == serial)
            .ok_or_else(|| VerifyError::UnknownKeyId {
                expected: self.key_ids().map(str::to_owned).collect(),
                received: received_prefix(serial),
            })?;
        let timestamp = parse_timestamp(timestamp_text)
            .ok_or(VerifyError::MalformedHeader(HEADER_TIMESTAMP))?;
        if now.abs_diff(timestamp) >= self.inner.window {
            return Err(VerifyError::TimestampOutOfWindow {
                server: timestamp,
                local: now,
            });
        }
        let mut buf = [0u8; MAX_SIGNATURE_LEN];
        let signature = STANDARD
            .decode_slice(signature.trim_ascii(), &mut buf)
            .ok()
            .and_then(|len| buf.get(..len))
            .ok_or(VerifyError::BadSignature)?;
        let message = message::response_message_raw(timestamp_text, nonce, body);
        if !key.verify(&message, signature) {
            return Err(VerifyError::BadSignature);
        }
        Ok(VerifiedResponse {
            key_id: key_id.clone(),
            timestamp,
            request_id: headers.header(HEADER_REQUEST_ID).map(str::to_owned),
        })
    }

    /// Encrypts a sensitive field (a name, an ID number) with the primary WeChat Pay public key:
    /// RSA-OAEP with SHA-1 and MGF1-SHA-1, Base64 out. The request must send the returned
    /// [`EncryptedField::key_id`] as `Wechatpay-Serial`.
    ///
    /// # Errors
    /// [`EncryptError::PlaintextTooLong`] beyond 214 bytes with an RSA-2048 key.
    pub fn encrypt_sensitive(
        &self,
        plaintext: impl AsRef<[u8]>,
    ) -> Result<EncryptedField, EncryptError> {
        let (key_id, key) = self.inner.keys.first().ok_or(EncryptError::Crypto)?;
        Ok(EncryptedField {
            ciphertext: key.encrypt_oaep_base64(plaintext.as_ref())?,
            key_id: key_id.clone(),
        })
    }
}

/// Decimal digits only (no sign, no spaces), fitting an `i64`.
fn parse_timestamp(text: &[u8]) -> Option<i64> {
    if text.is_empty() || text.len() > 18 {
        return None;
    }
    text.iter().try_fold(0i64, |acc, b| {
        b.is_ascii_digit().then(|| acc * 10 + i64::from(b - b'0'))
    })
}
