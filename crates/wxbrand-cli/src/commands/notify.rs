//! `wxbrand notify listen|decrypt`: receive event notifications, or decrypt a saved one.
//!
//! Both go through `wxbrand-notify`'s receiver (signature headers, window, envelope, decryption):
//! `listen` serves it over HTTP and prints each verified event as one JSON line on stdout
//! (rejections on stderr); `decrypt` checks one request saved as `curl -D` headers plus a body file
//! and prints the decrypted resource JSON. Everything printed from the network is escaped for the
//! terminal ([`output`]).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use http::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;
use wxbrand_notify::axum::{Notification, NotificationRejection};
use wxbrand_notify::{ApiKey, Receiver, Verifier};

use crate::cli::WechatPayKeyArgs;
use crate::config::{self, Setting, PUBLIC_KEY, PUBLIC_KEY_ID};
use crate::exit::{Failure, FailureKind};
use crate::{clock, output};

const NOTIFY_EXAMPLES: &str = "\
Examples:
  wxbrand notify listen --listen 127.0.0.1:8080 --api-key-file apiv3.key \\
      --public-key pub_key.pem --public-key-id PUB_KEY_ID_0112345678202501010000000000000001
  curl -s -D headers.txt -o body.json …   # or save a request your endpoint received
  wxbrand notify decrypt --headers-file headers.txt --body-file body.json --api-key-file apiv3.key \\
      --public-key pub_key.pem --public-key-id PUB_KEY_ID_0112345678202501010000000000000001

Exit codes: 0 verified and decrypted, 4 verification or decryption failed (the reason on stderr),
2 usage error.";

/// `wxbrand notify …`.
#[derive(Debug, Args)]
#[command(after_help = NOTIFY_EXAMPLES)]
pub struct NotifyArgs {
    /// The notify operation.
    #[command(subcommand)]
    pub command: NotifyCommand,
}

/// The notify operations.
#[derive(Debug, Subcommand)]
pub enum NotifyCommand {
    /// Serve a notify URL: print each verified event as one JSON line, rejections on stderr.
    #[command(after_help = NOTIFY_EXAMPLES)]
    Listen(ListenArgs),
    /// Verify and decrypt one saved notification request; print the decrypted resource JSON.
    #[command(after_help = NOTIFY_EXAMPLES)]
    Decrypt(DecryptArgs),
}

/// The keys every notify operation needs.
#[derive(Debug, Args)]
pub struct NotifyKeyArgs {
    /// A file holding the brand API key (品牌API密钥): its 32 characters (a final newline is ignored).
    #[arg(long, value_name = "PATH")]
    pub api_key_file: PathBuf,
    /// The WeChat Pay public key and its id, which verify the notification.
    #[command(flatten)]
    pub wechatpay: WechatPayKeyArgs,
}

/// `wxbrand notify listen`.
#[derive(Debug, Args)]
pub struct ListenArgs {
    /// Address to listen on (plain HTTP; put a TLS proxy in front for WeChat Pay); port 0 picks
    /// a free port. Every path is served; the address is printed on stderr.
    #[arg(long, value_name = "ADDR")]
    pub listen: SocketAddr,
    /// Keys.
    #[command(flatten)]
    pub keys: NotifyKeyArgs,
}

/// `wxbrand notify decrypt`.
#[derive(Debug, Args)]
pub struct DecryptArgs {
    /// The request's headers, `Name: value` lines as `curl -D` writes them (status lines ignored).
    #[arg(long, value_name = "PATH")]
    pub headers_file: PathBuf,
    /// The request's body, byte for byte.
    #[arg(long, value_name = "PATH")]
    pub body_file: PathBuf,
    /// The time to check `Wechatpay-Timestamp` against, Unix seconds (default: now).
    #[arg(long, value_name = "SECONDS", allow_hyphen_values = true)]
    pub now: Option<i64>,
    /// Keys.
    #[command(flatten)]
    pub keys: NotifyKeyArgs,
}

const API_KEY_FILE: Setting = Setting::flag_only("brand API key file", "--api-key-file");
/// The largest `--api-key-file` read (the key is 32 characters).
const MAX_API_KEY_FILE_SIZE: u64 = 1024;
/// The largest `--headers-file` read.
const MAX_HEADERS_FILE_SIZE: u64 = 64 * 1024;

/// Runs `wxbrand notify …`.
pub fn run(args: &NotifyArgs) -> Result<(), Failure> {
    match &args.command {
        NotifyCommand::Listen(args) => listen(args),
        NotifyCommand::Decrypt(args) => decrypt(args),
    }
}

fn receiver(keys: &NotifyKeyArgs) -> Result<Receiver, Failure> {
    let key_path = config::required(keys.wechatpay.public_key.as_ref(), PUBLIC_KEY)?;
    let key_id = config::required_text(keys.wechatpay.public_key_id.as_ref(), PUBLIC_KEY_ID)?;
    let public_key = config::load_public_key(&key_path, PUBLIC_KEY)?;
    Ok(Receiver::new(
        Verifier::new(key_id, public_key),
        api_key(&keys.api_key_file)?,
    ))
}

/// Reads the API key file; never prints any of it.
fn api_key(path: &Path) -> Result<ApiKey, Failure> {
    let bytes = config::read_file(path, API_KEY_FILE.what, MAX_API_KEY_FILE_SIZE)?;
    let key = bytes.trim_ascii_end();
    ApiKey::new(key).map_err(|e| {
        Failure::usage(format!(
            "the {} {} (from {}) cannot be used: {e}",
            API_KEY_FILE.what,
            path.display(),
            API_KEY_FILE.how_to_give()
        ))
    })
}

/// `Name: value` lines as `curl -D` writes them: status lines (`HTTP/…`) and blank lines are
/// skipped; a later block (after a `100 Continue`) adds to the earlier one.
fn parse_headers(text: &[u8]) -> Result<HeaderMap, Failure> {
    let mut headers = HeaderMap::new();
    for (number, line) in text.split(|b| *b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.trim_ascii().is_empty() || line.starts_with(b"HTTP/") {
            continue;
        }
        let bad = || {
            Failure::usage(format!(
                "--headers-file line {}: expected `Name: value`, got \"{}\"",
                number + 1,
                output::untrusted(&String::from_utf8_lossy(line), 80)
            ))
        };
        let colon = line.iter().position(|b| *b == b':').ok_or_else(bad)?;
        let (name, value) = line.split_at(colon);
        let value = value.get(1..).unwrap_or_default().trim_ascii();
        let name = HeaderName::from_bytes(name.trim_ascii()).map_err(|_| bad())?;
        let value = HeaderValue::from_bytes(value).map_err(|_| bad())?;
        headers.append(name, value);
    }
    Ok(headers)
}

fn decrypt(args: &DecryptArgs) -> Result<(), Failure> {
    let headers = config::read_file(&args.headers_file, "headers file", MAX_HEADERS_FILE_SIZE)?;
    let headers = parse_headers(&headers)?;
    let body = config::read_file(&args.body_file, "body file", config::MAX_BODY_FILE_SIZE)?;
    let receiver = receiver(&args.keys)?;
    let now = args.now.unwrap_or_else(clock::now_unix_seconds);
    match receiver.decrypt(&headers, &body, now) {
        Ok((_, plaintext)) => match serde_json::from_str::<Value>(&plaintext) {
            Ok(value) => output::json_line(&value),
            // Not JSON: shown escaped, still a success (it verified and decrypted).
            Err(_) => output::line(&output::untrusted(&plaintext, usize::MAX)),
        },
        Err(rejection) => Err(Failure::new(
            FailureKind::Verification,
            output::chain(&rejection),
        )),
    }
}

fn listen(args: &ListenArgs) -> Result<(), Failure> {
    use axum::routing::any;
    let receiver = receiver(&args.keys)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::usage(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|e| Failure::usage(format!("cannot listen on {}: {e}", args.listen)))?;
        let address = listener
            .local_addr()
            .map_err(|e| Failure::usage(format!("cannot listen on {}: {e}", args.listen)))?;
        output::note(&format!("listening on http://{address}/"));
        let app = axum::Router::new()
            .fallback(any(on_notification))
            .with_state(receiver);
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| Failure::new(FailureKind::Other, format!("the server stopped: {e}")))
    })
}

async fn on_notification(
    notification: Result<Notification, NotificationRejection>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match notification {
        Ok(notification) => {
            let event = notification.event();
            let resource = serde_json::from_str::<Value>(
                &event.resource_json().unwrap_or_else(|_| "null".to_owned()),
            )
            .unwrap_or(Value::Null);
            let received = notification.received();
            let line = serde_json::json!({
                "id": received.id(),
                "event_type": received.event_type().as_str(),
                "create_time": received.envelope().create_time,
                "resource": resource,
            });
            if output::json_line(&line).is_err() {
                return notification.handler_failed("stdout is closed");
            }
            notification.acknowledge()
        }
        Err(rejection) => {
            output::note(&format!("rejected: {}", output::chain(&rejection)));
            rejection.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curl_headers_are_read_with_status_lines_and_crlf() {
        let text = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nWechatpay-Nonce: abc \r\nRequest-ID:x\r\n\r\n";
        let headers = parse_headers(text).unwrap();
        assert_eq!(headers["wechatpay-nonce"], "abc");
        assert_eq!(headers["request-id"], "x");
        let error = parse_headers(b"no colon here\x1b[31m").unwrap_err();
        assert!(error.message().contains("line 1"), "{}", error.message());
        assert!(!error.message().contains('\x1b'));
    }
}
