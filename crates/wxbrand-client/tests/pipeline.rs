//! The pipeline over `MockTransport`: headers and signatures, retries, host failover, rate limit,
//! error mapping. Time is a `ManualClock` that also serves as the sleeper, so nothing waits.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::StatusCode;
use wxbrand_client::clock::{Clock, ManualClock};
use wxbrand_client::{Client, ClientBuilder, Error, ErrorKind, RateLimit, RetryPolicy};
use wxbrand_core::product_coupon::{DeactivateStockRequest, GetStockRequest, StockState};
use wxbrand_core::{Method, Operation};
use wxbrand_sign::message::{request_message, response_message};
use wxbrand_sign::{AuthorizationParams, PrivateKey, PublicKey, VerifyError};
use wxbrand_transport::test_util::MockTransport;
use wxbrand_transport::TransportErrorKind;

const KEY_ID: &str = "PUB_KEY_ID_0112345678202501010000000000000001";
const BRAND_ID: &str = "120344";
const SERIAL_NO: &str = "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C";
const START: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z
const MAIN: &str = "https://main.test";
const SEED_REQUEST_NO: &str = "1002600620019090123143254436";
const BACKUP: &str = "https://backup.test";
const STOCK: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../testdata/vectors/stock_entity_seed_example.json"
));

fn key(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../../testdata/vectors/keys/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn brand_key() -> PrivateKey {
    PrivateKey::from_pem(&key("brand_private_key.pem")).unwrap()
}

fn wechatpay_key() -> PrivateKey {
    PrivateKey::from_pem(&key("wechatpay_private_key.pem")).unwrap()
}

fn wechatpay_public_key() -> PublicKey {
    PublicKey::from_pem(&key("wechatpay_public_key.pem")).unwrap()
}

/// A correctly signed answer at `timestamp`.
fn signed(status: u16, body: &str, timestamp: i64) -> http::Response<Bytes> {
    let nonce = "5K8264ILTKCH16CQ2502SI8ZNMTM67VS";
    let signature = wechatpay_key()
        .sign_base64(&response_message(timestamp, nonce, body.as_bytes()))
        .unwrap();
    http::Response::builder()
        .status(status)
        .header("Wechatpay-Timestamp", timestamp.to_string())
        .header("Wechatpay-Nonce", nonce)
        .header("Wechatpay-Signature", signature)
        .header("Wechatpay-Serial", KEY_ID)
        .header("Wechatpay-Signature-Type", "WECHATPAY-BRAND-SHA256-RSA2048")
        .header("Request-ID", format!("08RID{status}-0"))
        .body(Bytes::copy_from_slice(body.as_bytes()))
        .unwrap()
}

fn ok_stock() -> http::Response<Bytes> {
    signed(200, STOCK, START)
}

/// The seed's stock, made about the stock and request number of a deactivation `request`.
fn ok_stock_for(request: &http::Request<Bytes>) -> http::Response<Bytes> {
    let mut stock: serde_json::Value = serde_json::from_str(STOCK).unwrap();
    let segments: Vec<&str> = request.uri().path().split('/').collect();
    stock["stock_id"] = segments[segments.len() - 2].into();
    let body: serde_json::Value = serde_json::from_slice(request.body()).unwrap();
    stock["deactivate_request_no"] = body["out_request_no"].clone();
    signed(200, &stock.to_string(), START)
}

fn api_error(status: u16, code: &str) -> http::Response<Bytes> {
    signed(
        status,
        &format!(r#"{{"code":"{code}","message":"m"}}"#),
        START,
    )
}

fn builder(mock: &MockTransport, clock: &ManualClock) -> ClientBuilder {
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

fn setup() -> (Client, MockTransport, ManualClock) {
    let mock = MockTransport::new();
    let clock = ManualClock::new(START);
    let client = builder(&mock, &clock).build().unwrap();
    (client, mock, clock)
}

fn deactivate() -> DeactivateStockRequest {
    // The request number of the seed's answer (`deactivate_request_no`), which the client checks.
    DeactivateStockRequest::new("200000001", "123456789", SEED_REQUEST_NO, "批次信息有误").unwrap()
}

fn hosts(mock: &MockTransport) -> Vec<String> {
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
struct NotRepeatSafe;

/// An empty JSON object.
#[derive(serde::Serialize)]
struct EmptyBody {}

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

#[tokio::test]
async fn repeat_safe_calls_are_retried_with_the_same_body_and_fresh_signatures() {
    let (client, mock, clock) = setup();
    mock.push_fault(TransportErrorKind::MaybeDelivered);
    mock.push_response(api_error(500, "SYSTEM_ERROR"));
    mock.push_status(StatusCode::SERVICE_UNAVAILABLE, "<html>bad gateway</html>");
    mock.push_response(ok_stock());
    let stock = client.send(&deactivate()).await.unwrap();
    assert_eq!(stock.attempts(), 4);
    assert_eq!(stock.state, StockState::Sending);

    let requests = mock.requests();
    assert_eq!(requests.len(), 4);
    assert!(requests.iter().all(|r| r.body() == requests[0].body()));
    let nonces: std::collections::HashSet<String> = requests
        .iter()
        .map(|r| {
            AuthorizationParams::parse(r.headers()["authorization"].to_str().unwrap())
                .unwrap()
                .nonce_str
        })
        .collect();
    assert_eq!(nonces.len(), 4, "every attempt is signed afresh");
    // Never left the main host: none of these is a reason to switch.
    assert!(hosts(&mock).iter().all(|h| h == MAIN));
    // Backoff 1 s, 2 s, 4 s, each ±20 %.
    let slept = clock.slept();
    assert_eq!(slept.len(), 3);
    for (wait, base) in slept.iter().zip([1000u64, 2000, 4000]) {
        let ms = wait.as_millis() as u64;
        assert!(
            ms >= base * 8 / 10 && ms <= base * 12 / 10,
            "{ms} ms for a base of {base} ms"
        );
    }
}

#[tokio::test]
async fn retries_stop_after_the_allowed_number() {
    let (client, mock, _clock) = setup();
    for _ in 0..5 {
        mock.push_response(api_error(500, "SYSTEM_ERROR"));
    }
    let error = client.send(&deactivate()).await.unwrap_err();
    assert_eq!(error.attempts(), 4);
    assert_eq!(error.status(), Some(500));
    assert_eq!(error.request_id(), Some("08RID500-0"));
    assert!(matches!(error.kind(), ErrorKind::Api(_)));
    assert_eq!(mock.request_count(), 4);
}

#[tokio::test]
async fn client_errors_are_never_retried() {
    for (status, code) in [
        (400, "PARAM_ERROR"),
        (401, "SIGN_ERROR"),
        (403, "NO_AUTH"),
        (404, "RESOURCE_NOT_EXISTS"),
    ] {
        let (client, mock, clock) = setup();
        mock.push_response(api_error(status, code));
        mock.push_response(ok_stock());
        let error = client.send(&deactivate()).await.unwrap_err();
        assert_eq!(error.attempts(), 1, "{status}");
        let api = error.api_error().unwrap();
        assert_eq!(api.status(), status);
        assert_eq!(api.code().unwrap().as_str(), code);
        // The code is in the source (the API error), not repeated in the error's own text.
        assert!(!error.to_string().contains(code), "{error}");
        let source = std::error::Error::source(&error).unwrap().to_string();
        assert!(source.contains(code), "{source}");
        assert_eq!(mock.request_count(), 1);
        assert!(clock.slept().is_empty());
    }
}

#[tokio::test]
async fn a_call_that_is_not_repeat_safe_is_retried_only_when_it_never_left() {
    let (client, mock, _clock) = setup();
    mock.push_fault(TransportErrorKind::MaybeDelivered);
    let error = client.send(&NotRepeatSafe).await.unwrap_err();
    assert_eq!(error.attempts(), 1);
    assert!(
        matches!(error.kind(), ErrorKind::Transport(source) if source.kind() == TransportErrorKind::MaybeDelivered)
    );
    assert!(
        hosts(&mock).iter().all(|h| h == MAIN),
        "MaybeDelivered does not switch hosts"
    );

    let (client, mock, _clock) = setup();
    mock.push_response(api_error(500, "SYSTEM_ERROR"));
    assert_eq!(client.send(&NotRepeatSafe).await.unwrap_err().attempts(), 1);

    let (client, mock, _clock) = setup();
    mock.push_fault(TransportErrorKind::NotSent);
    mock.push_response(signed(200, "{}", START));
    let answer = client.send(&NotRepeatSafe).await.unwrap();
    assert_eq!(answer.attempts(), 2);
    assert_eq!(hosts(&mock), [MAIN, BACKUP]);
}

#[tokio::test]
async fn verification_failures_are_not_retried_and_hold_no_body() {
    let (client, mock, _clock) = setup();
    let mut tampered = ok_stock();
    *tampered.body_mut() = Bytes::from(STOCK.replace("\"SENDING\"", "\"PAUSED\""));
    mock.push_response(tampered);
    mock.push_response(ok_stock());
    let error = client.send(&deactivate()).await.unwrap_err();
    assert!(matches!(
        error.kind(),
        ErrorKind::Verification {
            source: VerifyError::BadSignature,
            status: 200,
            ..
        }
    ));
    assert_eq!(error.attempts(), 1);
    assert_eq!(error.request_id(), Some("08RID200-0"));
    assert_eq!(mock.request_count(), 1);
    let shown = format!("{error} {error:?}");
    assert!(
        !shown.contains("满减券"),
        "the rejected body must not leak: {shown}"
    );
}

#[tokio::test]
async fn an_error_never_repeats_the_text_of_its_source() {
    let (client, mock, _clock) = setup();
    let mut tampered = ok_stock();
    *tampered.body_mut() = Bytes::from(STOCK.replace("\"SENDING\"", "\"PAUSED\""));
    mock.push_response(tampered);
    mock.push_response(api_error(404, "RESOURCE_NOT_EXISTS"));
    mock.push_response(signed(200, r#"{"stock_id": 5}"#, START));
    for _ in 0..3 {
        let error = client.send(&deactivate()).await.unwrap_err();
        let own = error.to_string();
        let source = std::error::Error::source(&error).unwrap().to_string();
        assert!(
            !own.contains(&source) && !source.contains(&own),
            "{own} / {source}"
        );
        assert_eq!(error.attempts(), 1);
    }
    let invalid = Error::from(DeactivateStockRequest::new("1", "2", "short", "r").unwrap_err());
    let source = std::error::Error::source(&invalid).unwrap().to_string();
    assert!(!invalid.to_string().contains(&source), "{invalid}");
}

#[tokio::test]
async fn stale_and_future_answers_are_rejected() {
    for skew in [-300, 300] {
        let (client, mock, _clock) = setup();
        mock.push_response(signed(200, STOCK, START + skew));
        let error = client.send(&deactivate()).await.unwrap_err();
        assert!(
            matches!(
                error.kind(),
                ErrorKind::Verification {
                    source: VerifyError::TimestampOutOfWindow { .. },
                    ..
                }
            ),
            "{error:?}"
        );
    }
    let (client, mock, _clock) = setup();
    mock.push_response(signed(200, STOCK, START - 299));
    client.send(&deactivate()).await.unwrap();
}

#[tokio::test]
async fn unreachable_main_host_fails_over_and_comes_back_after_the_cooldown() {
    let mock = MockTransport::new();
    let clock = ManualClock::new(START);
    let client = builder(&mock, &clock)
        .failover_cooldown(Duration::from_secs(60))
        .build()
        .unwrap();
    mock.push_fault(TransportErrorKind::NotSent);
    mock.push_response(ok_stock());
    let first = client.send(&deactivate()).await.unwrap();
    assert_eq!(first.attempts(), 2);
    assert!(clock.slept().is_empty(), "switching hosts does not wait");

    // A clone shares the failover state: it stays on the backup during the cooldown.
    clock.advance(Duration::from_secs(59));
    mock.push_response(ok_stock());
    client.clone().send(&deactivate()).await.unwrap();
    clock.advance(Duration::from_secs(2));
    mock.push_response(ok_stock());
    client.send(&deactivate()).await.unwrap();
    assert_eq!(hosts(&mock), [MAIN, BACKUP, BACKUP, MAIN]);
}

#[tokio::test]
async fn http_errors_never_switch_hosts() {
    let (client, mock, _clock) = setup();
    mock.push_response(api_error(502, "SERVICE_UNAVAILABLE"));
    mock.push_response(api_error(503, "SERVICE_UNAVAILABLE"));
    mock.push_response(ok_stock());
    client.send(&deactivate()).await.unwrap();
    assert_eq!(hosts(&mock), [MAIN, MAIN, MAIN]);
}

#[tokio::test]
async fn without_a_backup_not_sent_is_retried_on_the_main_host() {
    let mock = MockTransport::new();
    let clock = ManualClock::new(START);
    let client = builder(&mock, &clock).without_backup().build().unwrap();
    mock.push_fault(TransportErrorKind::NotSent);
    mock.push_fault(TransportErrorKind::NotSent);
    mock.push_response(ok_stock());
    assert_eq!(client.send(&deactivate()).await.unwrap().attempts(), 3);
    assert_eq!(hosts(&mock), [MAIN, MAIN, MAIN]);
    assert_eq!(clock.slept().len(), 2);
}

#[tokio::test]
async fn the_total_deadline_stops_retrying() {
    let mock = MockTransport::new();
    let clock = ManualClock::new(START);
    let policy = RetryPolicy::new()
        .jitter(0.0)
        .total_deadline(Duration::from_millis(2500));
    let client = builder(&mock, &clock).retry_policy(policy).build().unwrap();
    for _ in 0..4 {
        mock.push_response(api_error(503, "SERVICE_UNAVAILABLE"));
    }
    // 1 s wait, then a 2 s wait would end at 3 s > 2.5 s: two attempts only.
    let error = client.send(&deactivate()).await.unwrap_err();
    assert_eq!(error.attempts(), 2);
    assert_eq!(clock.slept(), [Duration::from_secs(1)]);
}

/// A retryable answer carrying `Retry-After: seconds`.
fn retry_after(status: u16, seconds: &str) -> http::Response<Bytes> {
    let mut answer = api_error(status, "RATELIMIT_EXCEEDED");
    answer
        .headers_mut()
        .insert("retry-after", seconds.parse().unwrap());
    answer
}

#[tokio::test]
async fn retry_after_is_honoured_within_the_deadline() {
    let mock = MockTransport::new();
    let clock = ManualClock::new(START);
    let policy = RetryPolicy::new()
        .jitter(0.0)
        .total_deadline(Duration::from_secs(30));
    let client = builder(&mock, &clock).retry_policy(policy).build().unwrap();
    // Longer than the 1 s backoff: waited; shorter than the 2 s backoff: the backoff wins.
    mock.push_response(retry_after(429, "7"));
    mock.push_response(retry_after(503, "1"));
    mock.push_response(ok_stock());
    assert_eq!(client.send(&deactivate()).await.unwrap().attempts(), 3);
    assert_eq!(
        clock.slept(),
        [Duration::from_secs(7), Duration::from_secs(2)]
    );

    // A Retry-After past the deadline stops the retries at once, with the answer's error.
    mock.push_response(retry_after(429, "31"));
    let error = client.send(&deactivate()).await.unwrap_err();
    assert_eq!(error.attempts(), 1);
    assert_eq!(error.status(), Some(429));
    assert_eq!(clock.slept().len(), 2, "no new wait");
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_its_error_shows_the_location() {
    let (client, mock, _clock) = setup();
    let mut answer = signed(302, "", START);
    answer
        .headers_mut()
        .insert("location", "https://elsewhere.test/login".parse().unwrap());
    mock.push_response(answer);
    let error = client.send(&deactivate()).await.unwrap_err();
    assert_eq!(error.status(), Some(302));
    assert_eq!(
        error.api_error().unwrap().location(),
        Some("https://elsewhere.test/login")
    );
    assert!(error.to_string().contains("redirect"), "{error}");
    let source = std::error::Error::source(&error).unwrap().to_string();
    assert!(source.contains("https://elsewhere.test/login"), "{source}");
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test]
async fn time_queued_for_the_rate_limit_does_not_use_up_the_retry_deadline() {
    const CALLS: usize = 40;
    let clock = ManualClock::new(START);
    let sent_at = Arc::new(Mutex::new(Vec::new()));
    let (times, responder_clock) = (sent_at.clone(), clock.clone());
    let mock = MockTransport::with_responder(move |request| {
        let mut times = times.lock().unwrap();
        times.push(responder_clock.monotonic());
        // The last call queued behind all the others; its first answer is a retryable 500.
        if times.len() == CALLS {
            return Ok(api_error(500, "SYSTEM_ERROR"));
        }
        Ok(ok_stock_for(request))
    })
    .without_recording();
    let client = builder(&mock, &clock)
        .rate_limit("deactivate_stock", RateLimit::per_second(1))
        .retry_policy(RetryPolicy::new().total_deadline(Duration::from_secs(30)))
        .build()
        .unwrap();
    let tasks: Vec<_> = (0..CALLS)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move {
                let request = DeactivateStockRequest::new(
                    "200000001",
                    format!("{i}"),
                    format!("deact_{i:04}"),
                    "r",
                )
                .unwrap();
                client.send(&request).await.map(|r| r.attempts())
            })
        })
        .collect();
    let mut attempts = Vec::new();
    for task in tasks {
        attempts.push(task.await.unwrap().unwrap());
    }
    let times = sent_at.lock().unwrap().clone();
    assert!(
        times[CALLS - 1] >= Duration::from_secs(30),
        "the faulted call waited longer than the deadline in the limiter: {:?}",
        times[CALLS - 1]
    );
    assert_eq!(times.len(), CALLS + 1);
    assert_eq!(attempts.iter().filter(|a| **a == 2).count(), 1);
    assert_eq!(attempts.iter().filter(|a| **a == 1).count(), CALLS - 1);
}

#[tokio::test]
async fn a_final_transport_error_keeps_the_request_id_of_an_earlier_answer() {
    let (client, mock, _clock) = setup();
    mock.push_response(api_error(500, "SYSTEM_ERROR"));
    for _ in 0..3 {
        mock.push_fault(TransportErrorKind::MaybeDelivered);
    }
    let error = client.send(&deactivate()).await.unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::Transport(_)), "{error:?}");
    assert_eq!(error.attempts(), 4);
    assert_eq!(error.request_id(), Some("08RID500-0"));
    assert!(error.to_string().contains("08RID500-0"), "{error}");

    // No answer at all: no Request-ID.
    let (client, mock, _clock) = setup();
    mock.push_fault(TransportErrorKind::ResponseTooLarge);
    let error = client.send(&deactivate()).await.unwrap_err();
    assert_eq!(error.request_id(), None);
}

#[tokio::test]
async fn other_transport_errors_are_not_retried() {
    for kind in [
        TransportErrorKind::ResponseTooLarge,
        TransportErrorKind::InvalidUrl,
        TransportErrorKind::Other,
    ] {
        let (client, mock, _clock) = setup();
        mock.push_fault(kind);
        let error = client.send(&deactivate()).await.unwrap_err();
        assert_eq!(error.attempts(), 1);
        assert!(matches!(error.kind(), ErrorKind::Transport(source) if source.kind() == kind));
        assert!(std::error::Error::source(&error).is_some());
    }
}

#[tokio::test]
async fn the_rate_limit_is_shared_by_clones_and_counts_every_attempt() {
    let clock = ManualClock::new(START);
    let sent_at = Arc::new(Mutex::new(Vec::new()));
    let (times, responder_clock) = (sent_at.clone(), clock.clone());
    let mock = MockTransport::with_responder(move |request| {
        let mut times = times.lock().unwrap();
        times.push(responder_clock.monotonic());
        // Every fifth answer is a 500, so retries pass through the limiter too.
        if times.len() % 5 == 0 {
            return Ok(api_error(500, "SYSTEM_ERROR"));
        }
        Ok(ok_stock_for(request))
    })
    .without_recording();
    let client = builder(&mock, &clock)
        .rate_limit(
            "deactivate_stock",
            RateLimit::new(20, Duration::from_secs(1)),
        )
        .build()
        .unwrap();
    let mut tasks = Vec::new();
    for i in 0..60 {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            let request = DeactivateStockRequest::new(
                "200000001",
                format!("{i}"),
                format!("deact_{i:04}"),
                "r",
            )
            .unwrap();
            client.send(&request).await.map(|r| r.attempts())
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let times = sent_at.lock().unwrap().clone();
    assert!(times.len() > 60, "some attempts were retries");
    for (i, start) in times.iter().enumerate() {
        let within = times[i..]
            .iter()
            .filter(|t| **t >= *start && **t < *start + Duration::from_secs(1))
            .count();
        assert!(within <= 20, "{within} sends in the second from {start:?}");
    }
}

#[tokio::test]
async fn other_operations_are_not_rate_limited_by_default() {
    let (client, mock, clock) = setup();
    for _ in 0..50 {
        mock.push_response(ok_stock());
    }
    for _ in 0..50 {
        client
            .send(&GetStockRequest::new("200000001", "123456789").unwrap())
            .await
            .unwrap();
    }
    assert_eq!(clock.monotonic(), Duration::ZERO);
}

/// An operation the client has never heard of, declaring its own rate limit.
struct DeclaresItsLimit;

impl Operation for DeclaresItsLimit {
    const NAME: &'static str = "declares_its_limit";
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/brand/limited";
    const RATE_LIMIT: Option<RateLimit> = Some(RateLimit::per_second(2));
    type Body = wxbrand_core::NoBody;
    type Response = serde_json::Value;
}

#[tokio::test]
async fn the_rate_limit_comes_from_the_operation_and_an_override_by_name_replaces_it() {
    let (client, mock, clock) = setup();
    for _ in 0..3 {
        mock.push_response(signed(200, "{}", START));
    }
    for _ in 0..3 {
        client.send(&DeclaresItsLimit).await.unwrap();
    }
    assert_eq!(
        clock.monotonic(),
        Duration::from_secs(1),
        "the third call waited for the declared 2 per second"
    );

    let mock = MockTransport::new();
    let clock = ManualClock::new(START);
    let client = builder(&mock, &clock)
        .without_rate_limit("declares_its_limit")
        .build()
        .unwrap();
    for _ in 0..3 {
        mock.push_response(signed(200, "{}", START));
        client.send(&DeclaresItsLimit).await.unwrap();
    }
    assert_eq!(clock.monotonic(), Duration::ZERO);
}

#[tokio::test]
async fn an_answer_that_does_not_decode_is_a_decode_error_with_its_request_id() {
    let (client, mock, _clock) = setup();
    mock.push_response(signed(200, r#"{"stock_id": 5}"#, START));
    let error = client.send(&deactivate()).await.unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::Decode(_)), "{error:?}");
    assert_eq!(error.request_id(), Some("08RID200-0"));
    assert_eq!(error.attempts(), 1);
}

#[tokio::test]
async fn an_html_error_page_still_gives_an_api_error() {
    let (client, mock, _clock) = setup();
    mock.push_status(StatusCode::BAD_GATEWAY, "<html>502 Bad Gateway</html>");
    let error = client.send(&NotRepeatSafe).await.unwrap_err();
    assert_eq!(error.status(), Some(502));
    assert_eq!(error.request_id(), None);
}

#[test]
fn validation_errors_convert_and_send_nothing() {
    let error: Error = DeactivateStockRequest::new("200000001", "1", "short", "r")
        .unwrap_err()
        .into();
    assert_eq!(error.attempts(), 0);
    assert!(error.to_string().contains("out_request_no"), "{error}");
}

#[test]
fn debug_output_holds_no_secrets() {
    let mock = MockTransport::new();
    let clock = ManualClock::new(START);
    let builder = builder(&mock, &clock);
    let client = builder_debug_and_build(builder);
    let shown = format!("{client:?}");
    assert!(shown.contains(BRAND_ID));
    assert!(
        !shown.contains("PRIVATE KEY") && !shown.contains("MII"),
        "{shown}"
    );
}

fn builder_debug_and_build(builder: ClientBuilder) -> Client {
    let shown = format!("{builder:?}");
    assert!(shown.contains("<redacted>"), "{shown}");
    assert!(
        !shown.contains("PRIVATE KEY") && !shown.contains("MII"),
        "{shown}"
    );
    builder.build().unwrap()
}

#[test]
fn missing_settings_are_named() {
    let mock = MockTransport::new();
    let error = Client::builder()
        .transport(Arc::new(mock.clone()))
        .build()
        .unwrap_err();
    assert_eq!(error.setting(), Some("brand_id"));
    let error = Client::builder()
        .brand_id(BRAND_ID)
        .transport(Arc::new(mock.clone()))
        .build()
        .unwrap_err();
    assert_eq!(error.setting(), Some("serial_no"));
    let error = Client::builder()
        .brand_id(BRAND_ID)
        .serial_no("not hex!")
        .transport(Arc::new(mock))
        .build()
        .unwrap_err();
    assert_eq!(error.setting(), Some("serial_no"));
    assert!(error.to_string().contains("serial_no"), "{error}");
}

/// The setting named by the error of building with `configure` applied.
fn refused(
    configure: impl FnOnce(ClientBuilder) -> ClientBuilder,
) -> (Option<&'static str>, String) {
    let mock = MockTransport::new();
    let clock = ManualClock::new(START);
    let error = configure(builder(&mock, &clock)).build().unwrap_err();
    (error.setting(), error.to_string())
}

#[tokio::test]
async fn the_serial_number_must_be_40_hex_characters_of_either_case() {
    for bad in [
        &SERIAL_NO[..39],
        &format!("{SERIAL_NO}0"),
        "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8G",
        "1DDE55AD98",
    ] {
        let (setting, text) = refused(|b| b.serial_no(bad));
        assert_eq!(setting, Some("serial_no"), "{bad}");
        assert!(text.contains("serial_no") && text.contains("40"), "{text}");
    }
    // Lower case is accepted and sent as given.
    let mock = MockTransport::new();
    let clock = ManualClock::new(START);
    let lower = SERIAL_NO.to_ascii_lowercase();
    let client = builder(&mock, &clock).serial_no(&lower).build().unwrap();
    mock.push_response(ok_stock());
    client.send(&deactivate()).await.unwrap();
    let request = mock.last_request().unwrap();
    let header = request.headers()["authorization"].to_str().unwrap();
    assert_eq!(AuthorizationParams::parse(header).unwrap().serial_no, lower);
}

#[test]
fn the_public_key_id_must_be_pub_key_id_and_digits() {
    for bad in [
        "PUB_KEY_ID_",
        "PUB_KEY_ID_01123456782025010100000000000000O1",
        "pub_key_id_0112345678202501010000000000000001",
        " PUB_KEY_ID_0112345678202501010000000000000001",
        SERIAL_NO,
        "/etc/wechatpay/pub_key.pem",
    ] {
        let (setting, text) = refused(|b| b.wechatpay_public_key(bad, wechatpay_public_key()));
        // `builder` adds a valid key first: the second one is checked too.
        assert_eq!(setting, Some("wechatpay_public_key"), "{bad}");
        assert!(text.contains("PUB_KEY_ID_ followed by digits"), "{text}");
    }
    // As the simulator makes them (32 digits) and as in the test vectors.
    let mock = MockTransport::new();
    for good in [format!("PUB_KEY_ID_{}", "7".repeat(32)), KEY_ID.to_owned()] {
        Client::builder()
            .brand_id(BRAND_ID)
            .serial_no(SERIAL_NO)
            .private_key(brand_key())
            .wechatpay_public_key(good, wechatpay_public_key())
            .transport(Arc::new(mock.clone()))
            .build()
            .unwrap();
    }
}

#[test]
fn the_verification_window_is_1_to_300_seconds() {
    for bad in [0, -1, 301, i64::MAX, i64::MIN] {
        let (setting, text) = refused(|b| b.verification_window_seconds(bad));
        assert_eq!(setting, Some("verification_window_seconds"), "{bad}");
        assert!(text.contains("1 to 300 seconds"), "{text}");
    }
    let mock = MockTransport::new();
    let clock = ManualClock::new(START);
    for good in [1, 60, 300] {
        builder(&mock, &clock)
            .verification_window_seconds(good)
            .build()
            .unwrap();
    }
}

#[test]
fn environment_configuration_reads_key_files_and_names_variables() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/vectors/keys");
    let env = |overrides: &[(&str, &str)]| {
        let mut vars: std::collections::HashMap<String, String> = [
            ("WXBRAND_BRAND_ID", BRAND_ID.to_owned()),
            ("WXBRAND_SERIAL_NO", SERIAL_NO.to_owned()),
            (
                "WXBRAND_PRIVATE_KEY_PATH",
                format!("{dir}/brand_private_key_pkcs1.pem"),
            ),
            ("WXBRAND_PUBLIC_KEY_ID", KEY_ID.to_owned()),
            (
                "WXBRAND_PUBLIC_KEY_PATH",
                format!("{dir}/wechatpay_public_key.pem"),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        for (k, v) in overrides {
            vars.insert((*k).to_owned(), (*v).to_owned());
        }
        move |name: &str| vars.get(name).cloned()
    };
    let mock = MockTransport::new();
    let client = wxbrand_client::ClientBuilder::from_lookup(env(&[(
        "WXBRAND_BASE_URL",
        "https://proxy.test/",
    )]))
    .unwrap()
    .transport(Arc::new(mock))
    .build()
    .unwrap();
    assert_eq!(client.main_url(), "https://proxy.test");
    assert_eq!(client.backup_url(), None);

    let default_hosts = wxbrand_client::ClientBuilder::from_lookup(env(&[]))
        .unwrap()
        .transport(Arc::new(MockTransport::new()))
        .build()
        .unwrap();
    assert_eq!(default_hosts.main_url(), "https://api.mch.weixin.qq.com");
    assert_eq!(
        default_hosts.backup_url(),
        Some("https://api2.mch.weixin.qq.com")
    );

    // A public key given where the private key belongs: the error names the variable and advises.
    let wrong = format!("{dir}/brand_public_key.pem");
    let error =
        wxbrand_client::ClientBuilder::from_lookup(env(&[("WXBRAND_PRIVATE_KEY_PATH", &wrong)]))
            .unwrap_err();
    assert_eq!(error.setting(), Some("WXBRAND_PRIVATE_KEY_PATH"));
    assert!(
        error.to_string().contains("brand_public_key.pem"),
        "{error}"
    );

    let error = wxbrand_client::ClientBuilder::from_lookup(env(&[(
        "WXBRAND_BASE_URL",
        "api.mch.weixin.qq.com",
    )]))
    .unwrap()
    .transport(Arc::new(MockTransport::new()))
    .build()
    .unwrap_err();
    assert_eq!(error.setting(), Some("WXBRAND_BASE_URL"));
    let error = wxbrand_client::ClientBuilder::from_lookup(env(&[("WXBRAND_SERIAL_NO", "xyz")]))
        .unwrap()
        .transport(Arc::new(MockTransport::new()))
        .build()
        .unwrap_err();
    assert_eq!(error.setting(), Some("WXBRAND_SERIAL_NO"));
    let error = wxbrand_client::ClientBuilder::from_lookup(env(&[(
        "WXBRAND_PUBLIC_KEY_ID",
        "PUB_KEY_ID_x",
    )]))
    .unwrap()
    .transport(Arc::new(MockTransport::new()))
    .build()
    .unwrap_err();
    assert_eq!(error.setting(), Some("WXBRAND_PUBLIC_KEY_ID"));
    assert!(
        error.to_string().contains("WXBRAND_PUBLIC_KEY_ID"),
        "{error}"
    );
}

#[cfg(feature = "blocking")]
mod blocking {
    use super::*;

    #[test]
    fn the_blocking_client_runs_the_same_pipeline() {
        let mock = MockTransport::new();
        let clock = ManualClock::new(START);
        let client = builder(&mock, &clock).build_blocking().unwrap();
        mock.push_response(api_error(500, "SYSTEM_ERROR"));
        mock.push_response(ok_stock());
        let stock = client.send(&deactivate()).unwrap();
        assert_eq!(stock.attempts(), 2);
    }

    #[tokio::test]
    async fn inside_a_runtime_it_refuses_instead_of_blocking() {
        let mock = MockTransport::new();
        let clock = ManualClock::new(START);
        let client = builder(&mock, &clock).build_blocking().unwrap();
        mock.push_response(ok_stock());
        let error = client.send(&deactivate()).unwrap_err();
        assert!(matches!(error.kind(), ErrorKind::BlockingInsideRuntime));
        assert_eq!(mock.request_count(), 0);
        drop(client); // dropping the private runtime here must not panic either
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocking_transport_can_carry_the_async_pipeline() {
    let mock = MockTransport::new();
    let clock = ManualClock::new(START);
    let client = builder(&mock, &clock)
        .blocking_transport(Arc::new(mock.clone()))
        .build()
        .unwrap();
    mock.push_response(api_error(503, "SERVICE_UNAVAILABLE"));
    mock.push_response(ok_stock());
    assert_eq!(client.send(&deactivate()).await.unwrap().attempts(), 2);
    assert_eq!(mock.request_count(), 2);
}
