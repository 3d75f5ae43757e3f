//! Signing and verification: the SDK's path beside the raw library calls it wraps, so the number
//! that matters is a ratio from one run.
//!
//! - group `sign`: raw aws-lc-rs `RsaKeyPair::sign` of the seed's message (sign.json case
//!   `deactivate_stock_seed`), `wxbrand_sign::Signer` producing the full `Authorization` header from
//!   the same inputs, and the RustCrypto `rsa` crate (PKCS#1 v1.5, SHA-256) signing the same message
//!   (what the other Rust WeChat Pay crates use);
//! - group `verify`: raw aws-lc-rs verification with the key parsed once (`ParsedPublicKey`), raw
//!   `UnparsedPublicKey::verify` (which re-parses the key on every call, as naive code does), and
//!   `wxbrand_sign::Verifier::verify_response` of the same answer from an `http::HeaderMap`
//!   (verify.json case `valid`).
//!
//! After each group it also prints an interleaved measurement of the SDK against the raw call
//! (alternating short rounds, median ratio), which load changes on a shared machine distort far less
//! than criterion's one-after-the-other runs.
//!
//! Run: `cargo bench --bench signing -- --warm-up-time 1 --measurement-time 5`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, ParsedPublicKey, RsaKeyPair, UnparsedPublicKey};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use criterion::{Criterion, Throughput};
use rsa::pkcs8::DecodePrivateKey as _;
use rsa::signature::{SignatureEncoding as _, Signer as _};
use serde_json::Value;
use wxbrand_sign::{message, PrivateKey, PublicKey, Signer, Verifier};

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/vectors/");

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

/// Whether to print the interleaved ratios (not in `--test` or `--list` mode).
fn interleave() -> bool {
    !std::env::args().any(|a| a == "--test" || a == "--list")
}

/// Time for `n` calls of `f`. Benchmarks measure time; nothing here signs with it.
#[allow(clippy::disallowed_methods)]
fn time(n: u32, mut f: impl FnMut()) -> Duration {
    let start = Instant::now();
    for _ in 0..n {
        f();
    }
    start.elapsed()
}

/// Criterion measures one function after the other, so on a shared machine a change of load between
/// them shows up as a ratio. This measures `raw` and `sdk` alternately in short rounds and prints the
/// median of the per-round ratios `sdk/raw` throughput, which such changes affect far less.
fn interleaved(
    label: &str,
    rounds: usize,
    per_round: u32,
    mut raw: impl FnMut(),
    mut sdk: impl FnMut(),
) {
    let mut ratios = Vec::with_capacity(rounds);
    let (mut raw_total, mut sdk_total) = (Duration::ZERO, Duration::ZERO);
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
    println!(
        "interleaved {label}: raw {:.0}/s, SDK {:.0}/s, median per-round ratio SDK/raw {:.3}",
        calls / raw_total.as_secs_f64(),
        calls / sdk_total.as_secs_f64(),
        ratios[ratios.len() / 2]
    );
}

/// The DER inside a one-section PEM file.
fn pem_body(pem: &str) -> Vec<u8> {
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD.decode(b64.trim()).unwrap()
}

fn sign(c: &mut Criterion) {
    let seed = case("sign.json", "deactivate_stock_seed");
    let (method, url, body, nonce) = (
        seed["method"].as_str().unwrap(),
        seed["url"].as_str().unwrap(),
        seed["body"].as_str().unwrap().as_bytes(),
        seed["nonce"].as_str().unwrap(),
    );
    let timestamp = seed["timestamp"].as_i64().unwrap();
    let expected_signature = STANDARD
        .decode(seed["signature"].as_str().unwrap())
        .unwrap();
    let message = seed["message"].as_str().unwrap().as_bytes().to_vec();
    let key_pem = read("keys/brand_private_key.pem");

    let raw = RsaKeyPair::from_pkcs8(&pem_body(&key_pem)).unwrap();
    let rng = SystemRandom::new();
    let signer = Signer::new(
        seed["brand_id"].as_str().unwrap(),
        seed["serial_no"].as_str().unwrap(),
        PrivateKey::from_pem(key_pem.as_bytes()).unwrap(),
    );
    let rustcrypto = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(
        rsa::RsaPrivateKey::from_pkcs8_pem(&key_pem).unwrap(),
    );

    // All three compute the vector's signature.
    let mut sig = vec![0u8; raw.public_modulus_len()];
    raw.sign(&signature::RSA_PKCS1_SHA256, &rng, &message, &mut sig)
        .unwrap();
    assert_eq!(sig, expected_signature);
    let auth = signer
        .authorization(method, url, body, timestamp, nonce)
        .unwrap();
    assert_eq!(auth.header_value(), seed["authorization"].as_str().unwrap());
    assert_eq!(rustcrypto.sign(&message).to_vec(), expected_signature);

    let mut group = c.benchmark_group("sign");
    group.throughput(Throughput::Elements(1));
    group.bench_function("raw_aws_lc_rs_RsaKeyPair_sign", |b| {
        b.iter(|| {
            raw.sign(
                &signature::RSA_PKCS1_SHA256,
                &rng,
                black_box(&message),
                &mut sig,
            )
            .unwrap();
            black_box(&sig);
        });
    });
    group.bench_function("wxbrand_Signer_authorization", |b| {
        b.iter(|| {
            black_box(
                signer
                    .authorization(
                        black_box(method),
                        black_box(url),
                        black_box(body),
                        timestamp,
                        black_box(nonce),
                    )
                    .unwrap(),
            )
        });
    });
    group.bench_function("rustcrypto_rsa_pkcs1v15_sign", |b| {
        b.iter(|| black_box(rustcrypto.sign(black_box(&message))));
    });
    group.finish();

    if interleave() {
        interleaved(
            "sign (Signer vs RsaKeyPair::sign)",
            40,
            25,
            || {
                raw.sign(
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
    }
}

fn verify(c: &mut Criterion) {
    let valid = case("verify.json", "valid");
    let config: Value = serde_json::from_str(&read("config.json")).unwrap();
    let key_id = config["wechatpay_public_key_id"].as_str().unwrap();
    let public = PublicKey::from_pem(read("keys/wechatpay_public_key.pem").as_bytes()).unwrap();
    let spki = public.to_der().to_vec();
    let verifier = Verifier::new(key_id, public);

    let body = valid["body"].as_str().unwrap().as_bytes();
    let now = valid["now"].as_i64().unwrap();
    let mut headers = http::HeaderMap::new();
    for (name, value) in valid["headers"].as_object().unwrap() {
        headers.insert(
            http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            http::HeaderValue::from_str(value.as_str().unwrap()).unwrap(),
        );
    }
    let message = message::response_message(
        valid["headers"]["Wechatpay-Timestamp"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap(),
        valid["headers"]["Wechatpay-Nonce"].as_str().unwrap(),
        body,
    );
    let sig = STANDARD
        .decode(valid["headers"]["Wechatpay-Signature"].as_str().unwrap())
        .unwrap();

    let parsed = ParsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, &spki).unwrap();
    let unparsed = UnparsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, &spki);
    parsed.verify_sig(&message, &sig).unwrap();
    unparsed.verify(&message, &sig).unwrap();
    verifier.verify_response(&headers, body, now).unwrap();

    let mut group = c.benchmark_group("verify");
    group.throughput(Throughput::Elements(1));
    group.bench_function("raw_aws_lc_rs_parsed_once", |b| {
        b.iter(|| {
            parsed
                .verify_sig(black_box(&message), black_box(&sig))
                .unwrap()
        });
    });
    group.bench_function("raw_aws_lc_rs_UnparsedPublicKey_verify", |b| {
        b.iter(|| {
            unparsed
                .verify(black_box(&message), black_box(&sig))
                .unwrap()
        });
    });
    group.bench_function("wxbrand_Verifier_verify_response", |b| {
        b.iter(|| {
            black_box(
                verifier
                    .verify_response(black_box(&headers), black_box(body), now)
                    .unwrap(),
            )
        });
    });
    group.finish();

    if interleave() {
        interleaved(
            "verify (Verifier vs parsed-once verify_sig)",
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
    }
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    sign(&mut c);
    verify(&mut c);
    c.final_summary();
}
