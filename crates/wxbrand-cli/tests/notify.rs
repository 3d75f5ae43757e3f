//! `wxbrand notify decrypt` on the notification vectors and `wxbrand notify listen` over a socket.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::{config, text, vector, vector_json, wxbrand, TempDir};

fn key_flags() -> Vec<String> {
    let config = config();
    vec![
        "--public-key".into(),
        vector(text(&config, "wechatpay_public_key")),
        "--public-key-id".into(),
        text(&config, "wechatpay_public_key_id").into(),
    ]
}

/// The case's headers as `curl -D` writes them.
fn curl_headers(case: &serde_json::Value) -> String {
    let mut out = String::from("HTTP/1.1 200 OK\r\n");
    for (name, value) in case["headers"].as_object().unwrap() {
        out.push_str(&format!("{name}: {}\r\n", value.as_str().unwrap()));
    }
    out + "\r\n"
}

#[test]
fn decrypt_prints_the_resource_or_exits_4_with_the_reason() {
    let dir = TempDir::new("notify-decrypt");
    for case in vector_json("notification.json").as_array().unwrap() {
        let name = text(case, "name");
        let headers = dir.write(&format!("{name}.headers"), curl_headers(case));
        let body = dir.write(&format!("{name}.json"), text(case, "body"));
        let key = dir.write(
            &format!("{name}.key"),
            format!("{}\n", text(case, "api_key")),
        );
        let run = |now: i64| {
            wxbrand()
                .args(["notify", "decrypt", "--headers-file"])
                .arg(&headers)
                .arg("--body-file")
                .arg(&body)
                .arg("--api-key-file")
                .arg(&key)
                .args(key_flags())
                .args(["--now", &now.to_string()])
                .output()
                .unwrap()
        };
        let now = case["now"].as_i64().unwrap();
        let output = run(now);
        let stdout = String::from_utf8(output.stdout).unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(!stderr.contains(text(case, "api_key")) && !stdout.contains(text(case, "api_key")));
        match text(case, "expect") {
            "ok" => {
                assert_eq!(output.status.code(), Some(0), "{name}: {stderr}");
                let printed: serde_json::Value = serde_json::from_str(&stdout).unwrap();
                let expected: serde_json::Value =
                    serde_json::from_str(text(case, "plaintext")).unwrap();
                assert_eq!(printed, expected);
                assert_eq!(stdout.lines().count(), 1);
                // The same request replayed later than the window: exit 4.
                let stale = run(now + 3600);
                assert_eq!(stale.status.code(), Some(4));
                let stderr = String::from_utf8(stale.stderr).unwrap();
                assert!(stderr.contains("replayed"), "{stderr}");
            }
            _ => {
                assert_eq!(output.status.code(), Some(4), "{name}: {stdout}");
                assert!(stderr.contains("did not decrypt"), "{name}: {stderr}");
                assert!(stdout.is_empty());
            }
        }
    }
}

#[test]
fn decrypt_usage_errors_exit_2() {
    let dir = TempDir::new("notify-usage");
    let short_key = dir.write("short.key", "0123456789");
    let empty = dir.write("empty", "");
    let output = wxbrand()
        .args(["notify", "decrypt", "--headers-file"])
        .arg(&empty)
        .arg("--body-file")
        .arg(&empty)
        .arg("--api-key-file")
        .arg(&short_key)
        .args(key_flags())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("32"), "{stderr}");
    assert!(!stderr.contains("0123456789"), "{stderr}");
    let missing = wxbrand().args(["notify", "decrypt"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(2));
}

/// POSTs raw HTTP/1.1 and returns the status code.
fn post(address: &str, headers: &serde_json::Value, body: &str) -> u16 {
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    let mut request = format!(
        "POST /notify HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers.as_object().unwrap() {
        request.push_str(&format!("{name}: {}\r\n", value.as_str().unwrap()));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer[9..12].parse().unwrap()
}

#[test]
fn listen_prints_each_verified_event_and_reports_rejections() {
    let dir = TempDir::new("notify-listen");
    let cases = vector_json("notification.json");
    let case = &cases[0];
    let key = dir.write("api.key", text(case, "api_key"));
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("wxbrand"))
        .args([
            "notify",
            "listen",
            "--listen",
            "127.0.0.1:0",
            "--api-key-file",
        ])
        .arg(&key)
        .args(key_flags())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (out_tx, out_rx) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = out_tx.send(line);
        }
    });
    let (err_tx, err_rx) = mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = err_tx.send(line);
        }
    });
    let wait = Duration::from_secs(30);
    let announced = err_rx.recv_timeout(wait).unwrap();
    let address = announced
        .strip_prefix("listening on http://")
        .unwrap()
        .trim_end_matches('/')
        .to_owned();

    // The vector's timestamp is in 2025: the receiver's window rejects it as a replay.
    let status = post(&address, &case["headers"], text(case, "body"));
    assert_eq!(status, 401);
    let rejected = err_rx.recv_timeout(wait).unwrap();
    assert!(
        rejected.starts_with("rejected: ") && rejected.contains("replayed"),
        "{rejected}"
    );
    assert!(out_rx.try_recv().is_err());

    // A fresh notification, signed now with the vector's WeChat Pay key.
    let now = std::time::SystemTime::UNIX_EPOCH
        .elapsed()
        .unwrap()
        .as_secs() as i64;
    let body = text(case, "body").replace("EV-2018022511223320873", "EV-LISTEN-1");
    let nonce = "c5ac7061fccab6bf3e254dcf98995b8c";
    let private_key = wxbrand_sign::PrivateKey::from_pem(
        &std::fs::read(vector(text(&config(), "wechatpay_private_key"))).unwrap(),
    )
    .unwrap();
    let signature = private_key
        .sign_base64(&wxbrand_sign::message::response_message(
            now,
            nonce,
            body.as_bytes(),
        ))
        .unwrap();
    let headers = serde_json::json!({
        "Wechatpay-Timestamp": now.to_string(),
        "Wechatpay-Nonce": nonce,
        "Wechatpay-Signature": signature,
        "Wechatpay-Serial": text(&config(), "wechatpay_public_key_id"),
    });
    assert_eq!(post(&address, &headers, &body), 204);
    let line: serde_json::Value =
        serde_json::from_str(&out_rx.recv_timeout(wait).unwrap()).unwrap();
    assert_eq!(line["id"], "EV-LISTEN-1");
    assert_eq!(line["event_type"], "PRODUCT_COUPON.USED");
    assert_eq!(line["resource"]["coupon_code"], "C0001");
    // A redelivery is a duplicate: 204, not printed again.
    assert_eq!(post(&address, &headers, &body), 204);
    assert!(out_rx.recv_timeout(Duration::from_millis(300)).is_err());
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn decrypt_escapes_what_came_from_the_network() {
    let dir = TempDir::new("notify-escape");
    let config = config();
    let api_key = "Abcdefghijklmnopqrstuvwxyz123456";
    // JSON escapes ESC itself; U+202E (bidi override) and U+009B (C1 CSI) it leaves raw.
    let resource = serde_json::json!({
        "coupon_code": "C\u{1b}[31m\u{202e}\u{9b}", "product_coupon_id": "1", "stock_id": "2"
    })
    .to_string();
    let encrypted = wxbrand_sign::ApiKey::new(api_key)
        .unwrap()
        .encrypt(
            resource.as_bytes(),
            "fdasflkjdafl",
            "product_coupon",
            "product_coupon",
        )
        .unwrap();
    let envelope = wxbrand_sign::NotificationEnvelope::new(
        "EV-ESC",
        "2025-01-01T00:00:00+08:00",
        "PRODUCT_COUPON.SEND",
        "x",
        encrypted,
    );
    let body = serde_json::to_string(&envelope).unwrap();
    let (now, nonce) = (1_735_660_800_i64, "n0nce");
    let private_key = wxbrand_sign::PrivateKey::from_pem(
        &std::fs::read(vector(text(&config, "wechatpay_private_key"))).unwrap(),
    )
    .unwrap();
    let signature = private_key
        .sign_base64(&wxbrand_sign::message::response_message(
            now,
            nonce,
            body.as_bytes(),
        ))
        .unwrap();
    let headers = format!(
        "Wechatpay-Timestamp: {now}\nWechatpay-Nonce: {nonce}\nWechatpay-Signature: {signature}\nWechatpay-Serial: {}\n",
        text(&config, "wechatpay_public_key_id")
    );
    let output = wxbrand()
        .args(["notify", "decrypt", "--headers-file"])
        .arg(dir.write("h", headers))
        .arg("--body-file")
        .arg(dir.write("b", body))
        .arg("--api-key-file")
        .arg(dir.write("k", api_key))
        .args(key_flags())
        .args(["--now", &now.to_string()])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        !stdout.contains(['\u{1b}', '\u{202e}', '\u{9b}']),
        "{stdout:?}"
    );
    let printed: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(printed["coupon_code"], "C\u{1b}[31m\u{202e}\u{9b}");
}
