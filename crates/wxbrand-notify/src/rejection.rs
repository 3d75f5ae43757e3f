//! Why a notification was not handed to the handler, and the answer WeChat Pay gets for it.

use std::fmt;

use bytes::Bytes;
use http::{header, Response, StatusCode};
use wxbrand_core::event::EventDecodeError;
use wxbrand_sign::{JsonError, VerifyError};

use crate::store::StoreError;

/// What is wrong with a notification's envelope (the JSON body around the encrypted resource).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EnvelopeProblem {
    /// The body is not a JSON object.
    NotJson(JsonError),
    /// A required field is absent, empty or not a string: `id`, `event_type`, `resource`,
    /// `resource.algorithm`, `resource.ciphertext`, `resource.nonce`, `resource.associated_data`,
    /// `resource.original_type`.
    MissingField(&'static str),
    /// `resource.algorithm` is not `AEAD_AES_256_GCM` (the value, at most 32 characters).
    UnsupportedAlgorithm(String),
    /// `resource.ciphertext` is not Base64 or `resource.nonce` is not 12 bytes.
    MalformedField(&'static str),
}

impl fmt::Display for EnvelopeProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotJson(e) => write!(f, "the body is not a notification envelope ({e})"),
            Self::MissingField(field) => write!(f, "the envelope has no {field}"),
            Self::UnsupportedAlgorithm(a) => write!(
                f,
                "resource.algorithm is \"{}\"; only AEAD_AES_256_GCM is supported",
                a.escape_debug()
            ),
            Self::MalformedField(field) => {
                write!(
                    f,
                    "resource.{field} cannot be used (invalid Base64 or length)"
                )
            }
        }
    }
}

/// A notification not handed to the handler. Every kind but [`Rejection::Duplicate`] is answered
/// non-2xx, so WeChat Pay delivers it again; see [`Rejection::response`].
///
/// No variant holds key material or the decrypted resource.
#[derive(Debug)]
#[non_exhaustive]
pub enum Rejection {
    /// A `Wechatpay-*` header is absent (`Wechatpay-Timestamp`, `-Nonce`, `-Signature`, `-Serial`).
    MissingHeader(&'static str),
    /// A header is not of the expected form (a timestamp that is not a number, another
    /// `Wechatpay-Signature-Type`).
    MalformedHeader(&'static str),
    /// `Wechatpay-Serial` names no WeChat Pay public key the receiver holds.
    UnknownKeyId {
        /// The id received (at most 64 characters).
        received: String,
    },
    /// `Wechatpay-Timestamp` is outside the window around `now`: a replay, or a clock off.
    OutsideWindow {
        /// The notification's timestamp.
        timestamp: i64,
        /// The receiver's time.
        now: i64,
    },
    /// The signature does not verify: an altered body, a wrong key, or one of WeChat Pay's
    /// deliberate `WECHATPAY/SIGNTEST/` probes (which must fail exactly like this).
    BadSignature,
    /// The envelope is not usable.
    Envelope(EnvelopeProblem),
    /// The resource did not decrypt: the brand API key is not the current one, or the ciphertext,
    /// nonce or associated data were altered.
    Decryption,
    /// The decrypted resource does not decode as its event type.
    ResourceDecode(EventDecodeError),
    /// This notification `id` was already handled: answered 2xx so WeChat Pay stops, not handled again.
    Duplicate {
        /// The notification id.
        id: String,
    },
    /// Another delivery of this `id` is being handled now: answered non-2xx so WeChat Pay retries.
    InProgress {
        /// The notification id.
        id: String,
    },
    /// The duplicate store failed.
    Store(StoreError),
}

impl Rejection {
    pub(crate) fn from_verify(error: VerifyError) -> Self {
        match error {
            VerifyError::MissingHeader(name) => Rejection::MissingHeader(name),
            VerifyError::MalformedHeader(name) => Rejection::MalformedHeader(name),
            VerifyError::UnknownKeyId { received, .. } => Rejection::UnknownKeyId { received },
            VerifyError::TimestampOutOfWindow { server, local } => Rejection::OutsideWindow {
                timestamp: server,
                now: local,
            },
            _ => Rejection::BadSignature,
        }
    }

    /// Whether this is a duplicate (answered 2xx).
    pub fn is_duplicate(&self) -> bool {
        matches!(self, Rejection::Duplicate { .. })
    }

    /// Whether the sender could not be authenticated (headers, key id, window, signature): nothing
    /// of the body was read.
    pub fn is_unauthenticated(&self) -> bool {
        matches!(
            self,
            Rejection::MissingHeader(_)
                | Rejection::MalformedHeader(_)
                | Rejection::UnknownKeyId { .. }
                | Rejection::OutsideWindow { .. }
                | Rejection::BadSignature
        )
    }

    /// The HTTP status answered: 204 for a duplicate; 401 when the sender is not authenticated;
    /// 400 for an envelope, decryption or decoding failure; 503 for a delivery in progress or a
    /// store failure. WeChat Pay retries every non-2xx answer.
    pub fn status(&self) -> StatusCode {
        match self {
            Rejection::Duplicate { .. } => StatusCode::NO_CONTENT,
            Rejection::InProgress { .. } | Rejection::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
            Rejection::Envelope(_) | Rejection::Decryption | Rejection::ResourceDecode(_) => {
                StatusCode::BAD_REQUEST
            }
            _ => StatusCode::UNAUTHORIZED,
        }
    }

    /// The answer WeChat Pay expects: for a duplicate, the success answer ([`success_response`]);
    /// otherwise [`status`](Rejection::status) with `{"code":"FAIL","message":…}` (this
    /// rejection's text), which makes WeChat Pay deliver it again.
    pub fn response(&self) -> Response<Bytes> {
        if self.is_duplicate() {
            return success_response();
        }
        failure_response(self.status(), &self.to_string())
    }
}

/// The answer for a notification received and handled: `204 No Content`, no body (WeChat Pay
/// accepts 200 or 204).
pub fn success_response() -> Response<Bytes> {
    let mut response = Response::new(Bytes::new());
    *response.status_mut() = StatusCode::NO_CONTENT;
    response
}

/// A failure answer: `status` with `{"code":"FAIL","message":message}` as JSON.
pub fn failure_response(status: StatusCode, message: &str) -> Response<Bytes> {
    let body = serde_json::json!({ "code": "FAIL", "message": message }).to_string();
    let mut response = Response::new(Bytes::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    response
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingHeader(name) => write!(f, "the notification has no {name} header"),
            Self::MalformedHeader(name) => write!(f, "the notification's {name} header is malformed"),
            Self::UnknownKeyId { received } => write!(
                f,
                "Wechatpay-Serial \"{}\" names no WeChat Pay public key this receiver holds: add the \
                 key (PUB_KEY_ID_...) if WeChat Pay rotated it",
                received.escape_debug()
            ),
            Self::OutsideWindow { timestamp, now } => write!(
                f,
                "Wechatpay-Timestamp {timestamp} is {} s away from the receiver's time {now}: a \
                 replayed notification, or the receiver's clock is off (NTP)",
                timestamp.abs_diff(*now)
            ),
            Self::BadSignature => f.write_str(
                "the Wechatpay-Signature does not verify (an altered body, a wrong WeChat Pay public \
                 key, or a WECHATPAY/SIGNTEST/ probe)",
            ),
            Self::Envelope(problem) => write!(f, "{problem}"),
            Self::Decryption => f.write_str(
                "the resource did not decrypt: check that the brand API key (品牌API密钥) is the \
                 current one; otherwise the ciphertext was altered",
            ),
            Self::ResourceDecode(_) => {
                f.write_str("the decrypted resource does not decode as its event type")
            }
            Self::Duplicate { id } => write!(
                f,
                "notification {} was already handled (a redelivery)",
                id.escape_debug()
            ),
            Self::InProgress { id } => write!(
                f,
                "notification {} is being handled by another delivery",
                id.escape_debug()
            ),
            Self::Store(_) => f.write_str("the duplicate store failed"),
        }
    }
}

impl std::error::Error for Rejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::ResourceDecode(e) => Some(e),
            Self::Store(e) => Some(e),
            _ => None,
        }
    }
}
