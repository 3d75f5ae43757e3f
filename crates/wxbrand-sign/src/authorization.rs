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
    /// Parses a header value of the brand scheme; `None` for another scheme, a missing or
    /// duplicated parameter, or a parameter list that is not exactly `name="value"` items joined by
    /// commas (an empty item, as in a trailing comma or `,,`, is refused).
    ///
    /// Parameters may come in any order, separated by `,` with optional spaces; unknown parameters
    /// are ignored. Names are tokens of letters, digits, `_` and `-`.
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
        loop {
            // One `name="value"` item; an empty item (`,,`, a trailing comma) has no name.
            let (key, after_key) = rest.split_once('=')?;
            let key = key.trim_matches(' ');
            if key.is_empty()
                || !key
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            {
                return None;
            }
            let after_quote = after_key.trim_start_matches(' ').strip_prefix('"')?;
            let (param, after_value) = after_quote.split_once('"')?;
            let slot = match key {
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
            if after_value.is_empty() {
                break;
            }
            // A comma must be followed by another item.
            rest = after_value.strip_prefix(',')?.trim_start_matches(' ');
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

#[cfg(test)]
mod tests {
    use super::AuthorizationParams;

    const GOOD: &str = r#"WECHATPAY-BRAND-SHA256-RSA2048 brand_id="120344",nonce_str="n",signature="c2ln",timestamp="1",serial_no="AB""#;

    #[test]
    fn parses_every_order_and_spacing() {
        let p = AuthorizationParams::parse(GOOD).unwrap();
        assert_eq!(
            (
                p.brand_id.as_str(),
                p.serial_no.as_str(),
                p.timestamp.as_str()
            ),
            ("120344", "AB", "1")
        );
        let spaced = GOOD.replace(',', " ,  ").replace("=\"", " = \"");
        assert_eq!(AuthorizationParams::parse(&spaced), Some(p.clone()));
        let with_unknown = format!("{GOOD},realm=\"x\"");
        assert_eq!(AuthorizationParams::parse(&with_unknown), Some(p));
    }

    #[test]
    fn refuses_empty_items_and_trailing_commas() {
        for bad in [
            format!("{GOOD},"),
            format!("{GOOD}, "),
            format!("{GOOD} ,"),
            GOOD.replacen(',', ",,", 1),
            GOOD.replacen(',', ", ,", 1),
            GOOD.replacen("brand_id", ",brand_id", 1),
            GOOD.replacen("nonce_str", "nonce str", 1),
            GOOD.replacen("brand_id=", "=", 1),
            format!("{GOOD} x"),
            GOOD.replacen(r#"serial_no="AB""#, r#"serial_no="AB",serial_no="AB""#, 1),
            GOOD.replacen(',', "", 1),
        ] {
            assert_eq!(AuthorizationParams::parse(&bad), None, "{bad}");
        }
    }
}
