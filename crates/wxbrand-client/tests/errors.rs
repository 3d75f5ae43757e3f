//! Error mapping: API errors, redirects, decode errors and validation errors, and what their text says.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;

#[tokio::test]
async fn an_error_never_repeats_the_text_of_its_source() {
    let (client, mock, _clock) = setup();
    let mut tampered = ok_stock();
    *tampered.body_mut() = Bytes::from(STOCK.replace("\"SENDING\"", "\"PAUSED\""));
    mock.push_response(tampered);
    mock.push_response(api_error(404, "RESOURCE_NOT_EXISTS"));
    mock.push_response(signed(200, r#"{"stock_id": 5}"#, START));
    for _ in 0..3 {
        let error = client.send(&deactivate()).await.unwrap_err();
        let own = error.to_string();
        let source = std::error::Error::source(&error).unwrap().to_string();
        assert!(
            !own.contains(&source) && !source.contains(&own),
            "{own} / {source}"
        );
        assert_eq!(error.attempts(), 1);
    }
    let invalid = Error::from(DeactivateStockRequest::new("1", "2", "short", "r").unwrap_err());
    let source = std::error::Error::source(&invalid).unwrap().to_string();
    assert!(!invalid.to_string().contains(&source), "{invalid}");
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_its_error_shows_the_location() {
    let (client, mock, _clock) = setup();
    let mut answer = signed(302, "", START);
    answer
        .headers_mut()
        .insert("location", "https://elsewhere.test/login".parse().unwrap());
    mock.push_response(answer);
    let error = client.send(&deactivate()).await.unwrap_err();
    assert_eq!(error.status(), Some(302));
    assert_eq!(
        error.api_error().unwrap().location(),
        Some("https://elsewhere.test/login")
    );
    assert!(error.to_string().contains("redirect"), "{error}");
    let source = std::error::Error::source(&error).unwrap().to_string();
    assert!(source.contains("https://elsewhere.test/login"), "{source}");
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test]
async fn an_answer_that_does_not_decode_is_a_decode_error_with_its_request_id() {
    let (client, mock, _clock) = setup();
    mock.push_response(signed(200, r#"{"stock_id": 5}"#, START));
    let error = client.send(&deactivate()).await.unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::Decode(_)), "{error:?}");
    assert_eq!(error.request_id(), Some("08RID200-0"));
    assert_eq!(error.attempts(), 1);
}

#[tokio::test]
async fn an_html_error_page_still_gives_an_api_error() {
    let (client, mock, _clock) = setup();
    mock.push_status(StatusCode::BAD_GATEWAY, "<html>502 Bad Gateway</html>");
    let error = client.send(&NotRepeatSafe).await.unwrap_err();
    assert_eq!(error.status(), Some(502));
    assert_eq!(error.request_id(), None);
}

#[test]
fn validation_errors_convert_and_send_nothing() {
    let error: Error = DeactivateStockRequest::new("200000001", "1", "short", "r")
        .unwrap_err()
        .into();
    assert_eq!(error.attempts(), 0);
    assert!(error.to_string().contains("out_request_no"), "{error}");
}
