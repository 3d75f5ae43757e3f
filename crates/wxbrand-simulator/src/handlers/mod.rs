//! Route handlers, one module per resource. A handler gets a [`Call`] — the authenticated brand,
//! the checked path parameters, the query, the body — and answers an [`Answer`]; the pipeline
//! signs and sends it.

pub(crate) mod bundles;
pub(crate) mod coupons;
pub(crate) mod media;
pub(crate) mod notify_config;
pub(crate) mod stocks;
pub(crate) mod user_coupons;

use crate::answer::{errno, Answer};
use crate::body_rules::{self, CoreBody, RequestBody};
use crate::path_params::PathParams;
use crate::reason;
use crate::shared::Shared;
use crate::state::{Refusal, Written};

/// One authenticated request, as a handler sees it.
#[derive(Debug)]
pub(crate) struct Call<'a> {
    /// The simulator's state, settings and counters.
    pub(crate) shared: &'a Shared,
    /// The brand, as authenticated.
    pub(crate) brand_id: &'a str,
    /// The path parameters, decoded and checked.
    pub(crate) params: &'a PathParams,
    /// The raw query string (empty if none).
    pub(crate) query: &'a str,
    /// The body bytes (of a multipart body: its `meta` part, what the signature covers).
    pub(crate) body: &'a [u8],
    /// The `file` part of a multipart body (empty otherwise).
    pub(crate) file: &'a [u8],
    /// When the request is handled, in Unix milliseconds of the simulator's clock.
    pub(crate) now_millis: i64,
}

impl Call<'_> {
    /// Decodes the body as `B` with its rules and runs `handler` on it, or answers the
    /// `PARAM_ERROR` of the first broken rule.
    pub(crate) fn with_json<B: RequestBody>(&self, handler: fn(&Call<'_>, B) -> Answer) -> Answer {
        match body_rules::decode::<B>(self.body) {
            Ok(body) => handler(self, body),
            Err(answer) => answer,
        }
    }

    /// Decodes the body as core's body type `B` (its field types' rules, then its cross-field
    /// rules) and runs `handler` on it, or answers the `PARAM_ERROR` naming the field's path.
    pub(crate) fn with_body<B: CoreBody>(&self, handler: fn(&Call<'_>, B) -> Answer) -> Answer {
        match body_rules::decode_checked::<B>(self.body) {
            Ok(body) => handler(self, body),
            Err(answer) => answer,
        }
    }

    /// Records the stock state changes of a write and answers it, or answers its refusal.
    pub(crate) fn written(&self, outcome: Result<Written, Refusal>) -> Answer {
        match outcome {
            Ok(written) => {
                for transition in written.transitions {
                    self.shared.stats.record_transition(transition);
                }
                Answer::ok(written.body)
            }
            Err(refusal) => refusal_answer(refusal),
        }
    }
}

/// WeChat Pay's answer to a refused write.
pub(crate) fn refusal_answer(refusal: Refusal) -> Answer {
    match refusal {
        Refusal::CouponMissing => coupons::coupon_not_found(),
        Refusal::StockMissing(missing) => stocks::missing_answer(missing),
        Refusal::BundleMissing => Answer::not_exists(
            reason::STOCK_BUNDLE_NOT_FOUND,
            "the stock bundle does not exist under this product coupon",
        ),
        Refusal::WrongState(why) => Answer::invalid_request(reason::INVALID_STATE, &why),
        Refusal::RequestNoReused => Answer::invalid_request(
            reason::OUT_REQUEST_NO_REUSED,
            "out_request_no was already used by this brand for this operation on another target",
        ),
        Refusal::BodyDiffers => Answer::invalid_request(
            reason::OUT_REQUEST_NO_REUSED,
            "out_request_no was already used by this brand with other parameters: \
             repeat a request unchanged, or use a new out_request_no",
        ),
        Refusal::Invalid(why) => Answer::invalid_request(reason::INVALID_REQUEST, &why),
        Refusal::Encoding => Answer::system_error(),
        Refusal::UserCouponMissing => Answer::not_exists(
            reason::USER_COUPON_NOT_FOUND,
            "the user holds no coupon with this code under this product coupon and stock",
        ),
        Refusal::Param { field, issue } => {
            Answer::param_error(field, "", &issue, "body", errno::PARAM_INVALID)
        }
        Refusal::SendLimit(why) => Answer::invalid_request(reason::SEND_LIMIT_REACHED, &why),
        Refusal::CodesExhausted => Answer::invalid_request(
            reason::CODES_EXHAUSTED,
            "the stock has no uploaded coupon code left: upload more codes",
        ),
        Refusal::CodeTaken(code) => Answer::invalid_request(
            reason::COUPON_CODE_TAKEN,
            &format!("the stock already gave out coupon_code {code}: codes are unique per stock"),
        ),
    }
}
