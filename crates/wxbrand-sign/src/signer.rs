//! The request signer.

use std::fmt::Write as _;
use std::sync::Arc;

use crate::header_param::check_header_param;
use crate::keys::base64_len;
use crate::{message, Authorization, PrivateKey, SignError, SCHEME};

/// Signs brand API requests: from method, path-and-query, body, timestamp and nonce it builds the
/// `Authorization` header. Deterministic, reads no clock; cheap to clone (an `Arc` inside), `Send + Sync`,
/// no lock on the signing path.
#[derive(Clone)]
pub struct Signer {
    inner: Arc<SignerInner>,
}

struct SignerInner {
    brand_id: String,
    serial_no: String,
    key: PrivateKey,
    /// `SCHEME brand_id="…",nonce_str="`, built once.
    prefix: String,
    /// `",serial_no="…"`, built once.
    suffix: String,
    /// A brand id or serial number that cannot go into a header, reported on every signing attempt.
    invalid: Option<SignError>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("brand_id", &self.inner.brand_id)
            .field("serial_no", &self.inner.serial_no)
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// A signer for a brand id, its API certificate serial number and private key.
    ///
    /// A brand id or serial number that breaks [`check_header_param`](crate::check_header_param)
    /// (empty, too long, quotes, backslash, comma, whitespace, control or non-ASCII characters)
    /// makes every [`Signer::authorization`] call fail with [`SignError::HeaderParam`].
    pub fn new(brand_id: impl Into<String>, serial_no: impl Into<String>, key: PrivateKey) -> Self {
        let brand_id = brand_id.into();
        let serial_no = serial_no.into();
        let invalid = check_header_param("brand_id", &brand_id)
            .and_then(|()| check_header_param("serial_no", &serial_no))
            .err()
            .map(SignError::HeaderParam);
        let prefix = format!("{SCHEME} brand_id=\"{brand_id}\",nonce_str=\"");
        let suffix = format!("\",serial_no=\"{serial_no}\"");
        Self {
            inner: Arc::new(SignerInner {
                brand_id,
                serial_no,
                key,
                prefix,
                suffix,
                invalid,
            }),
        }
    }

    /// The brand id.
    pub fn brand_id(&self) -> &str {
        &self.inner.brand_id
    }

    /// The brand API certificate serial number.
    pub fn serial_no(&self) -> &str {
        &self.inner.serial_no
    }

    /// Signs one request. Deterministic for given inputs; reads no clock.
    ///
    /// `path_and_query` is the absolute path plus `?query`, percent-encoded, exactly as sent;
    /// `body` the exact bytes sent (empty for GET); `nonce` usually from [`crate::generate_nonce`].
    ///
    /// # Errors
    /// [`SignError::InvalidInput`] for a method that is not upper-case letters, a path that does
    /// not start with `/` or holds spaces, control or non-ASCII characters, or a nonce that cannot go
    /// into the header; [`SignError::Crypto`] if the RSA operation fails.
    pub fn authorization(
        &self,
        method: &str,
        path_and_query: &str,
        body: &[u8],
        timestamp: i64,
        nonce: &str,
    ) -> Result<Authorization, SignError> {
        let inner = &*self.inner;
        if let Some(e) = &inner.invalid {
            return Err(e.clone());
        }
        if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(SignError::InvalidInput {
                field: "method",
                rule: "must be an upper-case HTTP method such as POST",
            });
        }
        if !path_and_query.starts_with('/')
            || !path_and_query.bytes().all(|b| (0x21..=0x7E).contains(&b))
        {
            return Err(SignError::InvalidInput {
                field: "path_and_query",
                rule: "must start with / and be percent-encoded (no spaces, control or non-ASCII characters), exactly as sent",
            });
        }
        check_header_param("nonce_str", nonce).map_err(SignError::HeaderParam)?;

        let message = message::request_message(method, path_and_query, timestamp, nonce, body);
        let mut value = String::with_capacity(
            inner.prefix.len()
                + nonce.len()
                + base64_len(inner.key.modulus_len())
                + message::MAX_I64_LEN
                + inner.suffix.len()
                + 26,
        );
        value.push_str(&inner.prefix);
        value.push_str(nonce);
        value.push_str("\",signature=\"");
        inner.key.sign_base64_into(&message, &mut value)?;
        value.push_str("\",timestamp=\"");
        // Writing to a String cannot fail.
        let _ = write!(value, "{timestamp}");
        value.push_str(&inner.suffix);
        Ok(Authorization::new(value, message))
    }
}
