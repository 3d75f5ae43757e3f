//! The operations on the coupons of a user (用户商品券): send, pre-send, confirm, use, return,
//! deactivate, get and list. Paths under `/brand/marketing/product-coupon/users/{openid}/…`; the
//! openid and the coupon code go in the path only, never in the body.
//!
//! Every write carries its request number (`send_request_no` for the sends, `out_request_no` for
//! the others), so each is repeat-safe: the client retries it with the same body, and WeChat Pay
//! acts once per number.

use serde::{Deserialize, Serialize};

use super::declare::body_operation;
use super::requests::DeactivateReason;
use super::rules::{self, known};
use super::user_coupon::{
    AssociatedOrderInfo, AssociatedPayScoreOrderInfo, CouponTagInfo,
    ListUserProductCouponsResponse, PreSendUserCouponResponse, UserProductCouponEntity,
    UserProductCouponState, UserProductCouponTag,
};
use crate::error::ValidationRule;
use crate::field::{CouponCode, Id, Openid, OutRequestNo, PageSize, PageToken, Text, WithinField};
use crate::{
    AnswerMismatch, Method, NoBody, Operation, Page, Paged, Query, Rfc3339, ValidationError,
};

/// An `appid` (the mini program, official account or app the openid belongs to, linked to the
/// brand): 1 to 32 characters.
pub type Appid = Text<1, 32>;

/// A brand's `store_id`: 1 to 40 characters.
pub type StoreId = Text<1, { rules::STORE_ID_MAX_CHARS }>;

/// The user that names a path (`/users/{openid}/…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct UserKey {
    openid: Openid,
}

impl UserKey {
    pub(super) fn new(openid: String) -> Result<Self, ValidationError> {
        Ok(UserKey {
            openid: Openid::new(openid).within("openid")?,
        })
    }

    pub(super) fn path_parameter(&self, name: &str) -> Option<&str> {
        (name == "openid").then(|| self.openid.as_str())
    }
}

/// The user and the coupon code that name a path (`/users/{openid}/coupons/{coupon_code}/…`),
/// and the check of an answer about that coupon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct UserCouponKey {
    user: UserKey,
    coupon_code: CouponCode,
}

impl UserCouponKey {
    pub(super) fn new(openid: String, coupon_code: String) -> Result<Self, ValidationError> {
        Ok(UserCouponKey {
            user: UserKey::new(openid)?,
            coupon_code: CouponCode::new(coupon_code).within("coupon_code")?,
        })
    }

    pub(super) fn path_parameter(&self, name: &str) -> Option<&str> {
        match name {
            "coupon_code" => Some(self.coupon_code.as_str()),
            _ => self.user.path_parameter(name),
        }
    }

    /// The answer must be this coupon, of this product coupon and stock (when it names them).
    fn check(
        &self,
        answer: &UserProductCouponEntity,
        product_coupon_id: &Id,
        stock_id: &Id,
    ) -> Result<(), AnswerMismatch> {
        AnswerMismatch::check(
            "coupon_code",
            self.coupon_code.as_str(),
            &answer.coupon_code,
        )?;
        check_ids(answer, Some(product_coupon_id), Some(stock_id))
    }
}

/// The answer's product coupon and stock, when it names them, must be the ones given.
fn check_ids(
    answer: &UserProductCouponEntity,
    product_coupon_id: Option<&Id>,
    stock_id: Option<&Id>,
) -> Result<(), AnswerMismatch> {
    if let Some(id) = product_coupon_id {
        if let Some(coupon) = &answer.product_coupon {
            AnswerMismatch::check(
                "product_coupon.product_coupon_id",
                id.as_str(),
                &coupon.product_coupon_id,
            )?;
        }
        if let Some(stock) = &answer.stock {
            AnswerMismatch::check(
                "stock.product_coupon_id",
                id.as_str(),
                &stock.product_coupon_id,
            )?;
        }
    }
    if let (Some(id), Some(stock)) = (stock_id, &answer.stock) {
        AnswerMismatch::check("stock.stock_id", id.as_str(), &stock.stock_id)?;
    }
    Ok(())
}

/// Known tags only (an `Unknown` tag decoded from an answer is not sent).
fn check_tags(info: &Option<CouponTagInfo>) -> Result<(), ValidationError> {
    let tags = info
        .as_ref()
        .and_then(|info| info.coupon_tag_list.as_deref());
    for (index, tag) in tags.unwrap_or_default().iter().enumerate() {
        known(
            "",
            tag.as_str(),
            matches!(tag, UserProductCouponTag::Unknown(_)),
        )
        .map_err(|e| {
            e.within_item("coupon_tag_list", index)
                .within("coupon_tag_info")
        })?;
    }
    Ok(())
}

/// The body of [`SendUserCouponRequest`] (发放用户商品券), in WeChat Pay's field order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct SendUserCouponBody {
    /// The product coupon.
    pub product_coupon_id: Id,
    /// The stock the coupon is sent from.
    pub stock_id: Id,
    /// The code to give the coupon: required for an `API_ASSIGN` stock (unique per stock), left
    /// out otherwise (WeChat Pay generates it, or takes the next uploaded one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_code: Option<CouponCode>,
    /// The appid the openid belongs to.
    pub appid: Appid,
    /// The brand's request number of the send (idempotency key; 6–40 of `[0-9A-Za-z_-]`).
    pub send_request_no: OutRequestNo,
    /// The brand's own data, answered back and in the send event (no length is documented).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attach: Option<String>,
    /// Tags of the coupon (`MEMBER` with a member card).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_tag_info: Option<CouponTagInfo>,
}

impl SendUserCouponBody {
    /// A send of a coupon of `stock_id` under `appid`, numbered `send_request_no` (all validated).
    pub fn new(
        product_coupon_id: impl Into<String>,
        stock_id: impl Into<String>,
        appid: impl Into<String>,
        send_request_no: impl Into<String>,
    ) -> Result<Self, ValidationError> {
        Ok(SendUserCouponBody {
            product_coupon_id: Id::new(product_coupon_id).within("product_coupon_id")?,
            stock_id: Id::new(stock_id).within("stock_id")?,
            coupon_code: None,
            appid: Appid::new(appid).within("appid")?,
            send_request_no: OutRequestNo::new(send_request_no).within("send_request_no")?,
            attach: None,
            coupon_tag_info: None,
        })
    }
    /// Gives the coupon this code ([`CouponCode`]; for `API_ASSIGN` stocks).
    pub fn coupon_code(mut self, code: impl Into<String>) -> Result<Self, ValidationError> {
        self.coupon_code = Some(CouponCode::new(code).within("coupon_code")?);
        Ok(self)
    }
    /// Sets `attach`.
    pub fn attach(mut self, attach: impl Into<String>) -> Self {
        self.attach = Some(attach.into());
        self
    }
    /// Sets the tags.
    pub fn coupon_tag_info(mut self, info: CouponTagInfo) -> Self {
        self.coupon_tag_info = Some(info);
        self
    }
    /// The rules the field types do not hold: tags known.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_tags(&self.coupon_tag_info)
    }
}

body_operation! {
    /// Send a coupon to a user (发放用户商品券): `POST /brand/marketing/product-coupon/users/{openid}/coupons`.
    ///
    /// Repeat-safe: the body carries a `send_request_no`, and WeChat Pay sends once per number
    /// (retry with the same body). The coupon is `CONFIRMING` until the brand confirms it
    /// ([`ConfirmUserCouponRequest`]) after the `PRODUCT_COUPON.SEND` event. The answer must be
    /// the code asked for (when one was given), this send's number and this stock (when named).
    SendUserCouponRequest(UserKey(openid), SendUserCouponBody) -> UserProductCouponEntity {
        name: "send_user_coupon",
        method: Post,
        repeat_safe: true,
        path: "/brand/marketing/product-coupon/users/{openid}/coupons",
    }
    check(this, answer) {
        if let Some(code) = &this.body.coupon_code {
            AnswerMismatch::check("coupon_code", code.as_str(), &answer.coupon_code)?;
        }
        AnswerMismatch::check_if_present(
            "send_request_no",
            this.body.send_request_no.as_str(),
            answer.send_request_no.as_deref(),
        )?;
        check_ids(answer, Some(&this.body.product_coupon_id), Some(&this.body.stock_id))
    }
}

/// The body of [`PreSendUserCouponRequest`] (预发放): the fields of a send without tags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PreSendUserCouponBody {
    /// The product coupon.
    pub product_coupon_id: Id,
    /// The stock the coupon is sent from.
    pub stock_id: Id,
    /// The code to give the coupon (`API_ASSIGN` stocks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_code: Option<CouponCode>,
    /// The appid the openid belongs to.
    pub appid: Appid,
    /// The brand's request number of the send (idempotency key).
    pub send_request_no: OutRequestNo,
    /// The brand's own data, answered back (no length is documented).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attach: Option<String>,
}

impl PreSendUserCouponBody {
    /// A pre-send of a coupon of `stock_id` under `appid`, numbered `send_request_no`.
    pub fn new(
        product_coupon_id: impl Into<String>,
        stock_id: impl Into<String>,
        appid: impl Into<String>,
        send_request_no: impl Into<String>,
    ) -> Result<Self, ValidationError> {
        Ok(PreSendUserCouponBody {
            product_coupon_id: Id::new(product_coupon_id).within("product_coupon_id")?,
            stock_id: Id::new(stock_id).within("stock_id")?,
            coupon_code: None,
            appid: Appid::new(appid).within("appid")?,
            send_request_no: OutRequestNo::new(send_request_no).within("send_request_no")?,
            attach: None,
        })
    }
    /// Gives the coupon this code ([`CouponCode`]; for `API_ASSIGN` stocks).
    pub fn coupon_code(mut self, code: impl Into<String>) -> Result<Self, ValidationError> {
        self.coupon_code = Some(CouponCode::new(code).within("coupon_code")?);
        Ok(self)
    }
    /// Sets `attach`.
    pub fn attach(mut self, attach: impl Into<String>) -> Self {
        self.attach = Some(attach.into());
        self
    }
    /// Every rule is held by the field types.
    pub fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }
}

body_operation! {
    /// Pre-send a coupon for the mini-program claim component (预发放用户商品券):
    /// `POST /brand/marketing/product-coupon/users/{openid}/pre-send-coupon`, answering a token
    /// valid 5 minutes.
    ///
    /// Repeat-safe: it carries a `send_request_no`, which WeChat Pay treats as the same request
    /// when repeated, so a retry cannot reserve a second coupon (at worst it answers the token
    /// again). Nothing in the answer identifies the request, so it is not checked.
    PreSendUserCouponRequest(UserKey(openid), PreSendUserCouponBody) -> PreSendUserCouponResponse {
        name: "pre_send_user_coupon",
        method: Post,
        repeat_safe: true,
        path: "/brand/marketing/product-coupon/users/{openid}/pre-send-coupon",
    }
    check(_this, _answer) { Ok(()) }
}

/// The body of confirm and return: which coupon (product coupon, stock, appid) and the brand's
/// request number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct UserCouponBody {
    /// The product coupon.
    pub product_coupon_id: Id,
    /// The stock of the coupon.
    pub stock_id: Id,
    /// The appid the openid belongs to.
    pub appid: Appid,
    /// The brand's request number (idempotency key).
    pub out_request_no: OutRequestNo,
}

impl UserCouponBody {
    /// The body, every field validated.
    pub fn new(
        product_coupon_id: impl Into<String>,
        stock_id: impl Into<String>,
        appid: impl Into<String>,
        out_request_no: impl Into<String>,
    ) -> Result<Self, ValidationError> {
        Ok(UserCouponBody {
            product_coupon_id: Id::new(product_coupon_id).within("product_coupon_id")?,
            stock_id: Id::new(stock_id).within("stock_id")?,
            appid: Appid::new(appid).within("appid")?,
            out_request_no: OutRequestNo::new(out_request_no).within("out_request_no")?,
        })
    }
    /// Every rule is held by the field types.
    pub fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }
}

body_operation! {
    /// Confirm a sent coupon (确认发放用户商品券):
    /// `POST /brand/marketing/product-coupon/users/{openid}/coupons/{coupon_code}/confirm`.
    ///
    /// Call it after every `PRODUCT_COUPON.SEND` event, whatever the channel: until then the coupon
    /// stays `CONFIRMING` and cannot be used. Repeat-safe (an `out_request_no`). The answer must
    /// be this coupon.
    ConfirmUserCouponRequest(UserCouponKey(openid, coupon_code), UserCouponBody) -> UserProductCouponEntity {
        name: "confirm_user_coupon",
        method: Post,
        repeat_safe: true,
        path: "/brand/marketing/product-coupon/users/{openid}/coupons/{coupon_code}/confirm",
    }
    check(this, answer) {
        this.key.check(answer, &this.body.product_coupon_id, &this.body.stock_id)
    }
}

body_operation! {
    /// Return a used coupon (退还用户商品券), e.g. when its order is refunded:
    /// `POST /brand/marketing/product-coupon/users/{openid}/coupons/{coupon_code}/return`; the use
    /// is undone and the coupon is usable again.
    ///
    /// Repeat-safe (an `out_request_no`). The answer must be this coupon.
    ReturnUserCouponRequest(UserCouponKey(openid, coupon_code), UserCouponBody) -> UserProductCouponEntity {
        name: "return_user_coupon",
        method: Post,
        repeat_safe: true,
        path: "/brand/marketing/product-coupon/users/{openid}/coupons/{coupon_code}/return",
    }
    check(this, answer) {
        this.key.check(answer, &this.body.product_coupon_id, &this.body.stock_id)
    }
}

/// The body of [`DeactivateUserCouponRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct DeactivateUserCouponBody {
    /// The product coupon.
    pub product_coupon_id: Id,
    /// The stock of the coupon.
    pub stock_id: Id,
    /// The appid the openid belongs to.
    pub appid: Appid,
    /// The brand's request number (idempotency key).
    pub out_request_no: OutRequestNo,
    /// Why the coupon is deactivated (1–150 characters).
    pub deactivate_reason: DeactivateReason,
}

impl DeactivateUserCouponBody {
    /// The body, every field validated.
    pub fn new(
        product_coupon_id: impl Into<String>,
        stock_id: impl Into<String>,
        appid: impl Into<String>,
        out_request_no: impl Into<String>,
        deactivate_reason: impl Into<String>,
    ) -> Result<Self, ValidationError> {
        Ok(DeactivateUserCouponBody {
            product_coupon_id: Id::new(product_coupon_id).within("product_coupon_id")?,
            stock_id: Id::new(stock_id).within("stock_id")?,
            appid: Appid::new(appid).within("appid")?,
            out_request_no: OutRequestNo::new(out_request_no).within("out_request_no")?,
            deactivate_reason: DeactivateReason::new(deactivate_reason)
                .within("deactivate_reason")?,
        })
    }
    /// Every rule is held by the field types.
    pub fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }
}

body_operation! {
    /// Deactivate a user's coupon (失效用户商品券):
    /// `POST /brand/marketing/product-coupon/users/{openid}/coupons/{coupon_code}/deactivate`.
    ///
    /// Repeat-safe (an `out_request_no`). The answer must be this coupon and, when it names the
    /// deactivation's request number, this `out_request_no`.
    DeactivateUserCouponRequest(UserCouponKey(openid, coupon_code), DeactivateUserCouponBody) -> UserProductCouponEntity {
        name: "deactivate_user_coupon",
        method: Post,
        repeat_safe: true,
        path: "/brand/marketing/product-coupon/users/{openid}/coupons/{coupon_code}/deactivate",
    }
    check(this, answer) {
        this.key.check(answer, &this.body.product_coupon_id, &this.body.stock_id)?;
        AnswerMismatch::check_if_present(
            "deactivate_request_no",
            this.body.out_request_no.as_str(),
            answer.deactivate_request_no.as_deref(),
        )
    }
}

/// The order a coupon is used with: exactly one of the two kinds WeChat Pay knows.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub enum AssociatedOrder {
    /// A payment order (`associated_order_info`).
    #[serde(rename = "associated_order_info")]
    Order(AssociatedOrderInfo),
    /// A pay-score order (`associated_pay_score_order_info`).
    #[serde(rename = "associated_pay_score_order_info")]
    PayScoreOrder(AssociatedPayScoreOrderInfo),
}

impl AssociatedOrder {
    /// The order names an order: an id of WeChat Pay's or the merchant's.
    fn validate(&self) -> Result<(), ValidationError> {
        let (field, given, requirement) = match self {
            AssociatedOrder::Order(order) => (
                "associated_order_info",
                order.transaction_id.is_some() || order.out_trade_no.is_some(),
                "an order: at least one of transaction_id, out_trade_no",
            ),
            AssociatedOrder::PayScoreOrder(order) => (
                "associated_pay_score_order_info",
                order.order_id.is_some() || order.out_order_no.is_some(),
                "a pay-score order: at least one of order_id, out_order_no",
            ),
        };
        if given {
            return Ok(());
        }
        Err(ValidationError::new(field, ValidationRule::Missing, "").with_requirement(requirement))
    }
}

/// The body of [`UseUserCouponRequest`] (核销), in WeChat Pay's field order: the order object is
/// written as `associated_order_info` or `associated_pay_score_order_info`, whichever it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "UseUserCouponWire")]
#[non_exhaustive]
pub struct UseUserCouponBody {
    /// The product coupon.
    pub product_coupon_id: Id,
    /// The stock of the coupon.
    pub stock_id: Id,
    /// The appid the openid belongs to.
    pub appid: Appid,
    /// When the coupon was used (RFC3339, e.g. `2025-08-01T12:00:00+08:00`).
    pub use_time: Rfc3339,
    /// The brand's request number (idempotency key; reuse it for the same coupon's use).
    pub out_request_no: OutRequestNo,
    /// The store it was used at.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store_id: Option<StoreId>,
    /// The order it was used with.
    #[serde(flatten)]
    pub associated_order: AssociatedOrder,
}

/// The body of a use as it arrives: both order objects optional, checked into exactly one.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UseUserCouponWire {
    product_coupon_id: Id,
    stock_id: Id,
    appid: Appid,
    use_time: Rfc3339,
    out_request_no: OutRequestNo,
    #[serde(default)]
    store_id: Option<StoreId>,
    #[serde(default)]
    associated_order_info: Option<AssociatedOrderInfo>,
    #[serde(default)]
    associated_pay_score_order_info: Option<AssociatedPayScoreOrderInfo>,
}

impl TryFrom<UseUserCouponWire> for UseUserCouponBody {
    type Error = ValidationError;

    fn try_from(wire: UseUserCouponWire) -> Result<Self, ValidationError> {
        let associated_order = match (
            wire.associated_order_info,
            wire.associated_pay_score_order_info,
        ) {
            (Some(order), None) => AssociatedOrder::Order(order),
            (None, Some(order)) => AssociatedOrder::PayScoreOrder(order),
            (None, None) => {
                return Err(ValidationError::new(
                    "associated_order_info",
                    ValidationRule::Missing,
                    "",
                )
                .with_requirement(
                    "given, or associated_pay_score_order_info (exactly one of the two)",
                ))
            }
            (Some(_), Some(_)) => {
                return Err(ValidationError::new(
                    "associated_pay_score_order_info",
                    ValidationRule::NotAllowed,
                    "",
                )
                .with_requirement("absent when associated_order_info is given (exactly one)"))
            }
        };
        let body = UseUserCouponBody {
            product_coupon_id: wire.product_coupon_id,
            stock_id: wire.stock_id,
            appid: wire.appid,
            use_time: wire.use_time,
            out_request_no: wire.out_request_no,
            store_id: wire.store_id,
            associated_order,
        };
        body.validate()?;
        Ok(body)
    }
}

impl UseUserCouponBody {
    /// A use at `use_time` (RFC3339) with `associated_order`, every field validated.
    pub fn new(
        product_coupon_id: impl Into<String>,
        stock_id: impl Into<String>,
        appid: impl Into<String>,
        out_request_no: impl Into<String>,
        use_time: impl Into<Rfc3339>,
        associated_order: AssociatedOrder,
    ) -> Result<Self, ValidationError> {
        let body = UseUserCouponBody {
            product_coupon_id: Id::new(product_coupon_id).within("product_coupon_id")?,
            stock_id: Id::new(stock_id).within("stock_id")?,
            appid: Appid::new(appid).within("appid")?,
            use_time: use_time.into(),
            out_request_no: OutRequestNo::new(out_request_no).within("out_request_no")?,
            store_id: None,
            associated_order,
        };
        body.validate()?;
        Ok(body)
    }
    /// The store it was used at (1–40 characters).
    pub fn store_id(mut self, store_id: impl Into<String>) -> Result<Self, ValidationError> {
        self.store_id = Some(StoreId::new(store_id).within("store_id")?);
        Ok(self)
    }
    /// `use_time` is RFC3339; the order names an order.
    pub fn validate(&self) -> Result<(), ValidationError> {
        rules::rfc3339("use_time", &self.use_time)?;
        self.associated_order.validate()
    }
}

body_operation! {
    /// Use (redeem) a user's coupon (核销用户商品券):
    /// `POST /brand/marketing/product-coupon/users/{openid}/coupons/{coupon_code}/use`, with the
    /// order it was used with (exactly one of a payment order or a pay-score order).
    ///
    /// The coupon must be `EFFECTIVE`. Repeat-safe: an `out_request_no` (reuse the same number for
    /// the same coupon's use). The answer must be this coupon.
    UseUserCouponRequest(UserCouponKey(openid, coupon_code), UseUserCouponBody) -> UserProductCouponEntity {
        name: "use_user_coupon",
        method: Post,
        repeat_safe: true,
        path: "/brand/marketing/product-coupon/users/{openid}/coupons/{coupon_code}/use",
    }
    check(this, answer) {
        this.key.check(answer, &this.body.product_coupon_id, &this.body.stock_id)
    }
}

/// Query one coupon of a user (查询用户商品券详情):
/// `GET /brand/marketing/product-coupon/users/{openid}/coupons/{coupon_code}?appid=…&product_coupon_id=…&stock_id=…`.
///
/// A `GET`: repeat-safe. The answer must be this coupon.
///
/// ```
/// use wxbrand_core::product_coupon::GetUserCouponRequest;
/// use wxbrand_core::Operation;
///
/// let request = GetUserCouponRequest::new("oh-394z-6CGkNoJrsDLTTUKiAnp4", "Code_123456", "1000000013", "1000000013001", "wx233544546545989")?;
/// assert_eq!(
///     request.prepare()?.path_and_query(),
///     "/brand/marketing/product-coupon/users/oh-394z-6CGkNoJrsDLTTUKiAnp4/coupons/Code_123456?appid=wx233544546545989&product_coupon_id=1000000013&stock_id=1000000013001"
/// );
/// # Ok::<(), wxbrand_core::ValidationError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetUserCouponRequest {
    key: UserCouponKey,
    product_coupon_id: Id,
    stock_id: Id,
    appid: Appid,
}

impl GetUserCouponRequest {
    /// Validates every field ([`Openid`], [`CouponCode`], [`Id`], [`Appid`]).
    pub fn new(
        openid: impl Into<String>,
        coupon_code: impl Into<String>,
        product_coupon_id: impl Into<String>,
        stock_id: impl Into<String>,
        appid: impl Into<String>,
    ) -> Result<Self, ValidationError> {
        Ok(GetUserCouponRequest {
            key: UserCouponKey::new(openid.into(), coupon_code.into())?,
            product_coupon_id: Id::new(product_coupon_id).within("product_coupon_id")?,
            stock_id: Id::new(stock_id).within("stock_id")?,
            appid: Appid::new(appid).within("appid")?,
        })
    }
}

impl Operation for GetUserCouponRequest {
    const NAME: &'static str = "get_user_coupon";
    const METHOD: Method = Method::Get;
    const PATH: &'static str =
        "/brand/marketing/product-coupon/users/{openid}/coupons/{coupon_code}";
    type Body = NoBody;
    type Response = UserProductCouponEntity;

    fn path_parameter(&self, name: &str) -> Option<&str> {
        self.key.path_parameter(name)
    }
    fn query(&self, query: &mut Query) {
        query.add("appid", Some(&self.appid));
        query.add("product_coupon_id", Some(&self.product_coupon_id));
        query.add("stock_id", Some(&self.stock_id));
    }
    fn check_answer(&self, answer: &UserProductCouponEntity) -> Result<(), AnswerMismatch> {
        self.key
            .check(answer, &self.product_coupon_id, &self.stock_id)
    }
}

/// List a user's coupons (查询用户商品券列表):
/// `GET /brand/marketing/product-coupon/users/{openid}/coupons?appid=…`, with the filters set.
///
/// A `GET`: repeat-safe. Paged ([`Paged`]): the client's generic stream pages through it. Every
/// coupon of the answer that names its product coupon or stock must match the filters given.
///
/// ```
/// use wxbrand_core::product_coupon::{ListUserCouponsRequest, UserProductCouponState};
/// use wxbrand_core::Operation;
///
/// let request = ListUserCouponsRequest::new("oh-394z-6CGkNoJrsDLTTUKiAnp4", "wx233544546545989")?
///     .coupon_state(UserProductCouponState::Effective)
///     .page_size(10)?;
/// assert_eq!(
///     request.prepare()?.path_and_query(),
///     "/brand/marketing/product-coupon/users/oh-394z-6CGkNoJrsDLTTUKiAnp4/coupons?appid=wx233544546545989&coupon_state=EFFECTIVE&page_size=10"
/// );
/// # Ok::<(), wxbrand_core::ValidationError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListUserCouponsRequest {
    user: UserKey,
    appid: Appid,
    product_coupon_id: Option<Id>,
    stock_id: Option<Id>,
    coupon_state: Option<UserProductCouponState>,
    user_coupon_bundle_id: Option<Id>,
    page_size: Option<PageSize>,
    page_token: Option<PageToken>,
}

impl ListUserCouponsRequest {
    /// Every coupon of `openid` under `appid`, first page, the API's default page size.
    pub fn new(
        openid: impl Into<String>,
        appid: impl Into<String>,
    ) -> Result<Self, ValidationError> {
        Ok(ListUserCouponsRequest {
            user: UserKey::new(openid.into())?,
            appid: Appid::new(appid).within("appid")?,
            product_coupon_id: None,
            stock_id: None,
            coupon_state: None,
            user_coupon_bundle_id: None,
            page_size: None,
            page_token: None,
        })
    }
    /// Only coupons of this product coupon ([`Id`]).
    pub fn product_coupon_id(mut self, id: impl Into<String>) -> Result<Self, ValidationError> {
        self.product_coupon_id = Some(Id::new(id).within("product_coupon_id")?);
        Ok(self)
    }
    /// Only coupons of this stock ([`Id`]).
    pub fn stock_id(mut self, id: impl Into<String>) -> Result<Self, ValidationError> {
        self.stock_id = Some(Id::new(id).within("stock_id")?);
        Ok(self)
    }
    /// Only coupons in this state.
    pub fn coupon_state(mut self, state: UserProductCouponState) -> Self {
        self.coupon_state = Some(state);
        self
    }
    /// Only the coupons of this user coupon bundle (a multi-use coupon; an [`Id`]).
    pub fn user_coupon_bundle_id(mut self, id: impl Into<String>) -> Result<Self, ValidationError> {
        self.user_coupon_bundle_id = Some(Id::new(id).within("user_coupon_bundle_id")?);
        Ok(self)
    }
    /// Page size, 1–50.
    pub fn page_size(mut self, page_size: u32) -> Result<Self, ValidationError> {
        self.page_size = Some(PageSize::new(page_size).within("page_size")?);
        Ok(self)
    }
    /// Continue from the `next_page_token` of a previous answer.
    pub fn page_token(mut self, token: impl Into<String>) -> Result<Self, ValidationError> {
        self.page_token = Some(PageToken::new(token).within("page_token")?);
        Ok(self)
    }
}

impl Operation for ListUserCouponsRequest {
    const NAME: &'static str = "list_user_coupons";
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/brand/marketing/product-coupon/users/{openid}/coupons";
    type Body = NoBody;
    type Response = ListUserProductCouponsResponse;

    fn path_parameter(&self, name: &str) -> Option<&str> {
        self.user.path_parameter(name)
    }
    fn query(&self, query: &mut Query) {
        query.add("appid", Some(&self.appid));
        query.add("coupon_state", self.coupon_state.as_ref());
        query.add("page_size", self.page_size);
        query.add("page_token", self.page_token.as_ref());
        query.add("product_coupon_id", self.product_coupon_id.as_ref());
        query.add("stock_id", self.stock_id.as_ref());
        query.add("user_coupon_bundle_id", self.user_coupon_bundle_id.as_ref());
    }
    fn check_answer(&self, page: &ListUserProductCouponsResponse) -> Result<(), AnswerMismatch> {
        page.user_coupon_list.iter().try_for_each(|coupon| {
            check_ids(
                coupon,
                self.product_coupon_id.as_ref(),
                self.stock_id.as_ref(),
            )
        })
    }
}

impl Paged for ListUserCouponsRequest {
    type Item = UserProductCouponEntity;

    fn set_page_token(&mut self, token: PageToken) {
        self.page_token = Some(token);
    }
    fn into_page(answer: ListUserProductCouponsResponse) -> Page<UserProductCouponEntity> {
        Page::new(answer.user_coupon_list, answer.next_page_token)
    }
}
