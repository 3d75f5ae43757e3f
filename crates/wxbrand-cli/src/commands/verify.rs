//! `wxbrand verify`: checks a WeChat Pay answer or notification signature by hand.

use wxbrand_sign::{HeaderSource, Verifier, VerifyError};

use crate::cli::VerifyArgs;
use crate::config::{self, PUBLIC_KEY, PUBLIC_KEY_ID};
use crate::exit::{Failure, FailureKind};
use crate::{clock, output};

/// The headers given on the command line, looked up by (case-insensitive) header name.
#[derive(Debug, Clone, Default)]
struct GivenHeaders {
    timestamp: Option<String>,
    nonce: Option<String>,
    signature: Option<String>,
    serial: Option<String>,
    request_id: Option<String>,
}

impl HeaderSource for GivenHeaders {
    fn header(&self, name: &str) -> Option<&str> {
        let value = match name.to_ascii_lowercase().as_str() {
            "wechatpay-timestamp" => &self.timestamp,
            "wechatpay-nonce" => &self.nonce,
            "wechatpay-signature" => &self.signature,
            "wechatpay-serial" => &self.serial,
            "request-id" => &self.request_id,
            _ => return None,
        };
        value.as_deref()
    }
}

/// Runs `wxbrand verify`: prints `ok`, or the reason and exits 4.
pub fn run(args: &VerifyArgs) -> Result<(), Failure> {
    let key_path = config::required(args.wechatpay.public_key.as_ref(), PUBLIC_KEY)?;
    let key_id = config::required_text(args.wechatpay.public_key_id.as_ref(), PUBLIC_KEY_ID)?;
    let body = config::body_bytes(args.body.body.as_ref(), args.body.body_file.as_ref())?;
    let key = config::load_public_key(&key_path, PUBLIC_KEY)?;
    let now = args.now.unwrap_or_else(clock::now_unix_seconds);
    if args.show_message {
        show_message(args.timestamp.as_deref(), args.nonce.as_deref(), &body);
    }
    let headers = GivenHeaders {
        timestamp: args.timestamp.clone(),
        nonce: args.nonce.clone(),
        signature: args.signature.clone(),
        serial: args.serial.clone(),
        request_id: args.request_id.clone(),
    };
    match Verifier::new(key_id, key).verify_response(&headers, &body, now) {
        Ok(_) => output::line("ok"),
        Err(error) => {
            output::line(&describe(&error))?;
            Err(Failure::new(FailureKind::Verification, String::new()))
        }
    }
}

/// Prints on stderr the message the signature must cover: `TIMESTAMP\nNONCE\nBODY\n`.
fn show_message(timestamp: Option<&str>, nonce: Option<&str>, body: &[u8]) {
    let parsed = timestamp.and_then(|t| t.trim().parse::<i64>().ok());
    match (parsed, nonce) {
        (Some(timestamp), Some(nonce)) => {
            let message = wxbrand_sign::message::response_message(timestamp, nonce, body);
            output::note(&output::escape(&message));
        }
        _ => output::note("(no message: --timestamp must be a number and --nonce given)"),
    }
}

/// The stable name of a verification failure, as printed first on the line.
pub fn reason(error: &VerifyError) -> &'static str {
    match error {
        VerifyError::MissingHeader(_) => "missing_header",
        VerifyError::MalformedHeader(_) => "malformed_header",
        VerifyError::UnknownKeyId { .. } => "serial_mismatch",
        VerifyError::TimestampOutOfWindow { .. } => "timestamp_out_of_window",
        VerifyError::BadSignature => "bad_signature",
        _ => "verification_failed",
    }
}

/// The flag that gives a header on the command line.
fn flag_for(header: &str) -> Option<&'static str> {
    match header.to_ascii_lowercase().as_str() {
        "wechatpay-timestamp" => Some("--timestamp"),
        "wechatpay-nonce" => Some("--nonce"),
        "wechatpay-signature" => Some("--signature"),
        "wechatpay-serial" => Some("--serial"),
        "request-id" => Some("--request-id"),
        _ => None,
    }
}

/// `reason: explanation` for people (the explanation is wxbrand-sign's), naming the flag of a
/// missing or malformed header.
pub fn describe(error: &VerifyError) -> String {
    let reason = reason(error);
    match (error, error.header_name().and_then(flag_for)) {
        (VerifyError::MissingHeader(name), Some(flag)) => {
            format!("{reason}: the answer has no {name} header (pass it with {flag})")
        }
        (VerifyError::MalformedHeader(_), Some(flag)) => {
            format!("{reason}: {error} (given with {flag})")
        }
        _ => format!("{reason}: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_are_case_insensitive() {
        let headers = GivenHeaders {
            nonce: Some("n".into()),
            ..GivenHeaders::default()
        };
        assert_eq!(headers.header("WECHATPAY-NONCE"), Some("n"));
        assert_eq!(headers.header("Wechatpay-Timestamp"), None);
        assert_eq!(headers.header("X-Other"), None);
    }

    #[test]
    fn reasons_are_stable_names() {
        assert_eq!(reason(&VerifyError::BadSignature), "bad_signature");
        let out = VerifyError::TimestampOutOfWindow {
            server: 10,
            local: 310,
        };
        assert!(describe(&out).starts_with("timestamp_out_of_window: "));
    }

    #[test]
    fn missing_and_malformed_headers_name_their_flag() {
        assert_eq!(
            describe(&VerifyError::MissingHeader("Wechatpay-Signature")),
            "missing_header: the answer has no Wechatpay-Signature header (pass it with --signature)"
        );
        let malformed = describe(&VerifyError::MalformedHeader("Wechatpay-Timestamp"));
        assert!(malformed.starts_with("malformed_header: "), "{malformed}");
        assert!(
            malformed.ends_with("(given with --timestamp)"),
            "{malformed}"
        );
    }
}
