//! Requests on stocks, validated when built. SKELETON.

use crate::{Operation, PreparedRequest, ValidationError};
use super::{ListStocksResponse, StockEntity, StockState};

/// Deactivate a stock (失效商品券批次): `POST …/product-coupons/{product_coupon_id}/stocks/{stock_id}/deactivate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeactivateStockRequest {
    product_coupon_id: String,
    stock_id: String,
    out_request_no: String,
    deactivate_reason: String,
}

impl DeactivateStockRequest {
    /// Validates every field; nothing is sent when this fails.
    pub fn new(
        product_coupon_id: impl Into<String>,
        stock_id: impl Into<String>,
        out_request_no: impl Into<String>,
        deactivate_reason: impl Into<String>,
    ) -> Result<Self, ValidationError> {
        todo!()
    }
    /// The product coupon id.
    pub fn product_coupon_id(&self) -> &str { &self.product_coupon_id }
    /// The stock id.
    pub fn stock_id(&self) -> &str { &self.stock_id }
    /// The brand's request number (idempotency key).
    pub fn out_request_no(&self) -> &str { &self.out_request_no }
    /// The reason.
    pub fn deactivate_reason(&self) -> &str { &self.deactivate_reason }
}

impl Operation for DeactivateStockRequest {
    type Response = StockEntity;
    fn prepare(&self) -> Result<PreparedRequest, ValidationError> { todo!() }
}

/// Query one stock: `GET …/product-coupons/{product_coupon_id}/stocks/{stock_id}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetStockRequest {
    product_coupon_id: String,
    stock_id: String,
}

impl GetStockRequest {
    /// Validates both ids.
    pub fn new(product_coupon_id: impl Into<String>, stock_id: impl Into<String>) -> Result<Self, ValidationError> {
        todo!()
    }
}

impl Operation for GetStockRequest {
    type Response = StockEntity;
    fn prepare(&self) -> Result<PreparedRequest, ValidationError> { todo!() }
}

/// List a coupon's stocks: `GET …/product-coupons/{product_coupon_id}/stocks?…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListStocksRequest {
    product_coupon_id: String,
    state: Option<StockState>,
    page_size: Option<u32>,
    page_token: Option<String>,
    stock_bundle_id: Option<String>,
}

impl ListStocksRequest {
    /// All stocks of a coupon, first page, default page size.
    pub fn new(product_coupon_id: impl Into<String>) -> Result<Self, ValidationError> { todo!() }
    /// Only stocks in this state.
    pub fn state(mut self, state: StockState) -> Self { self.state = Some(state); self }
    /// Page size, 1–50.
    pub fn page_size(self, page_size: u32) -> Result<Self, ValidationError> { todo!() }
    /// Continue from a page token of a previous answer.
    pub fn page_token(self, token: impl Into<String>) -> Result<Self, ValidationError> { todo!() }
    /// Only stocks of this stock bundle.
    pub fn stock_bundle_id(self, id: impl Into<String>) -> Result<Self, ValidationError> { todo!() }
}

impl Operation for ListStocksRequest {
    type Response = ListStocksResponse;
    fn prepare(&self) -> Result<PreparedRequest, ValidationError> { todo!() }
}
