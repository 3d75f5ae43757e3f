//! Files named by a path are read bounded and only when regular: key files, body files, CA certificates, stocks files (issue 10, item 5).
//! Against the hostile server (`hostile_server`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod hostile_server;
#[path = "../../../testdata/vector_keys.rs"]
mod vector_keys;

use hostile_server::*;

#[cfg(unix)]
#[test]
fn key_paths_that_are_not_small_regular_files_are_refused_at_once() {
    let dir = TempDir::new("key-paths");
    let fifo = dir.fifo("fifo.pem");
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
    let fifo = dir.fifo("fifo.json");
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
