//! Users' coupons and the notify configuration over real sockets, with raw signed requests: the
//! routes, their answers (signed), their error codes, paging, and the events recorded.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use wxbrand_simulator::clock::ManualClock;
use wxbrand_simulator::{reason, CouponEventType, Route, SimulatorHandle};

const USERS: &str = "/brand/marketing/product-coupon/users";
const STOCK: &str = "300000001";
const APPID: &str = "wx1234567890abcdef";
/// 2026-06-01T00:00:00+08:00, inside the sample stock's period.
const JUNE_1: i64 = 1_780_243_200;

async fn start() -> (SimulatorHandle, Caller, ManualClock) {
    let clock = ManualClock::at_unix_seconds(JUNE_1);
    let sim = builder(1).clock(clock.clone()).start().await.unwrap();
    let caller = Caller::vectors(&sim);
    (sim, caller, clock)
}

/// Sends a signed request at the simulator's time and checks that the answer verifies.
async fn call(
    caller: &Caller,
    clock: &ManualClock,
    method: &str,
    path: &str,
    body: serde_json::Value,
) -> Answer {
    use wxbrand_simulator::clock::Clock;
    let now = clock.now_unix_seconds();
    let bytes = if body.is_null() {
        Vec::new()
    } else {
        bytes(&body)
    };
    let answer = send(&client(), caller.request_at(method, path, &bytes, now)).await;
    caller
        .verifier
        .verify_response(&answer.headers, &answer.body, now)
        .unwrap();
    answer
}

fn send_body(no: &str) -> serde_json::Value {
    serde_json::json!({
        "product_coupon_id": COUPON, "stock_id": STOCK, "appid": APPID,
        "send_request_no": no, "attach": "order 42",
    })
}

fn change_body(no: &str) -> serde_json::Value {
    serde_json::json!({
        "product_coupon_id": COUPON, "stock_id": STOCK, "appid": APPID, "out_request_no": no,
    })
}

fn use_body(no: &str) -> serde_json::Value {
    let mut body = change_body(no);
    body["use_time"] = "2026-06-01T12:00:00+08:00".into();
    body["associated_order_info"] =
        serde_json::json!({ "transaction_id": "4200000001", "mchid": "1230000109" });
    body
}

#[tokio::test]
async fn a_coupon_is_sent_confirmed_used_returned_and_listed() {
    let (sim, caller, clock) = start().await;
    let user = "oUpUser000000000000000000001";

    let sent = call(
        &caller,
        &clock,
        "POST",
        &format!("{USERS}/{user}/coupons"),
        send_body("send-0001"),
    )
    .await;
    assert_eq!(sent.status, 200, "{:?}", sent.body);
    let sent = sent.json();
    assert_eq!(sent["coupon_state"], "CONFIRMING");
    assert_eq!(sent["send_request_no"], "send-0001");
    assert_eq!(sent["attach"], "order 42");
    assert_eq!(sent["stock"]["sent_count_info"]["total_count"], 1);
    assert_eq!(sent["product_coupon"]["product_coupon_id"], COUPON);
    let code = sent["coupon_code"].as_str().unwrap().to_string();
    let at = |what: &str| format!("{USERS}/{user}/coupons/{code}/{what}");

    let confirmed = call(
        &caller,
        &clock,
        "POST",
        &at("confirm"),
        change_body("conf-0001"),
    )
    .await;
    assert_eq!(confirmed.json()["coupon_state"], "EFFECTIVE");
    assert_eq!(confirmed.json()["confirm_request_no"], "conf-0001");
    let used = call(&caller, &clock, "POST", &at("use"), use_body("use-0001")).await;
    assert_eq!(used.json()["coupon_state"], "USED");
    assert_eq!(
        used.json()["single_usage_detail"]["use_request_no"],
        "use-0001"
    );
    assert_eq!(
        used.json()["single_usage_detail"]["associated_order_info"]["transaction_id"],
        "4200000001"
    );
    let returned = call(
        &caller,
        &clock,
        "POST",
        &at("return"),
        change_body("ret-0001"),
    )
    .await;
    assert_eq!(returned.json()["coupon_state"], "EFFECTIVE");
    assert_eq!(
        returned.json()["single_usage_detail"]["return_request_no"],
        "ret-0001"
    );

    let query = format!("?appid={APPID}&product_coupon_id={COUPON}&stock_id={STOCK}");
    let got = call(
        &caller,
        &clock,
        "GET",
        &format!("{USERS}/{user}/coupons/{code}{query}"),
        serde_json::Value::Null,
    )
    .await;
    assert_eq!(got.json()["coupon_state"], "EFFECTIVE");
    let listed = call(
        &caller,
        &clock,
        "GET",
        &format!("{USERS}/{user}/coupons{query}"),
        serde_json::Value::Null,
    )
    .await;
    assert_eq!(listed.json()["total_count"], 1);
    assert_eq!(
        listed.json()["user_coupon_list"][0]["coupon_code"],
        code.as_str()
    );
    let none = call(
        &caller,
        &clock,
        "GET",
        &format!("{USERS}/{user}/coupons?coupon_state=USED"),
        serde_json::Value::Null,
    )
    .await;
    assert_eq!(none.json()["total_count"], 0);

    let deactivated = call(&caller, &clock, "POST", &at("deactivate"), {
        let mut b = change_body("dea-0001");
        b["deactivate_reason"] = "发错了".into();
        b
    })
    .await;
    assert_eq!(deactivated.json()["coupon_state"], "DEACTIVATED");
    assert_eq!(deactivated.json()["deactivate_reason"], "发错了");

    let events: Vec<CouponEventType> = sim.coupon_events().iter().map(|e| e.event_type).collect();
    assert_eq!(
        events,
        [
            CouponEventType::Send,
            CouponEventType::Confirm,
            CouponEventType::Use,
            CouponEventType::Return,
            CouponEventType::Deactivate
        ]
    );
    let stats = sim.stats();
    for route in [
        Route::SendUserCoupon,
        Route::ConfirmUserCoupon,
        Route::UseUserCoupon,
        Route::ReturnUserCoupon,
        Route::GetUserCoupon,
        Route::DeactivateUserCoupon,
    ] {
        assert_eq!(stats.requests_on(route), 1, "{route:?}");
    }
    assert_eq!(stats.requests_on(Route::ListUserCoupons), 2);
    sim.shutdown().await;
}

#[tokio::test]
async fn illegal_transitions_missing_coupons_and_broken_bodies_get_wechat_errors() {
    let (sim, caller, clock) = start().await;
    let user = "oUpUser000000000000000000002";
    let sent = call(
        &caller,
        &clock,
        "POST",
        &format!("{USERS}/{user}/coupons"),
        send_body("send-0001"),
    )
    .await;
    let code = sent.json()["coupon_code"].as_str().unwrap().to_string();
    let at = |what: &str| format!("{USERS}/{user}/coupons/{code}/{what}");

    // Using a CONFIRMING coupon: 400 INVALID_REQUEST.
    let refused = call(&caller, &clock, "POST", &at("use"), use_body("use-0001")).await;
    assert_eq!(
        (refused.status.as_u16(), refused.code()),
        (400, "INVALID_REQUEST".to_string())
    );
    assert!(refused.json()["message"]
        .as_str()
        .unwrap()
        .contains("CONFIRMING"));
    assert_eq!(sim.stats().rejections_for(reason::INVALID_STATE), 1);
    // A coupon the user does not hold: 404 with the "not found" error number.
    let missing = call(
        &caller,
        &clock,
        "POST",
        &format!("{USERS}/oOther/coupons/{code}/confirm"),
        change_body("conf-0001"),
    )
    .await;
    assert_eq!(
        (missing.status.as_u16(), missing.code()),
        (404, "RESOURCE_NOT_EXISTS".to_string())
    );
    assert_eq!(missing.errno(), 268_578_608);
    // A broken request number: PARAM_ERROR naming the field.
    let broken = call(&caller, &clock, "POST", &at("confirm"), change_body("abc")).await;
    assert_eq!(
        (broken.status.as_u16(), broken.code()),
        (400, "PARAM_ERROR".to_string())
    );
    assert_eq!(broken.json()["detail"]["field"], "out_request_no");
    // A use without its order: PARAM_ERROR.
    let mut no_order = use_body("use-0002");
    no_order
        .as_object_mut()
        .unwrap()
        .remove("associated_order_info");
    let broken = call(&caller, &clock, "POST", &at("use"), no_order).await;
    assert_eq!(broken.json()["detail"]["field"], "associated_order_info");
    // The same send_request_no with another body.
    let mut other = send_body("send-0001");
    other["attach"] = "another".into();
    let reused = call(
        &caller,
        &clock,
        "POST",
        &format!("{USERS}/{user}/coupons"),
        other,
    )
    .await;
    assert_eq!(reused.code(), "INVALID_REQUEST");
    assert_eq!(sim.stats().rejections_for(reason::OUT_REQUEST_NO_REUSED), 1);
    // Get without its required query.
    let no_query = call(
        &caller,
        &clock,
        "GET",
        &format!("{USERS}/{user}/coupons/{code}"),
        serde_json::Value::Null,
    )
    .await;
    assert_eq!(no_query.json()["detail"]["field"], "product_coupon_id");
    // A per-user limit of 1 (the sample stock): the second send is refused.
    let second = call(
        &caller,
        &clock,
        "POST",
        &format!("{USERS}/{user}/coupons"),
        send_body("send-0002"),
    )
    .await;
    assert_eq!(second.code(), "INVALID_REQUEST");
    assert_eq!(sim.stats().rejections_for(reason::SEND_LIMIT_REACHED), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn listings_page_with_tokens() {
    let (sim, caller, clock) = start().await;
    let mut stock = sim.stock(COUPON, STOCK).unwrap();
    stock.stock_send_rule.as_mut().unwrap().max_count_per_user = Some(5);
    sim.put_stock(stock);
    let user = "oUpUser000000000000000000003";
    for i in 0..5 {
        let sent = call(
            &caller,
            &clock,
            "POST",
            &format!("{USERS}/{user}/coupons"),
            send_body(&format!("send-000{i}")),
        )
        .await;
        assert_eq!(sent.status, 200);
    }
    let mut codes = Vec::new();
    let mut token = String::new();
    loop {
        let path = format!("{USERS}/{user}/coupons?page_size=2{token}");
        let page = call(&caller, &clock, "GET", &path, serde_json::Value::Null)
            .await
            .json();
        assert_eq!(page["total_count"], 5);
        for c in page["user_coupon_list"].as_array().unwrap() {
            codes.push(c["coupon_code"].as_str().unwrap().to_string());
        }
        match page["next_page_token"].as_str() {
            Some(next) => token = format!("&page_token={next}"),
            None => break,
        }
    }
    let held: Vec<String> = sim.user_coupons(user).into_iter().map(|(c, _)| c).collect();
    assert_eq!(codes, held);
    let bad = call(
        &caller,
        &clock,
        "GET",
        &format!("{USERS}/{user}/coupons?page_size=51"),
        serde_json::Value::Null,
    )
    .await;
    assert_eq!(bad.json()["detail"]["field"], "page_size");
    sim.shutdown().await;
}

#[tokio::test]
async fn a_pre_sent_coupon_is_claimed_within_five_minutes() {
    let (sim, caller, clock) = start().await;
    let user = "oUpUser000000000000000000004";
    let pre = call(
        &caller,
        &clock,
        "POST",
        &format!("{USERS}/{user}/pre-send-coupon"),
        send_body("pre-0001"),
    )
    .await;
    let token = pre.json()["token"].as_str().unwrap().to_string();
    clock.advance_seconds(299);
    let (openid, code) = sim.claim_pre_sent_coupon(&token).unwrap();
    assert_eq!(openid, user);
    assert_eq!(sim.user_coupons(user), vec![(code, "CONFIRMING")]);
    assert_eq!(sim.coupon_events()[0].send_channel, "RECEIVE_COMPONENT");

    let other = "oUpUser000000000000000000005";
    let pre = call(
        &caller,
        &clock,
        "POST",
        &format!("{USERS}/{other}/pre-send-coupon"),
        send_body("pre-0002"),
    )
    .await;
    let token = pre.json()["token"].as_str().unwrap().to_string();
    clock.advance_seconds(300);
    assert_eq!(sim.claim_pre_sent_coupon(&token), None, "lapsed");
    assert!(sim.user_coupons(other).is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn notify_config_is_set_and_read_per_brand() {
    let (sim, caller, clock) = start().await;
    let path = "/brand/marketing/product-coupon/notify-configs";
    let unset = call(&caller, &clock, "GET", path, serde_json::Value::Null).await;
    assert_eq!(
        (unset.status.as_u16(), unset.code()),
        (404, "RESOURCE_NOT_EXISTS".to_string())
    );
    let refused = call(
        &caller,
        &clock,
        "POST",
        path,
        serde_json::json!({ "notify_url": "http://brand.example.com/notify" }),
    )
    .await;
    assert_eq!(refused.json()["detail"]["field"], "notify_url");
    let refused = call(
        &caller,
        &clock,
        "POST",
        path,
        serde_json::json!({ "notify_url": "https://192.168.1.2/notify" }),
    )
    .await;
    assert_eq!(refused.code(), "PARAM_ERROR");
    let set = call(
        &caller,
        &clock,
        "POST",
        path,
        serde_json::json!({ "notify_url": "https://brand.example.com/wxpay/notify" }),
    )
    .await;
    assert_eq!(set.status, 200, "{:?}", set.body);
    assert_eq!(set.json()["update_time"], "2026-06-01T00:00:00+08:00");
    clock.advance_seconds(60);
    let got = call(&caller, &clock, "GET", path, serde_json::Value::Null).await;
    assert_eq!(got.json(), set.json());
    sim.shutdown().await;
}
