//! Nonces: 32 characters of `[0-9A-Za-z]` from the operating system's secure random source.

use aws_lc_rs::rand::{SecureRandom as _, SystemRandom};

use crate::SignError;

const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The length of a generated nonce.
pub const NONCE_LEN: usize = 32;

/// Random bytes at or above this are discarded: 248 = 4 × 62, so `byte % 62` is uniform below it.
const REJECT_FROM: u8 = 248;

// No modulo bias: the accepted range is whole copies of the alphabet, and as many as a byte holds.
const _: () = assert!(
    (REJECT_FROM as usize).is_multiple_of(ALPHABET.len())
        && 256 - (REJECT_FROM as usize) < ALPHABET.len()
);

/// 32 characters of `[0-9A-Za-z]` from aws-lc-rs's secure random, without modulo bias
/// (rejection sampling).
///
/// ```
/// let n = wxbrand_sign::generate_nonce();
/// assert_eq!(n.len(), 32);
/// assert!(n.bytes().all(|b| b.is_ascii_alphanumeric()));
/// ```
#[allow(clippy::expect_used)]
pub fn generate_nonce() -> String {
    // AWS-LC's RAND_bytes aborts the process rather than return failure, so this cannot fail in
    // practice; `try_generate_nonce` exists for callers who prefer a Result anyway.
    try_generate_nonce().expect("the system random source failed")
}

/// As [`generate_nonce`], reporting a failure of the random source as an error.
///
/// # Errors
/// [`SignError::Random`] if the system random source fails.
pub fn try_generate_nonce() -> Result<String, SignError> {
    let rng = SystemRandom::new();
    let mut out = String::with_capacity(NONCE_LEN);
    // 48 random bytes give 32 accepted ones with overwhelming probability (each accepted w.p. 248/256).
    let mut buf = [0u8; 48];
    while out.len() < NONCE_LEN {
        rng.fill(&mut buf).map_err(|_| SignError::Random)?;
        for &b in &buf {
            if out.len() == NONCE_LEN {
                break;
            }
            if b < REJECT_FROM {
                if let Some(&c) = ALPHABET.get(usize::from(b % 62)) {
                    out.push(char::from(c));
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_32_alphanumerics_and_differ() {
        let a = generate_nonce();
        let b = generate_nonce();
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }

    #[test]
    fn every_character_appears() {
        let mut seen = [false; 256];
        for _ in 0..200 {
            for b in generate_nonce().bytes() {
                seen[usize::from(b)] = true;
            }
        }
        assert!(ALPHABET.iter().all(|&c| seen[usize::from(c)]));
    }
}
