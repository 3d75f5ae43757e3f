//! The signing identity of the simulated WeChat Pay: the `Request-ID` and the `Wechatpay-*`
//! headers of an answer, signed over `timestamp\nnonce\nbody\n`.

use std::sync::Mutex;

use base64::Engine as _;
use bytes::Bytes;
use http::HeaderValue;
use wxbrand_sign::PrivateKey;

use crate::answer::Answer;
use crate::faults::Fault;

/// The signature scheme named in `Wechatpay-Signature-Type`.
pub(crate) const SIGNATURE_TYPE: &str = "WECHATPAY-BRAND-SHA256-RSA2048";

/// How many distinct unauthenticated answers share their signature within one second.
const SHARED_SIGNATURES: usize = 32;

/// The signing identity of the simulated WeChat Pay.
///
/// Answers made before a request's signature verified (unknown routes, 401s, oversized bodies…)
/// that are byte-identical within one second of the clock share one nonce and signature: a flood
/// of unauthenticated requests costs one RSA signature per distinct answer per second, not one
/// per request. Every other answer is signed on its own.
#[derive(Debug)]
pub(crate) struct AnswerSigner {
    pub(crate) key: PrivateKey,
    pub(crate) key_id: String,
    shared_signatures: Mutex<SharedSignatures>,
}

/// Signatures of the current second's unauthenticated answers: (body, nonce, signature).
#[derive(Debug, Default)]
struct SharedSignatures {
    second: i64,
    entries: Vec<(Bytes, String, String)>,
}

/// The headers of a finished answer, in order.
pub(crate) type HeaderList = Vec<(&'static str, HeaderValue)>;

impl AnswerSigner {
    /// Signs with `key`, named `key_id` in `Wechatpay-Serial`.
    pub(crate) fn new(key: PrivateKey, key_id: String) -> Self {
        AnswerSigner {
            key,
            key_id,
            shared_signatures: Mutex::new(SharedSignatures::default()),
        }
    }

    /// The nonce and signature of an unauthenticated answer: shared with an identical one of
    /// the same second, or made now (and kept for the rest of the second).
    fn shared_signature(&self, timestamp: i64, body: &[u8]) -> (String, String) {
        let mut cache = self
            .shared_signatures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if cache.second != timestamp {
            cache.second = timestamp;
            cache.entries.clear();
        }
        if let Some((_, nonce, signature)) = cache.entries.iter().find(|(b, _, _)| b == body) {
            return (nonce.clone(), signature.clone());
        }
        let nonce = wxbrand_sign::generate_nonce();
        let signature = self.sign(timestamp, &nonce, body);
        if cache.entries.len() < SHARED_SIGNATURES {
            cache.entries.push((
                Bytes::copy_from_slice(body),
                nonce.clone(),
                signature.clone(),
            ));
        }
        (nonce, signature)
    }

    /// Signs `body` (after any fault changed it) and lists the headers of the answer.
    pub(crate) fn headers(
        &self,
        answer: &Answer,
        body: &[u8],
        request_seq: u64,
        now_seconds: i64,
        fault: Option<&Fault>,
    ) -> HeaderList {
        let mut headers: HeaderList = Vec::with_capacity(8);
        if answer.from_proxy {
            headers.push(("content-type", HeaderValue::from_static("text/html")));
            return headers;
        }
        headers.push((
            "content-type",
            HeaderValue::from_static("application/json; charset=utf-8"),
        ));
        if let Some(allow) = answer.allow {
            headers.push(("allow", HeaderValue::from_static(allow)));
        }
        let request_id = format!("08SIM{request_seq:012}-{}", answer.errno);
        push_text(&mut headers, "request-id", &request_id);

        let timestamp = match fault {
            Some(Fault::StaleTimestamp) => now_seconds - 600,
            _ => now_seconds,
        };
        let (nonce, signature) = match fault {
            None if answer.unauthenticated => self.shared_signature(timestamp, body),
            Some(Fault::SigntestProbe) => {
                let noise: [u8; 192] = crate::keys::random_bytes();
                let signature = format!(
                    "WECHATPAY/SIGNTEST/{}",
                    base64::engine::general_purpose::STANDARD.encode(noise)
                );
                (wxbrand_sign::generate_nonce(), signature)
            }
            Some(Fault::WrongSignature) => {
                let mut other = body.to_vec();
                other.extend_from_slice(b" ");
                let nonce = wxbrand_sign::generate_nonce();
                let signature = self.sign(timestamp, &nonce, &other);
                (nonce, signature)
            }
            _ => {
                let nonce = wxbrand_sign::generate_nonce();
                let signature = self.sign(timestamp, &nonce, body);
                (nonce, signature)
            }
        };
        let serial = match fault {
            Some(Fault::WrongSerial) => other_key_id(&self.key_id),
            _ => self.key_id.clone(),
        };
        push_text(&mut headers, "wechatpay-nonce", &nonce);
        push_text(&mut headers, "wechatpay-signature", &signature);
        push_text(&mut headers, "wechatpay-timestamp", &timestamp.to_string());
        push_text(&mut headers, "wechatpay-serial", &serial);
        headers.push((
            "wechatpay-signature-type",
            HeaderValue::from_static(SIGNATURE_TYPE),
        ));
        headers
    }

    fn sign(&self, timestamp: i64, nonce: &str, body: &[u8]) -> String {
        let message = wxbrand_sign::message::response_message(timestamp, nonce, body);
        match self.key.sign_base64(&message) {
            Ok(signature) => signature,
            Err(e) => {
                tracing::error!(error = %e, "signing an answer failed");
                String::new()
            }
        }
    }
}

fn push_text(headers: &mut HeaderList, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        headers.push((name, v));
    }
}

/// A key id that is not `key_id` (same shape).
fn other_key_id(key_id: &str) -> String {
    let candidate = "PUB_KEY_ID_0000000000000000000000000000000000";
    if key_id == candidate {
        "PUB_KEY_ID_0000000000000000000000000000000001".to_string()
    } else {
        candidate.to_string()
    }
}
