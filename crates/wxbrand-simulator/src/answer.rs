//! Answers: WeChat-style JSON bodies, the `Request-ID`, and the `Wechatpay-*` signature headers.

use base64::Engine as _;
use bytes::Bytes;
use http::{HeaderValue, StatusCode};
use wxbrand_sign::PrivateKey;

use crate::faults::Fault;
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

/// The signature scheme named in `Wechatpay-Signature-Type`.
pub(crate) const SIGNATURE_TYPE: &str = "WECHATPAY-BRAND-SHA256-RSA2048";

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
        }
    }
}

/// At most 32 characters of a value, for `detail.value`.
fn short(value: &str) -> String {
    value.chars().take(32).collect()
}

/// The signing identity of the simulated WeChat Pay.
#[derive(Debug, Clone)]
pub(crate) struct AnswerSigner {
    pub(crate) key: PrivateKey,
    pub(crate) key_id: String,
}

/// The headers of a finished answer, in order.
pub(crate) type HeaderList = Vec<(&'static str, HeaderValue)>;

impl AnswerSigner {
    /// Signs `body` (after any fault changed it) and lists the headers of the answer.
    pub(crate) fn headers(
        &self,
        answer: &Answer,
        body: &[u8],
        request_seq: u64,
        now_seconds: i64,
        fault: Option<&Fault>,
    ) -> HeaderList {
        let mut headers: HeaderList = Vec::with_capacity(8);
        if answer.from_proxy {
            headers.push(("content-type", HeaderValue::from_static("text/html")));
            return headers;
        }
        headers.push((
            "content-type",
            HeaderValue::from_static("application/json; charset=utf-8"),
        ));
        if let Some(allow) = answer.allow {
            headers.push(("allow", HeaderValue::from_static(allow)));
        }
        let request_id = format!("08SIM{request_seq:012}-{}", answer.errno);
        push_text(&mut headers, "request-id", &request_id);

        let timestamp = match fault {
            Some(Fault::StaleTimestamp) => now_seconds - 600,
            _ => now_seconds,
        };
        let nonce = wxbrand_sign::generate_nonce();
        let signature = match fault {
            Some(Fault::SigntestProbe) => {
                let noise: [u8; 192] = crate::keys::random_bytes();
                format!(
                    "WECHATPAY/SIGNTEST/{}",
                    base64::engine::general_purpose::STANDARD.encode(noise)
                )
            }
            Some(Fault::WrongSignature) => {
                let mut other = body.to_vec();
                other.extend_from_slice(b" ");
                self.sign(timestamp, &nonce, &other)
            }
            _ => self.sign(timestamp, &nonce, body),
        };
        let serial = match fault {
            Some(Fault::WrongSerial) => other_key_id(&self.key_id),
            _ => self.key_id.clone(),
        };
        push_text(&mut headers, "wechatpay-nonce", &nonce);
        push_text(&mut headers, "wechatpay-signature", &signature);
        push_text(&mut headers, "wechatpay-timestamp", &timestamp.to_string());
        push_text(&mut headers, "wechatpay-serial", &serial);
        headers.push((
            "wechatpay-signature-type",
            HeaderValue::from_static(SIGNATURE_TYPE),
        ));
        headers
    }

    fn sign(&self, timestamp: i64, nonce: &str, body: &[u8]) -> String {
        let message = wxbrand_sign::message::response_message(timestamp, nonce, body);
        match self.key.sign_base64(&message) {
            Ok(signature) => signature,
            Err(e) => {
                tracing::error!(error = %e, "signing an answer failed");
                String::new()
            }
        }
    }
}

fn push_text(headers: &mut HeaderList, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        headers.push((name, v));
    }
}

/// A key id that is not `key_id` (same shape).
fn other_key_id(key_id: &str) -> String {
    let candidate = "PUB_KEY_ID_0000000000000000000000000000000000";
    if key_id == candidate {
        "PUB_KEY_ID_0000000000000000000000000000000001".to_string()
    } else {
        candidate.to_string()
    }
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
