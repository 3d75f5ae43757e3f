//! Product-coupon routes over real sockets: every answer signed, state as seeded or changed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use wxbrand_core::product_coupon::{ProductCouponEntity, ProductCouponState};
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
