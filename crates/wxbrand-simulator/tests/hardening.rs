//! Regressions from the adversarial review (issue 10): seeded idempotency and strict parsing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use bytes::Bytes;
use common::*;
use http::{HeaderValue, Request};
use http_body_util::Full;
use wxbrand_core::product_coupon::{StockEntity, StockState};
use wxbrand_simulator::{reason, sample_stock};

fn deactivated_stock(stock: &str, out_request_no: &str) -> StockEntity {
    let mut s = sample_stock(COUPON, stock, StockState::Deactivated).unwrap();
    s.deactivate_request_no = Some(out_request_no.to_string());
    s.deactivate_reason = Some("seeded".to_string());
    s
}

#[tokio::test]
async fn a_seeded_deactivation_answers_its_request_number_idempotently() {
    let seeded = deactivated_stock("700000001", "seeded_0001");
    let json = serde_json::to_string(&deactivated_stock("700000002", "seeded_0002")).unwrap();
    let sim = builder(1)
        .stock(seeded.clone())
        .stocks_from_json(json)
        .unwrap()
        .start()
        .await
        .unwrap();
    let caller = Caller::vectors(&sim);
    let client = client();

    for (stock, number) in [("700000001", "seeded_0001"), ("700000002", "seeded_0002")] {
        let answer = send(&client, caller.deactivate_request(stock, number)).await;
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        let held = sim.stock(COUPON, stock).unwrap();
        assert_eq!(answer.body, Bytes::from(serde_json::to_vec(&held).unwrap()));
        assert_eq!(answer.json()["deactivate_request_no"], number);
    }
    // Another number on a seeded deactivated stock is still the wrong state; the seeded number on
    // another stock is a reuse.
    send(
        &client,
        caller.deactivate_request("700000001", "other_0001"),
    )
    .await
    .assert_error(&caller, 400, "INVALID_REQUEST");
    send(
        &client,
        caller.deactivate_request(&stock_id(1), "seeded_0001"),
    )
    .await
    .assert_error(&caller, 400, "INVALID_REQUEST");
    let stats = sim.stats();
    assert_eq!(stats.rejections_for(reason::INVALID_STATE), 1);
    assert_eq!(stats.rejections_for(reason::OUT_REQUEST_NO_REUSED), 1);
    assert_eq!(stats.transitions.len(), 0);
}

#[tokio::test]
async fn duplicate_body_keys_are_a_param_error() {
    let sim = builder(1).start().await.unwrap();
    let caller = Caller::vectors(&sim);
    let client = client();
    let path = deactivate_path(COUPON, &stock_id(1));
    for body in [
        r#"{"out_request_no":"bad no!","out_request_no":"good_0001","deactivate_reason":"x"}"#,
        r#"{"out_request_no":"good_0001","deactivate_reason":"x","deactivate_reason":"y"}"#,
    ] {
        let answer = send(&client, caller.request("POST", &path, body.as_bytes())).await;
        answer.assert_error(&caller, 400, "PARAM_ERROR");
        assert_eq!(answer.json()["detail"]["location"], "body");
        assert!(
            answer.json()["detail"]["issue"]
                .as_str()
                .unwrap()
                .contains("duplicate"),
            "{:?}",
            answer.body
        );
    }
    assert_eq!(
        sim.stock(COUPON, &stock_id(1)).unwrap().state,
        StockState::Sending
    );
}

/// A request signed over exactly `timestamp_text` (whatever its form), sent with it.
fn signed_with_timestamp_text(
    caller: &Caller,
    path: &str,
    signed_timestamp: &str,
    sent_timestamp: &str,
) -> Request<Full<Bytes>> {
    let v = vectors();
    let nonce = "5K8264ILTKCH16CQ2502SI8ZNMTM67VS";
    let message = format!("GET\n{path}\n{signed_timestamp}\n{nonce}\n\n");
    let signature = v.brand_private.sign_base64(message.as_bytes()).unwrap();
    let value = format!(
        "WECHATPAY-BRAND-SHA256-RSA2048 brand_id=\"{}\",nonce_str=\"{nonce}\",signature=\"{signature}\",timestamp=\"{sent_timestamp}\",serial_no=\"{}\"",
        v.brand_id, v.serial_no
    );
    let mut request = caller.request("GET", path, b"");
    request
        .headers_mut()
        .insert("authorization", HeaderValue::from_str(&value).unwrap());
    request
}

#[tokio::test]
async fn the_signature_covers_the_timestamp_bytes_as_sent() {
    let sim = builder(1).start().await.unwrap();
    let caller = Caller::vectors(&sim);
    let client = client();
    let path = format!("{PREFIX}/{COUPON}/stocks/{}", stock_id(1));
    let now = now().to_string();
    let padded = format!("000{now}");
    // Signed over `<now>`, sent as `000<now>`: not what was signed.
    send(
        &client,
        signed_with_timestamp_text(&caller, &path, &now, &padded),
    )
    .await
    .assert_error(&caller, 401, "SIGN_ERROR");
    assert_eq!(sim.stats().rejections_for(reason::BAD_SIGNATURE), 1);
    // Signed over the bytes sent: verifies.
    let answer = send(
        &client,
        signed_with_timestamp_text(&caller, &path, &padded, &padded),
    )
    .await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    let answer = send(
        &client,
        signed_with_timestamp_text(&caller, &path, &now, &now),
    )
    .await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
}

#[tokio::test]
async fn a_trailing_comma_or_empty_parameter_in_authorization_is_refused() {
    let sim = builder(1).start().await.unwrap();
    let caller = Caller::vectors(&sim);
    let client = client();
    let path = format!("{PREFIX}/{COUPON}/stocks");
    for tweak in [
        |v: &str| format!("{v},"),
        |v: &str| format!("{v}, "),
        |v: &str| v.replacen(",", ",,", 1),
    ] {
        let mut request = caller.request("GET", &path, b"");
        let good = request.headers()["authorization"]
            .to_str()
            .unwrap()
            .to_string();
        request.headers_mut().insert(
            "authorization",
            HeaderValue::from_str(&tweak(&good)).unwrap(),
        );
        send(&client, request)
            .await
            .assert_error(&caller, 401, "SIGN_ERROR");
    }
    assert_eq!(
        sim.stats().rejections_for(reason::MALFORMED_AUTHORIZATION),
        3
    );
}

#[tokio::test]
async fn path_ids_follow_the_client_rule() {
    let sim = builder(1).start().await.unwrap();
    let caller = Caller::vectors(&sim);
    let client = client();
    let long = "9".repeat(1000);
    for (path, field) in [
        (format!("{PREFIX}/{COUPON}/stocks/{long}"), "stock_id"),
        (format!("{PREFIX}/{long}/stocks"), "product_coupon_id"),
        (
            format!("{PREFIX}/{COUPON}/stocks/{long}/deactivate"),
            "stock_id",
        ),
        (format!("{PREFIX}/{COUPON}/stocks/12%2F3"), "stock_id"),
        (format!("{PREFIX}/{COUPON}/stocks/%2E%2E"), "stock_id"),
    ] {
        let method = if path.ends_with("deactivate") {
            "POST"
        } else {
            "GET"
        };
        let body = if method == "POST" {
            deactivate_body("path_0001", "x")
        } else {
            String::new()
        };
        let answer = send(&client, caller.request(method, &path, body.as_bytes())).await;
        answer.assert_error(&caller, 400, "PARAM_ERROR");
        assert_eq!(answer.json()["detail"]["field"], field, "{path}");
        assert_eq!(answer.json()["detail"]["location"], "path");
    }
    // 40 characters is the longest id: an unknown stock, not a parameter error.
    let answer = send(
        &client,
        caller.request(
            "GET",
            &format!("{PREFIX}/{COUPON}/stocks/{}", "9".repeat(40)),
            b"",
        ),
    )
    .await;
    answer.assert_error(&caller, 404, "RESOURCE_NOT_EXISTS");
}

#[tokio::test]
async fn brand_settings_follow_the_client_rules() {
    use wxbrand_simulator::{Simulator, SimulatorErrorKind};
    let v = vectors();
    let start = |brand_id: &str, serial: &str, key_id: &str| {
        Simulator::builder()
            .brand(brand_id, serial, v.brand_public.clone())
            .wechatpay_key(v.wechatpay_private.clone(), key_id)
            .start()
    };
    for (brand_id, serial, key_id) in [
        ("", v.serial_no.as_str(), v.wechatpay_key_id.as_str()),
        ("BRAND 1", &v.serial_no, &v.wechatpay_key_id),
        (&v.brand_id, "not-hex", &v.wechatpay_key_id),
        (&v.brand_id, &v.serial_no, "PUB_KEY_ID_1\""),
        (&v.brand_id, &v.serial_no, "PUB_KEY_ID_"),
    ] {
        let error = start(brand_id, serial, key_id).await.unwrap_err();
        assert_eq!(error.kind(), SimulatorErrorKind::Config, "{error}");
    }
    let error = Simulator::builder()
        .ephemeral_brand_with_id("a,b")
        .start()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), SimulatorErrorKind::Config);
    // What the client accepts, the simulator accepts.
    start("BRAND_7788", &v.serial_no, &v.wechatpay_key_id)
        .await
        .unwrap()
        .shutdown()
        .await;
}

#[tokio::test]
async fn refusals_before_the_signature_verifies_share_a_signature_within_a_second() {
    use wxbrand_simulator::clock::{Clock, ManualClock};
    let clock = ManualClock::starting_now();
    let sim = builder(1).clock(clock.clone()).start().await.unwrap();
    let caller = Caller::vectors(&sim);
    let client = client();
    let nonce = |a: &Answer| a.headers["wechatpay-nonce"].to_str().unwrap().to_string();
    let at = clock.now_unix_seconds();
    let unknown = || caller.request_at("GET", "/v3/elsewhere", b"", at);
    let first = send(&client, unknown()).await;
    let second = send(&client, unknown()).await;
    first.assert_error(&caller, 404, "NOT_FOUND");
    second.assert_error(&caller, 404, "NOT_FOUND");
    assert_eq!(nonce(&first), nonce(&second));
    assert_ne!(first.request_id(), second.request_id());
    clock.advance_seconds(1);
    let later = send(
        &client,
        caller.request_at("GET", "/v3/elsewhere", b"", at + 1),
    )
    .await;
    assert_ne!(nonce(&first), nonce(&later));
    // Answers to verified requests are signed one by one.
    let path = format!("{PREFIX}/{COUPON}/stocks/{}", stock_id(1));
    let a = send(&client, caller.request_at("GET", &path, b"", at + 1)).await;
    let b = send(&client, caller.request_at("GET", &path, b"", at + 1)).await;
    assert_eq!((a.status.as_u16(), b.status.as_u16()), (200, 200));
    assert_ne!(nonce(&a), nonce(&b));
}

/// `stocks_from_file` reads through the bounded reader: a device or a directory is refused at once.
#[test]
fn a_stocks_path_that_is_not_a_regular_file_is_refused_at_once() {
    for path in ["/dev/zero", env!("CARGO_MANIFEST_DIR")] {
        let error = wxbrand_simulator::Simulator::builder()
            .stocks_from_file(path)
            .unwrap_err();
        assert_eq!(
            error.kind(),
            wxbrand_simulator::SimulatorErrorKind::Stocks,
            "{error}"
        );
        let source = std::error::Error::source(&error).map(ToString::to_string);
        assert!(
            source.is_some_and(|s| s.contains("not a regular file")),
            "{path}: {error:?}"
        );
    }
}
