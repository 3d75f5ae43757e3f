//! wxbrand: a Rust SDK for the WeChat Pay brand API (微信支付品牌 API).
//!
//! This facade re-exports each layer behind an additive feature. With the default features a
//! program reads its settings from the `WXBRAND_*` environment variables and calls the API:
//!
//! ```no_run
//! use wxbrand::prelude::*;
//! use wxbrand::product_coupon::DeactivateStockRequest;
//! use wxbrand::Client;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! // WXBRAND_BRAND_ID, WXBRAND_SERIAL_NO, WXBRAND_PRIVATE_KEY_PATH, WXBRAND_PUBLIC_KEY_ID,
//! // WXBRAND_PUBLIC_KEY_PATH (optional: WXBRAND_BASE_URL).
//! let client = Client::from_env()?;
//! let (coupon_id, stock_id) = ("1000000013", "1000000013001");
//! let (out_request_no, reason) = ("deact_20250101_0001", "批次信息有误,重新创建");
//! let stock = client.product_coupon().deactivate_stock(DeactivateStockRequest::new(coupon_id, stock_id, out_request_no, reason)?).await?;
//! println!("{:?} (Request-ID {})", stock.state, stock.request_id().unwrap_or("-"));
//! # Ok(())
//! # }
//! ```
//!
//! Every answer is verified against the WeChat Pay public key before it is decoded; failed
//! requests are retried when that is safe, the backup host takes over when the main one cannot
//! be reached, and `deactivate_stock` is kept under WeChat Pay's 20 requests per second.
//!
//! # Crate features
//! - `client` (default): the pipeline ([`Client`]).
//! - `product-coupon` (default): the product-coupon endpoints.
//! - `hyper` (default): the hyper + rustls transport.
//! - `blocking`: the blocking client and transport.
//! - `sign`: the signing layer alone ([`sign`]).
//! - `transport`: the transport trait ([`transport`]).
//! - `reqwest`: `transport::ReqwestTransport`, the transport over your own `reqwest::Client`.
//! - `redis`: `rate_limit::RedisRateLimiter`, one rate limit for a fleet of processes.
//! - `test-util`: test transports, and (with `client`) [`test_util::client_builder`]: a client
//!   wired to a running `wxbrand-simulator`.
//! - `notify`: the event notification receiver ([`notify`]): verify, decrypt, de-duplicate and
//!   answer WeChat Pay's notifications; `axum` adds its axum extractor.
#![warn(missing_docs, missing_debug_implementations)]

pub use wxbrand_core::{
    error, field, operation, time, AnswerMismatch, ApiError, ErrorCode, Operation, Paged,
    ValidationError,
};

/// The client pipeline (`wxbrand-client`): [`Client`], its builder, errors and answers.
#[cfg(feature = "client")]
pub use wxbrand_client::{
    bulk, clock, env_var, paging, Client, ClientBuilder, ConfigError, DecodeError, Error,
    ErrorKind, PageStream, PagingLimit, RateLimit, Response, RetryPolicy, BACKUP_BASE_URL,
    MAIN_BASE_URL,
};

/// Rate limiters (`wxbrand_client::rate_limit`): the [`RateLimiter`](rate_limit::RateLimiter)
/// trait, the in-process limiter and (feature `redis`) the Redis one shared by a fleet.
#[cfg(feature = "client")]
pub use wxbrand_client::rate_limit;

/// The blocking twin of [`Client`] (feature `blocking`).
#[cfg(all(feature = "client", feature = "blocking"))]
pub use wxbrand_client::{BlockingClient, PageIter};

/// Product coupons (商品券): models, requests and (with `product-coupon`) the endpoint surface.
pub mod product_coupon {
    pub use wxbrand_core::product_coupon::*;
    #[cfg(feature = "product-coupon")]
    pub use wxbrand_product_coupon::{
        operation_name, DeactivateStockItem, ProductCoupon, ProductCouponExt, SendUserCouponItem,
        StockStream,
    };
    #[cfg(all(feature = "product-coupon", feature = "blocking"))]
    pub use wxbrand_product_coupon::{BlockingProductCoupon, StockIter};
}

/// The traits that add endpoint methods to the clients: `use wxbrand::prelude::*;`.
pub mod prelude {
    #[cfg(feature = "product-coupon")]
    pub use wxbrand_product_coupon::ProductCouponExt;
}

/// Signing and verification (`wxbrand-sign`).
#[cfg(feature = "sign")]
pub use wxbrand_sign as sign;

/// Receiving event notifications (`wxbrand-notify`, feature `notify`; its axum extractor with `axum`).
#[cfg(feature = "notify")]
pub use wxbrand_notify as notify;

/// The pluggable transport (`wxbrand-transport`).
#[cfg(feature = "transport")]
pub use wxbrand_transport as transport;

#[cfg(all(feature = "test-util", feature = "client"))]
pub mod test_util;

/// The README's Rust examples, compiled (and, where they are not `no_run`, run) as doctests so the
/// README never shows code that does not build.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
