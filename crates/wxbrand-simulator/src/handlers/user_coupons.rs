//! Coupons of users (#20–#27): send, pre-send, confirm, use, return, deactivate, get, list. The
//! rules of the state are in `state/user_coupons.rs`.
//!
//! Bodies are decoded with the client's own body types (`wxbrand_core::product_coupon`: their
//! field types and `validate`), the path's `openid` and `coupon_code` checked by the client's
//! rules: a broken one is a `PARAM_ERROR` naming the field.

use bytes::Bytes;
use wxbrand_core::field::{CouponCode, Id, Openid, OutRequestNo};
use wxbrand_core::product_coupon::{
    DeactivateUserCouponBody, PreSendUserCouponBody, SendUserCouponBody, UseUserCouponBody,
    UserCouponBody,
};

use crate::answer::{errno, Answer};
use crate::handlers::{refusal_answer, stocks, Call};
use crate::page_token;
use crate::path_params;
use crate::state::{
    CouponRef, ListFilter, Refusal, SendOrder, UseOrder, World, WriteKey, Written, CONFIRM,
    DEACTIVATE_USER_COUPON, PRE_SEND, RETURN, SEND, USE,
};

/// Checks the path's `openid` (and `coupon_code`, when the route has one) by the client's rules
/// ([`Openid`], [`CouponCode`]); `Err` is the `PARAM_ERROR` (location `path`).
fn check_path(call: &Call<'_>) -> Result<(), Answer> {
    let openid = call.params.get("openid");
    Openid::new(openid).map_err(|e| Answer::rule_broken("openid", &e, "path"))?;
    let code = call.params.get("coupon_code");
    if !code.is_empty() {
        CouponCode::new(code).map_err(|e| Answer::rule_broken("coupon_code", &e, "path"))?;
    }
    Ok(())
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

fn send_order(
    product_coupon_id: &Id,
    stock_id: &Id,
    coupon_code: Option<&CouponCode>,
    attach: Option<&String>,
    coupon_tag_info: Option<serde_json::Value>,
) -> SendOrder {
    SendOrder {
        product_coupon_id: product_coupon_id.as_str().to_string(),
        stock_id: stock_id.as_str().to_string(),
        coupon_code: coupon_code.map(|c| c.as_str().to_string()),
        attach: attach.cloned(),
        coupon_tag_info,
    }
}

/// `POST /users/{openid}/coupons` (#20).
pub(crate) fn send(call: &Call<'_>, body: SendUserCouponBody) -> Answer {
    if let Err(answer) = check_path(call) {
        return answer;
    }
    let tags = body
        .coupon_tag_info
        .as_ref()
        .and_then(|t| serde_json::to_value(t).ok());
    let order = send_order(
        &body.product_coupon_id,
        &body.stock_id,
        body.coupon_code.as_ref(),
        body.attach.as_ref(),
        tags,
    );
    let openid = call.params.get("openid");
    let key = WriteKey::new(
        call.brand_id,
        SEND,
        body.send_request_no.as_str(),
        openid.to_string(),
        &body,
    );
    let outcome = call
        .shared
        .world()
        .send_user_coupon(key, openid, order, call.now_millis);
    call.written(outcome)
}

/// `POST /users/{openid}/pre-send-coupon` (#21): `{token}`, valid 5 minutes.
pub(crate) fn pre_send(call: &Call<'_>, body: PreSendUserCouponBody) -> Answer {
    if let Err(answer) = check_path(call) {
        return answer;
    }
    let order = send_order(
        &body.product_coupon_id,
        &body.stock_id,
        body.coupon_code.as_ref(),
        body.attach.as_ref(),
        None,
    );
    let openid = call.params.get("openid");
    let key = WriteKey::new(
        call.brand_id,
        PRE_SEND,
        body.send_request_no.as_str(),
        openid.to_string(),
        &body,
    );
    let outcome = call
        .shared
        .world()
        .pre_send_user_coupon(key, openid, order, call.now_millis);
    call.written(outcome)
}

/// Runs a write on `…/users/{openid}/coupons/{coupon_code}`: the path checked, the request
/// number's key (`kind`, the body's `out_request_no`, the path as target), the coupon the body
/// names, and `act` on the state.
#[allow(clippy::too_many_arguments)]
fn on_coupon<B: serde::Serialize>(
    call: &Call<'_>,
    kind: &'static str,
    body: &B,
    out_request_no: &OutRequestNo,
    product_coupon_id: &Id,
    stock_id: &Id,
    act: impl FnOnce(&mut World, WriteKey<'_>, CouponRef<'_>) -> Result<Written, Refusal>,
) -> Answer {
    if let Err(answer) = check_path(call) {
        return answer;
    }
    let key = WriteKey::new(
        call.brand_id,
        kind,
        out_request_no.as_str(),
        coupon_target(call),
        body,
    );
    let r = coupon_ref(call, product_coupon_id, stock_id);
    let outcome = act(&mut call.shared.world(), key, r);
    call.written(outcome)
}

/// `POST …/coupons/{coupon_code}/confirm` (#22).
pub(crate) fn confirm(call: &Call<'_>, body: UserCouponBody) -> Answer {
    let now = call.now_millis;
    on_coupon(
        call,
        CONFIRM,
        &body,
        &body.out_request_no,
        &body.product_coupon_id,
        &body.stock_id,
        |world, key, r| world.confirm_user_coupon(key, r, now),
    )
}

/// `POST …/coupons/{coupon_code}/use` (#23).
pub(crate) fn use_coupon(call: &Call<'_>, body: UseUserCouponBody) -> Answer {
    // The order object as sent (`associated_order_info` or `associated_pay_score_order_info`).
    let encoded = serde_json::to_value(&body).unwrap_or_default();
    let order = UseOrder {
        use_time: Some(body.use_time.as_str().to_string()),
        associated_order_info: encoded.get("associated_order_info").cloned(),
        associated_pay_score_order_info: encoded.get("associated_pay_score_order_info").cloned(),
    };
    let now = call.now_millis;
    on_coupon(
        call,
        USE,
        &body,
        &body.out_request_no,
        &body.product_coupon_id,
        &body.stock_id,
        |world, key, r| world.use_user_coupon(key, r, order, now),
    )
}

/// `POST …/coupons/{coupon_code}/return` (#27).
pub(crate) fn return_coupon(call: &Call<'_>, body: UserCouponBody) -> Answer {
    let now = call.now_millis;
    on_coupon(
        call,
        RETURN,
        &body,
        &body.out_request_no,
        &body.product_coupon_id,
        &body.stock_id,
        |world, key, r| world.return_user_coupon(key, r, now),
    )
}

/// `POST …/coupons/{coupon_code}/deactivate` (#26).
pub(crate) fn deactivate(call: &Call<'_>, body: DeactivateUserCouponBody) -> Answer {
    let now = call.now_millis;
    let reason = body.deactivate_reason.as_str();
    on_coupon(
        call,
        DEACTIVATE_USER_COUPON,
        &body,
        &body.out_request_no,
        &body.product_coupon_id,
        &body.stock_id,
        |world, key, r| world.deactivate_user_coupon(key, r, reason, now),
    )
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
    if let Err(answer) = check_path(call) {
        return answer;
    }
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
    if let Err(answer) = check_path(call) {
        return answer;
    }
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
