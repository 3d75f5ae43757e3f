//! A user-defined transport: wraps `HyperTransport`, adds a header to every request and logs how
//! long each exchange took. It is used as an `Arc<dyn Transport>`, the form the client takes.
//!
//! Self-contained: it starts a tiny HTTP/1.1 server on 127.0.0.1 (plain std threads) that
//! echoes the added header back, and sends it two requests — the second reuses the pooled
//! connection, so it is usually faster.
//!
//! ```text
//! cargo run --example custom_transport
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use http::header::{HeaderName, HeaderValue};
use wxbrand::transport::{Bytes, HyperTransport, Transport, TransportError};

/// The header this transport adds to every request.
const TAG_HEADER: &str = "x-example-tag";

/// Wraps any transport (here `HyperTransport`), tags each request and logs its timing.
#[derive(Debug)]
struct TaggingTransport<T> {
    inner: T,
    tag: HeaderValue,
}

#[async_trait::async_trait]
impl<T: Transport> Transport for TaggingTransport<T> {
    async fn send(
        &self,
        mut request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        request
            .headers_mut()
            .insert(HeaderName::from_static(TAG_HEADER), self.tag.clone());
        let line = format!("{} {}", request.method(), request.uri());

        // The example reads the wall clock itself to log timings; library code never does
        // (it takes time from the client's injectable clock).
        #[allow(clippy::disallowed_methods)]
        let started = std::time::Instant::now();
        let result = self.inner.send(request).await;
        let took = started.elapsed();

        match &result {
            Ok(response) => println!(
                "{line} -> {} ({} bytes) in {took:?}",
                response.status(),
                response.body().len()
            ),
            // `kind()` says what is safe next: NotSent may always be retried.
            Err(error) => println!("{line} -> {} error: {error} in {took:?}", error.kind()),
        }
        result
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = start_local_server()?;

    let hyper = HyperTransport::builder()
        .connect_timeout(Duration::from_secs(2))
        .request_timeout(Duration::from_secs(10))
        .build()?;
    let transport: Arc<dyn Transport> = Arc::new(TaggingTransport {
        inner: hyper,
        tag: HeaderValue::from_static("custom-transport-example"),
    });

    // CLIENT: plug it into the client here, e.g.
    //     let client = wxbrand::Client::builder().transport(transport.clone())…build()?;
    // and every API call then goes through `TaggingTransport`.

    for path in ["/first", "/second"] {
        let request = http::Request::get(format!("http://{addr}{path}")).body(Bytes::new())?;
        let response = transport.send(request).await?;
        println!("  server saw: {}", String::from_utf8_lossy(response.body()));
    }
    Ok(())
}

/// Serves HTTP/1.1 with keep-alive on 127.0.0.1: each answer's body reports the tag header the
/// request carried.
fn start_local_server() -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let _ = serve_connection(stream);
            });
        }
    });
    Ok(addr)
}

fn serve_connection(stream: TcpStream) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    loop {
        // Request line, then headers up to the blank line; these requests carry no body.
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let mut tag = String::from("(none)");
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header)? == 0 {
                return Ok(());
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case(TAG_HEADER) {
                    tag = value.trim().to_owned();
                }
            }
        }
        let body = format!("{} with {}: {tag}", line.trim_end(), TAG_HEADER);
        // One write per answer: several small writes would meet Nagle's algorithm.
        let answer = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        writer.write_all(answer.as_bytes())?;
        writer.flush()?;
    }
}
