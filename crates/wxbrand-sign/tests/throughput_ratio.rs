//! The SDK's signing and verifying paths against the raw aws-lc-rs calls, measured interleaved
//! (raw, SDK, raw, SDK, … in short rounds) so that a busy or throttled machine affects both alike;
//! the median of the per-round ratios is printed. A measurement, not an assertion: run it with
//! `cargo test --release -p wxbrand-sign --test throughput_ratio -- --ignored --nocapture`.
//! The criterion benchmark `benches/signing.rs` is the reference; this is its load-robust cross-check.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, ParsedPublicKey, RsaKeyPair};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rustls_pki_types::pem::{PemObject as _, SectionKind};
use serde_json::Value;
use wxbrand_sign::{message, PrivateKey, PublicKey, Signer, Verifier};

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/vectors/");

fn read(name: &str) -> String {
    std::fs::read_to_string(format!("{VECTORS}{name}")).unwrap()
}

fn case(file: &str, name: &str) -> Value {
    let cases: Value = serde_json::from_str(&read(file)).unwrap();
    cases
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap()
        .clone()
}

/// Time for `n` calls of `f`. The one place this file reads the clock: it measures, it does not sign.
#[allow(clippy::disallowed_methods)]
fn time(n: u32, mut f: impl FnMut()) -> Duration {
    let start = Instant::now();
    for _ in 0..n {
        f();
    }
    start.elapsed()
}

/// Interleaved rounds; returns (raw per second, SDK per second, median of per-round SDK/raw ratios).
fn compare(
    rounds: usize,
    per_round: u32,
    mut raw: impl FnMut(),
    mut sdk: impl FnMut(),
) -> (f64, f64, f64) {
    let (mut raw_total, mut sdk_total, mut ratios) = (Duration::ZERO, Duration::ZERO, Vec::new());
    for round in 0..rounds {
        let (r, s) = if round % 2 == 0 {
            let r = time(per_round, &mut raw);
            (r, time(per_round, &mut sdk))
        } else {
            let s = time(per_round, &mut sdk);
            (time(per_round, &mut raw), s)
        };
        raw_total += r;
        sdk_total += s;
        ratios.push(r.as_secs_f64() / s.as_secs_f64());
    }
    ratios.sort_by(f64::total_cmp);
    let calls = f64::from(per_round) * rounds as f64;
    (
        calls / raw_total.as_secs_f64(),
        calls / sdk_total.as_secs_f64(),
        ratios[ratios.len() / 2],
    )
}

#[test]
#[ignore = "a measurement; run in release with --ignored --nocapture"]
fn sdk_paths_against_raw_aws_lc_rs() {
    let seed = case("sign.json", "deactivate_stock_seed");
    let key_pem = read("keys/brand_private_key.pem");
    let der = <(SectionKind, Vec<u8>)>::from_pem_slice(key_pem.as_bytes())
        .unwrap()
        .1;
    let raw_key = RsaKeyPair::from_pkcs8(&der).unwrap();
    let rng = SystemRandom::new();
    let signer = Signer::new(
        seed["brand_id"].as_str().unwrap(),
        seed["serial_no"].as_str().unwrap(),
        PrivateKey::from_pem(key_pem.as_bytes()).unwrap(),
    );
    let message = seed["message"].as_str().unwrap().as_bytes().to_vec();
    let (method, url, body, nonce) = (
        seed["method"].as_str().unwrap(),
        seed["url"].as_str().unwrap(),
        seed["body"].as_str().unwrap().as_bytes(),
        seed["nonce"].as_str().unwrap(),
    );
    let timestamp = seed["timestamp"].as_i64().unwrap();
    let mut sig = vec![0u8; raw_key.public_modulus_len()];
    let (raw_ps, sdk_ps, ratio) = compare(
        40,
        25,
        || {
            raw_key
                .sign(
                    &signature::RSA_PKCS1_SHA256,
                    &rng,
                    black_box(&message),
                    &mut sig,
                )
                .unwrap()
        },
        || {
            black_box(
                signer
                    .authorization(black_box(method), url, body, timestamp, nonce)
                    .unwrap(),
            );
        },
    );
    println!(
        "sign:   raw {raw_ps:.0}/s, Signer {sdk_ps:.0}/s, median round ratio Signer/raw {ratio:.3}"
    );

    let valid = case("verify.json", "valid");
    let public = PublicKey::from_pem(read("keys/wechatpay_public_key.pem").as_bytes()).unwrap();
    let parsed =
        ParsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, public.to_der()).unwrap();
    let verifier = Verifier::new("PUB_KEY_ID_0112345678202501010000000000000001", public);
    let mut headers = http::HeaderMap::new();
    for (name, value) in valid["headers"].as_object().unwrap() {
        headers.insert(
            http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            http::HeaderValue::from_str(value.as_str().unwrap()).unwrap(),
        );
    }
    let body = valid["body"].as_str().unwrap().as_bytes();
    let now = valid["now"].as_i64().unwrap();
    let message = message::response_message(
        now,
        valid["headers"]["Wechatpay-Nonce"].as_str().unwrap(),
        body,
    );
    let sig = STANDARD
        .decode(valid["headers"]["Wechatpay-Signature"].as_str().unwrap())
        .unwrap();
    let (raw_ps, sdk_ps, ratio) = compare(
        60,
        400,
        || {
            parsed
                .verify_sig(black_box(&message), black_box(&sig))
                .unwrap()
        },
        || {
            black_box(
                verifier
                    .verify_response(black_box(&headers), body, now)
                    .unwrap(),
            );
        },
    );
    println!("verify: raw parsed-once {raw_ps:.0}/s, Verifier {sdk_ps:.0}/s, median round ratio Verifier/raw {ratio:.3}");
}
