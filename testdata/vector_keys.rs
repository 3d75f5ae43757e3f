//! The ids and keys of the test vectors (`testdata/vectors/config.json`), written once for the
//! test suites of every crate. A suite takes it in with
//! `#[path = "<up to the workspace root>/testdata/vector_keys.rs"] mod vector_keys;`; the keys
//! are compiled in (paths here are relative to this file), so no suite builds key paths of its own.
#![allow(dead_code, clippy::unwrap_used)]

use wxbrand_sign::{PrivateKey, PublicKey};

/// The brand id of the vectors.
pub const BRAND_ID: &str = "120344";
/// The brand certificate's serial number of the vectors.
pub const SERIAL_NO: &str = "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C";
/// The WeChat Pay public key id of the vectors.
pub const KEY_ID: &str = "PUB_KEY_ID_0112345678202501010000000000000001";

/// `keys/brand_private_key.pem` (PKCS#8).
pub const BRAND_PRIVATE_KEY_PEM: &[u8] = include_bytes!("vectors/keys/brand_private_key.pem");
/// `keys/brand_public_key.pem`.
pub const BRAND_PUBLIC_KEY_PEM: &[u8] = include_bytes!("vectors/keys/brand_public_key.pem");
/// `keys/wechatpay_private_key.pem`.
pub const WECHATPAY_PRIVATE_KEY_PEM: &[u8] =
    include_bytes!("vectors/keys/wechatpay_private_key.pem");
/// `keys/wechatpay_public_key.pem`.
pub const WECHATPAY_PUBLIC_KEY_PEM: &[u8] = include_bytes!("vectors/keys/wechatpay_public_key.pem");

/// The brand's private key: signs requests.
pub fn brand_key() -> PrivateKey {
    PrivateKey::from_pem(BRAND_PRIVATE_KEY_PEM).unwrap()
}

/// The brand's public key: verifies requests (the simulator's side).
pub fn brand_public_key() -> PublicKey {
    PublicKey::from_pem(BRAND_PUBLIC_KEY_PEM).unwrap()
}

/// The WeChat Pay private key: signs answers in tests.
pub fn wechatpay_key() -> PrivateKey {
    PrivateKey::from_pem(WECHATPAY_PRIVATE_KEY_PEM).unwrap()
}

/// The WeChat Pay public key: verifies answers.
pub fn wechatpay_public_key() -> PublicKey {
    PublicKey::from_pem(WECHATPAY_PUBLIC_KEY_PEM).unwrap()
}
