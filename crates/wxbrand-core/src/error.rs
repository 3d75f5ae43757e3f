//! Errors: local validation failures and WeChat Pay API errors (non-2xx answers).

use std::borrow::Cow;
use std::fmt;

use crate::string_enum::string_enum;

/// How many characters of a rejected value a [`ValidationError`] keeps.
pub const GIVEN_PREFIX_CHARS: usize = 16;

/// How many characters of a body that is not WeChat Pay JSON an [`ApiError`] keeps.
pub const BODY_EXCERPT_CHARS: usize = 200;

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
    /// The value could not be serialized as JSON (a map with non-text keys, a failing `Serialize`).
    NotSerializable,
    /// A required field (or one required by another field's value) is absent.
    Missing,
    /// A field is present where the request's other fields rule it out (mutually exclusive
    /// fields, a rule that does not fit the coupon's type or usage mode).
    NotAllowed,
}

/// A request field that failed validation; nothing was sent.
///
/// It names the field by its path in the request (`out_request_no`, or
/// `stock.stock_send_rule.max_count_per_user` inside nested objects, `list[2].name` inside lists),
/// the rule it broke and what was given, and keeps at most [`GIVEN_PREFIX_CHARS`] characters of the
/// value. `Display` reads as one sentence, e.g.
/// `out_request_no must be 6 to 40 characters of [0-9A-Za-z_-]; got 5 characters: "abcde"`.
///
/// The validated field types ([`crate::field`]) report errors without a path; the object holding
/// the value adds its field name with [`ValidationError::within`] (or
/// [`WithinField::within`](crate::field::WithinField::within) on a `Result`), and every enclosing
/// object adds its own in turn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    field: Cow<'static, str>,
    rule: ValidationRule,
    given_prefix: String,
    given_truncated: bool,
    requirement: Option<Cow<'static, str>>,
}

impl ValidationError {
    /// A validation error for `field`; only a short prefix of `given` is kept.
    /// `field` may be empty when the holder of the value is not known yet (see [`ValidationError::within`]).
    pub fn new(field: &'static str, rule: ValidationRule, given: &str) -> Self {
        let given_prefix: String = given.chars().take(GIVEN_PREFIX_CHARS).collect();
        let given_truncated = given_prefix.len() < given.len();
        ValidationError {
            field: Cow::Borrowed(field),
            rule,
            given_prefix,
            given_truncated,
            requirement: None,
        }
    }
    /// States the whole requirement of the field for `Display`, e.g. `"6 to 40 characters of [0-9A-Za-z_-]"`
    /// (read after "`field` must be"). Without it `Display` states the broken rule alone.
    pub fn with_requirement(mut self, requirement: impl Into<Cow<'static, str>>) -> Self {
        self.requirement = Some(requirement.into());
        self
    }
    /// Puts the field inside `parent`: `max_count_per_user` becomes
    /// `stock_send_rule.max_count_per_user`; a field without a name becomes `parent`.
    pub fn within(mut self, parent: &'static str) -> Self {
        self.field = if self.field.is_empty() {
            Cow::Borrowed(parent)
        } else {
            Cow::Owned(format!("{parent}.{}", self.field))
        };
        self
    }
    /// Puts the field inside item `index` of the list `list`: `name` becomes `list[2].name`.
    pub fn within_item(mut self, list: &'static str, index: usize) -> Self {
        self.field = if self.field.is_empty() {
            Cow::Owned(format!("{list}[{index}]"))
        } else {
            Cow::Owned(format!("{list}[{index}].{}", self.field))
        };
        self
    }
    /// The field's path in the request, e.g. `out_request_no` or
    /// `stock.stock_send_rule.max_count_per_user` (empty when no holder named it).
    pub fn field(&self) -> &str {
        &self.field
    }
    /// The broken rule.
    pub fn rule(&self) -> &ValidationRule {
        &self.rule
    }
    /// At most [`GIVEN_PREFIX_CHARS`] characters from the start of the value that was given.
    pub fn given_prefix(&self) -> &str {
        &self.given_prefix
    }
    /// The field's whole requirement, when one was stated.
    pub fn requirement(&self) -> Option<&str> {
        self.requirement.as_deref()
    }

    fn write_requirement(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(requirement) = &self.requirement {
            return f.write_str(requirement);
        }
        match &self.rule {
            ValidationRule::Empty => f.write_str("non-empty"),
            ValidationRule::TooShort { min, .. } => write!(f, "at least {min} characters"),
            ValidationRule::TooLong { max, .. } => write!(f, "at most {max} characters"),
            ValidationRule::ForbiddenCharacter { character, .. } => {
                write!(f, "free of the character '{}'", character.escape_debug())
            }
            ValidationRule::OutOfRange { min, max, .. } => write!(f, "between {min} and {max}"),
            ValidationRule::NotSerializable => f.write_str("serializable as JSON"),
            ValidationRule::Missing => f.write_str("given"),
            ValidationRule::NotAllowed => f.write_str("absent"),
        }
    }

    fn write_given(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ellipsis = if self.given_truncated { "…" } else { "" };
        match &self.rule {
            ValidationRule::Empty => return f.write_str("got an empty value"),
            ValidationRule::NotSerializable => return f.write_str("it is not"),
            ValidationRule::Missing => return f.write_str("it is absent"),
            ValidationRule::NotAllowed if self.given_prefix.is_empty() => {
                return f.write_str("it is present")
            }
            ValidationRule::NotAllowed => f.write_str("got")?,
            ValidationRule::OutOfRange { actual, .. } => return write!(f, "got {actual}"),
            ValidationRule::TooShort { actual, .. } | ValidationRule::TooLong { actual, .. } => {
                write!(f, "got {actual} characters")?
            }
            ValidationRule::ForbiddenCharacter { character, index } => write!(
                f,
                "got '{}' (U+{:04X}) at character {index}",
                character.escape_debug(),
                u32::from(*character)
            )?,
        }
        write!(f, ": \"{}{ellipsis}\"", self.given_prefix.escape_debug())
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = if self.field.is_empty() {
            "the value"
        } else {
            &self.field
        };
        write!(f, "{field} must be ")?;
        self.write_requirement(f)?;
        f.write_str("; ")?;
        self.write_given(f)
    }
}

impl std::error::Error for ValidationError {}

/// A verified answer that is not about what the request asked for: an identifying field of the
/// answer (a stock id, the request number of a deactivation) differs from the value sent.
///
/// Each operation says which fields identify its answer
/// ([`Operation::check_answer`](crate::Operation::check_answer)); the client checks them after
/// decoding. Both values come from outside this process and are printed escaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerMismatch {
    field: &'static str,
    sent: String,
    answered: String,
}

impl AnswerMismatch {
    /// `Ok` when the answer's `answered` equals the request's `sent`, else the mismatch of `field`.
    pub fn check(field: &'static str, sent: &str, answered: &str) -> Result<(), AnswerMismatch> {
        if sent == answered {
            return Ok(());
        }
        Err(AnswerMismatch {
            field,
            sent: shortened(sent),
            answered: shortened(answered),
        })
    }
    /// As [`AnswerMismatch::check`], for a field the answer may leave out (absent is accepted).
    pub fn check_if_present(
        field: &'static str,
        sent: &str,
        answered: Option<&str>,
    ) -> Result<(), AnswerMismatch> {
        match answered {
            Some(answered) => Self::check(field, sent, answered),
            None => Ok(()),
        }
    }
    /// The answer's field that differs, e.g. `stock_id`.
    pub fn field(&self) -> &'static str {
        self.field
    }
    /// The value the request sent (at most [`ANSWER_VALUE_CHARS`] characters, then `…`).
    pub fn sent(&self) -> &str {
        &self.sent
    }
    /// The value the answer holds (at most [`ANSWER_VALUE_CHARS`] characters, then `…`).
    pub fn answered(&self) -> &str {
        &self.answered
    }
}

/// At most [`ANSWER_VALUE_CHARS`] characters of `text`, with `…` when cut.
fn shortened(text: &str) -> String {
    let mut chars = text.chars();
    let mut kept: String = chars.by_ref().take(ANSWER_VALUE_CHARS).collect();
    if chars.next().is_some() {
        kept.push('…');
    }
    kept
}

/// How many characters of each value an [`AnswerMismatch`] keeps.
pub const ANSWER_VALUE_CHARS: usize = 64;

impl fmt::Display for AnswerMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the answer's {} is \"{}\" but the request sent \"{}\"",
            self.field,
            self.answered.escape_debug(),
            self.sent.escape_debug()
        )
    }
}

impl std::error::Error for AnswerMismatch {}

string_enum! {
    /// A WeChat Pay error code (`code` of an error body).
    pub enum ErrorCode {
        /// `PARAM_ERROR` (400): a parameter is wrong.
        ParamError = "PARAM_ERROR",
        /// `INVALID_REQUEST` (400): the request breaks the API's rules (or the stock's state forbids the action).
        InvalidRequest = "INVALID_REQUEST",
        /// `SIGN_ERROR` (401): the signature did not verify.
        SignError = "SIGN_ERROR",
        /// `NO_AUTH` (403): the brand may not call this API.
        NoAuth = "NO_AUTH",
        /// `RESOURCE_NOT_EXISTS` (404): the object does not exist.
        ResourceNotExists = "RESOURCE_NOT_EXISTS",
        /// `RATELIMIT_EXCEEDED` (429): too many requests.
        RatelimitExceeded = "RATELIMIT_EXCEEDED",
        /// `FREQUENCY_LIMITED` (429): too many requests (older name).
        FrequencyLimited = "FREQUENCY_LIMITED",
        /// `SYSTEM_ERROR` (500): WeChat Pay failed; retry later.
        SystemError = "SYSTEM_ERROR",
        /// `SERVICE_UNAVAILABLE` (502/503): the service is unavailable.
        ServiceUnavailable = "SERVICE_UNAVAILABLE",
    }
}

/// The JSON error body WeChat Pay sends.
#[derive(serde::Deserialize)]
struct ErrorBody {
    code: String,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    detail: Option<serde_json::Value>,
}

/// A non-2xx answer from WeChat Pay.
///
/// `Display` gives the status, code, message and `Request-ID`, e.g.
/// `WeChat Pay answered HTTP 404 RESOURCE_NOT_EXISTS: 批次不存在 (Request-ID 08DE…-268578608)`.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: u16,
    code: Option<ErrorCode>,
    message: Option<String>,
    detail: Option<serde_json::Value>,
    request_id: Option<String>,
    body_excerpt: Option<String>,
    location: Option<String>,
}

impl ApiError {
    /// Builds the error from an answer's status, `Request-ID` header and raw body. Never fails: a body
    /// that is not WeChat Pay's JSON (a proxy's HTML page, nothing at all) is kept as a short excerpt.
    pub fn from_response(status: u16, request_id: Option<&str>, body: &[u8]) -> Self {
        let request_id = request_id.map(str::to_owned);
        match serde_json::from_slice::<ErrorBody>(body) {
            Ok(parsed) => ApiError {
                status,
                code: Some(ErrorCode::from(parsed.code)),
                message: parsed.message,
                detail: parsed.detail,
                request_id,
                body_excerpt: None,
                location: None,
            },
            Err(_) => ApiError {
                status,
                code: None,
                message: None,
                detail: None,
                request_id,
                body_excerpt: Some(excerpt(&String::from_utf8_lossy(body), BODY_EXCERPT_CHARS)),
                location: None,
            },
        }
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
    /// WeChat Pay's internal error number: the `Request-ID` suffix after the last `-`, when it is a number.
    pub fn internal_error_number(&self) -> Option<u64> {
        let (_, suffix) = self.request_id.as_deref()?.rsplit_once('-')?;
        suffix.parse().ok()
    }
    /// A short, truncated excerpt of a body that was not WeChat Pay JSON (empty for an empty body),
    /// whitespace runs folded to one space, at most [`BODY_EXCERPT_CHARS`] characters plus `…`.
    pub fn body_excerpt(&self) -> Option<&str> {
        self.body_excerpt.as_deref()
    }
    /// Keeps the `Location` header of a redirect (3xx) answer, shortened and escaped like the
    /// body excerpt. Redirects are never followed: the error shows where it pointed.
    pub fn with_location(mut self, location: Option<&str>) -> Self {
        self.location = location.map(|location| excerpt(location, BODY_EXCERPT_CHARS));
        self
    }
    /// The `Location` of a redirect answer (see [`ApiError::with_location`]).
    pub fn location(&self) -> Option<&str> {
        self.location.as_deref()
    }
    /// Whether the same request may be sent again later (429, 500, 502, 503).
    pub fn is_retryable(&self) -> bool {
        matches!(self.status, 429 | 500 | 502 | 503)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WeChat Pay answered HTTP {}", self.status)?;
        if let Some(code) = &self.code {
            write!(f, " {code}")?;
        }
        if let Some(message) = &self.message {
            write!(f, ": {}", excerpt(message, BODY_EXCERPT_CHARS))?;
        }
        if let Some(detail) = &self.detail {
            write!(
                f,
                " (detail: {})",
                excerpt(&detail.to_string(), BODY_EXCERPT_CHARS)
            )?;
        }
        if let Some(location) = &self.location {
            write!(f, " redirecting to `{location}` (not followed)")?;
        }
        match self.body_excerpt.as_deref() {
            Some("") => f.write_str(" with an empty body")?,
            Some(body) => write!(f, " with a body that is not WeChat Pay JSON: \"{body}\"")?,
            None => {}
        }
        match &self.request_id {
            Some(request_id) => write!(
                f,
                " (Request-ID {})",
                excerpt(request_id, BODY_EXCERPT_CHARS)
            ),
            None => f.write_str(" (no Request-ID)"),
        }
    }
}

impl std::error::Error for ApiError {}

/// At most `max_chars` characters of `text`, whitespace runs folded to one space, other control
/// characters escaped (`\u{1b}`, counted as they are written), `…` appended when cut.
/// Cuts on character boundaries, so any UTF-8 text is safe, and the result never moves a terminal.
fn excerpt(text: &str, max_chars: usize) -> String {
    let mut out = String::new();
    let mut kept = 0;
    let mut pending_space = false;
    for c in text.trim().chars() {
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        let shown = if c.is_control() {
            c.escape_debug().to_string()
        } else {
            c.to_string()
        };
        let needed = shown.chars().count() + usize::from(pending_space);
        if kept + needed > max_chars {
            out.push('…');
            return out;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push_str(&shown);
        kept += needed;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_cuts_on_character_boundaries() {
        let text = "错".repeat(300);
        let cut = excerpt(&text, 10);
        assert_eq!(cut, format!("{}…", "错".repeat(10)));
    }

    #[test]
    fn excerpt_folds_whitespace() {
        assert_eq!(
            excerpt("  <html>\n\n <body>502</body>\r\n", 100),
            "<html> <body>502</body>"
        );
    }

    #[test]
    fn excerpt_escapes_control_characters() {
        assert_eq!(excerpt("a\u{1b}[31mb\0", 100), "a\\u{1b}[31mb\\0");
    }

    #[test]
    fn validation_display_reads_as_a_sentence() {
        let error = ValidationError::new(
            "out_request_no",
            ValidationRule::TooShort { min: 6, actual: 5 },
            "abcde",
        )
        .with_requirement("6 to 40 characters of [0-9A-Za-z_-]");
        assert_eq!(
            error.to_string(),
            "out_request_no must be 6 to 40 characters of [0-9A-Za-z_-]; got 5 characters: \"abcde\""
        );
    }

    #[test]
    fn validation_keeps_a_short_prefix_only() {
        let given = "x".repeat(100);
        let error = ValidationError::new(
            "stock_id",
            ValidationRule::TooLong {
                max: 40,
                actual: 100,
            },
            &given,
        );
        assert_eq!(error.given_prefix().chars().count(), GIVEN_PREFIX_CHARS);
        assert!(error.to_string().ends_with("…\""));
    }
}
