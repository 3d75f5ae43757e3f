//! The coupon operations (create, get, update, deactivate) through the client against the
//! simulator over TLS: per operation the happy path, a validation error with nothing sent, and an
//! API error decoded with its code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{api_code, client_for, testdata};

use wxbrand_core::ErrorCode;
use wxbrand_product_coupon::{
    CreateCouponBody, CreateCouponRequest, DeactivateCouponRequest, GetCouponRequest,
    ProductCouponDisplayInfo, ProductCouponExt, ProductCouponState, StockState, UpdateCouponBody,
    UpdateCouponRequest,
};
use wxbrand_simulator::{Route, Simulator, SimulatorHandle};

async fn simulator() -> SimulatorHandle {
    Simulator::ephemeral().tls(true).start().await.unwrap()
}

fn create_request(
    edit: impl FnOnce(&mut serde_json::Value),
) -> Result<CreateCouponRequest, wxbrand_core::ValidationError> {
    let mut json = testdata("create_coupon_all_normal.json");
    edit(&mut json);
    CreateCouponRequest::from_body(serde_json::from_value::<CreateCouponBody>(json).unwrap())
}

fn display(name: &str) -> ProductCouponDisplayInfo {
    serde_json::from_value(serde_json::json!({
        "name": name,
        "image_url": "https://wxpaylogo.qpic.cn/wxpaylogo/coupon.png"
    }))
    .unwrap()
}

#[tokio::test]
async fn create_coupon_happy_validation_and_api_error() {
    let sim = simulator().await;
    let client = client_for(&sim);
    let api = client.product_coupon();

    // Validation: nothing sent.
    let error =
        create_request(|j| j["stock"]["stock_send_rule"]["max_count_per_user"] = 101.into())
            .unwrap_err();
    assert_eq!(error.field(), "stock.stock_send_rule.max_count_per_user");
    assert_eq!(sim.stats().requests_on(Route::CreateCoupon), 0);

    let created = api
        .create_coupon(create_request(|_| {}).unwrap())
        .await
        .unwrap();
    let coupon_id = created.coupon.product_coupon_id.clone();
    let stock = created.stock.as_ref().unwrap();
    assert_eq!(stock.product_coupon_id, coupon_id);
    assert_eq!(
        created
            .coupon
            .display_info
            .as_ref()
            .unwrap()
            .name
            .as_deref(),
        Some("满100减10")
    );
    let fetched = api
        .get_coupon(GetCouponRequest::new(coupon_id.as_str()).unwrap())
        .await
        .unwrap();
    assert_eq!(fetched.product_coupon_id, coupon_id);

    // The same request number again answers the same coupon; with another body it is refused.
    let again = api
        .create_coupon(create_request(|_| {}).unwrap())
        .await
        .unwrap();
    assert_eq!(again.coupon.product_coupon_id, coupon_id);
    let error = api
        .create_coupon(create_request(|j| j["display_info"]["name"] = "另一个名字".into()).unwrap())
        .await
        .unwrap_err();
    assert_eq!(api_code(&error), (400, ErrorCode::InvalidRequest));
    assert_eq!(sim.stats().requests_on(Route::CreateCoupon), 3);
    sim.shutdown().await;
}

#[tokio::test]
async fn update_coupon_happy_validation_and_api_error() {
    let sim = simulator().await;
    let client = client_for(&sim);
    let api = client.product_coupon();
    let created = api
        .create_coupon(create_request(|_| {}).unwrap())
        .await
        .unwrap();
    let coupon_id = created.coupon.product_coupon_id.clone();

    let error =
        UpdateCouponRequest::new(coupon_id.as_str(), "update_0001", display("")).unwrap_err();
    assert_eq!(error.field(), "display_info.name");
    let body: Result<UpdateCouponBody, _> =
        serde_json::from_value(serde_json::json!({"out_request_no": "short", "display_info": {}}));
    assert!(
        body.is_err(),
        "the request number's rule applies when a body is decoded"
    );
    assert_eq!(sim.stats().requests_on(Route::UpdateCoupon), 0);

    let updated = api
        .update_coupon(
            UpdateCouponRequest::new(coupon_id.as_str(), "update_0001", display("新名字券"))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(
        updated.display_info.as_ref().unwrap().name.as_deref(),
        Some("新名字券")
    );
    assert_eq!(updated.attempts(), 1);

    let error = api
        .update_coupon(
            UpdateCouponRequest::new("299999999", "update_0002", display("新名字券")).unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(api_code(&error), (404, ErrorCode::ResourceNotExists));
    sim.shutdown().await;
}

#[tokio::test]
async fn deactivate_coupon_happy_validation_api_error_and_later_changes_refused() {
    let sim = simulator().await;
    let client = client_for(&sim);
    let api = client.product_coupon();
    let created = api
        .create_coupon(create_request(|_| {}).unwrap())
        .await
        .unwrap();
    let coupon_id = created.coupon.product_coupon_id.clone();
    let stock_id = created.stock.as_ref().unwrap().stock_id.clone();

    let error = DeactivateCouponRequest::new(coupon_id.as_str(), "deact_0001", "").unwrap_err();
    assert_eq!(error.field(), "deactivate_reason");
    assert_eq!(sim.stats().requests_on(Route::DeactivateCoupon), 0);

    let coupon = api
        .deactivate_coupon(
            DeactivateCouponRequest::new(coupon_id.as_str(), "deact_0001", "活动结束").unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(coupon.state, ProductCouponState::Deactivated);
    assert_eq!(coupon.deactivate_request_no.as_deref(), Some("deact_0001"));
    assert_eq!(
        sim.stock(&coupon_id, &stock_id).unwrap().state,
        StockState::Deactivated
    );

    let error = api
        .deactivate_coupon(
            DeactivateCouponRequest::new(coupon_id.as_str(), "deact_0002", "again").unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(api_code(&error), (400, ErrorCode::InvalidRequest));
    let error = api
        .update_coupon(
            UpdateCouponRequest::new(coupon_id.as_str(), "update_0003", display("太晚了")).unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(api_code(&error), (400, ErrorCode::InvalidRequest));
    sim.shutdown().await;
}
