//! Stock bundles: create. Update, budget and stores are the stock handlers' (on every stock of
//! the bundle).

use wxbrand_core::product_coupon::CreateStockBundleBody;

use crate::answer::Answer;
use crate::handlers::Call;
use crate::state::WriteKey;

/// The kind of request number of a bundle creation.
const CREATE: &str = "create_stock_bundle";

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
