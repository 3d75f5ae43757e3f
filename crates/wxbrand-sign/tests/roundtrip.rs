//! Properties (sign → verify round trips, tampering fails, nothing panics) and the behaviour around
//! the vectors: input checks, secrecy, sharing, notifications' errors, sensitive-field encryption.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aws_lc_rs::rsa::{OaepPrivateDecryptingKey, PrivateDecryptingKey, OAEP_SHA1_MGF1SHA1};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use proptest::prelude::*;
use rustls_pki_types::pem::{PemObject as _, SectionKind};
use wxbrand_sign::{
    message, ApiKey, AuthorizationParams, EncryptError, NotificationError, PrivateKey, PublicKey,
    SignError, Signer, Verifier, VerifyError,
};

#[path = "../../../testdata/vector_keys.rs"]
mod vector_keys;

use vector_keys::{brand_key, BRAND_ID, KEY_ID, SERIAL_NO};

fn signer() -> Signer {
    Signer::new(BRAND_ID, SERIAL_NO, brand_key())
}

/// A verifier holding the brand public key, so answers signed here with the brand key verify.
fn verifier() -> Verifier {
    Verifier::new(KEY_ID, brand_key().public_key())
}

/// Headers of an answer signed with the brand key (the same RSA math WeChat Pay uses).
fn signed_answer(timestamp: i64, nonce: &str, body: &[u8]) -> Vec<(String, String)> {
    let signature = brand_key()
        .sign_base64(&message::response_message(timestamp, nonce, body))
        .unwrap();
    vec![
        ("Wechatpay-Timestamp".into(), timestamp.to_string()),
        ("Wechatpay-Nonce".into(), nonce.into()),
        ("Wechatpay-Signature".into(), signature),
        ("Wechatpay-Serial".into(), KEY_ID.into()),
        ("Request-ID".into(), "08F-1".into()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn sign_then_verify_round_trips_and_any_body_byte_flip_fails(
        method in "[A-Z]{1,10}",
        path in "/[!-~]{0,80}",
        body in proptest::collection::vec(any::<u8>(), 1..300),
        nonce in "[!#-+\\--\\[\\]-~]{1,40}", // visible ASCII but for `"`, `,` and `\`
        timestamp in any::<i64>(),
        flip_at in any::<proptest::sample::Index>(),
        flip_with in 1u8..=255,
    ) {
        let auth = signer().authorization(&method, &path, &body, timestamp, &nonce).unwrap();
        let expected = message::request_message(&method, &path, timestamp, &nonce, &body);
        prop_assert_eq!(auth.signed_message_bytes(), &expected[..]);
        let params = AuthorizationParams::parse(auth.header_value()).unwrap();
        prop_assert_eq!(&params.nonce_str, &nonce);
        prop_assert_eq!(&params.timestamp, &timestamp.to_string());
        let public = brand_key().public_key();
        prop_assert!(public.verify_base64(&expected, &params.signature));

        let mut tampered = body.clone();
        tampered[flip_at.index(body.len())] ^= flip_with;
        let tampered_message = message::request_message(&method, &path, timestamp, &nonce, &tampered);
        prop_assert!(!public.verify_base64(&tampered_message, &params.signature));
    }

    #[test]
    fn answers_verify_and_any_body_byte_flip_is_a_bad_signature(
        body in proptest::collection::vec(any::<u8>(), 1..300),
        nonce in "[0-9A-Za-z]{1,40}",
        timestamp in 0i64..4_102_444_800,
        skew in -299i64..=299,
        flip_at in any::<proptest::sample::Index>(),
        flip_with in 1u8..=255,
    ) {
        let headers = signed_answer(timestamp, &nonce, &body);
        let verified = verifier().verify_response(&headers, &body, timestamp + skew).unwrap();
        prop_assert_eq!(verified.timestamp, timestamp);
        let mut tampered = body.clone();
        tampered[flip_at.index(body.len())] ^= flip_with;
        prop_assert_eq!(verifier().verify_response(&headers, &tampered, timestamp + skew), Err(VerifyError::BadSignature));
    }

    #[test]
    fn arbitrary_headers_never_panic_the_verifier(
        values in proptest::collection::vec(any::<String>(), 6),
        names in proptest::collection::vec(
            prop_oneof![
                Just("Wechatpay-Timestamp".to_owned()),
                Just("wechatpay-nonce".to_owned()),
                Just("WECHATPAY-SIGNATURE".to_owned()),
                Just("Wechatpay-Serial".to_owned()),
                Just("Wechatpay-Signature-Type".to_owned()),
                Just("Request-ID".to_owned()),
                any::<String>(),
            ],
            0..8,
        ),
        body in proptest::collection::vec(any::<u8>(), 0..64),
        now in any::<i64>(),
    ) {
        let headers: Vec<(String, String)> = names.into_iter().zip(values.into_iter().cycle()).collect();
        let v = verifier().with_key(KEY_ID.to_owned() + "X", brand_key().public_key());
        let _ = v.verify_response(&headers, &body, now);
        let api_key = ApiKey::new([7u8; 32]).unwrap();
        let _ = v.verify_notification(&headers, &body, now, &api_key);
        // Values that look almost right.
        let mut almost = signed_answer(1_735_660_800, "n", &body);
        for (i, (_, value)) in almost.iter_mut().enumerate() {
            if let Some(v) = headers.get(i) { value.clone_from(&v.1); }
        }
        let _ = v.verify_response(&almost, &body, now);
        let _ = AuthorizationParams::parse(&headers.iter().map(|(_, v)| v.as_str()).collect::<String>());
    }

    #[test]
    fn arbitrary_key_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = PrivateKey::from_der(&bytes);
        let _ = PrivateKey::from_pem(&bytes);
        let _ = PublicKey::from_der(&bytes);
        let _ = PublicKey::from_pem(&bytes);
    }
}

#[test]
fn signer_rejects_inputs_that_break_the_header_or_message() {
    let s = signer();
    let ok = |m: &str, p: &str, n: &str| s.authorization(m, p, b"", 1, n);
    assert!(ok("GET", "/v3/x?a=1&b=%20", "abc").is_ok());
    for (m, p, n, field) in [
        ("get", "/x", "n", "method"),
        ("", "/x", "n", "method"),
        ("GET\n", "/x", "n", "method"),
        ("GET", "x", "n", "path_and_query"),
        ("GET", "/a b", "n", "path_and_query"),
        ("GET", "/a\nb", "n", "path_and_query"),
        ("GET", "/商品", "n", "path_and_query"),
    ] {
        match ok(m, p, n) {
            Err(SignError::InvalidInput { field: f, .. }) => {
                assert_eq!(f, field, "{m:?} {p:?} {n:?}")
            }
            other => panic!("{m:?} {p:?} {n:?}: {other:?}"),
        }
    }
    // Header parameters follow the one rule of `check_header_param`.
    for n in ["", "a\"b", "a\nb", "a,b"] {
        match ok("GET", "/x", n) {
            Err(SignError::HeaderParam(e)) => assert_eq!(e.field(), "nonce_str", "{n:?}"),
            other => panic!("{n:?}: {other:?}"),
        }
    }
    for (brand_id, serial_no, field) in [
        ("12\"0", "SERIAL", "brand_id"),
        ("BRAND 1", "SERIAL", "brand_id"),
        ("120", "", "serial_no"),
    ] {
        let bad = Signer::new(brand_id, serial_no, brand_key());
        match bad.authorization("GET", "/", b"", 1, "n") {
            Err(error @ SignError::HeaderParam(_)) => {
                let SignError::HeaderParam(e) = &error else {
                    unreachable!()
                };
                assert_eq!(e.field(), field);
                // The detail is the source's, not repeated in the error's own text.
                let source = std::error::Error::source(&error).unwrap().to_string();
                assert_eq!(source, e.to_string());
                assert!(!error.to_string().contains(&source), "{error}");
                assert!(error.to_string().contains(field), "{error}");
            }
            other => panic!("{brand_id:?} {serial_no:?}: {other:?}"),
        }
    }
    // A brand id WeChat Pay may assign with an underscore signs.
    assert!(Signer::new("BRAND_7788", "SERIAL", brand_key())
        .authorization("GET", "/", b"", 1, "n")
        .is_ok());
}

#[test]
fn signing_is_deterministic_and_binary_bodies_keep_exact_bytes() {
    let body = [0xFFu8, 0x00, b'{'];
    let a = signer().authorization("POST", "/x", &body, 7, "n").unwrap();
    let b = signer().authorization("POST", "/x", &body, 7, "n").unwrap();
    assert_eq!(a, b);
    assert_eq!(a.signed_message_bytes(), b"POST\n/x\n7\nn\n\xFF\x00{\n");
    assert!(a.signed_message().contains('\u{FFFD}'));
}

#[test]
fn header_value_is_sensitive_and_secrets_do_not_print() {
    let s = signer();
    let auth = s
        .authorization("GET", "/x", b"", 1_735_660_800, "nonce")
        .unwrap();
    let value = auth.to_header_value().unwrap();
    assert!(value.is_sensitive());
    assert_eq!(value.to_str().unwrap(), auth.header_value());

    let params = AuthorizationParams::parse(auth.header_value()).unwrap();
    let key_der = <(SectionKind, Vec<u8>)>::from_pem_slice(vector_keys::BRAND_PRIVATE_KEY_PEM)
        .unwrap()
        .1;
    let key_b64 = STANDARD.encode(&key_der);
    let api_key = ApiKey::new("Abcdefghijklmnopqrstuvwxyz123456").unwrap();
    for text in [
        format!("{auth:?}"),
        format!("{s:?}"),
        format!("{:?}", verifier()),
        format!("{api_key:?}"),
        format!("{:?}", brand_key()),
        format!("{value:?}"),
    ] {
        assert!(!text.contains(&params.signature[..20]), "{text}");
        assert!(!text.contains("nonce"), "{text}");
        assert!(!text.contains(&key_b64[100..120]), "{text}");
        assert!(!text.contains("Abcdefghij"), "{text}");
    }
    // The exact shapes: a derived Debug would print key bytes as long lists of numbers.
    assert_eq!(format!("{auth:?}"), "Authorization { .. }");
    assert_eq!(
        format!("{s:?}"),
        "Signer { brand_id: \"120344\", serial_no: \"1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C\", .. }"
    );
    assert_eq!(
        format!("{:?}", verifier()),
        format!("Verifier {{ key_ids: [\"{KEY_ID}\"], window_seconds: 300, .. }}")
    );
    assert_eq!(format!("{api_key:?}"), "ApiKey { .. }");
    assert_eq!(api_key.to_string(), "[brand API key redacted]");
    assert_eq!(
        format!("{:?}", brand_key()),
        "PrivateKey { bits: 2048, .. }"
    );
    assert_eq!(
        format!("{:?}", brand_key().public_key()),
        "PublicKey { bits: 2048, .. }"
    );
    assert_eq!(format!("{value:?}"), "Sensitive");
}

#[test]
fn received_serials_are_bounded_and_escaped_in_errors() {
    let body = b"{}";
    let mut headers = signed_answer(5, "n", body);
    headers[3].1 = format!("\u{1b}[2J{}", "S".repeat(20_000));
    let e = verifier().verify_response(&headers, body, 5).unwrap_err();
    let received = e.received_key_id().unwrap();
    assert_eq!(
        received.chars().count(),
        wxbrand_sign::RECEIVED_PREFIX_CHARS + 1
    );
    assert!(received.ends_with('…'));
    let text = e.to_string();
    assert!(text.len() < 600, "{}", text.len());
    assert!(!text.contains('\u{1b}'), "{text}");
    assert!(text.contains("\\u{1b}[2JSSS"), "{text}");
}

#[test]
fn signer_and_verifier_are_shared_across_threads() {
    let s = signer();
    let v = verifier();
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let (s, v) = (s.clone(), v.clone());
            std::thread::spawn(move || {
                let body = format!("{{\"i\":{i}}}");
                let auth = s
                    .authorization("POST", "/x", body.as_bytes(), 1, "n")
                    .unwrap();
                assert!(auth.header_value().contains("brand_id=\"120344\""));
                let headers = signed_answer(100, "n", body.as_bytes());
                v.verify_response(&headers, body.as_bytes(), 100).unwrap();
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
}

#[test]
fn window_is_configurable_and_two_sided() {
    let body = b"{}";
    let headers = signed_answer(1000, "n", body);
    let v = verifier().with_window_seconds(10);
    assert!(v.verify_response(&headers, body, 1009).is_ok());
    assert!(v.verify_response(&headers, body, 991).is_ok());
    assert_eq!(
        v.verify_response(&headers, body, 1010),
        Err(VerifyError::TimestampOutOfWindow {
            server: 1000,
            local: 1010
        })
    );
    assert!(v.verify_response(&headers, body, 990).is_err());
    assert!(verifier()
        .with_window_seconds(-5)
        .verify_response(&headers, body, 1000)
        .is_err());
    assert!(verifier()
        .verify_response(&headers, body, i64::MIN)
        .is_err());
}

#[test]
fn malformed_timestamps_and_serials() {
    let body = b"{}";
    for ts in ["-5", "+5", " 5", "5.0", "", "99999999999999999999"] {
        let mut headers = signed_answer(5, "n", body);
        headers[0].1 = ts.into();
        assert_eq!(
            verifier().verify_response(&headers, body, 5),
            Err(VerifyError::MalformedHeader("Wechatpay-Timestamp")),
            "{ts:?}"
        );
    }
    let mut headers = signed_answer(5, "n", body);
    headers[3].1 = KEY_ID.to_lowercase();
    assert!(matches!(
        verifier().verify_response(&headers, body, 5),
        Err(VerifyError::UnknownKeyId { .. })
    ));
    headers[3].1 = format!("{KEY_ID} ");
    assert!(matches!(
        verifier().verify_response(&headers, body, 5),
        Err(VerifyError::UnknownKeyId { .. })
    ));
    let mut headers = signed_answer(5, "n", body);
    headers[2].1 = format!("WECHATPAY/SIGNTEST/{}", &headers[2].1[19..]);
    assert_eq!(
        verifier().verify_response(&headers, body, 5),
        Err(VerifyError::BadSignature)
    );
}

#[test]
fn the_timestamp_is_verified_as_sent() {
    let body = b"{}";
    let signature = brand_key().sign_base64(b"0100\nn\n{}\n").unwrap();
    let headers = [
        ("Wechatpay-Timestamp", "0100"),
        ("Wechatpay-Nonce", "n"),
        ("Wechatpay-Signature", signature.as_str()),
        ("Wechatpay-Serial", KEY_ID),
    ];
    let verified = verifier().verify_response(&headers, body, 100).unwrap();
    assert_eq!(verified.timestamp, 100);
    assert_eq!(verified.request_id, None);
}

#[test]
fn sensitive_fields_decrypt_with_the_matching_private_key() {
    let wechatpay_public = PublicKey::from_pem(vector_keys::WECHATPAY_PUBLIC_KEY_PEM).unwrap();
    let v = Verifier::new(KEY_ID, wechatpay_public)
        .with_key("PUB_KEY_ID_OLD", brand_key().public_key());
    let field = v.encrypt_sensitive("张三").unwrap();
    assert_eq!(field.key_id, KEY_ID);
    assert!(!format!("{field:?}").contains(&field.ciphertext));
    let ciphertext = STANDARD.decode(&field.ciphertext).unwrap();
    assert_eq!(ciphertext.len(), 256);

    let der = <(SectionKind, Vec<u8>)>::from_pem_slice(vector_keys::WECHATPAY_PRIVATE_KEY_PEM)
        .unwrap()
        .1;
    let private =
        OaepPrivateDecryptingKey::new(PrivateDecryptingKey::from_pkcs8(&der).unwrap()).unwrap();
    let mut out = vec![0u8; private.min_output_size()];
    let plaintext = private
        .decrypt(&OAEP_SHA1_MGF1SHA1, &ciphertext, &mut out, None)
        .unwrap();
    assert_eq!(plaintext, "张三".as_bytes());
    // Randomised: two encryptions differ.
    assert_ne!(
        v.encrypt_sensitive("张三").unwrap().ciphertext,
        field.ciphertext
    );

    assert_eq!(
        v.encrypt_sensitive([0u8; 215]).unwrap_err(),
        EncryptError::PlaintextTooLong { len: 215, max: 214 }
    );
    assert!(v.encrypt_sensitive([0u8; 214]).is_ok());
}

fn notification_body(algorithm: &str) -> String {
    format!(
        r#"{{"id":"EV-1","create_time":"2025-01-01T00:00:00+08:00","resource_type":"encrypt-resource","event_type":"PRODUCT_COUPON.USED","summary":"s","resource":{{"original_type":"product_coupon","algorithm":"{algorithm}","ciphertext":"AAAA","associated_data":"product_coupon","nonce":"fdasflkjdafl"}}}}"#
    )
}

#[test]
fn notification_errors_are_typed() {
    assert!(matches!(
        ApiKey::new("short"),
        Err(NotificationError::ApiKeyLength { len: 5 })
    ));
    assert!(ApiKey::new("short").unwrap_err().to_string().contains("32"));
    let key = ApiKey::new([1u8; 32]).unwrap();

    // Verification comes first and is wrapped.
    let body = notification_body("AEAD_AES_256_GCM");
    let mut headers = signed_answer(100, "n", body.as_bytes());
    headers[2].1 = "WECHATPAY/SIGNTEST/AAAA".into();
    let e = verifier()
        .verify_notification(&headers, body.as_bytes(), 100, &key)
        .unwrap_err();
    assert!(
        matches!(
            e,
            NotificationError::Verification(VerifyError::BadSignature)
        ),
        "{e:?}"
    );
    assert!(std::error::Error::source(&e).is_some());

    let body = notification_body("AEAD_CHACHA20");
    let headers = signed_answer(100, "n", body.as_bytes());
    let e = verifier()
        .verify_notification(&headers, body.as_bytes(), 100, &key)
        .unwrap_err();
    assert!(
        matches!(&e, NotificationError::UnsupportedAlgorithm { algorithm } if algorithm == "AEAD_CHACHA20"),
        "{e:?}"
    );

    let body = notification_body("AEAD_AES_256_GCM");
    let headers = signed_answer(100, "n", body.as_bytes());
    let e = verifier()
        .verify_notification(&headers, body.as_bytes(), 100, &key)
        .unwrap_err();
    assert!(matches!(e, NotificationError::DecryptFailed), "{e:?}");

    let body = r#"{"id": 5}"#;
    let headers = signed_answer(100, "n", body.as_bytes());
    let e = verifier()
        .verify_notification(&headers, body.as_bytes(), 100, &key)
        .unwrap_err();
    assert!(
        matches!(e, NotificationError::MalformedEnvelope(_)),
        "{e:?}"
    );

    let body = notification_body("AEAD_AES_256_GCM").replace("fdasflkjdafl", "short");
    let headers = signed_answer(100, "n", body.as_bytes());
    let e = verifier()
        .verify_notification(&headers, body.as_bytes(), 100, &key)
        .unwrap_err();
    assert!(
        matches!(e, NotificationError::MalformedResource { field: "nonce" }),
        "{e:?}"
    );
}

#[test]
fn encrypt_gives_the_vector_ciphertext_and_decrypt_inverts_it() {
    // notification.json's valid case: same key, nonce, AAD and plaintext give the same ciphertext.
    let cases: serde_json::Value =
        serde_json::from_str(include_str!("../../../testdata/vectors/notification.json")).unwrap();
    let case = &cases[0];
    let body: serde_json::Value = serde_json::from_str(case["body"].as_str().unwrap()).unwrap();
    let key = ApiKey::new(case["api_key"].as_str().unwrap()).unwrap();
    let resource = key
        .encrypt(
            case["plaintext"].as_str().unwrap().as_bytes(),
            body["resource"]["nonce"].as_str().unwrap(),
            "product_coupon",
            "product_coupon",
        )
        .unwrap();
    assert_eq!(resource.ciphertext, body["resource"]["ciphertext"]);
    assert_eq!(key.decrypt(&resource).unwrap(), case["plaintext"]);
    assert!(matches!(
        key.encrypt(b"x", "short", "", ""),
        Err(NotificationError::MalformedResource { field: "nonce" })
    ));
}
