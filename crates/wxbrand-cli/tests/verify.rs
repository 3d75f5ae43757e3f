//! `wxbrand verify` gives the expected outcome for every verification vector.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{config, text, vector, vector_json, wxbrand, TempDir};

const HEADER_FLAGS: [(&str, &str); 5] = [
    ("Wechatpay-Timestamp", "--timestamp"),
    ("Wechatpay-Nonce", "--nonce"),
    ("Wechatpay-Signature", "--signature"),
    ("Wechatpay-Serial", "--serial"),
    ("Request-ID", "--request-id"),
];

fn verify_command(case: &serde_json::Value) -> assert_cmd::Command {
    verify_command_with_key(case, &vector(text(&config(), "wechatpay_public_key")))
}

fn verify_command_with_key(case: &serde_json::Value, key: &str) -> assert_cmd::Command {
    let config = config();
    let mut command = wxbrand();
    command
        .arg("verify")
        .args(["--public-key", key])
        .args(["--public-key-id", text(&config, "wechatpay_public_key_id")])
        .args(["--now", &case["now"].as_i64().unwrap().to_string()]);
    for (header, flag) in HEADER_FLAGS {
        if let Some(value) = case["headers"][header].as_str() {
            command.arg(format!("{flag}={value}"));
        }
    }
    command
}

#[test]
fn every_vector_gives_its_expected_outcome() {
    let dir = TempDir::new("verify");
    for case in vector_json("verify.json").as_array().unwrap() {
        let name = text(case, "name");
        let expect = text(case, "expect");
        let body_file = dir.write(name, text(case, "body"));
        for from_file in [false, true] {
            let mut command = verify_command(case);
            if from_file {
                command.arg("--body-file").arg(&body_file);
            } else {
                command.args(["--body", text(case, "body")]);
            }
            let output = command.output().unwrap();
            let stdout = String::from_utf8(output.stdout).unwrap();
            if expect == "ok" {
                assert_eq!(output.status.code(), Some(0), "{name}: {stdout}");
                assert_eq!(stdout, "ok\n", "{name}");
            } else {
                assert_eq!(output.status.code(), Some(4), "{name}: {stdout}");
                assert!(
                    stdout.starts_with(&format!("{expect}: ")),
                    "{name}: expected {expect}, got {stdout}"
                );
            }
        }
    }
}

#[test]
fn a_private_key_given_as_public_key_is_a_usage_error_naming_the_path() {
    let case = &vector_json("verify.json")[0];
    let key = vector("keys/wechatpay_private_key.pem");
    let output = verify_command_with_key(case, &key)
        .args(["--body", "x"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains(&key) && stderr.contains("PUBLIC KEY"),
        "{stderr}"
    );
}

#[test]
fn a_missing_key_id_names_its_flag_and_variable() {
    let output = wxbrand()
        .args([
            "verify",
            "--public-key",
            &vector("keys/wechatpay_public_key.pem"),
            "--timestamp",
            "1",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("--public-key-id") && stderr.contains("WXBRAND_PUBLIC_KEY_ID"),
        "{stderr}"
    );
}

#[test]
fn show_message_prints_what_the_signature_covers() {
    let case = &vector_json("verify.json")[0];
    let output = verify_command(case)
        .args(["--body", text(case, "body"), "--show-message"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let expected = format!(
        "{}\\n{}\\n{}\\n\n",
        text(&case["headers"], "Wechatpay-Timestamp"),
        text(&case["headers"], "Wechatpay-Nonce"),
        text(case, "body").replace('\\', "\\\\")
    );
    assert_eq!(String::from_utf8(output.stderr).unwrap(), expected);
}

#[test]
fn a_missing_header_flag_is_missing_header_naming_the_flag() {
    let case = vector_json("verify.json")
        .as_array()
        .unwrap()
        .iter()
        .find(|case| text(case, "expect") == "ok")
        .unwrap()
        .clone();
    for (header, flag) in &HEADER_FLAGS[..4] {
        let mut without = case.clone();
        without["headers"]
            .as_object_mut()
            .unwrap()
            .remove(*header)
            .unwrap();
        let output = verify_command(&without)
            .args(["--body", text(&case, "body")])
            .output()
            .unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert_eq!(output.status.code(), Some(4), "{flag}: {stdout}");
        assert_eq!(
            stdout,
            format!("missing_header: the answer has no {header} header (pass it with {flag})\n")
        );
    }
}
