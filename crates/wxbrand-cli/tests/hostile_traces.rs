//! RUST_LOG and -v print the SDK's traces on stderr, without secrets (issue 10, item 5).
//! Against the hostile server (`hostile_server`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod hostile_server;
#[path = "../../../testdata/vector_keys.rs"]
mod vector_keys;

use hostile_server::*;

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
