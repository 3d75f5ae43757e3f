//! Models, request validation, operation descriptions and API errors of the WeChat Pay brand API.
//!
//! This crate has no I/O and no cryptography: it only describes what is sent and what comes back.
//! [`wxbrand-client`](https://docs.rs/wxbrand-client) runs the [`Operation`]s described here.
//!
//! ```
//! use wxbrand_core::product_coupon::DeactivateStockRequest;
//! use wxbrand_core::Operation;
//!
//! let request = DeactivateStockRequest::new("200000001", "123456789", "34657_20250101_123456", "批次信息有误,重新创建")?;
//! let prepared = request.prepare()?;
//! assert_eq!(
//!     prepared.path_and_query(),
//!     "/brand/marketing/product-coupon/product-coupons/200000001/stocks/123456789/deactivate"
//! );
//! # Ok::<(), wxbrand_core::ValidationError>(())
//! ```
//!
//! # Crate features
//! None: the crate depends on `serde` and `serde_json` only.
#![warn(missing_docs, missing_debug_implementations)]

pub mod error;
pub mod operation;
pub mod percent_encoding;
pub mod product_coupon;
mod string_enum;
pub mod time;
pub mod validate;

pub use error::{ApiError, ErrorCode, ValidationError};
pub use operation::{Method, Operation, PreparedRequest};
pub use time::Rfc3339;
