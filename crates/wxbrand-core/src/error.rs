//! Errors: local validation failures and WeChat Pay API errors (non-2xx answers).

use std::fmt;

/// Which rule a request field broke.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ValidationRule {
    /// The field is empty.
    Empty,
    /// Too short: `min` characters at least, `actual` given.
    TooShort {
        /// Smallest allowed length in characters.
        min: usize,
        /// Length given, in characters.
        actual: usize,
    },
    /// Too long: `max` characters at most, `actual` given.
    TooLong {
        /// Largest allowed length in characters.
        max: usize,
        /// Length given, in characters.
        actual: usize,
    },
    /// A character that the field does not allow, at a character index.
    ForbiddenCharacter {
        /// The offending character.
        character: char,
        /// Its index, counted in characters from 0.
        index: usize,
    },
    /// A number out of its range.
    OutOfRange {
        /// Smallest allowed value.
        min: i64,
        /// Largest allowed value.
        max: i64,
        /// Value given.
        actual: i64,
    },
}

/// A request field that failed validation; nothing was sent.
///
/// It names the field and the rule, and shows at most a short prefix of the value given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    field: &'static str,
    rule: ValidationRule,
    given_prefix: String,
}

impl ValidationError {
    /// A validation error for `field`; only a short prefix of `given` is kept.
    pub fn new(field: &'static str, rule: ValidationRule, given: &str) -> Self {
        todo!("skeleton: {field} {rule:?} {given}")
    }
    /// The field's API name, e.g. `out_request_no`.
    pub fn field(&self) -> &'static str {
        self.field
    }
    /// The broken rule.
    pub fn rule(&self) -> &ValidationRule {
        &self.rule
    }
    /// A short prefix of the value that was given.
    pub fn given_prefix(&self) -> &str {
        &self.given_prefix
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid `{}`: {:?}", self.field, self.rule)
    }
}

impl std::error::Error for ValidationError {}

/// A WeChat Pay error code (`code` of an error body).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// 400: a parameter is wrong.
    ParamError,
    /// 400: the request breaks the API's rules (or the stock's state forbids the action).
    InvalidRequest,
    /// 401: the signature did not verify.
    SignError,
    /// 403: the brand may not call this API.
    NoAuth,
    /// 404: the object does not exist.
    ResourceNotExists,
    /// 429: too many requests.
    RatelimitExceeded,
    /// 429: too many requests (older name).
    FrequencyLimited,
    /// 500: WeChat Pay failed; retry later.
    SystemError,
    /// 502/503: the service is unavailable.
    ServiceUnavailable,
    /// A code this version does not know, kept as sent.
    Unknown(String),
}

impl ErrorCode {
    /// The code as WeChat Pay spells it.
    pub fn as_str(&self) -> &str {
        todo!()
    }
}

/// A non-2xx answer from WeChat Pay.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: u16,
    code: Option<ErrorCode>,
    message: Option<String>,
    detail: Option<serde_json::Value>,
    request_id: Option<String>,
    body_excerpt: Option<String>,
}

impl ApiError {
    /// Builds the error from an answer's status, `Request-ID` header and raw body. Never fails: a body
    /// that is not WeChat Pay's JSON (a proxy's HTML page, nothing at all) is kept as a short excerpt.
    pub fn from_response(status: u16, request_id: Option<&str>, body: &[u8]) -> Self {
        todo!("{status} {request_id:?} {body:?}")
    }
    /// HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }
    /// The `code` of the error body, when the body was WeChat Pay JSON.
    pub fn code(&self) -> Option<&ErrorCode> {
        self.code.as_ref()
    }
    /// The human `message`.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }
    /// The free-form `detail` object.
    pub fn detail(&self) -> Option<&serde_json::Value> {
        self.detail.as_ref()
    }
    /// The `Request-ID` header.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
    /// WeChat Pay's internal error number: the `Request-ID` suffix after the last `-`.
    pub fn internal_error_number(&self) -> Option<u64> {
        todo!()
    }
    /// A short, truncated excerpt of a body that was not WeChat Pay JSON.
    pub fn body_excerpt(&self) -> Option<&str> {
        self.body_excerpt.as_deref()
    }
    /// Whether the same request may be sent again later (429, 500, 502, 503).
    pub fn is_retryable(&self) -> bool {
        matches!(self.status, 429 | 500 | 502 | 503)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WeChat Pay answered {}", self.status)
    }
}

impl std::error::Error for ApiError {}
