//! Stock bundles over real sockets: a multi-use coupon made with its first bundle, more bundles,
//! changes made to every stock of a bundle.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use wxbrand_core::product_coupon::{CreateCouponResponse, StockBundleEntity, StockState};
use wxbrand_simulator::{reason, Route, SimulatorHandle};

fn bundle_json(uses: usize) -> serde_json::Value {
    let mut bundle = stock_json("WECHATPAY");
    let fields = bundle.as_object_mut().unwrap();
    fields.remove("single_usage_rule");
    let stages: Vec<_> = (0..uses)
        .map(|i| serde_json::json!({ "threshold": 10000, "discount_amount": 1000 + 100 * i }))
        .collect();
    fields.insert(
        "progressive_bundle_usage_rule".into(),
        serde_json::json!({
            "coupon_available_period": {
                "available_begin_time": "2026-01-01T00:00:00+08:00",
                "available_end_time": "2026-12-31T23:59:59+08:00"
            },
            "normal_coupon_list": stages,
        }),
    );
    bundle
}

fn bundled_coupon_body(out_request_no: &str) -> serde_json::Value {
    let mut body = create_body(out_request_no);
    let fields = body.as_object_mut().unwrap();
    fields.remove("stock");
    fields.remove("single_usage_info");
    fields.insert("usage_mode".into(), "PROGRESSIVE_BUNDLE".into());
    fields.insert(
        "progressive_bundle_usage_info".into(),
        serde_json::json!({ "count": 3, "interval_days": 1 }),
    );
    fields.insert("stock_bundle".into(), bundle_json(3));
    body
}

async fn call(sim: &SimulatorHandle, method: &str, path: &str, body: &serde_json::Value) -> Answer {
    let caller = Caller::vectors(sim);
    let answer = send(&client(), caller.request(method, path, &bytes(body))).await;
    if answer.status == 200 {
        caller
            .verifier
            .verify_response(&answer.headers, &answer.body, now())
            .unwrap();
    } else {
        answer.assert_error(&caller, answer.status.as_u16(), &answer.code());
    }
    answer
}

#[tokio::test]
async fn a_bundled_coupon_gets_bundles_and_bundle_changes_reach_every_stock() {
    let sim = builder(0).start().await.unwrap();
    let answer = call(&sim, "POST", PREFIX, &bundled_coupon_body("bundle_c_0001")).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    let created: CreateCouponResponse = serde_json::from_slice(&answer.body).unwrap();
    let coupon = created.coupon.product_coupon_id.clone();
    let first = created.stock_bundle.unwrap();
    assert_eq!(first.stock_list.len(), 3);
    for (i, stock) in first.stock_list.iter().enumerate() {
        let info = stock.stock_bundle_info.as_ref().unwrap();
        assert_eq!(
            info.stock_bundle_id.as_deref(),
            Some(first.stock_bundle_id.as_str())
        );
        assert_eq!(info.stock_bundle_index, Some(i as i64));
        assert_eq!(stock.state, StockState::Sending);
    }

    // A second bundle; a list that does not match the coupon's three uses is refused.
    let bundles = format!("{PREFIX}/{coupon}/stock-bundles");
    let body =
        serde_json::json!({ "out_request_no": "bundle_0002", "stock_bundle": bundle_json(3) });
    let answer = call(&sim, "POST", &bundles, &body).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    let second: StockBundleEntity = serde_json::from_slice(&answer.body).unwrap();
    assert_ne!(second.stock_bundle_id, first.stock_bundle_id);
    assert_eq!(call(&sim, "POST", &bundles, &body).await.body, answer.body);
    assert_eq!(sim.stock_count(), 6);
    let mut other = body.clone();
    other["stock_bundle"]["remark"] = "other".into();
    assert_eq!(
        call(&sim, "POST", &bundles, &other).await.code(),
        "INVALID_REQUEST"
    );
    let four =
        serde_json::json!({ "out_request_no": "bundle_0003", "stock_bundle": bundle_json(4) });
    assert_eq!(
        call(&sim, "POST", &bundles, &four).await.code(),
        "INVALID_REQUEST"
    );
    assert_eq!(sim.stats().rejections_for(reason::INVALID_REQUEST), 1);

    // Update and budget reach every stock of the bundle.
    let path = format!("{bundles}/{}", second.stock_bundle_id);
    let update = serde_json::json!({ "out_request_no": "bundle_u_0001", "remark": "第二组" });
    let answer = call(&sim, "PATCH", &path, &update).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    let updated: StockBundleEntity = serde_json::from_slice(&answer.body).unwrap();
    assert!(updated
        .stock_list
        .iter()
        .all(|s| s.remark.as_deref() == Some("第二组")));
    assert_eq!(call(&sim, "PATCH", &path, &update).await.body, answer.body);

    let budget = serde_json::json!({
        "out_request_no": "bundle_b_0001",
        "update_mode": "MAX_COUNT",
        "current_max_count": 1000,
        "target_max_count": 5000,
    });
    let answer = call(&sim, "POST", &format!("{path}/update-budget"), &budget).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    for stock in &second.stock_list {
        let now = sim.stock(&coupon, &stock.stock_id).unwrap();
        assert_eq!(now.stock_send_rule.unwrap().max_count, Some(5000));
    }
    // The first bundle is untouched.
    let untouched = sim.stock(&coupon, &first.stock_list[0].stock_id).unwrap();
    assert_eq!(untouched.stock_send_rule.unwrap().max_count, Some(1000));
    let stale = serde_json::json!({
        "out_request_no": "bundle_b_0002",
        "update_mode": "MAX_COUNT",
        "current_max_count": 1000,
        "target_max_count": 6000,
    });
    let answer = call(&sim, "POST", &format!("{path}/update-budget"), &stale).await;
    assert_eq!(answer.code(), "INVALID_REQUEST");

    // Stores.
    let stores = serde_json::json!({ "store_list": [{ "store_id": "s1" }, { "store_id": "s2" }] });
    let answer = call(&sim, "POST", &format!("{path}/associate-stores"), &stores).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    let list = format!(
        "{PREFIX}/{coupon}/stocks/{}/associated-stores",
        second.stock_list[2].stock_id
    );
    let listed = call(&sim, "GET", &list, &serde_json::Value::Null).await;
    assert_eq!(listed.json()["total_count"], 2);
    let answer = call(
        &sim,
        "POST",
        &format!("{path}/disassociate-stores"),
        &stores,
    )
    .await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);

    // An unknown bundle; a broken body.
    let unknown = format!("{bundles}/999999999/update-budget");
    let mut fresh = budget.clone();
    fresh["out_request_no"] = "bundle_b_0003".into();
    let answer = call(&sim, "POST", &unknown, &fresh).await;
    assert_eq!(answer.status, 404);
    assert_eq!(
        sim.stats().rejections_for(reason::STOCK_BUNDLE_NOT_FOUND),
        1
    );
    let broken = serde_json::json!({ "out_request_no": "bundle_u_0002" });
    assert_eq!(
        call(&sim, "PATCH", &path, &broken).await.code(),
        "PARAM_ERROR"
    );
    assert_eq!(sim.stats().requests_on(Route::UpdateStockBundle), 3);
    sim.shutdown().await;
}
