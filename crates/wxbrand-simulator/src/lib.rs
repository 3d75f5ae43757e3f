//! A local WeChat Pay brand API for tests: real signatures, stock state and fault injection.
//!
//! WeChat Pay has no sandbox for the brand API. This crate is one: an HTTP(S) server on a local
//! port that checks requests the way WeChat Pay does (the `WECHATPAY-BRAND-SHA256-RSA2048`
//! `Authorization`, the 5-minute timestamp window, the exact bytes signed, `Wechatpay-Serial`,
//! the body rules of each endpoint), keeps product-coupon stocks in memory, answers with
//! WeChat-style JSON signed by a WeChat Pay key of its own, and misbehaves on command
//! ([`Fault`]) so that a client's retries, timeouts and verification can be tested over real
//! sockets.
//!
//! It depends on `wxbrand-core` (the models) and `wxbrand-sign` (the primitives), never on
//! `wxbrand-client`: it is an independent check of the client.
//!
//! # Served routes
//! Under `/brand/marketing/product-coupon` ([`Route`]), one row each of the crate's route table
//! (method, path pattern, body, rate limit, handler):
//! - product coupons: `POST /product-coupons` (create, with its first stock or stock bundle),
//!   `GET` / `PATCH /product-coupons/{product_coupon_id}` (query / update its display),
//!   `POST /product-coupons/{product_coupon_id}/deactivate` (deactivates its live stocks too);
//! - stocks, under `/product-coupons/{product_coupon_id}/stocks`: `POST` (create), `GET` (list:
//!   `state`, `stock_bundle_id`, `page_size` 1–50 default 20, `page_token`), `GET` / `PATCH
//!   /{stock_id}` (query / update), `POST /{stock_id}/deactivate`, `/{stock_id}/update-budget`,
//!   `/{stock_id}/upload-coupon-codes`, `/{stock_id}/associate-stores`,
//!   `/{stock_id}/disassociate-stores`, `GET /{stock_id}/associated-stores` (paged as above);
//! - stock bundles, under `/product-coupons/{product_coupon_id}/stock-bundles`: `POST` (create),
//!   `PATCH /{stock_bundle_id}` (update), `POST /{stock_bundle_id}/update-budget`,
//!   `/{stock_bundle_id}/associate-stores`, `/{stock_bundle_id}/disassociate-stores`;
//! - `POST /media/upload-image`: `multipart/form-data` with a `meta` part (`{"filename","sha256"}`,
//!   what the request's signature covers instead of the body) and a `file` part (a JPG, PNG or BMP
//!   of at most 2 MB, whose hex SHA-256 must be `meta.sha256`); answers `{"image_url"}`, the same
//!   URL for the same bytes. Its body cap is 2 MB plus framing whatever
//!   [`SimulatorBuilder::max_body_bytes`] says.
//!
//! - users' coupons, under `/users/{openid}`: `POST /coupons` (send), `POST /pre-send-coupon`
//!   (answers a token the user claims within 5 minutes: [`SimulatorHandle::claim_pre_sent_coupon`]),
//!   `POST /coupons/{coupon_code}/confirm`, `/use`, `/return`, `/deactivate`, `GET
//!   /coupons/{coupon_code}` (query `product_coupon_id`, `stock_id`, `appid` required), `GET
//!   /coupons` (filters `product_coupon_id`, `stock_id`, `coupon_state`; paged as above);
//! - `POST` / `GET /notify-configs`: the brand's notify URL (`https://`, a public domain, a path,
//!   no query — core's `NotifyUrl` rule; [`SimulatorBuilder::allow_local_notify_urls`] admits a
//!   test's own loopback receiver) with its `update_time`, per brand.
//!
//! Users' coupons follow WeChat Pay's rules (the facts of the product-coupon family):
//! - states: a send makes a `CONFIRMING` coupon; confirm makes it `PENDING` (before its valid
//!   begin time) or `EFFECTIVE`; use takes an `EFFECTIVE` coupon to `USED`; return takes a `USED`
//!   one back to usable; deactivate takes an `EFFECTIVE` or `PENDING` one to `DEACTIVATED`; a
//!   confirmed or confirming coupon past its valid end is `EXPIRED`, by the simulator's clock.
//!   Anything else is 400 `INVALID_REQUEST` ([`reason::INVALID_STATE`]); a coupon the user does
//!   not hold under the product coupon and stock named is 404 `RESOURCE_NOT_EXISTS`
//!   ([`reason::USER_COUPON_NOT_FOUND`]);
//! - valid period: the stock's `coupon_available_period`, or `wait_days_after_receive` days after
//!   receipt for `available_days` days within it;
//! - codes by the stock's `coupon_code_mode`: `WECHATPAY` generated, `UPLOAD` the next uploaded
//!   code not drawn (in upload order; none left: [`reason::CODES_EXHAUSTED`]), `API_ASSIGN` the
//!   request's `coupon_code`, unique per stock ([`reason::COUPON_CODE_TAKEN`]); a `coupon_code` is
//!   refused for the other modes (`PARAM_ERROR`);
//! - budgets at send time: `max_count`, `max_count_per_day` (the Beijing day, 00:00 UTC+8 of the
//!   simulator's clock) and `max_count_per_user` → 400 `INVALID_REQUEST`
//!   ([`reason::SEND_LIMIT_REACHED`]); the stock's `sent_count_info` and `coupon_code_count_info`
//!   follow, as `get_stock` shows; a live pre-send token holds its place and code until claimed or
//!   lapsed; only a `SENDING` stock of a live product coupon sends;
//! - request numbers per operation (`send_request_no` for send and pre-send, `out_request_no` for
//!   the others), as for every write (below);
//! - every change is recorded as a [`CouponEvent`] ([`SimulatorHandle::coupon_events`]), through
//!   one function of the state, for notification delivery to hang on.
//!
//! Product coupons own their stocks: seed them with [`SimulatorBuilder::coupon`] (or let a seeded
//! stock imply its coupon, `EFFECTIVE` with only its id). Created coupons are `EFFECTIVE` and
//! created stocks `SENDING` at once (the audit passes instantly); ids are ten digits from
//! `1000000001`. A bundle is its stocks, one per use of the coupon, each with `stock_bundle_info`.
//!
//! Anything else answers 404 (`NOT_FOUND`) or 405 (`METHOD_NOT_ALLOWED`) with a JSON body.
//!
//! # Example
//! ```
//! use wxbrand_core::product_coupon::StockState;
//! use wxbrand_simulator::{sample_stock, Fault, Route, Simulator};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
//! runtime.block_on(async {
//!     // A brand key pair and a WeChat Pay key pair, both generated now; one stock to act on.
//!     let sim = Simulator::ephemeral()
//!         .stock(sample_stock("200000001", "300000001", StockState::Sending)?)
//!         .start()
//!         .await?;
//!
//!     // What a client needs: the base URL, the brand's id, serial and private key, and the
//!     // WeChat Pay public key with its id.
//!     let brand = sim.ephemeral_brand().expect("ephemeral brand");
//!     println!("{} as brand {} ({})", sim.base_url(), brand.brand_id(), brand.serial_no());
//!     println!("verify answers with {}", sim.wechatpay_public_key_id());
//!     assert!(sim.wechatpay_public_key_pem().starts_with("-----BEGIN PUBLIC KEY-----"));
//!
//!     // Script a lost answer for the second deactivation from now.
//!     sim.faults().on(Route::DeactivateStock).nth(2, Fault::AnswerLost);
//!
//!     // … run the client under test against sim.base_url() …
//!
//!     assert_eq!(sim.stock("200000001", "300000001").map(|s| s.state), Some(StockState::Sending));
//!     assert_eq!(sim.stats().deactivations_of("200000001", "300000001"), 0);
//!     sim.shutdown().await;
//!     Ok::<_, Box<dyn std::error::Error>>(())
//! })
//! # }
//! ```
//!
//! # Keys and brands
//! Register brands with [`SimulatorBuilder::brand`] (id, certificate serial number, public key;
//! several brands and several serial numbers per brand are fine), or let the simulator make one
//! with [`SimulatorBuilder::ephemeral_brand`] / [`Simulator::ephemeral`] and hand its private key
//! to the client ([`SimulatorHandle::ephemeral_brand`]). The WeChat Pay key pair is given with
//! [`SimulatorBuilder::wechatpay_key`] or generated at start ([`SimulatorHandle::wechatpay_public_key`]).
//!
//! # Request checks, in order
//! 1. Route: unknown path → 404 `NOT_FOUND`, wrong method → 405 `METHOD_NOT_ALLOWED` (with `Allow`),
//!    a path id with broken percent-encoding or that breaks the client's id rule
//!    (`wxbrand_core::field::Id`: 1–40 characters, no control character or `/`, not `.`/`..`)
//!    → 400 `PARAM_ERROR` (location `path`).
//! 2. Body over the cap (64 KiB by default, [`SimulatorBuilder::max_body_bytes`]) → 413 `PARAM_ERROR`;
//!    body not complete within 10 s of the headers ([`SimulatorBuilder::body_read_timeout`]) →
//!    408 `INVALID_REQUEST`.
//! 3. `Authorization`: scheme `WECHATPAY-BRAND-SHA256-RSA2048` with `brand_id`, `nonce_str`,
//!    `signature`, `timestamp`, `serial_no`; brand known; serial registered for it; timestamp within
//!    300 s of the simulator's clock (inclusive); signature valid over the method, path-and-query,
//!    timestamp, nonce and body exactly as received (`timestamp="000…"` is checked as sent) →
//!    otherwise 401 `SIGN_ERROR`. The parameter list is strict: `name="value"` items joined by
//!    commas, each parameter once; an empty item (a trailing comma, `,,`) is refused.
//! 4. `Wechatpay-Serial` equal to [`SimulatorHandle::wechatpay_public_key_id`], `Accept` admitting
//!    JSON, `Content-Type: application/json` on bodies → otherwise 400 `INVALID_REQUEST`.
//! 5. Stock deactivation only (the facts give no other rate limit): the per-brand rate limit → 429 `RATELIMIT_EXCEEDED`.
//! 6. The body: decoded with the client's own body type from `wxbrand_core::product_coupon`
//!    (its validated field types check each field's rule while decoding; its `validate` then
//!    checks the rules across fields) → 400 `PARAM_ERROR` with a `detail`
//!    `{"field","value","issue","location"}` naming the field by its path in the body
//!    (`stock.stock_send_rule.max_count_per_user`, `code_list[0]`). Core's bodies refuse unknown
//!    fields. (Stock deactivation still uses its own rule table, which ignores unknown fields and
//!    answers the finer error numbers of too long / too short.)
//! 7. The state: an unknown coupon, stock or bundle (or a stock under another coupon) → 404
//!    `RESOURCE_NOT_EXISTS`; a change the state does not allow (a deactivated coupon or stock, a
//!    stock deactivation that is not `SENDING`/`PAUSED`) → 400 `INVALID_REQUEST`
//!    ([`reason::INVALID_STATE`]); a rule only the state can check — a budget whose `current_…`
//!    is not the limit now or whose target is below what was already sent, codes uploaded to a
//!    stock that is not `UPLOAD` mode or beyond its `max_count`, a bundle whose rule lists do not
//!    match the coupon's use count, more than 200 live stocks — → 400 `INVALID_REQUEST`
//!    ([`reason::INVALID_REQUEST`]).
//!
//! Every answer, errors included, carries `Request-ID` (`08SIM<12-digit request number>-<WeChat Pay
//! internal error number>`: 268435461–268435464 for parameter errors, 268578608 for "not found",
//! 270924289 for "too frequent", 0 otherwise) and the `Wechatpay-Timestamp`, `Wechatpay-Nonce`,
//! `Wechatpay-Signature`, `Wechatpay-Serial` and `Wechatpay-Signature-Type` headers, signed over
//! `timestamp\nnonce\nbody\n` with the WeChat Pay private key. Answers made before a request's
//! signature verified (the 404s, 405s, path `PARAM_ERROR`s, 413s, 408s and 401s above) that are
//! byte-identical within one second share one nonce and signature, so a flood of unauthenticated
//! requests costs one RSA signature per distinct answer per second. Two deliberate exceptions:
//! [`Fault::Status503Html`] imitates a proxy (HTML, no WeChat headers), and bytes that are not
//! HTTP/1.1 at all get hyper's own bare 4xx, as a front proxy would answer them.
//!
//! # State and counters
//! - Coupons and stocks are shared by all registered brands. Request numbers (`out_request_no`)
//!   are per brand and per operation: repeating one on the same target with the same body (in any
//!   key order) returns the first answer byte for byte and changes nothing; reusing one on another
//!   target, or with another body, is refused with 400 `INVALID_REQUEST`
//!   ([`reason::OUT_REQUEST_NO_REUSED`]). A stock or coupon seeded (or put) as `DEACTIVATED` with
//!   a `deactivate_request_no` answers a repeat of that number, by any brand and with any body,
//!   with 200 and the entity as seeded, exactly as if the simulator had deactivated it.
//!   Associating or disassociating stores carries no request number: it is a set operation.
//! - Deactivations are limited per brand to 20 in any sliding second of the simulator's clock;
//!   [`SimulatorBuilder::rate_limit_per_second`] changes or removes the limit (a load test that
//!   fires hundreds at once removes it; `benches/simulator_throughput.rs` measures how many the
//!   simulator then serves per second beside its bound, one RSA signature per answer).
//! - At most [`DEFAULT_MAX_CONNECTIONS`] connections are served at once
//!   ([`SimulatorBuilder::max_connections`]), fewer if the process's open-file limit cannot hold
//!   them ([`SimulatorHandle::max_connections`]); past it the longest-idle connection is closed to
//!   make room, or the newcomer is reset at once.
//! - [`SimulatorHandle::stats`] counts requests, answers by status, rejections by code and by
//!   [`reason`] (so a test can tell a stale timestamp from a bad signature, both `SIGN_ERROR`, with
//!   [`Stats::rejections_for`]), connection tasks that panicked, injected faults, state
//!   transitions (so a test can assert "deactivated exactly once" with
//!   [`Stats::deactivations_of`]) and the arrival time of deactivation requests
//!   ([`Stats::max_deactivations_in_any_second`] for a client's rate-limit test). Its memory is
//!   bounded: counters are keyed by closed sets, each event list keeps the most recent
//!   [`DEFAULT_STATS_HISTORY`] entries ([`SimulatorBuilder::stats_history`]), and nothing a request
//!   merely claims (an unverified brand id) is recorded.
//! - Time comes from a [`clock::Clock`] ([`SimulatorBuilder::clock`]), so tests can step past the
//!   5-minute window or the rate-limit second with a [`clock::ManualClock`].
//!
//! # Event notifications
//! With a notify URL ([`SimulatorBuilder::notify_url`], or [`Deliveries::set_notify_url`], which
//! the notify-config operation calls), every event handed to [`Deliveries::publish`] (the
//! simulator's own state changes, or a test through [`SimulatorHandle::publish`]) is POSTed as a
//! notification signed with the WeChat Pay key and encrypted with the brand API key
//! ([`SimulatorBuilder::brand_api_key`]), and redelivered on non-2xx answers, timeouts and refused
//! connections on a [`RetrySchedule`] measured on the simulator's clock, until it gives up after
//! the last attempt. [`Deliveries::stats`] counts deliveries, attempts and give-ups;
//! [`DeliveryFault`] injects a duplicate, a bad signature or a stale timestamp. See [`delivery`].
//!
//! # Crate features
//! None. The crate always builds plain HTTP and HTTPS (rustls on aws-lc-rs, certificates made
//! with rcgen).
#![warn(missing_docs, missing_debug_implementations)]

mod answer;
mod answer_signer;
mod auth;
mod body_rules;
pub mod clock;
mod conn;
mod connection;
pub mod delivery;
mod error;
mod faults;
mod fd_limit;
mod handlers;
mod keys;
mod multipart;
mod page_token;
mod path_params;
mod pipeline;
pub mod reason;
mod reply;
mod route;
mod routes;
mod server;
mod shared;
mod state;
mod stats;
mod tls;

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;
use wxbrand_core::product_coupon::{ProductCouponEntity, StockEntity};
use wxbrand_sign::{PrivateKey, PublicKey};

pub use connection::Connection;
pub use delivery::{
    Deliveries, DeliveryAttempt, DeliveryFault, DeliveryStats, Published, RetrySchedule,
};
pub use error::{SimulatorError, SimulatorErrorKind};
pub use faults::{Fault, FaultRules, Faults};
pub use keys::EphemeralBrand;
pub use route::Route;
pub use routes::PRODUCT_COUPON_PREFIX;
pub use state::{
    sample_coupon, sample_stock, sample_stock_usable_at, CouponEvent, CouponEventType,
};
pub use stats::{
    DeactivationArrival, DeactivationEvent, StateTransition, Stats, DEFAULT_STATS_HISTORY,
};

use crate::answer_signer::AnswerSigner;
use crate::auth::BrandKeys;
use crate::clock::{Clock, SharedClock, SystemClock};
use crate::shared::Shared;
use crate::state::World;
use crate::tls::GivenIdentity;

/// The brand id given to an ephemeral brand unless another is chosen.
pub const DEFAULT_EPHEMERAL_BRAND_ID: &str = "1900000001";
/// WeChat Pay's documented limit: deactivations per brand per second.
pub const DEFAULT_RATE_LIMIT_PER_SECOND: u32 = 20;
/// Default cap on request bodies.
pub const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024;
/// Default time a request body may take to arrive once the headers are in.
pub const DEFAULT_BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Default cap on connections served at once ([`SimulatorBuilder::max_connections`]).
pub const DEFAULT_MAX_CONNECTIONS: usize = 2048;
/// Default window on request timestamps, in seconds.
pub const DEFAULT_TIMESTAMP_WINDOW_SECONDS: i64 = 300;

/// Entry point: [`Simulator::builder`] or [`Simulator::ephemeral`].
#[derive(Debug, Clone, Copy)]
pub struct Simulator;

impl Simulator {
    /// A builder with no brand, no stocks, plain HTTP on a free port of 127.0.0.1, a WeChat Pay key
    /// generated at start, the system clock and WeChat Pay's rate limit.
    pub fn builder() -> SimulatorBuilder {
        SimulatorBuilder::new()
    }

    /// A builder with an [ephemeral brand](SimulatorBuilder::ephemeral_brand): everything a client
    /// needs is generated at start, no files or configuration involved.
    pub fn ephemeral() -> SimulatorBuilder {
        SimulatorBuilder::new().ephemeral_brand()
    }
}

#[derive(Debug, Clone)]
enum TlsChoice {
    Off,
    Generate,
    Given(GivenIdentity),
}

/// Configures and starts a simulator. Obtain it with [`Simulator::builder`].
pub struct SimulatorBuilder {
    brands: Vec<(String, String, PublicKey)>,
    ephemeral_brand_id: Option<String>,
    wechatpay: Option<(PrivateKey, String)>,
    stocks: Vec<StockEntity>,
    coupons: Vec<ProductCouponEntity>,
    tls: TlsChoice,
    listen: Option<SocketAddr>,
    clock: Option<Arc<dyn Clock>>,
    rate_limit: Option<u32>,
    max_body_bytes: usize,
    body_timeout: Duration,
    window_seconds: i64,
    stats_history: usize,
    max_connections: usize,
    allow_local_notify_urls: bool,
    deliveries: delivery::DeliverySettings,
}

impl fmt::Debug for SimulatorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let brand_ids: Vec<&str> = self.brands.iter().map(|(id, _, _)| id.as_str()).collect();
        f.debug_struct("SimulatorBuilder")
            .field("brands", &brand_ids)
            .field("ephemeral_brand_id", &self.ephemeral_brand_id)
            .field(
                "wechatpay_key_id",
                &self.wechatpay.as_ref().map(|(_, id)| id),
            )
            .field("stocks", &self.stocks.len())
            .field("coupons", &self.coupons.len())
            .field("tls", &self.tls)
            .field("listen", &self.listen)
            .field("custom_clock", &self.clock.is_some())
            .field("rate_limit", &self.rate_limit)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("body_timeout", &self.body_timeout)
            .field("window_seconds", &self.window_seconds)
            .field("stats_history", &self.stats_history)
            .field("max_connections", &self.max_connections)
            .field("allow_local_notify_urls", &self.allow_local_notify_urls)
            .field("notify_url", &self.deliveries.notify_url)
            .field("notification_schedule", &self.deliveries.schedule)
            .finish_non_exhaustive()
    }
}

impl Default for SimulatorBuilder {
    fn default() -> Self {
        SimulatorBuilder::new()
    }
}

impl SimulatorBuilder {
    /// Same as [`Simulator::builder`].
    pub fn new() -> Self {
        SimulatorBuilder {
            brands: Vec::new(),
            ephemeral_brand_id: None,
            wechatpay: None,
            stocks: Vec::new(),
            coupons: Vec::new(),
            tls: TlsChoice::Off,
            listen: None,
            clock: None,
            rate_limit: Some(DEFAULT_RATE_LIMIT_PER_SECOND),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            body_timeout: DEFAULT_BODY_READ_TIMEOUT,
            window_seconds: DEFAULT_TIMESTAMP_WINDOW_SECONDS,
            stats_history: DEFAULT_STATS_HISTORY,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            allow_local_notify_urls: false,
            deliveries: delivery::DeliverySettings::default(),
        }
    }

    /// The brand's notify URL (`http://host[:port]/path`): events are delivered there as signed,
    /// encrypted notifications ([`delivery`]). The notify-config operation sets it too.
    pub fn notify_url(mut self, url: impl Into<String>) -> Self {
        self.deliveries.notify_url = Some(url.into());
        self
    }

    /// The brand API key (品牌API密钥) notifications are encrypted with (default: one generated at
    /// start, [`Deliveries::brand_api_key`]).
    pub fn brand_api_key(mut self, key: wxbrand_sign::ApiKey) -> Self {
        self.deliveries.api_key = Some(key);
        self
    }

    /// When notifications are redelivered (default [`RetrySchedule::default`], WeChat Pay's).
    pub fn notification_schedule(mut self, schedule: RetrySchedule) -> Self {
        self.deliveries.schedule = schedule;
        self
    }

    /// Trusts this root certificate (PEM, one or more) for `https://` notify URLs, e.g. the CA of
    /// a test's own TLS receiver. No other root is trusted: without one, HTTPS deliveries fail.
    pub fn notification_root_certificate_pem(mut self, pem: impl Into<String>) -> Self {
        self.deliveries.root_pems.push(pem.into());
        self
    }

    /// How long one delivery attempt may take (default [`delivery::DEFAULT_ATTEMPT_TIMEOUT`], 5 s):
    /// longer counts as a timeout and is redelivered. Measured with Tokio's timer.
    pub fn notification_attempt_timeout(mut self, timeout: Duration) -> Self {
        self.deliveries.attempt_timeout = timeout;
        self
    }

    /// Registers a brand's API certificate: requests with this `brand_id` and `serial_no` must be
    /// signed by the private key of `public_key`. Call again for more brands or more serials.
    pub fn brand(
        mut self,
        brand_id: impl Into<String>,
        serial_no: impl Into<String>,
        public_key: PublicKey,
    ) -> Self {
        self.brands
            .push((brand_id.into(), serial_no.into(), public_key));
        self
    }

    /// Generates a brand key pair at start and registers it as brand
    /// [`DEFAULT_EPHEMERAL_BRAND_ID`] with a random serial number; the handle hands out its
    /// private key ([`SimulatorHandle::ephemeral_brand`]).
    pub fn ephemeral_brand(self) -> Self {
        self.ephemeral_brand_with_id(DEFAULT_EPHEMERAL_BRAND_ID)
    }

    /// Like [`ephemeral_brand`](Self::ephemeral_brand) with a chosen brand id.
    pub fn ephemeral_brand_with_id(mut self, brand_id: impl Into<String>) -> Self {
        self.ephemeral_brand_id = Some(brand_id.into());
        self
    }

    /// The WeChat Pay private key that signs answers, and its public key id (`PUB_KEY_ID_…`),
    /// which requests must name in `Wechatpay-Serial`. Without it a key pair is generated at start.
    pub fn wechatpay_key(mut self, private_key: PrivateKey, key_id: impl Into<String>) -> Self {
        self.wechatpay = Some((private_key, key_id.into()));
        self
    }

    /// Adds a stock (replacing one with the same product coupon and stock ids).
    pub fn stock(mut self, stock: StockEntity) -> Self {
        self.stocks.push(stock);
        self
    }

    /// Adds a product coupon (replacing one with the same id). A stock whose coupon is not added
    /// implies one (`EFFECTIVE`, with only its id).
    pub fn coupon(mut self, coupon: ProductCouponEntity) -> Self {
        self.coupons.push(coupon);
        self
    }

    /// Adds stocks.
    pub fn stocks(mut self, stocks: impl IntoIterator<Item = StockEntity>) -> Self {
        self.stocks.extend(stocks);
        self
    }

    /// Adds stocks from JSON: one `StockEntity` object, an array of them, or a list-stocks answer
    /// (an object with `stock_list`).
    pub fn stocks_from_json(mut self, json: impl AsRef<[u8]>) -> Result<Self, SimulatorError> {
        self.stocks.extend(state::stocks_from_json(json.as_ref())?);
        Ok(self)
    }

    /// Adds stocks from a JSON file (same shapes as [`stocks_from_json`](Self::stocks_from_json)):
    /// a regular file of at most [`MAX_STOCKS_FILE_SIZE`] bytes (read with
    /// [`wxbrand_sign::read_bounded_file`]; a FIFO or a device is refused at once).
    pub fn stocks_from_file(self, path: impl AsRef<Path>) -> Result<Self, SimulatorError> {
        let path = path.as_ref();
        let json = wxbrand_sign::read_bounded_file(path, MAX_STOCKS_FILE_SIZE).map_err(|e| {
            SimulatorError::with_source(
                SimulatorErrorKind::Stocks,
                format!("reading {} failed", path.display()),
                e,
            )
        })?;
        self.stocks_from_json(json)
    }

    /// Serve HTTPS with a certificate for `localhost`, `127.0.0.1` and `::1`, signed by a CA made
    /// at start ([`SimulatorHandle::ca_certificate_pem`]). `false` serves plain HTTP.
    pub fn tls(mut self, enabled: bool) -> Self {
        self.tls = if enabled {
            TlsChoice::Generate
        } else {
            TlsChoice::Off
        };
        self
    }

    /// Serve HTTPS with a given certificate chain and private key (PEM). `ca_pem`, if given, is what
    /// [`SimulatorHandle::ca_certificate_pem`] hands out.
    pub fn tls_identity(
        mut self,
        certificate_chain_pem: impl Into<String>,
        private_key_pem: impl Into<String>,
        ca_pem: Option<String>,
    ) -> Self {
        self.tls = TlsChoice::Given(GivenIdentity {
            chain_pem: certificate_chain_pem.into(),
            key_pem: private_key_pem.into(),
            ca_pem,
        });
        self
    }

    /// Listen on this address (default: a free port of 127.0.0.1).
    pub fn listen(mut self, address: SocketAddr) -> Self {
        self.listen = Some(address);
        self
    }

    /// Read time from this clock instead of the system's (see [`clock::ManualClock`]).
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Deactivations allowed per brand in any second (default 20, as WeChat Pay); `None` removes
    /// the limit (load tests that fire hundreds at once).
    pub fn rate_limit_per_second(mut self, limit: Option<u32>) -> Self {
        self.rate_limit = limit;
        self
    }

    /// The request body cap (default 64 KiB); larger bodies get 413.
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// How long a request body may take to arrive once the headers are in (default 10 s); a slower
    /// one gets 408 `INVALID_REQUEST`. Measured with Tokio's timer, not the simulator's clock.
    pub fn body_read_timeout(mut self, timeout: Duration) -> Self {
        self.body_timeout = timeout;
        self
    }

    /// How far (seconds) a request's timestamp may be from the simulator's clock (default 300).
    pub fn timestamp_window_seconds(mut self, seconds: i64) -> Self {
        self.window_seconds = seconds;
        self
    }

    /// Most connections served at once (default [`DEFAULT_MAX_CONNECTIONS`], at least 1). When a
    /// new one would exceed it, the connection idle the longest (for at least a second) is closed
    /// to make room; if none is, the new one is reset at once ([`Stats::connections_evicted`],
    /// [`Stats::connections_shed`]). Either way excess connections never hold file descriptors,
    /// and clients already connected keep being served.
    ///
    /// A cap the process's open-file limit (`ulimit -n`) cannot hold would never be reached, so at
    /// start the simulator raises its soft open-file limit towards the hard one as far as the cap
    /// needs, and lowers the cap under the limit it ends with (keeping 64 descriptors besides those
    /// already open); [`SimulatorHandle::max_connections`] says which cap it serves.
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.max_connections = connections;
        self
    }

    /// Lets `POST /notify-configs` take a URL to a loopback host or an IP address, over `http`
    /// or `https` (default `false`: as WeChat Pay, only `https` to a public domain with a path),
    /// so that a test can point notifications at a receiver of its own.
    pub fn allow_local_notify_urls(mut self, allow: bool) -> Self {
        self.allow_local_notify_urls = allow;
        self
    }

    /// How many entries each event list of [`Stats`] keeps (default [`DEFAULT_STATS_HISTORY`]):
    /// the most recent ones; the counters stay exact whatever the history.
    pub fn stats_history(mut self, entries: usize) -> Self {
        self.stats_history = entries;
        self
    }

    /// Generates what must be generated, binds, and starts serving on the current Tokio runtime.
    ///
    /// # Errors
    /// [`SimulatorErrorKind::Config`] for a brand id, serial number or WeChat Pay public key id the
    /// client would refuse (the rules of `wxbrand_sign`: [`check_header_param`](wxbrand_sign::check_header_param),
    /// [`check_serial_no`](wxbrand_sign::check_serial_no),
    /// [`check_public_key_id`](wxbrand_sign::check_public_key_id)) or no brand at all; the other
    /// kinds when a key, the TLS identity or the socket cannot be made.
    pub async fn start(self) -> Result<SimulatorHandle, SimulatorError> {
        let config_error = |e: wxbrand_sign::HeaderParamError| {
            SimulatorError::with_source(SimulatorErrorKind::Config, "a brand setting is refused", e)
        };
        let mut brand_keys = BrandKeys::default();
        for (brand_id, serial_no, key) in self.brands {
            wxbrand_sign::check_header_param("brand_id", &brand_id).map_err(config_error)?;
            wxbrand_sign::check_serial_no("serial_no", &serial_no).map_err(config_error)?;
            brand_keys.register(brand_id, serial_no, key);
        }
        if let Some(brand_id) = &self.ephemeral_brand_id {
            wxbrand_sign::check_header_param("brand_id", brand_id).map_err(config_error)?;
        }
        if let Some((_, key_id)) = &self.wechatpay {
            wxbrand_sign::check_public_key_id("wechatpay_public_key_id", key_id)
                .map_err(config_error)?;
        }
        let ephemeral = match self.ephemeral_brand_id {
            None => None,
            Some(brand_id) => {
                let generated = keys::generate_rsa_2048()?;
                let brand = EphemeralBrand {
                    brand_id,
                    serial_no: keys::generate_serial_no(),
                    private_key: generated.key,
                    private_key_pem: generated.pem,
                };
                brand_keys.register(
                    brand.brand_id.clone(),
                    brand.serial_no.clone(),
                    brand.private_key.public_key(),
                );
                Some(brand)
            }
        };
        if brand_keys.is_empty() {
            return Err(SimulatorError::new(
                SimulatorErrorKind::Config,
                "no brand registered: call `brand(..)` or `ephemeral_brand()`",
            ));
        }
        let (wechatpay_key, wechatpay_key_id) = match self.wechatpay {
            Some(given) => given,
            None => (
                keys::generate_rsa_2048()?.key,
                keys::generate_public_key_id(),
            ),
        };
        let wechatpay_public_key = wechatpay_key.public_key();
        let wechatpay_public_key_pem = wechatpay_public_key.to_pem();

        let tls = match &self.tls {
            TlsChoice::Off => None,
            TlsChoice::Generate => Some(tls::generate()?),
            TlsChoice::Given(given) => Some(tls::from_given(given)?),
        };

        let mut world = World::default();
        for coupon in self.coupons {
            world.put_coupon(coupon);
        }
        for stock in self.stocks {
            world.put(stock);
        }
        let clock: Arc<dyn Clock> = match self.clock {
            Some(clock) => clock,
            None => Arc::new(SystemClock::new()),
        };
        let clock = SharedClock(clock);
        let deliveries = Arc::new(delivery::Deliveries::new(
            wechatpay_key.clone(),
            wechatpay_key_id.clone(),
            clock.clone(),
            self.deliveries,
        )?);
        world.notify_through(Arc::clone(&deliveries));
        let shared = Arc::new(Shared {
            brands: brand_keys,
            signer: AnswerSigner::new(wechatpay_key, wechatpay_key_id),
            clock,
            world: Mutex::new(world),
            faults: Faults::default(),
            stats: stats::Recorder::new(self.stats_history),
            seq: AtomicU64::new(0),
            rate_limit: self.rate_limit,
            max_body_bytes: self.max_body_bytes,
            body_timeout: self.body_timeout,
            window_seconds: self.window_seconds,
            allow_local_notify_urls: self.allow_local_notify_urls,
            deliveries: Arc::clone(&deliveries),
        });

        let address = self
            .listen
            .unwrap_or_else(|| SocketAddr::from((Ipv4Addr::LOCALHOST, 0)));
        let listener = tokio::net::TcpListener::bind(address).await.map_err(|e| {
            SimulatorError::with_source(
                SimulatorErrorKind::Bind,
                format!("binding {address} failed"),
                e,
            )
        })?;
        let local_addr = listener.local_addr().map_err(|e| {
            SimulatorError::with_source(
                SimulatorErrorKind::Bind,
                "reading the bound address failed",
                e,
            )
        })?;
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let (acceptor, ca_pem) = match tls {
            Some(setup) => (Some(setup.acceptor), setup.ca_pem),
            None => (None, None),
        };
        tokio::spawn(delivery::run(deliveries, shutdown_rx.clone()));
        let is_tls = acceptor.is_some();
        let max_connections = fd_limit::connection_cap(self.max_connections);
        let task = tokio::spawn(server::accept_loop(
            listener,
            acceptor,
            Arc::clone(&shared),
            shutdown_rx,
            max_connections,
        ));

        let url_ip = match local_addr.ip() {
            ip if ip.is_unspecified() && ip.is_ipv4() => std::net::IpAddr::V4(Ipv4Addr::LOCALHOST),
            ip if ip.is_unspecified() => std::net::IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        let scheme = if is_tls { "https" } else { "http" };
        let base_url = format!("{scheme}://{}", SocketAddr::new(url_ip, local_addr.port()));
        tracing::debug!(%base_url, "simulator started");

        Ok(SimulatorHandle {
            shared,
            local_addr,
            max_connections,
            base_url,
            ca_pem,
            wechatpay_public_key,
            wechatpay_public_key_pem,
            ephemeral,
            shutdown_tx,
            task: Some(task),
        })
    }
}

/// The largest stocks file read ([`SimulatorBuilder::stocks_from_file`], `wxbrand simulate
/// --stocks`): 16 MiB, some 15,000 stocks of about 1 KB each.
pub const MAX_STOCKS_FILE_SIZE: u64 = 16 * 1024 * 1024;

/// A running simulator. Dropping it stops the server (connections finish their current answer);
/// [`shutdown`](Self::shutdown) stops it and waits.
pub struct SimulatorHandle {
    shared: Arc<Shared>,
    local_addr: SocketAddr,
    max_connections: usize,
    base_url: String,
    ca_pem: Option<String>,
    wechatpay_public_key: PublicKey,
    wechatpay_public_key_pem: String,
    ephemeral: Option<EphemeralBrand>,
    shutdown_tx: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl fmt::Debug for SimulatorHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimulatorHandle")
            .field("base_url", &self.base_url)
            .field("wechatpay_public_key_id", &self.shared.signer.key_id)
            .field("ephemeral_brand", &self.ephemeral)
            .field("tls", &self.ca_pem.is_some())
            .field("max_connections", &self.max_connections)
            .finish_non_exhaustive()
    }
}

impl SimulatorHandle {
    /// `http://127.0.0.1:<port>` or `https://127.0.0.1:<port>`, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The most connections served at once: [`SimulatorBuilder::max_connections`], or fewer when
    /// the process's open-file limit could not be raised far enough to hold that many.
    pub fn max_connections(&self) -> usize {
        self.max_connections
    }

    /// The PEM of the CA that signed the server certificate, for clients to trust (HTTPS only;
    /// `None` for plain HTTP or a given certificate without a CA).
    pub fn ca_certificate_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// The WeChat Pay public key that verifies the answers.
    pub fn wechatpay_public_key(&self) -> &PublicKey {
        &self.wechatpay_public_key
    }

    /// The same key as SPKI PEM (`BEGIN PUBLIC KEY`).
    pub fn wechatpay_public_key_pem(&self) -> &str {
        &self.wechatpay_public_key_pem
    }

    /// The WeChat Pay public key id (`PUB_KEY_ID_…`): the `Wechatpay-Serial` of requests and answers.
    pub fn wechatpay_public_key_id(&self) -> &str {
        &self.shared.signer.key_id
    }

    /// The brand generated at start, if [`SimulatorBuilder::ephemeral_brand`] was asked for.
    pub fn ephemeral_brand(&self) -> Option<&EphemeralBrand> {
        self.ephemeral.as_ref()
    }

    /// What a client needs to call this simulator as its ephemeral brand, as plain data
    /// ([`Connection`]); `None` without an ephemeral brand (the simulator then holds no brand
    /// private key).
    pub fn connection(&self) -> Option<Connection> {
        let brand = self.ephemeral.as_ref()?;
        Some(Connection {
            brand_id: brand.brand_id.clone(),
            serial_no: brand.serial_no.clone(),
            private_key: brand.private_key.clone(),
            wechatpay_public_key_id: self.shared.signer.key_id.clone(),
            wechatpay_public_key: self.wechatpay_public_key.clone(),
            base_url: self.base_url.clone(),
            ca_certificate_pem: self.ca_pem.clone(),
        })
    }

    /// The fault script ([`Faults::on`]).
    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    /// The event notification delivery engine: notify URL, brand API key, counters, faults.
    pub fn deliveries(&self) -> &Deliveries {
        &self.shared.deliveries
    }

    /// Delivers `event` as a notification now, as if it had happened: the same path as the
    /// simulator's own events ([`Deliveries::publish`]). For testing a receiver.
    pub fn publish(&self, event: &wxbrand_core::event::Event) -> Published {
        self.shared.deliveries.publish(event)
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> Stats {
        let mut stats = self.shared.stats.snapshot();
        stats.notifications = self.shared.deliveries.stats();
        stats
    }

    /// Sets every counter back to zero (stocks and request numbers are kept).
    pub fn reset_stats(&self) {
        self.shared.stats.reset();
    }

    /// A snapshot of one stock as the simulator holds it now.
    pub fn stock(&self, product_coupon_id: &str, stock_id: &str) -> Option<StockEntity> {
        self.shared
            .world()
            .get(product_coupon_id, stock_id)
            .ok()
            .cloned()
    }

    /// A snapshot of one product coupon as the simulator holds it now.
    pub fn coupon(&self, product_coupon_id: &str) -> Option<ProductCouponEntity> {
        self.shared.world().get_coupon(product_coupon_id).cloned()
    }

    /// Adds or replaces a product coupon while running (its stocks are kept).
    pub fn put_coupon(&self, coupon: ProductCouponEntity) {
        self.shared.world().put_coupon(coupon);
    }

    /// Adds or replaces a stock while running.
    pub fn put_stock(&self, stock: StockEntity) {
        self.shared.world().put(stock);
    }

    /// Every change of a user's coupon so far, oldest first (the most recent 100,000): sends,
    /// claims, confirmations, uses, returns, deactivations ([`CouponEvent`]).
    pub fn coupon_events(&self) -> Vec<CouponEvent> {
        self.shared.world().coupon_events()
    }

    /// The user claims the coupon pre-sent with `token` in the mini-program claim component (what
    /// "using" a pre-send token means): the coupon is made `CONFIRMING`, `send_channel`
    /// `RECEIVE_COMPONENT`, counted on its stock, with a `PRODUCT_COUPON.SEND` event. Answers the
    /// user's openid and the coupon's code; `None` when the token is unknown, was claimed
    /// already, lapsed (5 minutes after the pre-send, by the simulator's clock), or its stock
    /// stopped sending.
    pub fn claim_pre_sent_coupon(&self, token: &str) -> Option<(String, String)> {
        let now = self.shared.clock.millis();
        self.shared.world().claim_pre_sent(token, now)
    }

    /// The codes of the coupons `openid` holds, with their state now (`CONFIRMING`, `EFFECTIVE`,
    /// `PENDING`, `USED`, `EXPIRED`, `DEACTIVATED`), in the order they were sent.
    pub fn user_coupons(&self, openid: &str) -> Vec<(String, &'static str)> {
        let now = self.shared.clock.millis();
        self.shared.world().user_coupon_states(openid, now)
    }

    /// How many stocks the simulator holds.
    pub fn stock_count(&self) -> usize {
        self.shared.world().len()
    }

    /// Stops accepting, lets open connections finish (up to 2 seconds), waits for the server, and
    /// returns the final counters (with every finished connection task accounted for in
    /// [`Stats::handler_panics`]).
    pub async fn shutdown(mut self) -> Stats {
        let _ = self.shutdown_tx.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        self.stats()
    }
}

impl Drop for SimulatorHandle {
    fn drop(&mut self) {
        let _ = self.shutdown_tx.send(true);
    }
}
