//! Each kind of bad request gets WeChat Pay's status and code, with a signed JSON body.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use bytes::Bytes;
use common::*;
use http::{HeaderValue, Request};
use http_body_util::Full;
use wxbrand_core::product_coupon::StockState;
use wxbrand_simulator::clock::{Clock, ManualClock};
use wxbrand_simulator::{reason, sample_stock, SimulatorHandle};

fn list_path() -> String {
    format!("{PREFIX}/{COUPON}/stocks")
}

/// Asserts that the simulator's error answers so far were made for exactly these reasons.
#[track_caller]
fn assert_reasons(sim: &SimulatorHandle, expected: &[(&str, u64)]) {
    let expected: std::collections::BTreeMap<&str, u64> = expected.iter().copied().collect();
    assert_eq!(sim.stats().rejections_by_reason, expected);
}

#[tokio::test]
async fn authorization_problems_are_401_sign_error() {
    let sim = builder(1).start().await.unwrap();
    let caller = Caller::vectors(&sim);
    let client = client();
    let path = list_path();

    let with_auth = |value: &str| {
        let mut r = caller.request("GET", &path, b"");
        r.headers_mut()
            .insert("authorization", HeaderValue::from_str(value).unwrap());
        r
    };
    let good = caller.request("GET", &path, b"");
    let good_value = good.headers()["authorization"]
        .to_str()
        .unwrap()
        .to_string();

    // Missing.
    let mut missing = caller.request("GET", &path, b"");
    missing.headers_mut().remove("authorization");
    send(&client, missing)
        .await
        .assert_error(&caller, 401, "SIGN_ERROR");
    // Another scheme.
    let other_scheme = good_value.replacen(
        "WECHATPAY-BRAND-SHA256-RSA2048",
        "WECHATPAY2-SHA256-RSA2048",
        1,
    );
    send(&client, with_auth(&other_scheme))
        .await
        .assert_error(&caller, 401, "SIGN_ERROR");
    // A parameter missing.
    let no_nonce: Vec<&str> = good_value
        .split(',')
        .filter(|p| !p.trim_start().starts_with("nonce_str"))
        .collect();
    send(&client, with_auth(&no_nonce.join(",")))
        .await
        .assert_error(&caller, 401, "SIGN_ERROR");
    // Unknown brand, unregistered serial.
    send(
        &client,
        with_auth(&good_value.replace("brand_id=\"120344\"", "brand_id=\"999999\"")),
    )
    .await
    .assert_error(&caller, 401, "SIGN_ERROR");
    let v = vectors();
    send(
        &client,
        with_auth(&good_value.replace(&v.serial_no, "0000000000000000000000000000000000000000")),
    )
    .await
    .assert_error(&caller, 401, "SIGN_ERROR");
    // Not visible ASCII.
    let mut bad_bytes = caller.request("GET", &path, b"");
    bad_bytes.headers_mut().insert(
        "authorization",
        HeaderValue::from_bytes(b"WECHATPAY-BRAND-SHA256-RSA2048 \xff\xfe").unwrap(),
    );
    send(&client, bad_bytes)
        .await
        .assert_error(&caller, 401, "SIGN_ERROR");

    // Signed over other bytes: another path, a tampered body, a tampered query.
    let mut moved = caller.request(
        "GET",
        &format!("{PREFIX}/{COUPON}/stocks/{}", stock_id(1)),
        b"",
    );
    *moved.uri_mut() = format!("{}{}", sim.base_url(), path).parse().unwrap();
    send(&client, moved)
        .await
        .assert_error(&caller, 401, "SIGN_ERROR");
    let mut query = caller.request("GET", &format!("{path}?page_size=5"), b"");
    *query.uri_mut() = format!("{}{}?page_size=6", sim.base_url(), path)
        .parse()
        .unwrap();
    send(&client, query)
        .await
        .assert_error(&caller, 401, "SIGN_ERROR");
    let signed = caller.deactivate_request(&stock_id(1), "tamper_0001");
    let (parts, _) = signed.into_parts();
    let tampered = Request::from_parts(
        parts,
        Full::new(Bytes::from(deactivate_body(
            "tamper_0002",
            "批次信息有误,重新创建",
        ))),
    );
    send(&client, tampered)
        .await
        .assert_error(&caller, 401, "SIGN_ERROR");
    assert_eq!(
        sim.stock(COUPON, &stock_id(1)).unwrap().state,
        StockState::Sending
    );

    let stats = sim.stats();
    assert_eq!(stats.rejections("SIGN_ERROR"), 9);
    assert_eq!(stats.transitions.len(), 0);
    assert_reasons(
        &sim,
        &[
            (reason::MISSING_AUTHORIZATION, 1),
            (reason::MALFORMED_AUTHORIZATION, 3),
            (reason::UNKNOWN_BRAND, 1),
            (reason::UNKNOWN_SERIAL, 1),
            (reason::BAD_SIGNATURE, 3),
        ],
    );
}

#[tokio::test]
async fn the_timestamp_window_is_five_minutes_of_the_simulator_clock() {
    let t0 = 1_767_225_600;
    let clock = ManualClock::at_unix_seconds(t0);
    let sim = builder(0).clock(clock.clone()).start().await.unwrap();
    let caller = Caller::vectors(&sim);
    let client = client();
    let path = list_path();
    for (offset, ok) in [
        (0, true),
        (300, true),
        (-300, true),
        (301, false),
        (-301, false),
        (3600, false),
    ] {
        let answer = send(&client, caller.request_at("GET", &path, b"", t0 + offset)).await;
        if ok {
            assert_eq!(answer.status, 404, "{offset}: {:?}", answer.body); // authenticated; the coupon has no stocks
            assert_eq!(answer.code(), "RESOURCE_NOT_EXISTS");
        } else {
            assert_eq!(answer.status, 401, "{offset}");
            assert_eq!(answer.code(), "SIGN_ERROR");
        }
        caller
            .verifier
            .verify_response(&answer.headers, &answer.body, t0)
            .unwrap();
    }
    // Ten minutes later, a request signed at t0 is stale.
    clock.advance_seconds(600);
    let answer = send(&client, caller.request_at("GET", &path, b"", t0)).await;
    assert_eq!(answer.status, 401);
    assert_reasons(
        &sim,
        &[
            (reason::TIMESTAMP_OUT_OF_WINDOW, 4),
            (reason::PRODUCT_COUPON_NOT_FOUND, 3),
        ],
    );
}

#[tokio::test]
async fn header_problems_are_400_invalid_request() {
    let sim = builder(1).start().await.unwrap();
    let caller = Caller::vectors(&sim);
    let client = client();

    let mut wrong_serial = caller.request("GET", &list_path(), b"");
    wrong_serial.headers_mut().insert(
        "wechatpay-serial",
        HeaderValue::from_static("PUB_KEY_ID_0000000000000000000000000000000000"),
    );
    send(&client, wrong_serial)
        .await
        .assert_error(&caller, 400, "INVALID_REQUEST");

    let mut no_serial = caller.request("GET", &list_path(), b"");
    no_serial.headers_mut().remove("wechatpay-serial");
    send(&client, no_serial)
        .await
        .assert_error(&caller, 400, "INVALID_REQUEST");

    let mut html = caller.request("GET", &list_path(), b"");
    html.headers_mut()
        .insert("accept", HeaderValue::from_static("text/html"));
    send(&client, html)
        .await
        .assert_error(&caller, 400, "INVALID_REQUEST");

    let mut form = caller.deactivate_request(&stock_id(1), "header_0001");
    form.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    send(&client, form)
        .await
        .assert_error(&caller, 400, "INVALID_REQUEST");

    let mut charset = caller.deactivate_request(&stock_id(1), "header_0002");
    charset.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    assert_eq!(send(&client, charset).await.status, 200);
    assert_reasons(
        &sim,
        &[
            (reason::WRONG_WECHATPAY_SERIAL, 1),
            (reason::MISSING_WECHATPAY_SERIAL, 1),
            (reason::BAD_ACCEPT, 1),
            (reason::BAD_CONTENT_TYPE, 1),
        ],
    );
}

#[tokio::test]
async fn body_rules_are_400_param_error_naming_the_field() {
    let sim = builder(1).start().await.unwrap();
    let caller = Caller::vectors(&sim);
    let client = client();
    let path = deactivate_path(COUPON, &stock_id(1));
    let cases: Vec<(String, &str, u64)> = vec![
        ("{\"out_request_no\":".to_string(), "body", 268_435_461),
        ("[1,2]".to_string(), "body", 268_435_461),
        (
            r#"{"deactivate_reason":"x"}"#.to_string(),
            "out_request_no",
            268_435_461,
        ),
        (
            r#"{"out_request_no":12345678,"deactivate_reason":"x"}"#.to_string(),
            "out_request_no",
            268_435_461,
        ),
        (
            r#"{"out_request_no":"abc12","deactivate_reason":"x"}"#.to_string(),
            "out_request_no",
            268_435_463,
        ),
        (
            deactivate_body(&"a".repeat(41), "x"),
            "out_request_no",
            268_435_462,
        ),
        (
            deactivate_body("abc 12345", "x"),
            "out_request_no",
            268_435_461,
        ),
        (
            deactivate_body("编号123456", "x"),
            "out_request_no",
            268_435_461,
        ),
        (
            r#"{"out_request_no":"abc123"}"#.to_string(),
            "deactivate_reason",
            268_435_461,
        ),
        (
            deactivate_body("abc123", ""),
            "deactivate_reason",
            268_435_463,
        ),
        (
            deactivate_body("abc123", &"失".repeat(151)),
            "deactivate_reason",
            268_435_462,
        ),
    ];
    for (body, field, errno) in cases {
        let answer = send(&client, caller.request("POST", &path, body.as_bytes())).await;
        answer.assert_error(&caller, 400, "PARAM_ERROR");
        let detail = &answer.json()["detail"];
        assert_eq!(detail["field"], field, "{body}");
        assert_eq!(detail["location"], "body");
        assert!(detail["issue"].is_string());
        assert!(detail["value"].as_str().unwrap().chars().count() <= 32);
        assert_eq!(answer.errno(), errno, "{body}");
    }
    // Not UTF-8 at all.
    let answer = send(
        &client,
        caller.request("POST", &path, b"{\"out_request_no\":\"\xff\xfe\"}"),
    )
    .await;
    answer.assert_error(&caller, 400, "PARAM_ERROR");
    // Limits are in characters: 150 CJK characters (450 bytes) and 40 ASCII are fine.
    let answer = send(
        &client,
        caller.request(
            "POST",
            &path,
            deactivate_body(&"a".repeat(40), &"失".repeat(150)).as_bytes(),
        ),
    )
    .await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    assert_reasons(&sim, &[(reason::PARAM_ERROR, 12)]);
}

#[tokio::test]
async fn missing_stocks_and_wrong_states() {
    let stopped = sample_stock(COUPON, "600000001", StockState::Stopped).unwrap();
    let auditing = sample_stock(COUPON, "600000002", StockState::Auditing).unwrap();
    let other_coupon = sample_stock("200000002", "600000003", StockState::Sending).unwrap();
    let sim = builder(1)
        .stock(stopped)
        .stock(auditing)
        .stock(other_coupon)
        .start()
        .await
        .unwrap();
    let caller = Caller::vectors(&sim);
    let client = client();

    let unknown = send(
        &client,
        caller.deactivate_request("700000000", "missing_0001"),
    )
    .await;
    unknown.assert_error(&caller, 404, "RESOURCE_NOT_EXISTS");
    assert_eq!(unknown.errno(), 268_578_608);
    // The stock exists, but under another coupon.
    send(
        &client,
        caller.deactivate_request("600000003", "missing_0002"),
    )
    .await
    .assert_error(&caller, 404, "RESOURCE_NOT_EXISTS");
    let get_other = caller.request("GET", &format!("{PREFIX}/{COUPON}/stocks/600000003"), b"");
    send(&client, get_other)
        .await
        .assert_error(&caller, 404, "RESOURCE_NOT_EXISTS");
    let list_unknown = caller.request("GET", &format!("{PREFIX}/123/stocks"), b"");
    send(&client, list_unknown)
        .await
        .assert_error(&caller, 404, "RESOURCE_NOT_EXISTS");

    for stock in ["600000001", "600000002"] {
        send(
            &client,
            caller.deactivate_request(stock, &format!("state_{stock}")),
        )
        .await
        .assert_error(&caller, 400, "INVALID_REQUEST");
    }
    assert_eq!(sim.stats().transitions.len(), 0);
    assert_reasons(
        &sim,
        &[
            (reason::STOCK_NOT_FOUND, 1),
            (reason::STOCK_OF_ANOTHER_COUPON, 2),
            (reason::PRODUCT_COUPON_NOT_FOUND, 1),
            (reason::INVALID_STATE, 2),
        ],
    );
}

#[tokio::test]
async fn list_query_rules() {
    let sim = builder(3).start().await.unwrap();
    let caller = Caller::vectors(&sim);
    let client = client();
    for (query, field) in [
        ("page_size=0", "page_size"),
        ("page_size=51", "page_size"),
        ("page_size=ten", "page_size"),
        ("page_token=%%%", "query"),
        ("page_token=bm90IGEgdG9rZW4", "page_token"),
        ("state=SLEEPING", "state"),
    ] {
        let answer = send(
            &client,
            caller.request("GET", &format!("{}?{query}", list_path()), b""),
        )
        .await;
        answer.assert_error(&caller, 400, "PARAM_ERROR");
        assert_eq!(answer.json()["detail"]["field"], field, "{query}");
        assert_eq!(answer.json()["detail"]["location"], "query");
    }
    let answer = send(
        &client,
        caller.request(
            "GET",
            &format!("{}?page_size=50&state=SENDING", list_path()),
            b"",
        ),
    )
    .await;
    assert_eq!(answer.json()["total_count"], 3);
    assert_reasons(&sim, &[(reason::PARAM_ERROR, 6)]);
}

#[tokio::test]
async fn unknown_routes_and_methods() {
    let sim = builder(1).start().await.unwrap();
    let caller = Caller::vectors(&sim);
    let client = client();

    let answer = send(
        &client,
        caller.request("GET", "/v3/marketing/favor/stocks", b""),
    )
    .await;
    answer.assert_error(&caller, 404, "NOT_FOUND");
    let answer = send(
        &client,
        caller.request(
            "GET",
            &format!("{PREFIX}/{COUPON}/stocks/{}/deactivate", stock_id(1)),
            b"",
        ),
    )
    .await;
    answer.assert_error(&caller, 405, "METHOD_NOT_ALLOWED");
    assert_eq!(answer.headers["allow"], "POST");
    let answer = send(
        &client,
        caller.request(
            "DELETE",
            &format!("{PREFIX}/{COUPON}/stocks/{}", stock_id(1)),
            b"",
        ),
    )
    .await;
    answer.assert_error(&caller, 405, "METHOD_NOT_ALLOWED");
    // A stock is read (GET) and updated (PATCH).
    assert_eq!(answer.headers["allow"], "GET, PATCH");
    // Percent-decoded segments: %33 is "3".
    let answer = send(
        &client,
        caller.request(
            "GET",
            &format!("{PREFIX}/{COUPON}/stocks/%33{}", &stock_id(1)[1..]),
            b"",
        ),
    )
    .await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    let answer = send(
        &client,
        caller.request("GET", &format!("{PREFIX}/{COUPON}/stocks/%FF"), b""),
    )
    .await;
    answer.assert_error(&caller, 400, "PARAM_ERROR");
    assert_reasons(
        &sim,
        &[
            (reason::UNKNOWN_ROUTE, 1),
            (reason::METHOD_NOT_ALLOWED, 2),
            (reason::PARAM_ERROR, 1),
        ],
    );
}

#[tokio::test]
async fn huge_bodies_get_413_without_harm() {
    let sim = builder(1).max_body_bytes(1024).start().await.unwrap();
    let caller = Caller::vectors(&sim);
    let client = client();
    let big = format!(
        r#"{{"out_request_no":"big_0001","deactivate_reason":"{}"}}"#,
        "x".repeat(4096)
    );
    let answer = send(
        &client,
        caller.request(
            "POST",
            &deactivate_path(COUPON, &stock_id(1)),
            big.as_bytes(),
        ),
    )
    .await;
    answer.assert_error(&caller, 413, "PARAM_ERROR");
    // The server is fine afterwards.
    let answer = send(&client, caller.deactivate_request(&stock_id(1), "big_0002")).await;
    assert_eq!(answer.status, 200);
    assert_reasons(&sim, &[(reason::BODY_TOO_LARGE, 1)]);
}

/// The head of a deactivation request on a raw socket, up to the blank line; the caller adds the
/// body framing headers (`Content-Length` or `Transfer-Encoding`).
fn raw_deactivate_head(framing: &str) -> String {
    format!(
        "POST {} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n{framing}\r\nConnection: close\r\n\r\n",
        deactivate_path(COUPON, &stock_id(1))
    )
}

#[tokio::test]
async fn a_chunked_body_over_the_cap_gets_413() {
    let sim = builder(1).max_body_bytes(1024).start().await.unwrap();
    let caller = Caller::vectors(&sim);
    // No announced length: two chunks of 1024 bytes, so the cap is found while reading.
    let chunk = format!("400\r\n{}\r\n", "x".repeat(1024));
    let request = format!(
        "{}{chunk}{chunk}0\r\n\r\n",
        raw_deactivate_head("Transfer-Encoding: chunked")
    );
    parse_raw_answer(&raw(&sim, request.as_bytes()).await).assert_error(
        &caller,
        413,
        "PARAM_ERROR",
    );
    assert_reasons(&sim, &[(reason::BODY_TOO_LARGE, 1)]);
    assert_eq!(
        sim.stock(COUPON, &stock_id(1)).unwrap().state,
        StockState::Sending
    );
}

#[tokio::test]
async fn a_body_that_never_finishes_gets_408() {
    let limit = std::time::Duration::from_millis(200);
    let sim = builder(1).body_read_timeout(limit).start().await.unwrap();
    let caller = Caller::vectors(&sim);
    // 100 bytes announced, 1 sent, and the connection left open.
    let request = format!("{}{{", raw_deactivate_head("Content-Length: 100"));
    let started = tokio::time::Instant::now();
    let bytes = raw(&sim, request.as_bytes()).await;
    let waited = started.elapsed();
    let answer = parse_raw_answer(&bytes);
    answer.assert_error(&caller, 408, "INVALID_REQUEST");
    assert!(answer.json()["message"]
        .as_str()
        .unwrap()
        .contains("200 ms"));
    // Not before the limit; well before the 5 s `raw` would wait for a silent server.
    assert!(waited >= limit, "{waited:?}");
    assert!(waited < PATIENCE, "{waited:?}");
    assert_reasons(&sim, &[(reason::BODY_TIMEOUT, 1)]);
}

#[tokio::test]
async fn rate_limit_is_20_per_second_per_brand() {
    let v = vectors();
    // Brand B; any other RSA key will do, so it borrows the vector WeChat Pay key pair.
    let (b_id, b_serial) = ("120999", "0000000000000000000000000000000000000003");
    let clock = ManualClock::starting_now();
    let sim = builder(30)
        .brand(b_id, b_serial, v.wechatpay_public.clone())
        .clock(clock.clone())
        .start()
        .await
        .unwrap();
    let brand_a = Caller::vectors(&sim);
    let brand_b = Caller {
        signer: wxbrand_sign::Signer::new(b_id, b_serial, v.wechatpay_private.clone()),
        ..brand_a.clone()
    };
    let client = client();
    let t0 = clock.now_unix_seconds();
    let deactivate = |caller: &Caller, i: usize| {
        let request = caller.request_at(
            "POST",
            &deactivate_path(COUPON, &stock_id(i)),
            deactivate_body(&format!("rate_{i:04}"), "x").as_bytes(),
            t0,
        );
        send(&client, request)
    };
    for i in 1..=20 {
        assert_eq!(deactivate(&brand_a, i).await.status, 200, "{i}");
    }
    let answer = deactivate(&brand_a, 21).await;
    answer.assert_error(&brand_a, 429, "RATELIMIT_EXCEEDED");
    assert_eq!(answer.errno(), 270_924_289);
    // The limit is brand A's: brand B deactivates in the same second.
    assert_eq!(deactivate(&brand_b, 22).await.status, 200);
    // GETs are not limited.
    assert_eq!(
        send(&client, brand_a.request_at("GET", &list_path(), b"", t0))
            .await
            .status,
        200
    );
    // A second later the window has room again; the refused request can be retried.
    clock.advance(std::time::Duration::from_millis(1000));
    assert_eq!(deactivate(&brand_a, 21).await.status, 200);
    let stats = sim.stats();
    assert_eq!(stats.max_deactivations_in_any_second(), 21);
    assert_eq!(stats.max_deactivations_in_any_second_for(&v.brand_id), 20);
    assert_eq!(stats.max_deactivations_in_any_second_for(b_id), 1);
    assert_eq!(stats.deactivation_admissions.len(), 22);
    assert_eq!(stats.transitions.len(), 22);
    assert_reasons(&sim, &[(reason::RATE_LIMITED, 1)]);
}
