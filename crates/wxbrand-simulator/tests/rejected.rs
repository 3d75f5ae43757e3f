//! Each kind of bad request gets WeChat Pay's status and code, with a signed JSON body.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use bytes::Bytes;
use common::*;
use http::{HeaderValue, Request};
use http_body_util::Full;
use wxbrand_core::product_coupon::StockState;
use wxbrand_simulator::clock::{Clock, ManualClock};
use wxbrand_simulator::sample_stock;

fn list_path() -> String {
    format!("{PREFIX}/{COUPON}/stocks")
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
    assert_eq!(answer.headers["allow"], "GET");
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
}

#[tokio::test]
async fn rate_limit_is_20_per_second_per_brand() {
    let clock = ManualClock::starting_now();
    let sim = builder(30).clock(clock.clone()).start().await.unwrap();
    let caller = Caller::vectors(&sim);
    let client = client();
    let t0 = clock.now_unix_seconds();
    for i in 1..=20 {
        let answer = send(
            &client,
            caller.request_at(
                "POST",
                &deactivate_path(COUPON, &stock_id(i)),
                deactivate_body(&format!("rate_{i:04}"), "x").as_bytes(),
                t0,
            ),
        )
        .await;
        assert_eq!(answer.status, 200, "{i}");
    }
    let answer = send(
        &client,
        caller.request_at(
            "POST",
            &deactivate_path(COUPON, &stock_id(21)),
            deactivate_body("rate_0021", "x").as_bytes(),
            t0,
        ),
    )
    .await;
    answer.assert_error(&caller, 429, "RATELIMIT_EXCEEDED");
    assert_eq!(answer.errno(), 270_924_289);
    // GETs are not limited.
    assert_eq!(
        send(&client, caller.request_at("GET", &list_path(), b"", t0))
            .await
            .status,
        200
    );
    // A second later the window has room again; the refused request can be retried.
    clock.advance(std::time::Duration::from_millis(1000));
    let answer = send(
        &client,
        caller.request_at(
            "POST",
            &deactivate_path(COUPON, &stock_id(21)),
            deactivate_body("rate_0021", "x").as_bytes(),
            t0,
        ),
    )
    .await;
    assert_eq!(answer.status, 200);
    let stats = sim.stats();
    assert_eq!(stats.max_deactivations_in_any_second(), 20);
    assert_eq!(
        stats.max_deactivations_in_any_second_for(&vectors().brand_id),
        20
    );
    assert_eq!(stats.deactivation_admissions.len(), 21);
    assert_eq!(stats.transitions.len(), 21);
}
