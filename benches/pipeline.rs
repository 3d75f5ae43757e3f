//! A whole `deactivate_stock` call through the SDK beside the cryptography it cannot avoid.
//!
//! - `sdk_deactivate_stock`: `client.product_coupon().deactivate_stock(..)` end to end — validate,
//!   serialize, sign (fresh nonce), build the request, send it to an in-memory `MockTransport`
//!   that answers a prepared answer (the seed's StockEntity, signed once with the vector WeChat Pay
//!   private key at a fixed timestamp), verify the answer, decode the StockEntity. The client's
//!   clock is fixed at that timestamp so the answer stays inside the window; the rate limit is off.
//! - `raw_aws_lc_rs_sign_and_verify`: aws-lc-rs `RsaKeyPair::sign` of the same request message plus
//!   `ParsedPublicKey::verify_sig` of the same answer message, with nothing around them.
//!
//! - `raw_sign_verify_and_serde_decode`: the raw pair plus `serde_json` decoding the same answer
//!   into `StockEntity` — the part of the SDK's cost that is the model's, not the pipeline's.
//!
//! The number that matters is raw time / SDK time (1.0 = the SDK adds nothing); it is printed at
//! the end from calls timed one by one, rotating (medians), with the same ratio against the raw
//! pair plus decoding.
//!
//! Run: `cargo bench --bench pipeline -- --warm-up-time 1 --measurement-time 5`.
//!
//! Fixed call count (no criterion): with `WXBRAND_BENCH_CALLS=<name>=<n>` (`<name>` one of the
//! criterion function names above, e.g. `sdk_deactivate_stock=20`) the binary does the setup,
//! calls that function exactly `n` times and exits; an unknown name exits 2.
//! `benches/instruction-ratios.sh` uses this to count instructions per call under callgrind.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, ParsedPublicKey, RsaKeyPair};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use bytes::Bytes;
use criterion::{Criterion, Throughput};
use wxbrand::clock::{Clock, ManualClock, SystemClock};
use wxbrand::prelude::*;
use wxbrand::product_coupon::{DeactivateStockRequest, StockEntity};
use wxbrand::sign::message::{request_message, response_message};
use wxbrand::Client;
use wxbrand_transport::test_util::MockTransport;

#[path = "../testdata/vector_keys.rs"]
mod vector_keys;

use vector_keys::{BRAND_ID, KEY_ID, SERIAL_NO};

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/vectors/");
const TIMESTAMP: i64 = 1_767_225_600;
const ANSWER_NONCE: &str = "5K8264ILTKCH16CQ2502SI8ZNMTM67VS";

fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!("{VECTORS}{name}")).unwrap()
}

/// The DER inside a one-section PEM file.
fn pem_body(pem: &[u8]) -> Vec<u8> {
    let text = std::str::from_utf8(pem).unwrap();
    let b64: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD.decode(b64.trim()).unwrap()
}

struct Setup {
    runtime: tokio::runtime::Runtime,
    client: Client,
    request: DeactivateStockRequest,
    raw_key: RsaKeyPair,
    raw_public: ParsedPublicKey,
    rng: SystemRandom,
    request_message: Vec<u8>,
    answer_message: Vec<u8>,
    answer_signature: Vec<u8>,
    answer_body: Vec<u8>,
    /// The raw signing's output buffer.
    signature_buffer: Vec<u8>,
}

fn setup() -> Setup {
    let brand_pem = vector_keys::BRAND_PRIVATE_KEY_PEM;
    let wechatpay_private = vector_keys::wechatpay_key();
    let wechatpay_public_pem = vector_keys::WECHATPAY_PUBLIC_KEY_PEM;

    // The prepared answer: the seed's StockEntity, signed once.
    let body = read("stock_entity_seed_example.json");
    let answer_message = response_message(TIMESTAMP, ANSWER_NONCE, &body);
    let signature = wechatpay_private.sign_base64(&answer_message).unwrap();
    let answer = http::Response::builder()
        .status(200)
        .header("Wechatpay-Timestamp", TIMESTAMP.to_string())
        .header("Wechatpay-Nonce", ANSWER_NONCE)
        .header("Wechatpay-Signature", signature.as_str())
        .header("Wechatpay-Serial", KEY_ID)
        .header("Wechatpay-Signature-Type", "WECHATPAY-BRAND-SHA256-RSA2048")
        .header("Request-ID", "08BENCH0000000001-0")
        .body(Bytes::from(body))
        .unwrap();
    let mock =
        MockTransport::with_responder(move |_request| Ok(answer.clone())).without_recording();

    let client = Client::builder()
        .brand_id(BRAND_ID)
        .serial_no(SERIAL_NO)
        .private_key(vector_keys::brand_key())
        .wechatpay_public_key(KEY_ID, vector_keys::wechatpay_public_key())
        .transport(Arc::new(mock))
        .clock(Arc::new(ManualClock::new(TIMESTAMP)))
        .without_rate_limit("deactivate_stock")
        .build()
        .unwrap();
    let request = DeactivateStockRequest::new(
        "200000001",
        "123456789",
        "1002600620019090123143254436",
        "批次信息有误,重新创建",
    )
    .unwrap();

    // The same request message the SDK signs (its nonce is random; the length is what counts).
    let prepared = wxbrand::Operation::prepare(&request).unwrap();
    let request_message = request_message(
        "POST",
        prepared.path_and_query(),
        TIMESTAMP,
        "593BEC0C930BF1AFEB40B4A08C8FB242",
        prepared.body().unwrap(),
    );
    let raw_key = RsaKeyPair::from_pkcs8(&pem_body(brand_pem)).unwrap();
    let raw_public = ParsedPublicKey::new(
        &signature::RSA_PKCS1_2048_8192_SHA256,
        pem_body(wechatpay_public_pem),
    )
    .unwrap();
    let answer_signature = STANDARD.decode(signature).unwrap();
    raw_public
        .verify_sig(&answer_message, &answer_signature)
        .unwrap();

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut setup = Setup {
        signature_buffer: vec![0u8; raw_key.public_modulus_len()],
        runtime,
        client,
        request,
        raw_key,
        raw_public,
        rng: SystemRandom::new(),
        request_message,
        answer_message,
        answer_signature,
        answer_body: read("stock_entity_seed_example.json"),
    };
    // Each body works (they unwrap their results); this also takes one-time costs out of the
    // measured calls.
    for (_, body) in Setup::FUNCTIONS {
        body(&mut setup);
    }
    setup
}

/// One benchmarked function: its criterion name and its body (the one place the body is written;
/// criterion, the printed ratios and the fixed-count mode all call it).
type Function = (&'static str, fn(&mut Setup));

impl Setup {
    const FUNCTIONS: [Function; 3] = [
        ("raw_aws_lc_rs_sign_and_verify", Self::raw),
        ("raw_sign_verify_and_serde_decode", Self::raw_and_decode),
        ("sdk_deactivate_stock", Self::sdk),
    ];

    fn sdk(&mut self) {
        let stock = self
            .runtime
            .block_on(
                self.client
                    .product_coupon()
                    .deactivate_stock(black_box(self.request.clone())),
            )
            .unwrap();
        black_box(stock);
    }

    /// The raw cryptography plus decoding the answer with serde_json: what is left of the SDK's
    /// cost once the client's own work is taken away.
    fn raw_and_decode(&mut self) {
        self.raw();
        black_box(serde_json::from_slice::<StockEntity>(black_box(&self.answer_body)).unwrap());
    }

    fn raw(&mut self) {
        self.raw_key
            .sign(
                &signature::RSA_PKCS1_SHA256,
                &self.rng,
                black_box(&self.request_message),
                &mut self.signature_buffer,
            )
            .unwrap();
        black_box(&self.signature_buffer);
        self.raw_public
            .verify_sig(
                black_box(&self.answer_message),
                black_box(&self.answer_signature),
            )
            .unwrap();
    }
}

fn pipeline(c: &mut Criterion, setup: &mut Setup) {
    let mut group = c.benchmark_group("pipeline");
    group.throughput(Throughput::Elements(1));
    for (name, body) in Setup::FUNCTIONS {
        group.bench_function(name, |b| b.iter(|| body(setup)));
    }
    group.finish();
}

/// Raw time / SDK time from calls timed one by one, the three kinds of call rotating (so each
/// sees the same machine state and none always follows another); medians, so that a burst of load
/// from elsewhere does not decide the result.
fn print_ratio(setup: &mut Setup) {
    const ROUNDS: usize = 1500;
    let clock = SystemClock::new();
    let mut times: [Vec<Duration>; 3] = Default::default();
    for round in 0..ROUNDS {
        for step in 0..3 {
            let which = (round + step) % 3;
            let start = clock.monotonic();
            Setup::FUNCTIONS[which].1(setup);
            times[which].push(clock.monotonic() - start);
        }
    }
    // In `Setup::FUNCTIONS` order.
    let [raw, raw_and_decode, sdk] = times.map(|mut t| {
        t.sort_unstable();
        t[t.len() / 2].as_secs_f64()
    });
    println!("medians of {ROUNDS} rotating rounds, per call:");
    println!(
        "  raw aws-lc-rs sign + verify           {:8.1} µs",
        raw * 1e6
    );
    println!(
        "  raw sign + verify + serde decode       {:8.1} µs",
        raw_and_decode * 1e6
    );
    println!(
        "  SDK deactivate_stock                   {:8.1} µs",
        sdk * 1e6
    );
    println!("pipeline ratio (raw sign+verify / SDK): {:.3}", raw / sdk);
    println!(
        "ratio without the answer's decoding (raw sign+verify+decode / SDK): {:.3}",
        raw_and_decode / sdk
    );
}

/// `WXBRAND_BENCH_CALLS=<name>=<n>`, if set; a malformed value exits 2.
fn fixed_calls() -> Option<(String, u64)> {
    let spec = std::env::var_os("WXBRAND_BENCH_CALLS")?;
    let spec = spec.to_string_lossy();
    let parsed = spec
        .split_once('=')
        .and_then(|(name, n)| Some((name.to_owned(), n.parse().ok()?)));
    if parsed.is_none() {
        eprintln!(
            "WXBRAND_BENCH_CALLS={spec:?}: expected <name>=<n>, e.g. sdk_deactivate_stock=20"
        );
        std::process::exit(2);
    }
    parsed
}

fn main() {
    if let Some((name, n)) = fixed_calls() {
        let Some(&(_, body)) = Setup::FUNCTIONS.iter().find(|(known, _)| *known == name) else {
            let known: Vec<&str> = Setup::FUNCTIONS.iter().map(|&(known, _)| known).collect();
            eprintln!(
                "WXBRAND_BENCH_CALLS: no function {name:?} in the pipeline bench; known: {}",
                known.join(", ")
            );
            std::process::exit(2);
        };
        let mut setup = setup();
        for _ in 0..n {
            body(&mut setup);
        }
        return;
    }
    let mut setup = setup();
    let mut criterion = Criterion::default().configure_from_args();
    pipeline(&mut criterion, &mut setup);
    criterion.final_summary();
    print_ratio(&mut setup);
}
