//! Event notifications: verify the signature headers like an answer, then decrypt `resource`
//! (AES-256-GCM with the 32-byte brand API key).

use std::sync::Arc;

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::{received_prefix, JsonError};
use crate::{HeaderSource, NotificationError, VerifiedResponse, Verifier};

/// The only `resource.algorithm` WeChat Pay uses.
pub const AEAD_AES_256_GCM: &str = "AEAD_AES_256_GCM";

/// The brand API key (品牌API密钥): 32 bytes, the AES-256-GCM key of notifications. Cheap to clone;
/// `Debug` does not show it.
#[derive(Clone)]
pub struct ApiKey {
    key: Arc<LessSafeKey>,
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiKey").finish_non_exhaustive()
    }
}

/// Shows no part of the key: `[brand API key redacted]`.
impl std::fmt::Display for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[brand API key redacted]")
    }
}

impl ApiKey {
    /// The API key as configured on the merchant platform (32 ASCII characters).
    ///
    /// # Errors
    /// [`NotificationError::ApiKeyLength`] if it is not exactly 32 bytes.
    pub fn new(key: impl AsRef<[u8]>) -> Result<Self, NotificationError> {
        let key = key.as_ref();
        let unbound = UnboundKey::new(&AES_256_GCM, key)
            .map_err(|_| NotificationError::ApiKeyLength { len: key.len() })?;
        Ok(Self {
            key: Arc::new(LessSafeKey::new(unbound)),
        })
    }

    /// Decrypts one `resource` into its plaintext text.
    ///
    /// # Errors
    /// [`NotificationError::UnsupportedAlgorithm`], [`NotificationError::MalformedResource`],
    /// [`NotificationError::DecryptFailed`] (wrong key or altered data), [`NotificationError::PlaintextNotUtf8`].
    pub fn decrypt(&self, resource: &NotificationResource) -> Result<String, NotificationError> {
        if resource.algorithm != AEAD_AES_256_GCM {
            return Err(NotificationError::UnsupportedAlgorithm {
                algorithm: received_prefix(resource.algorithm.as_bytes()),
            });
        }
        let nonce_bytes: [u8; NONCE_LEN] = resource
            .nonce
            .as_bytes()
            .try_into()
            .map_err(|_| NotificationError::MalformedResource { field: "nonce" })?;
        let mut in_out = STANDARD.decode(resource.ciphertext.trim()).map_err(|_| {
            NotificationError::MalformedResource {
                field: "ciphertext",
            }
        })?;
        let aad = resource.associated_data.as_deref().unwrap_or("");
        let plaintext_len = self
            .key
            .open_in_place(
                Nonce::assume_unique_for_key(nonce_bytes),
                Aad::from(aad.as_bytes()),
                &mut in_out,
            )
            .map_err(|_| NotificationError::DecryptFailed)?
            .len();
        in_out.truncate(plaintext_len);
        String::from_utf8(in_out).map_err(|_| NotificationError::PlaintextNotUtf8)
    }

    /// Encrypts a notification's resource as WeChat Pay does (the sending side: a simulator, a
    /// test of a receiver): AES-256-GCM with this key, IV = `nonce`'s bytes, AAD =
    /// `associated_data`'s bytes, `ciphertext` = Base64 of ciphertext followed by the tag.
    /// The inverse of [`ApiKey::decrypt`].
    ///
    /// # Errors
    /// [`NotificationError::MalformedResource`] (`nonce`) unless `nonce` is 12 bytes;
    /// [`NotificationError::DecryptFailed`] if the cipher refuses (never for such inputs).
    pub fn encrypt(
        &self,
        plaintext: &[u8],
        nonce: &str,
        associated_data: &str,
        original_type: &str,
    ) -> Result<NotificationResource, NotificationError> {
        let nonce_bytes: [u8; NONCE_LEN] = nonce
            .as_bytes()
            .try_into()
            .map_err(|_| NotificationError::MalformedResource { field: "nonce" })?;
        let mut in_out = plaintext.to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce_bytes),
                Aad::from(associated_data.as_bytes()),
                &mut in_out,
            )
            .map_err(|_| NotificationError::DecryptFailed)?;
        Ok(NotificationResource {
            algorithm: AEAD_AES_256_GCM.to_owned(),
            ciphertext: STANDARD.encode(&in_out),
            associated_data: Some(associated_data.to_owned()),
            nonce: nonce.to_owned(),
            original_type: original_type.to_owned(),
        })
    }
}

/// The encrypted part of a notification.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NotificationResource {
    /// `AEAD_AES_256_GCM`.
    pub algorithm: String,
    /// Base64 of ciphertext followed by the 16-byte tag.
    pub ciphertext: String,
    /// The associated data (AAD), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub associated_data: Option<String>,
    /// The 12-character nonce (its bytes are the IV).
    pub nonce: String,
    /// The type of the object before encryption, e.g. `product_coupon`.
    #[serde(default)]
    pub original_type: String,
}

impl std::fmt::Debug for NotificationResource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotificationResource")
            .field("algorithm", &self.algorithm)
            .field("associated_data", &self.associated_data)
            .field("original_type", &self.original_type)
            .finish_non_exhaustive()
    }
}

/// The notification envelope as WeChat Pay posts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NotificationEnvelope {
    /// The notification id (the same id on every retry: use it to deduplicate).
    pub id: String,
    /// When the notification was created (RFC 3339 text as sent).
    #[serde(default)]
    pub create_time: String,
    /// The event, e.g. `PRODUCT_COUPON.USED`.
    pub event_type: String,
    /// `encrypt-resource`.
    #[serde(default)]
    pub resource_type: String,
    /// A human summary.
    #[serde(default)]
    pub summary: String,
    /// The encrypted resource.
    pub resource: NotificationResource,
}

impl NotificationEnvelope {
    /// An envelope as WeChat Pay posts it (`resource_type` `encrypt-resource`): the sending side.
    pub fn new(
        id: impl Into<String>,
        create_time: impl Into<String>,
        event_type: impl Into<String>,
        summary: impl Into<String>,
        resource: NotificationResource,
    ) -> Self {
        NotificationEnvelope {
            id: id.into(),
            create_time: create_time.into(),
            event_type: event_type.into(),
            resource_type: "encrypt-resource".to_owned(),
            summary: summary.into(),
            resource,
        }
    }
}

/// A verified and decrypted notification. `Debug` shows ids and the plaintext's length, never the
/// plaintext.
#[derive(Clone)]
#[non_exhaustive]
pub struct Notification {
    /// The envelope.
    pub envelope: NotificationEnvelope,
    /// The decrypted resource: JSON text.
    pub plaintext: String,
    /// What the signature headers carried.
    pub verified: VerifiedResponse,
}

impl std::fmt::Debug for Notification {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notification")
            .field("id", &self.envelope.id)
            .field("event_type", &self.envelope.event_type)
            .field("plaintext_len", &self.plaintext.len())
            .field("verified", &self.verified)
            .finish_non_exhaustive()
    }
}

impl Notification {
    /// Decodes the plaintext JSON into a caller's type.
    ///
    /// # Errors
    /// [`NotificationError::PlaintextJson`] if it does not decode into `T`.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, NotificationError> {
        serde_json::from_str(&self.plaintext)
            .map_err(|e| NotificationError::PlaintextJson(JsonError::new(&e)))
    }
}

impl Verifier {
    /// Verifies a notification's headers and raw body at `now` exactly like an answer, then decrypts
    /// its `resource` with the brand API key. On any error answer non-2xx so WeChat Pay retries.
    ///
    /// # Errors
    /// [`NotificationError::Verification`] when the signature checks fail (nothing is decrypted),
    /// [`NotificationError::MalformedEnvelope`] for a body that is not an envelope, then the errors of
    /// [`ApiKey::decrypt`].
    pub fn verify_notification<H: HeaderSource + ?Sized>(
        &self,
        headers: &H,
        body: &[u8],
        now: i64,
        api_key: &ApiKey,
    ) -> Result<Notification, NotificationError> {
        let verified = self.verify_response(headers, body, now)?;
        let envelope: NotificationEnvelope = serde_json::from_slice(body)
            .map_err(|e| NotificationError::MalformedEnvelope(JsonError::new(&e)))?;
        let plaintext = api_key.decrypt(&envelope.resource)?;
        Ok(Notification {
            envelope,
            plaintext,
            verified,
        })
    }
}
