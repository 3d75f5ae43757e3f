//! Signed, encrypted notifications made with the vector keys (as WeChat Pay would send them).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../../../testdata/vector_keys.rs"]
pub mod vector_keys;

use bytes::Bytes;
use wxbrand_notify::{ApiKey, Receiver, Verifier};
use wxbrand_sign::message::response_message;
use wxbrand_sign::NotificationEnvelope;

pub use vector_keys::KEY_ID;
pub const API_KEY: &str = "Abcdefghijklmnopqrstuvwxyz123456";
pub const NOW: i64 = 1_735_660_800;
pub const RESOURCE: &str = r#"{"coupon_code":"C0001","product_coupon_id":"200000001","stock_id":"123456789","openid":"o_user_1"}"#;

pub fn receiver() -> Receiver {
    Receiver::new(
        Verifier::new(KEY_ID, vector_keys::wechatpay_public_key()),
        ApiKey::new(API_KEY).unwrap(),
    )
}

/// The envelope body of a notification of `event_type` carrying `resource`.
pub fn body(id: &str, event_type: &str, resource: &str) -> String {
    let encrypted = ApiKey::new(API_KEY)
        .unwrap()
        .encrypt(
            resource.as_bytes(),
            "fdasflkjdafl",
            "product_coupon",
            "product_coupon",
        )
        .unwrap();
    let envelope = NotificationEnvelope::new(
        id,
        "2025-01-01T00:00:00+08:00",
        event_type,
        "商品券核销",
        encrypted,
    );
    serde_json::to_string(&envelope).unwrap()
}

/// `body` signed at `timestamp` with the vector WeChat Pay key, as a POST request.
pub fn signed(body: &str, timestamp: i64) -> http::Request<Bytes> {
    let nonce = "c5ac7061fccab6bf3e254dcf98995b8c";
    let signature = vector_keys::wechatpay_key()
        .sign_base64(&response_message(timestamp, nonce, body.as_bytes()))
        .unwrap();
    request(body, timestamp, &signature, KEY_ID)
}

pub fn request(body: &str, timestamp: i64, signature: &str, key_id: &str) -> http::Request<Bytes> {
    http::Request::post("/notify")
        .header("Content-Type", "application/json")
        .header("Wechatpay-Timestamp", timestamp.to_string())
        .header("Wechatpay-Nonce", "c5ac7061fccab6bf3e254dcf98995b8c")
        .header("Wechatpay-Signature", signature)
        .header("Wechatpay-Serial", key_id)
        .body(Bytes::from(body.to_owned()))
        .unwrap()
}
