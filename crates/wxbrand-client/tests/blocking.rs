//! The blocking client and blocking transports run the same pipeline.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;

#[cfg(feature = "blocking")]
mod blocking {
    use super::*;

    #[test]
    fn the_blocking_client_runs_the_same_pipeline() {
        let mock = MockTransport::new();
        let clock = ManualClock::new(START);
        let client = builder(&mock, &clock).build_blocking().unwrap();
        mock.push_response(api_error(500, "SYSTEM_ERROR"));
        mock.push_response(ok_stock());
        let stock = client.send(&deactivate()).unwrap();
        assert_eq!(stock.attempts(), 2);
    }

    #[tokio::test]
    async fn inside_a_runtime_it_refuses_instead_of_blocking() {
        let mock = MockTransport::new();
        let clock = ManualClock::new(START);
        let client = builder(&mock, &clock).build_blocking().unwrap();
        mock.push_response(ok_stock());
        let error = client.send(&deactivate()).unwrap_err();
        assert!(matches!(error.kind(), ErrorKind::BlockingInsideRuntime));
        assert_eq!(mock.request_count(), 0);
        drop(client); // dropping the private runtime here must not panic either
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocking_transport_can_carry_the_async_pipeline() {
    let mock = MockTransport::new();
    let clock = ManualClock::new(START);
    let client = builder(&mock, &clock)
        .blocking_transport(Arc::new(mock.clone()))
        .build()
        .unwrap();
    mock.push_response(api_error(503, "SERVICE_UNAVAILABLE"));
    mock.push_response(ok_stock());
    assert_eq!(client.send(&deactivate()).await.unwrap().attempts(), 2);
    assert_eq!(mock.request_count(), 2);
}
