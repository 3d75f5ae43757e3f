//! Every fault kind, observed from a raw hyper client (and a raw socket where the difference
//! between a clean close and a reset matters).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wxbrand_core::product_coupon::{StockEntity, StockState};
use wxbrand_sign::VerifyError;
use wxbrand_simulator::{reason, Fault, Route, SimulatorHandle};

async fn start(n: usize) -> (SimulatorHandle, Caller, RawClient) {
    let sim = builder(n).start().await.unwrap();
    let caller = Caller::vectors(&sim);
    (sim, caller, client())
}

fn state_of(sim: &SimulatorHandle, i: usize) -> StockState {
    sim.stock(COUPON, &stock_id(i)).unwrap().state
}

#[tokio::test]
async fn answer_lost_changes_the_state_and_a_retry_acts_once() {
    let (sim, caller, client) = start(1).await;
    sim.faults()
        .on(Route::DeactivateStock)
        .next(Fault::AnswerLost);
    let err = try_send(
        &client,
        caller.deactivate_request(&stock_id(1), "lost_0001"),
    )
    .await
    .unwrap_err();
    assert!(err.starts_with("request:"), "{err}");
    // Delivered: the stock is deactivated although no answer came back.
    assert_eq!(state_of(&sim, 1), StockState::Deactivated);

    // The retry with the same number gets the answer, and nothing acts twice.
    let retry = send(
        &client,
        caller.deactivate_request(&stock_id(1), "lost_0001"),
    )
    .await;
    assert_eq!(retry.status, 200);
    let stock: StockEntity = serde_json::from_slice(&retry.body).unwrap();
    assert_eq!(stock, sim.stock(COUPON, &stock_id(1)).unwrap());
    let stats = sim.stats();
    assert_eq!(stats.deactivations_of(COUPON, &stock_id(1)), 1);
    assert_eq!(stats.faults("answer_lost"), 1);
    assert_eq!(stats.requests_on(Route::DeactivateStock), 2);
}

#[tokio::test]
async fn close_before_answer_changes_nothing() {
    let (sim, caller, client) = start(1).await;
    sim.faults()
        .on(Route::DeactivateStock)
        .next(Fault::CloseBeforeAnswer);
    let err = try_send(
        &client,
        caller.deactivate_request(&stock_id(1), "close_0001"),
    )
    .await
    .unwrap_err();
    assert!(err.starts_with("request:"), "{err}");
    assert_eq!(state_of(&sim, 1), StockState::Sending);
    let answer = send(
        &client,
        caller.deactivate_request(&stock_id(1), "close_0001"),
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(sim.stats().deactivations_of(COUPON, &stock_id(1)), 1);
}

#[tokio::test]
async fn reset_mid_body_sends_headers_then_breaks_the_body() {
    let (sim, caller, client) = start(1).await;
    sim.faults()
        .on(Route::DeactivateStock)
        .next(Fault::ResetMidBody);
    let response = client
        .request(caller.deactivate_request(&stock_id(1), "reset_0001"))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("wechatpay-signature"));
    let announced: usize = response.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(announced > 100);
    use http_body_util::BodyExt;
    assert!(response.into_body().collect().await.is_err());
    assert_eq!(state_of(&sim, 1), StockState::Deactivated);
    assert_eq!(sim.stats().faults("reset_mid_body"), 1);
}

/// What a raw socket sees: a clean close (EOF) or a reset, and the bytes before it.
async fn raw_exchange(
    sim: &SimulatorHandle,
    caller: &Caller,
    stock: &str,
    number: &str,
) -> (Vec<u8>, std::io::Result<()>) {
    let request = caller.deactivate_request(stock, number);
    let (parts, body) = request.into_parts();
    use http_body_util::BodyExt;
    let body = body.collect().await.unwrap().to_bytes();
    let mut raw = format!(
        "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\n",
        parts.uri.path(),
        sim.local_addr(),
        body.len()
    );
    for (name, value) in &parts.headers {
        raw.push_str(&format!("{name}: {}\r\n", value.to_str().unwrap()));
    }
    raw.push_str("Connection: close\r\n\r\n");
    let mut stream = tokio::net::TcpStream::connect(sim.local_addr())
        .await
        .unwrap();
    stream.write_all(raw.as_bytes()).await.unwrap();
    stream.write_all(&body).await.unwrap();
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf).await {
            Ok(0) => return (received, Ok(())),
            Ok(n) => received.extend_from_slice(&buf[..n]),
            Err(e) => return (received, Err(e)),
        }
    }
}

#[tokio::test]
async fn on_a_raw_socket_lost_answers_reset_and_closes_are_clean() {
    let (sim, caller, _client) = start(3).await;
    sim.faults()
        .on(Route::DeactivateStock)
        .nth(1, Fault::AnswerLost)
        .nth(2, Fault::CloseBeforeAnswer)
        .nth(3, Fault::ResetMidBody);

    let (bytes, end) = raw_exchange(&sim, &caller, &stock_id(1), "raw_0001").await;
    assert!(bytes.is_empty());
    assert_eq!(end.unwrap_err().kind(), std::io::ErrorKind::ConnectionReset);

    let (bytes, end) = raw_exchange(&sim, &caller, &stock_id(2), "raw_0002").await;
    assert!(bytes.is_empty());
    end.unwrap();

    let (bytes, end) = raw_exchange(&sim, &caller, &stock_id(3), "raw_0003").await;
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
    assert!(text.contains("\"product_coupon_id\""), "{text}"); // part of the body arrived
    assert_eq!(end.unwrap_err().kind(), std::io::ErrorKind::ConnectionReset);

    assert_eq!(state_of(&sim, 1), StockState::Deactivated);
    assert_eq!(state_of(&sim, 2), StockState::Sending);
    assert_eq!(state_of(&sim, 3), StockState::Deactivated);
}

#[tokio::test]
async fn delay_answers_late_after_acting() {
    let (sim, caller, client) = start(1).await;
    // The client gives up long before the answer: a wide margin on either side.
    sim.faults()
        .on(Route::DeactivateStock)
        .next(Fault::Delay(Duration::from_secs(5)));
    let timed_out = tokio::time::timeout(
        Duration::from_millis(500),
        send(
            &client,
            caller.deactivate_request(&stock_id(1), "delay_0001"),
        ),
    )
    .await;
    assert!(timed_out.is_err());
    // The request acts before the delay; on a loaded machine it may still be on its way.
    let sim_ref = &sim;
    assert!(
        eventually(move || async move { state_of(sim_ref, 1) == StockState::Deactivated }).await
    );
    let retry = send(
        &client,
        caller.deactivate_request(&stock_id(1), "delay_0001"),
    )
    .await;
    assert_eq!(retry.status, 200);
    assert_eq!(sim.stats().deactivations_of(COUPON, &stock_id(1)), 1);

    sim.faults()
        .on(Route::GetStock)
        .next(Fault::Delay(Duration::from_millis(200)));
    let started = tokio::time::Instant::now();
    let answer = send(
        &client,
        caller.request(
            "GET",
            &format!("{PREFIX}/{COUPON}/stocks/{}", stock_id(1)),
            b"",
        ),
    )
    .await;
    assert!(started.elapsed() >= Duration::from_millis(200));
    assert_eq!(answer.status, 200);
}

#[tokio::test]
async fn injected_error_statuses_change_nothing() {
    let (sim, caller, client) = start(1).await;
    sim.faults()
        .on(Route::DeactivateStock)
        .nth(1, Fault::Status500SystemError)
        .nth(2, Fault::Status503Html)
        .nth(3, Fault::Status429RateLimited);

    let answer = send(
        &client,
        caller.deactivate_request(&stock_id(1), "status_0001"),
    )
    .await;
    answer.assert_error(&caller, 500, "SYSTEM_ERROR");

    let answer = send(
        &client,
        caller.deactivate_request(&stock_id(1), "status_0001"),
    )
    .await;
    assert_eq!(answer.status, 503);
    assert_eq!(answer.headers["content-type"], "text/html");
    assert!(String::from_utf8_lossy(&answer.body).starts_with("<html>"));
    assert!(answer.headers.get("request-id").is_none());
    assert!(answer.headers.get("wechatpay-signature").is_none());

    let answer = send(
        &client,
        caller.deactivate_request(&stock_id(1), "status_0001"),
    )
    .await;
    answer.assert_error(&caller, 429, "RATELIMIT_EXCEEDED");

    assert_eq!(state_of(&sim, 1), StockState::Sending);
    let answer = send(
        &client,
        caller.deactivate_request(&stock_id(1), "status_0001"),
    )
    .await;
    assert_eq!(answer.status, 200);
    let stats = sim.stats();
    assert_eq!(stats.rejections("SYSTEM_ERROR"), 1);
    assert_eq!(stats.rejections_for(reason::INJECTED_FAULT), 2);
    assert_eq!(stats.rejections_for(reason::RATE_LIMITED), 0);
    assert_eq!(stats.answers_with_status(503), 1);
    assert_eq!(stats.deactivations_of(COUPON, &stock_id(1)), 1);
}

#[tokio::test]
async fn signature_faults_fail_verification_in_their_own_way() {
    let (sim, caller, client) = start(4).await;
    sim.faults()
        .on(Route::DeactivateStock)
        .nth(1, Fault::WrongSignature)
        .nth(2, Fault::SigntestProbe)
        .nth(3, Fault::StaleTimestamp)
        .nth(4, Fault::WrongSerial);

    let verify = |answer: &Answer| {
        caller
            .verifier
            .verify_response(&answer.headers, &answer.body, now())
    };

    let answer = send(&client, caller.deactivate_request(&stock_id(1), "sig_0001")).await;
    assert_eq!(answer.status, 200);
    assert!(matches!(verify(&answer), Err(VerifyError::BadSignature)));

    let answer = send(&client, caller.deactivate_request(&stock_id(2), "sig_0002")).await;
    assert!(answer.headers["wechatpay-signature"]
        .to_str()
        .unwrap()
        .starts_with("WECHATPAY/SIGNTEST/"));
    assert!(matches!(verify(&answer), Err(VerifyError::BadSignature)));

    let answer = send(&client, caller.deactivate_request(&stock_id(3), "sig_0003")).await;
    assert!(matches!(
        verify(&answer),
        Err(VerifyError::TimestampOutOfWindow { .. })
    ));
    // Correctly signed otherwise: a verifier with a wide window accepts it.
    caller
        .verifier
        .clone()
        .with_window_seconds(3600)
        .verify_response(&answer.headers, &answer.body, now())
        .unwrap();

    let answer = send(&client, caller.deactivate_request(&stock_id(4), "sig_0004")).await;
    assert!(matches!(
        verify(&answer),
        Err(VerifyError::UnknownKeyId { .. })
    ));

    // Every one of them acted.
    for i in 1..=4 {
        assert_eq!(state_of(&sim, i), StockState::Deactivated);
    }
}

#[tokio::test]
async fn oversized_body_is_padded_valid_json_and_signed() {
    let (sim, caller, client) = start(1).await;
    sim.faults()
        .on(Route::GetStock)
        .next(Fault::OversizedBody(200_000));
    let answer = send(
        &client,
        caller.request(
            "GET",
            &format!("{PREFIX}/{COUPON}/stocks/{}", stock_id(1)),
            b"",
        ),
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body.len(), 200_000);
    caller
        .verifier
        .verify_response(&answer.headers, &answer.body, now())
        .unwrap();
    let stock: StockEntity = serde_json::from_slice(&answer.body).unwrap();
    assert_eq!(stock.stock_id, stock_id(1));
}

#[tokio::test]
async fn schedules_count_requests_per_route_from_when_they_are_added() {
    let (sim, caller, client) = start(1).await;
    let get = || {
        caller.request(
            "GET",
            &format!("{PREFIX}/{COUPON}/stocks/{}", stock_id(1)),
            b"",
        )
    };
    let list = || caller.request("GET", &format!("{PREFIX}/{COUPON}/stocks"), b"");
    send(&client, get()).await; // before the rules: not counted for them

    sim.faults()
        .on(Route::GetStock)
        .nth(2, Fault::Status500SystemError);
    sim.faults()
        .on(Route::ListStocks)
        .every(2, Fault::Status500SystemError);
    let mut gets = Vec::new();
    let mut lists = Vec::new();
    for _ in 0..4 {
        gets.push(send(&client, get()).await.status.as_u16());
        lists.push(send(&client, list()).await.status.as_u16());
    }
    assert_eq!(gets, vec![200, 500, 200, 200]);
    assert_eq!(lists, vec![200, 500, 200, 500]);

    sim.faults().clear();
    sim.faults()
        .on_every_route()
        .times(2, Fault::Status429RateLimited);
    assert_eq!(send(&client, get()).await.status, 429);
    assert_eq!(send(&client, list()).await.status, 429);
    assert_eq!(send(&client, get()).await.status, 200);

    sim.faults().on(Route::GetStock).always(Fault::WrongSerial);
    for _ in 0..3 {
        let answer = send(&client, get()).await;
        assert!(caller
            .verifier
            .verify_response(&answer.headers, &answer.body, now())
            .is_err());
    }
    sim.faults().on(Route::GetStock).clear();
    let answer = send(&client, get()).await;
    caller
        .verifier
        .verify_response(&answer.headers, &answer.body, now())
        .unwrap();

    // Probabilistic but reproducible: the same seed fails the same requests.
    let mut runs = Vec::new();
    for _ in 0..2 {
        sim.faults().clear();
        sim.faults()
            .on(Route::GetStock)
            .randomly(0.5, 42, Fault::Status500SystemError);
        let mut run = Vec::new();
        for _ in 0..12 {
            run.push(send(&client, get()).await.status.as_u16());
        }
        runs.push(run);
    }
    assert_eq!(runs[0], runs[1]);
    assert!(
        runs[0].contains(&500) && runs[0].contains(&200),
        "{:?}",
        runs[0]
    );
}
