//! Nonces.

/// 32 characters of `[0-9A-Za-z]` from aws-lc-rs's secure random, without modulo bias.
pub fn generate_nonce() -> String { todo!() }
