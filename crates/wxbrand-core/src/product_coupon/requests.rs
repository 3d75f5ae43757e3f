//! The product-coupon operations, each one declaration: validated fields, then its
//! [`Operation`] (and [`Paged`]) implementation.

use serde::{Deserialize, Serialize};

use super::{ListStocksResponse, ProductCouponEntity, StockEntity, StockState};
use crate::field::{Id, OutRequestNo, PageSize, PageToken, Text, WithinField};
use crate::{
    AnswerMismatch, Method, NoBody, Operation, Page, Paged, Query, RateLimit, ValidationError,
};

/// A `deactivate_reason`: 1 to 150 characters.
pub type DeactivateReason = Text<1, { crate::validate::DEACTIVATE_REASON_MAX_CHARS }>;

/// The id that names a product coupon in a path, and the check of an answer about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct CouponKey {
    pub(super) product_coupon_id: Id,
}

impl CouponKey {
    pub(super) fn new(product_coupon_id: String) -> Result<Self, ValidationError> {
        Ok(CouponKey {
            product_coupon_id: Id::new(product_coupon_id).within("product_coupon_id")?,
        })
    }

    pub(super) fn path_parameter(&self, name: &str) -> Option<&str> {
        (name == "product_coupon_id").then(|| self.product_coupon_id.as_str())
    }

    /// The answer's `product_coupon_id` must be this one.
    pub(super) fn check(&self, answered: &str) -> Result<(), AnswerMismatch> {
        AnswerMismatch::check(
            "product_coupon_id",
            self.product_coupon_id.as_str(),
            answered,
        )
    }
}

/// The two ids that name a stock in a path, and the checks of an answer about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct StockKey {
    pub(super) coupon: CouponKey,
    pub(super) stock_id: Id,
}

impl StockKey {
    pub(super) fn new(
        product_coupon_id: String,
        stock_id: String,
    ) -> Result<Self, ValidationError> {
        Ok(StockKey {
            coupon: CouponKey::new(product_coupon_id)?,
            stock_id: Id::new(stock_id).within("stock_id")?,
        })
    }

    pub(super) fn path_parameter(&self, name: &str) -> Option<&str> {
        match name {
            "stock_id" => Some(self.stock_id.as_str()),
            _ => self.coupon.path_parameter(name),
        }
    }

    pub(super) fn check(&self, stock: &StockEntity) -> Result<(), AnswerMismatch> {
        self.coupon.check(&stock.product_coupon_id)?;
        AnswerMismatch::check("stock_id", self.stock_id.as_str(), &stock.stock_id)
    }
}

/// The body of [`DeactivateStockRequest`]: exactly `out_request_no` and `deactivate_reason`, in
/// that order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeactivateStockBody {
    /// The brand's request number (idempotency key).
    pub out_request_no: OutRequestNo,
    /// Why the stock is deactivated.
    pub deactivate_reason: DeactivateReason,
}

/// Deactivate a stock (失效商品券批次):
/// `POST /brand/marketing/product-coupon/product-coupons/{product_coupon_id}/stocks/{stock_id}/deactivate`.
///
/// The stock must be `SENDING` or `PAUSED`. Coupons already issued stay valid. Sending the same
/// `out_request_no` again is safe: WeChat Pay does not act twice. WeChat Pay allows 20 calls per
/// second per brand, the client's default limit. The answer must be about this stock and, when it
/// names the deactivation's request number, this `out_request_no`.
///
/// ```
/// use wxbrand_core::product_coupon::DeactivateStockRequest;
/// use wxbrand_core::Operation;
///
/// let prepared = DeactivateStockRequest::new("200000001", "123456789", "34657_20250101_123456", "批次信息有误")?
///     .prepare()?;
/// assert_eq!(prepared.body(), Some(r#"{"out_request_no":"34657_20250101_123456","deactivate_reason":"批次信息有误"}"#.as_bytes()));
/// assert!(DeactivateStockRequest::new("200000001", "123456789", "short", "reason").is_err());
/// # Ok::<(), wxbrand_core::ValidationError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeactivateStockRequest {
    stock: StockKey,
    body: DeactivateStockBody,
}

impl DeactivateStockRequest {
    /// Validates every field; nothing is sent when this fails.
    ///
    /// `product_coupon_id` and `stock_id`: [`Id`]; `out_request_no`: [`OutRequestNo`];
    /// `deactivate_reason`: 1–150 characters.
    pub fn new(
        product_coupon_id: impl Into<String>,
        stock_id: impl Into<String>,
        out_request_no: impl Into<String>,
        deactivate_reason: impl Into<String>,
    ) -> Result<Self, ValidationError> {
        Ok(DeactivateStockRequest {
            stock: StockKey::new(product_coupon_id.into(), stock_id.into())?,
            body: DeactivateStockBody {
                out_request_no: OutRequestNo::new(out_request_no).within("out_request_no")?,
                deactivate_reason: DeactivateReason::new(deactivate_reason)
                    .within("deactivate_reason")?,
            },
        })
    }
    /// The product coupon id.
    pub fn product_coupon_id(&self) -> &str {
        self.stock.coupon.product_coupon_id.as_str()
    }
    /// The stock id.
    pub fn stock_id(&self) -> &str {
        self.stock.stock_id.as_str()
    }
    /// The brand's request number (idempotency key).
    pub fn out_request_no(&self) -> &str {
        self.body.out_request_no.as_str()
    }
    /// The reason.
    pub fn deactivate_reason(&self) -> &str {
        self.body.deactivate_reason.as_str()
    }
}

impl Operation for DeactivateStockRequest {
    const NAME: &'static str = "deactivate_stock";
    const METHOD: Method = Method::Post;
    const PATH: &'static str = "/brand/marketing/product-coupon/product-coupons/{product_coupon_id}/stocks/{stock_id}/deactivate";
    const REPEAT_SAFE: bool = true;
    const RATE_LIMIT: Option<RateLimit> = Some(RateLimit::per_second(20));
    type Body = DeactivateStockBody;
    type Response = StockEntity;

    fn path_parameter(&self, name: &str) -> Option<&str> {
        self.stock.path_parameter(name)
    }
    fn body(&self) -> Option<&DeactivateStockBody> {
        Some(&self.body)
    }
    fn check_answer(&self, stock: &StockEntity) -> Result<(), AnswerMismatch> {
        self.stock.check(stock)?;
        AnswerMismatch::check_if_present(
            "deactivate_request_no",
            self.out_request_no(),
            stock.deactivate_request_no.as_deref(),
        )
    }
}

/// Query one stock (查询商品券批次):
/// `GET /brand/marketing/product-coupon/product-coupons/{product_coupon_id}/stocks/{stock_id}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetStockRequest {
    stock: StockKey,
}

impl GetStockRequest {
    /// Validates both ids ([`Id`]: 1–40 characters, no control character, no `/`).
    pub fn new(
        product_coupon_id: impl Into<String>,
        stock_id: impl Into<String>,
    ) -> Result<Self, ValidationError> {
        Ok(GetStockRequest {
            stock: StockKey::new(product_coupon_id.into(), stock_id.into())?,
        })
    }
    /// The product coupon id.
    pub fn product_coupon_id(&self) -> &str {
        self.stock.coupon.product_coupon_id.as_str()
    }
    /// The stock id.
    pub fn stock_id(&self) -> &str {
        self.stock.stock_id.as_str()
    }
}

impl Operation for GetStockRequest {
    const NAME: &'static str = "get_stock";
    const METHOD: Method = Method::Get;
    const PATH: &'static str =
        "/brand/marketing/product-coupon/product-coupons/{product_coupon_id}/stocks/{stock_id}";
    type Body = NoBody;
    type Response = StockEntity;

    fn path_parameter(&self, name: &str) -> Option<&str> {
        self.stock.path_parameter(name)
    }
    fn check_answer(&self, stock: &StockEntity) -> Result<(), AnswerMismatch> {
        self.stock.check(stock)
    }
}

/// List a coupon's stocks (查询商品券批次列表):
/// `GET /brand/marketing/product-coupon/product-coupons/{product_coupon_id}/stocks?…`.
///
/// The query holds only the parameters that were set, in alphabetical order — `page_size`,
/// `page_token`, `state`, `stock_bundle_id` — with percent-encoded values. Every stock of the
/// answer must belong to this coupon.
///
/// ```
/// use wxbrand_core::product_coupon::{ListStocksRequest, StockState};
/// use wxbrand_core::Operation;
///
/// let request = ListStocksRequest::new("200000001")?.state(StockState::Sending).page_size(20)?;
/// assert_eq!(
///     request.prepare()?.path_and_query(),
///     "/brand/marketing/product-coupon/product-coupons/200000001/stocks?page_size=20&state=SENDING"
/// );
/// # Ok::<(), wxbrand_core::ValidationError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListStocksRequest {
    coupon: CouponKey,
    state: Option<StockState>,
    page_size: Option<PageSize>,
    page_token: Option<PageToken>,
    stock_bundle_id: Option<Id>,
}

impl ListStocksRequest {
    /// All stocks of a coupon, first page, the API's default page size (20).
    pub fn new(product_coupon_id: impl Into<String>) -> Result<Self, ValidationError> {
        Ok(ListStocksRequest {
            coupon: CouponKey::new(product_coupon_id.into())?,
            state: None,
            page_size: None,
            page_token: None,
            stock_bundle_id: None,
        })
    }
    /// Only stocks in this state.
    pub fn state(mut self, state: StockState) -> Self {
        self.state = Some(state);
        self
    }
    /// Page size, 1–50.
    pub fn page_size(mut self, page_size: u32) -> Result<Self, ValidationError> {
        self.page_size = Some(PageSize::new(page_size).within("page_size")?);
        Ok(self)
    }
    /// Continue from the `next_page_token` of a previous answer (1–256 characters, no control character).
    pub fn page_token(mut self, token: impl Into<String>) -> Result<Self, ValidationError> {
        self.page_token = Some(PageToken::new(token).within("page_token")?);
        Ok(self)
    }
    /// Only stocks of this stock bundle (an [`Id`]).
    pub fn stock_bundle_id(mut self, id: impl Into<String>) -> Result<Self, ValidationError> {
        self.stock_bundle_id = Some(Id::new(id).within("stock_bundle_id")?);
        Ok(self)
    }
    /// The product coupon id.
    pub fn product_coupon_id(&self) -> &str {
        self.coupon.product_coupon_id.as_str()
    }
}

impl Operation for ListStocksRequest {
    const NAME: &'static str = "list_stocks";
    const METHOD: Method = Method::Get;
    const PATH: &'static str =
        "/brand/marketing/product-coupon/product-coupons/{product_coupon_id}/stocks";
    type Body = NoBody;
    type Response = ListStocksResponse;

    fn path_parameter(&self, name: &str) -> Option<&str> {
        self.coupon.path_parameter(name)
    }
    fn query(&self, query: &mut Query) {
        query.add("page_size", self.page_size);
        query.add("page_token", self.page_token.as_ref());
        query.add("state", self.state.as_ref());
        query.add("stock_bundle_id", self.stock_bundle_id.as_ref());
    }
    fn check_answer(&self, page: &ListStocksResponse) -> Result<(), AnswerMismatch> {
        page.stock_list
            .iter()
            .try_for_each(|stock| self.coupon.check(&stock.product_coupon_id))
    }
}

impl Paged for ListStocksRequest {
    type Item = StockEntity;

    fn set_page_token(&mut self, token: PageToken) {
        self.page_token = Some(token);
    }
    fn into_page(answer: ListStocksResponse) -> Page<StockEntity> {
        Page::new(answer.stock_list, answer.next_page_token)
    }
}

/// Query a product coupon (查询商品券):
/// `GET /brand/marketing/product-coupon/product-coupons/{product_coupon_id}`.
///
/// ```
/// use wxbrand_core::product_coupon::GetCouponRequest;
/// use wxbrand_core::Operation;
///
/// let prepared = GetCouponRequest::new("1000000013")?.prepare()?;
/// assert_eq!(prepared.path_and_query(), "/brand/marketing/product-coupon/product-coupons/1000000013");
/// # Ok::<(), wxbrand_core::ValidationError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetCouponRequest {
    coupon: CouponKey,
}

impl GetCouponRequest {
    /// Validates the id ([`Id`]).
    pub fn new(product_coupon_id: impl Into<String>) -> Result<Self, ValidationError> {
        Ok(GetCouponRequest {
            coupon: CouponKey::new(product_coupon_id.into())?,
        })
    }
    /// The product coupon id.
    pub fn product_coupon_id(&self) -> &str {
        self.coupon.product_coupon_id.as_str()
    }
}

impl Operation for GetCouponRequest {
    const NAME: &'static str = "get_coupon";
    const METHOD: Method = Method::Get;
    const PATH: &'static str =
        "/brand/marketing/product-coupon/product-coupons/{product_coupon_id}";
    type Body = NoBody;
    type Response = ProductCouponEntity;

    fn path_parameter(&self, name: &str) -> Option<&str> {
        self.coupon.path_parameter(name)
    }
    fn check_answer(&self, coupon: &ProductCouponEntity) -> Result<(), AnswerMismatch> {
        self.coupon.check(&coupon.product_coupon_id)
    }
}
