//! `wxbrand simulate` as a process serves `wxbrand stock …` from other processes; every failure
//! class has its exit code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::{
    config, simulate_settings, text, vector, vector_json, vector_settings, wxbrand, TempDir,
};

const COUPON: &str = "200000001";
const STOCK: &str = "123456789";
const SECOND_STOCK: &str = "123456790";

/// A running `wxbrand simulate`, killed when dropped.
#[derive(Debug)]
struct Simulator {
    child: Child,
    url: String,
    ca_path: Option<String>,
    dir: TempDir,
}

impl Simulator {
    /// Starts the simulator with the vector keys and two SENDING stocks, on a free port; with
    /// `tls`, HTTPS with its CA written to `ca.pem` in the test's temp dir.
    fn start(tls: bool) -> Simulator {
        Simulator::start_with(tls, &[], stocks_json())
    }

    /// As [`start`](Self::start), with more flags and other stocks.
    fn start_with(tls: bool, flags: &[&str], stocks: String) -> Simulator {
        Simulator::start_full(tls, flags, stocks, None)
    }

    /// As [`start`](Self::start), in a process whose open-file limit (soft and hard) is
    /// `open_files` (`ulimit -n`).
    #[cfg(unix)]
    fn start_limited(open_files: u32) -> Simulator {
        Simulator::start_full(false, &[], stocks_json(), Some(open_files))
    }

    fn start_full(tls: bool, flags: &[&str], stocks: String, open_files: Option<u32>) -> Simulator {
        let dir = TempDir::new("simulate");
        let stocks = dir.write("stocks.json", stocks);
        let mut extra: Vec<String> = flags.iter().map(|f| f.to_string()).collect();
        if tls {
            extra.push("--tls".to_string());
            extra.push("--ca-out".to_string());
            extra.push(dir.join("ca.pem").to_str().unwrap().to_string());
        }
        let wxbrand = assert_cmd::cargo::cargo_bin("wxbrand");
        let mut command = match open_files {
            // The shell sets both limits, then becomes wxbrand.
            Some(limit) => {
                let mut shell = Command::new("sh");
                shell
                    .arg("-c")
                    .arg(format!("ulimit -n {limit} && exec \"$0\" \"$@\""))
                    .arg(&wxbrand);
                shell
            }
            None => Command::new(&wxbrand),
        };
        let mut child = command
            .args(["simulate", "--listen", "127.0.0.1:0"])
            .args(simulate_settings())
            .arg("--stocks")
            .arg(&stocks)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Read the announced lines on a thread, so a simulator that never prints fails the test
        // instead of hanging it.
        let stdout = child.stdout.take().unwrap();
        let wanted = if tls { 2 } else { 1 };
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            for _ in 0..wanted {
                let line = lines.next().and_then(Result::ok).unwrap_or_default();
                if sender.send(line).is_err() {
                    return;
                }
            }
            // Keep reading so the simulator never blocks on a full pipe.
            for _ in lines {}
        });
        let mut simulator = Simulator {
            child,
            url: String::new(),
            ca_path: None,
            dir,
        };
        simulator.url = receiver
            .recv_timeout(Duration::from_secs(20))
            .expect("the simulator printed no URL");
        assert!(
            simulator.url.starts_with(if tls {
                "https://127.0.0.1:"
            } else {
                "http://127.0.0.1:"
            }),
            "{}",
            simulator.url
        );
        if tls {
            simulator.ca_path = Some(receiver.recv_timeout(Duration::from_secs(5)).unwrap());
        }
        simulator
    }

    /// `wxbrand stock <args>` configured for this simulator through the `WXBRAND_*` variables.
    fn stock(&self, args: &[&str]) -> std::process::Output {
        self.run("stock", args)
    }

    /// `wxbrand <command> <args>` configured for this simulator through the `WXBRAND_*` variables.
    fn run(&self, command: &str, args: &[&str]) -> std::process::Output {
        wxbrand()
            .envs(vector_settings(&self.url))
            .arg(command)
            .args(args)
            .timeout(Duration::from_secs(30))
            .output()
            .unwrap()
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The seed example stock, made SENDING, and a second stock of the same coupon.
fn stocks_json() -> String {
    let mut first = vector_json("stock_entity_seed_example.json");
    let fields = first.as_object_mut().unwrap();
    fields.insert("state".into(), "SENDING".into());
    for name in [
        "deactivate_request_no",
        "deactivate_time",
        "deactivate_reason",
    ] {
        fields.remove(name);
    }
    let mut second = first.clone();
    second["stock_id"] = SECOND_STOCK.into();
    serde_json::to_string(&serde_json::json!([first, second])).unwrap()
}

fn stdout_json(output: &std::process::Output) -> serde_json::Value {
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_deactivation_from_another_process_is_served() {
    let sim = Simulator::start(false);
    let reason = "批次信息有误,重新创建";
    let args = [
        "deactivate",
        "--product-coupon-id",
        COUPON,
        "--stock-id",
        STOCK,
        "--reason",
        reason,
    ];
    let answer = stdout_json(
        &sim.stock(&[&args[..], &["--out-request-no", "34657_20250101_123456"]].concat()),
    );
    assert_eq!(answer["state"], "DEACTIVATED");
    assert_eq!(answer["deactivate_request_no"], "34657_20250101_123456");
    assert_eq!(answer["deactivate_reason"], reason);
    assert_eq!(
        answer["remark"], "满减券",
        "fields beyond the typed ones are printed as answered"
    );

    // The same request number again: WeChat Pay acts once and answers the same.
    let again = stdout_json(
        &sim.stock(&[&args[..], &["--out-request-no", "34657_20250101_123456"]].concat()),
    );
    assert_eq!(again, answer);

    let queried =
        stdout_json(&sim.stock(&["get", "--product-coupon-id", COUPON, "--stock-id", STOCK]));
    assert_eq!(queried["state"], "DEACTIVATED");
}

#[test]
fn a_generated_request_number_is_printed_for_a_retry_by_hand() {
    let sim = Simulator::start(false);
    let output = sim.stock(&[
        "deactivate",
        "--product-coupon-id",
        COUPON,
        "--stock-id",
        SECOND_STOCK,
        "--reason",
        "r",
    ]);
    let answer = stdout_json(&output);
    let number = answer["deactivate_request_no"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        stderr(&output).contains(&format!("--out-request-no {number}")),
        "{}",
        stderr(&output)
    );
}

#[test]
fn listing_follows_pages_and_prints_tables() {
    let sim = Simulator::start(false);
    let all = stdout_json(&sim.stock(&[
        "list",
        "--product-coupon-id",
        COUPON,
        "--page-size",
        "1",
        "--all",
    ]));
    let ids: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stock_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [STOCK, SECOND_STOCK]);

    let page =
        stdout_json(&sim.stock(&["list", "--product-coupon-id", COUPON, "--state", "sending"]));
    assert_eq!(page["stock_list"].as_array().unwrap().len(), 2);

    let table = sim.stock(&[
        "list",
        "--product-coupon-id",
        COUPON,
        "--page-size",
        "1",
        "--output",
        "table",
    ]);
    assert_eq!(table.status.code(), Some(0));
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(table.starts_with("PRODUCT_COUPON_ID"), "{table}");
    assert!(
        table.contains(STOCK) && table.contains("SENDING") && table.contains("--page-token"),
        "{table}"
    );
}

#[test]
fn https_with_the_written_ca_certificate() {
    let sim = Simulator::start(true);
    let ca_file = sim.dir.join("ca.pem");
    assert_eq!(
        sim.ca_path.as_deref(),
        ca_file.to_str(),
        "the second stdout line names the CA file"
    );
    assert!(std::fs::read_to_string(&ca_file)
        .unwrap()
        .contains("BEGIN CERTIFICATE"));
    let get = ["get", "--product-coupon-id", COUPON, "--stock-id", STOCK];
    let trusted = sim.stock(&[&get[..], &["--ca-cert", ca_file.to_str().unwrap()]].concat());
    assert_eq!(stdout_json(&trusted)["state"], "SENDING");
    let untrusted = sim.stock(&[&get[..], &["--retries", "0"]].concat());
    assert_eq!(untrusted.status.code(), Some(5), "{}", stderr(&untrusted));
}

#[test]
fn exit_code_2_for_validation_and_settings() {
    let sim = Simulator::start(false);
    let bad = sim.stock(&[
        "deactivate",
        "--product-coupon-id",
        COUPON,
        "--stock-id",
        STOCK,
        "--reason",
        "r",
        "--out-request-no",
        "ab",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("--out-request-no"),
        "{}",
        stderr(&bad)
    );

    let bad_size = sim.stock(&["list", "--product-coupon-id", COUPON, "--page-size", "51"]);
    assert_eq!(bad_size.status.code(), Some(2), "{}", stderr(&bad_size));

    let usage = sim.stock(&["get", "--product-coupon-id", COUPON]);
    assert_eq!(usage.status.code(), Some(2), "clap's own usage errors");

    let unconfigured = wxbrand()
        .args([
            "stock",
            "get",
            "--product-coupon-id",
            COUPON,
            "--stock-id",
            STOCK,
        ])
        .output()
        .unwrap();
    assert_eq!(unconfigured.status.code(), Some(2));
    let message = stderr(&unconfigured);
    assert!(
        message.contains("--brand-id") && message.contains("WXBRAND_BRAND_ID"),
        "{message}"
    );
}

#[test]
fn exit_code_3_for_an_api_error_with_code_message_and_request_id() {
    let sim = Simulator::start(false);
    let output = sim.stock(&[
        "get",
        "--product-coupon-id",
        COUPON,
        "--stock-id",
        "999999999",
    ]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(message.contains("404"), "{message}");
    assert!(message.contains("RESOURCE_NOT_EXISTS"), "{message}");
    assert!(message.contains("Request-ID: 08SIM"), "{message}");
    assert!(output.stdout.is_empty());
}

#[test]
fn exit_code_4_when_the_answer_fails_verification() {
    let sim = Simulator::start(false);
    // The CLI trusts another key under the simulator's key id: every answer's signature is wrong.
    let wrong_key = vector(text(&config(), "brand_public_key"));
    let output = sim.stock(&[
        "get",
        "--product-coupon-id",
        COUPON,
        "--stock-id",
        STOCK,
        "--public-key",
        &wrong_key,
    ]);
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
    assert!(
        output.stdout.is_empty(),
        "a rejected answer is never printed"
    );
}

/// `wxbrand stock ARGS --retries 0` configured with the vector settings against `base_url`.
fn stock_against(base_url: &str, args: &[&str]) -> std::process::Output {
    against("stock", base_url, args)
}

/// `wxbrand COMMAND ARGS --retries 0` configured with the vector settings against `base_url`.
fn against(command: &str, base_url: &str, args: &[&str]) -> std::process::Output {
    let config = config();
    wxbrand()
        .arg(command)
        .args(args)
        .args(["--retries", "0", "--base-url", base_url])
        .args([
            "--brand-id",
            text(&config, "brand_id"),
            "--serial-no",
            text(&config, "serial_no"),
        ])
        .args(["--private-key", &vector(text(&config, "brand_private_key"))])
        .args(["--public-key-id", text(&config, "wechatpay_public_key_id")])
        .args([
            "--public-key",
            &vector(text(&config, "wechatpay_public_key")),
        ])
        .output()
        .unwrap()
}

#[test]
fn exit_code_5_when_nothing_listens() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let output = stock_against(
        &format!("http://127.0.0.1:{port}"),
        &["get", "--product-coupon-id", COUPON, "--stock-id", STOCK],
    );
    assert_eq!(output.status.code(), Some(5), "{}", stderr(&output));
}

/// A server that gives every request a correctly signed 200 answer with `body` and the
/// `Request-ID` `request_id`; its base URL.
fn signed_answer_server(body: &'static str, request_id: &'static str) -> String {
    use std::io::{Read, Write};
    let config = config();
    let key_pem = std::fs::read(vector(text(&config, "wechatpay_private_key"))).unwrap();
    let key = wxbrand_sign::PrivateKey::from_pem(&key_pem).unwrap();
    let serial = text(&config, "wechatpay_public_key_id").to_string();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().map_while(Result::ok) {
            let mut head = Vec::new();
            let mut buf = [0u8; 4096];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            let (timestamp, nonce) = (common::unix_now(), wxbrand_sign::generate_nonce());
            let message =
                wxbrand_sign::message::response_message(timestamp, &nonce, body.as_bytes());
            let signature = key.sign_base64(&message).unwrap();
            let answer = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                 content-length: {}\r\nconnection: close\r\nrequest-id: {request_id}\r\n\
                 wechatpay-timestamp: {timestamp}\r\nwechatpay-nonce: {nonce}\r\n\
                 wechatpay-signature: {signature}\r\nwechatpay-serial: {serial}\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    format!("http://{addr}")
}

#[test]
fn coupon_get_prints_the_coupon_and_refuses_an_answer_about_another() {
    let base_url = signed_answer_server(
        r#"{"product_coupon_id":"1000000013","state":"EFFECTIVE","type":"NORMAL","new_field":1}"#,
        "08TEST-COUPON",
    );
    let output = against(
        "coupon",
        &base_url,
        &["get", "--product-coupon-id", "1000000013"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let coupon = stdout_json(&output);
    assert_eq!(coupon["state"], "EFFECTIVE");
    assert_eq!(coupon["new_field"], 1);

    let output = against(
        "coupon",
        &base_url,
        &["get", "--product-coupon-id", "1000000099"],
    );
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{message}");
    assert!(
        message.contains("1000000013") && message.contains("1000000099"),
        "{message}"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn exit_code_1_when_a_verified_answer_does_not_match_the_expected_shape() {
    let base_url = signed_answer_server("\"a string, not a stock\"", "08TEST-SHAPE");
    let output = stock_against(
        &base_url,
        &["get", "--product-coupon-id", COUPON, "--stock-id", STOCK],
    );
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{message}");
    assert!(
        message.contains("the answer verified but did not match the expected shape"),
        "{message}"
    );
    assert!(message.contains("Request-ID: 08TEST-SHAPE"), "{message}");
    assert!(output.stdout.is_empty());
}

#[cfg(unix)]
#[test]
fn sigterm_stops_the_simulator_cleanly() {
    let mut sim = Simulator::start(false);
    let status = Command::new("kill")
        .args(["-TERM", &sim.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    // Up to 10 s, counted in polls (the workspace keeps clocks out of tests).
    let mut code = None;
    for _ in 0..500 {
        if let Some(status) = sim.child.try_wait().unwrap() {
            code = Some(status.code());
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let code = code.expect("the simulator ignored SIGTERM");
    assert_eq!(code, Some(0));
}

/// `wxbrand simulate` with the vector settings and one of them replaced; it must exit (within 20 s).
fn simulate_with(flag: &str, value: &str) -> (Option<i32>, String) {
    let mut settings = simulate_settings();
    settings.extend(["--rate-limit".to_string(), "20".to_string()]);
    match settings.iter().position(|f| f == flag) {
        Some(at) => settings[at + 1] = value.to_string(),
        None => settings.extend([flag.to_string(), value.to_string()]),
    }
    let mut command = Command::new(assert_cmd::cargo::cargo_bin("wxbrand"));
    command
        .args(["simulate", "--listen", "127.0.0.1:0"])
        .args(&settings);
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    for _ in 0..200 {
        if let Some(status) = child.try_wait().unwrap() {
            let mut stderr = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
            return (status.code(), stderr);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    panic!("`wxbrand simulate {flag} {value:?}` started instead of refusing");
}

#[test]
fn settings_the_client_would_refuse_are_refused_at_start() {
    for (flag, value, says) in [
        ("--brand-id", "", "--brand-id is empty"),
        ("--brand-id", "BRAND 1", "--brand-id: a space"),
        ("--serial-no", "not-hex", "--serial-no \"not-hex\""),
        (
            "--wechatpay-public-key-id",
            "PUB_KEY_ID_1\"",
            "not a WeChat Pay public key id",
        ),
        ("--rate-limit", "0", "--rate-limit 0"),
        ("--rate-limit", "fast", "--rate-limit fast"),
        ("--max-connections", "0", "--max-connections 0"),
    ] {
        let (code, stderr) = simulate_with(flag, value);
        assert_eq!(code, Some(2), "{flag} {value:?}: {stderr}");
        assert!(stderr.contains(says), "{flag} {value:?}: {stderr}");
    }
}

/// `count` SENDING stocks `STOCK + i`.
fn many_stocks_json(count: usize) -> String {
    let base: serde_json::Value = serde_json::from_str(&stocks_json()).unwrap();
    let stocks: Vec<serde_json::Value> = (0..count)
        .map(|i| {
            let mut stock = base[0].clone();
            stock["stock_id"] = (123_457_000 + i).to_string().into();
            stock
        })
        .collect();
    serde_json::to_string(&stocks).unwrap()
}

/// Sends `count` signed deactivations (of distinct stocks) at once over one keep-alive connection;
/// their statuses.
fn deactivate_burst(url: &str, count: usize) -> Vec<u16> {
    use std::io::{Read, Write};
    let config = config();
    let key = std::fs::read(vector(text(&config, "brand_private_key"))).unwrap();
    let signer = wxbrand_sign::Signer::new(
        text(&config, "brand_id"),
        text(&config, "serial_no"),
        wxbrand_sign::PrivateKey::from_pem(&key).unwrap(),
    );
    let address = url.strip_prefix("http://").unwrap();
    let now = std::time::SystemTime::UNIX_EPOCH
        .elapsed()
        .unwrap()
        .as_secs() as i64;
    let mut requests = Vec::new();
    for i in 0..count {
        let path = format!(
            "/brand/marketing/product-coupon/product-coupons/{COUPON}/stocks/{}/deactivate",
            123_457_000 + i
        );
        let body = format!(r#"{{"out_request_no":"burst_{i:04}","deactivate_reason":"load"}}"#);
        let auth = signer
            .authorization(
                "POST",
                &path,
                body.as_bytes(),
                now,
                &wxbrand_sign::generate_nonce(),
            )
            .unwrap();
        requests.extend_from_slice(
            format!(
                "POST {path} HTTP/1.1\r\nhost: {address}\r\nauthorization: {}\r\naccept: application/json\r\n\
                 content-type: application/json\r\nwechatpay-serial: {}\r\ncontent-length: {}\r\n\r\n{body}",
                auth.header_value(),
                text(&config, "wechatpay_public_key_id"),
                body.len()
            )
            .as_bytes(),
        );
    }
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream.write_all(&requests).unwrap();
    let mut received = Vec::new();
    let mut statuses = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    while statuses.len() < count {
        let n = stream.read(&mut chunk).unwrap();
        assert!(n > 0, "the simulator closed the connection");
        received.extend_from_slice(&chunk[..n]);
        loop {
            let text = String::from_utf8_lossy(&received).into_owned();
            let Some(end) = text.find("\r\n\r\n") else {
                break;
            };
            let length: usize = text[..end]
                .to_ascii_lowercase()
                .lines()
                .find_map(|l| {
                    l.strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap())
                })
                .unwrap_or(0);
            if received.len() < end + 4 + length {
                break;
            }
            statuses.push(text[9..12].parse().unwrap());
            received.drain(..end + 4 + length);
        }
    }
    statuses
}

#[test]
fn rate_limit_none_lifts_the_limit_and_a_number_sets_it() {
    const BURST: usize = 30;
    let lifted = Simulator::start_with(false, &["--rate-limit", "none"], many_stocks_json(BURST));
    let statuses = deactivate_burst(&lifted.url, BURST);
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");

    let limited = Simulator::start_with(false, &["--rate-limit", "5"], many_stocks_json(BURST));
    let statuses = deactivate_burst(&limited.url, BURST);
    let served = statuses.iter().filter(|s| **s == 200).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(served + refused, BURST, "{statuses:?}");
    // 30 requests take far less than a second here; a slow machine may let a second window open.
    assert!((5..=10).contains(&served), "{statuses:?}");
}

fn product_coupon_testdata(name: &str) -> String {
    format!(
        "{}/../../testdata/product-coupon/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// The campaign lifecycle as processes: `coupon create` with a stock → `stock create` →
/// `stock upload-codes` → `stock budget` → `stock stores associate` / `list` → `coupon deactivate`
/// → later changes refused with WeChat Pay's error (exit 3); a body that breaks a rule exits 2
/// with its field path and nothing sent.
#[test]
fn a_campaign_lifecycle_through_the_cli() {
    let sim = Simulator::start(false);
    let broken = sim.dir.write("broken.json", {
        let mut body: serde_json::Value = serde_json::from_slice(
            &std::fs::read(product_coupon_testdata("create_coupon_all_normal.json")).unwrap(),
        )
        .unwrap();
        body["stock"]["stock_send_rule"]["max_count_per_user"] = 101.into();
        body.to_string()
    });
    let output = sim.run(
        "coupon",
        &["create", "--body-file", broken.to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("stock.stock_send_rule.max_count_per_user"),
        "{}",
        stderr(&output)
    );

    let created = stdout_json(&sim.run(
        "coupon",
        &[
            "create",
            "--body-file",
            &product_coupon_testdata("create_coupon_all_normal.json"),
        ],
    ));
    let coupon = created["product_coupon_id"].as_str().unwrap().to_string();
    let stock = created["stock"]["stock_id"].as_str().unwrap().to_string();
    let ids = [
        "--product-coupon-id",
        coupon.as_str(),
        "--stock-id",
        stock.as_str(),
    ];

    let second = stdout_json(&sim.stock(&[
        "create",
        "--product-coupon-id",
        &coupon,
        "--body-file",
        &product_coupon_testdata("create_stock.json"),
    ]));
    assert_eq!(second["product_coupon_id"], coupon.as_str());

    let codes = sim.dir.write("codes.txt", "CLI00001\nCLI00002\n\n");
    let uploaded = stdout_json(
        &sim.stock(
            &[
                &["upload-codes"],
                &ids[..],
                &[
                    "--codes-file",
                    codes.to_str().unwrap(),
                    "--out-request-no",
                    "cli_codes_01",
                ],
            ]
            .concat(),
        ),
    );
    assert_eq!(
        uploaded["success_code_list"],
        serde_json::json!(["CLI00001", "CLI00002"])
    );

    let budget = [
        "--mode",
        "max-count",
        "--current",
        "100",
        "--target",
        "300",
        "--out-request-no",
        "cli_budget_01",
    ];
    let raised = stdout_json(&sim.stock(&[&["budget"], &ids[..], &budget[..]].concat()));
    assert_eq!(raised["stock_send_rule"]["max_count"], 300);

    let attached = stdout_json(
        &sim.stock(
            &[
                &["stores", "associate"],
                &ids[..],
                &["--store-id", "store_1", "--store-id", "store_2"],
            ]
            .concat(),
        ),
    );
    assert_eq!(attached["success_store_list"].as_array().unwrap().len(), 2);
    let listed = stdout_json(
        &sim.stock(
            &[
                &["stores", "list"],
                &ids[..],
                &["--all", "--page-size", "1"],
            ]
            .concat(),
        ),
    );
    assert_eq!(
        listed,
        serde_json::json!([{"store_id": "store_1"}, {"store_id": "store_2"}])
    );

    let deactivated = stdout_json(&sim.run(
        "coupon",
        &[
            "deactivate",
            "--product-coupon-id",
            &coupon,
            "--reason",
            "活动结束",
            "--out-request-no",
            "cli_deact_01",
        ],
    ));
    assert_eq!(deactivated["state"], "DEACTIVATED");

    let budget = [
        "--mode",
        "max-count",
        "--current",
        "300",
        "--target",
        "400",
        "--out-request-no",
        "cli_budget_02",
    ];
    let refused = sim.stock(&[&["budget"], &ids[..], &budget[..]].concat());
    assert_eq!(refused.status.code(), Some(3), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("INVALID_REQUEST"),
        "{}",
        stderr(&refused)
    );
    assert!(
        stderr(&refused).contains("--out-request-no cli_budget_02"),
        "{}",
        stderr(&refused)
    );
    let refused = sim.stock(
        &[
            &["stores", "associate"],
            &ids[..],
            &["--store-id", "store_3"],
        ]
        .concat(),
    );
    assert_eq!(refused.status.code(), Some(3), "{}", stderr(&refused));
}

#[test]
fn image_upload_prints_the_url_and_refuses_what_is_not_an_image() {
    let sim = Simulator::start(false);
    let png = sim.dir.write(
        "coupon.png",
        b"\x89PNG\r\n\x1A\n\0\0\0\rIHDR cli test image".as_slice(),
    );
    let answer = stdout_json(&sim.run("image", &["upload", png.to_str().unwrap()]));
    let url = answer["image_url"].as_str().unwrap();
    assert!(url.starts_with("https://"), "{answer}");

    // Not an image, a too-large file, a missing file: usage failures (exit 2), nothing sent.
    let text = sim.dir.write("notes.png", "plain text");
    let refused = sim.run("image", &["upload", text.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(stderr(&refused).contains("file"), "{}", stderr(&refused));
    let mut big = b"\x89PNG\r\n\x1A\n".to_vec();
    big.resize(2 * 1024 * 1024 + 1, 0);
    let big = sim.dir.write("big.png", big);
    let refused = sim.run("image", &["upload", big.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    let missing = sim.dir.join("missing.png");
    let refused = sim.run("image", &["upload", missing.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
}

/// The default cap (2048 connections) is above the open-file limit many systems give a process
/// (1024). Under a limit of 128 that cannot be raised, a flood of 400 idle connections must
/// neither take every descriptor nor shut a client out: the cap is lowered under the limit, the
/// excess is shed at once, and the connection idle the longest makes room for the client. (With
/// the cap above the limit, `accept` fails until the flood times out, and the client with it.)
#[cfg(unix)]
#[test]
// The wait is measured on the real clock: nothing here signs with it.
#[allow(clippy::disallowed_methods)]
fn under_a_low_open_file_limit_a_flood_of_idle_connections_does_not_shut_a_client_out() {
    let simulator = Simulator::start_limited(128);
    let address = simulator.url.trim_start_matches("http://").to_string();
    let flood: Vec<std::net::TcpStream> = (0..400)
        .filter_map(|_| std::net::TcpStream::connect(&address).ok())
        .collect();
    assert!(flood.len() > 128, "only {} connections made", flood.len());
    // Long enough for the admitted ones to count as idle (one second).
    std::thread::sleep(Duration::from_millis(1500));

    let started = std::time::Instant::now();
    let output = simulator.stock(&["get", "--product-coupon-id", COUPON, "--stock-id", STOCK]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains(STOCK));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the client waited {:?}",
        started.elapsed()
    );
    drop(flood);
}
