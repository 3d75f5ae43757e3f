//! The wxbrand pipeline: runs WeChat Pay brand API operations — validate, serialize, sign, send,
//! verify, decode — with retries, host failover, a client-side rate limit and tracing.
//!
//! Every 2xx answer is verified (signature, `Wechatpay-Serial`, timestamp window) before its body
//! is decoded; there is no switch to turn verification off. Answers that fail are dropped and
//! reported as [`ErrorKind::Verification`].
//!
//! ```no_run
//! use wxbrand_client::Client;
//! use wxbrand_core::product_coupon::DeactivateStockRequest;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! // WXBRAND_BRAND_ID, WXBRAND_SERIAL_NO, WXBRAND_PRIVATE_KEY_PATH,
//! // WXBRAND_PUBLIC_KEY_ID, WXBRAND_PUBLIC_KEY_PATH (and optionally WXBRAND_BASE_URL).
//! let client = Client::from_env()?;
//! let request = DeactivateStockRequest::new("1000000013", "1000000013001", "deact_20250101_0001", "批次信息有误")?;
//! let stock = client.send(&request).await?;
//! println!("{:?} (Request-ID {:?})", stock.state, stock.request_id());
//! # Ok(())
//! # }
//! ```
//!
//! Endpoint crates such as `wxbrand-product-coupon` add typed methods on top
//! (`client.product_coupon().deactivate_stock(..)`).
//!
//! # What the client does on each call
//! 1. **Validate and serialize**: the request types check their fields when built;
//!    [`Operation::prepare`] gives the exact bytes.
//! 2. **Sign** with a fresh timestamp (from the [`Clock`](clock::Clock)) and nonce (from the
//!    [`NonceSource`](clock::NonceSource)) on every attempt.
//! 3. **Send** with `Authorization` (marked sensitive), `Accept: application/json`,
//!    `Wechatpay-Serial`, `Content-Type: application/json` when there is a body, and
//!    `User-Agent: wxbrand/<version> (+rust)`.
//! 4. **Retry** what is safe to retry ([`RetryPolicy`]); **fail over** to the backup host when the
//!    main one cannot be reached, for a cooldown; **rate-limit** per operation ([`RateLimit`]),
//!    in this process or, for a fleet, in a shared [`RateLimiter`] ([`rate_limit`]).
//! 5. **Verify** every 2xx answer, then **decode** it into a [`Response`] and **check** that it is
//!    about what was asked ([`Operation::check_answer`], else [`ErrorKind::AnswerMismatch`]); non-2xx
//!    answers become [`ErrorKind::Api`].
//!
//! # Failures and what the client does about them
//!
//! | what happened | repeat-safe call (`out_request_no`, GET) | other call | host |
//! |---|---|---|---|
//! | main host unreachable (refused, DNS, connect timeout, TLS handshake) | retried at once on the backup | same | backup for the cooldown (default 60 s) |
//! | connection lost after the request was written, answer lost or cut | retried after backoff; WeChat Pay does not act twice on one `out_request_no` | [`ErrorKind::Transport`] (`MaybeDelivered`) | unchanged |
//! | HTTP 429, 500, 502, 503 (JSON or a proxy's HTML) | retried after backoff | [`ErrorKind::Api`] | unchanged |
//! | HTTP 400, 401, 403, 404, other statuses | [`ErrorKind::Api`] at once | same | unchanged |
//! | 2xx answer with a bad or `WECHATPAY/SIGNTEST/` signature, a stale timestamp, an unknown `Wechatpay-Serial`, missing headers | [`ErrorKind::Verification`], body dropped, not retried | same | unchanged |
//! | answer larger than the transport allows | [`ErrorKind::Transport`] (`ResponseTooLarge`) | same | unchanged |
//! | verified 2xx answer of an unexpected shape | [`ErrorKind::Decode`] with the `Request-ID` | same | unchanged |
//! | verified 2xx answer about another object (another stock id, another request number) | [`ErrorKind::AnswerMismatch`] with both values, not retried | same | unchanged |
//!
//! Retries stop after [`RetryPolicy`]'s count (default 3) or total deadline (default 30 s, counting
//! attempts and backoff, not time queued for the rate limit);
//! the error then describes the last attempt and [`Error::attempts`] says how many were made.
//!
//! Tracing: one `wxbrand.call` span per call with `operation`, `attempt`, `host`, `status`,
//! `request_id` and `elapsed_ms`. The `Authorization` value, keys and bodies are never recorded.
//!
//! # Bulk jobs
//! [`bulk`] runs many repeat-safe operations (e.g. deactivating hundreds of stocks) with bounded
//! concurrency under the rate limit, each result handed out as it completes, with a request
//! number per item derived from a job id so that re-running a job acts once per item.
//!
//! # Crate features
//! - `hyper` (default): the default transport, `wxbrand_transport::HyperTransport`. Without it,
//!   give a transport with [`ClientBuilder::transport`].
//! - `blocking`: `BlockingClient`, the same surface for synchronous code.
//! - `redis`: `rate_limit::RedisRateLimiter`, one rate limit shared by a fleet of processes
//!   through Redis (the `redis` crate, tokio connection manager).
#![warn(missing_docs, missing_debug_implementations)]

#[cfg(feature = "blocking")]
mod blocking;
pub mod bulk;
mod client;
pub mod clock;
mod config;
mod env;
mod error;
mod from_blocking;
mod hosts;
pub mod paging;
pub mod rate_limit;
mod response;
mod retry;
mod settings;

#[cfg(feature = "blocking")]
pub use blocking::{BlockingClient, PageIter};
pub use client::Client;
pub use config::{
    ClientBuilder, BACKUP_BASE_URL, DEFAULT_FAILOVER_COOLDOWN, MAIN_BASE_URL, USER_AGENT,
};
pub use env::env_var;
pub use error::{ConfigError, DecodeError, Error, ErrorKind, PagingLimit};
pub use paging::PageStream;
pub use rate_limit::{LocalRateLimiter, RateLimiter};
pub use response::Response;
pub use retry::RetryPolicy;

/// Re-exported so users need not depend on the layers directly.
pub use wxbrand_core::{
    AnswerMismatch, ApiError, ErrorCode, Operation, Paged, PreparedRequest, RateLimit,
    ValidationError,
};
pub use wxbrand_sign::{PrivateKey, PublicKey, VerifyError};
pub use wxbrand_transport::{Transport, TransportError, TransportErrorKind};
