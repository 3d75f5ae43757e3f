//! Pure signing and verification for the WeChat Pay brand API (`WECHATPAY-BRAND-SHA256-RSA2048`).
//!
//! This crate is the cryptographic layer of the wxbrand SDK, usable alone by anyone with their own
//! HTTP stack:
//!
//! - [`Signer`] builds the `Authorization` header of a brand request from method, path-and-query,
//!   body, timestamp and nonce (it never reads the clock: time and nonce are inputs);
//! - [`Verifier`] checks WeChat Pay's answers (`Wechatpay-*` headers, raw body, an injected `now`)
//!   with WeChat Pay public keys held by id, verifies and decrypts event notifications
//!   ([`Verifier::verify_notification`]), and encrypts sensitive fields ([`Verifier::encrypt_sensitive`]);
//! - [`PrivateKey`] and [`PublicKey`] load keys from PEM or DER with errors that say what to fix.
//!
//! Cryptography is aws-lc-rs; keys are parsed once and shared through an `Arc`, so `Signer` and
//! `Verifier` are cheap to clone and `Send + Sync`, with no lock on the signing or verifying path.
//!
//! # Example: sign a request
//!
//! ```
//! use wxbrand_sign::{generate_nonce, PrivateKey, Signer};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let pem = include_str!("../../../testdata/vectors/keys/brand_private_key.pem");
//! // `pem` holds the brand API private key file, apiclient_key.pem.
//! let key = PrivateKey::from_pem(pem.as_bytes())?;
//! let signer = Signer::new("120344", "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C", key);
//!
//! let body = br#"{"out_request_no":"34657_20250101_123456","deactivate_reason":"wrong stock"}"#;
//! let timestamp = 1_735_660_800; // your clock's Unix seconds
//! let auth = signer.authorization(
//!     "POST",
//!     "/brand/marketing/product-coupon/product-coupons/200000001/stocks/123456789/deactivate",
//!     body,
//!     timestamp,
//!     &generate_nonce(),
//! )?;
//! assert!(auth.header_value().starts_with("WECHATPAY-BRAND-SHA256-RSA2048 brand_id=\"120344\""));
//! // Send it as `Authorization`; `to_header_value` marks it sensitive for `http` types.
//! let value = auth.to_header_value()?;
//! assert!(value.is_sensitive());
//! // On SIGN_ERROR, compare this with what the server saw:
//! println!("{}", auth.signed_message());
//! # Ok(())
//! # }
//! ```
//!
//! # Crate features
//!
//! None: everything is always built.
#![warn(missing_docs, missing_debug_implementations)]

mod authorization;
mod error;
mod header_param;
mod headers;
mod key_file;
mod keys;
pub mod message;
mod nonce;
mod notification;
mod signer;
mod verifier;

pub use authorization::{Authorization, AuthorizationParams};
pub use error::{
    EncryptError, JsonError, KeyError, NotificationError, SignError, VerifyError, VerifyErrorKind,
    RECEIVED_PREFIX_CHARS,
};
pub use header_param::{
    check_header_param, check_public_key_id, check_serial_no, HeaderParamError, HeaderParamProblem,
    HEADER_PARAM_MAX_CHARS,
};
pub use headers::HeaderSource;
pub use key_file::{read_bounded_file, read_key_file, KeyFileError, MAX_KEY_FILE_SIZE};
pub use keys::{PrivateKey, PublicKey};
pub use nonce::{generate_nonce, try_generate_nonce, NONCE_LEN};
pub use notification::{
    ApiKey, Notification, NotificationEnvelope, NotificationResource, AEAD_AES_256_GCM,
};
pub use signer::Signer;
pub use verifier::{
    EncryptedField, VerifiedResponse, Verifier, DEFAULT_WINDOW_SECONDS, HEADER_NONCE,
    HEADER_REQUEST_ID, HEADER_SERIAL, HEADER_SIGNATURE, HEADER_SIGNATURE_TYPE, HEADER_TIMESTAMP,
};

/// The signature scheme name of the brand API.
pub const SCHEME: &str = "WECHATPAY-BRAND-SHA256-RSA2048";

// Signer, Verifier and the keys are shared across threads; keep it so.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Signer>();
    assert_send_sync::<Verifier>();
    assert_send_sync::<PrivateKey>();
    assert_send_sync::<PublicKey>();
    assert_send_sync::<ApiKey>();
    assert_send_sync::<Authorization>();
    assert_send_sync::<VerifyError>();
    assert_send_sync::<NotificationError>();
};

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// The SHA-256 of `bytes`: what an image upload's `meta` names
/// (`wxbrand_core::product_coupon::UploadImageRequest::new`).
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes);
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_ref());
    out
}
