//! Pure signing and verification for the WeChat Pay brand API (`WECHATPAY-BRAND-SHA256-RSA2048`).
//!
//! SKELETON: the sign issue fills this in (docs, example, crate features).
#![warn(missing_docs, missing_debug_implementations)]

mod authorization;
mod error;
mod headers;
mod keys;
pub mod message;
mod nonce;
mod signer;
mod verifier;

pub use authorization::{Authorization, AuthorizationParams};
pub use error::{KeyError, SignError, VerifyError};
pub use headers::HeaderSource;
pub use keys::{PrivateKey, PublicKey};
pub use nonce::generate_nonce;
pub use signer::Signer;
pub use verifier::{VerifiedResponse, Verifier};

/// The signature scheme name of the brand API.
pub const SCHEME: &str = "WECHATPAY-BRAND-SHA256-RSA2048";
