//! Stock bundles: create, update, update budget, associate / disassociate stores.

use wxbrand_core::product_coupon::{
    CreateStockBundleBody, StoreListBody, UpdateBudgetBody, UpdateStockBody,
};

use crate::answer::Answer;
use crate::handlers::Call;
use crate::state::{WriteKey, Written};

/// The kinds of request numbers of the bundle writes.
const CREATE: &str = "create_stock_bundle";
const UPDATE: &str = "update_stock_bundle";
const BUDGET: &str = "update_stock_bundle_budget";

/// The bundle's ids from the path, `/`-joined (the target of a write on it).
fn bundle_target(call: &Call<'_>) -> String {
    format!(
        "{}/{}",
        call.params.get("product_coupon_id"),
        call.params.get("stock_bundle_id")
    )
}

/// `POST …/product-coupons/{product_coupon_id}/stock-bundles`.
pub(crate) fn create(call: &Call<'_>, body: CreateStockBundleBody) -> Answer {
    let key = WriteKey::new(
        call.brand_id,
        CREATE,
        body.out_request_no.as_str(),
        call.params.get("product_coupon_id").to_string(),
        &body,
    );
    let Ok(bundle) = serde_json::to_value(&body.stock_bundle) else {
        return Answer::system_error();
    };
    let outcome = call.shared.world().create_bundle(key, bundle);
    call.written(outcome)
}

/// `PATCH …/stock-bundles/{stock_bundle_id}`: the parts the body gives, on every stock.
pub(crate) fn update(call: &Call<'_>, body: UpdateStockBody) -> Answer {
    let number = body
        .out_request_no
        .as_ref()
        .map_or("", |n| n.as_str())
        .to_string();
    let key = WriteKey::new(call.brand_id, UPDATE, &number, bundle_target(call), &body);
    let Ok(serde_json::Value::Object(mut changes)) = serde_json::to_value(&body) else {
        return Answer::system_error();
    };
    changes.remove("out_request_no");
    let outcome = call.shared.world().update_bundle(
        key,
        call.params.get("product_coupon_id"),
        call.params.get("stock_bundle_id"),
        changes,
    );
    call.written(outcome)
}

/// `POST …/stock-bundles/{stock_bundle_id}/update-budget`: on every stock.
pub(crate) fn update_budget(call: &Call<'_>, body: UpdateBudgetBody) -> Answer {
    let key = WriteKey::new(
        call.brand_id,
        BUDGET,
        body.out_request_no.as_str(),
        bundle_target(call),
        &body,
    );
    let outcome = call.shared.world().update_bundle_budget(
        key,
        call.params.get("product_coupon_id"),
        call.params.get("stock_bundle_id"),
        &body,
    );
    call.written(outcome)
}

/// `POST …/stock-bundles/{stock_bundle_id}/associate-stores`.
pub(crate) fn associate_stores(call: &Call<'_>, body: StoreListBody) -> Answer {
    change_stores(call, &body, true)
}

/// `POST …/stock-bundles/{stock_bundle_id}/disassociate-stores`.
pub(crate) fn disassociate_stores(call: &Call<'_>, body: StoreListBody) -> Answer {
    change_stores(call, &body, false)
}

fn change_stores(call: &Call<'_>, body: &StoreListBody, add: bool) -> Answer {
    let outcome = call
        .shared
        .world()
        .change_bundle_stores(
            call.params.get("product_coupon_id"),
            call.params.get("stock_bundle_id"),
            &body.store_list,
            add,
        )
        .map(|(body, transitions)| Written { body, transitions });
    call.written(outcome)
}
