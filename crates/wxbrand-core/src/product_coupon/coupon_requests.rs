//! The operations on a product coupon itself: create (with its first stock or stock bundle),
//! update and deactivate. Each is one declaration; the shared objects' rules are in `rules`.

use serde::{Deserialize, Serialize};

use super::bundle::StockBundleEntity;
use super::requests::{CouponKey, DeactivateReason};
use super::rules::{self, absent, known, required};
use super::{
    CouponCodeMode, CouponDisplayInfo, NotifyConfig, ProductCouponDisplayInfo, ProductCouponEntity,
    ProductCouponScope, ProductCouponType, ProductCouponUsageMode, ProgressiveBundleUsageInfo,
    SequentialUsageRule, SingleUsageInfo, SingleUsageRule, StockEntity, StockSendRule,
    StockStoreScope, UsageRuleDisplayInfo,
};
use crate::field::{OutRequestNo, WithinField};
use crate::{AnswerMismatch, Method, Operation, ValidationError};

/// The usage rule of a stock bundle (`progressive_bundle_usage_rule`): one discount rule per use,
/// in the list of the coupon's type, and the period of the whole bundle. Same shape as the older
/// [`SequentialUsageRule`] (with `special_first`, which the Sequential samples send).
pub type StockBundleUsageRule = SequentialUsageRule;

/// A stock as it is created (`stock` of "create product coupon" and "create stock"):
/// StockForCreate in WeChat Pay's samples.
///
/// Build it with [`StockForCreate::new`] and the `with_…` setters; it is checked when the request
/// that carries it is built, and errors name its fields (`stock.stock_send_rule.max_count`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct StockForCreate {
    /// The brand's private remark, at most 60 characters (the docs say 20; the samples' 60 is
    /// followed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remark: Option<String>,
    /// How the coupon codes come to be.
    pub coupon_code_mode: CouponCodeMode,
    /// How many coupons the stock issues.
    pub stock_send_rule: StockSendRule,
    /// When and (for `SINGLE` scope) with which discount the coupons are used; required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub single_usage_rule: Option<SingleUsageRule>,
    /// How the usage rule is shown.
    pub usage_rule_display_info: UsageRuleDisplayInfo,
    /// How the user's coupon is shown.
    pub coupon_display_info: CouponDisplayInfo,
    /// Event notification settings (optional in the samples; `notify_appid` when present).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify_config: Option<NotifyConfig>,
    /// Which stores accept the coupons (`SPECIFIC`: associate them afterwards).
    pub store_scope: StockStoreScope,
}

impl StockForCreate {
    /// A stock with its required parts; add the usage rule with
    /// [`with_single_usage_rule`](Self::with_single_usage_rule).
    pub fn new(
        coupon_code_mode: CouponCodeMode,
        stock_send_rule: StockSendRule,
        usage_rule_display_info: UsageRuleDisplayInfo,
        coupon_display_info: CouponDisplayInfo,
        store_scope: StockStoreScope,
    ) -> Self {
        StockForCreate {
            remark: None,
            coupon_code_mode,
            stock_send_rule,
            single_usage_rule: None,
            usage_rule_display_info,
            coupon_display_info,
            notify_config: None,
            store_scope,
        }
    }
    /// Sets the usage rule.
    pub fn with_single_usage_rule(mut self, rule: SingleUsageRule) -> Self {
        self.single_usage_rule = Some(rule);
        self
    }
    /// Sets the remark.
    pub fn with_remark(mut self, remark: impl Into<String>) -> Self {
        self.remark = Some(remark.into());
        self
    }
    /// Sets the notification settings.
    pub fn with_notify_config(mut self, config: NotifyConfig) -> Self {
        self.notify_config = Some(config);
        self
    }

    /// Every rule of the stock; `coupon` is the coupon's scope and type when known (create
    /// product coupon), `None` for a stock added to an existing coupon.
    pub(crate) fn validate(
        &self,
        coupon: Option<(&ProductCouponScope, &ProductCouponType)>,
    ) -> Result<(), ValidationError> {
        rules::remark(&self.remark)?;
        rules::coupon_code_mode(&self.coupon_code_mode)?;
        rules::stock_send_rule(&self.stock_send_rule).within("stock_send_rule")?;
        let rule = required(&self.single_usage_rule, "single_usage_rule", "given")?;
        rules::single_usage_rule(rule, coupon).within("single_usage_rule")?;
        validate_display(
            &self.usage_rule_display_info,
            &self.coupon_display_info,
            &self.notify_config,
            &self.store_scope,
        )
    }
}

/// The display, notification and store-scope parts that stocks and bundles share.
fn validate_display(
    usage: &UsageRuleDisplayInfo,
    coupon: &CouponDisplayInfo,
    notify: &Option<NotifyConfig>,
    store_scope: &StockStoreScope,
) -> Result<(), ValidationError> {
    rules::usage_rule_display_info(usage).within("usage_rule_display_info")?;
    rules::coupon_display_info(coupon).within("coupon_display_info")?;
    if let Some(config) = notify {
        rules::notify_config(config).within("notify_config")?;
    }
    rules::store_scope(store_scope)
}

/// A stock bundle as it is created (`stock_bundle` of "create product coupon" and "create stock
/// bundle"): a [`StockForCreate`] with a per-use rule in place of the single usage rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct StockBundleForCreate {
    /// The brand's private remark, at most 60 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remark: Option<String>,
    /// How the coupon codes come to be (the bundle samples list `WECHATPAY` and `UPLOAD`).
    pub coupon_code_mode: CouponCodeMode,
    /// How many coupons the bundle issues.
    pub stock_send_rule: StockSendRule,
    /// One discount rule per use, and the bundle's period; required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progressive_bundle_usage_rule: Option<StockBundleUsageRule>,
    /// How the usage rule is shown.
    pub usage_rule_display_info: UsageRuleDisplayInfo,
    /// How the user's coupon is shown.
    pub coupon_display_info: CouponDisplayInfo,
    /// Event notification settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify_config: Option<NotifyConfig>,
    /// Which stores accept the coupons.
    pub store_scope: StockStoreScope,
}

impl StockBundleForCreate {
    /// A bundle with its required parts; add the per-use rule with
    /// [`with_usage_rule`](Self::with_usage_rule).
    pub fn new(
        coupon_code_mode: CouponCodeMode,
        stock_send_rule: StockSendRule,
        usage_rule_display_info: UsageRuleDisplayInfo,
        coupon_display_info: CouponDisplayInfo,
        store_scope: StockStoreScope,
    ) -> Self {
        StockBundleForCreate {
            remark: None,
            coupon_code_mode,
            stock_send_rule,
            progressive_bundle_usage_rule: None,
            usage_rule_display_info,
            coupon_display_info,
            notify_config: None,
            store_scope,
        }
    }
    /// Sets the per-use rule.
    pub fn with_usage_rule(mut self, rule: StockBundleUsageRule) -> Self {
        self.progressive_bundle_usage_rule = Some(rule);
        self
    }
    /// Sets the remark.
    pub fn with_remark(mut self, remark: impl Into<String>) -> Self {
        self.remark = Some(remark.into());
        self
    }
    /// Sets the notification settings.
    pub fn with_notify_config(mut self, config: NotifyConfig) -> Self {
        self.notify_config = Some(config);
        self
    }

    /// Every rule of the bundle; `coupon` is the coupon's type and use count when known.
    pub(crate) fn validate(
        &self,
        coupon: Option<(&ProductCouponType, Option<i64>)>,
    ) -> Result<(), ValidationError> {
        rules::remark(&self.remark)?;
        rules::coupon_code_mode(&self.coupon_code_mode)?;
        rules::stock_send_rule(&self.stock_send_rule).within("stock_send_rule")?;
        let rule = required(
            &self.progressive_bundle_usage_rule,
            "progressive_bundle_usage_rule",
            "given",
        )?;
        let (coupon_type, count) = match coupon {
            Some((coupon_type, count)) => (Some(coupon_type), count),
            None => (None, None),
        };
        rules::bundle_usage_rule(rule, coupon_type, count)
            .within("progressive_bundle_usage_rule")?;
        validate_display(
            &self.usage_rule_display_info,
            &self.coupon_display_info,
            &self.notify_config,
            &self.store_scope,
        )
    }
}

/// The body of [`CreateCouponRequest`] (CreateProductCouponRequest), fields in WeChat Pay's order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CreateCouponBody {
    /// The brand's request number (idempotency key).
    pub out_request_no: OutRequestNo,
    /// Which goods the coupon applies to.
    pub scope: ProductCouponScope,
    /// The kind of discount (JSON `type`).
    #[serde(rename = "type")]
    pub coupon_type: ProductCouponType,
    /// Single use, or several uses (a stock bundle).
    pub usage_mode: ProductCouponUsageMode,
    /// The discount rule of a whole-store (`ALL`) single-use coupon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub single_usage_info: Option<SingleUsageInfo>,
    /// Uses of a `PROGRESSIVE_BUNDLE` coupon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progressive_bundle_usage_info: Option<ProgressiveBundleUsageInfo>,
    /// How the coupon is shown.
    pub display_info: ProductCouponDisplayInfo,
    /// The brand's own product key (at most 40 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_product_no: Option<String>,
    /// The first stock (`SINGLE` usage mode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock: Option<StockForCreate>,
    /// The first stock bundle (`PROGRESSIVE_BUNDLE` usage mode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock_bundle: Option<StockBundleForCreate>,
}

impl CreateCouponBody {
    /// Every documented rule, naming the failing field by its path in the body
    /// (`stock.stock_send_rule.max_count_per_user`). A server decoding this body (the simulator)
    /// applies the same rules.
    pub fn validate(&self) -> Result<(), ValidationError> {
        known(
            "scope",
            self.scope.as_str(),
            matches!(self.scope, ProductCouponScope::Unknown(_)),
        )?;
        known(
            "type",
            self.coupon_type.as_str(),
            matches!(self.coupon_type, ProductCouponType::Unknown(_)),
        )?;
        known(
            "usage_mode",
            self.usage_mode.as_str(),
            matches!(self.usage_mode, ProductCouponUsageMode::Unknown(_)),
        )?;
        if self.scope == ProductCouponScope::All && self.coupon_type == ProductCouponType::Exchange
        {
            return Err(ValidationError::new(
                "type",
                crate::error::ValidationRule::NotAllowed,
                "EXCHANGE",
            )
            .with_requirement("NORMAL or DISCOUNT when scope is ALL (EXCHANGE needs SINGLE)"));
        }
        rules::display_info(&self.display_info, Some(&self.scope)).within("display_info")?;
        if let Some(no) = &self.out_product_no {
            rules::chars("out_product_no", no, 1, rules::OUT_PRODUCT_NO_MAX_CHARS)?;
        }
        match self.usage_mode {
            ProductCouponUsageMode::ProgressiveBundle => {
                let why = "absent when usage_mode is PROGRESSIVE_BUNDLE";
                absent(&self.stock, "stock", why)?;
                absent(&self.single_usage_info, "single_usage_info", why)?;
                let why = "given when usage_mode is PROGRESSIVE_BUNDLE";
                let info = required(
                    &self.progressive_bundle_usage_info,
                    "progressive_bundle_usage_info",
                    why,
                )?;
                rules::progressive_bundle_usage_info(info)
                    .within("progressive_bundle_usage_info")?;
                required(&self.stock_bundle, "stock_bundle", why)?
                    .validate(Some((&self.coupon_type, info.count)))
                    .within("stock_bundle")
            }
            _ => {
                let why = "absent when usage_mode is SINGLE";
                absent(&self.stock_bundle, "stock_bundle", why)?;
                absent(
                    &self.progressive_bundle_usage_info,
                    "progressive_bundle_usage_info",
                    why,
                )?;
                if self.scope == ProductCouponScope::All {
                    let info = required(
                        &self.single_usage_info,
                        "single_usage_info",
                        "given when usage_mode is SINGLE and scope is ALL",
                    )?;
                    rules::single_usage_info(info, &self.coupon_type)
                        .within("single_usage_info")?;
                } else {
                    absent(
                        &self.single_usage_info,
                        "single_usage_info",
                        "absent when scope is SINGLE: the rule goes in stock.single_usage_rule",
                    )?;
                }
                required(&self.stock, "stock", "given when usage_mode is SINGLE")?
                    .validate(Some((&self.scope, &self.coupon_type)))
                    .within("stock")
            }
        }
    }
}

/// Create a product coupon with its first stock or stock bundle (创建商品券):
/// `POST /brand/marketing/product-coupon/product-coupons`.
///
/// Built with [`CreateCouponRequest::builder`] (or from a decoded [`CreateCouponBody`] with
/// [`CreateCouponRequest::from_body`]); every documented rule is checked when it is built, the
/// error naming the field's path. Repeat-safe: it carries an `out_request_no`, so the client may
/// retry it and WeChat Pay creates one coupon.
///
/// ```
/// use wxbrand_core::product_coupon::*;
///
/// let display = ProductCouponDisplayInfo::default(); // no name: refused when built
/// let error = CreateCouponRequest::builder(
///     "create_0001", ProductCouponScope::All, ProductCouponType::Normal,
///     ProductCouponUsageMode::Single, display,
/// )
/// .build()
/// .unwrap_err();
/// assert_eq!(error.field(), "display_info.name");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CreateCouponRequest {
    body: CreateCouponBody,
}

/// Builds a [`CreateCouponRequest`]; [`build`](Self::build) checks every rule.
#[derive(Debug, Clone)]
#[must_use]
pub struct CreateCouponBuilder {
    out_request_no: String,
    scope: ProductCouponScope,
    coupon_type: ProductCouponType,
    usage_mode: ProductCouponUsageMode,
    display_info: ProductCouponDisplayInfo,
    single_usage_info: Option<SingleUsageInfo>,
    progressive_bundle_usage_info: Option<ProgressiveBundleUsageInfo>,
    out_product_no: Option<String>,
    stock: Option<StockForCreate>,
    stock_bundle: Option<StockBundleForCreate>,
}

impl CreateCouponBuilder {
    /// The whole-store discount rule (`scope` `ALL`, `usage_mode` `SINGLE`).
    pub fn single_usage_info(mut self, info: SingleUsageInfo) -> Self {
        self.single_usage_info = Some(info);
        self
    }
    /// Uses of a `PROGRESSIVE_BUNDLE` coupon.
    pub fn progressive_bundle_usage_info(mut self, info: ProgressiveBundleUsageInfo) -> Self {
        self.progressive_bundle_usage_info = Some(info);
        self
    }
    /// The brand's own product key.
    pub fn out_product_no(mut self, no: impl Into<String>) -> Self {
        self.out_product_no = Some(no.into());
        self
    }
    /// The first stock (`SINGLE` usage mode).
    pub fn stock(mut self, stock: StockForCreate) -> Self {
        self.stock = Some(stock);
        self
    }
    /// The first stock bundle (`PROGRESSIVE_BUNDLE` usage mode).
    pub fn stock_bundle(mut self, bundle: StockBundleForCreate) -> Self {
        self.stock_bundle = Some(bundle);
        self
    }
    /// Checks every rule ([`CreateCouponBody::validate`]); nothing is sent when this fails.
    pub fn build(self) -> Result<CreateCouponRequest, ValidationError> {
        CreateCouponRequest::from_body(CreateCouponBody {
            out_request_no: OutRequestNo::new(self.out_request_no).within("out_request_no")?,
            scope: self.scope,
            coupon_type: self.coupon_type,
            usage_mode: self.usage_mode,
            single_usage_info: self.single_usage_info,
            progressive_bundle_usage_info: self.progressive_bundle_usage_info,
            display_info: self.display_info,
            out_product_no: self.out_product_no,
            stock: self.stock,
            stock_bundle: self.stock_bundle,
        })
    }
}

impl CreateCouponRequest {
    /// Starts a request with its always-required fields.
    pub fn builder(
        out_request_no: impl Into<String>,
        scope: ProductCouponScope,
        coupon_type: ProductCouponType,
        usage_mode: ProductCouponUsageMode,
        display_info: ProductCouponDisplayInfo,
    ) -> CreateCouponBuilder {
        CreateCouponBuilder {
            out_request_no: out_request_no.into(),
            scope,
            coupon_type,
            usage_mode,
            display_info,
            single_usage_info: None,
            progressive_bundle_usage_info: None,
            out_product_no: None,
            stock: None,
            stock_bundle: None,
        }
    }
    /// A request from a whole body (decoded from JSON, for instance), checked like
    /// [`CreateCouponBuilder::build`].
    pub fn from_body(body: CreateCouponBody) -> Result<Self, ValidationError> {
        body.validate()?;
        Ok(CreateCouponRequest { body })
    }
    /// The body to send.
    pub fn body(&self) -> &CreateCouponBody {
        &self.body
    }
}

/// The answer of "create product coupon": the coupon, with the stock or stock bundle it was
/// created with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreateCouponResponse {
    /// The coupon (its unknown fields are kept in `coupon.extra`).
    #[serde(flatten)]
    pub coupon: ProductCouponEntity,
    /// The stock, for a `SINGLE` coupon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock: Option<StockEntity>,
    /// The stock bundle, for a `PROGRESSIVE_BUNDLE` coupon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock_bundle: Option<StockBundleEntity>,
}

impl Operation for CreateCouponRequest {
    const NAME: &'static str = "create_coupon";
    const METHOD: Method = Method::Post;
    const PATH: &'static str = "/brand/marketing/product-coupon/product-coupons";
    const REPEAT_SAFE: bool = true; // out_request_no
    type Body = CreateCouponBody;
    type Response = CreateCouponResponse;

    fn body(&self) -> Option<&CreateCouponBody> {
        Some(&self.body)
    }
    /// The stock or bundle must belong to the coupon that was created.
    fn check_answer(&self, answer: &CreateCouponResponse) -> Result<(), AnswerMismatch> {
        let coupon_id = answer.coupon.product_coupon_id.as_str();
        if let Some(stock) = &answer.stock {
            AnswerMismatch::check(
                "stock.product_coupon_id",
                coupon_id,
                &stock.product_coupon_id,
            )?;
        }
        if let Some(bundle) = &answer.stock_bundle {
            bundle.check_coupon(coupon_id)?;
        }
        Ok(())
    }
}

/// The body of [`UpdateCouponRequest`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct UpdateCouponBody {
    /// The brand's request number (idempotency key).
    pub out_request_no: OutRequestNo,
    /// The new display information.
    pub display_info: ProductCouponDisplayInfo,
}

impl UpdateCouponBody {
    /// Every rule of the body (the display rules that do not depend on the coupon's scope).
    pub fn validate(&self) -> Result<(), ValidationError> {
        rules::display_info(&self.display_info, None).within("display_info")
    }
}

/// Update a product coupon's display information (修改商品券):
/// `PATCH /brand/marketing/product-coupon/product-coupons/{product_coupon_id}`.
///
/// Repeat-safe: the body carries an `out_request_no` (required here, as the samples send it), so
/// a retry after a possible delivery changes nothing twice. The answer must be about this coupon.
#[derive(Debug, Clone, PartialEq)]
pub struct UpdateCouponRequest {
    coupon: CouponKey,
    body: UpdateCouponBody,
}

impl UpdateCouponRequest {
    /// Validates the id, the request number and the display information.
    pub fn new(
        product_coupon_id: impl Into<String>,
        out_request_no: impl Into<String>,
        display_info: ProductCouponDisplayInfo,
    ) -> Result<Self, ValidationError> {
        let body = UpdateCouponBody {
            out_request_no: OutRequestNo::new(out_request_no).within("out_request_no")?,
            display_info,
        };
        Self::from_body(product_coupon_id, body)
    }
    /// A request from a decoded body, checked like [`UpdateCouponRequest::new`].
    pub fn from_body(
        product_coupon_id: impl Into<String>,
        body: UpdateCouponBody,
    ) -> Result<Self, ValidationError> {
        let coupon = CouponKey::new(product_coupon_id.into())?;
        body.validate()?;
        Ok(UpdateCouponRequest { coupon, body })
    }
    /// The product coupon id.
    pub fn product_coupon_id(&self) -> &str {
        self.coupon.product_coupon_id.as_str()
    }
}

impl Operation for UpdateCouponRequest {
    const NAME: &'static str = "update_coupon";
    const METHOD: Method = Method::Patch;
    const PATH: &'static str =
        "/brand/marketing/product-coupon/product-coupons/{product_coupon_id}";
    const REPEAT_SAFE: bool = true; // out_request_no
    type Body = UpdateCouponBody;
    type Response = ProductCouponEntity;

    fn path_parameter(&self, name: &str) -> Option<&str> {
        self.coupon.path_parameter(name)
    }
    fn body(&self) -> Option<&UpdateCouponBody> {
        Some(&self.body)
    }
    fn check_answer(&self, coupon: &ProductCouponEntity) -> Result<(), AnswerMismatch> {
        self.coupon.check(&coupon.product_coupon_id)
    }
}

/// The body of [`DeactivateCouponRequest`]: `out_request_no` and `deactivate_reason`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeactivateCouponBody {
    /// The brand's request number (idempotency key).
    pub out_request_no: OutRequestNo,
    /// Why the coupon is deactivated (1–150 characters).
    pub deactivate_reason: DeactivateReason,
}

/// Deactivate a product coupon (失效商品券):
/// `POST /brand/marketing/product-coupon/product-coupons/{product_coupon_id}/deactivate`.
///
/// Its stocks and bundles stop issuing; coupons already issued stay valid. Repeat-safe (an
/// `out_request_no`). The answer must be about this coupon and, when it names the deactivation's
/// request number, this `out_request_no`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeactivateCouponRequest {
    coupon: CouponKey,
    body: DeactivateCouponBody,
}

impl DeactivateCouponRequest {
    /// Validates every field (`deactivate_reason`: 1–150 characters).
    pub fn new(
        product_coupon_id: impl Into<String>,
        out_request_no: impl Into<String>,
        deactivate_reason: impl Into<String>,
    ) -> Result<Self, ValidationError> {
        Ok(DeactivateCouponRequest {
            coupon: CouponKey::new(product_coupon_id.into())?,
            body: DeactivateCouponBody {
                out_request_no: OutRequestNo::new(out_request_no).within("out_request_no")?,
                deactivate_reason: DeactivateReason::new(deactivate_reason)
                    .within("deactivate_reason")?,
            },
        })
    }
    /// The product coupon id.
    pub fn product_coupon_id(&self) -> &str {
        self.coupon.product_coupon_id.as_str()
    }
    /// The brand's request number.
    pub fn out_request_no(&self) -> &str {
        self.body.out_request_no.as_str()
    }
}

impl Operation for DeactivateCouponRequest {
    const NAME: &'static str = "deactivate_coupon";
    const METHOD: Method = Method::Post;
    const PATH: &'static str =
        "/brand/marketing/product-coupon/product-coupons/{product_coupon_id}/deactivate";
    const REPEAT_SAFE: bool = true; // out_request_no
    type Body = DeactivateCouponBody;
    type Response = ProductCouponEntity;

    fn path_parameter(&self, name: &str) -> Option<&str> {
        self.coupon.path_parameter(name)
    }
    fn body(&self) -> Option<&DeactivateCouponBody> {
        Some(&self.body)
    }
    fn check_answer(&self, coupon: &ProductCouponEntity) -> Result<(), AnswerMismatch> {
        self.coupon.check(&coupon.product_coupon_id)?;
        AnswerMismatch::check_if_present(
            "deactivate_request_no",
            self.out_request_no(),
            coupon.deactivate_request_no.as_deref(),
        )
    }
}
