//! The `Authorization` header: building (through [`crate::Signer`]) and parsing (for servers).

use crate::{SignError, SCHEME};

/// A signed `Authorization` value, with the message that was signed (for debugging `SIGN_ERROR`).
///
/// `Debug` shows neither the signature nor the message.
#[derive(Clone, PartialEq, Eq)]
pub struct Authorization {
    value: String,
    message: SignedMessage,
}

#[derive(Clone, PartialEq, Eq)]
enum SignedMessage {
    /// The usual case: the body is UTF-8 (JSON), so the message is text.
    Text(String),
    /// A body that is not UTF-8: the exact bytes, and a lossy text form for display.
    Binary { bytes: Vec<u8>, lossy: String },
}

impl std::fmt::Debug for Authorization {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authorization").finish_non_exhaustive()
    }
}

impl Authorization {
    pub(crate) fn new(value: String, message: Vec<u8>) -> Self {
        let message = match String::from_utf8(message) {
            Ok(text) => SignedMessage::Text(text),
            Err(e) => {
                let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
                SignedMessage::Binary {
                    bytes: e.into_bytes(),
                    lossy,
                }
            }
        };
        Self { value, message }
    }

    /// The header value: `WECHATPAY-BRAND-SHA256-RSA2048 brand_id="…",nonce_str="…",signature="…",timestamp="…",serial_no="…"`.
    pub fn header_value(&self) -> &str {
        &self.value
    }

    /// The exact string that was signed (`METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n`), for comparing with
    /// what the server saw when it answers `SIGN_ERROR`. A body that is not UTF-8 shows with U+FFFD
    /// replacement characters here; [`Authorization::signed_message_bytes`] has the exact bytes.
    pub fn signed_message(&self) -> &str {
        match &self.message {
            SignedMessage::Text(text) => text,
            SignedMessage::Binary { lossy, .. } => lossy,
        }
    }

    /// The exact bytes that were signed.
    pub fn signed_message_bytes(&self) -> &[u8] {
        match &self.message {
            SignedMessage::Text(text) => text.as_bytes(),
            SignedMessage::Binary { bytes, .. } => bytes,
        }
    }

    /// The value as an `http` header value marked sensitive (so `http` and tracing layers do not print it).
    ///
    /// # Errors
    /// [`SignError::InvalidInput`] if the value is not a valid header value (not expected: the signer
    /// checks its inputs).
    pub fn to_header_value(&self) -> Result<http::HeaderValue, SignError> {
        let mut value =
            http::HeaderValue::from_str(&self.value).map_err(|_| SignError::InvalidInput {
                field: "authorization",
                rule: "must be a valid HTTP header value",
            })?;
        value.set_sensitive(true);
        Ok(value)
    }
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
    ///
    /// Parameters may come in any order, separated by `,` with optional spaces; unknown parameters
    /// are ignored.
    ///
    /// ```
    /// use wxbrand_sign::AuthorizationParams;
    /// let p = AuthorizationParams::parse(
    ///     r#"WECHATPAY-BRAND-SHA256-RSA2048 serial_no="AB",timestamp="1", nonce_str="n",signature="cw==",brand_id="120344""#,
    /// ).unwrap();
    /// assert_eq!(p.brand_id, "120344");
    /// assert!(AuthorizationParams::parse("Bearer x").is_none());
    /// ```
    pub fn parse(value: &str) -> Option<Self> {
        let rest = value.trim().strip_prefix(SCHEME)?;
        if !rest.starts_with(' ') {
            return None;
        }
        let mut rest = rest.trim_start_matches(' ');
        let (mut brand_id, mut serial_no, mut nonce_str, mut timestamp, mut signature) =
            (None, None, None, None, None);
        while !rest.is_empty() {
            let (key, after_key) = rest.split_once('=')?;
            let after_quote = after_key.trim_start_matches(' ').strip_prefix('"')?;
            let (param, after_value) = after_quote.split_once('"')?;
            let slot = match key.trim_matches(' ') {
                "brand_id" => &mut brand_id,
                "serial_no" => &mut serial_no,
                "nonce_str" => &mut nonce_str,
                "timestamp" => &mut timestamp,
                "signature" => &mut signature,
                _ => &mut None,
            };
            if slot.replace(param.to_owned()).is_some() {
                return None;
            }
            let after_value = after_value.trim_start_matches(' ');
            rest = match after_value.strip_prefix(',') {
                Some(next) => next.trim_start_matches(' '),
                None if after_value.is_empty() => after_value,
                None => return None,
            };
        }
        Some(Self {
            brand_id: brand_id?,
            serial_no: serial_no?,
            nonce_str: nonce_str?,
            timestamp: timestamp?,
            signature: signature?,
        })
    }
}
