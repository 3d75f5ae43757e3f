//! `ReqwestTransport` against local servers: how each failure is classified, the size limit and
//! redirects.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::error::Error as _;
use std::sync::atomic::AtomicUsize;
use std::sync::Arc;
use std::time::Duration;

use support::*;
use tokio::io::AsyncWriteExt;
use wxbrand_transport::reqwest;
use wxbrand_transport::{Bytes, ReqwestTransport, Transport, TransportErrorKind};

fn get(url: &str) -> http::Request<Bytes> {
    http::Request::get(url).body(Bytes::new()).unwrap()
}

fn no_redirects() -> reqwest::ClientBuilder {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none())
}

fn plain() -> ReqwestTransport {
    ReqwestTransport::new(no_redirects().build().unwrap())
}

#[tokio::test]
async fn round_trip_over_tls_with_a_test_ca() {
    let pki = test_pki();
    let server = https_server(pki.server_config.clone());
    let client = no_redirects()
        .tls_certs_only([reqwest::Certificate::from_pem(pki.ca_pem.as_bytes()).unwrap()])
        .build()
        .unwrap();
    let transport = ReqwestTransport::new(client).https_only(true);
    let request = http::Request::post(server.https_url("localhost", "/v3/echo"))
        .header("content-type", "application/json")
        .body(Bytes::from_static(b"{}"))
        .unwrap();
    let response = transport.send(request).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.body().as_ref(), b"hello POST /v3/echo");
    let error = transport
        .send(get(&http_server().url("/")))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), TransportErrorKind::InvalidUrl, "{error:?}");
}

#[tokio::test]
async fn untrusted_certificate_is_rejected_and_not_sent() {
    let (pki, other) = (test_pki(), test_pki());
    let server = https_server(pki.server_config.clone());
    let client = no_redirects()
        .tls_certs_only([reqwest::Certificate::from_pem(other.ca_pem.as_bytes()).unwrap()])
        .build()
        .unwrap();
    let error = ReqwestTransport::new(client)
        .send(get(&server.https_url("localhost", "/")))
        .await
        .unwrap_err();
    assert_eq!(
        error.kind(),
        TransportErrorKind::CertificateRejected,
        "{error:?}"
    );
    // Both test CAs carry the same name, so the chain is built on the wrong one and its
    // signature fails: refused either way.
    assert!(
        error
            .to_string()
            .starts_with("the TLS certificate of localhost was refused ("),
        "{error}"
    );
}

#[tokio::test]
async fn connection_refused_is_not_sent() {
    let error = plain()
        .send(get(&format!("http://{}/", refused_addr())))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), TransportErrorKind::NotSent, "{error:?}");
    let source = error.source().expect("source chained").to_string();
    assert!(!error.to_string().contains(&source), "{error}");
}

#[tokio::test]
async fn reset_or_truncated_answers_may_have_been_delivered() {
    for server in [resetting_server(), truncating_server()] {
        let error = plain().send(get(&server.url("/"))).await.unwrap_err();
        assert_eq!(
            error.kind(),
            TransportErrorKind::MaybeDelivered,
            "{error:?}"
        );
    }
}

#[tokio::test]
async fn a_timeout_after_the_request_was_written_may_have_been_delivered() {
    let server = stalling_server();
    let client = no_redirects()
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let error = ReqwestTransport::new(client)
        .send(get(&server.url("/")))
        .await
        .unwrap_err();
    assert_eq!(
        error.kind(),
        TransportErrorKind::MaybeDelivered,
        "{error:?}"
    );
}

#[tokio::test]
async fn answers_over_the_limit_are_refused_while_streaming_or_up_front() {
    let written = Arc::new(AtomicUsize::new(0));
    let flood = chunked_flood_server(64 * 1024 * 1024, written.clone());
    let transport = plain().with_max_response_size(1024);
    assert_eq!(transport.max_response_size(), 1024);
    let error = transport.send(get(&flood.url("/"))).await.unwrap_err();
    assert_eq!(
        error.kind(),
        TransportErrorKind::ResponseTooLarge,
        "{error:?}"
    );
    // Announced: refused on the header, without waiting for a body that never comes.
    let announcing = announcing_server(10 * 1024 * 1024);
    let error = tokio::time::timeout(
        Duration::from_secs(5),
        transport.send(get(&announcing.url("/"))),
    )
    .await
    .expect("refused before the body")
    .unwrap_err();
    assert_eq!(
        error.kind(),
        TransportErrorKind::ResponseTooLarge,
        "{error:?}"
    );
    // At the limit exactly: accepted.
    let exact = "hello GET /exact";
    let response = plain()
        .with_max_response_size(exact.len())
        .send(get(&http_server().url("/exact")))
        .await
        .unwrap();
    assert_eq!(response.body().as_ref(), exact.as_bytes());
}

/// Answers `/from` with a 302 to `/to`, and `/to` with 200.
fn redirecting_server() -> Server {
    raw_server(|mut stream| async move {
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            use tokio::io::AsyncReadExt;
            if stream.read(&mut byte).await.unwrap_or(0) == 0 {
                return;
            }
            head.push(byte[0]);
        }
        let answer: &[u8] = if head.starts_with(b"GET /from ") {
            b"HTTP/1.1 302 Found\r\nlocation: /to\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
        } else {
            b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok"
        };
        let _ = stream.write_all(answer).await;
        let _ = stream.shutdown().await;
    })
}

#[tokio::test]
async fn redirects_reach_the_caller_or_are_refused_when_the_client_followed_one() {
    let server = redirecting_server();
    let response = plain().send(get(&server.url("/from"))).await.unwrap();
    assert_eq!(response.status(), 302);
    assert_eq!(response.headers()["location"], "/to");

    let following = ReqwestTransport::new(reqwest::Client::new());
    let error = following.send(get(&server.url("/from"))).await.unwrap_err();
    assert_eq!(
        error.kind(),
        TransportErrorKind::MaybeDelivered,
        "{error:?}"
    );
    assert!(error.to_string().contains("Policy::none()"), "{error}");
}

#[test]
fn send_outside_a_runtime_is_an_error_not_a_panic() {
    let transport = plain();
    let error = futures_lite_block_on(transport.send(get("http://127.0.0.1:9/"))).unwrap_err();
    assert_eq!(error.kind(), TransportErrorKind::Other, "{error:?}");
}

/// Polls a future on this thread with no runtime (the transport must refuse at once).
fn futures_lite_block_on<F: std::future::Future>(future: F) -> F::Output {
    use std::task::{Context, Poll, Wake, Waker};
    struct Noop;
    impl Wake for Noop {
        fn wake(self: Arc<Self>) {}
    }
    let waker = Waker::from(Arc::new(Noop));
    let mut future = std::pin::pin!(future);
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}
