//! Shared by the client suites: fixed keys and ids, signed answers, and a client over
//! `MockTransport` whose `ManualClock` also serves as the sleeper, so nothing waits.
#![allow(dead_code, unused_imports)]

pub use std::sync::{Arc, Mutex};
pub use std::time::Duration;

pub use bytes::Bytes;
pub use http::StatusCode;
pub use wxbrand_client::clock::{Clock, ManualClock};
pub use wxbrand_client::{Client, ClientBuilder, Error, ErrorKind, RateLimit, RetryPolicy};
pub use wxbrand_core::product_coupon::{DeactivateStockRequest, GetStockRequest, StockState};
pub use wxbrand_core::{Method, Operation};
pub use wxbrand_sign::message::{request_message, response_message};
pub use wxbrand_sign::{AuthorizationParams, PrivateKey, PublicKey, VerifyError};
pub use wxbrand_transport::test_util::MockTransport;
pub use wxbrand_transport::TransportErrorKind;

#[path = "../../../../testdata/vector_keys.rs"]
mod vector_keys;
pub use vector_keys::*;
#[path = "../../../../testdata/signed_answer.rs"]
mod signed_answer;
pub use signed_answer::*;

pub const START: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z
pub const MAIN: &str = "https://main.test";
pub const SEED_REQUEST_NO: &str = "1002600620019090123143254436";
pub const BACKUP: &str = "https://backup.test";
pub const STOCK: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../testdata/vectors/stock_entity_seed_example.json"
));

/// A correctly signed answer at `timestamp`.
pub fn signed(status: u16, body: &str, timestamp: i64) -> http::Response<Bytes> {
    signed_answer(status, body, timestamp, &format!("08RID{status}-0"))
}

pub fn ok_stock() -> http::Response<Bytes> {
    signed(200, STOCK, START)
}

/// The seed's stock, made about the stock and request number of a deactivation `request`.
pub fn ok_stock_for(request: &http::Request<Bytes>) -> http::Response<Bytes> {
    let mut stock: serde_json::Value = serde_json::from_str(STOCK).unwrap();
    let segments: Vec<&str> = request.uri().path().split('/').collect();
    stock["stock_id"] = segments[segments.len() - 2].into();
    let body: serde_json::Value = serde_json::from_slice(request.body()).unwrap();
    stock["deactivate_request_no"] = body["out_request_no"].clone();
    signed(200, &stock.to_string(), START)
}

pub fn api_error(status: u16, code: &str) -> http::Response<Bytes> {
    signed(
        status,
        &format!(r#"{{"code":"{code}","message":"m"}}"#),
        START,
    )
}

pub fn builder(mock: &MockTransport, clock: &ManualClock) -> ClientBuilder {
    Client::builder()
        .brand_id(BRAND_ID)
        .serial_no(SERIAL_NO)
        .private_key(brand_key())
        .wechatpay_public_key(KEY_ID, wechatpay_public_key())
        .base_url(MAIN)
        .backup_url(BACKUP)
        .transport(Arc::new(mock.clone()))
        .clock(Arc::new(clock.clone()))
        .sleeper(Arc::new(clock.clone()))
}

pub fn setup() -> (Client, MockTransport, ManualClock) {
    let mock = MockTransport::new();
    let clock = ManualClock::new(START);
    let client = builder(&mock, &clock).build().unwrap();
    (client, mock, clock)
}

pub fn deactivate() -> DeactivateStockRequest {
    // The request number of the seed's answer (`deactivate_request_no`), which the client checks.
    DeactivateStockRequest::new("200000001", "123456789", SEED_REQUEST_NO, "批次信息有误").unwrap()
}

pub fn hosts(mock: &MockTransport) -> Vec<String> {
    mock.requests()
        .iter()
        .map(|r| {
            format!(
                "{}://{}",
                r.uri().scheme_str().unwrap(),
                r.uri().authority().unwrap()
            )
        })
        .collect()
}

/// An operation that is not repeat-safe (no `out_request_no`, not a GET).
pub struct NotRepeatSafe;

/// An empty JSON object.
#[derive(serde::Serialize)]
pub struct EmptyBody {}

impl Operation for NotRepeatSafe {
    const NAME: &'static str = "not_repeat_safe";
    const METHOD: Method = Method::Post;
    const PATH: &'static str = "/brand/test";
    type Body = EmptyBody;
    type Response = serde_json::Value;
    fn body(&self) -> Option<&EmptyBody> {
        Some(&EmptyBody {})
    }
}
