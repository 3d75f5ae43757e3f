//! The receiver alone: every outcome, its typed rejection and its answer; duplicates; the vectors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use common::*;
use wxbrand_notify::{
    ApiKey, EnvelopeProblem, Event, EventType, MemoryStore, Receiver, Rejection, Verifier,
};

fn rejected(request: &http::Request<bytes::Bytes>, now: i64) -> Rejection {
    let rejection = receiver().receive(request, now).unwrap_err();
    let response = rejection.response();
    assert!(
        !response.status().is_success(),
        "{rejection:?} must make WeChat Pay retry"
    );
    let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(body["code"], "FAIL");
    assert_eq!(body["message"], rejection.to_string());
    assert!(!body.to_string().contains(API_KEY));
    rejection
}

#[test]
fn every_event_type_arrives_typed_and_an_unknown_one_is_kept() {
    let receiver = receiver();
    for (i, event_type) in [
        "PRODUCT_COUPON.SEND",
        "PRODUCT_COUPON.USE",
        "PRODUCT_COUPON.RETURN",
    ]
    .into_iter()
    .enumerate()
    {
        let request = signed(&body(&format!("EV-{i}"), event_type, RESOURCE), NOW);
        let received = receiver.receive(&request, NOW).unwrap();
        assert_eq!(received.event_type().as_str(), event_type);
        assert_eq!(received.event().coupon().unwrap().coupon_code, "C0001");
        assert_eq!(received.verified().key_id, KEY_ID);
        let response = received.acknowledge(NOW);
        assert_eq!(response.status(), 204);
    }
    let request = signed(&body("EV-X", "PRODUCT_COUPON.EXPIRE", r#"{"x":1}"#), NOW);
    let received = receiver.receive(&request, NOW).unwrap();
    assert!(
        matches!(received.event(), Event::Other { event_type, resource }
        if event_type == "PRODUCT_COUPON.EXPIRE" && resource["x"] == 1)
    );
}

#[test]
fn each_failure_is_a_typed_rejection_with_a_retry_inducing_answer() {
    let good = body("EV-1", "PRODUCT_COUPON.USE", RESOURCE);
    // Tampered body (signature over the original).
    let mut request = signed(&good, NOW);
    *request.body_mut() = good.replace("EV-1", "EV-2").into();
    assert!(matches!(rejected(&request, NOW), Rejection::BadSignature));
    // SIGNTEST probe.
    let probe = request_with(&good, "WECHATPAY/SIGNTEST/AAAA", KEY_ID);
    assert!(matches!(rejected(&probe, NOW), Rejection::BadSignature));
    // Wrong key id.
    let signature = signed(&good, NOW).headers()["Wechatpay-Signature"]
        .to_str()
        .unwrap()
        .to_owned();
    let wrong_id = request_with(&good, &signature, "PUB_KEY_ID_OTHER");
    assert!(
        matches!(rejected(&wrong_id, NOW), Rejection::UnknownKeyId { received } if received == "PUB_KEY_ID_OTHER")
    );
    // A valid signature replayed outside the window, on either side.
    for now in [NOW + 300, NOW - 300] {
        let rejection = rejected(&signed(&good, NOW), now);
        assert!(
            matches!(rejection, Rejection::OutsideWindow { timestamp: NOW, .. }),
            "{rejection:?}"
        );
        assert_eq!(rejection.status(), 401);
    }
    assert!(receiver().receive(&signed(&good, NOW), NOW + 299).is_ok());
    // Missing header.
    let mut missing = signed(&good, NOW);
    missing.headers_mut().remove("Wechatpay-Nonce");
    assert!(matches!(
        rejected(&missing, NOW),
        Rejection::MissingHeader("Wechatpay-Nonce")
    ));
    // Wrong API key.
    let other_key = Receiver::new(
        Verifier::new(KEY_ID, vector_keys::wechatpay_public_key()),
        ApiKey::new("XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX").unwrap(),
    );
    let rejection = other_key.receive(&signed(&good, NOW), NOW).unwrap_err();
    assert!(matches!(rejection, Rejection::Decryption));
    assert_eq!(rejection.response().status(), 400);
    // Bad algorithm, missing field, not JSON (all correctly signed).
    let bad_algorithm = good.replace("AEAD_AES_256_GCM", "AEAD_SM4_GCM");
    assert!(matches!(
        rejected(&signed(&bad_algorithm, NOW), NOW),
        Rejection::Envelope(EnvelopeProblem::UnsupportedAlgorithm(a)) if a == "AEAD_SM4_GCM"
    ));
    let no_aad = good.replace("\"associated_data\":\"product_coupon\",", "");
    assert!(matches!(
        rejected(&signed(&no_aad, NOW), NOW),
        Rejection::Envelope(EnvelopeProblem::MissingField("resource.associated_data"))
    ));
    assert!(matches!(
        rejected(&signed("[1,", NOW), NOW),
        Rejection::Envelope(EnvelopeProblem::NotJson(_))
    ));
    // A known type whose resource lacks its ids.
    let undecodable = body("EV-3", "PRODUCT_COUPON.SEND", r#"{"coupon_code":"C1"}"#);
    assert!(matches!(
        rejected(&signed(&undecodable, NOW), NOW),
        Rejection::ResourceDecode(_)
    ));
}

fn request_with(body: &str, signature: &str, key_id: &str) -> http::Request<bytes::Bytes> {
    request(body, NOW, signature, key_id)
}

#[test]
fn handled_once_duplicates_answered_2xx_failed_handlers_redelivered() {
    let receiver = receiver();
    let request = signed(&body("EV-D", "PRODUCT_COUPON.SEND", RESOURCE), NOW);
    // The handler fails: not marked, the redelivery is handled (not a duplicate).
    let first = receiver.receive(&request, NOW).unwrap();
    // Meanwhile, a concurrent delivery of the same id is told to come back later.
    let concurrent = receiver.receive(&request, NOW).unwrap_err();
    assert!(matches!(concurrent, Rejection::InProgress { .. }));
    assert_eq!(concurrent.response().status(), 503);
    assert_eq!(first.handler_failed("database down").status(), 500);
    let second = receiver.receive(&request, NOW + 15).unwrap();
    drop(second); // dropped without acknowledging: released as well
    let third = receiver.receive(&request, NOW + 30).unwrap();
    assert_eq!(third.acknowledge(NOW + 30).status(), 204);
    // Now every redelivery is a duplicate, answered 2xx.
    let dup = receiver.receive(&request, NOW + 45).unwrap_err();
    assert!(matches!(&dup, Rejection::Duplicate { id } if id == "EV-D"));
    assert!(dup.is_duplicate());
    assert_eq!(dup.response().status(), 204);
}

#[test]
fn a_bounded_store_forgets_the_oldest_id() {
    let receiver = receiver().with_store(Arc::new(MemoryStore::new(1, 3600)));
    let a = signed(&body("EV-A", "PRODUCT_COUPON.USE", RESOURCE), NOW);
    let b = signed(&body("EV-B", "PRODUCT_COUPON.USE", RESOURCE), NOW);
    let _ = receiver.receive(&a, NOW).unwrap().acknowledge(NOW);
    assert!(receiver.receive(&a, NOW).unwrap_err().is_duplicate());
    let _ = receiver.receive(&b, NOW).unwrap().acknowledge(NOW);
    // EV-A was evicted by EV-B: handled again.
    assert!(receiver.receive(&a, NOW).is_ok());
}

#[test]
fn the_vectors_decode() {
    let cases: serde_json::Value =
        serde_json::from_str(include_str!("../../../testdata/vectors/notification.json")).unwrap();
    for case in cases.as_array().unwrap() {
        let mut request = http::Request::post("/notify");
        for (name, value) in case["headers"].as_object().unwrap() {
            request = request.header(name, value.as_str().unwrap());
        }
        let request = request
            .body(bytes::Bytes::from(
                case["body"].as_str().unwrap().to_owned(),
            ))
            .unwrap();
        let receiver = Receiver::new(
            Verifier::new(KEY_ID, vector_keys::wechatpay_public_key()),
            ApiKey::new(case["api_key"].as_str().unwrap()).unwrap(),
        );
        let now = case["now"].as_i64().unwrap();
        match case["expect"].as_str().unwrap() {
            "ok" => {
                let received = receiver.receive(&request, now).unwrap();
                // The vector's type is PRODUCT_COUPON.USED, which the family's facts do not name:
                // kept as an unknown type with its resource.
                assert_eq!(
                    received.event_type(),
                    EventType::Unknown("PRODUCT_COUPON.USED".into())
                );
                let expected: serde_json::Value =
                    serde_json::from_str(case["plaintext"].as_str().unwrap()).unwrap();
                assert!(
                    matches!(received.event(), Event::Other { resource, .. } if *resource == expected)
                );
                let (_, plaintext) = receiver
                    .decrypt(request.headers(), request.body(), now)
                    .unwrap();
                assert_eq!(plaintext, case["plaintext"].as_str().unwrap());
            }
            "decrypt_failed" => {
                assert!(matches!(
                    receiver.receive(&request, now),
                    Err(Rejection::Decryption)
                ));
            }
            other => panic!("unknown expectation {other}"),
        }
    }
}

#[test]
fn nothing_secret_in_debug_or_display() {
    let receiver = receiver();
    let request = signed(&body("EV-S", "PRODUCT_COUPON.SEND", RESOURCE), NOW);
    let received = receiver.receive(&request, NOW).unwrap();
    let texts = [format!("{receiver:?}"), format!("{received:?}")];
    for text in texts {
        assert!(
            !text.contains(API_KEY) && !text.contains("Abcdefghij"),
            "{text}"
        );
        assert!(!text.contains("o_user_1"), "{text}");
    }
}
