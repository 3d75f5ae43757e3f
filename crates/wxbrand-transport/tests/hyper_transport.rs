//! HyperTransport and BlockingHyperTransport against real sockets on 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::error::Error as _;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use support::*;
use wxbrand_transport::{
    BlockingHyperTransport, BlockingTransport, BuiltInRoots, Bytes, HyperTransport, Transport,
    TransportErrorKind,
};

fn get(url: &str) -> http::Request<Bytes> {
    http::Request::get(url).body(Bytes::new()).unwrap()
}

fn plain() -> HyperTransport {
    HyperTransport::builder()
        .request_timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

#[tokio::test]
async fn round_trip_over_plain_http() {
    let server = http_server();
    let transport = plain();
    let request = http::Request::post(server.url("/v3/echo"))
        .header("content-type", "application/json")
        .body(Bytes::from_static(b"{}"))
        .unwrap();
    let response = transport.send(request).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.version(), http::Version::HTTP_11);
    assert_eq!(response.body().as_ref(), b"hello POST /v3/echo");
}

#[tokio::test]
async fn round_trip_over_tls_with_a_test_ca_negotiates_http2() {
    let pki = test_pki();
    let server = https_server(pki.server_config.clone());
    let transport = HyperTransport::builder()
        .built_in_roots(BuiltInRoots::None)
        .add_root_certificate_pem(pki.ca_pem.as_bytes())
        .unwrap()
        .https_only(true)
        .build()
        .unwrap();
    for host in ["localhost", "127.0.0.1"] {
        let response = transport
            .send(get(&server.https_url(host, "/tls")))
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.version(), http::Version::HTTP_2, "ALPN offers h2");
        assert_eq!(response.body().as_ref(), b"hello GET /tls");
    }
}

#[tokio::test]
async fn tls_with_http2_off_and_a_der_root_uses_http1() {
    let pki = test_pki();
    let server = https_server(pki.server_config.clone());
    let transport = HyperTransport::builder()
        .add_root_certificate_der(&pki.ca_der)
        .unwrap()
        .http2(false)
        .build()
        .unwrap();
    let response = transport
        .send(get(&server.https_url("localhost", "/h1")))
        .await
        .unwrap();
    assert_eq!(response.version(), http::Version::HTTP_11);
    assert_eq!(response.body().as_ref(), b"hello GET /h1");
}

#[tokio::test]
async fn untrusted_certificate_is_not_sent() {
    let pki = test_pki();
    let server = https_server(pki.server_config.clone());
    // Webpki roots only: the test CA is unknown, the handshake fails.
    let transport = plain();
    let error = transport
        .send(get(&server.https_url("localhost", "/")))
        .await
        .unwrap_err();
    // Refused certificate: never sent, and a distinct kind, since retrying cannot help.
    assert_eq!(
        error.kind(),
        TransportErrorKind::CertificateRejected,
        "{error:?}"
    );
    assert!(error.is_certificate_rejected());
    assert!(!error.is_not_sent());
    assert_eq!(
        error.to_string(),
        "the TLS certificate of localhost was refused (issued by a certificate authority this \
         client does not trust)"
    );
    assert!(error.source().is_some());
}

#[tokio::test]
async fn connection_refused_is_not_sent() {
    let addr = refused_addr();
    let transport = plain();
    let error = transport
        .send(get(&format!("http://{addr}/")))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), TransportErrorKind::NotSent, "{error:?}");
    assert!(error.is_not_sent());
    assert!(!error.may_have_been_delivered());
    // Display is our sentence alone; the cause is in the source chain.
    let source = error.source().expect("source chained").to_string();
    assert!(!error.to_string().contains(&source), "{error}");
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn connect_timeout_is_not_sent() {
    let (addr, _fillers, _listener) = unanswering_addr();
    let transport = HyperTransport::builder()
        .connect_timeout(Duration::from_millis(200))
        .request_timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let watch = Stopwatch::start();
    let error = transport
        .send(get(&format!("http://{addr}/")))
        .await
        .unwrap_err();
    let elapsed = watch.elapsed();
    println!("{error:?} after {elapsed:?}");
    assert_eq!(error.kind(), TransportErrorKind::NotSent, "{error:?}");
    // The connect timeout fired, not the request timeout (10 s).
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
}

#[test]
fn platform_roots_load_or_fail_cleanly() {
    // Machines without a trust store get an error, never a panic.
    match HyperTransport::builder()
        .built_in_roots(BuiltInRoots::Platform)
        .build()
    {
        Ok(transport) => println!("{transport:?}"),
        Err(error) => assert_eq!(error.kind(), TransportErrorKind::Other),
    }
}

#[tokio::test]
async fn request_timeout_display_leaves_the_source_out() {
    let server = stalling_server();
    let transport = HyperTransport::builder()
        .request_timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let error = transport.send(get(&server.url("/"))).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "no complete answer within the request timeout (1s)"
    );
    assert!(error.source().is_some());
}

#[tokio::test]
async fn tls_keep_alive_reuses_one_connection() {
    let pki = test_pki();
    let server = https_server(pki.server_config.clone());
    let transport = HyperTransport::builder()
        .add_root_certificate_pem(pki.ca_pem.as_bytes())
        .unwrap()
        .build()
        .unwrap();
    for _ in 0..20 {
        transport
            .send(get(&server.https_url("localhost", "/again")))
            .await
            .unwrap();
    }
    assert_eq!(server.accepted(), 1);
}

#[tokio::test]
async fn reset_after_reading_the_request_may_have_been_delivered() {
    let server = resetting_server();
    let transport = plain();
    let error = transport.send(get(&server.url("/"))).await.unwrap_err();
    assert_eq!(
        error.kind(),
        TransportErrorKind::MaybeDelivered,
        "{error:?}"
    );
    assert!(error.may_have_been_delivered());
    assert!(error.source().is_some());
}

#[tokio::test]
async fn truncated_answer_may_have_been_delivered() {
    let server = truncating_server();
    let error = plain().send(get(&server.url("/"))).await.unwrap_err();
    assert_eq!(
        error.kind(),
        TransportErrorKind::MaybeDelivered,
        "{error:?}"
    );
}

#[tokio::test]
async fn stalled_server_trips_the_request_timeout() {
    // 1 s leaves a loaded machine time to connect and write the request before the timeout, so
    // the outcome is MaybeDelivered, not NotSent.
    let server = stalling_server();
    let transport = HyperTransport::builder()
        .request_timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let watch = Stopwatch::start();
    let error = transport.send(get(&server.url("/"))).await.unwrap_err();
    let elapsed = watch.elapsed();
    assert_eq!(
        error.kind(),
        TransportErrorKind::MaybeDelivered,
        "{error:?}"
    );
    assert!(elapsed >= Duration::from_secs(1), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(6), "{elapsed:?}");
}

#[tokio::test]
async fn stalled_tls_handshake_times_out_as_not_sent() {
    // The server accepts the TCP connection but never answers the ClientHello: the request was
    // never handed to a connection when the timeout fires.
    let server = silent_server();
    let transport = HyperTransport::builder()
        .request_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let error = transport
        .send(get(&server.https_url("localhost", "/")))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), TransportErrorKind::NotSent, "{error:?}");
}

#[tokio::test]
async fn chunked_answer_over_the_limit_is_rejected_without_reading_it_all() {
    let written = Arc::new(AtomicUsize::new(0));
    let total = 64 * 1024 * 1024;
    let server = chunked_flood_server(total, written.clone());
    let transport = HyperTransport::builder()
        .max_response_size(1024)
        .build()
        .unwrap();
    let watch = Stopwatch::start();
    let error = transport.send(get(&server.url("/"))).await.unwrap_err();
    let elapsed = watch.elapsed();
    assert_eq!(
        error.kind(),
        TransportErrorKind::ResponseTooLarge,
        "{error:?}"
    );
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    // The client hangs up; the server cannot get the rest through.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let sent = written.load(Ordering::SeqCst);
    println!("rejected after {elapsed:?}; the server got {sent} bytes out");
    assert!(sent < total / 4, "server pushed {sent} bytes");
}

#[tokio::test]
async fn announced_length_over_the_limit_is_rejected_up_front() {
    let server = announcing_server(10 * 1024 * 1024);
    let transport = HyperTransport::builder()
        .max_response_size(1024)
        .request_timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let watch = Stopwatch::start();
    let error = transport.send(get(&server.url("/"))).await.unwrap_err();
    assert_eq!(
        error.kind(),
        TransportErrorKind::ResponseTooLarge,
        "{error:?}"
    );
    // Refused on the header: no waiting for the body that never comes (10 s timeout).
    assert!(watch.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn answer_at_the_limit_is_accepted() {
    let server = http_server();
    let body_len = "hello GET /exact".len();
    let transport = HyperTransport::builder()
        .max_response_size(body_len)
        .build()
        .unwrap();
    let response = transport.send(get(&server.url("/exact"))).await.unwrap();
    assert_eq!(response.body().len(), body_len);
    let smaller = HyperTransport::builder()
        .max_response_size(body_len - 1)
        .build()
        .unwrap();
    let error = smaller.send(get(&server.url("/exact"))).await.unwrap_err();
    assert_eq!(error.kind(), TransportErrorKind::ResponseTooLarge);
}

#[tokio::test]
async fn keep_alive_reuses_one_connection_for_100_requests() {
    let server = http_server();
    let transport = plain();
    for i in 0..100 {
        let response = transport
            .send(get(&server.url(&format!("/{i}"))))
            .await
            .unwrap();
        assert_eq!(response.body(), &Bytes::from(format!("hello GET /{i}")));
    }
    assert_eq!(server.accepted(), 1);
}

#[tokio::test]
async fn clones_share_the_pool() {
    let server = http_server();
    let transport = plain();
    let clone = transport.clone();
    transport.send(get(&server.url("/a"))).await.unwrap();
    clone.send(get(&server.url("/b"))).await.unwrap();
    assert_eq!(server.accepted(), 1);
}

#[tokio::test]
async fn invalid_urls_are_refused_before_connecting() {
    let transport = HyperTransport::builder().https_only(true).build().unwrap();
    for url in ["/relative", "ftp://example.test/", "http://example.test/"] {
        let error = transport.send(get(url)).await.unwrap_err();
        assert_eq!(error.kind(), TransportErrorKind::InvalidUrl, "{url}");
    }
}

#[test]
fn bad_root_certificates_are_refused() {
    let error = HyperTransport::builder()
        .add_root_certificate_pem(b"not a certificate")
        .unwrap_err();
    assert_eq!(error.kind(), TransportErrorKind::Other);
    let error = HyperTransport::builder()
        .add_root_certificate_der(b"\x30\x03\x02\x01\x00")
        .unwrap_err();
    assert_eq!(error.kind(), TransportErrorKind::Other);
}

#[test]
fn send_outside_a_runtime_is_an_error_not_a_panic() {
    let transport = plain();
    let mut future = std::pin::pin!(transport.send(get("http://127.0.0.1:9/")));
    let waker = std::task::Waker::from(Arc::new(NoopWake));
    let mut cx = std::task::Context::from_waker(&waker);
    match future.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(Err(error)) => assert_eq!(error.kind(), TransportErrorKind::Other),
        other => panic!("expected an immediate error, got {other:?}"),
    }
}

struct NoopWake;
impl std::task::Wake for NoopWake {
    fn wake(self: Arc<Self>) {}
}

#[tokio::test]
async fn arc_dyn_transport_works() {
    let server = http_server();
    let transport: Arc<dyn Transport> = Arc::new(plain());
    let response = transport.send(get(&server.url("/dyn"))).await.unwrap();
    assert_eq!(response.body().as_ref(), b"hello GET /dyn");
    // The Arc itself is a Transport too.
    fn takes_transport(_: &impl Transport) {}
    takes_transport(&transport);
    println!("{transport:?}");
}

// ---- blocking ----

#[test]
fn blocking_round_trip_from_a_plain_thread() {
    let server = http_server();
    let transport = BlockingHyperTransport::new().unwrap();
    let handle = {
        let transport = transport.clone();
        let url = server.url("/thread");
        std::thread::spawn(move || transport.send(get(&url)).unwrap())
    };
    let response = handle.join().unwrap();
    assert_eq!(response.body().as_ref(), b"hello GET /thread");
    // Keep-alive through the private runtime as well.
    for _ in 0..10 {
        transport.send(get(&server.url("/again"))).unwrap();
    }
    assert_eq!(server.accepted(), 1);
}

#[test]
fn box_dyn_blocking_transport_works() {
    let server = http_server();
    let transport: Box<dyn BlockingTransport> = Box::new(
        HyperTransport::builder()
            .request_timeout(Duration::from_secs(10))
            .build_blocking()
            .unwrap(),
    );
    let response = transport.send(get(&server.url("/box"))).unwrap();
    assert_eq!(response.body().as_ref(), b"hello GET /box");
}

#[test]
fn blocking_errors_are_classified_too() {
    let transport = BlockingHyperTransport::new().unwrap();
    let error = transport
        .send(get(&format!("http://{}/", refused_addr())))
        .unwrap_err();
    assert_eq!(error.kind(), TransportErrorKind::NotSent);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocking_inside_a_multi_thread_runtime_works_and_drops_cleanly() {
    let server = http_server();
    let transport = BlockingHyperTransport::new().unwrap();
    let response = transport.send(get(&server.url("/mt"))).unwrap();
    assert_eq!(response.body().as_ref(), b"hello GET /mt");
    drop(transport); // must not panic inside the async context
}

/// What the blocking transport says on a current-thread runtime's own thread.
fn assert_refused_on_a_current_thread_runtime(error: &wxbrand_transport::TransportError) {
    assert_eq!(error.kind(), TransportErrorKind::Other, "{error:?}");
    let message = error.to_string();
    for part in ["current-thread", "HyperTransport", "spawn_blocking"] {
        assert!(message.contains(part), "{message}");
    }
}

#[tokio::test(flavor = "current_thread")]
async fn blocking_on_a_current_thread_runtime_refuses_at_once_and_drops_cleanly() {
    let server = http_server();
    let transport = BlockingHyperTransport::new().unwrap();
    let watch = Stopwatch::start();
    let error = transport.send(get(&server.url("/ct"))).unwrap_err();
    assert!(watch.elapsed() < Duration::from_secs(5), "{error:?}");
    assert_refused_on_a_current_thread_runtime(&error);
    // Nothing was sent: the server never saw a connection.
    assert_eq!(server.accepted(), 0);
    // The test's runtime is still usable afterwards.
    tokio::time::sleep(Duration::from_millis(1)).await;
    drop(transport);
}

#[tokio::test(flavor = "current_thread")]
async fn blocking_from_a_task_of_a_current_thread_runtime_refuses_too() {
    let server = http_server();
    let transport = BlockingHyperTransport::new().unwrap();
    let error = tokio::spawn(async move { transport.send(get(&server.url("/task"))) })
        .await
        .unwrap()
        .unwrap_err();
    assert_refused_on_a_current_thread_runtime(&error);
}

#[tokio::test(flavor = "current_thread")]
async fn blocking_transport_built_and_dropped_unused_inside_a_runtime() {
    let transport = BlockingHyperTransport::new().unwrap();
    println!("{transport:?}");
    drop(transport);
}

/// A hyper server answering with `hello`, living on the caller's runtime.
async fn server_on_this_runtime() -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(
                hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new())
                    .serve_connection_with_upgrades(
                        hyper_util::rt::TokioIo::new(stream),
                        hyper::service::service_fn(hello),
                    )
                    .into_owned(),
            );
        }
    });
    addr
}

#[tokio::test(flavor = "current_thread")]
async fn blocking_call_to_a_server_on_the_callers_own_current_thread_runtime_is_refused_at_once() {
    // Blocking here would stall the very thread that runs this server: no answer could come
    // before the request timeout. The transport says so at once instead (default 30 s timeout).
    let addr = server_on_this_runtime().await;
    let transport = BlockingHyperTransport::new().unwrap();
    let watch = Stopwatch::start();
    let error = transport
        .send(get(&format!("http://{addr}/same-runtime")))
        .unwrap_err();
    assert!(watch.elapsed() < Duration::from_secs(5), "{error:?}");
    assert_refused_on_a_current_thread_runtime(&error);
    // The server is fine: the async transport gets its answer.
    let response = HyperTransport::new()
        .unwrap()
        .send(get(&format!("http://{addr}/after")))
        .await
        .unwrap();
    assert_eq!(response.body().as_ref(), b"hello GET /after");
}

#[tokio::test(flavor = "current_thread")]
async fn blocking_from_spawn_blocking_reaches_a_server_on_the_same_current_thread_runtime() {
    // The way out the error names: spawn_blocking threads run no scheduler, so the runtime's
    // thread stays free to serve while this one blocks.
    let addr = server_on_this_runtime().await;
    let transport = BlockingHyperTransport::new().unwrap();
    let response =
        tokio::task::spawn_blocking(move || transport.send(get(&format!("http://{addr}/pool"))))
            .await
            .unwrap()
            .unwrap();
    assert_eq!(response.body().as_ref(), b"hello GET /pool");
}
