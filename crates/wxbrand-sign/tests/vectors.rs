//! Every case of the known-answer vectors (made with the openssl command line).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::Value;
use wxbrand_sign::{
    ApiKey, AuthorizationParams, NotificationError, PrivateKey, PublicKey, Signer, Verifier,
    VerifyErrorKind,
};

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/vectors/");

fn read(name: &str) -> String {
    std::fs::read_to_string(format!("{VECTORS}{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn json(name: &str) -> Value {
    serde_json::from_str(&read(name)).unwrap()
}

fn config() -> Value {
    json("config.json")
}

fn brand_key() -> PrivateKey {
    PrivateKey::from_pem(read(config()["brand_private_key"].as_str().unwrap()).as_bytes()).unwrap()
}

fn wechatpay_verifier() -> Verifier {
    let config = config();
    let key =
        PublicKey::from_pem(read(config["wechatpay_public_key"].as_str().unwrap()).as_bytes())
            .unwrap();
    verifier_with(key)
}

fn verifier_with(key: PublicKey) -> Verifier {
    let config = config();
    Verifier::new(config["wechatpay_public_key_id"].as_str().unwrap(), key)
        .with_window_seconds(config["window_seconds"].as_i64().unwrap())
}

/// The same WeChat Pay public key as a PKCS#1 `RSA PUBLIC KEY` file (`openssl rsa -RSAPublicKey_out`).
fn pkcs1_wechatpay_verifier() -> Verifier {
    let pem = read("../keys-extra/wechatpay_public_key_pkcs1.pem");
    assert!(pem.starts_with("-----BEGIN RSA PUBLIC KEY-----"));
    verifier_with(PublicKey::from_pem(pem.as_bytes()).unwrap())
}

fn headers_of(case: &Value) -> Vec<(String, String)> {
    case["headers"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect()
}

fn header_map_of(case: &Value) -> http::HeaderMap {
    let mut map = http::HeaderMap::new();
    for (k, v) in headers_of(case) {
        map.insert(
            http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            http::HeaderValue::from_str(&v).unwrap(),
        );
    }
    map
}

#[test]
fn sign_vectors_match_byte_for_byte() {
    let cases = json("sign.json");
    let cases = cases.as_array().unwrap();
    assert!(!cases.is_empty());
    for key in [
        brand_key(),
        PrivateKey::from_pem(
            read(config()["brand_private_key_pkcs1"].as_str().unwrap()).as_bytes(),
        )
        .unwrap(),
    ] {
        for case in cases {
            let name = case["name"].as_str().unwrap();
            let signer = Signer::new(
                case["brand_id"].as_str().unwrap(),
                case["serial_no"].as_str().unwrap(),
                key.clone(),
            );
            let auth = signer
                .authorization(
                    case["method"].as_str().unwrap(),
                    case["url"].as_str().unwrap(),
                    case["body"].as_str().unwrap().as_bytes(),
                    case["timestamp"].as_i64().unwrap(),
                    case["nonce"].as_str().unwrap(),
                )
                .unwrap();
            assert_eq!(
                auth.signed_message(),
                case["message"].as_str().unwrap(),
                "{name}: message"
            );
            assert_eq!(
                auth.signed_message_bytes(),
                case["message"].as_str().unwrap().as_bytes(),
                "{name}"
            );
            assert_eq!(
                auth.header_value(),
                case["authorization"].as_str().unwrap(),
                "{name}: header"
            );
            assert_eq!(
                key.sign_base64(case["message"].as_str().unwrap().as_bytes())
                    .unwrap(),
                case["signature"].as_str().unwrap(),
                "{name}: signature"
            );
            let params = AuthorizationParams::parse(auth.header_value()).unwrap();
            assert_eq!(params.signature, case["signature"].as_str().unwrap());
            assert_eq!(params.nonce_str, case["nonce"].as_str().unwrap());
            assert_eq!(
                params.timestamp,
                case["timestamp"].as_i64().unwrap().to_string()
            );
            let brand_public = key.public_key();
            assert!(
                brand_public.verify_base64(auth.signed_message_bytes(), &params.signature),
                "{name}"
            );
        }
    }
}

#[test]
fn brand_public_key_file_matches_private_key() {
    let public =
        PublicKey::from_pem(read(config()["brand_public_key"].as_str().unwrap()).as_bytes())
            .unwrap();
    assert_eq!(public.to_der(), brand_key().public_key().to_der());
    assert_eq!(
        PublicKey::from_pem(public.to_pem().as_bytes())
            .unwrap()
            .to_der(),
        public.to_der()
    );
    assert_eq!(
        public.to_pem().trim(),
        read(config()["brand_public_key"].as_str().unwrap()).trim()
    );
}

fn expected_kind(expect: &str) -> Option<VerifyErrorKind> {
    match expect {
        "ok" => None,
        "timestamp_out_of_window" => Some(VerifyErrorKind::TimestampOutOfWindow),
        "serial_mismatch" => Some(VerifyErrorKind::UnknownKeyId),
        "bad_signature" => Some(VerifyErrorKind::BadSignature),
        "malformed_header" => Some(VerifyErrorKind::MalformedHeader),
        "missing_header" => Some(VerifyErrorKind::MissingHeader),
        other => panic!("unknown expect {other}"),
    }
}

#[test]
fn verify_vectors_give_the_expected_outcome() {
    for verifier in [wechatpay_verifier(), pkcs1_wechatpay_verifier()] {
        verify_vectors_with(&verifier);
    }
}

fn verify_vectors_with(verifier: &Verifier) {
    let cases = json("verify.json");
    let cases = cases.as_array().unwrap();
    assert!(cases.len() >= 13);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let body = case["body"].as_str().unwrap().as_bytes();
        let now = case["now"].as_i64().unwrap();
        let expected = expected_kind(case["expect"].as_str().unwrap());
        let from_pairs = verifier.verify_response(&headers_of(case), body, now);
        let from_map = verifier.verify_response(&header_map_of(case), body, now);
        assert_eq!(from_pairs, from_map, "{name}");
        match (expected, from_pairs) {
            (None, Ok(verified)) => {
                assert_eq!(verified.key_id, verifier.primary_key_id());
                assert_eq!(
                    verified.request_id.as_deref(),
                    case["headers"]["Request-ID"].as_str()
                );
                assert_eq!(
                    verified.timestamp.to_string(),
                    case["headers"]["Wechatpay-Timestamp"].as_str().unwrap()
                );
            }
            (Some(kind), Err(e)) => {
                assert_eq!(e.kind(), kind, "{name}: {e}");
                assert!(!e.to_string().is_empty());
            }
            (expected, got) => panic!("{name}: expected {expected:?}, got {got:?}"),
        }
    }
}

#[test]
fn verify_outcomes_carry_details() {
    let verifier = wechatpay_verifier();
    let cases = json("verify.json");
    let find = |name: &str| {
        cases
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap()
            .clone()
    };

    let case = find("expired_300s_late");
    let e = verifier
        .verify_response(
            &headers_of(&case),
            case["body"].as_str().unwrap().as_bytes(),
            case["now"].as_i64().unwrap(),
        )
        .unwrap_err();
    assert_eq!(
        e,
        wxbrand_sign::VerifyError::TimestampOutOfWindow {
            server: 1_735_660_800,
            local: 1_735_661_100
        }
    );
    assert_eq!(e.skew_seconds(), Some(-300));
    assert!(e.to_string().contains("clock"), "{e}");

    let case = find("wrong_serial");
    let e = verifier
        .verify_response(
            &headers_of(&case),
            case["body"].as_str().unwrap().as_bytes(),
            case["now"].as_i64().unwrap(),
        )
        .unwrap_err();
    assert_eq!(
        e.received_key_id(),
        case["headers"]["Wechatpay-Serial"].as_str()
    );
    assert!(e.to_string().contains(verifier.primary_key_id()), "{e}");

    let case = find("missing_signature_header");
    let e = verifier
        .verify_response(
            &headers_of(&case),
            case["body"].as_str().unwrap().as_bytes(),
            case["now"].as_i64().unwrap(),
        )
        .unwrap_err();
    assert_eq!(
        e,
        wxbrand_sign::VerifyError::MissingHeader("Wechatpay-Signature")
    );

    let case = find("non_numeric_timestamp");
    let e = verifier
        .verify_response(
            &headers_of(&case),
            case["body"].as_str().unwrap().as_bytes(),
            case["now"].as_i64().unwrap(),
        )
        .unwrap_err();
    assert_eq!(e.header_name(), Some("Wechatpay-Timestamp"));
}

#[test]
fn signature_type_header_absent_ok_present_must_name_the_scheme() {
    let verifier = wechatpay_verifier();
    let cases = json("verify.json");
    let case = cases
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "valid")
        .unwrap();
    let body = case["body"].as_str().unwrap().as_bytes();
    let now = case["now"].as_i64().unwrap();
    let mut headers = headers_of(case);
    headers.push((
        "Wechatpay-Signature-Type".into(),
        "WECHATPAY-BRAND-SHA256-RSA2048".into(),
    ));
    assert!(verifier.verify_response(&headers, body, now).is_ok());
    headers.pop();
    headers.push((
        "wechatpay-signature-type".into(),
        "WECHATPAY2-SHA256-RSA2048".into(),
    ));
    assert_eq!(
        verifier.verify_response(&headers, body, now),
        Err(wxbrand_sign::VerifyError::MalformedHeader(
            "Wechatpay-Signature-Type"
        ))
    );
}

#[test]
fn rotation_verifies_with_either_key() {
    let config = config();
    let wechatpay =
        PublicKey::from_pem(read(config["wechatpay_public_key"].as_str().unwrap()).as_bytes())
            .unwrap();
    let verifier = Verifier::new("PUB_KEY_ID_NEW", brand_key().public_key()).with_key(
        config["wechatpay_public_key_id"].as_str().unwrap(),
        wechatpay,
    );
    let cases = json("verify.json");
    let case = cases
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "valid")
        .unwrap();
    let verified = verifier
        .verify_response(
            &headers_of(case),
            case["body"].as_str().unwrap().as_bytes(),
            case["now"].as_i64().unwrap(),
        )
        .unwrap();
    assert_eq!(
        verified.key_id,
        config["wechatpay_public_key_id"].as_str().unwrap()
    );
    assert_eq!(verifier.primary_key_id(), "PUB_KEY_ID_NEW");
}

#[test]
fn notification_vectors() {
    let verifier = wechatpay_verifier();
    let cases = json("notification.json");
    let cases = cases.as_array().unwrap();
    assert!(!cases.is_empty());
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let api_key = ApiKey::new(case["api_key"].as_str().unwrap()).unwrap();
        let result = verifier.verify_notification(
            &headers_of(case),
            case["body"].as_str().unwrap().as_bytes(),
            case["now"].as_i64().unwrap(),
            &api_key,
        );
        match case["expect"].as_str().unwrap() {
            "ok" => {
                let n = result.unwrap();
                assert_eq!(n.plaintext, case["plaintext"].as_str().unwrap(), "{name}");
                assert_eq!(n.envelope.id, "EV-2018022511223320873");
                assert_eq!(n.envelope.event_type, "PRODUCT_COUPON.USED");
                assert_eq!(n.envelope.resource.original_type, "product_coupon");
                let decoded: Value = n.decode().unwrap();
                assert_eq!(decoded["coupon_code"], "C0001");
                // Debug shows ids and lengths, never the plaintext.
                let debug = format!("{n:?}");
                assert!(!debug.contains("C0001"), "{debug}");
                assert!(debug.contains(&n.envelope.id), "{debug}");
                assert!(debug.contains(&format!("plaintext_len: {}", n.plaintext.len())));
                // A decoding error keeps the position and category, not the values it met.
                // (serde_json's own message would be `invalid type: string "C0001", expected u32`.)
                let error = n
                    .decode::<std::collections::HashMap<String, u32>>()
                    .unwrap_err();
                let NotificationError::PlaintextJson(json) = &error else {
                    panic!("{error:?}")
                };
                let text = format!("{error} {json} {json:?}");
                assert!(!text.contains("C0001"), "{text}");
                assert!(json.to_string().starts_with("JSON data error"), "{json}");
                assert_eq!(json.line(), 1);
            }
            "decrypt_failed" => {
                assert!(
                    matches!(result, Err(NotificationError::DecryptFailed)),
                    "{name}: {result:?}"
                )
            }
            other => panic!("{name}: unknown expect {other}"),
        }
    }
}
