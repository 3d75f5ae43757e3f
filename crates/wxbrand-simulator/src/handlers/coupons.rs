//! Product coupons: get one.

use bytes::Bytes;

use crate::answer::Answer;
use crate::handlers::Call;
use crate::reason;

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
