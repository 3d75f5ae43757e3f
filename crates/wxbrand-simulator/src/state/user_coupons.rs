//! Coupons of users (#20–#27): send, pre-send and claim, confirm, use, return, deactivate, get,
//! list — and the brand's notify configuration (#28–#29).
//!
//! # What is enforced, and where a choice had to be made
//! - **State flow** (`券状态流转说明.md`, the facts file §5): a send makes a `CONFIRMING` coupon;
//!   confirm makes it `PENDING` before its valid begin time and `EFFECTIVE` from then; use takes an
//!   `EFFECTIVE` coupon to `USED`; return takes a `USED` coupon back to usable (`EFFECTIVE`, or
//!   `EXPIRED` if its period ended meanwhile); deactivate takes an `EFFECTIVE` or `PENDING` coupon
//!   to `DEACTIVATED` (the facts name only `EFFECTIVE`; a `PENDING` coupon is a confirmed coupon
//!   that is not usable yet, and a brand must be able to withdraw it — chosen here). `EXPIRED` and
//!   `PENDING` are not stored: they are what a confirmed coupon *is* against the simulator's clock
//!   when it is looked at ([`UserCoupon::state_at`]). Anything else is an illegal transition: 400
//!   `INVALID_REQUEST` (reason [`INVALID_STATE`](crate::reason::INVALID_STATE), internal error
//!   number 0: the facts document no finer number for a state conflict).
//! - **Valid period**: from the stock's `coupon_available_period` (single or progressive rule):
//!   without `available_days` it is `available_begin_time`–`available_end_time`; with it, the
//!   coupon begins `wait_days_after_receive` days after receipt (not before the stock's begin) and
//!   lasts `available_days` days (not past the stock's end). Days are 86,400 s from the receipt
//!   instant (the facts do not say whether WeChat Pay rounds to midnight).
//! - **Codes**, by the stock's `coupon_code_mode`: `WECHATPAY` — generated (`SIM` + 16 digits,
//!   unique in the simulator); `UPLOAD` — the next uploaded code not drawn yet, in upload order
//!   (WeChat Pay draws at random; order makes tests deterministic), 400 `INVALID_REQUEST`
//!   ([`CODES_EXHAUSTED`](crate::reason::CODES_EXHAUSTED)) when none is left; `API_ASSIGN` — the
//!   request's `coupon_code`, unique per stock (a code already given is 400 `INVALID_REQUEST`,
//!   [`COUPON_CODE_TAKEN`](crate::reason::COUPON_CODE_TAKEN)). A `coupon_code` is required for
//!   `API_ASSIGN` and refused for the other modes (400 `PARAM_ERROR` on `coupon_code`).
//! - **Budgets at send time** (`stock_send_rule`): `max_count` against `sent_count_info.total_count`,
//!   `max_count_per_day` against the sends of the current Beijing day (UTC+8, day boundary at
//!   00:00 of the simulator's clock), `max_count_per_user` against the coupons the user ever got
//!   from the stock → 400 `INVALID_REQUEST` ([`SEND_LIMIT_REACHED`](crate::reason::SEND_LIMIT_REACHED)).
//!   Live pre-send tokens hold their place in every budget (and their code) until claimed or lapsed.
//! - Only a `SENDING` stock of a live product coupon sends (a `PAUSED`, `STOPPED`, `AUDITING` or
//!   `DEACTIVATED` one refuses: 400 `INVALID_REQUEST`, `INVALID_STATE`).
//! - **Pre-send**: answers a token valid 5 minutes (the facts). "Used" means the user claimed the
//!   coupon with it in the mini-program claim component — simulated by
//!   [`SimulatorHandle::claim_pre_sent_coupon`](crate::SimulatorHandle::claim_pre_sent_coupon),
//!   which makes the coupon (`CONFIRMING`, `send_channel` `RECEIVE_COMPONENT`) exactly as a send
//!   would. A token unclaimed 5 minutes after the pre-send lapses: its budget place and code are
//!   released, and a claim with it is refused.
//! - **Idempotency**: every write goes through [`World::write`]: `send_request_no` for send and
//!   pre-send, `out_request_no` for confirm, use, return and deactivate, each per operation; the same
//!   key with another body is 400 `INVALID_REQUEST` ([`OUT_REQUEST_NO_REUSED`](crate::reason::OUT_REQUEST_NO_REUSED)).
//! - **Events**: every change of a user coupon goes through one function,
//!   [`World::record_event`], with a [`CouponEvent`].

use std::collections::{HashMap, HashSet, VecDeque};

use bytes::Bytes;
use serde::Serialize;
use wxbrand_core::product_coupon::{
    CouponCodeMode, ProductCouponState, SingleCouponAvailablePeriod, StockEntity, StockState,
};
use wxbrand_core::Rfc3339;

use super::writes::{encode, rfc3339, Refusal, WriteKey, Written};
use super::{World, BEIJING_OFFSET_SECONDS};

/// How long a pre-send token can be claimed (the facts: 5 minutes).
pub(crate) const PRE_SEND_TOKEN_MILLIS: i64 = 5 * 60 * 1000;
/// The most events kept ([`World::record_event`]); older ones are let go (counted).
pub(crate) const MAX_EVENTS: usize = 100_000;
const DAY_SECONDS: i64 = 86_400;

/// The kinds of request numbers of the user-coupon writes (one namespace each).
pub(crate) const SEND: &str = "send_user_coupon";
/// Pre-send.
pub(crate) const PRE_SEND: &str = "pre_send_user_coupon";
/// Confirm.
pub(crate) const CONFIRM: &str = "confirm_user_coupon";
/// Use.
pub(crate) const USE: &str = "use_user_coupon";
/// Return.
pub(crate) const RETURN: &str = "return_user_coupon";
/// Deactivate.
pub(crate) const DEACTIVATE_USER_COUPON: &str = "deactivate_user_coupon";

/// What happened to a user's coupon ([`CouponEvent::event_type`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CouponEventType {
    /// Sent, or claimed with a pre-send token (`PRODUCT_COUPON.SEND`, notified by WeChat Pay).
    Send,
    /// Confirmed by the brand (not a WeChat Pay notification).
    Confirm,
    /// Used (`PRODUCT_COUPON.USE`, notified).
    Use,
    /// Returned (`PRODUCT_COUPON.RETURN`, notified).
    Return,
    /// Deactivated by the brand (not a WeChat Pay notification).
    Deactivate,
}

impl CouponEventType {
    /// The name: `PRODUCT_COUPON.SEND`, `.USE`, `.RETURN` (WeChat Pay's event types), and the
    /// simulator's own `PRODUCT_COUPON.CONFIRM`, `PRODUCT_COUPON.DEACTIVATE`.
    pub fn as_str(self) -> &'static str {
        match self {
            CouponEventType::Send => "PRODUCT_COUPON.SEND",
            CouponEventType::Confirm => "PRODUCT_COUPON.CONFIRM",
            CouponEventType::Use => "PRODUCT_COUPON.USE",
            CouponEventType::Return => "PRODUCT_COUPON.RETURN",
            CouponEventType::Deactivate => "PRODUCT_COUPON.DEACTIVATE",
        }
    }

    /// Whether WeChat Pay notifies the brand of it (the facts: send, use, return).
    pub fn is_notified(self) -> bool {
        matches!(
            self,
            CouponEventType::Send | CouponEventType::Use | CouponEventType::Return
        )
    }
}

/// One change of a user's coupon, as the simulator applied it: what a notification needs (the
/// decrypted fields of the facts: coupon code, product coupon and stock ids, openid, send channel
/// and request number, receive time, valid period) plus the brand and the time.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CouponEvent {
    /// What happened.
    pub event_type: CouponEventType,
    /// The brand whose stock the coupon is of (the one that sent it).
    pub brand_id: String,
    /// The user.
    pub openid: String,
    /// The coupon's code.
    pub coupon_code: String,
    /// Its product coupon.
    pub product_coupon_id: String,
    /// Its stock.
    pub stock_id: String,
    /// `API` (a send) or `RECEIVE_COMPONENT` (a claimed pre-send).
    pub send_channel: &'static str,
    /// The send's `send_request_no`.
    pub send_request_no: String,
    /// When the user received it (RFC3339, +08:00).
    pub receive_time: String,
    /// Start of its valid period (RFC3339, +08:00).
    pub valid_begin_time: String,
    /// End of its valid period (RFC3339, +08:00).
    pub valid_end_time: String,
    /// The coupon's state after the change (`CONFIRMING`, `EFFECTIVE`, `USED`…).
    pub coupon_state: &'static str,
    /// When, in Unix milliseconds of the simulator's clock.
    pub at_unix_millis: i64,
}

impl CouponEvent {
    /// The notification WeChat Pay sends for this change (its decrypted resource), or `None` for
    /// a change it does not notify (confirm, deactivate).
    pub fn notification(&self) -> Option<wxbrand_core::event::Event> {
        use wxbrand_core::event::{CouponEventResource, Event};
        let mut resource =
            CouponEventResource::new(&self.coupon_code, &self.product_coupon_id, &self.stock_id);
        resource.openid = Some(self.openid.clone());
        resource.send_channel = Some(self.send_channel.to_owned());
        resource.send_request_no = Some(self.send_request_no.clone());
        resource.receive_time = Some(Rfc3339::new(self.receive_time.as_str()));
        resource.valid_begin_time = Some(Rfc3339::new(self.valid_begin_time.as_str()));
        resource.valid_end_time = Some(Rfc3339::new(self.valid_end_time.as_str()));
        match self.event_type {
            CouponEventType::Send => Some(Event::CouponSent(resource)),
            CouponEventType::Use => Some(Event::CouponUsed(resource)),
            CouponEventType::Return => Some(Event::CouponReturned(resource)),
            CouponEventType::Confirm | CouponEventType::Deactivate => None,
        }
    }
}

/// A user coupon's stored state (`PENDING` and `EXPIRED` are computed from the clock).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stored {
    Confirming,
    Confirmed,
    Used,
    Deactivated,
}

/// The use of a coupon (and its return), as the answer's `single_usage_detail` shows it.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct UsageDetail {
    #[serde(skip_serializing_if = "Option::is_none")]
    use_request_no: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    use_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    return_request_no: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    return_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    associated_order_info: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    associated_pay_score_order_info: Option<serde_json::Value>,
}

/// A coupon a user holds.
#[derive(Debug, Clone)]
pub(crate) struct UserCoupon {
    brand_id: String,
    openid: String,
    product_coupon_id: String,
    stock_id: String,
    coupon_code: String,
    stored: Stored,
    /// Valid period, Unix seconds (end inclusive).
    valid_begin: i64,
    valid_end: i64,
    receive_millis: i64,
    send_request_no: String,
    send_channel: &'static str,
    confirm: Option<(String, i64)>,
    usage: Option<UsageDetail>,
    deactivate: Option<(String, i64, String)>,
    attach: Option<String>,
    coupon_tag_info: Option<serde_json::Value>,
}

impl UserCoupon {
    /// The state shown at `now_millis`.
    pub(crate) fn state_at(&self, now_millis: i64) -> &'static str {
        let now = now_millis.div_euclid(1000);
        match self.stored {
            Stored::Used => "USED",
            Stored::Deactivated => "DEACTIVATED",
            _ if now > self.valid_end => "EXPIRED",
            Stored::Confirming => "CONFIRMING",
            Stored::Confirmed if now < self.valid_begin => "PENDING",
            Stored::Confirmed => "EFFECTIVE",
        }
    }
}

/// The answer's `UserProductCouponEntity`.
#[derive(Debug, Serialize)]
struct UserCouponView<'a> {
    coupon_code: &'a str,
    coupon_state: &'static str,
    valid_begin_time: Rfc3339,
    valid_end_time: Rfc3339,
    receive_time: Rfc3339,
    send_request_no: &'a str,
    send_channel: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    confirm_request_no: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    confirm_time: Option<Rfc3339>,
    #[serde(skip_serializing_if = "Option::is_none")]
    deactivate_request_no: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    deactivate_time: Option<Rfc3339>,
    #[serde(skip_serializing_if = "Option::is_none")]
    deactivate_reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    single_usage_detail: Option<&'a UsageDetail>,
    #[serde(skip_serializing_if = "Option::is_none")]
    product_coupon: Option<&'a wxbrand_core::product_coupon::ProductCouponEntity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stock: Option<StockEntity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    attach: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    coupon_tag_info: Option<&'a serde_json::Value>,
}

/// A pre-send token not claimed yet.
#[derive(Debug, Clone)]
struct PreSent {
    brand_id: String,
    openid: String,
    product_coupon_id: String,
    stock_id: String,
    coupon_code: String,
    send_request_no: String,
    attach: Option<String>,
    expires_millis: i64,
}

/// What the simulator keeps about a stock's sending beside its entity.
#[derive(Debug, Default)]
pub(crate) struct SendBook {
    /// Coupons per user, ever sent (claimed included).
    per_user: HashMap<String, i64>,
    /// The Beijing day `today` counts, and how many were sent that day.
    day: Option<i64>,
    today: i64,
    /// Uploaded codes in upload order, with the position of the first not drawn yet.
    uploaded: Vec<String>,
    cursor: usize,
    /// Uploaded codes given back by a lapsed pre-send, drawn first.
    released: Vec<String>,
    /// Codes given out (all modes): a code is unique per stock.
    drawn: HashSet<String>,
}

impl SendBook {
    /// Adds freshly uploaded codes (in the order given).
    pub(crate) fn uploaded(&mut self, codes: &[String]) {
        self.uploaded.extend(codes.iter().cloned());
    }

    /// How many uploaded codes are not drawn.
    pub(crate) fn available_codes(&self) -> i64 {
        let left = self.uploaded.len().saturating_sub(self.cursor) + self.released.len();
        i64::try_from(left).unwrap_or(i64::MAX)
    }

    fn draw_uploaded(&mut self) -> Option<String> {
        if let Some(code) = self.released.pop() {
            self.drawn.insert(code.clone());
            return Some(code);
        }
        while let Some(code) = self.uploaded.get(self.cursor) {
            self.cursor += 1;
            if self.drawn.insert(code.clone()) {
                return Some(code.clone());
            }
        }
        None
    }

    /// Sent today (by the Beijing day of `now_millis`).
    fn today_at(&self, now_millis: i64) -> Option<i64> {
        (self.day == Some(beijing_day(now_millis))).then_some(self.today)
    }
}

/// The day number of `now_millis` in Beijing time (UTC+8).
pub(crate) fn beijing_day(now_millis: i64) -> i64 {
    (now_millis.div_euclid(1000) + i64::from(BEIJING_OFFSET_SECONDS)).div_euclid(DAY_SECONDS)
}

/// The users' coupons, pending pre-sends, events and notify configurations.
#[derive(Debug, Default)]
pub(crate) struct Users {
    coupons: Vec<UserCoupon>,
    /// (openid, stock id, code) → position in `coupons`.
    index: HashMap<(String, String, String), usize>,
    /// openid → positions in `coupons`, in send order.
    by_user: HashMap<String, Vec<usize>>,
    pre_sent: HashMap<String, PreSent>,
    /// Send books by (product coupon id, stock id).
    books: HashMap<(String, String), SendBook>,
    events: VecDeque<CouponEvent>,
    events_dropped: u64,
    last_code: u64,
    last_token: u64,
    notify: HashMap<String, (String, Rfc3339)>,
    /// Where the events WeChat Pay notifies become notifications (none in unit tests of the state).
    deliveries: Option<std::sync::Arc<crate::delivery::Deliveries>>,
}

/// What a send asks for.
#[derive(Debug, Clone)]
pub(crate) struct SendOrder {
    pub(crate) product_coupon_id: String,
    pub(crate) stock_id: String,
    pub(crate) coupon_code: Option<String>,
    pub(crate) attach: Option<String>,
    pub(crate) coupon_tag_info: Option<serde_json::Value>,
}

/// What a change after the send (confirm, use, return, deactivate) names.
#[derive(Debug, Clone)]
pub(crate) struct CouponRef<'a> {
    pub(crate) openid: &'a str,
    pub(crate) coupon_code: &'a str,
    pub(crate) product_coupon_id: &'a str,
    pub(crate) stock_id: &'a str,
}

/// A use's details.
#[derive(Debug, Clone)]
pub(crate) struct UseOrder {
    pub(crate) use_time: Option<String>,
    pub(crate) associated_order_info: Option<serde_json::Value>,
    pub(crate) associated_pay_score_order_info: Option<serde_json::Value>,
}

/// One page of a user's coupons.
#[derive(Debug)]
pub(crate) struct CouponPage {
    pub(crate) total: usize,
    pub(crate) coupons: Vec<Bytes>,
    pub(crate) next_offset: Option<usize>,
}

/// The valid period of a coupon received at `receive_secs` from a stock.
fn valid_period(stock: &StockEntity, receive_secs: i64) -> (i64, i64) {
    let period: Option<&SingleCouponAvailablePeriod> = stock
        .single_usage_rule
        .as_ref()
        .or(stock.progressive_bundle_usage_rule.as_ref())
        .and_then(|r| r.coupon_available_period.as_ref());
    let secs = |t: &Option<Rfc3339>| {
        t.as_ref()
            .and_then(|t| t.instant().ok())
            .map(|i| i.unix_seconds)
    };
    let Some(period) = period else {
        return (receive_secs, i64::MAX);
    };
    let stock_begin = secs(&period.available_begin_time).unwrap_or(receive_secs);
    let stock_end = secs(&period.available_end_time).unwrap_or(i64::MAX);
    let wait = period.wait_days_after_receive.unwrap_or(0).clamp(0, 365);
    let begin = match (period.available_days, period.wait_days_after_receive) {
        (None, None) => stock_begin,
        _ => stock_begin.max(receive_secs.saturating_add(wait * DAY_SECONDS)),
    };
    let end = match period.available_days {
        Some(days) => stock_end.min(begin.saturating_add(days.clamp(0, 365) * DAY_SECONDS)),
        None => stock_end,
    };
    (begin, end)
}

fn time_of(secs: i64) -> Rfc3339 {
    Rfc3339::from_unix(secs.min(253_402_300_799), BEIJING_OFFSET_SECONDS)
}

impl World {
    /// Records one change of a user's coupon: THE place every change passes (send, claim,
    /// confirm, use, return, deactivate), so notification delivery connects here with one call.
    /// The most recent [`MAX_EVENTS`] are kept ([`SimulatorHandle::coupon_events`](crate::SimulatorHandle::coupon_events)).
    pub(crate) fn record_event(&mut self, event: CouponEvent) {
        if let (Some(deliveries), Some(notification)) =
            (&self.users.deliveries, event.notification())
        {
            deliveries.publish(&notification);
        }
        let events = &mut self.users.events;
        if events.len() >= MAX_EVENTS {
            events.pop_front();
            self.users.events_dropped += 1;
        }
        events.push_back(event);
    }

    /// Publishes every event WeChat Pay notifies ([`CouponEventType::is_notified`]) through
    /// `deliveries` from now on.
    pub(crate) fn notify_through(
        &mut self,
        deliveries: std::sync::Arc<crate::delivery::Deliveries>,
    ) {
        self.users.deliveries = Some(deliveries);
    }

    /// The events recorded, oldest first.
    pub(crate) fn coupon_events(&self) -> Vec<CouponEvent> {
        self.users.events.iter().cloned().collect()
    }

    /// Releases the pre-send tokens that lapsed by `now_millis` (their budget place and code).
    fn lapse_pre_sent(&mut self, now_millis: i64) {
        let lapsed: Vec<String> = self
            .users
            .pre_sent
            .iter()
            .filter(|(_, p)| p.expires_millis <= now_millis)
            .map(|(t, _)| t.clone())
            .collect();
        for token in lapsed {
            let Some(p) = self.users.pre_sent.remove(&token) else {
                continue;
            };
            let upload = self
                .get(&p.product_coupon_id, &p.stock_id)
                .is_ok_and(|s| s.coupon_code_mode == Some(CouponCodeMode::Upload));
            let book = self.book(&p.product_coupon_id, &p.stock_id);
            book.drawn.remove(&p.coupon_code);
            if upload {
                book.released.push(p.coupon_code);
            }
        }
    }

    fn book(&mut self, product_coupon_id: &str, stock_id: &str) -> &mut SendBook {
        self.users
            .books
            .entry((product_coupon_id.to_string(), stock_id.to_string()))
            .or_default()
    }

    /// The send book of a stock (uploaded codes are recorded there too).
    pub(crate) fn send_book(&mut self, product_coupon_id: &str, stock_id: &str) -> &mut SendBook {
        self.book(product_coupon_id, stock_id)
    }

    /// A stock as `get_stock` shows it at `now_millis`: `today_count` is 0 on a day with no send.
    pub(crate) fn stock_view(&self, stock: &StockEntity, now_millis: i64) -> StockEntity {
        let mut stock = stock.clone();
        let key = (stock.product_coupon_id.clone(), stock.stock_id.clone());
        if let Some(book) = self.users.books.get(&key) {
            if book.day.is_some() {
                let info = stock.sent_count_info.get_or_insert_with(Default::default);
                info.today_count = Some(book.today_at(now_millis).unwrap_or(0));
            }
        }
        stock
    }

    /// The live pre-sends holding a place in a stock's budgets: in all, and for `openid`.
    fn reserved(&self, product_coupon_id: &str, stock_id: &str, openid: &str) -> (i64, i64) {
        let mut all = 0;
        let mut user = 0;
        for p in self.users.pre_sent.values() {
            if p.product_coupon_id == product_coupon_id && p.stock_id == stock_id {
                all += 1;
                if p.openid == openid {
                    user += 1;
                }
            }
        }
        (all, user)
    }

    /// Checks that the stock can send one more coupon to `openid` now, and draws its code.
    fn admit_send(
        &mut self,
        openid: &str,
        order: &SendOrder,
        now_millis: i64,
    ) -> Result<(StockEntity, String), Refusal> {
        self.lapse_pre_sent(now_millis);
        let coupon = self
            .get_coupon(&order.product_coupon_id)
            .ok_or(Refusal::CouponMissing)?;
        if coupon.state == ProductCouponState::Deactivated {
            return Err(Refusal::WrongState(
                "the product coupon is DEACTIVATED: it sends no coupons".into(),
            ));
        }
        let stock = self
            .get(&order.product_coupon_id, &order.stock_id)
            .map_err(Refusal::StockMissing)?
            .clone();
        if stock.state != StockState::Sending {
            return Err(Refusal::WrongState(format!(
                "the stock is {}: only a SENDING stock sends coupons",
                stock.state
            )));
        }
        let mode = stock
            .coupon_code_mode
            .clone()
            .unwrap_or(CouponCodeMode::Wechatpay);
        match (&mode, &order.coupon_code) {
            (CouponCodeMode::ApiAssign, None) => {
                return Err(Refusal::Param {
                    field: "coupon_code",
                    issue: "required: the stock's coupon_code_mode is API_ASSIGN".into(),
                })
            }
            (CouponCodeMode::ApiAssign, Some(_)) | (_, None) => {}
            (_, Some(_)) => {
                return Err(Refusal::Param {
                    field: "coupon_code",
                    issue: "given only for a stock whose coupon_code_mode is API_ASSIGN".into(),
                })
            }
        }
        let (reserved_all, reserved_user) =
            self.reserved(&order.product_coupon_id, &order.stock_id, openid);
        let rule = stock.stock_send_rule.clone().unwrap_or_default();
        let total = stock
            .sent_count_info
            .as_ref()
            .and_then(|s| s.total_count)
            .unwrap_or(0);
        let seeded_today = stock
            .sent_count_info
            .as_ref()
            .and_then(|s| s.today_count)
            .unwrap_or(0);
        let book = self.book(&order.product_coupon_id, &order.stock_id);
        // A stock never sent from here counts its seeded `today_count` as today's.
        let today = match book.day {
            None => seeded_today,
            Some(_) => book.today_at(now_millis).unwrap_or(0),
        };
        let per_user = book.per_user.get(openid).copied().unwrap_or(0);
        let limits = [
            ("max_count", rule.max_count, total + reserved_all),
            (
                "max_count_per_day",
                rule.max_count_per_day,
                today + reserved_all,
            ),
            (
                "max_count_per_user",
                rule.max_count_per_user,
                per_user + reserved_user,
            ),
        ];
        for (name, limit, used) in limits {
            if let Some(limit) = limit {
                if used >= limit {
                    return Err(Refusal::SendLimit(format!(
                        "the stock's {name} ({limit}) is reached{}",
                        if name == "max_count_per_user" {
                            " for this user"
                        } else if name == "max_count_per_day" {
                            " today (Beijing time)"
                        } else {
                            ""
                        }
                    )));
                }
            }
        }
        let code = match mode {
            CouponCodeMode::Upload => book.draw_uploaded().ok_or(Refusal::CodesExhausted)?,
            CouponCodeMode::ApiAssign => {
                let code = order.coupon_code.clone().unwrap_or_default();
                if !book.drawn.insert(code.clone()) {
                    return Err(Refusal::CodeTaken(code));
                }
                code
            }
            _ => {
                self.users.last_code += 1;
                let code = format!("SIM{:016}", self.users.last_code);
                self.book(&order.product_coupon_id, &order.stock_id)
                    .drawn
                    .insert(code.clone());
                code
            }
        };
        Ok((stock, code))
    }

    /// Counts one sent coupon on its stock (total, today, the user, codes available).
    fn count_send(&mut self, product_coupon_id: &str, stock_id: &str, openid: &str, now: i64) {
        let day = beijing_day(now);
        let seeded_today = self
            .get(product_coupon_id, stock_id)
            .ok()
            .and_then(|s| s.sent_count_info.as_ref()?.today_count)
            .unwrap_or(0);
        let book = self.book(product_coupon_id, stock_id);
        let today = match book.day {
            None => seeded_today,
            Some(d) if d == day => book.today,
            Some(_) => 0,
        } + 1;
        book.day = Some(day);
        book.today = today;
        *book.per_user.entry(openid.to_string()).or_default() += 1;
        let available = book.available_codes();
        if let Some(stock) = self.stock_mut(product_coupon_id, stock_id) {
            let info = stock.sent_count_info.get_or_insert_with(Default::default);
            info.total_count = Some(info.total_count.unwrap_or(0) + 1);
            info.today_count = Some(today);
            if let Some(codes) = stock.coupon_code_count_info.as_mut() {
                codes.available_count = Some(available);
            }
        }
    }

    fn stock_mut(&mut self, product_coupon_id: &str, stock_id: &str) -> Option<&mut StockEntity> {
        let i = self.position(product_coupon_id, stock_id)?;
        self.coupon_mut(product_coupon_id)?.stocks.get_mut(i)
    }

    /// Makes the coupon of a send or a claimed pre-send, counts it and records the SEND event.
    #[allow(clippy::too_many_arguments)]
    fn make_coupon(
        &mut self,
        brand_id: &str,
        openid: &str,
        order: &SendOrder,
        stock: &StockEntity,
        code: String,
        send_request_no: &str,
        send_channel: &'static str,
        now_millis: i64,
    ) -> usize {
        let (valid_begin, valid_end) = valid_period(stock, now_millis.div_euclid(1000));
        let coupon = UserCoupon {
            brand_id: brand_id.to_string(),
            openid: openid.to_string(),
            product_coupon_id: order.product_coupon_id.clone(),
            stock_id: order.stock_id.clone(),
            coupon_code: code.clone(),
            stored: Stored::Confirming,
            valid_begin,
            valid_end,
            receive_millis: now_millis,
            send_request_no: send_request_no.to_string(),
            send_channel,
            confirm: None,
            usage: None,
            deactivate: None,
            attach: order.attach.clone(),
            coupon_tag_info: order.coupon_tag_info.clone(),
        };
        let i = self.users.coupons.len();
        self.users.coupons.push(coupon);
        self.users
            .index
            .insert((openid.to_string(), order.stock_id.clone(), code), i);
        self.users
            .by_user
            .entry(openid.to_string())
            .or_default()
            .push(i);
        self.count_send(
            &order.product_coupon_id,
            &order.stock_id,
            openid,
            now_millis,
        );
        self.event_of(i, CouponEventType::Send, now_millis);
        i
    }

    /// Records the event of coupon `i`.
    fn event_of(&mut self, i: usize, event_type: CouponEventType, now_millis: i64) {
        let Some(c) = self.users.coupons.get(i) else {
            return;
        };
        let event = CouponEvent {
            event_type,
            brand_id: c.brand_id.clone(),
            openid: c.openid.clone(),
            coupon_code: c.coupon_code.clone(),
            product_coupon_id: c.product_coupon_id.clone(),
            stock_id: c.stock_id.clone(),
            send_channel: c.send_channel,
            send_request_no: c.send_request_no.clone(),
            receive_time: rfc3339(c.receive_millis).as_str().to_string(),
            valid_begin_time: time_of(c.valid_begin).as_str().to_string(),
            valid_end_time: time_of(c.valid_end).as_str().to_string(),
            coupon_state: c.state_at(now_millis),
            at_unix_millis: now_millis,
        };
        self.record_event(event);
    }

    /// The answer for coupon `i` at `now_millis`.
    fn coupon_answer(&self, i: usize, now_millis: i64) -> Result<Bytes, Refusal> {
        let c = self.users.coupons.get(i).ok_or(Refusal::Encoding)?;
        let stock = self
            .get(&c.product_coupon_id, &c.stock_id)
            .ok()
            .map(|s| self.stock_view(s, now_millis));
        let view = UserCouponView {
            coupon_code: &c.coupon_code,
            coupon_state: c.state_at(now_millis),
            valid_begin_time: time_of(c.valid_begin),
            valid_end_time: time_of(c.valid_end),
            receive_time: rfc3339(c.receive_millis),
            send_request_no: &c.send_request_no,
            send_channel: c.send_channel,
            confirm_request_no: c.confirm.as_ref().map(|(n, _)| n.as_str()),
            confirm_time: c.confirm.as_ref().map(|(_, t)| rfc3339(*t)),
            deactivate_request_no: c.deactivate.as_ref().map(|(n, _, _)| n.as_str()),
            deactivate_time: c.deactivate.as_ref().map(|(_, t, _)| rfc3339(*t)),
            deactivate_reason: c.deactivate.as_ref().map(|(_, _, r)| r.as_str()),
            single_usage_detail: c.usage.as_ref(),
            product_coupon: self.get_coupon(&c.product_coupon_id),
            stock,
            attach: c.attach.as_deref(),
            coupon_tag_info: c.coupon_tag_info.as_ref(),
        };
        encode(&view)
    }

    /// `POST /users/{openid}/coupons`: sends a coupon (`CONFIRMING`).
    pub(crate) fn send_user_coupon(
        &mut self,
        key: WriteKey<'_>,
        openid: &str,
        order: SendOrder,
        now_millis: i64,
    ) -> Result<Written, Refusal> {
        let brand_id = key.brand_id.to_string();
        let number = key.out_request_no.to_string();
        self.write(key, |world| {
            let (stock, code) = world.admit_send(openid, &order, now_millis)?;
            let i = world.make_coupon(
                &brand_id, openid, &order, &stock, code, &number, "API", now_millis,
            );
            Ok((world.coupon_answer(i, now_millis)?, Vec::new()))
        })
    }

    /// `POST /users/{openid}/pre-send-coupon`: holds a place and a code for 5 minutes and answers
    /// `{token}`.
    pub(crate) fn pre_send_user_coupon(
        &mut self,
        key: WriteKey<'_>,
        openid: &str,
        order: SendOrder,
        now_millis: i64,
    ) -> Result<Written, Refusal> {
        let brand_id = key.brand_id.to_string();
        let number = key.out_request_no.to_string();
        self.write(key, |world| {
            let (_, code) = world.admit_send(openid, &order, now_millis)?;
            world.users.last_token += 1;
            let token = format!("SIMTOKEN{:012}{}", world.users.last_token, now_millis);
            world.users.pre_sent.insert(
                token.clone(),
                PreSent {
                    brand_id,
                    openid: openid.to_string(),
                    product_coupon_id: order.product_coupon_id.clone(),
                    stock_id: order.stock_id.clone(),
                    coupon_code: code,
                    send_request_no: number,
                    attach: order.attach.clone(),
                    expires_millis: now_millis.saturating_add(PRE_SEND_TOKEN_MILLIS),
                },
            );
            let body = encode(&serde_json::json!({ "token": token }))?;
            Ok((body, Vec::new()))
        })
    }

    /// The user claims a pre-sent coupon with `token` (the mini-program component): the coupon
    /// is made as a send would (`RECEIVE_COMPONENT`). `None` for an unknown or lapsed token, or a
    /// stock that stopped sending meanwhile.
    pub(crate) fn claim_pre_sent(
        &mut self,
        token: &str,
        now_millis: i64,
    ) -> Option<(String, String)> {
        self.lapse_pre_sent(now_millis);
        let p = self.users.pre_sent.get(token)?.clone();
        let stock = self.get(&p.product_coupon_id, &p.stock_id).ok()?.clone();
        if stock.state != StockState::Sending {
            return None;
        }
        self.users.pre_sent.remove(token);
        let order = SendOrder {
            product_coupon_id: p.product_coupon_id.clone(),
            stock_id: p.stock_id.clone(),
            coupon_code: None,
            attach: p.attach.clone(),
            coupon_tag_info: None,
        };
        self.make_coupon(
            &p.brand_id,
            &p.openid,
            &order,
            &stock,
            p.coupon_code.clone(),
            &p.send_request_no,
            "RECEIVE_COMPONENT",
            now_millis,
        );
        Some((p.openid, p.coupon_code))
    }

    /// The position of the coupon a request names.
    fn find(&self, r: &CouponRef<'_>) -> Result<usize, Refusal> {
        let key = (
            r.openid.to_string(),
            r.stock_id.to_string(),
            r.coupon_code.to_string(),
        );
        let i = *self
            .users
            .index
            .get(&key)
            .ok_or(Refusal::UserCouponMissing)?;
        match self.users.coupons.get(i) {
            Some(c) if c.product_coupon_id == r.product_coupon_id => Ok(i),
            _ => Err(Refusal::UserCouponMissing),
        }
    }

    /// Runs a change of one coupon: `change` checks the state and changes it (or refuses), then
    /// the event is recorded and the coupon answered.
    fn change_coupon(
        &mut self,
        key: WriteKey<'_>,
        r: CouponRef<'_>,
        event_type: CouponEventType,
        now_millis: i64,
        change: impl FnOnce(&mut UserCoupon, &str) -> Result<(), Refusal>,
    ) -> Result<Written, Refusal> {
        let number = key.out_request_no.to_string();
        self.write(key, |world| {
            let i = world.find(&r)?;
            let coupon = world.users.coupons.get_mut(i).ok_or(Refusal::Encoding)?;
            change(coupon, &number)?;
            world.event_of(i, event_type, now_millis);
            Ok((world.coupon_answer(i, now_millis)?, Vec::new()))
        })
    }

    /// `POST …/coupons/{coupon_code}/confirm`: `CONFIRMING` → `PENDING`/`EFFECTIVE`.
    pub(crate) fn confirm_user_coupon(
        &mut self,
        key: WriteKey<'_>,
        r: CouponRef<'_>,
        now_millis: i64,
    ) -> Result<Written, Refusal> {
        self.change_coupon(
            key,
            r,
            CouponEventType::Confirm,
            now_millis,
            |c, number| match c.state_at(now_millis) {
                "CONFIRMING" => {
                    c.stored = Stored::Confirmed;
                    c.confirm = Some((number.to_string(), now_millis));
                    Ok(())
                }
                state => Err(illegal(state, "confirmed", "CONFIRMING")),
            },
        )
    }

    /// `POST …/coupons/{coupon_code}/use`: `EFFECTIVE` → `USED`.
    pub(crate) fn use_user_coupon(
        &mut self,
        key: WriteKey<'_>,
        r: CouponRef<'_>,
        order: UseOrder,
        now_millis: i64,
    ) -> Result<Written, Refusal> {
        self.change_coupon(
            key,
            r,
            CouponEventType::Use,
            now_millis,
            |c, number| match c.state_at(now_millis) {
                "EFFECTIVE" => {
                    c.stored = Stored::Used;
                    c.usage = Some(UsageDetail {
                        use_request_no: Some(number.to_string()),
                        use_time: Some(
                            order
                                .use_time
                                .unwrap_or_else(|| rfc3339(now_millis).as_str().to_string()),
                        ),
                        return_request_no: None,
                        return_time: None,
                        associated_order_info: order.associated_order_info,
                        associated_pay_score_order_info: order.associated_pay_score_order_info,
                    });
                    Ok(())
                }
                state => Err(illegal(state, "used", "EFFECTIVE")),
            },
        )
    }

    /// `POST …/coupons/{coupon_code}/return`: `USED` → usable again.
    pub(crate) fn return_user_coupon(
        &mut self,
        key: WriteKey<'_>,
        r: CouponRef<'_>,
        now_millis: i64,
    ) -> Result<Written, Refusal> {
        self.change_coupon(
            key,
            r,
            CouponEventType::Return,
            now_millis,
            |c, number| match c.stored {
                Stored::Used => {
                    c.stored = Stored::Confirmed;
                    let usage = c.usage.get_or_insert_with(Default::default);
                    usage.return_request_no = Some(number.to_string());
                    usage.return_time = Some(rfc3339(now_millis).as_str().to_string());
                    Ok(())
                }
                _ => Err(illegal(c.state_at(now_millis), "returned", "USED")),
            },
        )
    }

    /// `POST …/coupons/{coupon_code}/deactivate`: `EFFECTIVE`/`PENDING` → `DEACTIVATED`.
    pub(crate) fn deactivate_user_coupon(
        &mut self,
        key: WriteKey<'_>,
        r: CouponRef<'_>,
        reason: &str,
        now_millis: i64,
    ) -> Result<Written, Refusal> {
        self.change_coupon(
            key,
            r,
            CouponEventType::Deactivate,
            now_millis,
            |c, number| match c.state_at(now_millis) {
                "EFFECTIVE" | "PENDING" => {
                    c.stored = Stored::Deactivated;
                    c.deactivate = Some((number.to_string(), now_millis, reason.to_string()));
                    Ok(())
                }
                state => Err(illegal(state, "deactivated", "EFFECTIVE or PENDING")),
            },
        )
    }

    /// `GET …/coupons/{coupon_code}`.
    pub(crate) fn get_user_coupon(
        &self,
        r: &CouponRef<'_>,
        now_millis: i64,
    ) -> Result<Bytes, Refusal> {
        let i = self.find(r)?;
        self.coupon_answer(i, now_millis)
    }

    /// `GET /users/{openid}/coupons`: a page of a user's coupons, filtered.
    pub(crate) fn list_user_coupons(
        &self,
        openid: &str,
        filter: &ListFilter<'_>,
        offset: usize,
        page_size: usize,
        now_millis: i64,
    ) -> Result<CouponPage, Refusal> {
        let positions = self
            .users
            .by_user
            .get(openid)
            .map_or(&[][..], Vec::as_slice);
        let matching: Vec<usize> = positions
            .iter()
            .copied()
            .filter(|&i| {
                self.users.coupons.get(i).is_some_and(|c| {
                    filter
                        .product_coupon_id
                        .is_none_or(|p| p == c.product_coupon_id)
                        && filter.stock_id.is_none_or(|s| s == c.stock_id)
                        && filter
                            .coupon_state
                            .is_none_or(|s| s == c.state_at(now_millis))
                })
            })
            .collect();
        let total = matching.len();
        let coupons = matching
            .iter()
            .skip(offset)
            .take(page_size)
            .map(|&i| self.coupon_answer(i, now_millis))
            .collect::<Result<Vec<_>, _>>()?;
        let end = offset.saturating_add(coupons.len());
        Ok(CouponPage {
            total,
            next_offset: (end < total && !coupons.is_empty()).then_some(end),
            coupons,
        })
    }

    /// The codes `openid` holds, with their state at `now_millis`, in send order.
    pub(crate) fn user_coupon_states(
        &self,
        openid: &str,
        now_millis: i64,
    ) -> Vec<(String, &'static str)> {
        self.users
            .by_user
            .get(openid)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .filter_map(|&i| self.users.coupons.get(i))
            .map(|c| (c.coupon_code.clone(), c.state_at(now_millis)))
            .collect()
    }

    /// `POST /notify-configs`: stores the brand's notify URL (checked by the handler).
    pub(crate) fn set_notify_url(
        &mut self,
        brand_id: &str,
        url: &str,
        now_millis: i64,
    ) -> Result<Bytes, Refusal> {
        let time = rfc3339(now_millis);
        let body = encode(&serde_json::json!({ "notify_url": url, "update_time": time }))?;
        self.users
            .notify
            .insert(brand_id.to_string(), (url.to_string(), time));
        Ok(body)
    }

    /// `GET /notify-configs`: the brand's notify URL, `None` if never set.
    pub(crate) fn notify_config(&self, brand_id: &str) -> Option<(String, Rfc3339)> {
        self.users.notify.get(brand_id).cloned()
    }
}

/// The filters of a user-coupon listing.
#[derive(Debug, Default)]
pub(crate) struct ListFilter<'a> {
    pub(crate) product_coupon_id: Option<&'a str>,
    pub(crate) stock_id: Option<&'a str>,
    pub(crate) coupon_state: Option<&'a str>,
}

/// The refusal of an illegal transition.
fn illegal(state: &str, verb: &str, allowed: &str) -> Refusal {
    Refusal::WrongState(format!(
        "the coupon is {state}: only a coupon that is {allowed} can be {verb}"
    ))
}

#[cfg(test)]
#[path = "user_coupon_tests.rs"]
mod tests;
