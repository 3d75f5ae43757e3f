//! The signing identity of the simulated WeChat Pay: the `Request-ID` and the `Wechatpay-*`
//! headers of an answer, signed over `timestamp\nnonce\nbody\n`.

use base64::Engine as _;
use http::HeaderValue;
use wxbrand_sign::PrivateKey;

use crate::answer::Answer;
use crate::faults::Fault;

/// The signature scheme named in `Wechatpay-Signature-Type`.
pub(crate) const SIGNATURE_TYPE: &str = "WECHATPAY-BRAND-SHA256-RSA2048";

/// The signing identity of the simulated WeChat Pay.
#[derive(Debug, Clone)]
pub(crate) struct AnswerSigner {
    pub(crate) key: PrivateKey,
    pub(crate) key_id: String,
}

/// The headers of a finished answer, in order.
pub(crate) type HeaderList = Vec<(&'static str, HeaderValue)>;

impl AnswerSigner {
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
        let nonce = wxbrand_sign::generate_nonce();
        let signature = match fault {
            Some(Fault::SigntestProbe) => {
                let noise: [u8; 192] = crate::keys::random_bytes();
                format!(
                    "WECHATPAY/SIGNTEST/{}",
                    base64::engine::general_purpose::STANDARD.encode(noise)
                )
            }
            Some(Fault::WrongSignature) => {
                let mut other = body.to_vec();
                other.extend_from_slice(b" ");
                self.sign(timestamp, &nonce, &other)
            }
            _ => self.sign(timestamp, &nonce, body),
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
