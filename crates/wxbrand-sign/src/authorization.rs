//! The `Authorization` header. SKELETON.

/// A signed `Authorization` value, with the message that was signed (for debugging SIGN_ERROR).
#[derive(Clone)]
pub struct Authorization {
    value: String,
    message: String,
}

impl std::fmt::Debug for Authorization {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.debug_struct("Authorization").finish_non_exhaustive() }
}

impl Authorization {
    /// The header value: `WECHATPAY-BRAND-SHA256-RSA2048 brand_id="…",…`.
    pub fn header_value(&self) -> &str { &self.value }
    /// The exact string that was signed.
    pub fn signed_message(&self) -> &str { &self.message }
    /// The value as an `http` header value marked sensitive.
    pub fn to_header_value(&self) -> Result<http::HeaderValue, crate::SignError> { todo!() }
}

/// The parameters of an `Authorization` header, parsed (the server side: the simulator, the CLI).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthorizationParams {
    /// `brand_id`.
    pub brand_id: String,
    /// `serial_no`.
    pub serial_no: String,
    /// `nonce_str`.
    pub nonce_str: String,
    /// `timestamp` as sent.
    pub timestamp: String,
    /// `signature` (Base64).
    pub signature: String,
}

impl AuthorizationParams {
    /// Parses a header value of the brand scheme; `None` for another scheme or a missing/duplicated parameter.
    pub fn parse(value: &str) -> Option<Self> { todo!("{value}") }
}
