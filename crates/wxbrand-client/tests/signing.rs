//! The request on the wire: the headers of the spec and a signature that verifies.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;

#[tokio::test]
async fn sends_the_headers_of_the_spec_and_a_valid_signature() {
    let (client, mock, _clock) = setup();
    mock.push_response(ok_stock());
    let stock = client.send(&deactivate()).await.unwrap();
    assert_eq!(stock.stock_id, "123456789");
    assert_eq!(stock.attempts(), 1);
    assert_eq!(stock.request_id(), Some("08RID200-0"));
    assert_eq!(stock.status(), 200);

    let request = mock.last_request().unwrap();
    assert_eq!(request.method(), http::Method::POST);
    assert_eq!(
        request.uri().to_string(),
        "https://main.test/brand/marketing/product-coupon/product-coupons/200000001/stocks/123456789/deactivate"
    );
    let headers = request.headers();
    assert_eq!(headers["accept"], "application/json");
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(headers["wechatpay-serial"], KEY_ID);
    assert_eq!(
        headers["user-agent"],
        format!("wxbrand/{} (+rust)", env!("CARGO_PKG_VERSION"))
    );
    assert!(headers["authorization"].is_sensitive());

    let params = AuthorizationParams::parse(headers["authorization"].to_str().unwrap()).unwrap();
    assert_eq!(params.brand_id, BRAND_ID);
    assert_eq!(params.serial_no, SERIAL_NO);
    assert_eq!(params.timestamp, START.to_string());
    assert_eq!(params.nonce_str.len(), 32);
    let message = request_message(
        "POST",
        request.uri().path(),
        START,
        &params.nonce_str,
        request.body(),
    );
    assert!(brand_key()
        .public_key()
        .verify_base64(&message, &params.signature));
    assert_eq!(
        request.body_text().unwrap(),
        r#"{"out_request_no":"1002600620019090123143254436","deactivate_reason":"批次信息有误"}"#
    );
}

#[tokio::test]
async fn get_has_no_body_and_no_content_type() {
    let (client, mock, _clock) = setup();
    mock.push_response(ok_stock());
    client
        .send(&GetStockRequest::new("200000001", "123456789").unwrap())
        .await
        .unwrap();
    let request = mock.last_request().unwrap();
    assert_eq!(request.method(), http::Method::GET);
    assert!(request.body().is_empty());
    assert!(request.headers().get("content-type").is_none());
}
