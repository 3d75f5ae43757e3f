//! A whole product-coupon campaign through the SDK, on the embedded simulator (a local WeChat Pay
//! brand API over TLS with generated keys): create a coupon with its first stock, add a second
//! stock, upload codes, raise the budget, attach stores, deactivate the coupon, and see a later
//! change refused with WeChat Pay's error.
//!
//! ```text
//! cargo run --example coupon_lifecycle
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::error::Error;

use wxbrand::prelude::*;
use wxbrand::product_coupon::{
    AssociateStoresRequest, BudgetUpdateMode, CreateCouponBody, CreateCouponRequest,
    CreateStockBody, CreateStockRequest, DeactivateCouponRequest, StoreListBody, UpdateBudgetBody,
    UpdateStockBudgetRequest, UploadCouponCodesBody, UploadCouponCodesRequest,
};
use wxbrand::Client;
use wxbrand_simulator::Simulator;

/// The request bodies, as a brand would keep them in files (WeChat Pay's JSON shapes); they are
/// checked by the SDK's types when the requests are built.
const COUPON_BODY: &str = include_str!("../testdata/product-coupon/create_coupon_all_normal.json");
const STOCK_BODY: &str = include_str!("../testdata/product-coupon/create_stock.json");

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let sim = Simulator::ephemeral().tls(true).start().await?;
    let brand = sim.ephemeral_brand().expect("an ephemeral brand");
    let client = Client::builder()
        .brand_id(brand.brand_id())
        .serial_no(brand.serial_no())
        .private_key(brand.private_key().clone())
        .wechatpay_public_key(
            sim.wechatpay_public_key_id(),
            sim.wechatpay_public_key().clone(),
        )
        .base_url(sim.base_url())
        .without_backup()
        .add_root_certificate_pem(sim.ca_certificate_pem().expect("TLS"))
        .build()?;
    let api = client.product_coupon();

    // 1. A whole-store coupon (100 off 10 yuan) with its first stock of uploaded codes.
    let body: CreateCouponBody = serde_json::from_str(COUPON_BODY)?;
    let created = api
        .create_coupon(CreateCouponRequest::from_body(body)?)
        .await?;
    let coupon = created.coupon.product_coupon_id.clone();
    let stock = created
        .stock
        .as_ref()
        .expect("a SINGLE coupon comes with its stock");
    let stock_id = stock.stock_id.clone();
    println!(
        "created coupon {coupon} with stock {stock_id} ({:?})",
        stock.state
    );

    // 2. A second stock.
    let body: CreateStockBody = serde_json::from_str(STOCK_BODY)?;
    let second = api
        .create_stock(CreateStockRequest::from_body(coupon.as_str(), body)?)
        .await?;
    println!("added stock {}", second.stock_id);

    // 3. Codes for the first stock (an UPLOAD stock).
    let codes =
        UploadCouponCodesBody::new("example_codes_01", ["EX000001", "EX000002", "EX000003"])?;
    let uploaded = api
        .upload_coupon_codes(UploadCouponCodesRequest::new(
            coupon.as_str(),
            stock_id.as_str(),
            codes,
        )?)
        .await?;
    println!("uploaded {} code(s)", uploaded.success_code_list.len());

    // 4. Raise its budget from 100 to 500 coupons.
    let budget = UpdateBudgetBody::new("example_budget_1", BudgetUpdateMode::MaxCount, 100, 500)?;
    let raised = api
        .update_stock_budget(UpdateStockBudgetRequest::new(
            coupon.as_str(),
            stock_id.as_str(),
            budget,
        )?)
        .await?;
    println!(
        "max_count now {:?}",
        raised.stock_send_rule.as_ref().and_then(|r| r.max_count)
    );

    // 5. Attach two stores.
    let stores = StoreListBody::new(["store_0001", "store_0002"])?;
    let attached = api
        .associate_stores(AssociateStoresRequest::new(
            coupon.as_str(),
            stock_id.as_str(),
            stores,
        )?)
        .await?;
    println!("attached {} store(s)", attached.success_store_list.len());

    // 6. Deactivate the coupon: its stocks stop issuing.
    let deactivated = api
        .deactivate_coupon(DeactivateCouponRequest::new(
            coupon.as_str(),
            "example_deact_01",
            "活动结束",
        )?)
        .await?;
    println!("coupon {:?}", deactivated.state);

    // 7. Any later change is refused by WeChat Pay (here, the simulator), with its error code.
    let budget = UpdateBudgetBody::new("example_budget_2", BudgetUpdateMode::MaxCount, 500, 600)?;
    let refused = api
        .update_stock_budget(UpdateStockBudgetRequest::new(
            coupon.as_str(),
            stock_id.as_str(),
            budget,
        )?)
        .await
        .expect_err("a deactivated coupon's stock cannot change");
    let cause = refused
        .source()
        .map(ToString::to_string)
        .unwrap_or_default();
    println!("a later budget change: {refused}: {cause}");
    sim.shutdown().await;
    Ok(())
}
