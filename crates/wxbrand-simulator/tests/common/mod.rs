//! Helpers shared by the integration tests: the vector keys, a raw hyper client, signing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use bytes::Bytes;
use http::{HeaderMap, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use wxbrand_core::product_coupon::{StockEntity, StockState};
use wxbrand_sign::{PrivateKey, PublicKey, Signer, Verifier};
use wxbrand_simulator::clock::{Clock, SystemClock};
use wxbrand_simulator::{sample_stock, SimulatorBuilder, SimulatorHandle};

pub const PREFIX: &str = "/brand/marketing/product-coupon/product-coupons";
pub const COUPON: &str = "200000001";

#[path = "../../../../testdata/vector_keys.rs"]
mod vector_keys;

macro_rules! vector {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../testdata/vectors/",
            $name
        ))
    };
}

/// The vector configuration (`testdata/vectors/config.json`).
pub struct Vectors {
    pub brand_id: String,
    pub serial_no: String,
    pub wechatpay_key_id: String,
    pub brand_private: PrivateKey,
    pub brand_public: PublicKey,
    pub wechatpay_private: PrivateKey,
    pub wechatpay_public: PublicKey,
}

pub fn vectors() -> Vectors {
    let config: serde_json::Value = serde_json::from_str(vector!("config.json")).unwrap();
    let text = |k: &str| config[k].as_str().unwrap().to_string();
    Vectors {
        brand_id: text("brand_id"),
        serial_no: text("serial_no"),
        wechatpay_key_id: text("wechatpay_public_key_id"),
        brand_private: vector_keys::brand_key(),
        brand_public: vector_keys::brand_public_key(),
        wechatpay_private: vector_keys::wechatpay_key(),
        wechatpay_public: vector_keys::wechatpay_public_key(),
    }
}

pub fn seed_example_json() -> &'static str {
    vector!("stock_entity_seed_example.json")
}

pub fn newer_shape_json() -> &'static str {
    vector!("stock_entity_newer_shape.json")
}

/// Stock ids `300000001`… of coupon [`COUPON`], all SENDING.
pub fn stock_id(i: usize) -> String {
    format!("{}", 300_000_000 + i)
}

pub fn sending_stocks(n: usize) -> Vec<StockEntity> {
    (1..=n)
        .map(|i| sample_stock(COUPON, &stock_id(i), StockState::Sending).unwrap())
        .collect()
}

/// A builder with the vector brand, the vector WeChat Pay key and `n` SENDING stocks.
pub fn builder(n: usize) -> SimulatorBuilder {
    let v = vectors();
    wxbrand_simulator::Simulator::builder()
        .brand(v.brand_id, v.serial_no, v.brand_public)
        .wechatpay_key(v.wechatpay_private, v.wechatpay_key_id)
        .stocks(sending_stocks(n))
}

pub fn now() -> i64 {
    SystemClock::new().now_unix_seconds()
}

/// Who signs and what the client sends.
#[derive(Clone)]
pub struct Caller {
    pub signer: Signer,
    pub wechatpay_key_id: String,
    pub base_url: String,
    pub verifier: Verifier,
}

impl Caller {
    pub fn vectors(sim: &SimulatorHandle) -> Caller {
        let v = vectors();
        Caller {
            signer: Signer::new(v.brand_id, v.serial_no, v.brand_private),
            wechatpay_key_id: sim.wechatpay_public_key_id().to_string(),
            base_url: sim.base_url().to_string(),
            verifier: Verifier::new(
                sim.wechatpay_public_key_id(),
                sim.wechatpay_public_key().clone(),
            ),
        }
    }

    /// A request signed at `timestamp`, with the customary headers.
    pub fn request_at(
        &self,
        method: &str,
        path_and_query: &str,
        body: &[u8],
        timestamp: i64,
    ) -> Request<Full<Bytes>> {
        let nonce = wxbrand_sign::generate_nonce();
        let auth = self
            .signer
            .authorization(method, path_and_query, body, timestamp, &nonce)
            .unwrap();
        let mut builder = Request::builder()
            .method(method)
            .uri(format!("{}{}", self.base_url, path_and_query))
            .header("Authorization", auth.header_value())
            .header("Accept", "application/json")
            .header("Wechatpay-Serial", &self.wechatpay_key_id)
            .header("User-Agent", "wxbrand-simulator-tests");
        if !body.is_empty() {
            builder = builder.header("Content-Type", "application/json");
        }
        builder
            .body(Full::new(Bytes::copy_from_slice(body)))
            .unwrap()
    }

    pub fn request(&self, method: &str, path_and_query: &str, body: &[u8]) -> Request<Full<Bytes>> {
        self.request_at(method, path_and_query, body, now())
    }

    pub fn deactivate_request(&self, stock: &str, out_request_no: &str) -> Request<Full<Bytes>> {
        let body = deactivate_body(out_request_no, "批次信息有误,重新创建");
        self.request("POST", &deactivate_path(COUPON, stock), body.as_bytes())
    }
}

pub fn deactivate_path(coupon: &str, stock: &str) -> String {
    format!("{PREFIX}/{coupon}/stocks/{stock}/deactivate")
}

pub fn deactivate_body(out_request_no: &str, reason: &str) -> String {
    serde_json::json!({ "out_request_no": out_request_no, "deactivate_reason": reason }).to_string()
}

pub type RawClient = Client<HttpConnector, Full<Bytes>>;

pub fn client() -> RawClient {
    Client::builder(TokioExecutor::new()).build_http()
}

/// A whole answer.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {:?}", self.body))
    }
    pub fn code(&self) -> String {
        self.json()["code"].as_str().unwrap_or_default().to_string()
    }
    pub fn request_id(&self) -> String {
        self.headers
            .get("request-id")
            .unwrap()
            .to_str()
            .unwrap()
            .to_string()
    }
    pub fn errno(&self) -> u64 {
        self.request_id()
            .rsplit('-')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    }
    /// Asserts the status and code, the `Request-ID`, and that the answer verifies (is signed by
    /// the simulator's WeChat Pay key).
    #[track_caller]
    pub fn assert_error(&self, caller: &Caller, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "{:?}", self.body);
        assert_eq!(self.code(), code, "{:?}", self.body);
        assert!(self.json()["message"].is_string());
        assert!(self.request_id().starts_with("08SIM"), "{:?}", self.headers);
        let _ = self.errno();
        caller
            .verifier
            .verify_response(&self.headers, &self.body, now())
            .unwrap();
    }
}

pub async fn send(client: &RawClient, request: Request<Full<Bytes>>) -> Answer {
    try_send(client, request).await.unwrap()
}

pub async fn try_send(client: &RawClient, request: Request<Full<Bytes>>) -> Result<Answer, String> {
    let response = client
        .request(request)
        .await
        .map_err(|e| format!("request: {e:?}"))?;
    let (parts, body) = response.into_parts();
    let body = body
        .collect()
        .await
        .map_err(|e| format!("body: {e:?}"))?
        .to_bytes();
    Ok(Answer {
        status: parts.status,
        headers: parts.headers,
        body,
    })
}

/// Parses a whole HTTP/1.1 answer read from a raw socket (with `Content-Length`, not chunked).
pub fn parse_raw_answer(bytes: &[u8]) -> Answer {
    let split = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no end of headers: {:?}", String::from_utf8_lossy(bytes)));
    let head = std::str::from_utf8(&bytes[..split]).unwrap();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status: u16 = status_line.split(' ').nth(1).unwrap().parse().unwrap();
    let mut headers = HeaderMap::new();
    for line in lines {
        let (name, value) = line.split_once(':').unwrap();
        headers.append(
            http::HeaderName::from_bytes(name.trim().as_bytes()).unwrap(),
            http::HeaderValue::from_str(value.trim()).unwrap(),
        );
    }
    Answer {
        status: StatusCode::from_u16(status).unwrap(),
        headers,
        body: Bytes::copy_from_slice(&bytes[split + 4..]),
    }
}

/// Writes `request` on a fresh connection and reads until the server closes it (at most 5 s).
pub async fn raw(sim: &SimulatorHandle, request: &[u8]) -> Vec<u8> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(sim.local_addr())
        .await
        .unwrap();
    stream.write_all(request).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(PATIENCE, stream.read_to_end(&mut out)).await;
    out
}

/// How long a test waits for what a loaded machine may take a while to show (a request still in
/// flight, a listener closing).
pub const PATIENCE: std::time::Duration = std::time::Duration::from_secs(5);

/// Polls `condition` every 10 ms until it holds or [`PATIENCE`] passes; whether it held.
pub async fn eventually<F, Fut>(mut condition: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if condition().await {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

/// A valid create-product-coupon body (whole store, amount off, one stock).
pub fn create_body(out_request_no: &str) -> serde_json::Value {
    serde_json::json!({
        "out_request_no": out_request_no,
        "scope": "ALL",
        "type": "NORMAL",
        "usage_mode": "SINGLE",
        "single_usage_info": { "normal_coupon": { "threshold": 10000, "discount_amount": 1000 } },
        "display_info": {
            "name": "满100减10元",
            "image_url": "https://wxpaylogo.qpic.cn/wxpaylogo/coupon.png",
            "background_url": "https://wxpaylogo.qpic.cn/wxpaylogo/background.png"
        },
        "out_product_no": "product_0001",
        "stock": stock_json("WECHATPAY"),
    })
}

/// A valid `StockForCreate` with this code mode.
pub fn stock_json(coupon_code_mode: &str) -> serde_json::Value {
    serde_json::json!({
            "remark": "first stock",
            "coupon_code_mode": coupon_code_mode,
            "stock_send_rule": { "max_count": 1000, "max_count_per_day": 100, "max_count_per_user": 1 },
            "single_usage_rule": {
                "coupon_available_period": {
                    "available_begin_time": "2026-01-01T00:00:00+08:00",
                    "available_end_time": "2026-12-31T23:59:59+08:00"
                }
            },
            "usage_rule_display_info": {
                "coupon_usage_method_list": ["OFFLINE"],
                "usage_description": "全场可用",
                "coupon_available_store_info": { "description": "所有门店" }
            },
            "coupon_display_info": { "code_display_mode": "QRCODE", "background_color": "Color020" },
            "notify_config": { "notify_appid": "wx1234567890abcdef" },
            "store_scope": "ALL"
    })
}

pub fn bytes(value: &serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap()
}
