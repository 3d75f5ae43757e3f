//! Retries: what is retried (repeat-safe calls, never client errors), how often, within which deadline, and `Retry-After`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;

#[tokio::test]
async fn repeat_safe_calls_are_retried_with_the_same_body_and_fresh_signatures() {
    let (client, mock, clock) = setup();
    mock.push_fault(TransportErrorKind::MaybeDelivered);
    mock.push_response(api_error(500, "SYSTEM_ERROR"));
    mock.push_status(StatusCode::SERVICE_UNAVAILABLE, "<html>bad gateway</html>");
    mock.push_response(ok_stock());
    let stock = client.send(&deactivate()).await.unwrap();
    assert_eq!(stock.attempts(), 4);
    assert_eq!(stock.state, StockState::Sending);

    let requests = mock.requests();
    assert_eq!(requests.len(), 4);
    assert!(requests.iter().all(|r| r.body() == requests[0].body()));
    let nonces: std::collections::HashSet<String> = requests
        .iter()
        .map(|r| {
            AuthorizationParams::parse(r.headers()["authorization"].to_str().unwrap())
                .unwrap()
                .nonce_str
        })
        .collect();
    assert_eq!(nonces.len(), 4, "every attempt is signed afresh");
    // Never left the main host: none of these is a reason to switch.
    assert!(hosts(&mock).iter().all(|h| h == MAIN));
    // Backoff 1 s, 2 s, 4 s, each ±20 %.
    let slept = clock.slept();
    assert_eq!(slept.len(), 3);
    for (wait, base) in slept.iter().zip([1000u64, 2000, 4000]) {
        let ms = wait.as_millis() as u64;
        assert!(
            ms >= base * 8 / 10 && ms <= base * 12 / 10,
            "{ms} ms for a base of {base} ms"
        );
    }
}

#[tokio::test]
async fn retries_stop_after_the_allowed_number() {
    let (client, mock, _clock) = setup();
    for _ in 0..5 {
        mock.push_response(api_error(500, "SYSTEM_ERROR"));
    }
    let error = client.send(&deactivate()).await.unwrap_err();
    assert_eq!(error.attempts(), 4);
    assert_eq!(error.status(), Some(500));
    assert_eq!(error.request_id(), Some("08RID500-0"));
    assert!(matches!(error.kind(), ErrorKind::Api(_)));
    assert_eq!(mock.request_count(), 4);
}

#[tokio::test]
async fn client_errors_are_never_retried() {
    for (status, code) in [
        (400, "PARAM_ERROR"),
        (401, "SIGN_ERROR"),
        (403, "NO_AUTH"),
        (404, "RESOURCE_NOT_EXISTS"),
    ] {
        let (client, mock, clock) = setup();
        mock.push_response(api_error(status, code));
        mock.push_response(ok_stock());
        let error = client.send(&deactivate()).await.unwrap_err();
        assert_eq!(error.attempts(), 1, "{status}");
        let api = error.api_error().unwrap();
        assert_eq!(api.status(), status);
        assert_eq!(api.code().unwrap().as_str(), code);
        // The code is in the source (the API error), not repeated in the error's own text.
        assert!(!error.to_string().contains(code), "{error}");
        let source = std::error::Error::source(&error).unwrap().to_string();
        assert!(source.contains(code), "{source}");
        assert_eq!(mock.request_count(), 1);
        assert!(clock.slept().is_empty());
    }
}

#[tokio::test]
async fn a_call_that_is_not_repeat_safe_is_retried_only_when_it_never_left() {
    let (client, mock, _clock) = setup();
    mock.push_fault(TransportErrorKind::MaybeDelivered);
    let error = client.send(&NotRepeatSafe).await.unwrap_err();
    assert_eq!(error.attempts(), 1);
    assert!(
        matches!(error.kind(), ErrorKind::Transport(source) if source.kind() == TransportErrorKind::MaybeDelivered)
    );
    assert!(
        hosts(&mock).iter().all(|h| h == MAIN),
        "MaybeDelivered does not switch hosts"
    );

    let (client, mock, _clock) = setup();
    mock.push_response(api_error(500, "SYSTEM_ERROR"));
    assert_eq!(client.send(&NotRepeatSafe).await.unwrap_err().attempts(), 1);

    let (client, mock, _clock) = setup();
    mock.push_fault(TransportErrorKind::NotSent);
    mock.push_response(signed(200, "{}", START));
    let answer = client.send(&NotRepeatSafe).await.unwrap();
    assert_eq!(answer.attempts(), 2);
    assert_eq!(hosts(&mock), [MAIN, BACKUP]);
}

#[tokio::test]
async fn the_total_deadline_stops_retrying() {
    let mock = MockTransport::new();
    let clock = ManualClock::new(START);
    let policy = RetryPolicy::new()
        .jitter(0.0)
        .total_deadline(Duration::from_millis(2500));
    let client = builder(&mock, &clock).retry_policy(policy).build().unwrap();
    for _ in 0..4 {
        mock.push_response(api_error(503, "SERVICE_UNAVAILABLE"));
    }
    // 1 s wait, then a 2 s wait would end at 3 s > 2.5 s: two attempts only.
    let error = client.send(&deactivate()).await.unwrap_err();
    assert_eq!(error.attempts(), 2);
    assert_eq!(clock.slept(), [Duration::from_secs(1)]);
}

/// A retryable answer carrying `Retry-After: seconds`.
fn retry_after(status: u16, seconds: &str) -> http::Response<Bytes> {
    let mut answer = api_error(status, "RATELIMIT_EXCEEDED");
    answer
        .headers_mut()
        .insert("retry-after", seconds.parse().unwrap());
    answer
}

#[tokio::test]
async fn retry_after_is_honoured_within_the_deadline() {
    let mock = MockTransport::new();
    let clock = ManualClock::new(START);
    let policy = RetryPolicy::new()
        .jitter(0.0)
        .total_deadline(Duration::from_secs(30));
    let client = builder(&mock, &clock).retry_policy(policy).build().unwrap();
    // Longer than the 1 s backoff: waited; shorter than the 2 s backoff: the backoff wins.
    mock.push_response(retry_after(429, "7"));
    mock.push_response(retry_after(503, "1"));
    mock.push_response(ok_stock());
    assert_eq!(client.send(&deactivate()).await.unwrap().attempts(), 3);
    assert_eq!(
        clock.slept(),
        [Duration::from_secs(7), Duration::from_secs(2)]
    );

    // A Retry-After past the deadline stops the retries at once, with the answer's error.
    mock.push_response(retry_after(429, "31"));
    let error = client.send(&deactivate()).await.unwrap_err();
    assert_eq!(error.attempts(), 1);
    assert_eq!(error.status(), Some(429));
    assert_eq!(clock.slept().len(), 2, "no new wait");
}

#[tokio::test]
async fn a_final_transport_error_keeps_the_request_id_of_an_earlier_answer() {
    let (client, mock, _clock) = setup();
    mock.push_response(api_error(500, "SYSTEM_ERROR"));
    for _ in 0..3 {
        mock.push_fault(TransportErrorKind::MaybeDelivered);
    }
    let error = client.send(&deactivate()).await.unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::Transport(_)), "{error:?}");
    assert_eq!(error.attempts(), 4);
    assert_eq!(error.request_id(), Some("08RID500-0"));
    assert!(error.to_string().contains("08RID500-0"), "{error}");

    // No answer at all: no Request-ID.
    let (client, mock, _clock) = setup();
    mock.push_fault(TransportErrorKind::ResponseTooLarge);
    let error = client.send(&deactivate()).await.unwrap_err();
    assert_eq!(error.request_id(), None);
}

#[tokio::test]
async fn other_transport_errors_are_not_retried() {
    for kind in [
        TransportErrorKind::ResponseTooLarge,
        TransportErrorKind::InvalidUrl,
        TransportErrorKind::Other,
    ] {
        let (client, mock, _clock) = setup();
        mock.push_fault(kind);
        let error = client.send(&deactivate()).await.unwrap_err();
        assert_eq!(error.attempts(), 1);
        assert!(matches!(error.kind(), ErrorKind::Transport(source) if source.kind() == kind));
        assert!(std::error::Error::source(&error).is_some());
    }
}
