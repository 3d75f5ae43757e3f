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
//!
//! Fixed call count (no criterion): with `WXBRAND_BENCH_CALLS=<name>=<n>` (`<name>` one of the
//! criterion function names above, e.g. `wxbrand_Signer_authorization=20`) the binary does the
//! setup of that function's group, calls it exactly `n` times and exits; an unknown name exits 2.
//! `benches/instruction-ratios.sh` uses this to count instructions per call under callgrind.
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
fn interleaved<S>(
    label: &str,
    rounds: usize,
    per_round: u32,
    setup: &mut S,
    raw: fn(&mut S),
    sdk: fn(&mut S),
) {
    let mut ratios = Vec::with_capacity(rounds);
    let (mut raw_total, mut sdk_total) = (Duration::ZERO, Duration::ZERO);
    for round in 0..rounds {
        let (r, s) = if round % 2 == 0 {
            let r = time(per_round, || raw(setup));
            (r, time(per_round, || sdk(setup)))
        } else {
            let s = time(per_round, || sdk(setup));
            (time(per_round, || raw(setup)), s)
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

/// One benchmarked function: its criterion name and its body (the one place the body is written;
/// criterion, the interleaved ratios and the fixed-count mode all call it).
type Function<S> = (&'static str, fn(&mut S));

/// Adds a criterion group measuring each of `functions` on `setup`.
fn bench_group<S>(c: &mut Criterion, name: &str, setup: &mut S, functions: &[Function<S>]) {
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(1));
    for &(name, body) in functions {
        group.bench_function(name, |b| b.iter(|| body(setup)));
    }
    group.finish();
}

/// Group `sign`: the seed's message signed three ways.
struct SignSetup {
    raw: RsaKeyPair,
    rng: SystemRandom,
    signer: Signer,
    rustcrypto: rsa::pkcs1v15::SigningKey<sha2::Sha256>,
    message: Vec<u8>,
    /// The raw call's output buffer.
    signature: Vec<u8>,
    method: String,
    url: String,
    body: Vec<u8>,
    timestamp: i64,
    nonce: String,
}

impl SignSetup {
    const FUNCTIONS: [Function<Self>; 3] = [
        ("raw_aws_lc_rs_RsaKeyPair_sign", Self::raw),
        ("wxbrand_Signer_authorization", Self::sdk),
        ("rustcrypto_rsa_pkcs1v15_sign", Self::rustcrypto),
    ];

    fn new() -> Self {
        let seed = case("sign.json", "deactivate_stock_seed");
        let str_field = |name: &str| seed[name].as_str().unwrap().to_owned();
        let key_pem = read("keys/brand_private_key.pem");
        let raw = RsaKeyPair::from_pkcs8(&pem_body(&key_pem)).unwrap();
        let mut setup = Self {
            signature: vec![0u8; raw.public_modulus_len()],
            raw,
            rng: SystemRandom::new(),
            signer: Signer::new(
                seed["brand_id"].as_str().unwrap(),
                seed["serial_no"].as_str().unwrap(),
                PrivateKey::from_pem(key_pem.as_bytes()).unwrap(),
            ),
            rustcrypto: rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(
                rsa::RsaPrivateKey::from_pkcs8_pem(&key_pem).unwrap(),
            ),
            message: str_field("message").into_bytes(),
            method: str_field("method"),
            url: str_field("url"),
            body: str_field("body").into_bytes(),
            timestamp: seed["timestamp"].as_i64().unwrap(),
            nonce: str_field("nonce"),
        };

        // All three compute the vector's signature.
        let expected_signature = STANDARD
            .decode(seed["signature"].as_str().unwrap())
            .unwrap();
        setup.raw();
        assert_eq!(setup.signature, expected_signature);
        let auth = setup
            .signer
            .authorization(
                &setup.method,
                &setup.url,
                &setup.body,
                setup.timestamp,
                &setup.nonce,
            )
            .unwrap();
        assert_eq!(auth.header_value(), seed["authorization"].as_str().unwrap());
        assert_eq!(
            setup.rustcrypto.sign(&setup.message).to_vec(),
            expected_signature
        );
        setup
    }

    fn raw(&mut self) {
        self.raw
            .sign(
                &signature::RSA_PKCS1_SHA256,
                &self.rng,
                black_box(&self.message),
                &mut self.signature,
            )
            .unwrap();
        black_box(&self.signature);
    }

    fn sdk(&mut self) {
        black_box(
            self.signer
                .authorization(
                    black_box(&self.method),
                    black_box(&self.url),
                    black_box(&self.body),
                    self.timestamp,
                    black_box(&self.nonce),
                )
                .unwrap(),
        );
    }

    fn rustcrypto(&mut self) {
        black_box(self.rustcrypto.sign(black_box(&self.message)));
    }
}

/// Group `verify`: the vector answer verified three ways.
struct VerifySetup {
    parsed: ParsedPublicKey,
    unparsed: UnparsedPublicKey<Vec<u8>>,
    verifier: Verifier,
    headers: http::HeaderMap,
    body: Vec<u8>,
    now: i64,
    message: Vec<u8>,
    signature: Vec<u8>,
}

impl VerifySetup {
    const FUNCTIONS: [Function<Self>; 3] = [
        ("raw_aws_lc_rs_parsed_once", Self::raw),
        ("raw_aws_lc_rs_UnparsedPublicKey_verify", Self::naive),
        ("wxbrand_Verifier_verify_response", Self::sdk),
    ];

    fn new() -> Self {
        let valid = case("verify.json", "valid");
        let config: Value = serde_json::from_str(&read("config.json")).unwrap();
        let key_id = config["wechatpay_public_key_id"].as_str().unwrap();
        let public = PublicKey::from_pem(read("keys/wechatpay_public_key.pem").as_bytes()).unwrap();
        let spki = public.to_der().to_vec();

        let body = valid["body"].as_str().unwrap().as_bytes().to_vec();
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
            &body,
        );
        let signature = STANDARD
            .decode(valid["headers"]["Wechatpay-Signature"].as_str().unwrap())
            .unwrap();

        let mut setup = Self {
            parsed: ParsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, &spki).unwrap(),
            unparsed: UnparsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, spki),
            verifier: Verifier::new(key_id, public),
            headers,
            body,
            now: valid["now"].as_i64().unwrap(),
            message,
            signature,
        };
        // All three accept the answer (each body unwraps the verification's result).
        for (_, body) in Self::FUNCTIONS {
            body(&mut setup);
        }
        setup
    }

    fn raw(&mut self) {
        self.parsed
            .verify_sig(black_box(&self.message), black_box(&self.signature))
            .unwrap();
    }

    fn naive(&mut self) {
        self.unparsed
            .verify(black_box(&self.message), black_box(&self.signature))
            .unwrap();
    }

    fn sdk(&mut self) {
        black_box(
            self.verifier
                .verify_response(black_box(&self.headers), black_box(&self.body), self.now)
                .unwrap(),
        );
    }
}

/// `WXBRAND_BENCH_CALLS=<name>=<n>`, if set; a malformed value exits 2.
fn fixed_calls() -> Option<(String, u64)> {
    let spec = std::env::var_os("WXBRAND_BENCH_CALLS")?;
    let spec = spec.to_string_lossy();
    let parsed = spec
        .split_once('=')
        .and_then(|(name, n)| Some((name.to_owned(), n.parse().ok()?)));
    if parsed.is_none() {
        eprintln!("WXBRAND_BENCH_CALLS={spec:?}: expected <name>=<n>, e.g. wxbrand_Signer_authorization=20");
        std::process::exit(2);
    }
    parsed
}

/// The fixed-count mode: the setup of `name`'s group, then exactly `n` calls of `name`.
fn run_fixed(name: &str, n: u64) {
    fn run<S>(name: &str, n: u64, functions: &[Function<S>], new: fn() -> S) -> bool {
        let Some(&(_, body)) = functions.iter().find(|(known, _)| *known == name) else {
            return false;
        };
        let mut setup = new();
        for _ in 0..n {
            body(&mut setup);
        }
        true
    }
    if !run(name, n, &SignSetup::FUNCTIONS, SignSetup::new)
        && !run(name, n, &VerifySetup::FUNCTIONS, VerifySetup::new)
    {
        let sign = SignSetup::FUNCTIONS.iter().map(|&(known, _)| known);
        let verify = VerifySetup::FUNCTIONS.iter().map(|&(known, _)| known);
        let known: Vec<&str> = sign.chain(verify).collect();
        eprintln!(
            "WXBRAND_BENCH_CALLS: no function {name:?} in the signing bench; known: {}",
            known.join(", ")
        );
        std::process::exit(2);
    }
}

fn main() {
    if let Some((name, n)) = fixed_calls() {
        run_fixed(&name, n);
        return;
    }
    let mut c = Criterion::default().configure_from_args();

    let mut sign = SignSetup::new();
    bench_group(&mut c, "sign", &mut sign, &SignSetup::FUNCTIONS);
    if interleave() {
        interleaved(
            "sign (Signer vs RsaKeyPair::sign)",
            40,
            25,
            &mut sign,
            SignSetup::raw,
            SignSetup::sdk,
        );
    }

    let mut verify = VerifySetup::new();
    bench_group(&mut c, "verify", &mut verify, &VerifySetup::FUNCTIONS);
    if interleave() {
        interleaved(
            "verify (Verifier vs parsed-once verify_sig)",
            60,
            400,
            &mut verify,
            VerifySetup::raw,
            VerifySetup::sdk,
        );
    }
    c.final_summary();
}
