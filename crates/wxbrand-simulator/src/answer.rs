//! Answers before they are signed: WeChat-style JSON bodies, the status, the internal error
//! number of the `Request-ID`, and why an error answer was made.

use bytes::Bytes;
use http::StatusCode;
use wxbrand_core::error::ValidationRule;
use wxbrand_core::ValidationError;

use crate::reason;

/// WeChat Pay internal error numbers (the `Request-ID` suffix).
pub(crate) mod errno {
    /// Nothing special.
    pub(crate) const NONE: u64 = 0;
    /// A parameter is invalid.
    pub(crate) const PARAM_INVALID: u64 = 268_435_461;
    /// A parameter is too long.
    pub(crate) const PARAM_TOO_LONG: u64 = 268_435_462;
    /// A parameter is too short.
    pub(crate) const PARAM_TOO_SHORT: u64 = 268_435_463;
    /// A parameter is out of range.
    pub(crate) const PARAM_OUT_OF_RANGE: u64 = 268_435_464;
    /// The object does not exist.
    pub(crate) const NOT_FOUND: u64 = 268_578_608;
    /// Too many requests.
    pub(crate) const TOO_FREQUENT: u64 = 270_924_289;
}

/// The body of a 503 from the simulated proxy in front of WeChat Pay.
const PROXY_503_HTML: &str = "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n\
<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>stgw</center>\r\n</body>\r\n</html>\r\n";

/// Why an error answer was made: WeChat Pay's `code` and the simulator's finer [reason](crate::reason).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rejection {
    pub(crate) code: &'static str,
    pub(crate) reason: &'static str,
}

/// An answer before it is signed.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) body: Bytes,
    /// The error `code` and the [reason](crate::reason), for error answers.
    pub(crate) rejection: Option<Rejection>,
    pub(crate) errno: u64,
    /// `Allow` header (405 answers).
    pub(crate) allow: Option<&'static str>,
    /// An HTML page from the "proxy": no JSON, no signature, no `Request-ID`.
    pub(crate) from_proxy: bool,
    /// Made before the request's signature verified: its signature may be shared with identical
    /// answers of the same second ([`AnswerSigner`](crate::answer_signer::AnswerSigner)).
    pub(crate) unauthenticated: bool,
}

impl Answer {
    /// A 200 answer with a JSON body.
    pub(crate) fn ok(body: Bytes) -> Self {
        Answer {
            status: StatusCode::OK,
            body,
            rejection: None,
            errno: errno::NONE,
            allow: None,
            from_proxy: false,
            unauthenticated: false,
        }
    }

    /// `{"code","message"}`, refused for `reason`.
    pub(crate) fn error(
        status: StatusCode,
        code: &'static str,
        reason: &'static str,
        message: &str,
        errno: u64,
    ) -> Self {
        let body = serde_json::json!({ "code": code, "message": message });
        Answer::error_body(status, Rejection { code, reason }, body, errno)
    }

    /// `{"code":"PARAM_ERROR","message",…,"detail":{"field","value","issue","location"}}`.
    pub(crate) fn param_error(
        field: &str,
        value: &str,
        issue: &str,
        location: &str,
        errno: u64,
    ) -> Self {
        let body = serde_json::json!({
            "code": "PARAM_ERROR",
            "message": format!("{field}: {issue}"),
            "detail": {
                "field": field,
                "value": short(value),
                "issue": issue,
                "location": location,
            },
        });
        let rejection = Rejection {
            code: "PARAM_ERROR",
            reason: reason::PARAM_ERROR,
        };
        Answer::error_body(StatusCode::BAD_REQUEST, rejection, body, errno)
    }

    /// `PARAM_ERROR` for `field`, which broke one of the client's rules (`wxbrand_core::validate`),
    /// with the internal error number of the broken rule.
    pub(crate) fn rule_broken(field: &str, error: &ValidationError, location: &str) -> Self {
        let requirement = error.requirement().unwrap_or("see the API documentation");
        let (issue, errno) = match error.rule() {
            ValidationRule::Empty => ("must not be empty".to_string(), errno::PARAM_TOO_SHORT),
            ValidationRule::TooShort { .. } => {
                (format!("too short: {requirement}"), errno::PARAM_TOO_SHORT)
            }
            ValidationRule::TooLong { .. } => {
                (format!("too long: {requirement}"), errno::PARAM_TOO_LONG)
            }
            ValidationRule::ForbiddenCharacter { character, index } => (
                format!(
                    "{} at character {index} is not allowed: {requirement}",
                    character.escape_debug()
                ),
                errno::PARAM_INVALID,
            ),
            ValidationRule::OutOfRange { .. } => (
                format!("out of range: {requirement}"),
                errno::PARAM_OUT_OF_RANGE,
            ),
            _ => (requirement.to_string(), errno::PARAM_INVALID),
        };
        Answer::param_error(field, error.given_prefix(), &issue, location, errno)
    }

    fn error_body(
        status: StatusCode,
        rejection: Rejection,
        body: serde_json::Value,
        errno: u64,
    ) -> Self {
        let bytes =
            serde_json::to_vec(&body).unwrap_or_else(|_| br#"{"code":"SYSTEM_ERROR"}"#.to_vec());
        Answer {
            status,
            body: Bytes::from(bytes),
            rejection: Some(rejection),
            errno,
            allow: None,
            from_proxy: false,
            unauthenticated: false,
        }
    }

    /// `401 SIGN_ERROR`.
    pub(crate) fn sign_error(reason: &'static str, message: &str) -> Self {
        Answer::error(
            StatusCode::UNAUTHORIZED,
            "SIGN_ERROR",
            reason,
            message,
            errno::NONE,
        )
    }

    /// `400 INVALID_REQUEST`.
    pub(crate) fn invalid_request(reason: &'static str, message: &str) -> Self {
        Answer::error(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            reason,
            message,
            errno::NONE,
        )
    }

    /// `404 RESOURCE_NOT_EXISTS`.
    pub(crate) fn not_exists(reason: &'static str, message: &str) -> Self {
        Answer::error(
            StatusCode::NOT_FOUND,
            "RESOURCE_NOT_EXISTS",
            reason,
            message,
            errno::NOT_FOUND,
        )
    }

    /// `429 RATELIMIT_EXCEEDED`.
    pub(crate) fn rate_limited() -> Self {
        Answer::error(
            StatusCode::TOO_MANY_REQUESTS,
            "RATELIMIT_EXCEEDED",
            reason::RATE_LIMITED,
            "too many requests: slow down and retry later",
            errno::TOO_FREQUENT,
        )
    }

    /// `500 SYSTEM_ERROR`.
    pub(crate) fn system_error() -> Self {
        Answer::error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "SYSTEM_ERROR",
            reason::SYSTEM_ERROR,
            "system error, please retry later",
            errno::NONE,
        )
    }

    /// The same answer, marked as made before the request's signature verified.
    pub(crate) fn unauthenticated(mut self) -> Self {
        self.unauthenticated = true;
        self
    }

    /// The same answer, counted as injected by a fault rather than refused on its merits.
    pub(crate) fn injected(mut self) -> Self {
        if let Some(rejection) = &mut self.rejection {
            rejection.reason = reason::INJECTED_FAULT;
        }
        self
    }

    /// `503` with an HTML page, as a proxy would send it.
    pub(crate) fn proxy_503() -> Self {
        Answer {
            status: StatusCode::SERVICE_UNAVAILABLE,
            body: Bytes::from_static(PROXY_503_HTML.as_bytes()),
            rejection: None,
            errno: errno::NONE,
            allow: None,
            from_proxy: true,
            unauthenticated: false,
        }
    }
}

/// At most 32 characters of a value, for `detail.value`.
fn short(value: &str) -> String {
    value.chars().take(32).collect()
}

/// The body after an [`Fault::OversizedBody`] padding (JSON whitespace, so still valid JSON).
pub(crate) fn pad_body(body: Bytes, to: usize) -> Bytes {
    if body.len() >= to {
        return body;
    }
    let mut padded = Vec::with_capacity(to);
    padded.extend_from_slice(&body);
    padded.resize(to, b' ');
    Bytes::from(padded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn param_error_names_the_field_and_shortens_the_value() {
        let a = Answer::param_error(
            "out_request_no",
            &"x".repeat(100),
            "too long",
            "body",
            errno::PARAM_TOO_LONG,
        );
        let v: serde_json::Value = serde_json::from_slice(&a.body).unwrap();
        assert_eq!(v["code"], "PARAM_ERROR");
        assert_eq!(v["detail"]["field"], "out_request_no");
        assert_eq!(v["detail"]["value"].as_str().unwrap().len(), 32);
        assert_eq!(v["detail"]["location"], "body");
    }

    #[test]
    fn padding_keeps_json_valid() {
        let b = pad_body(Bytes::from_static(b"{\"a\":1}"), 1000);
        assert_eq!(b.len(), 1000);
        let v: serde_json::Value = serde_json::from_slice(&b).unwrap();
        assert_eq!(v["a"], 1);
    }
}
