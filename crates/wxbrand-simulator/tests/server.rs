//! The server itself: HTTPS with the handed-out CA, a given certificate, shutdown, garbage input,
//! and 200 concurrent deactivations.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use bytes::Bytes;
use common::*;
use http::Request;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use wxbrand_core::product_coupon::StockState;
use wxbrand_simulator::{Fault, Route, SimulatorHandle};

/// Sends one request over a fresh TLS connection that trusts only `ca_pem`.
async fn send_tls(
    sim: &SimulatorHandle,
    ca_pem: &str,
    request: Request<Full<Bytes>>,
) -> Result<Answer, String> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        roots.add(cert.unwrap()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(sim.local_addr())
        .await
        .unwrap();
    let name = ServerName::try_from(request.uri().host().unwrap().to_string()).unwrap();
    let tls = connector
        .connect(name, tcp)
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
        .await
        .unwrap();
    tokio::spawn(connection);
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| format!("request: {e}"))?;
    let (parts, body) = response.into_parts();
    let body = body
        .collect()
        .await
        .map_err(|e| format!("body: {e}"))?
        .to_bytes();
    Ok(Answer {
        status: parts.status,
        headers: parts.headers,
        body,
    })
}

#[tokio::test]
async fn https_with_the_generated_ca() {
    let sim = builder(2).tls(true).start().await.unwrap();
    assert!(sim.base_url().starts_with("https://127.0.0.1:"));
    let ca = sim.ca_certificate_pem().unwrap().to_string();
    assert!(ca.starts_with("-----BEGIN CERTIFICATE-----"));
    let caller = Caller::vectors(&sim);

    let answer = send_tls(
        &sim,
        &ca,
        caller.deactivate_request(&stock_id(1), "tls_0001"),
    )
    .await
    .unwrap();
    assert_eq!(answer.status, 200);
    caller
        .verifier
        .verify_response(&answer.headers, &answer.body, now())
        .unwrap();

    // `localhost` is in the certificate too.
    let mut by_name = caller.request("GET", &format!("{PREFIX}/{COUPON}/stocks"), b"");
    *by_name.uri_mut() = format!(
        "https://localhost:{}{PREFIX}/{COUPON}/stocks",
        sim.local_addr().port()
    )
    .parse()
    .unwrap();
    assert_eq!(send_tls(&sim, &ca, by_name).await.unwrap().status, 200);

    // Connection faults work through TLS as well.
    sim.faults()
        .on(Route::DeactivateStock)
        .next(Fault::ResetMidBody)
        .nth(2, Fault::AnswerLost);
    let err = send_tls(
        &sim,
        &ca,
        caller.deactivate_request(&stock_id(2), "tls_0002"),
    )
    .await
    .unwrap_err();
    assert!(err.starts_with("body:"), "{err}");
    let err = send_tls(
        &sim,
        &ca,
        caller.deactivate_request(&stock_id(2), "tls_0002"),
    )
    .await
    .unwrap_err();
    assert!(err.starts_with("request:"), "{err}");
    assert_eq!(sim.stats().deactivations_of(COUPON, &stock_id(2)), 1);

    // A client that does not trust the CA cannot connect.
    let other = builder(0).tls(true).start().await.unwrap();
    let err = send_tls(
        &sim,
        other.ca_certificate_pem().unwrap(),
        caller.request("GET", "/", b""),
    )
    .await
    .unwrap_err();
    assert!(err.starts_with("handshake:"), "{err}");
}

#[tokio::test]
async fn https_with_a_given_certificate() {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()])
        .unwrap()
        .signed_by(&key, &ca, &ca_key)
        .unwrap();

    let sim = builder(1)
        .tls_identity(cert.pem(), key.serialize_pem(), Some(ca.pem()))
        .start()
        .await
        .unwrap();
    assert_eq!(sim.ca_certificate_pem(), Some(ca.pem().as_str()));
    let caller = Caller::vectors(&sim);
    let answer = send_tls(
        &sim,
        &ca.pem(),
        caller.request("GET", &format!("{PREFIX}/{COUPON}/stocks"), b""),
    )
    .await
    .unwrap();
    assert_eq!(answer.status, 200);

    let err = builder(0)
        .tls_identity("not a certificate", "no key", None)
        .start()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), wxbrand_simulator::SimulatorErrorKind::Tls);
}

#[tokio::test]
async fn shutdown_and_drop_stop_the_server() {
    let sim = builder(0).start().await.unwrap();
    let address = sim.local_addr();
    assert!(tokio::net::TcpStream::connect(address).await.is_ok());
    sim.shutdown().await;
    assert!(tokio::net::TcpStream::connect(address).await.is_err());

    // Dropping only signals the server, which stops on its own time.
    let sim = builder(0).start().await.unwrap();
    let address = sim.local_addr();
    drop(sim);
    assert!(
        eventually(move || async move { tokio::net::TcpStream::connect(address).await.is_err() })
            .await
    );
}

#[tokio::test]
async fn listens_where_it_is_told() {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = probe.local_addr().unwrap();
    drop(probe);
    let sim = builder(0).listen(address).start().await.unwrap();
    assert_eq!(sim.local_addr(), address);
    assert_eq!(sim.base_url(), format!("http://{address}"));
    let err = builder(0).listen(address).start().await.unwrap_err();
    assert_eq!(err.kind(), wxbrand_simulator::SimulatorErrorKind::Bind);
}

#[tokio::test]
async fn garbage_never_brings_it_down() {
    let sim = builder(1).start().await.unwrap();
    let caller = Caller::vectors(&sim);

    let answers = [
        raw(&sim, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http at all\r\n\r\n").await,
        raw(&sim, b"GET / HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n").await,
        raw(&sim, format!("GET /{} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "a".repeat(100_000)).as_bytes()).await,
        raw(&sim, b"POST /brand/marketing/product-coupon/product-coupons/1/stocks/2/deactivate HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\nConnection: close\r\n\r\n{").await,
        raw(&sim, b"GET /brand/marketing/product-coupon/product-coupons/1/stocks HTTP/1.1\r\nHost: x\r\nAuthorization: \xff\xfe\x80\r\nConnection: close\r\n\r\n").await,
    ];
    for (i, answer) in answers.iter().enumerate() {
        // Every one got some HTTP answer (hyper's own 4xx for what is not HTTP/1.1).
        let text = String::from_utf8_lossy(answer);
        assert!(text.starts_with("HTTP/1.1 4"), "{i}: {text}");
    }
    // The oversized announcement and the binary Authorization got WeChat-style JSON.
    assert!(String::from_utf8_lossy(&answers[3]).starts_with("HTTP/1.1 413"));
    assert!(String::from_utf8_lossy(&answers[3]).contains("\"PARAM_ERROR\""));
    assert!(String::from_utf8_lossy(&answers[4]).contains("\"SIGN_ERROR\""));

    // Still serving.
    let answer = send(
        &client(),
        caller.deactivate_request(&stock_id(1), "after_garbage"),
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(sim.shutdown().await.handler_panics, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_deactivations_all_succeed() {
    // WeChat Pay's 20/s limit would refuse most of them: the load test turns the limit off.
    let sim = builder(200)
        .rate_limit_per_second(None)
        .start()
        .await
        .unwrap();
    let caller = Caller::vectors(&sim);
    let client = client();
    let started = tokio::time::Instant::now();
    let tasks: Vec<_> = (1..=200)
        .map(|i| {
            let caller = caller.clone();
            let client = client.clone();
            tokio::spawn(async move {
                let answer = send(
                    &client,
                    caller.deactivate_request(&stock_id(i), &format!("load_{i:05}")),
                )
                .await;
                caller
                    .verifier
                    .verify_response(&answer.headers, &answer.body, now())
                    .unwrap();
                answer.status.as_u16()
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), 200);
    }
    eprintln!("200 deactivations in {:?}", started.elapsed());
    let stats = sim.stats();
    assert_eq!(stats.transitions.len(), 200);
    for i in 1..=200 {
        assert_eq!(stats.deactivations_of(COUPON, &stock_id(i)), 1);
        assert_eq!(
            sim.stock(COUPON, &stock_id(i)).unwrap().state,
            StockState::Deactivated
        );
    }
    assert_eq!(stats.requests_on(Route::DeactivateStock), 200);
    assert_eq!(stats.deactivation_admissions.len(), 200);
    assert_eq!(stats.deactivation_arrivals.len(), 200);
    assert_eq!(stats.rejections_by_code.len(), 0);
    assert_eq!(stats.rejections_by_reason.len(), 0);
    assert_eq!(sim.shutdown().await.handler_panics, 0);
}
