//! `wxbrand user-coupon …` and `wxbrand notify-config …`: every argument and validation error is a
//! usage failure (exit 2) naming its flag, and nothing reaches the server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::net::TcpListener;

use common::{config, text, vector, wxbrand};

const OPENID: &str = "oh-394z-6CGkNoJrsDLTTUKiAnp4";
const APPID: &str = "wx233544546545989";

/// `wxbrand ARGS` configured with the vector settings against `base_url`, no retries.
fn run(base_url: &str, args: &[&str]) -> std::process::Output {
    let config = config();
    wxbrand()
        .args(args)
        .args(["--retries", "0", "--base-url", base_url])
        .args(["--brand-id", text(&config, "brand_id")])
        .args(["--serial-no", text(&config, "serial_no")])
        .args(["--private-key", &vector(text(&config, "brand_private_key"))])
        .args(["--public-key-id", text(&config, "wechatpay_public_key_id")])
        .args([
            "--public-key",
            &vector(text(&config, "wechatpay_public_key")),
        ])
        .output()
        .unwrap()
}

fn coupon(command: &str) -> Vec<&str> {
    vec![
        "user-coupon",
        command,
        "--openid",
        OPENID,
        "--coupon-code",
        "Code_123456",
        "--appid",
        APPID,
        "--product-coupon-id",
        "1000000013",
        "--stock-id",
        "1000000013001",
    ]
}

fn send(extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = [
        "user-coupon",
        "send",
        "--appid",
        APPID,
        "--product-coupon-id",
        "1000000013",
        "--stock-id",
        "1000000013001",
    ]
    .map(String::from)
    .to_vec();
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

#[test]
fn usage_and_validation_errors_exit_2_and_send_nothing() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());

    let owned = |args: Vec<String>| args;
    // (arguments, the flag the message must name; empty for clap's own usage errors)
    let use_base = coupon("use");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (owned(send(&["--openid", "o/x"])), "--openid"),
        (owned(send(&["--openid", "oh 394"])), "--openid"),
        (
            owned(send(&["--openid", OPENID, "--send-request-no", "ab"])),
            "--send-request-no",
        ),
        (
            owned(send(&["--openid", OPENID, "--out-request-no", "ab"])),
            "--send-request-no",
        ),
        (
            owned(send(&["--openid", OPENID, "--coupon-code", "a b"])),
            "--coupon-code",
        ),
        (owned(send(&[])), ""),
        (
            [&use_base[..], &["--use-time", "2025-08-01T12:00:00+08:00"]]
                .concat()
                .iter()
                .map(|s| s.to_string())
                .collect(),
            "",
        ),
        (
            [
                &use_base[..],
                &["--transaction-id", "42", "--pay-score-order-id", "p1"],
            ]
            .concat()
            .iter()
            .map(|s| s.to_string())
            .collect(),
            "",
        ),
        (
            [
                &use_base[..],
                &["--transaction-id", "42", "--use-time", "yesterday"],
            ]
            .concat()
            .iter()
            .map(|s| s.to_string())
            .collect(),
            "--use-time",
        ),
        (
            [
                &use_base[..],
                &[
                    "--mchid",
                    "1900000109",
                    "--out-request-no",
                    "ab",
                    "--out-trade-no",
                    "t1",
                ],
            ]
            .concat()
            .iter()
            .map(|s| s.to_string())
            .collect(),
            "--out-request-no",
        ),
        (
            [
                &use_base[..],
                &["--transaction-id", "42", "--store-id", &"s".repeat(41)],
            ]
            .concat()
            .iter()
            .map(|s| s.to_string())
            .collect(),
            "--store-id",
        ),
        (
            [
                "user-coupon",
                "confirm",
                "--openid",
                OPENID,
                "--coupon-code",
                "..",
                "--appid",
                APPID,
                "--product-coupon-id",
                "1",
                "--stock-id",
                "2",
            ]
            .map(String::from)
            .to_vec(),
            "--coupon-code",
        ),
        (
            [&coupon("return")[..], &["--out-request-no", "12345"]]
                .concat()
                .iter()
                .map(|s| s.to_string())
                .collect(),
            "--out-request-no",
        ),
        (
            [&coupon("deactivate")[..], &["--reason", ""]]
                .concat()
                .iter()
                .map(|s| s.to_string())
                .collect(),
            "--reason",
        ),
        (
            [
                "user-coupon",
                "get",
                "--openid",
                OPENID,
                "--coupon-code",
                "C1",
                "--appid",
                APPID,
                "--product-coupon-id",
                "a/b",
                "--stock-id",
                "2",
            ]
            .map(String::from)
            .to_vec(),
            "--product-coupon-id",
        ),
        (
            [
                "user-coupon",
                "list",
                "--openid",
                OPENID,
                "--appid",
                APPID,
                "--state",
                "NOPE",
            ]
            .map(String::from)
            .to_vec(),
            "",
        ),
        (
            [
                "user-coupon",
                "list",
                "--openid",
                OPENID,
                "--appid",
                APPID,
                "--page-size",
                "51",
            ]
            .map(String::from)
            .to_vec(),
            "--page-size",
        ),
        (
            [
                "user-coupon",
                "list",
                "--openid",
                OPENID,
                "--appid",
                APPID,
                "--max-pages",
                "3",
            ]
            .map(String::from)
            .to_vec(),
            "",
        ),
        (
            [
                "user-coupon",
                "list",
                "--openid",
                OPENID,
                "--appid",
                APPID,
                "--all",
                "--max-items",
                "0",
            ]
            .map(String::from)
            .to_vec(),
            "",
        ),
        (
            [
                "notify-config",
                "set",
                "--notify-url",
                "http://brand.example.com/events",
            ]
            .map(String::from)
            .to_vec(),
            "--notify-url",
        ),
        (
            [
                "notify-config",
                "set",
                "--notify-url",
                "https://127.0.0.1/events",
            ]
            .map(String::from)
            .to_vec(),
            "--notify-url",
        ),
        (["notify-config", "set"].map(String::from).to_vec(), ""),
    ];
    for (args, flag) in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = run(&url, &args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(flag),
            "{args:?} should name {flag}: {stderr}"
        );
    }
    match listener.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        other => panic!("a request reached the server: {other:?}"),
    }
}

#[test]
fn a_generated_request_number_is_printed_even_when_the_call_is_refused() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let mut args = coupon("confirm");
    args[7] = "w".repeat(33).leak();
    let output = run(&url, &args);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("out_request_no: cli"), "{stderr}");
    assert!(stderr.contains("--appid"), "{stderr}");
}

#[test]
fn every_new_subcommand_help_has_an_example() {
    for words in [
        &["user-coupon", "send"][..],
        &["user-coupon", "pre-send"],
        &["user-coupon", "confirm"],
        &["user-coupon", "use"],
        &["user-coupon", "return"],
        &["user-coupon", "deactivate"],
        &["user-coupon", "list"],
        &["user-coupon", "get"],
        &["notify-config", "set"],
        &["notify-config", "get"],
    ] {
        let output = wxbrand().args(words).arg("--help").output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{words:?}");
        let help = String::from_utf8(output.stdout).unwrap();
        assert!(help.contains("  wxbrand "), "{words:?}:\n{help}");
    }
}

/// A `wxbrand simulate` process over HTTP with one SENDING stock usable from a day ago; killed
/// when dropped.
struct SimulatorProcess {
    child: std::process::Child,
    url: String,
    _dir: common::TempDir,
}

impl SimulatorProcess {
    fn start() -> SimulatorProcess {
        use std::io::BufRead;
        let now = common::unix_now();
        let time = |at: i64| wxbrand_core::Rfc3339::from_unix(at, 8 * 3600).to_string();
        let stock = serde_json::json!([{
            "product_coupon_id": "1000000013", "stock_id": "1000000013001", "remark": "cli e2e",
            "coupon_code_mode": "WECHATPAY",
            "stock_send_rule": {"max_count": 100, "max_count_per_day": 10, "max_count_per_user": 1},
            "single_usage_rule": {
                "coupon_available_period": {
                    "available_begin_time": time(now - 86_400),
                    "available_end_time": time(now + 300 * 86_400)
                },
                "normal_coupon": {"threshold": 5000, "discount_amount": 500}
            },
            "usage_rule_display_info": {"coupon_usage_method_list": ["OFFLINE"]},
            "coupon_display_info": {"code_display_mode": "QRCODE"},
            "store_scope": "ALL",
            "sent_count_info": {"total_count": 0, "today_count": 0},
            "state": "SENDING"
        }]);
        let dir = common::TempDir::new("user-coupon");
        let stocks = dir.write("stocks.json", stock.to_string());
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("wxbrand"))
            .args(["simulate", "--listen", "127.0.0.1:0"])
            .args(common::simulate_settings())
            .arg("--stocks")
            .arg(&stocks)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut url = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut url)
            .unwrap();
        SimulatorProcess {
            child,
            url: url.trim().to_string(),
            _dir: dir,
        }
    }
}

impl Drop for SimulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn answer(output: &std::process::Output) -> serde_json::Value {
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn send_confirm_use_return_through_the_cli_on_the_simulator() {
    let sim = SimulatorProcess::start();
    assert!(sim.url.starts_with("http://127.0.0.1:"), "{}", sim.url);
    let sent = answer(&run(
        &sim.url,
        &send(&["--openid", OPENID, "--send-request-no", "e2e_send_0001"])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    ));
    assert_eq!(sent["coupon_state"], "CONFIRMING", "{sent}");
    let code = sent["coupon_code"].as_str().unwrap().to_string();
    let with_code = |command: &'static str| {
        let mut args = coupon(command);
        args[5] = code.clone().leak();
        args
    };
    let step = |command: &'static str, extra: &[&str]| {
        answer(&run(&sim.url, &[&with_code(command)[..], extra].concat()))
    };

    let confirmed = step("confirm", &["--out-request-no", "e2e_confirm_0001"]);
    assert_eq!(confirmed["coupon_state"], "EFFECTIVE", "{confirmed}");
    let used = step(
        "use",
        &[
            "--transaction-id",
            "4200000000123456789123456789",
            "--out-request-no",
            "e2e_use_0001",
        ],
    );
    assert_eq!(used["coupon_state"], "USED", "{used}");
    let returned = step("return", &["--out-request-no", "e2e_return_0001"]);
    assert_eq!(returned["coupon_state"], "EFFECTIVE", "{returned}");
    // Sending the same return again is the same request: the same answer, nothing done twice.
    let again = step("return", &["--out-request-no", "e2e_return_0001"]);
    assert_eq!(again["coupon_state"], "EFFECTIVE", "{again}");
    let got = step("get", &[]);
    assert_eq!(got["coupon_code"], code.as_str());

    let listed = run(
        &sim.url,
        &[
            "user-coupon",
            "list",
            "--openid",
            OPENID,
            "--appid",
            APPID,
            "--all",
            "--output",
            "table",
        ],
    );
    let table = String::from_utf8_lossy(&listed.stdout).into_owned();
    assert_eq!(
        listed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    assert!(table.starts_with("COUPON_CODE"), "{table}");
    assert!(
        table.contains(&code) && table.trim_end().ends_with("1 coupon(s)"),
        "{table}"
    );

    let url = "https://brand.example.com/wxpay/coupon-events";
    let set = answer(&run(
        &sim.url,
        &["notify-config", "set", "--notify-url", url],
    ));
    assert_eq!(set["notify_url"], url);
    let get = answer(&run(&sim.url, &["notify-config", "get"]));
    assert_eq!(get["notify_url"], url);
}
