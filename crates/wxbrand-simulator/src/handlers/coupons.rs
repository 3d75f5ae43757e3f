//! Product coupons: create one (with its first stock or stock bundle), get, update, deactivate.

use bytes::Bytes;
use wxbrand_core::product_coupon::{
    CreateCouponBody, DeactivateCouponBody, ProductCouponUsageMode, UpdateCouponBody,
};

use crate::answer::Answer;
use crate::handlers::Call;
use crate::reason;
use crate::state::{FirstStock, WriteKey, DEACTIVATE_COUPON};

/// The kinds of request numbers of the coupon writes (besides [`DEACTIVATE_COUPON`]).
const CREATE: &str = "create_product_coupon";
const UPDATE: &str = "update_product_coupon";

/// The answer for a product coupon id the simulator does not hold.
pub(crate) fn coupon_not_found() -> Answer {
    Answer::not_exists(
        reason::PRODUCT_COUPON_NOT_FOUND,
        "the product coupon does not exist",
    )
}

/// `GET …/product-coupons/{product_coupon_id}`.
pub(crate) fn get(call: &Call<'_>) -> Answer {
    let world = call.shared.world();
    match world.get_coupon(call.params.get("product_coupon_id")) {
        Some(coupon) => match serde_json::to_vec(coupon) {
            Ok(body) => Answer::ok(Bytes::from(body)),
            Err(_) => Answer::system_error(),
        },
        None => coupon_not_found(),
    }
}

/// `POST …/product-coupons`: the coupon and its first stock (`SINGLE`) or stock bundle
/// (`PROGRESSIVE_BUNDLE`, one stock per use); ids generated, everything live at once.
pub(crate) fn create(call: &Call<'_>, body: CreateCouponBody) -> Answer {
    let key = WriteKey::new(
        call.brand_id,
        CREATE,
        body.out_request_no.as_str(),
        String::new(),
        &body,
    );
    let Ok(serde_json::Value::Object(mut fields)) = serde_json::to_value(&body) else {
        return Answer::system_error();
    };
    fields.remove("out_request_no");
    let stock = fields.remove("stock");
    let bundle = fields.remove("stock_bundle");
    // Core's validate() made sure the one the usage mode needs is there.
    let first = match (&body.usage_mode, stock, bundle) {
        (ProductCouponUsageMode::ProgressiveBundle, _, Some(bundle)) => {
            let count = body
                .progressive_bundle_usage_info
                .as_ref()
                .and_then(|info| info.count)
                .and_then(|count| usize::try_from(count).ok())
                .unwrap_or(0);
            FirstStock::Bundle(bundle, count)
        }
        (_, Some(stock), _) => FirstStock::Stock(stock),
        _ => return Answer::system_error(),
    };
    let outcome = call.shared.world().create_coupon(key, fields, first);
    call.written(outcome)
}

/// `PATCH …/product-coupons/{product_coupon_id}`: new display information.
pub(crate) fn update(call: &Call<'_>, body: UpdateCouponBody) -> Answer {
    let key = WriteKey::new(
        call.brand_id,
        UPDATE,
        body.out_request_no.as_str(),
        call.params.get("product_coupon_id").to_string(),
        &body,
    );
    let outcome = call.shared.world().update_coupon(key, body.display_info);
    call.written(outcome)
}

/// `POST …/product-coupons/{product_coupon_id}/deactivate`: the coupon and its live stocks.
pub(crate) fn deactivate(call: &Call<'_>, body: DeactivateCouponBody) -> Answer {
    let key = WriteKey::new(
        call.brand_id,
        DEACTIVATE_COUPON,
        body.out_request_no.as_str(),
        call.params.get("product_coupon_id").to_string(),
        &body,
    );
    let outcome = call.shared.world().deactivate_coupon(
        key,
        body.deactivate_reason.as_str(),
        call.now_millis,
    );
    call.written(outcome)
}
