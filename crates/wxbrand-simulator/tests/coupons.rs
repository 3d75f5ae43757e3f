//! Product-coupon routes over real sockets: every answer signed, state as seeded or changed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use wxbrand_core::product_coupon::{
    CreateCouponResponse, ProductCouponEntity, ProductCouponState, StockState,
};
use wxbrand_simulator::{reason, sample_coupon, Route};

#[tokio::test]
async fn get_coupon_answers_the_seeded_coupon_signed() {
    let seeded = sample_coupon(COUPON, ProductCouponState::Effective).unwrap();
    let sim = builder(1).coupon(seeded.clone()).start().await.unwrap();
    let caller = Caller::vectors(&sim);
    let client = client();

    let answer = send(
        &client,
        caller.request("GET", &format!("{PREFIX}/{COUPON}"), b""),
    )
    .await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    caller
        .verifier
        .verify_response(&answer.headers, &answer.body, now())
        .unwrap();
    let coupon: ProductCouponEntity = serde_json::from_slice(&answer.body).unwrap();
    assert_eq!(coupon, seeded);
    assert_eq!(sim.coupon(COUPON), Some(seeded));

    // Its stock is still served under it.
    let answer = send(
        &client,
        caller.request("GET", &format!("{PREFIX}/{COUPON}/stocks"), b""),
    )
    .await;
    assert_eq!(answer.json()["total_count"], 1);

    let stats = sim.stats();
    assert_eq!(stats.requests_on(Route::GetCoupon), 1);
    assert_eq!(stats.requests_on(Route::ListStocks), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn get_coupon_of_an_unknown_id_is_not_found_and_a_seeded_stock_implies_its_coupon() {
    let sim = builder(1).start().await.unwrap();
    let caller = Caller::vectors(&sim);
    let client = client();

    let answer = send(
        &client,
        caller.request("GET", &format!("{PREFIX}/299999999"), b""),
    )
    .await;
    answer.assert_error(&caller, 404, "RESOURCE_NOT_EXISTS");
    assert_eq!(answer.errno(), 268_578_608);
    assert_eq!(
        sim.stats().rejections_for(reason::PRODUCT_COUPON_NOT_FOUND),
        1
    );

    // Only a stock was seeded: its coupon exists, EFFECTIVE, with nothing else known.
    let answer = send(
        &client,
        caller.request("GET", &format!("{PREFIX}/{COUPON}"), b""),
    )
    .await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    let coupon: ProductCouponEntity = serde_json::from_slice(&answer.body).unwrap();
    assert_eq!(coupon.product_coupon_id, COUPON);
    assert_eq!(coupon.state, ProductCouponState::Effective);

    // A broken id is refused before any lookup; POST is not served on this path.
    let answer = send(
        &client,
        caller.request("GET", &format!("{PREFIX}/12%2F3"), b""),
    )
    .await;
    answer.assert_error(&caller, 400, "PARAM_ERROR");
    assert_eq!(answer.json()["detail"]["field"], "product_coupon_id");
    sim.shutdown().await;
}

#[tokio::test]
async fn create_coupon_makes_the_coupon_and_its_stock_once_per_request_number() {
    let sim = builder(0).start().await.unwrap();
    let caller = Caller::vectors(&sim);
    let client = client();
    let body = bytes(&create_body("create_0001"));

    let answer = send(&client, caller.request("POST", PREFIX, &body)).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    caller
        .verifier
        .verify_response(&answer.headers, &answer.body, now())
        .unwrap();
    let created: CreateCouponResponse = serde_json::from_slice(&answer.body).unwrap();
    let coupon_id = created.coupon.product_coupon_id.clone();
    assert_eq!(created.coupon.state, ProductCouponState::Effective);
    assert_eq!(
        created.coupon.out_product_no.as_deref(),
        Some("product_0001")
    );
    let stock = created.stock.clone().unwrap();
    assert_eq!(stock.product_coupon_id, coupon_id);
    assert_eq!(stock.state, StockState::Sending);
    assert_eq!(stock.sent_count_info.as_ref().unwrap().total_count, Some(0));
    assert_ne!(stock.stock_id, coupon_id);
    assert_eq!(sim.coupon(&coupon_id), Some(created.coupon.clone()));
    assert_eq!(sim.stock(&coupon_id, &stock.stock_id), Some(stock.clone()));

    // The same request again (keys in another order): the first answer, byte for byte.
    let mut reordered = serde_json::Map::new();
    for (k, v) in create_body("create_0001").as_object().unwrap().iter().rev() {
        reordered.insert(k.clone(), v.clone());
    }
    let again = send(
        &client,
        caller.request("POST", PREFIX, &bytes(&reordered.into())),
    )
    .await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body, answer.body);
    assert_eq!(sim.stock_count(), 1);

    // The same number with another body: refused, nothing made.
    let mut other = create_body("create_0001");
    other["out_product_no"] = "product_0002".into();
    let refused = send(&client, caller.request("POST", PREFIX, &bytes(&other))).await;
    refused.assert_error(&caller, 400, "INVALID_REQUEST");
    assert_eq!(sim.stats().rejections_for(reason::OUT_REQUEST_NO_REUSED), 1);

    // A new number makes a second coupon with new ids.
    let second = send(
        &client,
        caller.request("POST", PREFIX, &bytes(&create_body("create_0002"))),
    )
    .await;
    let second: CreateCouponResponse = serde_json::from_slice(&second.body).unwrap();
    assert_ne!(second.coupon.product_coupon_id, coupon_id);
    assert_eq!(sim.stock_count(), 2);
    assert_eq!(sim.stats().requests_on(Route::CreateCoupon), 4);
    sim.shutdown().await;
}

#[tokio::test]
async fn create_coupon_refuses_a_broken_rule_naming_its_path() {
    let sim = builder(0).start().await.unwrap();
    let caller = Caller::vectors(&sim);
    let client = client();
    let mut cases = Vec::new();
    let mut body = create_body("create_0001");
    body["stock"]["stock_send_rule"]["max_count_per_user"] = 101.into();
    cases.push((body, "stock.stock_send_rule.max_count_per_user"));
    let mut body = create_body("create_0001");
    body["display_info"].as_object_mut().unwrap().remove("name");
    cases.push((body, "display_info.name"));
    let mut body = create_body("create_0001");
    body.as_object_mut().unwrap().remove("stock");
    cases.push((body, "stock"));
    let mut body = create_body("create_0001");
    body["out_request_no"] = "abc".into();
    cases.push((body, "out_request_no"));
    let mut body = create_body("create_0001");
    body["stock"]["unknown_field"] = 1.into();
    cases.push((body, "stock.unknown_field"));
    for (body, field) in cases {
        let answer = send(&client, caller.request("POST", PREFIX, &bytes(&body))).await;
        answer.assert_error(&caller, 400, "PARAM_ERROR");
        assert_eq!(answer.json()["detail"]["field"], field, "{:?}", answer.body);
        assert_eq!(answer.json()["detail"]["location"], "body");
    }
    assert_eq!(sim.stock_count(), 0);
    sim.shutdown().await;
}

fn display(name: &str) -> serde_json::Value {
    serde_json::json!({
        "name": name,
        "image_url": "https://wxpaylogo.qpic.cn/wxpaylogo/coupon2.png",
        "background_url": "https://wxpaylogo.qpic.cn/wxpaylogo/background2.png"
    })
}

#[tokio::test]
async fn update_coupon_replaces_the_display_once_per_request_number() {
    let seeded = sample_coupon(COUPON, ProductCouponState::Effective).unwrap();
    let sim = builder(1).coupon(seeded).start().await.unwrap();
    let caller = Caller::vectors(&sim);
    let client = client();
    let path = format!("{PREFIX}/{COUPON}");
    let body =
        serde_json::json!({ "out_request_no": "update_0001", "display_info": display("新名字券") });

    let answer = send(&client, caller.request("PATCH", &path, &bytes(&body))).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    caller
        .verifier
        .verify_response(&answer.headers, &answer.body, now())
        .unwrap();
    let coupon: ProductCouponEntity = serde_json::from_slice(&answer.body).unwrap();
    let name = coupon.display_info.as_ref().unwrap().name.as_deref();
    assert_eq!(name, Some("新名字券"));
    assert_eq!(sim.coupon(COUPON), Some(coupon));

    // Repeat: the first answer; same number, other body: refused; on another coupon: refused.
    let again = send(&client, caller.request("PATCH", &path, &bytes(&body))).await;
    assert_eq!(again.body, answer.body);
    let other = serde_json::json!({ "out_request_no": "update_0001", "display_info": display("另一个名字") });
    send(&client, caller.request("PATCH", &path, &bytes(&other)))
        .await
        .assert_error(&caller, 400, "INVALID_REQUEST");
    let elsewhere = format!("{PREFIX}/299999999");
    send(&client, caller.request("PATCH", &elsewhere, &bytes(&body)))
        .await
        .assert_error(&caller, 400, "INVALID_REQUEST");

    // A broken rule names its path; an unknown coupon is not found.
    let broken =
        serde_json::json!({ "out_request_no": "update_0002", "display_info": display("") });
    let answer = send(&client, caller.request("PATCH", &path, &bytes(&broken))).await;
    answer.assert_error(&caller, 400, "PARAM_ERROR");
    assert_eq!(answer.json()["detail"]["field"], "display_info.name");
    let fresh =
        serde_json::json!({ "out_request_no": "update_0003", "display_info": display("新名字券") });
    send(&client, caller.request("PATCH", &elsewhere, &bytes(&fresh)))
        .await
        .assert_error(&caller, 404, "RESOURCE_NOT_EXISTS");
    assert_eq!(sim.stats().requests_on(Route::UpdateCoupon), 6);
    sim.shutdown().await;
}

#[tokio::test]
async fn deactivate_coupon_deactivates_its_stocks_and_refuses_later_changes() {
    let seeded = sample_coupon(COUPON, ProductCouponState::Effective).unwrap();
    let sim = builder(2).coupon(seeded).start().await.unwrap();
    let caller = Caller::vectors(&sim);
    let client = client();
    let path = format!("{PREFIX}/{COUPON}/deactivate");
    let body = deactivate_body("deact_coupon_01", "活动结束");

    let answer = send(&client, caller.request("POST", &path, body.as_bytes())).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    caller
        .verifier
        .verify_response(&answer.headers, &answer.body, now())
        .unwrap();
    let coupon: ProductCouponEntity = serde_json::from_slice(&answer.body).unwrap();
    assert_eq!(coupon.state, ProductCouponState::Deactivated);
    assert_eq!(
        coupon.deactivate_request_no.as_deref(),
        Some("deact_coupon_01")
    );
    assert_eq!(coupon.deactivate_reason.as_deref(), Some("活动结束"));
    for i in 1..=2 {
        let stock = sim.stock(COUPON, &stock_id(i)).unwrap();
        assert_eq!(stock.state, StockState::Deactivated);
        assert_eq!(
            stock.deactivate_request_no.as_deref(),
            Some("deact_coupon_01")
        );
    }
    assert_eq!(sim.stats().transitions.len(), 2);

    // Repeat: the first answer, nothing counted twice; another reason with the same number: refused.
    let again = send(&client, caller.request("POST", &path, body.as_bytes())).await;
    assert_eq!(again.body, answer.body);
    assert_eq!(sim.stats().transitions.len(), 2);
    let other = deactivate_body("deact_coupon_01", "另一个原因");
    send(&client, caller.request("POST", &path, other.as_bytes()))
        .await
        .assert_error(&caller, 400, "INVALID_REQUEST");

    // A new number: the coupon is already deactivated; so is every change after it.
    let answer = send(
        &client,
        caller.request(
            "POST",
            &path,
            deactivate_body("deact_coupon_02", "x").as_bytes(),
        ),
    )
    .await;
    answer.assert_error(&caller, 400, "INVALID_REQUEST");
    assert_eq!(sim.stats().rejections_for(reason::INVALID_STATE), 1);
    let update =
        serde_json::json!({ "out_request_no": "update_0001", "display_info": display("新名字券") });
    send(
        &client,
        caller.request("PATCH", &format!("{PREFIX}/{COUPON}"), &bytes(&update)),
    )
    .await
    .assert_error(&caller, 400, "INVALID_REQUEST");

    // A broken rule; an unknown coupon.
    let answer = send(
        &client,
        caller.request(
            "POST",
            &path,
            deactivate_body("deact_coupon_03", "").as_bytes(),
        ),
    )
    .await;
    answer.assert_error(&caller, 400, "PARAM_ERROR");
    assert_eq!(answer.json()["detail"]["field"], "deactivate_reason");
    send(
        &client,
        caller.request(
            "POST",
            &format!("{PREFIX}/299999999/deactivate"),
            deactivate_body("deact_coupon_04", "x").as_bytes(),
        ),
    )
    .await
    .assert_error(&caller, 404, "RESOURCE_NOT_EXISTS");
    sim.shutdown().await;
}

#[tokio::test]
async fn a_seeded_deactivated_coupon_answers_a_repeat_of_its_request_number() {
    let mut seeded = sample_coupon(COUPON, ProductCouponState::Deactivated).unwrap();
    seeded.deactivate_request_no = Some("seeded_deact_01".into());
    seeded.deactivate_reason = Some("seeded".into());
    let sim = builder(0).coupon(seeded.clone()).start().await.unwrap();
    let caller = Caller::vectors(&sim);
    let path = format!("{PREFIX}/{COUPON}/deactivate");
    let answer = send(
        &client(),
        caller.request(
            "POST",
            &path,
            deactivate_body("seeded_deact_01", "any").as_bytes(),
        ),
    )
    .await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    let coupon: ProductCouponEntity = serde_json::from_slice(&answer.body).unwrap();
    assert_eq!(coupon, seeded);
    sim.shutdown().await;
}
