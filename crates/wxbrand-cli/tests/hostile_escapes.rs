//! Everything from the network is escaped for the terminal (issue 10, item 5): error bodies, stock fields.
//! Against the hostile server (`hostile_server`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod hostile_server;
#[path = "../../../testdata/vector_keys.rs"]
mod vector_keys;

use hostile_server::*;

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
