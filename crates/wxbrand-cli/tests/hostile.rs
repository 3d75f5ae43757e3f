//! The `wxbrand` command against hostile servers and hostile inputs (issue 10, item 5): answers
//! carrying terminal escapes, endless and empty listings, bad base URLs, key paths that are not
//! key files, an untrusted TLS certificate, and traces that must hold no secret.
//!
//! The hostile server is a few lines of std networking that signs its answers with the test
//! WeChat Pay key, so the client accepts them as genuine.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
#[path = "../../../testdata/vector_keys.rs"]
mod vector_keys;

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{config, simulate_settings, text, vector, wxbrand, TempDir};
use wxbrand_client::clock::{Clock as _, SystemClock};
use wxbrand_sign::message::response_message;
use wxbrand_sign::PrivateKey;

/// One request as the hostile server saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    target: String,
    authorization: String,
}

/// What the hostile server answers: status, body, extra headers.
struct Answer {
    status: u16,
    body: Vec<u8>,
}

type Handler = dyn Fn(usize, &Seen) -> Answer + Send + Sync;

/// A local HTTP/1.1 server answering every request through `handler` (given the 1-based request
/// number), signed with the test WeChat Pay key.
struct HostileServer {
    addr: SocketAddr,
    requests: Arc<AtomicUsize>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl HostileServer {
    fn start(handler: impl Fn(usize, &Seen) -> Answer + Send + Sync + 'static) -> Self {
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

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

fn serve(
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

fn json(status: u16, value: &serde_json::Value) -> Answer {
    Answer {
        status,
        body: serde_json::to_vec(value).unwrap(),
    }
}

/// The stock settings every `wxbrand stock` call needs, pointed at `base_url`.
fn connection(base_url: &str) -> Vec<String> {
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

fn stock_get(base_url: &str) -> assert_cmd::Command {
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

fn stock_list_all(base_url: &str) -> assert_cmd::Command {
    let mut command = wxbrand();
    command
        .args(["stock", "list", "--product-coupon-id", "200000001", "--all"])
        .args(connection(base_url))
        .timeout(Duration::from_secs(120));
    command
}

fn stock(id: usize, remark: &str) -> serde_json::Value {
    serde_json::json!({
        "product_coupon_id": "200000001",
        "stock_id": format!("{}", 100_000_000 + id),
        "remark": remark,
        "state": "SENDING"
    })
}

/// Characters that must never reach a terminal raw.
fn assert_terminal_safe(output: &[u8], what: &str) {
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

// ---- B: terminal escape injection -------------------------------------------------------------

#[test]
fn an_api_error_is_escaped_and_a_huge_message_is_cut() {
    let hostile_message = format!(
        "\u{1b}[2J\rerror: forged line\n\u{202e}txt.exe{}",
        "A".repeat(3_000_000)
    );
    let body = serde_json::json!({
        "code": "\u{1b}]0;pwned\u{7}",
        "message": hostile_message,
        "detail": {"field": "\u{0}\u{9b}31m"}
    });
    let server = HostileServer::start(move |_, _| json(400, &body));
    let output = stock_get(&server.url()).output().unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert_terminal_safe(&output.stderr, "stderr");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains(r"code:       \u{1b}]0;pwned\u{7}"),
        "{stderr:.500}"
    );
    assert!(
        stderr.contains(r"message:    \u{1b}[2J\rerror: forged line\n\u{202e}txt.exe"),
        "{stderr:.500}"
    );
    // Cut, with a note of how much was cut.
    assert!(stderr.len() < 20_000, "{} bytes on stderr", stderr.len());
    let cut = hostile_message.chars().count() - 2_000;
    let note = format!("… ({} more characters)", thousands(cut));
    assert!(stderr.contains(&note), "no {note:?} in {stderr:.3000}");
    // `detail` is JSON text (serde's `\u0000`), escaped like the rest.
    assert!(
        stderr.contains(r#"detail:     {"field":"\\u0000\u{9b}31m"}"#),
        "{stderr:.3000}"
    );
    assert!(
        stderr.contains("Request-ID: 08HOSTILE00000001"),
        "{stderr:.3000}"
    );
    // The traces of the failed call are escaped too.
    let traced = stock_get(&server.url())
        .env("RUST_LOG", "wxbrand=debug")
        .output()
        .unwrap();
    assert_eq!(traced.status.code(), Some(3));
    assert_terminal_safe(&traced.stderr, "stderr with traces");
    assert!(String::from_utf8_lossy(&traced.stderr).contains("call failed"));
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

#[test]
fn stock_fields_are_escaped_in_tables_and_stay_valid_json() {
    let remark = "\u{1b}[31mred\u{0}nul\u{9b}c1\u{202e}bidi\u{7f}";
    let answer = serde_json::json!({
        "product_coupon_id": "200000001",
        "stock_id": "123456789",
        "remark": remark,
        "state": "SENDING\u{1b}[2J"
    });
    let server = HostileServer::start(move |_, _| json(200, &answer));

    let table = stock_get(&server.url())
        .args(["--output", "table"])
        .output()
        .unwrap();
    assert_eq!(table.status.code(), Some(0), "{table:?}");
    assert_terminal_safe(&table.stdout, "table");
    let stdout = String::from_utf8(table.stdout).unwrap();
    assert!(
        stdout.contains(r"\u{1b}[31mred\u{0}nul\u{9b}c1\u{202e}bidi\u{7f}"),
        "{stdout}"
    );

    let as_json = stock_get(&server.url()).output().unwrap();
    assert_eq!(as_json.status.code(), Some(0));
    assert_terminal_safe(&as_json.stdout, "json");
    let value: serde_json::Value = serde_json::from_slice(&as_json.stdout).unwrap();
    assert_eq!(value["remark"], remark, "JSON keeps the exact text");
}

// ---- C: base URLs ------------------------------------------------------------------------------

#[test]
fn a_base_url_that_does_not_parse_exactly_is_a_configuration_error() {
    for bad in [
        "http://127.0.0.1:99999",
        "",
        "   ",
        "http://alice:s3cret@127.0.0.1:1",
        "http://127.0.0.1:1#fragment",
    ] {
        let output = stock_get(bad).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{bad:?}: {stderr}");
        assert!(stderr.contains("--base-url"), "{bad:?}: {stderr}");
        assert!(!stderr.contains("s3cret"), "{bad:?}: {stderr}");
    }
    let output = stock_get("http://127.0.0.1:99999").output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("`99999` is not a port number"), "{stderr}");
}

// ---- D: key files ------------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn key_paths_that_are_not_small_regular_files_are_refused_at_once() {
    let dir = TempDir::new("key-paths");
    let fifo = dir.join("fifo.pem");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let big = dir.write("big.pem", vec![b'A'; 64 * 1024 + 1]);
    let cases = [
        (fifo.display().to_string(), "FIFO"),
        ("/dev/zero".to_owned(), "character device"),
        (dir.join("").display().to_string(), "directory"),
        (big.display().to_string(), "larger than 65536 bytes"),
    ];
    for (path, expected) in cases {
        let output = wxbrand()
            .args([
                "sign",
                "--brand-id",
                "120344",
                "--serial-no",
                "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C",
                "--private-key",
                &path,
                "--method",
                "GET",
                "--url",
                "/x",
            ])
            .timeout(Duration::from_secs(20))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{path}: {stderr}");
        assert!(stderr.contains(expected), "{path}: {stderr}");
        assert!(stderr.contains("--private-key"), "{path}: {stderr}");
    }
    // The WeChat Pay public key of the stock operations goes through the same reader.
    let mut args = connection("http://127.0.0.1:1");
    let at = args.iter().position(|a| a == "--public-key").unwrap();
    args[at + 1] = fifo.display().to_string();
    let output = wxbrand()
        .args([
            "stock",
            "get",
            "--product-coupon-id",
            "1",
            "--stock-id",
            "2",
        ])
        .args(args)
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("FIFO"));
}

/// The other files named by a path (`--body-file`, `--ca-cert`, `simulate --stocks`) go through
/// one bounded reader: what is not a regular file, or is over the file's cap, is refused at once.
#[cfg(unix)]
#[test]
fn other_file_paths_are_read_bounded_and_only_when_regular() {
    let dir = TempDir::new("other-paths");
    let fifo = dir.join("fifo.json");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let big_body = dir.write("big.json", vec![b' '; 4 * 1024 * 1024 + 1]);
    let key = vector("keys/brand_private_key.pem");
    let sign = |body_file: &str| {
        wxbrand()
            .args(["sign", "--brand-id", "120344"])
            .args(["--serial-no", "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C"])
            .args(["--private-key", &key, "--method", "POST", "--url", "/x"])
            .args(["--body-file", body_file])
            .timeout(Duration::from_secs(20))
            .output()
            .unwrap()
    };
    for (path, expected) in [
        (fifo.display().to_string(), "FIFO"),
        ("/dev/zero".to_owned(), "character device"),
        (big_body.display().to_string(), "larger than 4194304 bytes"),
    ] {
        let output = sign(&path);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{path}: {stderr}");
        assert!(stderr.contains("body file"), "{path}: {stderr}");
        assert!(stderr.contains(expected), "{path}: {stderr}");
    }

    let output = wxbrand()
        .args([
            "stock",
            "get",
            "--product-coupon-id",
            "1",
            "--stock-id",
            "2",
        ])
        .args(connection("https://127.0.0.1:1"))
        .args(["--ca-cert", "/dev/zero"])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("CA certificate file"), "{stderr}");
    assert!(stderr.contains("character device"), "{stderr}");

    let output = wxbrand()
        .args(["simulate", "--listen", "127.0.0.1:0"])
        .args(simulate_settings())
        .args(["--stocks", &fifo.display().to_string()])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("stocks file"), "{stderr}");
    assert!(stderr.contains("FIFO"), "{stderr}");
}

// ---- E: TLS certificate errors -----------------------------------------------------------------

/// A TCP forwarder to `target` that counts the connections made to it.
fn counting_forwarder(target: SocketAddr) -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            counter.fetch_add(1, Ordering::SeqCst);
            let Ok(server) = TcpStream::connect(target) else {
                continue;
            };
            let (mut client_read, mut server_write) =
                (client.try_clone().unwrap(), server.try_clone().unwrap());
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut client_read, &mut server_write);
                let _ = server_write.shutdown(std::net::Shutdown::Write);
            });
            let (mut server_read, mut client_write) = (server, client);
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut server_read, &mut client_write);
                let _ = client_write.shutdown(std::net::Shutdown::Write);
            });
        }
    });
    (addr, count)
}

#[test]
fn an_untrusted_certificate_fails_at_the_first_attempt_and_names_ca_cert() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let simulator = runtime
        .block_on(wxbrand_simulator::Simulator::ephemeral().tls(true).start())
        .unwrap();
    let (forwarder, connections) = counting_forwarder(simulator.local_addr());
    let output = stock_get(&format!("https://127.0.0.1:{}", forwarder.port()))
        .args(["--retries", "3"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(5), "{stderr}");
    assert_eq!(
        connections.load(Ordering::SeqCst),
        1,
        "a refused certificate is not retried: {stderr}"
    );
    assert!(
        stderr.contains("certificate authority this client does not trust"),
        "{stderr}"
    );
    assert!(stderr.contains("--ca-cert"), "{stderr}");
    drop(runtime);
}

// ---- F: tracing --------------------------------------------------------------------------------

#[test]
fn rust_log_and_verbose_print_the_sdk_traces_without_secrets() {
    let answer = serde_json::json!({
        "product_coupon_id": "200000001",
        "stock_id": "123456789",
        "state": "SENDING",
        "remark": "\u{1b}]0;title\u{7}"
    });
    let server = HostileServer::start(move |_, _| json(200, &answer));
    let key_pem = std::fs::read_to_string(vector(text(&config(), "brand_private_key"))).unwrap();
    let key_line = key_pem.lines().nth(3).unwrap().to_owned();

    let traced = stock_get(&server.url())
        .env("RUST_LOG", "wxbrand=trace")
        .output()
        .unwrap();
    let verbose = stock_get(&server.url()).arg("-v").output().unwrap();
    let quiet = stock_get(&server.url()).output().unwrap();
    for output in [&traced, &verbose, &quiet] {
        assert_eq!(output.status.code(), Some(0), "{output:?}");
    }
    assert!(quiet.stderr.is_empty(), "no traces unless asked");
    let signatures: Vec<String> = server
        .seen
        .lock()
        .unwrap()
        .iter()
        .map(|seen| {
            let at = seen.authorization.find("signature=\"").unwrap() + 11;
            seen.authorization[at..at + 40].to_owned()
        })
        .collect();
    for (name, output) in [("RUST_LOG", &traced), ("-v", &verbose)] {
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("wxbrand.call"), "{name}: {stderr}");
        assert!(stderr.contains("get_stock"), "{name}: {stderr}");
        assert!(stderr.contains("call succeeded"), "{name}: {stderr}");
        for signature in &signatures {
            assert!(!stderr.contains(signature.as_str()), "{name}: {stderr}");
        }
        assert!(
            !stderr.contains("WECHATPAY2-SHA256-RSA2048"),
            "{name}: {stderr}"
        );
        assert!(!stderr.contains("PRIVATE KEY"), "{name}: {stderr}");
        assert!(!stderr.contains(&key_line), "{name}: {stderr}");
        assert!(!stderr.contains('\u{1b}'), "{name}: {stderr}");
    }
    assert!(server.seen.lock().unwrap().iter().all(|s| s.method == "GET"
        && s.target
            == "/brand/marketing/product-coupon/product-coupons/200000001/stocks/123456789"));
}

// ---- G: stock list --all -----------------------------------------------------------------------

fn page(stocks: &[serde_json::Value], token: Option<String>) -> Answer {
    json(
        200,
        &serde_json::json!({"stock_list": stocks, "next_page_token": token, "total_count": 999_999}),
    )
}

#[test]
fn list_all_stops_at_max_pages_against_endless_fresh_tokens() {
    let server = HostileServer::start(|n, _| page(&[stock(n, "one")], Some(format!("fresh{n}"))));
    let output = stock_list_all(&server.url())
        .args(["--max-pages", "20"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("20 pages (--max-pages)"), "{stderr}");
    assert!(stderr.contains("raise --max-pages"), "{stderr}");
    assert!(stderr.contains("--page-token fresh20"), "{stderr}");
    assert_eq!(server.requests(), 20);
    // What was fetched was printed, as one closed JSON array.
    let stocks: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(stocks.len(), 20);
    assert_eq!(stocks[19]["stock_id"], "100000020");
}

#[test]
fn list_all_stops_at_max_items() {
    let server = HostileServer::start(|n, _| {
        page(
            &[stock(2 * n - 1, "a"), stock(2 * n, "b")],
            Some(format!("fresh{n}")),
        )
    });
    let output = stock_list_all(&server.url())
        .args(["--max-items", "5", "--output", "table"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("5 stocks (--max-items)"), "{stderr}");
    assert_eq!(server.requests(), 3);
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.starts_with("PRODUCT_COUPON_ID"), "{stdout}");
    assert!(stdout.contains("100000005"), "{stdout}");
    assert!(!stdout.contains("100000006"), "{stdout}");
    assert!(stdout.trim_end().ends_with("5 stock(s)"), "{stdout}");
}

#[test]
fn list_all_stops_on_an_empty_page_that_names_a_next_page() {
    let server = HostileServer::start(|n, _| page(&[], Some(format!("empty{n}"))));
    let output = stock_list_all(&server.url()).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("held no stock yet named a next page"),
        "{stderr}"
    );
    assert_eq!(server.requests(), 1);
    let stocks: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert!(stocks.is_empty());
}

#[test]
fn list_all_prints_each_page_before_fetching_the_next() {
    // The second page is held back until the test has read the first page's stock on stdout:
    // a command that collected every page before printing would never show it.
    let (release, released) = std::sync::mpsc::channel::<()>();
    let released = Mutex::new(released);
    let server = HostileServer::start(move |n, _| match n {
        1 => page(&[stock(1, "first")], Some("second".to_owned())),
        _ => {
            let waited = released
                .lock()
                .unwrap()
                .recv_timeout(Duration::from_secs(30));
            let remark = if waited.is_ok() {
                "released"
            } else {
                "timed out"
            };
            page(&[stock(2, remark)], None)
        }
    });
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("wxbrand"))
        .args(["stock", "list", "--product-coupon-id", "200000001", "--all"])
        .args(connection(&server.url()))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut seen = String::new();
    while !seen.contains("100000001") {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "stdout ended: {seen}"
        );
        seen.push_str(&line);
    }
    release.send(()).unwrap();
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    assert!(child.wait().unwrap().success());
    let all = format!("{seen}{rest}");
    let stocks: Vec<serde_json::Value> = serde_json::from_str(&all).unwrap();
    assert_eq!(stocks.len(), 2);
    assert_eq!(stocks[1]["remark"], "released", "{all}");
}

#[test]
fn list_all_at_max_items_on_a_page_boundary_stops_before_the_next_page_and_says_where_to_resume() {
    let server = HostileServer::start(|n, _| {
        page(
            &[stock(2 * n - 1, "a"), stock(2 * n, "b")],
            Some(format!("fresh{n}")),
        )
    });
    let output = stock_list_all(&server.url())
        .args(["--max-items", "4"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("4 stocks (--max-items)"), "{stderr}");
    assert!(stderr.contains("--page-token fresh2"), "{stderr}");
    assert_eq!(server.requests(), 2, "the third page is not fetched");
    let stocks: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(stocks.len(), 4);
}

#[test]
fn list_all_stops_on_a_page_token_given_again() {
    let server = HostileServer::start(|n, _| page(&[stock(n, "loop")], Some("same".to_owned())));
    let output = stock_list_all(&server.url()).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("page 2 named a next page already fetched (same)"),
        "{stderr}"
    );
    assert_eq!(server.requests(), 2);
    let stocks: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(stocks.len(), 2);
}
