//! Stocks: create, get, list, update, budget, stores, codes, deactivate. Update, budget and stores
//! serve stock bundles too (the same change on every stock of the bundle).

use bytes::Bytes;
use serde::Deserialize;
use wxbrand_core::field::OutRequestNo;
use wxbrand_core::product_coupon::DeactivateReason;
use wxbrand_core::product_coupon::{
    CreateStockBody, ListAssociatedStoresResponse, StockState, StoreListBody, StoreRef,
    UpdateBudgetBody, UpdateStockBody, UploadCouponCodesBody,
};

use crate::answer::{errno, Answer};
use crate::body_rules::{FieldRule, Received, RequestBody};
use crate::handlers::{coupons, refusal_answer, Call};
use crate::page_token;
use crate::path_params;
use crate::reason;
use crate::state::{Deactivation, Missing, Scope, WriteKey, Written};

/// The body of a deactivation.
#[derive(Debug, Deserialize)]
pub(crate) struct DeactivateStockBody {
    #[serde(default)]
    out_request_no: Received<String>,
    #[serde(default)]
    deactivate_reason: Received<String>,
}

impl RequestBody for DeactivateStockBody {
    const RULES: &'static [FieldRule<Self>] = &[
        FieldRule {
            name: "out_request_no",
            get: |b| &b.out_request_no,
            check: |value| OutRequestNo::new(value).map(drop),
        },
        FieldRule {
            name: "deactivate_reason",
            get: |b| &b.deactivate_reason,
            check: |value| DeactivateReason::new(value).map(drop),
        },
    ];
}

/// The answer for a stock the simulator does not hold under this coupon.
pub(crate) fn missing_answer(missing: Missing) -> Answer {
    match missing {
        Missing::Stock => Answer::not_exists(reason::STOCK_NOT_FOUND, "the stock does not exist"),
        Missing::OtherCoupon => Answer::not_exists(
            reason::STOCK_OF_ANOTHER_COUPON,
            "the stock does not belong to this product coupon",
        ),
    }
}

/// `POST …/stocks/{stock_id}/deactivate`.
pub(crate) fn deactivate(call: &Call<'_>, body: DeactivateStockBody) -> Answer {
    let shared = call.shared;
    let outcome = shared.world().deactivate(
        call.brand_id,
        call.params.get("product_coupon_id"),
        call.params.get("stock_id"),
        body.out_request_no.text(),
        body.deactivate_reason.text(),
        call.now_millis,
    );
    match outcome {
        Deactivation::Done { body, transition } => {
            if let Some(transition) = transition {
                shared.stats.record_transition(transition);
            }
            Answer::ok(body)
        }
        Deactivation::Missing(missing) => missing_answer(missing),
        Deactivation::WrongState(state) => Answer::invalid_request(
            reason::INVALID_STATE,
            &format!(
                "the stock is {}: only a SENDING or PAUSED stock can be deactivated",
                String::from(state)
            ),
        ),
        Deactivation::RequestNoReused => Answer::invalid_request(
            reason::OUT_REQUEST_NO_REUSED,
            "out_request_no was already used by this brand for another stock",
        ),
        Deactivation::Encoding => Answer::system_error(),
    }
}

/// `GET …/stocks/{stock_id}`.
pub(crate) fn get(call: &Call<'_>) -> Answer {
    let world = call.shared.world();
    match world.get(
        call.params.get("product_coupon_id"),
        call.params.get("stock_id"),
    ) {
        Ok(stock) => match serde_json::to_vec(&world.stock_view(stock, call.now_millis)) {
            Ok(body) => Answer::ok(Bytes::from(body)),
            Err(_) => Answer::system_error(),
        },
        Err(missing) => missing_answer(missing),
    }
}

const DEFAULT_PAGE_SIZE: usize = 20;

/// The `PARAM_ERROR` of a query whose percent-encoding is broken.
fn broken_query(raw: &str) -> Answer {
    Answer::param_error(
        "query",
        raw,
        "broken percent-encoding",
        "query",
        errno::PARAM_INVALID,
    )
}

/// The offset and page size a listing's `page_token` and `page_size` ask for (the one paging
/// rule of every listing).
pub(crate) fn paging(query: &str) -> Result<(usize, usize), Answer> {
    let pairs = path_params::parse_query(query).map_err(|raw| broken_query(&raw))?;
    let param = |name: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };

    let page_size = match param("page_size") {
        None => DEFAULT_PAGE_SIZE,
        Some(raw) => match raw.parse::<usize>() {
            Ok(n) if (1..=MAX_PAGE_SIZE).contains(&n) => n,
            _ => {
                return Err(Answer::param_error(
                    "page_size",
                    raw,
                    "page size out of range: 1 to 50",
                    "query",
                    errno::PARAM_OUT_OF_RANGE,
                ))
            }
        },
    };
    let offset = match param("page_token") {
        None | Some("") => 0,
        Some(raw) => match page_token::decode(raw) {
            Some(offset) => offset,
            None => {
                return Err(Answer::param_error(
                    "page_token",
                    raw,
                    "not a page token of this API",
                    "query",
                    errno::PARAM_INVALID,
                ))
            }
        },
    };
    Ok((offset, page_size))
}

const MAX_PAGE_SIZE: usize = 50;

/// `GET …/product-coupons/{product_coupon_id}/stocks`.
pub(crate) fn list(call: &Call<'_>) -> Answer {
    let pairs = match path_params::parse_query(call.query) {
        Ok(pairs) => pairs,
        Err(raw) => return broken_query(&raw),
    };
    let param = |name: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let (offset, page_size) = match paging(call.query) {
        Ok(paging) => paging,
        Err(answer) => return answer,
    };
    let state = match param("state") {
        None | Some("") => None,
        Some(raw) => match StockState::from(raw.to_string()) {
            StockState::Unknown(_) => {
                return Answer::param_error(
                    "state",
                    raw,
                    "not a stock state",
                    "query",
                    errno::PARAM_INVALID,
                )
            }
            known => Some(known),
        },
    };
    let bundle = param("stock_bundle_id").filter(|b| !b.is_empty());

    let world = call.shared.world();
    let page = world.list(
        call.params.get("product_coupon_id"),
        state.as_ref(),
        bundle,
        offset,
        page_size,
    );
    let Some(page) = page else {
        return coupons::coupon_not_found();
    };
    let mut out = serde_json::Map::new();
    out.insert(
        "total_count".into(),
        serde_json::Value::from(page.total as u64),
    );
    let stocks: Result<Vec<serde_json::Value>, _> = page
        .stocks
        .iter()
        .map(|s| serde_json::to_value(world.stock_view(s, call.now_millis)))
        .collect();
    let Ok(stocks) = stocks else {
        return Answer::system_error();
    };
    out.insert("stock_list".into(), serde_json::Value::Array(stocks));
    if let Some(next) = page.next_offset {
        out.insert(
            "next_page_token".into(),
            serde_json::Value::String(page_token::encode(next)),
        );
    }
    match serde_json::to_vec(&serde_json::Value::Object(out)) {
        Ok(body) => Answer::ok(Bytes::from(body)),
        Err(_) => Answer::system_error(),
    }
}

/// The kinds of request numbers of the stock writes.
const CREATE: &str = "create_stock";
const UPDATE: &str = "update_stock";
const UPDATE_BUNDLE: &str = "update_stock_bundle";
const BUDGET: &str = "update_stock_budget";
const BUDGET_BUNDLE: &str = "update_stock_bundle_budget";
const UPLOAD_CODES: &str = "upload_coupon_codes";

/// What a write on `…/stocks/{stock_id}` or `…/stock-bundles/{stock_bundle_id}` acts on, the
/// kind of its request number (per operation and scope), and its target (the path's ids).
fn scope<'c>(
    call: &'c Call<'_>,
    stock_kind: &'static str,
    bundle_kind: &'static str,
) -> (Scope<'c>, &'static str, String) {
    let coupon = call.params.get("product_coupon_id");
    match call.params.get("stock_bundle_id") {
        "" => {
            let stock = call.params.get("stock_id");
            (Scope::Stock(stock), stock_kind, format!("{coupon}/{stock}"))
        }
        bundle => (
            Scope::Bundle(bundle),
            bundle_kind,
            format!("{coupon}/bundle/{bundle}"),
        ),
    }
}

/// `POST …/product-coupons/{product_coupon_id}/stocks`: a new stock, `SENDING` at once.
pub(crate) fn create(call: &Call<'_>, body: CreateStockBody) -> Answer {
    let key = WriteKey::new(
        call.brand_id,
        CREATE,
        body.out_request_no.as_str(),
        call.params.get("product_coupon_id").to_string(),
        &body,
    );
    let Ok(stock) = serde_json::to_value(&body.stock) else {
        return Answer::system_error();
    };
    let outcome = call.shared.world().create_stock(key, stock);
    call.written(outcome)
}

/// `PATCH …/stocks/{stock_id}` and `PATCH …/stock-bundles/{stock_bundle_id}`: the parts the
/// body gives (on every stock of a bundle).
pub(crate) fn update(call: &Call<'_>, body: UpdateStockBody) -> Answer {
    let (scope, kind, target) = scope(call, UPDATE, UPDATE_BUNDLE);
    let number = body.out_request_no.as_ref().map_or("", |n| n.as_str());
    let key = WriteKey::new(call.brand_id, kind, number, target, &body);
    let Ok(serde_json::Value::Object(mut changes)) = serde_json::to_value(&body) else {
        return Answer::system_error();
    };
    changes.remove("out_request_no");
    let product_coupon_id = call.params.get("product_coupon_id");
    let outcome = call
        .shared
        .world()
        .update_stocks(key, product_coupon_id, scope, changes);
    call.written(outcome)
}

/// `POST …/stocks/{stock_id}/update-budget` and `…/stock-bundles/{stock_bundle_id}/update-budget`.
pub(crate) fn update_budget(call: &Call<'_>, body: UpdateBudgetBody) -> Answer {
    let (scope, kind, target) = scope(call, BUDGET, BUDGET_BUNDLE);
    let key = WriteKey::new(
        call.brand_id,
        kind,
        body.out_request_no.as_str(),
        target,
        &body,
    );
    let product_coupon_id = call.params.get("product_coupon_id");
    let outcome = call
        .shared
        .world()
        .update_budget(key, product_coupon_id, scope, &body);
    call.written(outcome)
}

/// `POST …/associate-stores` of a stock or a bundle (no request number: associating is a set
/// operation, repeat-safe by itself).
pub(crate) fn associate_stores(call: &Call<'_>, body: StoreListBody) -> Answer {
    change_stores(call, &body, true)
}

/// `POST …/disassociate-stores` of a stock or a bundle.
pub(crate) fn disassociate_stores(call: &Call<'_>, body: StoreListBody) -> Answer {
    change_stores(call, &body, false)
}

fn change_stores(call: &Call<'_>, body: &StoreListBody, add: bool) -> Answer {
    let (scope, _, _) = scope(call, "", "");
    let outcome = call
        .shared
        .world()
        .change_stores(
            call.params.get("product_coupon_id"),
            scope,
            &body.store_list,
            add,
        )
        .map(|(body, transitions)| Written { body, transitions });
    call.written(outcome)
}

/// `POST …/stocks/{stock_id}/upload-coupon-codes`.
pub(crate) fn upload_codes(call: &Call<'_>, body: UploadCouponCodesBody) -> Answer {
    let (_, kind, target) = scope(call, UPLOAD_CODES, UPLOAD_CODES);
    let key = WriteKey::new(
        call.brand_id,
        kind,
        body.out_request_no.as_str(),
        target,
        &body,
    );
    let outcome = call.shared.world().upload_codes(
        key,
        call.params.get("product_coupon_id"),
        call.params.get("stock_id"),
        &body.code_list,
    );
    call.written(outcome)
}

/// `GET …/stocks/{stock_id}/associated-stores` (`page_size` 1–50 default 20, `page_token`).
pub(crate) fn list_stores(call: &Call<'_>) -> Answer {
    let (offset, page_size) = match paging(call.query) {
        Ok(paging) => paging,
        Err(answer) => return answer,
    };
    let page = call.shared.world().stores_page(
        call.params.get("product_coupon_id"),
        call.params.get("stock_id"),
        offset,
        page_size,
    );
    let page = match page {
        Ok(page) => page,
        Err(refusal) => return refusal_answer(refusal),
    };
    let mut out = ListAssociatedStoresResponse::default();
    out.total_count = Some(page.total as u64);
    out.store_list = page.stores.into_iter().map(StoreRef::new).collect();
    out.next_page_token = page.next_offset.map(page_token::encode);
    match serde_json::to_vec(&out) {
        Ok(body) => Answer::ok(Bytes::from(body)),
        Err(_) => Answer::system_error(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body_rules::decode;

    #[test]
    fn deactivate_body_rules() {
        let field = |body: &str| {
            let answer = decode::<DeactivateStockBody>(body.as_bytes()).unwrap_err();
            let v: serde_json::Value = serde_json::from_slice(&answer.body).unwrap();
            assert_eq!(v["code"], "PARAM_ERROR");
            v["detail"]["field"].as_str().unwrap().to_string()
        };
        assert_eq!(field("{"), "body");
        assert_eq!(field("[1,2]"), "body");
        assert_eq!(field(r#"{"deactivate_reason":"x"}"#), "out_request_no");
        assert_eq!(
            field(r#"{"out_request_no":"abc","deactivate_reason":"x"}"#),
            "out_request_no"
        );
        assert_eq!(
            field(r#"{"out_request_no":"abc def","deactivate_reason":"x"}"#),
            "out_request_no"
        );
        assert_eq!(
            field(&format!(
                r#"{{"out_request_no":"{}","deactivate_reason":"x"}}"#,
                "a".repeat(41)
            )),
            "out_request_no"
        );
        assert_eq!(field(r#"{"out_request_no":"abcdef"}"#), "deactivate_reason");
        assert_eq!(
            field(r#"{"out_request_no":"abcdef","deactivate_reason":""}"#),
            "deactivate_reason"
        );
        assert_eq!(
            field(
                r#"{"out_request_no":"abcdef","out_request_no":"abcdeg","deactivate_reason":"x"}"#
            ),
            "out_request_no"
        );
        let long = "失".repeat(151);
        assert_eq!(
            field(&format!(
                r#"{{"out_request_no":"abcdef","deactivate_reason":"{long}"}}"#
            )),
            "deactivate_reason"
        );
        let ok = "失".repeat(150);
        let body = decode::<DeactivateStockBody>(
            format!(r#"{{"out_request_no":"ab_-01","deactivate_reason":"{ok}"}}"#).as_bytes(),
        )
        .unwrap();
        assert_eq!(body.out_request_no.text(), "ab_-01");
    }
}
