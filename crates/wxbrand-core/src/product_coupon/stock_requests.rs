//! The operations that change a stock: create, update, update its budget, upload its codes,
//! associate, disassociate and list its stores; and the bodies and answers that stock bundles
//! share with them (update, budget, stores).

use serde::{Deserialize, Serialize};

use super::coupon_requests::StockForCreate;
use super::declare::body_operation;
use super::requests::{CouponKey, StockKey};
use super::rules::{self, in_range, item_count, known, required};
use super::stock::ExtraFields;
use super::{CouponDisplayInfo, NotifyConfig, StockEntity, StockStoreScope, UsageRuleDisplayInfo};
use crate::error::ValidationRule;
use crate::field::{OutRequestNo, PageSize, PageToken, WithinField};
use crate::string_enum::string_enum;
use crate::{AnswerMismatch, Method, NoBody, Operation, Page, Paged, Query, ValidationError};

/// The body of [`CreateStockRequest`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CreateStockBody {
    /// The brand's request number (idempotency key).
    pub out_request_no: OutRequestNo,
    /// The stock.
    pub stock: StockForCreate,
}

impl CreateStockBody {
    /// Every rule of the stock, errors naming `stock.…`.
    pub fn validate(&self) -> Result<(), ValidationError> {
        self.stock.validate(None).within("stock")
    }
}

/// Add a stock to a product coupon (创建商品券批次):
/// `POST /brand/marketing/product-coupon/product-coupons/{product_coupon_id}/stocks`.
///
/// Repeat-safe (an `out_request_no`). The answer must belong to this coupon.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateStockRequest {
    coupon: CouponKey,
    body: CreateStockBody,
}

impl CreateStockRequest {
    /// Validates the id, the request number and every rule of the stock.
    pub fn new(
        product_coupon_id: impl Into<String>,
        out_request_no: impl Into<String>,
        stock: StockForCreate,
    ) -> Result<Self, ValidationError> {
        let body = CreateStockBody {
            out_request_no: OutRequestNo::new(out_request_no).within("out_request_no")?,
            stock,
        };
        Self::from_body(product_coupon_id, body)
    }
    /// A request from a decoded body, checked like [`CreateStockRequest::new`].
    pub fn from_body(
        product_coupon_id: impl Into<String>,
        body: CreateStockBody,
    ) -> Result<Self, ValidationError> {
        let coupon = CouponKey::new(product_coupon_id.into())?;
        body.validate()?;
        Ok(CreateStockRequest { coupon, body })
    }
}

impl Operation for CreateStockRequest {
    const NAME: &'static str = "create_stock";
    const METHOD: Method = Method::Post;
    const PATH: &'static str =
        "/brand/marketing/product-coupon/product-coupons/{product_coupon_id}/stocks";
    const REPEAT_SAFE: bool = true; // out_request_no
    type Body = CreateStockBody;
    type Response = StockEntity;

    fn path_parameter(&self, name: &str) -> Option<&str> {
        self.coupon.path_parameter(name)
    }
    fn body(&self) -> Option<&CreateStockBody> {
        Some(&self.body)
    }
    fn check_answer(&self, stock: &StockEntity) -> Result<(), AnswerMismatch> {
        self.coupon.check(&stock.product_coupon_id)
    }
}

/// The body of an update of a stock or a stock bundle (PATCH): the request number and the parts
/// to change; parts left `None` are not sent and stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct UpdateStockBody {
    /// The brand's request number (idempotency key). Required here (the samples send it), which
    /// makes the PATCH repeat-safe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_request_no: Option<OutRequestNo>,
    /// The new remark (at most 60 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remark: Option<String>,
    /// The new usage-rule display.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage_rule_display_info: Option<UsageRuleDisplayInfo>,
    /// The new coupon display.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_display_info: Option<CouponDisplayInfo>,
    /// The new notification settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify_config: Option<NotifyConfig>,
    /// The new store scope (`SPECIFIC`: associate the stores afterwards).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_scope: Option<StockStoreScope>,
}

impl UpdateStockBody {
    /// An update with only its request number (validated); set the parts to change.
    pub fn new(out_request_no: impl Into<String>) -> Result<Self, ValidationError> {
        Ok(UpdateStockBody {
            out_request_no: Some(OutRequestNo::new(out_request_no).within("out_request_no")?),
            ..UpdateStockBody::default()
        })
    }

    /// Every rule: the request number given, at least one part to change, each part valid.
    pub fn validate(&self) -> Result<(), ValidationError> {
        required(&self.out_request_no, "out_request_no", "given")?;
        rules::remark(&self.remark)?;
        if let Some(info) = &self.usage_rule_display_info {
            rules::usage_rule_display_info(info).within("usage_rule_display_info")?;
        }
        if let Some(info) = &self.coupon_display_info {
            rules::coupon_display_info(info).within("coupon_display_info")?;
        }
        if let Some(config) = &self.notify_config {
            rules::notify_config(config).within("notify_config")?;
        }
        if let Some(scope) = &self.store_scope {
            rules::store_scope(scope)?;
        }
        let changes = self.remark.is_some()
            || self.usage_rule_display_info.is_some()
            || self.coupon_display_info.is_some()
            || self.notify_config.is_some()
            || self.store_scope.is_some();
        if !changes {
            return Err(
                ValidationError::new("", ValidationRule::Missing, "").with_requirement(
                    "given: at least one of remark, usage_rule_display_info, coupon_display_info, \
                 notify_config, store_scope",
                ),
            );
        }
        Ok(())
    }
}

body_operation! {
    /// Update a stock (修改商品券批次):
    /// `PATCH /brand/marketing/product-coupon/product-coupons/{product_coupon_id}/stocks/{stock_id}`.
    ///
    /// Repeat-safe: the body carries an `out_request_no` (required). The answer must be this stock.
    UpdateStockRequest(StockKey: stock_id, UpdateStockBody) -> StockEntity {
        name: "update_stock",
        method: Patch,
        repeat_safe: true,
        path: "/brand/marketing/product-coupon/product-coupons/{product_coupon_id}/stocks/{stock_id}",
    }
    check(this, answer) {
        this.key.check(answer)
    }
}

string_enum! {
    /// Which limit an update-budget call changes (预算修改类型).
    pub enum BudgetUpdateMode {
        /// `MAX_COUNT`: the limit over the stock's life.
        MaxCount = "MAX_COUNT",
        /// `MAX_COUNT_PER_DAY`: the daily limit.
        MaxCountPerDay = "MAX_COUNT_PER_DAY",
    }
}

/// The body of an update of a stock's or bundle's budget: the limit to change, its current value
/// (WeChat Pay refuses the change when it differs, so two changes cannot cross) and its target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct UpdateBudgetBody {
    /// The brand's request number (idempotency key).
    pub out_request_no: OutRequestNo,
    /// Which limit is changed.
    pub update_mode: BudgetUpdateMode,
    /// The current `max_count` (mode `MAX_COUNT`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_max_count: Option<i64>,
    /// The new `max_count` (mode `MAX_COUNT`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_max_count: Option<i64>,
    /// The current `max_count_per_day` (mode `MAX_COUNT_PER_DAY`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_max_count_per_day: Option<i64>,
    /// The new `max_count_per_day` (mode `MAX_COUNT_PER_DAY`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_max_count_per_day: Option<i64>,
}

impl UpdateBudgetBody {
    /// A change of `mode`'s limit from `current` to `target` (both 1–100,000,000).
    pub fn new(
        out_request_no: impl Into<String>,
        mode: BudgetUpdateMode,
        current: i64,
        target: i64,
    ) -> Result<Self, ValidationError> {
        let out_request_no = OutRequestNo::new(out_request_no).within("out_request_no")?;
        let per_day = mode == BudgetUpdateMode::MaxCountPerDay;
        let body = UpdateBudgetBody {
            out_request_no,
            update_mode: mode,
            current_max_count: (!per_day).then_some(current),
            target_max_count: (!per_day).then_some(target),
            current_max_count_per_day: per_day.then_some(current),
            target_max_count_per_day: per_day.then_some(target),
        };
        body.validate()?;
        Ok(body)
    }

    /// The pair of the mode given, in range; the other pair absent.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let (current, target, other) = match self.update_mode {
            BudgetUpdateMode::MaxCount => (
                ("current_max_count", self.current_max_count),
                ("target_max_count", self.target_max_count),
                [
                    ("current_max_count_per_day", self.current_max_count_per_day),
                    ("target_max_count_per_day", self.target_max_count_per_day),
                ],
            ),
            BudgetUpdateMode::MaxCountPerDay => (
                ("current_max_count_per_day", self.current_max_count_per_day),
                ("target_max_count_per_day", self.target_max_count_per_day),
                [
                    ("current_max_count", self.current_max_count),
                    ("target_max_count", self.target_max_count),
                ],
            ),
            BudgetUpdateMode::Unknown(ref text) => return known("update_mode", text, true),
        };
        for (field, value) in [current, target] {
            let value = required(&value, field, "given for this update_mode")?;
            in_range(field, *value, 1, rules::MAX_COUNT_LIMIT)?;
        }
        for (field, value) in other {
            rules::absent(&value, field, "absent: it belongs to the other update_mode")?;
        }
        Ok(())
    }
}

body_operation! {
    /// Raise or lower a stock's budget (修改商品券批次发放预算):
    /// `POST /brand/marketing/product-coupon/product-coupons/{product_coupon_id}/stocks/{stock_id}/update-budget`.
    ///
    /// Repeat-safe (an `out_request_no`). WeChat Pay refuses a target below what was already sent.
    /// The answer must be this stock.
    UpdateStockBudgetRequest(StockKey: stock_id, UpdateBudgetBody) -> StockEntity {
        name: "update_stock_budget",
        method: Post,
        repeat_safe: true,
        path: "/brand/marketing/product-coupon/product-coupons/{product_coupon_id}/stocks/{stock_id}/update-budget",
    }
    check(this, answer) {
        this.key.check(answer)
    }
}

/// A store, by the brand's store id (`{store_id}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StoreRef {
    /// The store id (1–40 characters).
    pub store_id: String,
    /// Fields this version does not know, kept as sent.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

impl StoreRef {
    /// A store by its id.
    pub fn new(store_id: impl Into<String>) -> Self {
        StoreRef {
            store_id: store_id.into(),
            extra: ExtraFields::new(),
        }
    }
}

/// The body of associate / disassociate stores (stocks and bundles): the stores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct StoreListBody {
    /// The stores (at least one).
    pub store_list: Vec<StoreRef>,
}

impl StoreListBody {
    /// The stores of `store_ids`, validated.
    pub fn new<I: IntoIterator<Item = S>, S: Into<String>>(
        store_ids: I,
    ) -> Result<Self, ValidationError> {
        let body = StoreListBody {
            store_list: store_ids.into_iter().map(StoreRef::new).collect(),
        };
        body.validate()?;
        Ok(body)
    }
    /// At least one store, each id 1–40 characters.
    pub fn validate(&self) -> Result<(), ValidationError> {
        item_count("store_list", self.store_list.len(), 1, usize::MAX)
            .map_err(|e| e.with_requirement("at least one store"))?;
        for (index, store) in self.store_list.iter().enumerate() {
            rules::chars("store_id", &store.store_id, 1, rules::STORE_ID_MAX_CHARS)
                .map_err(|e| e.within_item("store_list", index))?;
        }
        Ok(())
    }
}

/// A store WeChat Pay did not associate or disassociate, and why.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FailedStore {
    /// The store id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_id: Option<String>,
    /// The error code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The error message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Fields this version does not know, kept as sent.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

/// The answer of associate / disassociate stores: which stores succeeded and which failed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StoresResponse {
    /// Number of stores in the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_count: Option<u64>,
    /// The stores that succeeded.
    #[serde(default)]
    pub success_store_list: Vec<StoreRef>,
    /// The stores that failed, with the reason.
    #[serde(default)]
    pub failed_store_list: Vec<FailedStore>,
    /// Fields this version does not know, kept as sent.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

impl StoresResponse {
    /// Every store of the answer must have been asked for.
    pub(crate) fn check_stores(&self, body: &StoreListBody) -> Result<(), AnswerMismatch> {
        let asked = |id: &str| body.store_list.iter().any(|store| store.store_id == id);
        let answered = self
            .success_store_list
            .iter()
            .map(|store| store.store_id.as_str())
            .chain(
                self.failed_store_list
                    .iter()
                    .filter_map(|store| store.store_id.as_deref()),
            );
        for id in answered {
            if !asked(id) {
                return AnswerMismatch::check("store_id", "a store of the request", id);
            }
        }
        Ok(())
    }
}

body_operation! {
    /// Associate stores with a stock (关联门店):
    /// `POST …/product-coupons/{product_coupon_id}/stocks/{stock_id}/associate-stores`.
    ///
    /// Not repeat-safe: it carries no request number, so it is retried only when it cannot have
    /// been delivered. Every store of the answer must be one of the request.
    AssociateStoresRequest(StockKey: stock_id, StoreListBody) -> StoresResponse {
        name: "associate_stores",
        method: Post,
        repeat_safe: false,
        path: "/brand/marketing/product-coupon/product-coupons/{product_coupon_id}/stocks/{stock_id}/associate-stores",
    }
    check(this, answer) { answer.check_stores(&this.body) }
}

body_operation! {
    /// Disassociate stores from a stock (取消关联门店):
    /// `POST …/product-coupons/{product_coupon_id}/stocks/{stock_id}/disassociate-stores`.
    ///
    /// Not repeat-safe (no request number). Every store of the answer must be one of the request.
    DisassociateStoresRequest(StockKey: stock_id, StoreListBody) -> StoresResponse {
        name: "disassociate_stores",
        method: Post,
        repeat_safe: false,
        path: "/brand/marketing/product-coupon/product-coupons/{product_coupon_id}/stocks/{stock_id}/disassociate-stores",
    }
    check(this, answer) { answer.check_stores(&this.body) }
}

/// One page of "list associated stores".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ListAssociatedStoresResponse {
    /// Number of stores, over all pages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_count: Option<u64>,
    /// This page's stores.
    #[serde(default)]
    pub store_list: Vec<StoreRef>,
    /// Token of the next page; absent or empty on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
    /// Fields this version does not know, kept as sent.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

/// List the stores associated with a stock (查询批次关联门店):
/// `GET …/product-coupons/{product_coupon_id}/stocks/{stock_id}/associated-stores?page_size=&page_token=`.
///
/// A `GET`: repeat-safe. Paged ([`Paged`]): the client's generic stream pages through it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListAssociatedStoresRequest {
    stock: StockKey,
    page_size: Option<PageSize>,
    page_token: Option<PageToken>,
}

impl ListAssociatedStoresRequest {
    /// The first page, the API's default page size.
    pub fn new(
        product_coupon_id: impl Into<String>,
        stock_id: impl Into<String>,
    ) -> Result<Self, ValidationError> {
        Ok(ListAssociatedStoresRequest {
            stock: StockKey::new(product_coupon_id.into(), stock_id.into())?,
            page_size: None,
            page_token: None,
        })
    }
    /// Page size, 1–50.
    pub fn page_size(mut self, page_size: u32) -> Result<Self, ValidationError> {
        self.page_size = Some(PageSize::new(page_size).within("page_size")?);
        Ok(self)
    }
    /// Continue from a previous answer's `next_page_token`.
    pub fn page_token(mut self, token: impl Into<String>) -> Result<Self, ValidationError> {
        self.page_token = Some(PageToken::new(token).within("page_token")?);
        Ok(self)
    }
}

impl Operation for ListAssociatedStoresRequest {
    const NAME: &'static str = "list_associated_stores";
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/brand/marketing/product-coupon/product-coupons/{product_coupon_id}/stocks/{stock_id}/associated-stores";
    type Body = NoBody;
    type Response = ListAssociatedStoresResponse;

    fn path_parameter(&self, name: &str) -> Option<&str> {
        self.stock.path_parameter(name)
    }
    fn query(&self, query: &mut Query) {
        query.add("page_size", self.page_size);
        query.add("page_token", self.page_token.as_ref());
    }
}

impl Paged for ListAssociatedStoresRequest {
    type Item = StoreRef;

    fn set_page_token(&mut self, token: PageToken) {
        self.page_token = Some(token);
    }
    fn into_page(answer: ListAssociatedStoresResponse) -> Page<StoreRef> {
        Page::new(answer.store_list, answer.next_page_token)
    }
}

/// The body of [`UploadCouponCodesRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct UploadCouponCodesBody {
    /// The brand's request number (idempotency key).
    pub out_request_no: OutRequestNo,
    /// The codes (at least one; each 1–40 characters without whitespace or control characters).
    pub code_list: Vec<String>,
}

impl UploadCouponCodesBody {
    /// The codes, validated.
    pub fn new<I: IntoIterator<Item = S>, S: Into<String>>(
        out_request_no: impl Into<String>,
        codes: I,
    ) -> Result<Self, ValidationError> {
        let body = UploadCouponCodesBody {
            out_request_no: OutRequestNo::new(out_request_no).within("out_request_no")?,
            code_list: codes.into_iter().map(Into::into).collect(),
        };
        body.validate()?;
        Ok(body)
    }
    /// At least one code; each 1–40 characters, no whitespace or control character. Duplicates
    /// are left to WeChat Pay, which reports them in `duplicate_code_list`.
    pub fn validate(&self) -> Result<(), ValidationError> {
        item_count("code_list", self.code_list.len(), 1, usize::MAX)
            .map_err(|e| e.with_requirement("at least one code"))?;
        for (index, code) in self.code_list.iter().enumerate() {
            rules::chars("", code, 1, rules::COUPON_CODE_MAX_CHARS)
                .and_then(|()| {
                    crate::validate::allowed_chars(
                        "",
                        code,
                        "1 to 40 characters without whitespace or control characters",
                        |c| !c.is_whitespace() && !c.is_control(),
                    )
                })
                .map_err(|e| e.within_item("code_list", index))?;
        }
        Ok(())
    }
}

/// A code WeChat Pay did not accept, and why.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FailedCode {
    /// The code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_code: Option<String>,
    /// The error code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The error message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Fields this version does not know, kept as sent.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

/// The answer of "upload coupon codes".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UploadCouponCodesResponse {
    /// Number of codes in the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_count: Option<u64>,
    /// The codes accepted.
    #[serde(default)]
    pub success_code_list: Vec<String>,
    /// The codes refused, with the reason.
    #[serde(default)]
    pub failed_code_list: Vec<FailedCode>,
    /// Codes the stock already had.
    #[serde(default)]
    pub already_exist_code_list: Vec<String>,
    /// Codes given twice in the request.
    #[serde(default)]
    pub duplicate_code_list: Vec<String>,
    /// Fields this version does not know, kept as sent.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

body_operation! {
    /// Upload the codes of an `UPLOAD`-mode stock (预上传券Code):
    /// `POST …/product-coupons/{product_coupon_id}/stocks/{stock_id}/upload-coupon-codes`.
    ///
    /// Repeat-safe (an `out_request_no`). Every accepted code of the answer must be one of the request.
    UploadCouponCodesRequest(StockKey: stock_id, UploadCouponCodesBody) -> UploadCouponCodesResponse {
        name: "upload_coupon_codes",
        method: Post,
        repeat_safe: true,
        path: "/brand/marketing/product-coupon/product-coupons/{product_coupon_id}/stocks/{stock_id}/upload-coupon-codes",
    }
    check(this, answer) {
        for code in &answer.success_code_list {
            if !this.body.code_list.contains(code) {
                return AnswerMismatch::check("success_code_list", "a code of the request", code);
            }
        }
        Ok(())
    }
}
