//! The stock-bundle operations (create, update, budget, associate / disassociate stores) through
//! the client against the simulator over TLS: per operation the happy path, a validation error
//! with nothing sent and an API error decoded with its code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{api_code, client_for, testdata};

use wxbrand_core::ErrorCode;
use wxbrand_product_coupon::{
    AssociateBundleStoresRequest, BudgetUpdateMode, CreateCouponBody, CreateCouponRequest,
    CreateStockBundleBody, CreateStockBundleRequest, DisassociateBundleStoresRequest,
    ProductCouponExt, StoreListBody, UpdateBudgetBody, UpdateStockBody,
    UpdateStockBundleBudgetRequest, UpdateStockBundleRequest,
};
use wxbrand_simulator::{Route, Simulator};

fn bundle_body(no: &str) -> CreateStockBundleBody {
    serde_json::from_value(serde_json::json!({
        "out_request_no": no,
        "stock_bundle": testdata("create_coupon_bundle.json")["stock_bundle"],
    }))
    .unwrap()
}

#[tokio::test]
async fn every_bundle_operation() {
    let sim = Simulator::ephemeral().tls(true).start().await.unwrap();
    let client = client_for(&sim);
    let api = client.product_coupon();
    let body: CreateCouponBody =
        serde_json::from_value(testdata("create_coupon_bundle.json")).unwrap();
    let created = api
        .create_coupon(CreateCouponRequest::from_body(body).unwrap())
        .await
        .unwrap();
    let coupon = created.coupon.product_coupon_id.clone();
    let first = created.stock_bundle.as_ref().unwrap();
    assert_eq!(first.stock_list.len(), 3, "one stock per use");

    // Create.
    let mut broken = bundle_body("bundle_0002");
    broken.stock_bundle.stock_send_rule.max_count_per_user = Some(101);
    let error = CreateStockBundleRequest::from_body(coupon.as_str(), broken).unwrap_err();
    assert_eq!(
        error.field(),
        "stock_bundle.stock_send_rule.max_count_per_user"
    );
    assert_eq!(sim.stats().requests_on(Route::CreateStockBundle), 0);
    let bundle = api
        .create_stock_bundle(
            CreateStockBundleRequest::from_body(coupon.as_str(), bundle_body("bundle_0002"))
                .unwrap(),
        )
        .await
        .unwrap();
    let bundle_id = bundle.stock_bundle_id.clone();
    assert!(bundle
        .stock_list
        .iter()
        .all(|s| s.product_coupon_id == coupon));
    let error = api
        .create_stock_bundle(
            CreateStockBundleRequest::from_body("299999999", bundle_body("bundle_0404")).unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(api_code(&error), (404, ErrorCode::ResourceNotExists));

    // Update.
    assert!(UpdateStockBundleRequest::new(
        coupon.as_str(),
        bundle_id.as_str(),
        UpdateStockBody::new("bundle_upd_01").unwrap()
    )
    .is_err());
    assert_eq!(sim.stats().requests_on(Route::UpdateStockBundle), 0);
    let mut change = UpdateStockBody::new("bundle_upd_01").unwrap();
    change.remark = Some("批次组备注".into());
    let updated = api
        .update_stock_bundle(
            UpdateStockBundleRequest::new(coupon.as_str(), bundle_id.as_str(), change.clone())
                .unwrap(),
        )
        .await
        .unwrap();
    assert!(updated
        .stock_list
        .iter()
        .all(|s| s.remark.as_deref() == Some("批次组备注")));
    change.out_request_no = Some("bundle_upd_02".try_into().unwrap());
    let error = api
        .update_stock_bundle(
            UpdateStockBundleRequest::new(coupon.as_str(), "888888888", change).unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(api_code(&error).1, ErrorCode::ResourceNotExists);

    // Budget.
    assert!(
        UpdateBudgetBody::new("bundle_budget_1", BudgetUpdateMode::MaxCountPerDay, 0, 10).is_err()
    );
    assert_eq!(sim.stats().requests_on(Route::UpdateStockBundleBudget), 0);
    let raise =
        UpdateBudgetBody::new("bundle_budget_1", BudgetUpdateMode::MaxCount, 100, 250).unwrap();
    let raised = api
        .update_stock_bundle_budget(
            UpdateStockBundleBudgetRequest::new(coupon.as_str(), bundle_id.as_str(), raise)
                .unwrap(),
        )
        .await
        .unwrap();
    assert!(raised
        .stock_list
        .iter()
        .all(|s| s.stock_send_rule.as_ref().unwrap().max_count == Some(250)));
    let stale =
        UpdateBudgetBody::new("bundle_budget_2", BudgetUpdateMode::MaxCount, 100, 300).unwrap();
    let error = api
        .update_stock_bundle_budget(
            UpdateStockBundleBudgetRequest::new(coupon.as_str(), bundle_id.as_str(), stale)
                .unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(api_code(&error), (400, ErrorCode::InvalidRequest));

    // Stores.
    assert!(StoreListBody::new([""]).is_err());
    assert_eq!(sim.stats().requests_on(Route::AssociateBundleStores), 0);
    let answer = api
        .associate_bundle_stores(
            AssociateBundleStoresRequest::new(
                coupon.as_str(),
                bundle_id.as_str(),
                StoreListBody::new(["store_1", "store_2"]).unwrap(),
            )
            .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(answer.success_store_list.len(), 2);
    let answer = api
        .disassociate_bundle_stores(
            DisassociateBundleStoresRequest::new(
                coupon.as_str(),
                bundle_id.as_str(),
                StoreListBody::new(["store_1"]).unwrap(),
            )
            .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(answer.success_store_list.len(), 1);
    let error = api
        .disassociate_bundle_stores(
            DisassociateBundleStoresRequest::new(
                coupon.as_str(),
                "888888888",
                StoreListBody::new(["store_1"]).unwrap(),
            )
            .unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(api_code(&error).1, ErrorCode::ResourceNotExists);
    sim.shutdown().await;
}
