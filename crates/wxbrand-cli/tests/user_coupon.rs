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
