//! `wxbrand sign` reproduces every signing vector from the command line.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{text, vector, vector_json, wxbrand, TempDir};

fn cases() -> Vec<serde_json::Value> {
    vector_json("sign.json").as_array().unwrap().clone()
}

fn sign_command(case: &serde_json::Value, key: &str) -> assert_cmd::Command {
    let mut command = wxbrand();
    command.args([
        "sign",
        "--brand-id",
        text(case, "brand_id"),
        "--serial-no",
        text(case, "serial_no"),
        "--private-key",
        &vector(key),
        "--method",
        text(case, "method"),
        "--url",
        text(case, "url"),
        "--timestamp",
        &case["timestamp"].as_i64().unwrap().to_string(),
        "--nonce",
        text(case, "nonce"),
    ]);
    command
}

fn escaped(message: &str) -> String {
    message
        .replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
        .replace('\t', "\\t")
}

#[test]
fn every_vector_signs_to_its_authorization_with_body_text() {
    for case in cases() {
        let output = sign_command(&case, "keys/brand_private_key.pem")
            .args(["--body", text(&case, "body")])
            .output()
            .unwrap();
        let name = text(&case, "name");
        assert_eq!(
            output.status.code(),
            Some(0),
            "{name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert_eq!(
            stdout,
            format!("{}\n", text(&case, "authorization")),
            "{name}"
        );
        assert!(
            output.stderr.is_empty(),
            "{name}: nothing on stderr without --show-message"
        );
    }
}

#[test]
fn every_vector_signs_byte_for_byte_from_a_body_file_and_shows_its_message() {
    let dir = TempDir::new("sign");
    for case in cases() {
        let name = text(&case, "name");
        let body = dir.write(&format!("{name}.body"), text(&case, "body"));
        let output = sign_command(&case, "keys/brand_private_key_pkcs1.pem")
            .arg("--body-file")
            .arg(&body)
            .arg("--show-message")
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert_eq!(
            stdout,
            format!("{}\n", text(&case, "authorization")),
            "{name}"
        );
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(
            stderr,
            format!("{}\n", escaped(text(&case, "message"))),
            "{name}"
        );
    }
}

#[test]
fn a_body_file_is_signed_byte_for_byte_even_when_it_is_not_text() {
    // Bytes that text in --body could not carry (or that editors and shells change): a trailing
    // newline, CRLF line ends, bytes that are not UTF-8. The expected signature is computed here
    // with wxbrand-sign on exactly those bytes.
    let case = &cases()[0];
    let key_pem = std::fs::read(vector("keys/brand_private_key.pem")).unwrap();
    let signer = wxbrand_sign::Signer::new(
        text(case, "brand_id"),
        text(case, "serial_no"),
        wxbrand_sign::PrivateKey::from_pem(&key_pem).unwrap(),
    );
    let (timestamp, nonce) = (1_735_660_801, "abcdefghijklmnopqrstuvwxyz012345");
    let url = "/brand/marketing/product-coupon/product-coupons/200000001/stocks";
    let bodies: [(&str, &[u8], &str); 3] = [
        ("trailing-newline", b"{\"a\":1}\n", "{\"a\":1}\\n"),
        (
            "crlf",
            b"{\r\n\"a\": 1\r\n}\r\n",
            "{\\r\\n\"a\": 1\\r\\n}\\r\\n",
        ),
        (
            "not-utf8",
            b"{\"a\":\"\xff\xfe\xc3\"}",
            "{\"a\":\"\\xFF\\xFE\\xC3\"}",
        ),
    ];
    let dir = TempDir::new("sign-bytes");
    for (name, body, shown_body) in bodies {
        let path = dir.write(name, body);
        let expected = signer
            .authorization("POST", url, body, timestamp, nonce)
            .unwrap();
        let output = wxbrand()
            .args(["sign", "--brand-id", text(case, "brand_id")])
            .args(["--serial-no", text(case, "serial_no")])
            .args(["--private-key", &vector("keys/brand_private_key.pem")])
            .args(["--method", "POST", "--url", url])
            .args(["--timestamp", &timestamp.to_string(), "--nonce", nonce])
            .arg("--body-file")
            .arg(&path)
            .arg("--show-message")
            .output()
            .unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(0), "{name}: {stderr}");
        assert_eq!(
            String::from_utf8(output.stdout).unwrap(),
            format!("{}\n", expected.header_value()),
            "{name}"
        );
        assert_eq!(
            stderr,
            format!("POST\\n{url}\\n{timestamp}\\n{nonce}\\n{shown_body}\\n\n"),
            "{name}"
        );
    }
}

#[test]
fn defaults_give_a_fresh_nonce_and_the_current_time() {
    let case = &cases()[1];
    let run = || {
        let output = wxbrand()
            .args([
                "sign",
                "--brand-id",
                "120344",
                "--serial-no",
                text(case, "serial_no"),
            ])
            .args(["--private-key", &vector("keys/brand_private_key.pem")])
            .args(["--method", "get", "--url", text(case, "url")])
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    };
    let (first, second) = (run(), run());
    assert!(first.starts_with("WECHATPAY-BRAND-SHA256-RSA2048 brand_id=\"120344\",nonce_str=\""));
    assert_eq!(first.lines().count(), 1);
    assert_ne!(first, second, "two runs share a nonce");
}

#[test]
fn a_missing_setting_names_its_flag_and_variable() {
    let output = wxbrand()
        .args([
            "sign",
            "--serial-no",
            "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C",
        ])
        .args(["--private-key", &vector("keys/brand_private_key.pem")])
        .args(["--method", "GET", "--url", "/x"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("--brand-id") && stderr.contains("WXBRAND_BRAND_ID"),
        "{stderr}"
    );
}

#[test]
fn settings_come_from_the_environment() {
    let case = &cases()[0];
    let output = wxbrand()
        .env("WXBRAND_BRAND_ID", text(case, "brand_id"))
        .env("WXBRAND_SERIAL_NO", text(case, "serial_no"))
        .env(
            "WXBRAND_PRIVATE_KEY_PATH",
            vector("keys/brand_private_key.pem"),
        )
        .args([
            "sign",
            "--method",
            text(case, "method"),
            "--url",
            text(case, "url"),
        ])
        .args([
            "--timestamp",
            &case["timestamp"].to_string(),
            "--nonce",
            text(case, "nonce"),
        ])
        .args(["--body", text(case, "body")])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8(output.stdout).unwrap().trim_end(),
        text(case, "authorization")
    );
}

#[test]
fn a_public_key_given_as_private_key_is_explained_with_its_path() {
    let key = vector("keys/brand_public_key.pem");
    let output = wxbrand()
        .args([
            "sign",
            "--brand-id",
            "120344",
            "--serial-no",
            "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C",
        ])
        .args(["--private-key", &key, "--method", "GET", "--url", "/x"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains(&key), "{stderr}");
    assert!(stderr.contains("PRIVATE KEY"), "{stderr}");
}

#[test]
fn a_missing_key_file_is_a_usage_error() {
    let output = wxbrand()
        .args([
            "sign",
            "--brand-id",
            "120344",
            "--serial-no",
            "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C",
        ])
        .args([
            "--private-key",
            "/nonexistent/apiclient_key.pem",
            "--method",
            "GET",
            "--url",
            "/x",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8(output.stderr)
        .unwrap()
        .contains("/nonexistent/apiclient_key.pem"));
}

#[test]
fn body_and_body_file_exclude_each_other() {
    let output = wxbrand()
        .args([
            "sign",
            "--brand-id",
            "1",
            "--serial-no",
            "2",
            "--private-key",
            "k",
            "--method",
            "GET",
        ])
        .args(["--url", "/x", "--body", "a", "--body-file", "b"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}
