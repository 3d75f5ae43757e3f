//! The hostile server of the CLI's hostile suites: a few lines of std networking that answer
//! every request through a handler and sign the answers with the test WeChat Pay key, so the
//! client accepts them as genuine; with the command lines and checks those suites share.
#![allow(dead_code, unused_imports)]

pub use std::io::{BufRead as _, BufReader, Read as _, Write as _};
pub use std::net::{SocketAddr, TcpListener, TcpStream};
pub use std::sync::atomic::{AtomicUsize, Ordering};
pub use std::sync::{Arc, Mutex};
pub use std::time::Duration;

pub use crate::common::{config, simulate_settings, text, vector, wxbrand, TempDir};
use crate::vector_keys;
pub use wxbrand_client::clock::{Clock as _, SystemClock};
pub use wxbrand_sign::message::response_message;
pub use wxbrand_sign::PrivateKey;

/// One request as the hostile server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub target: String,
    pub authorization: String,
}

/// What the hostile server answers: status, body, extra headers.
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

pub type Handler = dyn Fn(usize, &Seen) -> Answer + Send + Sync;

/// A local HTTP/1.1 server answering every request through `handler` (given the 1-based request
/// number), signed with the test WeChat Pay key.
pub struct HostileServer {
    pub addr: SocketAddr,
    pub requests: Arc<AtomicUsize>,
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

impl HostileServer {
    pub fn start(handler: impl Fn(usize, &Seen) -> Answer + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(AtomicUsize::new(0));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let key = Arc::new(vector_keys::wechatpay_key());
        let handler: Arc<Handler> = Arc::new(handler);
        let (count, log) = (requests.clone(), seen.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (key, handler, count, log) =
                    (key.clone(), handler.clone(), count.clone(), log.clone());
                std::thread::spawn(move || serve(stream, &key, &*handler, &count, &log));
            }
        });
        HostileServer {
            addr,
            requests,
            seen,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

pub fn serve(
    stream: TcpStream,
    key: &PrivateKey,
    handler: &Handler,
    count: &AtomicUsize,
    log: &Mutex<Vec<Seen>>,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = request_line.split_whitespace();
        let method = parts.next().unwrap_or_default().to_owned();
        let target = parts.next().unwrap_or_default().to_owned();
        let (mut length, mut authorization) = (0usize, String::new());
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                match name.to_ascii_lowercase().as_str() {
                    "content-length" => length = value.trim().parse().unwrap_or(0),
                    "authorization" => authorization = value.trim().to_owned(),
                    _ => {}
                }
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let seen = Seen {
            method,
            target,
            authorization,
        };
        log.lock().unwrap().push(seen.clone());
        let number = count.fetch_add(1, Ordering::SeqCst) + 1;
        let answer = handler(number, &seen);
        let timestamp = SystemClock::new().unix_seconds();
        let nonce = format!("{number:032}");
        let signature = key
            .sign_base64(&response_message(timestamp, &nonce, &answer.body))
            .unwrap();
        let head = format!(
            "HTTP/1.1 {} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
             Wechatpay-Timestamp: {timestamp}\r\nWechatpay-Nonce: {nonce}\r\n\
             Wechatpay-Signature: {signature}\r\nWechatpay-Serial: {}\r\n\
             Request-ID: 08HOSTILE{number:08}\r\n\r\n",
            answer.status,
            answer.body.len(),
            text(&config(), "wechatpay_public_key_id"),
        );
        if writer.write_all(head.as_bytes()).is_err() || writer.write_all(&answer.body).is_err() {
            return;
        }
    }
}

pub fn json(status: u16, value: &serde_json::Value) -> Answer {
    Answer {
        status,
        body: serde_json::to_vec(value).unwrap(),
    }
}

/// The stock settings every `wxbrand stock` call needs, pointed at `base_url`.
pub fn connection(base_url: &str) -> Vec<String> {
    let config = config();
    [
        "--brand-id",
        text(&config, "brand_id"),
        "--serial-no",
        text(&config, "serial_no"),
        "--private-key",
        &vector(text(&config, "brand_private_key")),
        "--public-key-id",
        text(&config, "wechatpay_public_key_id"),
        "--public-key",
        &vector(text(&config, "wechatpay_public_key")),
        "--base-url",
        base_url,
    ]
    .map(str::to_owned)
    .to_vec()
}

pub fn stock_get(base_url: &str) -> assert_cmd::Command {
    let mut command = wxbrand();
    command
        .args([
            "stock",
            "get",
            "--product-coupon-id",
            "200000001",
            "--stock-id",
            "123456789",
        ])
        .args(connection(base_url))
        .timeout(Duration::from_secs(60));
    command
}

pub fn stock_list_all(base_url: &str) -> assert_cmd::Command {
    let mut command = wxbrand();
    command
        .args(["stock", "list", "--product-coupon-id", "200000001", "--all"])
        .args(connection(base_url))
        .timeout(Duration::from_secs(120));
    command
}

pub fn stock(id: usize, remark: &str) -> serde_json::Value {
    serde_json::json!({
        "product_coupon_id": "200000001",
        "stock_id": format!("{}", 100_000_000 + id),
        "remark": remark,
        "state": "SENDING"
    })
}

/// Characters that must never reach a terminal raw.
pub fn assert_terminal_safe(output: &[u8], what: &str) {
    let text = String::from_utf8_lossy(output);
    for (i, c) in text.chars().enumerate() {
        let unsafe_char = (c.is_control() && c != '\n')
            || matches!(u32::from(c), 0x200B..=0x200F | 0x202A..=0x202E | 0x2066..=0x2069);
        assert!(
            !unsafe_char,
            "{what}: raw U+{:04X} at character {i}",
            u32::from(c)
        );
    }
}
