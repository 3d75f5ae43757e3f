//! Stock writes over real sockets: create, update, budget, stores, uploaded codes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use wxbrand_core::product_coupon::{
    CouponCodeMode, ProductCouponState, StockEntity, StockState, StoresResponse,
    UploadCouponCodesResponse,
};
use wxbrand_simulator::{reason, sample_coupon, sample_stock, Route, SimulatorHandle};

/// Signs, sends and, for a 200, verifies.
async fn call(sim: &SimulatorHandle, method: &str, path: &str, body: &serde_json::Value) -> Answer {
    let caller = Caller::vectors(sim);
    let body = if body.is_null() {
        Vec::new()
    } else {
        bytes(body)
    };
    let answer = send(&client(), caller.request(method, path, &body)).await;
    if answer.status == 200 {
        caller
            .verifier
            .verify_response(&answer.headers, &answer.body, now())
            .unwrap();
    }
    answer
}

#[track_caller]
fn refused(sim: &SimulatorHandle, answer: &Answer, status: u16, code: &str) {
    answer.assert_error(&Caller::vectors(sim), status, code);
}

fn stock_path(i: usize) -> String {
    format!("{PREFIX}/{COUPON}/stocks/{}", stock_id(i))
}

async fn started(n: usize) -> SimulatorHandle {
    let coupon = sample_coupon(COUPON, ProductCouponState::Effective).unwrap();
    builder(n).coupon(coupon).start().await.unwrap()
}

#[tokio::test]
async fn create_stock_adds_a_sending_stock_once_per_request_number() {
    let sim = started(0).await;
    let path = format!("{PREFIX}/{COUPON}/stocks");
    let body =
        serde_json::json!({ "out_request_no": "stock_0001", "stock": stock_json("WECHATPAY") });

    let answer = call(&sim, "POST", &path, &body).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    let stock: StockEntity = serde_json::from_slice(&answer.body).unwrap();
    assert_eq!(stock.product_coupon_id, COUPON);
    assert_eq!(stock.state, StockState::Sending);
    assert_eq!(sim.stock(COUPON, &stock.stock_id), Some(stock.clone()));

    let again = call(&sim, "POST", &path, &body).await;
    assert_eq!(again.body, answer.body);
    assert_eq!(sim.stock_count(), 1);

    let mut other = body.clone();
    other["stock"]["remark"] = "another".into();
    refused(
        &sim,
        &call(&sim, "POST", &path, &other).await,
        400,
        "INVALID_REQUEST",
    );

    let mut broken = body.clone();
    broken["out_request_no"] = "stock_0002".into();
    broken["stock"]["stock_send_rule"]["max_count"] = 0.into();
    let answer = call(&sim, "POST", &path, &broken).await;
    refused(&sim, &answer, 400, "PARAM_ERROR");
    assert_eq!(
        answer.json()["detail"]["field"],
        "stock.stock_send_rule.max_count"
    );

    let elsewhere = format!("{PREFIX}/299999999/stocks");
    let mut fresh = body.clone();
    fresh["out_request_no"] = "stock_0003".into();
    refused(
        &sim,
        &call(&sim, "POST", &elsewhere, &fresh).await,
        404,
        "RESOURCE_NOT_EXISTS",
    );
    assert_eq!(sim.stock_count(), 1);
    assert_eq!(sim.stats().requests_on(Route::CreateStock), 5);
    sim.shutdown().await;
}

#[tokio::test]
async fn update_stock_changes_only_the_parts_given() {
    let sim = started(2).await;
    let before = sim.stock(COUPON, &stock_id(1)).unwrap();
    let body = serde_json::json!({ "out_request_no": "upd_stock_01", "remark": "新备注" });

    let answer = call(&sim, "PATCH", &stock_path(1), &body).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    let stock: StockEntity = serde_json::from_slice(&answer.body).unwrap();
    assert_eq!(stock.remark.as_deref(), Some("新备注"));
    assert_eq!(stock.stock_send_rule, before.stock_send_rule);
    assert_eq!(
        stock.usage_rule_display_info,
        before.usage_rule_display_info
    );
    assert_eq!(sim.stock(COUPON, &stock_id(1)), Some(stock));

    assert_eq!(
        call(&sim, "PATCH", &stock_path(1), &body).await.body,
        answer.body
    );
    let other = serde_json::json!({ "out_request_no": "upd_stock_01", "remark": "别的" });
    refused(
        &sim,
        &call(&sim, "PATCH", &stock_path(1), &other).await,
        400,
        "INVALID_REQUEST",
    );
    refused(
        &sim,
        &call(&sim, "PATCH", &stock_path(2), &body).await,
        400,
        "INVALID_REQUEST",
    );

    // Nothing to change; a deactivated stock cannot be changed.
    let empty = serde_json::json!({ "out_request_no": "upd_stock_02" });
    refused(
        &sim,
        &call(&sim, "PATCH", &stock_path(2), &empty).await,
        400,
        "PARAM_ERROR",
    );
    let mut dead = sample_stock(COUPON, &stock_id(2), StockState::Deactivated).unwrap();
    dead.remark = Some("dead".into());
    sim.put_stock(dead);
    let change = serde_json::json!({ "out_request_no": "upd_stock_03", "remark": "x" });
    refused(
        &sim,
        &call(&sim, "PATCH", &stock_path(2), &change).await,
        400,
        "INVALID_REQUEST",
    );
    assert_eq!(sim.stats().rejections_for(reason::INVALID_STATE), 1);
    sim.shutdown().await;
}

fn budget(no: &str, current: i64, target: i64) -> serde_json::Value {
    serde_json::json!({
        "out_request_no": no,
        "update_mode": "MAX_COUNT",
        "current_max_count": current,
        "target_max_count": target,
    })
}

#[tokio::test]
async fn update_budget_checks_the_current_limit_and_what_was_sent() {
    let sim = started(1).await;
    let mut stock = sim.stock(COUPON, &stock_id(1)).unwrap();
    stock.sent_count_info.as_mut().unwrap().total_count = Some(600);
    sim.put_stock(stock);
    let path = format!("{}/update-budget", stock_path(1));

    let answer = call(&sim, "POST", &path, &budget("budget_0001", 1000, 2000)).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    let stock: StockEntity = serde_json::from_slice(&answer.body).unwrap();
    assert_eq!(
        stock.stock_send_rule.as_ref().unwrap().max_count,
        Some(2000)
    );
    assert_eq!(
        call(&sim, "POST", &path, &budget("budget_0001", 1000, 2000))
            .await
            .body,
        answer.body
    );
    refused(
        &sim,
        &call(&sim, "POST", &path, &budget("budget_0001", 1000, 3000)).await,
        400,
        "INVALID_REQUEST",
    );
    // The current limit is 2000 now, not 1000; below the 600 sent; a broken pair.
    refused(
        &sim,
        &call(&sim, "POST", &path, &budget("budget_0002", 1000, 3000)).await,
        400,
        "INVALID_REQUEST",
    );
    refused(
        &sim,
        &call(&sim, "POST", &path, &budget("budget_0003", 2000, 500)).await,
        400,
        "INVALID_REQUEST",
    );
    assert_eq!(sim.stats().rejections_for(reason::INVALID_REQUEST), 2);
    let per_day = serde_json::json!({
        "out_request_no": "budget_0004",
        "update_mode": "MAX_COUNT_PER_DAY",
        "current_max_count": 2000,
        "target_max_count": 3000,
    });
    let answer = call(&sim, "POST", &path, &per_day).await;
    refused(&sim, &answer, 400, "PARAM_ERROR");
    let day = serde_json::json!({
        "out_request_no": "budget_0005",
        "update_mode": "MAX_COUNT_PER_DAY",
        "current_max_count_per_day": 100,
        "target_max_count_per_day": 200,
    });
    let answer = call(&sim, "POST", &path, &day).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    let stock = sim.stock(COUPON, &stock_id(1)).unwrap();
    assert_eq!(stock.stock_send_rule.unwrap().max_count_per_day, Some(200));
    sim.shutdown().await;
}

#[tokio::test]
async fn stores_are_associated_disassociated_and_listed_in_pages() {
    let sim = started(1).await;
    let stores = |ids: &[&str]| serde_json::json!({ "store_list": ids.iter().map(|id| serde_json::json!({ "store_id": id })).collect::<Vec<_>>() });
    let associate = format!("{}/associate-stores", stock_path(1));
    let answer = call(&sim, "POST", &associate, &stores(&["s1", "s2", "s3"])).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    let result: StoresResponse = serde_json::from_slice(&answer.body).unwrap();
    assert_eq!(result.success_store_list.len(), 3);
    assert!(result.failed_store_list.is_empty());
    // Associating again is a no-op: still three.
    call(&sim, "POST", &associate, &stores(&["s2"])).await;
    let disassociate = format!("{}/disassociate-stores", stock_path(1));
    assert_eq!(
        call(&sim, "POST", &disassociate, &stores(&["s2"]))
            .await
            .status,
        200
    );

    let list = format!("{}/associated-stores", stock_path(1));
    let page = call(
        &sim,
        "GET",
        &format!("{list}?page_size=1"),
        &serde_json::Value::Null,
    )
    .await;
    assert_eq!(page.status, 200, "{:?}", page.body);
    let page = page.json();
    assert_eq!(page["total_count"], 2);
    assert_eq!(page["store_list"][0]["store_id"], "s1");
    let token = page["next_page_token"].as_str().unwrap();
    let page = call(
        &sim,
        "GET",
        &format!("{list}?page_size=1&page_token={token}"),
        &serde_json::Value::Null,
    )
    .await
    .json();
    assert_eq!(page["store_list"][0]["store_id"], "s3");
    assert!(page.get("next_page_token").is_none());

    refused(
        &sim,
        &call(&sim, "POST", &associate, &stores(&[])).await,
        400,
        "PARAM_ERROR",
    );
    let bad = call(
        &sim,
        "GET",
        &format!("{list}?page_size=0"),
        &serde_json::Value::Null,
    )
    .await;
    refused(&sim, &bad, 400, "PARAM_ERROR");
    let unknown = format!("{PREFIX}/{COUPON}/stocks/399999999/associated-stores");
    refused(
        &sim,
        &call(&sim, "GET", &unknown, &serde_json::Value::Null).await,
        404,
        "RESOURCE_NOT_EXISTS",
    );
    assert_eq!(sim.stats().requests_on(Route::ListAssociatedStores), 4);
    sim.shutdown().await;
}

#[tokio::test]
async fn codes_upload_to_upload_mode_stocks_only_within_max_count() {
    let sim = started(1).await;
    let mut upload = sample_stock(COUPON, &stock_id(2), StockState::Sending).unwrap();
    upload.coupon_code_mode = Some(CouponCodeMode::Upload);
    upload.stock_send_rule.as_mut().unwrap().max_count = Some(4);
    sim.put_stock(upload);
    let path = |i| format!("{}/upload-coupon-codes", stock_path(i));
    let codes =
        |no: &str, list: &[&str]| serde_json::json!({ "out_request_no": no, "code_list": list });

    let answer = call(
        &sim,
        "POST",
        &path(2),
        &codes("codes_0001", &["A1", "A2", "A1"]),
    )
    .await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    let result: UploadCouponCodesResponse = serde_json::from_slice(&answer.body).unwrap();
    assert_eq!(result.total_count, Some(3));
    assert_eq!(result.success_code_list, ["A1", "A2"]);
    assert_eq!(result.duplicate_code_list, ["A1"]);
    let info = sim
        .stock(COUPON, &stock_id(2))
        .unwrap()
        .coupon_code_count_info
        .unwrap();
    assert_eq!(info.total_count, Some(2));
    assert_eq!(
        call(
            &sim,
            "POST",
            &path(2),
            &codes("codes_0001", &["A1", "A2", "A1"])
        )
        .await
        .body,
        answer.body
    );
    refused(
        &sim,
        &call(&sim, "POST", &path(2), &codes("codes_0001", &["B1"])).await,
        400,
        "INVALID_REQUEST",
    );

    let answer = call(&sim, "POST", &path(2), &codes("codes_0002", &["A2", "B1"])).await;
    let result: UploadCouponCodesResponse = serde_json::from_slice(&answer.body).unwrap();
    assert_eq!(result.already_exist_code_list, ["A2"]);
    assert_eq!(result.success_code_list, ["B1"]);
    // Two more would make five codes, above max_count 4: refused whole.
    refused(
        &sim,
        &call(&sim, "POST", &path(2), &codes("codes_0003", &["C1", "C2"])).await,
        400,
        "INVALID_REQUEST",
    );
    assert_eq!(
        sim.stock(COUPON, &stock_id(2))
            .unwrap()
            .coupon_code_count_info
            .unwrap()
            .total_count,
        Some(3)
    );
    // Not an UPLOAD stock; a code with a space.
    refused(
        &sim,
        &call(&sim, "POST", &path(1), &codes("codes_0004", &["D1"])).await,
        400,
        "INVALID_REQUEST",
    );
    let answer = call(&sim, "POST", &path(2), &codes("codes_0005", &["D 1"])).await;
    refused(&sim, &answer, 400, "PARAM_ERROR");
    assert_eq!(answer.json()["detail"]["field"], "code_list[0]");
    sim.shutdown().await;
}
