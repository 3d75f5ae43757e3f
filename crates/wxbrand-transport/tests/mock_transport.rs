//! MockTransport: recording, queued answers and faults, the responder, both traits.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use wxbrand_transport::test_util::MockTransport;
use wxbrand_transport::{BlockingTransport, Bytes, Transport, TransportError, TransportErrorKind};

fn get(url: &str) -> http::Request<Bytes> {
    http::Request::get(url).body(Bytes::new()).unwrap()
}

#[tokio::test]
async fn records_requests_and_answers_in_order() {
    let mock = MockTransport::new();
    mock.push_status(http::StatusCode::CREATED, "first")
        .push_response(http::Response::new(Bytes::from_static(b"second")));
    let transport: Arc<dyn Transport> = Arc::new(mock.clone());

    let request = http::Request::patch("https://example.test/v1/x?y=1")
        .header("authorization", "token")
        .body(Bytes::from_static(b"payload"))
        .unwrap();
    let first = transport.send(request).await.unwrap();
    assert_eq!(first.status(), http::StatusCode::CREATED);
    assert_eq!(first.body().as_ref(), b"first");
    let second = transport.send(get("https://example.test/2")).await.unwrap();
    assert_eq!(second.body().as_ref(), b"second");
    assert_eq!(mock.remaining(), 0);

    let recorded = mock.requests();
    assert_eq!(recorded.len(), 2);
    assert_eq!(recorded[0].method(), http::Method::PATCH);
    assert_eq!(recorded[0].uri().query(), Some("y=1"));
    assert_eq!(recorded[0].headers()["authorization"], "token");
    assert_eq!(recorded[0].body_text(), Some("payload"));
    assert_eq!(recorded[0].to_request().body().as_ref(), b"payload");
    assert_eq!(mock.last_request().unwrap().uri().path(), "/2");
    assert_eq!(mock.take_requests().len(), 2);
    assert!(mock.requests().is_empty());
    assert_eq!(mock.request_count(), 2);
}

#[test]
fn every_fault_kind_can_be_scripted() {
    let mock = MockTransport::new();
    let kinds = [
        TransportErrorKind::NotSent,
        TransportErrorKind::MaybeDelivered,
        TransportErrorKind::ResponseTooLarge,
        TransportErrorKind::InvalidUrl,
        TransportErrorKind::Other,
    ];
    for kind in kinds {
        mock.push_fault(kind);
    }
    let cause = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
    mock.push_error(TransportError::with_source(
        TransportErrorKind::MaybeDelivered,
        "reset",
        cause,
    ));
    let transport: Box<dyn BlockingTransport> = Box::new(mock.clone());
    for kind in kinds {
        assert_eq!(
            transport.send(get("http://x.test/")).unwrap_err().kind(),
            kind
        );
    }
    let error = transport.send(get("http://x.test/")).unwrap_err();
    assert_eq!(error.to_string(), "reset");
    assert!(std::error::Error::source(&error).is_some());
}

#[test]
fn running_out_of_answers_is_an_error() {
    let mock = MockTransport::new();
    let error = BlockingTransport::send(&mock, get("http://x.test/")).unwrap_err();
    assert_eq!(error.kind(), TransportErrorKind::Other);
    assert_eq!(mock.request_count(), 1);
}

#[tokio::test]
async fn responder_answers_when_the_queue_is_empty() {
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    let mock = MockTransport::with_responder(move |request| {
        let n = seen.fetch_add(1, Ordering::SeqCst);
        if request.uri().path() == "/fail" {
            return Err(TransportError::new(TransportErrorKind::NotSent, "no", None));
        }
        Ok(http::Response::new(Bytes::from(format!("call {n}"))))
    });
    mock.push_status(http::StatusCode::SERVICE_UNAVAILABLE, "queued first");
    let first = Transport::send(&mock, get("http://x.test/")).await.unwrap();
    assert_eq!(first.status(), 503);
    for n in 0..1000 {
        let answer = Transport::send(&mock, get("http://x.test/")).await.unwrap();
        assert_eq!(answer.body(), &Bytes::from(format!("call {n}")));
    }
    let error = Transport::send(&mock, get("http://x.test/fail"))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), TransportErrorKind::NotSent);
    assert_eq!(calls.load(Ordering::SeqCst), 1001);
    assert_eq!(mock.requests().len(), 1002);
}

#[test]
fn without_recording_counts_but_keeps_nothing() {
    let mock = MockTransport::with_responder(|_| Ok(http::Response::new(Bytes::new())))
        .without_recording();
    for _ in 0..10 {
        BlockingTransport::send(&mock, get("http://x.test/")).unwrap();
    }
    assert_eq!(mock.request_count(), 10);
    assert!(mock.requests().is_empty());
    let debug = format!("{mock:?}");
    assert!(debug.contains("MockTransport"), "{debug}");
}

#[test]
fn usable_from_many_threads() {
    let mock = MockTransport::with_responder(|_| Ok(http::Response::new(Bytes::new())));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let mock = mock.clone();
            std::thread::spawn(move || {
                for _ in 0..100 {
                    BlockingTransport::send(&mock, get("http://x.test/")).unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(mock.request_count(), 400);
}
