//! A base URL that does not parse exactly is a configuration error (issue 10, item 5).
//! Against the hostile server (`hostile_server`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod hostile_server;
#[path = "../../../testdata/vector_keys.rs"]
mod vector_keys;

use hostile_server::*;

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
