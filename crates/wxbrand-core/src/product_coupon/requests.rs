//! Requests on stocks, validated when built.

use super::{ListStocksResponse, StockEntity, StockState};
use crate::percent_encoding::encode;
use crate::{validate, Method, Operation, PreparedRequest, ValidationError};

/// Path prefix of every product coupon resource.
const PRODUCT_COUPONS: &str = "/brand/marketing/product-coupon/product-coupons";

/// `…/product-coupons/{product_coupon_id}/stocks`, ids percent-encoded.
fn stocks_path(product_coupon_id: &str) -> String {
    format!("{PRODUCT_COUPONS}/{}/stocks", encode(product_coupon_id))
}

/// `…/product-coupons/{product_coupon_id}/stocks/{stock_id}`, ids percent-encoded.
fn stock_path(product_coupon_id: &str, stock_id: &str) -> String {
    format!("{}/{}", stocks_path(product_coupon_id), encode(stock_id))
}

/// Deactivate a stock (失效商品券批次):
/// `POST /brand/marketing/product-coupon/product-coupons/{product_coupon_id}/stocks/{stock_id}/deactivate`.
///
/// The stock must be `SENDING` or `PAUSED`. Coupons already issued stay valid. Sending the same
/// `out_request_no` again is safe: WeChat Pay does not act twice.
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
    product_coupon_id: String,
    stock_id: String,
    out_request_no: String,
    deactivate_reason: String,
}

impl DeactivateStockRequest {
    /// Validates every field; nothing is sent when this fails.
    ///
    /// `product_coupon_id` and `stock_id`: 1–40 characters, no control character, no `/`;
    /// `out_request_no`: 6–40 characters of `[0-9A-Za-z_-]`; `deactivate_reason`: 1–150 characters.
    pub fn new(
        product_coupon_id: impl Into<String>,
        stock_id: impl Into<String>,
        out_request_no: impl Into<String>,
        deactivate_reason: impl Into<String>,
    ) -> Result<Self, ValidationError> {
        let request = DeactivateStockRequest {
            product_coupon_id: product_coupon_id.into(),
            stock_id: stock_id.into(),
            out_request_no: out_request_no.into(),
            deactivate_reason: deactivate_reason.into(),
        };
        validate::id("product_coupon_id", &request.product_coupon_id)?;
        validate::id("stock_id", &request.stock_id)?;
        validate::out_request_no(&request.out_request_no)?;
        validate::deactivate_reason(&request.deactivate_reason)?;
        Ok(request)
    }
    /// The product coupon id.
    pub fn product_coupon_id(&self) -> &str {
        &self.product_coupon_id
    }
    /// The stock id.
    pub fn stock_id(&self) -> &str {
        &self.stock_id
    }
    /// The brand's request number (idempotency key).
    pub fn out_request_no(&self) -> &str {
        &self.out_request_no
    }
    /// The reason.
    pub fn deactivate_reason(&self) -> &str {
        &self.deactivate_reason
    }
}

impl Operation for DeactivateStockRequest {
    type Response = StockEntity;

    /// The body holds exactly `out_request_no` and `deactivate_reason`, in that order.
    fn prepare(&self) -> Result<PreparedRequest, ValidationError> {
        let body = serde_json::json!({
            "out_request_no": self.out_request_no,
            "deactivate_reason": self.deactivate_reason,
        });
        Ok(PreparedRequest::new(
            "deactivate_stock",
            Method::Post,
            format!(
                "{}/deactivate",
                stock_path(&self.product_coupon_id, &self.stock_id)
            ),
            Some(body.to_string().into_bytes()),
            true,
        ))
    }
}

/// Query one stock (查询商品券批次):
/// `GET /brand/marketing/product-coupon/product-coupons/{product_coupon_id}/stocks/{stock_id}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetStockRequest {
    product_coupon_id: String,
    stock_id: String,
}

impl GetStockRequest {
    /// Validates both ids (1–40 characters, no control character, no `/`).
    pub fn new(
        product_coupon_id: impl Into<String>,
        stock_id: impl Into<String>,
    ) -> Result<Self, ValidationError> {
        let request = GetStockRequest {
            product_coupon_id: product_coupon_id.into(),
            stock_id: stock_id.into(),
        };
        validate::id("product_coupon_id", &request.product_coupon_id)?;
        validate::id("stock_id", &request.stock_id)?;
        Ok(request)
    }
    /// The product coupon id.
    pub fn product_coupon_id(&self) -> &str {
        &self.product_coupon_id
    }
    /// The stock id.
    pub fn stock_id(&self) -> &str {
        &self.stock_id
    }
}

impl Operation for GetStockRequest {
    type Response = StockEntity;

    fn prepare(&self) -> Result<PreparedRequest, ValidationError> {
        Ok(PreparedRequest::new(
            "get_stock",
            Method::Get,
            stock_path(&self.product_coupon_id, &self.stock_id),
            None,
            true,
        ))
    }
}

/// List a coupon's stocks (查询商品券批次列表):
/// `GET /brand/marketing/product-coupon/product-coupons/{product_coupon_id}/stocks?…`.
///
/// The query is built in one fixed, alphabetical order — `page_size`, `page_token`, `state`,
/// `stock_bundle_id` — with percent-encoded values, and only the parameters that were set.
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
    product_coupon_id: String,
    state: Option<StockState>,
    page_size: Option<u32>,
    page_token: Option<String>,
    stock_bundle_id: Option<String>,
}

impl ListStocksRequest {
    /// All stocks of a coupon, first page, the API's default page size (20).
    pub fn new(product_coupon_id: impl Into<String>) -> Result<Self, ValidationError> {
        let product_coupon_id = product_coupon_id.into();
        validate::id("product_coupon_id", &product_coupon_id)?;
        Ok(ListStocksRequest {
            product_coupon_id,
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
        validate::page_size(page_size)?;
        self.page_size = Some(page_size);
        Ok(self)
    }
    /// Continue from the `next_page_token` of a previous answer (1–256 characters, no control character).
    pub fn page_token(mut self, token: impl Into<String>) -> Result<Self, ValidationError> {
        let token = token.into();
        validate::page_token(&token)?;
        self.page_token = Some(token);
        Ok(self)
    }
    /// Only stocks of this stock bundle (an id: 1–40 characters, no control character, no `/`).
    pub fn stock_bundle_id(mut self, id: impl Into<String>) -> Result<Self, ValidationError> {
        let id = id.into();
        validate::id("stock_bundle_id", &id)?;
        self.stock_bundle_id = Some(id);
        Ok(self)
    }
    /// The product coupon id.
    pub fn product_coupon_id(&self) -> &str {
        &self.product_coupon_id
    }

    /// `?page_size=…&page_token=…&state=…&stock_bundle_id=…` with the set parameters, or `""`.
    fn query(&self) -> String {
        let page_size = self.page_size.map(|size| size.to_string());
        let parameters = [
            ("page_size", page_size.as_deref()),
            ("page_token", self.page_token.as_deref()),
            ("state", self.state.as_ref().map(StockState::as_str)),
            ("stock_bundle_id", self.stock_bundle_id.as_deref()),
        ];
        let mut query = String::new();
        for (name, value) in parameters {
            if let Some(value) = value {
                query.push(if query.is_empty() { '?' } else { '&' });
                query.push_str(name);
                query.push('=');
                query.push_str(&encode(value));
            }
        }
        query
    }
}

impl Operation for ListStocksRequest {
    type Response = ListStocksResponse;

    fn prepare(&self) -> Result<PreparedRequest, ValidationError> {
        Ok(PreparedRequest::new(
            "list_stocks",
            Method::Get,
            format!("{}{}", stocks_path(&self.product_coupon_id), self.query()),
            None,
            true,
        ))
    }
}
