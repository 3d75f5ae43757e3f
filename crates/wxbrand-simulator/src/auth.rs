//! Request authentication, as WeChat Pay does it for the brand API.
//!
//! In order: `Authorization` present, of the `WECHATPAY-BRAND-SHA256-RSA2048` scheme with all five
//! parameters; `brand_id` known; `serial_no` registered for that brand; `timestamp` within the
//! window of the simulator's clock; signature valid over the exact method, path-and-query and body
//! bytes received (all 401 `SIGN_ERROR`); then `Wechatpay-Serial` equal to the simulator's WeChat
//! Pay public key id, `Accept` admitting JSON and, for bodies, `Content-Type: application/json`
//! (400 `INVALID_REQUEST`).

use std::collections::HashMap;

use http::request::Parts;
use wxbrand_sign::{AuthorizationParams, PublicKey};

use crate::answer::Answer;
use crate::reason;

/// Registered brands: brand id → serial number → public key.
#[derive(Debug, Clone, Default)]
pub(crate) struct BrandKeys {
    brands: HashMap<String, HashMap<String, PublicKey>>,
}

impl BrandKeys {
    pub(crate) fn register(&mut self, brand_id: String, serial_no: String, key: PublicKey) {
        self.brands
            .entry(brand_id)
            .or_default()
            .insert(serial_no, key);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.brands.is_empty()
    }
}

/// What request authentication needs to know.
#[derive(Debug)]
pub(crate) struct AuthPolicy<'a> {
    pub(crate) brands: &'a BrandKeys,
    pub(crate) wechatpay_key_id: &'a str,
    pub(crate) now_seconds: i64,
    pub(crate) window_seconds: i64,
    /// The media type the route's body must be sent as (`Content-Type` is checked), if any.
    pub(crate) body_media: Option<&'static str>,
}

/// Authenticates a request; `Ok` carries the brand id, `Err` the answer to send.
pub(crate) fn authenticate(
    policy: &AuthPolicy<'_>,
    parts: &Parts,
    body: &[u8],
) -> Result<String, Answer> {
    let Some(raw) = parts.headers.get(http::header::AUTHORIZATION) else {
        return Err(Answer::sign_error(
            reason::MISSING_AUTHORIZATION,
            "the Authorization header is missing",
        ));
    };
    let Ok(value) = raw.to_str() else {
        return Err(Answer::sign_error(
            reason::MALFORMED_AUTHORIZATION,
            "the Authorization header is not visible ASCII",
        ));
    };
    let scheme = value.split_once(' ').map_or(value, |(scheme, _)| scheme);
    if scheme != wxbrand_sign::SCHEME {
        return Err(Answer::sign_error(
            reason::MALFORMED_AUTHORIZATION,
            "the Authorization scheme must be WECHATPAY-BRAND-SHA256-RSA2048",
        ));
    }
    let Some(params) = AuthorizationParams::parse(value) else {
        return Err(Answer::sign_error(
            reason::MALFORMED_AUTHORIZATION,
            "the Authorization header must carry brand_id, nonce_str, signature, timestamp and serial_no once each",
        ));
    };
    if [
        &params.brand_id,
        &params.serial_no,
        &params.nonce_str,
        &params.timestamp,
        &params.signature,
    ]
    .iter()
    .any(|p| p.is_empty())
    {
        return Err(Answer::sign_error(
            reason::MALFORMED_AUTHORIZATION,
            "an Authorization parameter is empty",
        ));
    }
    let Some(serials) = policy.brands.brands.get(&params.brand_id) else {
        return Err(Answer::sign_error(
            reason::UNKNOWN_BRAND,
            "brand_id is unknown",
        ));
    };
    let Some(key) = serials.get(&params.serial_no) else {
        return Err(Answer::sign_error(
            reason::UNKNOWN_SERIAL,
            "serial_no is not a registered certificate of this brand",
        ));
    };
    let timestamp = match params.timestamp.parse::<i64>() {
        Ok(t) if params.timestamp.bytes().all(|b| b.is_ascii_digit()) => t,
        _ => {
            return Err(Answer::sign_error(
                reason::MALFORMED_AUTHORIZATION,
                "timestamp is not a number of seconds",
            ))
        }
    };
    if (policy.now_seconds - timestamp).abs() > policy.window_seconds {
        return Err(Answer::sign_error(
            reason::TIMESTAMP_OUT_OF_WINDOW,
            "timestamp is too far from the server's time; check the clock",
        ));
    }
    let path_and_query = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
    // The exact bytes sent: `000<now>` is checked as `000<now>`, not as the number it reads as.
    let message = signed_request_message(
        parts.method.as_str(),
        path_and_query,
        &params.timestamp,
        &params.nonce_str,
        body,
    );
    if !key.verify_base64(&message, &params.signature) {
        return Err(Answer::sign_error(
            reason::BAD_SIGNATURE,
            "the signature does not verify",
        ));
    }

    match header_text(parts, "wechatpay-serial") {
        Some(serial) if serial == policy.wechatpay_key_id => {}
        Some(_) => {
            return Err(Answer::invalid_request(
                reason::WRONG_WECHATPAY_SERIAL,
                "Wechatpay-Serial does not name the WeChat Pay public key of this brand",
            ))
        }
        None => {
            return Err(Answer::invalid_request(
                reason::MISSING_WECHATPAY_SERIAL,
                "the Wechatpay-Serial header is missing",
            ))
        }
    }
    match header_text(parts, "accept") {
        Some(accept) if accepts_json(accept) => {}
        _ => {
            return Err(Answer::invalid_request(
                reason::BAD_ACCEPT,
                "the Accept header must admit application/json",
            ))
        }
    }
    if let Some(wanted) = policy.body_media {
        let content_type = header_text(parts, "content-type").unwrap_or("");
        let media = content_type.split(';').next().unwrap_or("").trim();
        if !media.eq_ignore_ascii_case(wanted) {
            return Err(Answer::invalid_request(
                reason::BAD_CONTENT_TYPE,
                &format!("Content-Type must be {wanted}"),
            ));
        }
    }
    Ok(params.brand_id)
}

/// `METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n` with every part exactly as received.
fn signed_request_message(
    method: &str,
    path_and_query: &str,
    timestamp: &str,
    nonce: &str,
    body: &[u8],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(
        method.len() + path_and_query.len() + timestamp.len() + nonce.len() + body.len() + 5,
    );
    for part in [
        method.as_bytes(),
        path_and_query.as_bytes(),
        timestamp.as_bytes(),
        nonce.as_bytes(),
        body,
    ] {
        out.extend_from_slice(part);
        out.push(b'\n');
    }
    out
}

fn header_text<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts.headers.get(name).and_then(|v| v.to_str().ok())
}

fn accepts_json(accept: &str) -> bool {
    accept.split(',').any(|item| {
        let media = item.split(';').next().unwrap_or("").trim();
        media.eq_ignore_ascii_case("application/json")
            || media == "*/*"
            || media.eq_ignore_ascii_case("application/*")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_is_the_sdk_s_for_canonical_timestamps() {
        let ours = signed_request_message("POST", "/a?b=1", "1735660800", "n0nce", b"{}");
        let sdk =
            wxbrand_sign::message::request_message("POST", "/a?b=1", 1_735_660_800, "n0nce", b"{}");
        assert_eq!(ours, sdk);
        let padded = signed_request_message("GET", "/a", "0001735660800", "n", b"");
        assert_eq!(padded, b"GET\n/a\n0001735660800\nn\n\n");
    }

    #[test]
    fn accept_must_admit_json() {
        assert!(accepts_json("application/json"));
        assert!(accepts_json("text/html, application/json;q=0.9"));
        assert!(accepts_json("*/*"));
        assert!(!accepts_json("text/html"));
    }
}
