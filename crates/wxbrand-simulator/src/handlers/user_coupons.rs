//! Coupons of users (#20–#27): send, pre-send, confirm, use, return, deactivate, get, list. The
//! rules of the state are in `state/user_coupons.rs`.
//!
//! Bodies are decoded field by field with the client's own field types (`wxbrand_core::field`),
//! so an id or request number breaking the client's rule is a `PARAM_ERROR` naming the field.

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use wxbrand_core::error::ValidationRule;
use wxbrand_core::field::{Id, OutRequestNo};
use wxbrand_core::ValidationError;

use crate::answer::{errno, Answer};
use crate::body_rules::CoreBody;
use crate::handlers::{refusal_answer, stocks, Call};
use crate::page_token;
use crate::path_params;
use crate::state::{
    CouponRef, ListFilter, SendOrder, UseOrder, WriteKey, CONFIRM, DEACTIVATE_USER_COUPON,
    PRE_SEND, RETURN, SEND, USE,
};

/// The body of a send (#20) and a pre-send (#21).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct SendBody {
    product_coupon_id: Id,
    stock_id: Id,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    coupon_code: Option<Id>,
    appid: Id,
    send_request_no: OutRequestNo,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    attach: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    coupon_tag_info: Option<serde_json::Value>,
}

/// The body of a confirm (#22) and a return (#27).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct CouponChangeBody {
    product_coupon_id: Id,
    stock_id: Id,
    appid: Id,
    out_request_no: OutRequestNo,
}

/// The body of a use (#23).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct UseBody {
    product_coupon_id: Id,
    stock_id: Id,
    appid: Id,
    out_request_no: OutRequestNo,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    use_time: Option<wxbrand_core::Rfc3339>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    store_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    associated_order_info: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    associated_pay_score_order_info: Option<serde_json::Value>,
}

/// The body of a deactivation (#26).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct DeactivateBody {
    product_coupon_id: Id,
    stock_id: Id,
    appid: Id,
    out_request_no: OutRequestNo,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    deactivate_reason: Option<String>,
}

impl CoreBody for SendBody {}
impl CoreBody for CouponChangeBody {}
impl CoreBody for DeactivateBody {}
impl CoreBody for UseBody {
    /// Exactly one of the two order objects (the facts).
    fn validate(&self) -> Result<(), ValidationError> {
        match (
            &self.associated_order_info,
            &self.associated_pay_score_order_info,
        ) {
            (None, None) => Err(ValidationError::new(
                "associated_order_info",
                ValidationRule::Missing,
                "",
            )),
            (Some(_), Some(_)) => Err(ValidationError::new(
                "associated_pay_score_order_info",
                ValidationRule::NotAllowed,
                "",
            )),
            _ => Ok(()),
        }
    }
}

/// What a write on `/users/{openid}/coupons/{coupon_code}` acts on: its target for request
/// numbers and the coupon it names.
fn coupon_ref<'a>(
    call: &'a Call<'_>,
    product_coupon_id: &'a Id,
    stock_id: &'a Id,
) -> CouponRef<'a> {
    CouponRef {
        openid: call.params.get("openid"),
        coupon_code: call.params.get("coupon_code"),
        product_coupon_id: product_coupon_id.as_str(),
        stock_id: stock_id.as_str(),
    }
}

fn coupon_target(call: &Call<'_>) -> String {
    format!(
        "{}/{}",
        call.params.get("openid"),
        call.params.get("coupon_code")
    )
}

fn send_order(body: &SendBody) -> SendOrder {
    SendOrder {
        product_coupon_id: body.product_coupon_id.as_str().to_string(),
        stock_id: body.stock_id.as_str().to_string(),
        coupon_code: body.coupon_code.as_ref().map(|c| c.as_str().to_string()),
        attach: body.attach.clone(),
        coupon_tag_info: body.coupon_tag_info.clone(),
    }
}

/// `POST /users/{openid}/coupons` (#20).
pub(crate) fn send(call: &Call<'_>, body: SendBody) -> Answer {
    let openid = call.params.get("openid");
    let key = WriteKey::new(
        call.brand_id,
        SEND,
        body.send_request_no.as_str(),
        openid.to_string(),
        &body,
    );
    let outcome =
        call.shared
            .world()
            .send_user_coupon(key, openid, send_order(&body), call.now_millis);
    call.written(outcome)
}

/// `POST /users/{openid}/pre-send-coupon` (#21): `{token}`, valid 5 minutes.
pub(crate) fn pre_send(call: &Call<'_>, body: SendBody) -> Answer {
    let openid = call.params.get("openid");
    let key = WriteKey::new(
        call.brand_id,
        PRE_SEND,
        body.send_request_no.as_str(),
        openid.to_string(),
        &body,
    );
    let outcome =
        call.shared
            .world()
            .pre_send_user_coupon(key, openid, send_order(&body), call.now_millis);
    call.written(outcome)
}

/// `POST …/coupons/{coupon_code}/confirm` (#22).
pub(crate) fn confirm(call: &Call<'_>, body: CouponChangeBody) -> Answer {
    let key = WriteKey::new(
        call.brand_id,
        CONFIRM,
        body.out_request_no.as_str(),
        coupon_target(call),
        &body,
    );
    let r = coupon_ref(call, &body.product_coupon_id, &body.stock_id);
    let outcome = call
        .shared
        .world()
        .confirm_user_coupon(key, r, call.now_millis);
    call.written(outcome)
}

/// `POST …/coupons/{coupon_code}/use` (#23).
pub(crate) fn use_coupon(call: &Call<'_>, body: UseBody) -> Answer {
    let key = WriteKey::new(
        call.brand_id,
        USE,
        body.out_request_no.as_str(),
        coupon_target(call),
        &body,
    );
    let order = UseOrder {
        use_time: body.use_time.as_ref().map(|t| t.as_str().to_string()),
        associated_order_info: body.associated_order_info.clone(),
        associated_pay_score_order_info: body.associated_pay_score_order_info.clone(),
    };
    let r = coupon_ref(call, &body.product_coupon_id, &body.stock_id);
    let outcome = call
        .shared
        .world()
        .use_user_coupon(key, r, order, call.now_millis);
    call.written(outcome)
}

/// `POST …/coupons/{coupon_code}/return` (#27).
pub(crate) fn return_coupon(call: &Call<'_>, body: CouponChangeBody) -> Answer {
    let key = WriteKey::new(
        call.brand_id,
        RETURN,
        body.out_request_no.as_str(),
        coupon_target(call),
        &body,
    );
    let r = coupon_ref(call, &body.product_coupon_id, &body.stock_id);
    let outcome = call
        .shared
        .world()
        .return_user_coupon(key, r, call.now_millis);
    call.written(outcome)
}

/// `POST …/coupons/{coupon_code}/deactivate` (#26).
pub(crate) fn deactivate(call: &Call<'_>, body: DeactivateBody) -> Answer {
    let key = WriteKey::new(
        call.brand_id,
        DEACTIVATE_USER_COUPON,
        body.out_request_no.as_str(),
        coupon_target(call),
        &body,
    );
    let r = coupon_ref(call, &body.product_coupon_id, &body.stock_id);
    let reason = body.deactivate_reason.as_deref().unwrap_or("");
    let outcome = call
        .shared
        .world()
        .deactivate_user_coupon(key, r, reason, call.now_millis);
    call.written(outcome)
}

/// The query parameters of a request, decoded; `Err` is the `PARAM_ERROR` of a broken query.
fn query_pairs(call: &Call<'_>) -> Result<Vec<(String, String)>, Answer> {
    path_params::parse_query(call.query).map_err(|raw| {
        Answer::param_error(
            "query",
            &raw,
            "broken percent-encoding",
            "query",
            errno::PARAM_INVALID,
        )
    })
}

fn param<'p>(pairs: &'p [(String, String)], name: &str) -> Option<&'p str> {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// `GET …/coupons/{coupon_code}` (#24): `product_coupon_id`, `stock_id` and `appid` required in
/// the query (the facts' diagnostic script requires all three).
pub(crate) fn get(call: &Call<'_>) -> Answer {
    let pairs = match query_pairs(call) {
        Ok(pairs) => pairs,
        Err(answer) => return answer,
    };
    let mut given = [""; 3];
    for (slot, name) in given
        .iter_mut()
        .zip(["product_coupon_id", "stock_id", "appid"])
    {
        match param(&pairs, name) {
            Some(value) => *slot = value,
            None => {
                return Answer::param_error(name, "", "required", "query", errno::PARAM_INVALID)
            }
        }
    }
    let r = CouponRef {
        openid: call.params.get("openid"),
        coupon_code: call.params.get("coupon_code"),
        product_coupon_id: given[0],
        stock_id: given[1],
    };
    match call.shared.world().get_user_coupon(&r, call.now_millis) {
        Ok(body) => Answer::ok(body),
        Err(refusal) => refusal_answer(refusal),
    }
}

/// The coupon states a listing may filter by.
const COUPON_STATES: [&str; 7] = [
    "CONFIRMING",
    "PENDING",
    "EFFECTIVE",
    "USED",
    "EXPIRED",
    "DELETED",
    "DEACTIVATED",
];

/// `GET /users/{openid}/coupons` (#25): filters `product_coupon_id`, `stock_id`, `coupon_state`;
/// paged like the stock listing (`page_size` 1–50 default 20, `page_token`).
pub(crate) fn list(call: &Call<'_>) -> Answer {
    let pairs = match query_pairs(call) {
        Ok(pairs) => pairs,
        Err(answer) => return answer,
    };
    let (offset, page_size) = match stocks::paging(call.query) {
        Ok(paging) => paging,
        Err(answer) => return answer,
    };
    let coupon_state = param(&pairs, "coupon_state");
    if let Some(state) = coupon_state {
        if !COUPON_STATES.contains(&state) {
            return Answer::param_error(
                "coupon_state",
                state,
                "not a user coupon state",
                "query",
                errno::PARAM_INVALID,
            );
        }
    }
    let filter = ListFilter {
        product_coupon_id: param(&pairs, "product_coupon_id"),
        stock_id: param(&pairs, "stock_id"),
        coupon_state,
    };
    let page = call.shared.world().list_user_coupons(
        call.params.get("openid"),
        &filter,
        offset,
        page_size,
        call.now_millis,
    );
    let page = match page {
        Ok(page) => page,
        Err(refusal) => return refusal_answer(refusal),
    };
    // The coupons are encoded answers already: join them without decoding.
    let mut out = format!("{{\"total_count\":{},\"user_coupon_list\":[", page.total).into_bytes();
    for (i, coupon) in page.coupons.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(coupon);
    }
    out.push(b']');
    if let Some(next) = page.next_offset {
        out.extend_from_slice(
            format!(",\"next_page_token\":\"{}\"", page_token::encode(next)).as_bytes(),
        );
    }
    out.push(b'}');
    Answer::ok(Bytes::from(out))
}
