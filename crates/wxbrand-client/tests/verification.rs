//! Answers that fail verification: rejected, never retried, their body never exposed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;

#[tokio::test]
async fn verification_failures_are_not_retried_and_hold_no_body() {
    let (client, mock, _clock) = setup();
    let mut tampered = ok_stock();
    *tampered.body_mut() = Bytes::from(STOCK.replace("\"SENDING\"", "\"PAUSED\""));
    mock.push_response(tampered);
    mock.push_response(ok_stock());
    let error = client.send(&deactivate()).await.unwrap_err();
    assert!(matches!(
        error.kind(),
        ErrorKind::Verification {
            source: VerifyError::BadSignature,
            status: 200,
            ..
        }
    ));
    assert_eq!(error.attempts(), 1);
    assert_eq!(error.request_id(), Some("08RID200-0"));
    assert_eq!(mock.request_count(), 1);
    let shown = format!("{error} {error:?}");
    assert!(
        !shown.contains("满减券"),
        "the rejected body must not leak: {shown}"
    );
}

#[tokio::test]
async fn stale_and_future_answers_are_rejected() {
    for skew in [-300, 300] {
        let (client, mock, _clock) = setup();
        mock.push_response(signed(200, STOCK, START + skew));
        let error = client.send(&deactivate()).await.unwrap_err();
        assert!(
            matches!(
                error.kind(),
                ErrorKind::Verification {
                    source: VerifyError::TimestampOutOfWindow { .. },
                    ..
                }
            ),
            "{error:?}"
        );
    }
    let (client, mock, _clock) = setup();
    mock.push_response(signed(200, STOCK, START - 299));
    client.send(&deactivate()).await.unwrap();
}
