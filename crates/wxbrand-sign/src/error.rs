//! Error types. SKELETON.

/// A key that could not be loaded.
#[derive(Debug)]
#[non_exhaustive]
pub enum KeyError {
    /// Placeholder.
    Invalid(String),
}
impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { write!(f, "{self:?}") }
}
impl std::error::Error for KeyError {}

/// Signing failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum SignError {
    /// Placeholder.
    Failed,
}
impl std::fmt::Display for SignError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { write!(f, "{self:?}") }
}
impl std::error::Error for SignError {}

/// An answer that failed verification.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyError {
    /// A required header is absent.
    MissingHeader(&'static str),
    /// A header is present but not of the expected form.
    MalformedHeader(&'static str),
    /// `Wechatpay-Serial` names no key this verifier holds.
    UnknownKeyId {
        /// The ids held.
        expected: Vec<String>,
        /// The id received.
        received: String,
    },
    /// The timestamp is outside the window.
    TimestampOutOfWindow {
        /// The answer's timestamp.
        server: i64,
        /// The local time given.
        local: i64,
    },
    /// The signature does not verify.
    BadSignature,
}
impl std::fmt::Display for VerifyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { write!(f, "{self:?}") }
}
impl std::error::Error for VerifyError {}
