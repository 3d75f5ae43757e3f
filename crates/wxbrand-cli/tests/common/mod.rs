//! Shared helpers of the CLI tests: vector paths, a clean command, a temp dir.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

/// The vectors directory.
pub const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/vectors");

/// A path inside the vectors directory.
pub fn vector(relative: &str) -> String {
    format!("{VECTORS}/{relative}")
}

/// A vector file parsed as JSON.
pub fn vector_json(relative: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(vector(relative)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// `config.json` of the vectors.
pub fn config() -> serde_json::Value {
    vector_json("config.json")
}

/// A string field of a JSON object.
pub fn text<'a>(value: &'a serde_json::Value, field: &str) -> &'a str {
    value[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} is not a string in {value}"))
}

/// The `WXBRAND_*` variables a test must not inherit.
pub const SETTINGS_VARIABLES: [&str; 6] = [
    "WXBRAND_BRAND_ID",
    "WXBRAND_SERIAL_NO",
    "WXBRAND_PRIVATE_KEY_PATH",
    "WXBRAND_PUBLIC_KEY_ID",
    "WXBRAND_PUBLIC_KEY_PATH",
    "WXBRAND_BASE_URL",
];

/// The `WXBRAND_*` variables of the vector brand and WeChat Pay key, for a server at `base_url`.
pub fn vector_settings(base_url: &str) -> Vec<(&'static str, String)> {
    let config = config();
    vec![
        ("WXBRAND_BRAND_ID", text(&config, "brand_id").to_owned()),
        ("WXBRAND_SERIAL_NO", text(&config, "serial_no").to_owned()),
        (
            "WXBRAND_PRIVATE_KEY_PATH",
            vector(text(&config, "brand_private_key")),
        ),
        (
            "WXBRAND_PUBLIC_KEY_ID",
            text(&config, "wechatpay_public_key_id").to_owned(),
        ),
        (
            "WXBRAND_PUBLIC_KEY_PATH",
            vector(text(&config, "wechatpay_public_key")),
        ),
        ("WXBRAND_BASE_URL", base_url.to_owned()),
    ]
}

/// The built `wxbrand` binary, with no `WXBRAND_*` setting inherited from the environment.
pub fn wxbrand() -> assert_cmd::Command {
    let mut command = assert_cmd::Command::cargo_bin("wxbrand").unwrap();
    for variable in SETTINGS_VARIABLES {
        command.env_remove(variable);
    }
    command
}

/// The vector settings of `wxbrand simulate` (brand id, serial, brand public key, WeChat Pay
/// private key and key id), as flags.
pub fn simulate_settings() -> Vec<String> {
    let config = config();
    [
        ("--brand-id", text(&config, "brand_id").to_owned()),
        ("--serial-no", text(&config, "serial_no").to_owned()),
        (
            "--brand-public-key",
            vector(text(&config, "brand_public_key")),
        ),
        (
            "--wechatpay-private-key",
            vector(text(&config, "wechatpay_private_key")),
        ),
        (
            "--wechatpay-public-key-id",
            text(&config, "wechatpay_public_key_id").to_owned(),
        ),
    ]
    .into_iter()
    .flat_map(|(flag, value)| [flag.to_owned(), value])
    .collect()
}

/// A fresh directory under the system temp dir, removed on drop.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// Creates a directory named after `label`, the process id and a counter.
    pub fn new(label: &str) -> Self {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("wxbrand-cli-{label}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    /// A path inside the directory.
    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// Makes a FIFO (named pipe) inside the directory and returns its path.
    #[cfg(unix)]
    pub fn fifo(&self, name: &str) -> PathBuf {
        let path = self.join(name);
        let made = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .unwrap();
        assert!(made.success(), "mkfifo {}", path.display());
        path
    }

    /// Writes a file inside the directory and returns its path.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Seconds since the Unix epoch, for what the CLI and a simulator check against the real clock
/// (signed answers, stocks usable now).
#[allow(clippy::disallowed_methods)] // the processes under test read the real time, as WeChat Pay does
pub fn unix_now() -> i64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    i64::try_from(since.as_secs()).unwrap()
}
