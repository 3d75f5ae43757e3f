//! The call span carries what an operator needs and nothing secret.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Write;

use common::*;

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
    let answer = signed_answer(200, body, START, "08TRACE00001-0");
    let mock = MockTransport::new();
    mock.push_fault(TransportErrorKind::MaybeDelivered);
    mock.push_response(answer);
    let clock = ManualClock::new(START);
    let client = Client::builder()
        .brand_id(BRAND_ID)
        .serial_no(SERIAL_NO)
        .private_key(brand_key())
        .wechatpay_public_key(KEY_ID, wechatpay_public_key())
        .base_url(MAIN)
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
