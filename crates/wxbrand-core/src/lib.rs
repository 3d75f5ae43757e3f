//! Models, request validation, operation descriptions and API errors of the WeChat Pay brand API
//! (微信支付品牌 API).
//!
//! This crate has no I/O and no cryptography: it only describes what is sent and what comes back.
//! [`wxbrand-client`](https://docs.rs/wxbrand-client) signs, sends and verifies the [`Operation`]s
//! described here; a simulator or a server can use the same models to answer them.
//!
//! - [`product_coupon`]: [`StockEntity`](product_coupon::StockEntity) and every type nested in it, and the
//!   requests on stocks. Models keep fields and enum values this version does not know, so a newer
//!   answer decodes and re-encodes without loss.
//! - An [`Operation`] is a declaration: name, method, path template, query, body type, answer
//!   type, repeat safety, default rate limit and the check of its answer, stated once per request
//!   type; [`Operation::prepare`] gives the exact method, path and query, and body bytes to sign and
//!   send. Listings add [`Paged`].
//! - Requests validate their fields when built, with the validated field types of [`field`]
//!   ([`ValidationError`] names the field's path), so nothing invalid is ever sent.
//! - [`ApiError`] reads a non-2xx answer, including bodies that are not WeChat Pay JSON.
//! - [`event`]: the typed events of notifications ([`Event`](event::Event)), which a receiver
//!   decodes and a server builds.
//! - [`Rfc3339`] keeps a time's text unchanged and parses it on demand.
//!
//! ```
//! use wxbrand_core::product_coupon::{DeactivateStockRequest, StockEntity, StockState};
//! use wxbrand_core::{ApiError, ErrorCode, Method, Operation};
//!
//! // Describe a call; invalid fields are rejected here, before anything is sent.
//! let request = DeactivateStockRequest::new("200000001", "123456789", "34657_20250101_123456", "批次信息有误,重新创建")?;
//! let prepared = request.prepare()?;
//! assert_eq!(prepared.method(), Method::Post);
//! assert_eq!(
//!     prepared.path_and_query(),
//!     "/brand/marketing/product-coupon/product-coupons/200000001/stocks/123456789/deactivate"
//! );
//! assert!(prepared.is_repeat_safe());
//! assert!(DeactivateStockRequest::new("200000001", "123456789", "abc", "reason").is_err());
//!
//! // Decode the answer; an unknown state is kept, not an error.
//! let stock: StockEntity = serde_json::from_str(
//!     r#"{"product_coupon_id":"200000001","stock_id":"123456789","state":"DEACTIVATED",
//!         "deactivate_time":"2025-01-01T00:00+08:00","new_field":1}"#,
//! )?;
//! assert_eq!(stock.state, StockState::Deactivated);
//! assert_eq!(stock.deactivate_time.as_ref().map(|t| t.as_str()), Some("2025-01-01T00:00+08:00"));
//! assert!(stock.extra.contains_key("new_field"));
//!
//! // Read an error answer.
//! let error = ApiError::from_response(404, Some("08DE-268578608"), r#"{"code":"RESOURCE_NOT_EXISTS","message":"批次不存在"}"#.as_bytes());
//! assert_eq!(error.code(), Some(&ErrorCode::ResourceNotExists));
//! assert_eq!(error.internal_error_number(), Some(268578608));
//! assert!(!error.is_retryable());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Crate features
//! None: the crate depends on `serde` and `serde_json` only, and is always built whole.
#![warn(missing_docs, missing_debug_implementations)]

pub mod error;
pub mod event;
pub mod field;
pub mod operation;
pub mod percent_encoding;
pub mod product_coupon;
mod string_enum;
pub mod time;
pub mod validate;

pub use error::{AnswerMismatch, ApiError, ErrorCode, ValidationError};
pub use operation::{
    BodyKind, FilePart, Method, NoBody, Operation, Page, Paged, PreparedRequest, Query, RateLimit,
};
pub use time::Rfc3339;
