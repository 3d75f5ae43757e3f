//! `UserProductCouponEntity` (用户商品券: a coupon a user holds) and every type nested in it, and one
//! page of a user's coupons.

use serde::{Deserialize, Serialize};

use super::{ExtraFields, ProductCouponEntity, StockEntity};
use crate::string_enum::string_enum;
use crate::Rfc3339;

string_enum! {
    /// The state of a user's coupon (用户商品券状态).
    ///
    /// Sent → `CONFIRMING`; confirming leads to `PENDING` (before its valid time) or `EFFECTIVE`;
    /// from `EFFECTIVE` it becomes `USED`, `EXPIRED`, `DELETED` (by the user) or `DEACTIVATED`.
    /// Returning a used coupon undoes the use.
    pub enum UserProductCouponState {
        /// `CONFIRMING`: sent, waiting for the brand's confirmation (待确认); cannot be used yet.
        Confirming = "CONFIRMING",
        /// `PENDING`: confirmed, before its valid time (待生效).
        Pending = "PENDING",
        /// `EFFECTIVE`: usable (已生效).
        Effective = "EFFECTIVE",
        /// `USED`: used (已核销).
        Used = "USED",
        /// `EXPIRED`: its valid time is over (已过期).
        Expired = "EXPIRED",
        /// `DELETED`: the user deleted it (已删除).
        Deleted = "DELETED",
        /// `DEACTIVATED`: the brand deactivated it (已失效).
        Deactivated = "DEACTIVATED",
    }
}

string_enum! {
    /// How a coupon reached the user (发放渠道).
    pub enum UserProductCouponSendChannel {
        /// `BRAND_MANAGE`: from the brand's management console.
        BrandManage = "BRAND_MANAGE",
        /// `API`: the brand's "send coupon to user" call.
        Api = "API",
        /// `RECEIVE_COMPONENT`: the mini-program claim component (after a pre-send).
        ReceiveComponent = "RECEIVE_COMPONENT",
    }
}

string_enum! {
    /// A tag of a user's coupon (用户商品券标签).
    pub enum UserProductCouponTag {
        /// `MEMBER`: a member coupon (see [`MemberTagInfo`]).
        Member = "MEMBER",
    }
}

/// The tags of a user's coupon (券标签信息), sent with "send coupon to user" and answered back.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CouponTagInfo {
    /// The tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_tag_list: Option<Vec<UserProductCouponTag>>,
    /// The member card, with the `MEMBER` tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_tag_info: Option<MemberTagInfo>,
    /// Fields this version does not know, kept as sent.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

impl CouponTagInfo {
    /// The `MEMBER` tag with the member card `member_card_id`.
    pub fn member(member_card_id: impl Into<String>) -> Self {
        CouponTagInfo {
            coupon_tag_list: Some(vec![UserProductCouponTag::Member]),
            member_tag_info: Some(MemberTagInfo::new(member_card_id)),
            extra: ExtraFields::new(),
        }
    }
}

/// The member card of a `MEMBER` coupon (会员标签信息).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MemberTagInfo {
    /// The member card id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_card_id: Option<String>,
    /// Fields this version does not know, kept as sent.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

impl MemberTagInfo {
    /// The member card `member_card_id`.
    pub fn new(member_card_id: impl Into<String>) -> Self {
        MemberTagInfo {
            member_card_id: Some(member_card_id.into()),
            extra: ExtraFields::new(),
        }
    }
}

/// The payment order a coupon was used with (关联的支付订单): `associated_order_info`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AssociatedOrderInfo {
    /// WeChat Pay's transaction id (微信支付订单号).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    /// The merchant's order number (商户订单号).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_trade_no: Option<String>,
    /// The merchant id of the order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mchid: Option<String>,
    /// The sub-merchant id of the order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_mchid: Option<String>,
    /// Fields this version does not know, kept as sent.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

impl AssociatedOrderInfo {
    /// The order of WeChat Pay's `transaction_id`.
    pub fn transaction(transaction_id: impl Into<String>) -> Self {
        AssociatedOrderInfo {
            transaction_id: Some(transaction_id.into()),
            ..AssociatedOrderInfo::default()
        }
    }
    /// The order of the merchant `mchid`'s `out_trade_no`.
    pub fn out_trade(mchid: impl Into<String>, out_trade_no: impl Into<String>) -> Self {
        AssociatedOrderInfo {
            mchid: Some(mchid.into()),
            out_trade_no: Some(out_trade_no.into()),
            ..AssociatedOrderInfo::default()
        }
    }
}

/// The pay-score (微信支付分) order a coupon was used with: `associated_pay_score_order_info`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AssociatedPayScoreOrderInfo {
    /// WeChat Pay's pay-score order id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    /// The merchant's pay-score order number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_order_no: Option<String>,
    /// The merchant id of the order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mchid: Option<String>,
    /// The sub-merchant id of the order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_mchid: Option<String>,
    /// Fields this version does not know, kept as sent.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

impl AssociatedPayScoreOrderInfo {
    /// The pay-score order of WeChat Pay's `order_id`.
    pub fn order(order_id: impl Into<String>) -> Self {
        AssociatedPayScoreOrderInfo {
            order_id: Some(order_id.into()),
            ..AssociatedPayScoreOrderInfo::default()
        }
    }
    /// The pay-score order of the merchant `mchid`'s `out_order_no`.
    pub fn out_order(mchid: impl Into<String>, out_order_no: impl Into<String>) -> Self {
        AssociatedPayScoreOrderInfo {
            mchid: Some(mchid.into()),
            out_order_no: Some(out_order_no.into()),
            ..AssociatedPayScoreOrderInfo::default()
        }
    }
}

/// How a coupon (or one use of a multi-use coupon) was used and returned (核销信息).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CouponUsageDetail {
    /// The `out_request_no` of the use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_request_no: Option<String>,
    /// When it was used (RFC3339).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::time::deserialize_keeping_null"
    )]
    pub use_time: Option<Rfc3339>,
    /// The `out_request_no` of the return.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_request_no: Option<String>,
    /// When it was returned (RFC3339).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::time::deserialize_keeping_null"
    )]
    pub return_time: Option<Rfc3339>,
    /// The payment order it was used with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub associated_order_info: Option<AssociatedOrderInfo>,
    /// The pay-score order it was used with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub associated_pay_score_order_info: Option<AssociatedPayScoreOrderInfo>,
    /// Fields this version does not know, kept as sent.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

/// Where a user's coupon sits in a multi-use coupon (用户商品券组信息).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UserProductCouponBundleInfo {
    /// The id of the user's coupon bundle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_coupon_bundle_id: Option<String>,
    /// This coupon's position in the bundle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_coupon_bundle_index: Option<i64>,
    /// Number of coupons in the bundle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_count: Option<i64>,
    /// Number of them used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_count: Option<i64>,
    /// Fields this version does not know, kept as sent.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

/// A coupon a user holds (用户商品券), as every user-coupon operation answers it.
///
/// Only the code and the state are always present; every other field is optional so that an
/// answer of an older or newer shape still decodes. Fields this version does not know are kept in
/// [`extra`](UserProductCouponEntity::extra), enum values it does not know in `Unknown(..)`, and
/// both are written back when the value is encoded. Build one with
/// [`UserProductCouponEntity::new`] and set the other fields, or decode it from JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UserProductCouponEntity {
    /// The coupon's code (券Code).
    pub coupon_code: String,
    /// Its state.
    pub coupon_state: UserProductCouponState,
    /// Start of its valid time (RFC3339).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::time::deserialize_keeping_null"
    )]
    pub valid_begin_time: Option<Rfc3339>,
    /// End of its valid time (RFC3339).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::time::deserialize_keeping_null"
    )]
    pub valid_end_time: Option<Rfc3339>,
    /// When the user received it (RFC3339).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::time::deserialize_keeping_null"
    )]
    pub receive_time: Option<Rfc3339>,
    /// The `send_request_no` of the send.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_request_no: Option<String>,
    /// How it reached the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_channel: Option<UserProductCouponSendChannel>,
    /// The `out_request_no` of the confirmation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirm_request_no: Option<String>,
    /// When it was confirmed (RFC3339).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::time::deserialize_keeping_null"
    )]
    pub confirm_time: Option<Rfc3339>,
    /// The `out_request_no` of the deactivation; only when `DEACTIVATED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deactivate_request_no: Option<String>,
    /// When it was deactivated (RFC3339); only when `DEACTIVATED`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::time::deserialize_keeping_null"
    )]
    pub deactivate_time: Option<Rfc3339>,
    /// Why it was deactivated; only when `DEACTIVATED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deactivate_reason: Option<String>,
    /// Its use and return, for a single-use coupon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub single_usage_detail: Option<CouponUsageDetail>,
    /// Its use and return, for one coupon of a multi-use coupon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progressive_bundle_usage_detail: Option<CouponUsageDetail>,
    /// Where it sits in a multi-use coupon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_product_coupon_bundle_info: Option<UserProductCouponBundleInfo>,
    /// The product coupon it is of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_coupon: Option<ProductCouponEntity>,
    /// The stock it was sent from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock: Option<StockEntity>,
    /// The brand's `attach` of the send.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attach: Option<String>,
    /// Custom information of the channel that sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_custom_info: Option<String>,
    /// Its tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_tag_info: Option<CouponTagInfo>,
    /// Fields this version does not know, kept as sent.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

impl UserProductCouponEntity {
    /// A user's coupon with its code and state and every optional field empty.
    pub fn new(coupon_code: impl Into<String>, coupon_state: UserProductCouponState) -> Self {
        UserProductCouponEntity {
            coupon_code: coupon_code.into(),
            coupon_state,
            valid_begin_time: None,
            valid_end_time: None,
            receive_time: None,
            send_request_no: None,
            send_channel: None,
            confirm_request_no: None,
            confirm_time: None,
            deactivate_request_no: None,
            deactivate_time: None,
            deactivate_reason: None,
            single_usage_detail: None,
            progressive_bundle_usage_detail: None,
            user_product_coupon_bundle_info: None,
            product_coupon: None,
            stock: None,
            attach: None,
            channel_custom_info: None,
            coupon_tag_info: None,
            extra: ExtraFields::new(),
        }
    }
}

/// One page of "list a user's coupons".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ListUserProductCouponsResponse {
    /// Number of coupons that match, over all pages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_count: Option<u64>,
    /// This page's coupons (encoded even when empty).
    #[serde(default)]
    pub user_coupon_list: Vec<UserProductCouponEntity>,
    /// Token of the next page; absent or empty on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
    /// Fields this version does not know, kept as sent.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

impl ListUserProductCouponsResponse {
    /// A page holding `user_coupon_list`, with `total_count` and `next_page_token` as given.
    pub fn new(
        user_coupon_list: Vec<UserProductCouponEntity>,
        total_count: Option<u64>,
        next_page_token: Option<String>,
    ) -> Self {
        ListUserProductCouponsResponse {
            total_count,
            user_coupon_list,
            next_page_token,
            extra: ExtraFields::new(),
        }
    }
}

/// The answer of "pre-send a coupon": the token the mini-program claim component takes (valid 5
/// minutes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PreSendUserCouponResponse {
    /// The token for the claim component.
    pub token: String,
    /// Fields this version does not know, kept as sent.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

impl PreSendUserCouponResponse {
    /// An answer holding `token`.
    pub fn new(token: impl Into<String>) -> Self {
        PreSendUserCouponResponse {
            token: token.into(),
            extra: ExtraFields::new(),
        }
    }
}
