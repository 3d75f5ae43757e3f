//! The call span carries what an operator needs and nothing secret.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use wxbrand_client::clock::ManualClock;
use wxbrand_client::Client;
use wxbrand_core::product_coupon::DeactivateStockRequest;
use wxbrand_sign::message::response_message;
use wxbrand_sign::{PrivateKey, PublicKey};
use wxbrand_transport::test_util::MockTransport;
use wxbrand_transport::TransportErrorKind;

const KEY_ID: &str = "PUB_KEY_ID_0112345678202501010000000000000001";
const START: i64 = 1_767_225_600;

fn key(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../../testdata/vectors/keys/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_call_span_records_operation_attempt_host_status_request_id_and_time_but_no_secret() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let body = r#"{"product_coupon_id":"200000001","stock_id":"123456789","state":"DEACTIVATED"}"#;
    let nonce = "5K8264ILTKCH16CQ2502SI8ZNMTM67VS";
    let wechatpay = PrivateKey::from_pem(&key("wechatpay_private_key.pem")).unwrap();
    let signature = wechatpay
        .sign_base64(&response_message(START, nonce, body.as_bytes()))
        .unwrap();
    let answer = http::Response::builder()
        .header("Wechatpay-Timestamp", START.to_string())
        .header("Wechatpay-Nonce", nonce)
        .header("Wechatpay-Signature", signature)
        .header("Wechatpay-Serial", KEY_ID)
        .header("Request-ID", "08TRACE00001-0")
        .body(Bytes::from(body))
        .unwrap();
    let mock = MockTransport::new();
    mock.push_fault(TransportErrorKind::MaybeDelivered);
    mock.push_response(answer);
    let clock = ManualClock::new(START);
    let client = Client::builder()
        .brand_id("120344")
        .serial_no("1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C")
        .private_key(PrivateKey::from_pem(&key("brand_private_key.pem")).unwrap())
        .wechatpay_public_key(
            KEY_ID,
            PublicKey::from_pem(&key("wechatpay_public_key.pem")).unwrap(),
        )
        .base_url("https://main.test")
        .transport(Arc::new(mock.clone()))
        .clock(Arc::new(clock.clone()))
        .sleeper(Arc::new(clock))
        .build()
        .unwrap();
    let request =
        DeactivateStockRequest::new("200000001", "123456789", "trace_0001", "secret reason text")
            .unwrap();
    client.send(&request).await.unwrap();

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    for expected in [
        "wxbrand.call",
        "operation=\"deactivate_stock\"",
        "attempt=2",
        "host=\"https://main.test\"",
        "status=200",
        "request_id=\"08TRACE00001-0\"",
        "elapsed_ms=",
    ] {
        assert!(log.contains(expected), "missing {expected} in:\n{log}");
    }
    let authorization = mock.requests()[0].headers()["authorization"]
        .to_str()
        .unwrap()
        .to_owned();
    let signature = authorization
        .split("signature=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    for secret in [
        "WECHATPAY-BRAND-SHA256-RSA2048",
        signature.as_str(),
        "secret reason text",
        "trace_0001",
        "PRIVATE KEY",
    ] {
        assert!(!log.contains(secret), "the log shows {secret}:\n{log}");
    }
}
