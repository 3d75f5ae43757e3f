//! Host failover: an unreachable main host hands over to the backup until the cooldown ends.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;

#[tokio::test]
async fn unreachable_main_host_fails_over_and_comes_back_after_the_cooldown() {
    let mock = MockTransport::new();
    let clock = ManualClock::new(START);
    let client = builder(&mock, &clock)
        .failover_cooldown(Duration::from_secs(60))
        .build()
        .unwrap();
    mock.push_fault(TransportErrorKind::NotSent);
    mock.push_response(ok_stock());
    let first = client.send(&deactivate()).await.unwrap();
    assert_eq!(first.attempts(), 2);
    assert!(clock.slept().is_empty(), "switching hosts does not wait");

    // A clone shares the failover state: it stays on the backup during the cooldown.
    clock.advance(Duration::from_secs(59));
    mock.push_response(ok_stock());
    client.clone().send(&deactivate()).await.unwrap();
    clock.advance(Duration::from_secs(2));
    mock.push_response(ok_stock());
    client.send(&deactivate()).await.unwrap();
    assert_eq!(hosts(&mock), [MAIN, BACKUP, BACKUP, MAIN]);
}

#[tokio::test]
async fn http_errors_never_switch_hosts() {
    let (client, mock, _clock) = setup();
    mock.push_response(api_error(502, "SERVICE_UNAVAILABLE"));
    mock.push_response(api_error(503, "SERVICE_UNAVAILABLE"));
    mock.push_response(ok_stock());
    client.send(&deactivate()).await.unwrap();
    assert_eq!(hosts(&mock), [MAIN, MAIN, MAIN]);
}

#[tokio::test]
async fn without_a_backup_not_sent_is_retried_on_the_main_host() {
    let mock = MockTransport::new();
    let clock = ManualClock::new(START);
    let client = builder(&mock, &clock).without_backup().build().unwrap();
    mock.push_fault(TransportErrorKind::NotSent);
    mock.push_fault(TransportErrorKind::NotSent);
    mock.push_response(ok_stock());
    assert_eq!(client.send(&deactivate()).await.unwrap().attempts(), 3);
    assert_eq!(hosts(&mock), [MAIN, MAIN, MAIN]);
    assert_eq!(clock.slept().len(), 2);
}
