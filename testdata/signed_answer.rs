//! An answer signed as WeChat Pay signs it, with the vector WeChat Pay key: for the suites that
//! script a transport (`MockTransport`). Included with `#[path]` beside `vector_keys.rs` (its
//! parent module must hold `mod vector_keys`).
#![allow(dead_code, clippy::unwrap_used)]

use bytes::Bytes;
use wxbrand_sign::message::response_message;

use super::vector_keys::{wechatpay_key, KEY_ID};

/// The nonce of every signed answer.
pub const ANSWER_NONCE: &str = "5K8264ILTKCH16CQ2502SI8ZNMTM67VS";

/// An answer with `status` and `body`, signed at `timestamp` by the vector WeChat Pay key
/// (`Wechatpay-Serial` [`KEY_ID`]), carrying `request_id`.
pub fn signed_answer(
    status: u16,
    body: &str,
    timestamp: i64,
    request_id: &str,
) -> http::Response<Bytes> {
    let signature = wechatpay_key()
        .sign_base64(&response_message(timestamp, ANSWER_NONCE, body.as_bytes()))
        .unwrap();
    http::Response::builder()
        .status(status)
        .header("Wechatpay-Timestamp", timestamp.to_string())
        .header("Wechatpay-Nonce", ANSWER_NONCE)
        .header("Wechatpay-Signature", signature)
        .header("Wechatpay-Serial", KEY_ID)
        .header("Wechatpay-Signature-Type", "WECHATPAY-BRAND-SHA256-RSA2048")
        .header("Request-ID", request_id)
        .body(Bytes::copy_from_slice(body.as_bytes()))
        .unwrap()
}
