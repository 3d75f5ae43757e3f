//! The stock operations (create, update, budget, upload codes, associate / disassociate / list
//! stores) through the client against the simulator over TLS: per operation the happy path, a
//! validation error with nothing sent and an API error decoded with its code; and the lifecycle
//! of a campaign.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{api_code, client_for, testdata};
use wxbrand_client::Client;

use futures_util::StreamExt;
use wxbrand_core::ErrorCode;
use wxbrand_product_coupon::{
    AssociateStoresRequest, BudgetUpdateMode, CreateCouponBody, CreateCouponRequest,
    CreateStockBody, CreateStockRequest, DeactivateCouponRequest, DisassociateStoresRequest,
    ListAssociatedStoresRequest, ProductCoupon, ProductCouponExt, StockState, StockStoreScope,
    StoreListBody, UpdateBudgetBody, UpdateStockBody, UpdateStockBudgetRequest, UpdateStockRequest,
    UploadCouponCodesBody, UploadCouponCodesRequest,
};
use wxbrand_simulator::{Route, Simulator, SimulatorHandle};

/// A simulator with one coupon (UPLOAD stock, max_count 100) created through the client.
async fn campaign() -> (SimulatorHandle, Client, String, String) {
    let sim = Simulator::ephemeral().tls(true).start().await.unwrap();
    let client = client_for(&sim);
    let body: CreateCouponBody =
        serde_json::from_value(testdata("create_coupon_all_normal.json")).unwrap();
    let created = client
        .product_coupon()
        .create_coupon(CreateCouponRequest::from_body(body).unwrap())
        .await
        .unwrap();
    let coupon = created.coupon.product_coupon_id.clone();
    let stock = created.stock.as_ref().unwrap().stock_id.clone();
    (sim, client, coupon, stock)
}

fn second_stock(coupon: &str) -> CreateStockRequest {
    let body: CreateStockBody = serde_json::from_value(testdata("create_stock.json")).unwrap();
    CreateStockRequest::from_body(coupon, body).unwrap()
}

fn budget(no: &str, current: i64, target: i64) -> UpdateBudgetBody {
    UpdateBudgetBody::new(no, BudgetUpdateMode::MaxCount, current, target).unwrap()
}

async fn stores_of(api: &ProductCoupon<'_>, coupon: &str, stock: &str) -> Vec<String> {
    let request = ListAssociatedStoresRequest::new(coupon, stock)
        .unwrap()
        .page_size(2)
        .unwrap();
    api.list_all_associated_stores(request)
        .map(|store| store.unwrap().store_id)
        .collect()
        .await
}

#[tokio::test]
async fn create_and_update_stock() {
    let (sim, client, coupon, _) = campaign().await;
    let api = client.product_coupon();

    let mut broken: CreateStockBody =
        serde_json::from_value(testdata("create_stock.json")).unwrap();
    broken.stock.stock_send_rule.max_count = Some(0);
    assert_eq!(
        CreateStockRequest::from_body(coupon.as_str(), broken)
            .unwrap_err()
            .field(),
        "stock.stock_send_rule.max_count"
    );
    assert_eq!(sim.stats().requests_on(Route::CreateStock), 0);
    let stock = api.create_stock(second_stock(&coupon)).await.unwrap();
    assert_eq!(stock.product_coupon_id, coupon);
    // The same request number for another coupon is refused; a fresh one names the missing coupon.
    let error = api
        .create_stock(second_stock("299999999"))
        .await
        .unwrap_err();
    assert_eq!(api_code(&error), (400, ErrorCode::InvalidRequest));
    let mut fresh: CreateStockBody = serde_json::from_value(testdata("create_stock.json")).unwrap();
    fresh.out_request_no = "create_stock_0404".try_into().unwrap();
    let error = api
        .create_stock(CreateStockRequest::from_body("299999999", fresh).unwrap())
        .await
        .unwrap_err();
    assert_eq!(api_code(&error), (404, ErrorCode::ResourceNotExists));

    let empty = UpdateStockBody::new("update_stock_01").unwrap();
    assert!(
        UpdateStockRequest::new(coupon.as_str(), stock.stock_id.as_str(), empty.clone()).is_err()
    );
    assert_eq!(sim.stats().requests_on(Route::UpdateStock), 0);
    let mut change = empty;
    change.remark = Some("改过的备注".into());
    change.store_scope = Some(StockStoreScope::Specific);
    let updated = api
        .update_stock(
            UpdateStockRequest::new(coupon.as_str(), stock.stock_id.as_str(), change.clone())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(updated.remark.as_deref(), Some("改过的备注"));
    assert_eq!(updated.store_scope, Some(StockStoreScope::Specific));
    change.out_request_no = Some("update_stock_02".try_into().unwrap());
    let error = api
        .update_stock(UpdateStockRequest::new(coupon.as_str(), "888888888", change).unwrap())
        .await
        .unwrap_err();
    assert_eq!(api_code(&error).1, ErrorCode::ResourceNotExists);
    sim.shutdown().await;
}

#[tokio::test]
async fn budget_codes_and_stores() {
    let (sim, client, coupon, stock) = campaign().await;
    let api = client.product_coupon();

    // Budget.
    assert!(UpdateBudgetBody::new("budget_0001", BudgetUpdateMode::MaxCount, 100, 0).is_err());
    assert_eq!(sim.stats().requests_on(Route::UpdateStockBudget), 0);
    let raised = api
        .update_stock_budget(
            UpdateStockBudgetRequest::new(
                coupon.as_str(),
                stock.as_str(),
                budget("budget_0001", 100, 300),
            )
            .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(
        raised.stock_send_rule.as_ref().unwrap().max_count,
        Some(300)
    );
    let error = api
        .update_stock_budget(
            UpdateStockBudgetRequest::new(
                coupon.as_str(),
                stock.as_str(),
                budget("budget_0002", 100, 400),
            )
            .unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        api_code(&error),
        (400, ErrorCode::InvalidRequest),
        "the current value is 300 now"
    );

    // Codes.
    assert_eq!(
        UploadCouponCodesBody::new("codes_0001", ["ok", "with space"])
            .unwrap_err()
            .field(),
        "code_list[1]"
    );
    assert_eq!(sim.stats().requests_on(Route::UploadCouponCodes), 0);
    let codes =
        UploadCouponCodesBody::new("codes_0001", ["CODE0001", "CODE0002", "CODE0002"]).unwrap();
    let uploaded = api
        .upload_coupon_codes(
            UploadCouponCodesRequest::new(coupon.as_str(), stock.as_str(), codes).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(uploaded.success_code_list, ["CODE0001", "CODE0002"]);
    assert_eq!(uploaded.duplicate_code_list, ["CODE0002"]);
    let second = api.create_stock(second_stock(&coupon)).await.unwrap();
    let codes = UploadCouponCodesBody::new("codes_0002", ["CODE0003"]).unwrap();
    let error = api
        .upload_coupon_codes(
            UploadCouponCodesRequest::new(coupon.as_str(), second.stock_id.as_str(), codes)
                .unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        api_code(&error),
        (400, ErrorCode::InvalidRequest),
        "a WECHATPAY stock takes no codes"
    );

    // Stores.
    assert!(StoreListBody::new(Vec::<String>::new()).is_err());
    assert_eq!(sim.stats().requests_on(Route::AssociateStores), 0);
    let stores = StoreListBody::new(["store_1", "store_2", "store_3"]).unwrap();
    let answer = api
        .associate_stores(
            AssociateStoresRequest::new(coupon.as_str(), stock.as_str(), stores).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(answer.success_store_list.len(), 3);
    let answer = api
        .disassociate_stores(
            DisassociateStoresRequest::new(
                coupon.as_str(),
                stock.as_str(),
                StoreListBody::new(["store_2"]).unwrap(),
            )
            .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(answer.success_store_list.len(), 1);
    assert_eq!(
        stores_of(&api, &coupon, &stock).await,
        ["store_1", "store_3"]
    );
    assert!(
        ListAssociatedStoresRequest::new(coupon.as_str(), stock.as_str())
            .unwrap()
            .page_size(51)
            .is_err()
    );
    let error = api
        .associate_stores(
            AssociateStoresRequest::new(
                coupon.as_str(),
                "888888888",
                StoreListBody::new(["s"]).unwrap(),
            )
            .unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(api_code(&error).1, ErrorCode::ResourceNotExists);
    let error = api
        .list_associated_stores(
            ListAssociatedStoresRequest::new(coupon.as_str(), "888888888").unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(api_code(&error).1, ErrorCode::ResourceNotExists);
    sim.shutdown().await;
}

/// Create a coupon with a stock → add a second stock → upload codes → raise the budget → attach
/// stores → deactivate → every later change refused with WeChat Pay's error.
#[tokio::test]
async fn a_campaign_from_creation_to_deactivation() {
    let (sim, client, coupon, stock) = campaign().await;
    let api = client.product_coupon();
    let second = api.create_stock(second_stock(&coupon)).await.unwrap();
    let codes = UploadCouponCodesBody::new("life_codes_01", ["LIFE0001", "LIFE0002"]).unwrap();
    api.upload_coupon_codes(
        UploadCouponCodesRequest::new(coupon.as_str(), stock.as_str(), codes).unwrap(),
    )
    .await
    .unwrap();
    api.update_stock_budget(
        UpdateStockBudgetRequest::new(
            coupon.as_str(),
            stock.as_str(),
            budget("life_budget_1", 100, 500),
        )
        .unwrap(),
    )
    .await
    .unwrap();
    api.associate_stores(
        AssociateStoresRequest::new(
            coupon.as_str(),
            stock.as_str(),
            StoreListBody::new(["store_9"]).unwrap(),
        )
        .unwrap(),
    )
    .await
    .unwrap();
    api.deactivate_coupon(
        DeactivateCouponRequest::new(coupon.as_str(), "life_deact_01", "活动结束").unwrap(),
    )
    .await
    .unwrap();
    for id in [&stock, &second.stock_id] {
        assert_eq!(
            sim.stock(&coupon, id).unwrap().state,
            StockState::Deactivated
        );
    }

    let refused = [
        api.update_stock_budget(UpdateStockBudgetRequest::new(coupon.as_str(), stock.as_str(), budget("life_budget_2", 500, 600)).unwrap()).await.map(drop),
        api.upload_coupon_codes(UploadCouponCodesRequest::new(coupon.as_str(), stock.as_str(), UploadCouponCodesBody::new("life_codes_02", ["LIFE0003"]).unwrap()).unwrap()).await.map(drop),
        api.associate_stores(AssociateStoresRequest::new(coupon.as_str(), stock.as_str(), StoreListBody::new(["store_8"]).unwrap()).unwrap()).await.map(drop),
        api.create_stock(CreateStockRequest::from_body(coupon.as_str(), serde_json::from_value::<CreateStockBody>(serde_json::json!({"out_request_no": "life_stock_03", "stock": testdata("create_stock.json")["stock"]})).unwrap()).unwrap()).await.map(drop),
    ];
    for result in refused {
        assert_eq!(
            api_code(&result.unwrap_err()),
            (400, ErrorCode::InvalidRequest)
        );
    }
    sim.shutdown().await;
}
