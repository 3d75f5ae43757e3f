//! The simulator's world: product coupons, which own their stocks (a bundle is a set of its
//! stocks), the request numbers already used (for idempotency) and the per-brand rate limiter.
//! The writes are in `state/` (`writes.rs`: the idempotent write and the coupons;
//! `stock_writes.rs`, `bundle_writes.rs`).
//!
//! A seeded entity's request numbers are registered from the entity, by one function per entity
//! ([`request_numbers_of`], [`request_numbers_of_coupon`]) whichever way it came — deactivated by
//! a request, or seeded or put already deactivated — so a seeded `DEACTIVATED` stock or coupon
//! answers a repeat of its `deactivate_request_no` exactly as if the simulator had deactivated it.
//! Every write a request makes registers its number through [`World::write`].

use std::collections::{HashMap, VecDeque};

use bytes::Bytes;
use wxbrand_core::product_coupon::{
    ProductCouponEntity, ProductCouponState, StockEntity, StockState,
};
use wxbrand_core::Rfc3339;

mod bundle_writes;
mod stock_writes;
mod user_coupons;
mod writes;

pub(crate) use bundle_writes::Scope;
pub use user_coupons::{CouponEvent, CouponEventType};
pub(crate) use user_coupons::{
    CouponRef, ListFilter, SendOrder, UseOrder, CONFIRM, DEACTIVATE_USER_COUPON, PRE_SEND, RETURN,
    SEND, USE,
};
pub(crate) use writes::{FirstStock, Refusal, WriteKey, Written};

use crate::error::{SimulatorError, SimulatorErrorKind};
use crate::stats::StateTransition;

/// The UTC offset of the times the simulator writes (+08:00, Beijing time).
const BEIJING_OFFSET_SECONDS: i32 = 8 * 3600;

/// Builds a complete, plausible stock in `state` (every field the seed marks required), for tests
/// and demos that need stocks without writing JSON.
///
/// ```
/// use wxbrand_core::product_coupon::StockState;
///
/// let stock = wxbrand_simulator::sample_stock("200000001", "300000001", StockState::Sending)?;
/// assert_eq!(stock.stock_id, "300000001");
/// # Ok::<(), wxbrand_simulator::SimulatorError>(())
/// ```
pub fn sample_stock(
    product_coupon_id: &str,
    stock_id: &str,
    state: StockState,
) -> Result<StockEntity, SimulatorError> {
    let value = serde_json::json!({
        "product_coupon_id": product_coupon_id,
        "stock_id": stock_id,
        "remark": "simulator stock",
        "coupon_code_mode": "WECHATPAY",
        "stock_send_rule": { "max_count": 1000, "max_count_per_day": 100, "max_count_per_user": 1 },
        "single_usage_rule": {
            "coupon_available_period": {
                "available_begin_time": "2026-01-01T00:00:00+08:00",
                "available_end_time": "2026-12-31T23:59:59+08:00",
                "wait_days_after_receive": 0
            },
            "normal_coupon": { "threshold": 5000, "discount_amount": 500 }
        },
        "usage_rule_display_info": {
            "coupon_usage_method_list": ["OFFLINE"],
            "usage_description": "Usable in every store of the brand"
        },
        "coupon_display_info": { "code_display_mode": "QRCODE" },
        "notify_config": { "notify_appid": "wx0000000000000000" },
        "store_scope": "ALL",
        "sent_count_info": { "total_count": 0, "today_count": 0 },
        "state": String::from(state),
    });
    serde_json::from_value(value).map_err(|e| {
        SimulatorError::with_source(
            SimulatorErrorKind::Stocks,
            "the sample stock does not decode",
            e,
        )
    })
}

/// [`sample_stock`] whose coupons are usable from a day before `now_unix_seconds` for 364 days
/// after it (a validity of 365 days, WeChat Pay's longest): a stock to send coupons from on the
/// real clock, whatever the date (`sample_stock`'s own period is the fixed year 2026, for tests on
/// an injected clock).
///
/// ```
/// use wxbrand_core::product_coupon::StockState;
///
/// let stock = wxbrand_simulator::sample_stock_usable_at("200000001", "300000001", StockState::Sending, 1_893_456_000)?;
/// let period = stock.single_usage_rule.unwrap().coupon_available_period.unwrap();
/// assert_eq!(period.available_begin_time.unwrap().as_str(), "2029-12-31T08:00:00+08:00");
/// # Ok::<(), wxbrand_simulator::SimulatorError>(())
/// ```
pub fn sample_stock_usable_at(
    product_coupon_id: &str,
    stock_id: &str,
    state: StockState,
    now_unix_seconds: i64,
) -> Result<StockEntity, SimulatorError> {
    const DAY: i64 = 86_400;
    const BEIJING: i32 = 8 * 3600;
    let mut stock = sample_stock(product_coupon_id, stock_id, state)?;
    if let Some(period) = stock
        .single_usage_rule
        .as_mut()
        .and_then(|rule| rule.coupon_available_period.as_mut())
    {
        let begin = now_unix_seconds.saturating_sub(DAY);
        period.available_begin_time = Some(Rfc3339::from_unix(begin, BEIJING));
        period.available_end_time = Some(Rfc3339::from_unix(
            now_unix_seconds.saturating_add(364 * DAY),
            BEIJING,
        ));
    }
    Ok(stock)
}

/// Builds a complete, plausible product coupon in `state` (a whole-store amount-off coupon used
/// once), for tests and demos that need coupons without writing JSON.
///
/// ```
/// use wxbrand_core::product_coupon::ProductCouponState;
///
/// let coupon = wxbrand_simulator::sample_coupon("200000001", ProductCouponState::Effective)?;
/// assert_eq!(coupon.product_coupon_id, "200000001");
/// # Ok::<(), wxbrand_simulator::SimulatorError>(())
/// ```
pub fn sample_coupon(
    product_coupon_id: &str,
    state: ProductCouponState,
) -> Result<ProductCouponEntity, SimulatorError> {
    let value = serde_json::json!({
        "product_coupon_id": product_coupon_id,
        "scope": "ALL",
        "type": "NORMAL",
        "usage_mode": "SINGLE",
        "single_usage_info": { "normal_coupon": { "threshold": 5000, "discount_amount": 500 } },
        "display_info": {
            "name": "simulator coupon",
            "image_url": "https://wxpaylogo.qpic.cn/wxpaylogo/simulator/coupon.png"
        },
        "out_product_no": "simulator-product",
        "state": String::from(state),
    });
    serde_json::from_value(value).map_err(|e| {
        SimulatorError::with_source(
            SimulatorErrorKind::Stocks,
            "the sample product coupon does not decode",
            e,
        )
    })
}

/// Decodes stocks from JSON: one `StockEntity` object, an array of them, or an object with a
/// `stock_list` array (a list-stocks answer).
pub(crate) fn stocks_from_json(json: &[u8]) -> Result<Vec<StockEntity>, SimulatorError> {
    let bad = |e| {
        SimulatorError::with_source(
            SimulatorErrorKind::Stocks,
            "the stock JSON does not decode",
            e,
        )
    };
    let value: serde_json::Value = serde_json::from_slice(json).map_err(bad)?;
    let list = match value {
        serde_json::Value::Array(items) => items,
        serde_json::Value::Object(mut map)
            if map.contains_key("stock_list") && !map.contains_key("stock_id") =>
        {
            match map.remove("stock_list") {
                Some(serde_json::Value::Array(items)) => items,
                _ => {
                    return Err(SimulatorError::new(
                        SimulatorErrorKind::Stocks,
                        "`stock_list` is not an array",
                    ));
                }
            }
        }
        other => vec![other],
    };
    list.into_iter()
        .map(|v| serde_json::from_value(v).map_err(bad))
        .collect()
}

/// Why a stock lookup failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Missing {
    /// No stock with that id at all.
    Stock,
    /// The stock exists under another product coupon.
    OtherCoupon,
}

/// The outcome of a deactivation request that passed validation.
#[derive(Debug)]
pub(crate) enum Deactivation {
    /// Deactivated now (`transition` set) or earlier by the same request number (a repeat: `None`).
    Done {
        body: Bytes,
        transition: Option<StateTransition>,
    },
    /// No such stock.
    Missing(Missing),
    /// The stock is not SENDING or PAUSED.
    WrongState(StockState),
    /// The brand used this `out_request_no` for another stock.
    RequestNoReused,
    /// The stock could not be encoded (not expected).
    Encoding,
}

/// One page of a listing.
#[derive(Debug)]
pub(crate) struct Page {
    pub(crate) total: usize,
    pub(crate) stocks: Vec<StockEntity>,
    pub(crate) next_offset: Option<usize>,
}

/// What a request number did: what it acted on (the ids of its path, `/`-joined) and the answer
/// a repeat gets.
#[derive(Debug, Clone)]
struct DoneRequest {
    target: String,
    /// The request's decoded body, encoded again; `None` when seeded (any body matches).
    fingerprint: Option<String>,
    answer: Bytes,
}

/// Who used a request number: a brand, or the seed data (which does not say which brand, so a
/// repeat by any brand matches it).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Requester {
    /// An authenticated brand.
    Brand(String),
    /// Stocks given to the builder or put while running.
    Seed,
}

/// The kind of request a number belongs to (numbers of different kinds never collide).
pub(crate) const DEACTIVATE: &str = "deactivate_stock";
/// Deactivating a product coupon.
pub(crate) const DEACTIVATE_COUPON: &str = "deactivate_product_coupon";

/// The target of a request on a stock.
fn stock_target(product_coupon_id: &str, stock_id: &str) -> String {
    format!("{product_coupon_id}/{stock_id}")
}

/// The request numbers a stock carries, by kind: what made it what it is.
fn request_numbers_of(stock: &StockEntity) -> Vec<(&'static str, String)> {
    let mut numbers = Vec::new();
    if stock.state == StockState::Deactivated {
        if let Some(number) = &stock.deactivate_request_no {
            numbers.push((DEACTIVATE, number.clone()));
        }
    }
    numbers
}

/// The request numbers a product coupon carries, by kind (see [`request_numbers_of`]).
fn request_numbers_of_coupon(coupon: &ProductCouponEntity) -> Vec<(&'static str, String)> {
    let mut numbers = Vec::new();
    if coupon.state == ProductCouponState::Deactivated {
        if let Some(number) = &coupon.deactivate_request_no {
            numbers.push((DEACTIVATE_COUPON, number.clone()));
        }
    }
    numbers
}

/// A product coupon and what it owns: its stocks, in insertion order.
#[derive(Debug)]
struct Coupon {
    entity: ProductCouponEntity,
    stocks: Vec<StockEntity>,
    /// Stores and uploaded codes, by stock id.
    extras: HashMap<String, stock_writes::StockExtras>,
}

/// Product coupons in insertion order, which own their stocks, plus the bookkeeping around them.
#[derive(Debug, Default)]
pub(crate) struct World {
    coupons: Vec<Coupon>,
    /// product coupon id → position in `coupons`.
    coupon_index: HashMap<String, usize>,
    /// stock id → product coupon id → position in that coupon's stocks (looked up without
    /// allocating).
    index: HashMap<String, HashMap<String, usize>>,
    /// request number → who used it, for what kind of request, and what it did.
    done: HashMap<String, Vec<(Requester, &'static str, DoneRequest)>>,
    admissions: HashMap<String, VecDeque<i64>>,
    /// The last id handed out to a created coupon, stock or bundle.
    last_id: u64,
    /// Users' coupons, pre-sends, events, notify configurations (`state/user_coupons.rs`).
    users: user_coupons::Users,
}

impl World {
    /// Registers `numbers` (from [`request_numbers_of`]) as used by `requester`, with what they
    /// did: the one path for request numbers, whether a request made the stock or it was seeded.
    fn record_request_numbers(
        &mut self,
        requester: &Requester,
        numbers: Vec<(&'static str, String)>,
        done: &DoneRequest,
    ) {
        for (kind, number) in numbers {
            let uses = self.done.entry(number).or_default();
            match uses
                .iter_mut()
                .find(|(r, k, _)| r == requester && *k == kind)
            {
                Some(slot) => slot.2 = done.clone(),
                None => uses.push((requester.clone(), kind, done.clone())),
            }
        }
    }

    /// Registers the request numbers `numbers` of a seeded `entity` (answered as `entity` itself).
    fn record_seeded<T: serde::Serialize>(
        &mut self,
        numbers: Vec<(&'static str, String)>,
        target: String,
        entity: &T,
    ) {
        if numbers.is_empty() {
            return;
        }
        if let Ok(answer) = serde_json::to_vec(entity) {
            let done = DoneRequest {
                target,
                fingerprint: None,
                answer: Bytes::from(answer),
            };
            self.record_request_numbers(&Requester::Seed, numbers, &done);
        }
    }

    /// What `number` of `kind` did for `brand_id` (its own requests first, then the seed).
    fn done_request(
        &self,
        brand_id: &str,
        kind: &'static str,
        number: &str,
    ) -> Option<&DoneRequest> {
        let uses = self.done.get(number)?;
        let find = |wanted: &dyn Fn(&Requester) -> bool| {
            uses.iter()
                .find(|(r, k, _)| *k == kind && wanted(r))
                .map(|(_, _, done)| done)
        };
        find(&|r| matches!(r, Requester::Brand(b) if b == brand_id))
            .or_else(|| find(&|r| *r == Requester::Seed))
    }

    /// The coupon with this id.
    fn coupon(&self, product_coupon_id: &str) -> Option<&Coupon> {
        self.coupons.get(*self.coupon_index.get(product_coupon_id)?)
    }

    /// The coupon with this id, to change.
    fn coupon_mut(&mut self, product_coupon_id: &str) -> Option<&mut Coupon> {
        self.coupons
            .get_mut(*self.coupon_index.get(product_coupon_id)?)
    }

    /// The coupon with this id, made (`EFFECTIVE`, nothing else known) if a stock names a coupon
    /// that was not seeded.
    fn coupon_or_implied(&mut self, product_coupon_id: &str) -> &mut Coupon {
        let i = match self.coupon_index.get(product_coupon_id) {
            Some(&i) => i,
            None => {
                let i = self.coupons.len();
                self.coupons.push(Coupon {
                    entity: ProductCouponEntity::new(
                        product_coupon_id,
                        ProductCouponState::Effective,
                    ),
                    stocks: Vec::new(),
                    extras: HashMap::new(),
                });
                self.coupon_index.insert(product_coupon_id.to_string(), i);
                i
            }
        };
        &mut self.coupons[i]
    }

    /// Where the stock with these ids is in its coupon's stocks.
    fn position(&self, product_coupon_id: &str, stock_id: &str) -> Option<usize> {
        self.index.get(stock_id)?.get(product_coupon_id).copied()
    }

    /// Adds a product coupon, or replaces the one with the same id (keeping its stocks); its
    /// request numbers are registered as if the simulator had made it so.
    pub(crate) fn put_coupon(&mut self, coupon: ProductCouponEntity) {
        let numbers = request_numbers_of_coupon(&coupon);
        self.record_seeded(numbers, coupon.product_coupon_id.clone(), &coupon);
        let id = coupon.product_coupon_id.clone();
        self.coupon_or_implied(&id).entity = coupon;
    }

    /// A product coupon.
    pub(crate) fn get_coupon(&self, product_coupon_id: &str) -> Option<&ProductCouponEntity> {
        self.coupon(product_coupon_id).map(|c| &c.entity)
    }

    /// Adds a stock, or replaces the one with the same ids; its request numbers are registered as
    /// if the simulator had made it so. A stock of an unknown coupon implies that coupon.
    pub(crate) fn put(&mut self, stock: StockEntity) {
        let numbers = request_numbers_of(&stock);
        self.record_seeded(
            numbers,
            stock_target(&stock.product_coupon_id, &stock.stock_id),
            &stock,
        );
        match self.position(&stock.product_coupon_id, &stock.stock_id) {
            Some(i) => {
                if let Some(slot) = self
                    .coupon_mut(&stock.product_coupon_id)
                    .and_then(|c| c.stocks.get_mut(i))
                {
                    *slot = stock;
                }
            }
            None => {
                let stock_id = stock.stock_id.clone();
                let product_coupon_id = stock.product_coupon_id.clone();
                let coupon = self.coupon_or_implied(&product_coupon_id);
                let i = coupon.stocks.len();
                coupon.stocks.push(stock);
                self.index
                    .entry(stock_id)
                    .or_default()
                    .insert(product_coupon_id, i);
            }
        }
    }

    /// Why no stock has these ids.
    fn missing(&self, stock_id: &str) -> Missing {
        if self.index.contains_key(stock_id) {
            Missing::OtherCoupon
        } else {
            Missing::Stock
        }
    }

    pub(crate) fn get(
        &self,
        product_coupon_id: &str,
        stock_id: &str,
    ) -> Result<&StockEntity, Missing> {
        self.position(product_coupon_id, stock_id)
            .and_then(|i| self.coupon(product_coupon_id)?.stocks.get(i))
            .ok_or_else(|| self.missing(stock_id))
    }

    /// How many stocks, of every coupon.
    pub(crate) fn len(&self) -> usize {
        self.coupons.iter().map(|c| c.stocks.len()).sum()
    }

    /// Sliding one-second window per brand: admits the request (and remembers it) when fewer than
    /// `limit` were admitted in the last 1000 ms.
    pub(crate) fn admit(&mut self, brand_id: &str, now_millis: i64, limit: Option<u32>) -> bool {
        let Some(limit) = limit else {
            // No limit: nothing to remember.
            return true;
        };
        let window = self.admissions.entry(brand_id.to_string()).or_default();
        while window.front().is_some_and(|&t| now_millis - t >= 1000) {
            window.pop_front();
        }
        if window.len() >= limit as usize {
            return false;
        }
        window.push_back(now_millis);
        true
    }

    /// Deactivates a stock for a brand's request number.
    pub(crate) fn deactivate(
        &mut self,
        brand_id: &str,
        product_coupon_id: &str,
        stock_id: &str,
        out_request_no: &str,
        reason: &str,
        now_millis: i64,
    ) -> Deactivation {
        if let Some(done) = self.done_request(brand_id, DEACTIVATE, out_request_no) {
            if done.target == stock_target(product_coupon_id, stock_id) {
                return Deactivation::Done {
                    body: done.answer.clone(),
                    transition: None,
                };
            }
            return Deactivation::RequestNoReused;
        }
        let Some(i) = self.position(product_coupon_id, stock_id) else {
            return Deactivation::Missing(self.missing(stock_id));
        };
        let Some(stock) = self
            .coupon_mut(product_coupon_id)
            .and_then(|c| c.stocks.get_mut(i))
        else {
            return Deactivation::Missing(Missing::Stock);
        };
        if !matches!(stock.state, StockState::Sending | StockState::Paused) {
            return Deactivation::WrongState(stock.state.clone());
        }
        // Changed in place (no copy of the stock), put back as it was if it cannot be encoded.
        let before = (
            stock.deactivate_request_no.take(),
            stock.deactivate_time.take(),
            stock.deactivate_reason.take(),
        );
        let from = std::mem::replace(&mut stock.state, StockState::Deactivated);
        stock.deactivate_request_no = Some(out_request_no.to_string());
        stock.deactivate_time = Some(Rfc3339::from_unix(
            now_millis.div_euclid(1000),
            BEIJING_OFFSET_SECONDS,
        ));
        stock.deactivate_reason = Some(reason.to_string());
        let answer = match serde_json::to_vec(&*stock) {
            Ok(answer) => Bytes::from(answer),
            Err(_) => {
                stock.state = from;
                (
                    stock.deactivate_request_no,
                    stock.deactivate_time,
                    stock.deactivate_reason,
                ) = before;
                return Deactivation::Encoding;
            }
        };
        let numbers = request_numbers_of(stock);
        let done = DoneRequest {
            target: stock_target(product_coupon_id, stock_id),
            fingerprint: None,
            answer: answer.clone(),
        };
        self.record_request_numbers(&Requester::Brand(brand_id.to_string()), numbers, &done);
        let transition = StateTransition {
            product_coupon_id: product_coupon_id.to_string(),
            stock_id: stock_id.to_string(),
            from,
            to: StockState::Deactivated,
            brand_id: brand_id.to_string(),
            out_request_no: out_request_no.to_string(),
            at_unix_millis: now_millis,
        };
        Deactivation::Done {
            body: answer,
            transition: Some(transition),
        }
    }

    /// A page of a coupon's stocks that match the filters; `None` when the coupon is unknown.
    pub(crate) fn list(
        &self,
        product_coupon_id: &str,
        state: Option<&StockState>,
        stock_bundle_id: Option<&str>,
        offset: usize,
        page_size: usize,
    ) -> Option<Page> {
        let coupon = self.coupon(product_coupon_id)?;
        let matching: Vec<&StockEntity> = coupon
            .stocks
            .iter()
            .filter(|s| state.is_none_or(|wanted| &s.state == wanted))
            .filter(|s| {
                stock_bundle_id.is_none_or(|wanted| bundle_id_of(s).as_deref() == Some(wanted))
            })
            .collect();
        let total = matching.len();
        let stocks: Vec<StockEntity> = matching
            .into_iter()
            .skip(offset)
            .take(page_size)
            .cloned()
            .collect();
        let end = offset.saturating_add(stocks.len());
        let next_offset = (end < total && !stocks.is_empty()).then_some(end);
        Some(Page {
            total,
            stocks,
            next_offset,
        })
    }
}

/// `stock_bundle_info.stock_bundle_id`, wherever the model keeps it (typed field or unknown fields).
fn bundle_id_of(stock: &StockEntity) -> Option<String> {
    let value = serde_json::to_value(stock).ok()?;
    let id = value.get("stock_bundle_info")?.get("stock_bundle_id")?;
    match id {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}
