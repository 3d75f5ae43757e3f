//! Counters for tests: what the simulator received, refused, changed and injected.
//!
//! Memory is bounded whatever the traffic: the counters are numbers keyed by closed sets (routes,
//! statuses, codes, reasons, fault names), and each event list keeps only the most recent
//! [`DEFAULT_STATS_HISTORY`] entries (or [`SimulatorBuilder::stats_history`]), counting the older
//! ones it let go. Nothing a request merely claims is recorded: brand ids only once authenticated.
//!
//! [`SimulatorBuilder::stats_history`]: crate::SimulatorBuilder::stats_history

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;

use wxbrand_core::product_coupon::StockState;

use crate::answer::Answer;
use crate::route::Route;

/// How many entries each event list of [`Stats`] keeps by default ([`Stats::transitions`],
/// [`Stats::deactivation_arrivals`], [`Stats::deactivation_admissions`]): the most recent ones.
/// At about 200 bytes a transition, 50 an admission and 8 an arrival, the three lists stay under
/// 20 MB together.
pub const DEFAULT_STATS_HISTORY: usize = 65_536;

/// One change of a stock's state, as the simulator applied it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StateTransition {
    /// The stock's product coupon id.
    pub product_coupon_id: String,
    /// The stock id.
    pub stock_id: String,
    /// State before.
    pub from: StockState,
    /// State after.
    pub to: StockState,
    /// The brand whose request made the change.
    pub brand_id: String,
    /// The request's `out_request_no`.
    pub out_request_no: String,
    /// When, in Unix milliseconds of the simulator's clock.
    pub at_unix_millis: i64,
}

/// A deactivation request that passed authentication and the rate limiter
/// ([`Stats::deactivation_admissions`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeactivationEvent {
    /// The brand, as authenticated.
    pub brand_id: String,
    /// When, in Unix milliseconds of the simulator's clock.
    pub at_unix_millis: i64,
}

/// A request that reached the deactivation route, before anything was checked
/// ([`Stats::deactivation_arrivals`]). It carries no identity: whatever the request claims is
/// unverified at that point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeactivationArrival {
    /// When, in Unix milliseconds of the simulator's clock.
    pub at_unix_millis: i64,
}

/// A snapshot of the simulator's counters ([`SimulatorHandle::stats`](crate::SimulatorHandle::stats)).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// TCP connections accepted.
    pub connections_accepted: u64,
    /// Connections reset at once because the connection cap was reached and none was idle enough
    /// to close ([`SimulatorBuilder::max_connections`](crate::SimulatorBuilder::max_connections)).
    pub connections_shed: u64,
    /// Idle connections closed to make room for a new one at the connection cap.
    pub connections_evicted: u64,
    /// HTTP requests received (every request, whatever became of it).
    pub requests_received: u64,
    /// Requests per recognised route.
    pub requests_by_route: BTreeMap<Route, u64>,
    /// Answers sent, by HTTP status (answers dropped by a fault are not counted here).
    pub answers_by_status: BTreeMap<u16, u64>,
    /// Error answers by WeChat Pay `code` (`SIGN_ERROR`, `PARAM_ERROR`, …), injected ones included.
    pub rejections_by_code: BTreeMap<String, u64>,
    /// Error answers by [reason](crate::reason) (`"timestamp_out_of_window"`, `"rate_limited"`, …):
    /// finer than the code, one reason per error answer.
    pub rejections_by_reason: BTreeMap<&'static str, u64>,
    /// Connection tasks that ended in a panic (a simulator bug: every request should get an
    /// answer or a deliberate drop), logged at `error` level too. Counted when the server collects
    /// the task, so the count is complete in what [`shutdown`](crate::SimulatorHandle::shutdown)
    /// returns.
    pub handler_panics: u64,
    /// Faults injected, by [`Fault::name`](crate::Fault::name).
    pub faults_injected: BTreeMap<String, u64>,
    /// State changes, in order: the most recent [`DEFAULT_STATS_HISTORY`] (or as configured).
    pub transitions: VecDeque<StateTransition>,
    /// State changes no longer in [`transitions`](Self::transitions) (the list is bounded).
    pub transitions_dropped: u64,
    /// Requests that reached the deactivation route, at their arrival, whatever became of them
    /// (refused, faulted, rate-limited or served): what a client sent. The most recent ones, as
    /// for [`transitions`](Self::transitions).
    pub deactivation_arrivals: VecDeque<DeactivationArrival>,
    /// Arrivals no longer in [`deactivation_arrivals`](Self::deactivation_arrivals).
    pub deactivation_arrivals_dropped: u64,
    /// Deactivation requests that passed authentication and the rate limiter, in order; the most
    /// recent ones, as for [`transitions`](Self::transitions).
    pub deactivation_admissions: VecDeque<DeactivationEvent>,
    /// Admissions no longer in [`deactivation_admissions`](Self::deactivation_admissions).
    pub deactivation_admissions_dropped: u64,
    /// Event notifications: published, attempts, deliveries, give-ups (the delivery engine's
    /// counters, [`Deliveries::stats`](crate::Deliveries::stats), at the time of the snapshot).
    pub notifications: crate::DeliveryStats,
}

impl Stats {
    /// How many error answers carried `code`.
    pub fn rejections(&self, code: &str) -> u64 {
        self.rejections_by_code.get(code).copied().unwrap_or(0)
    }

    /// How many error answers were made for `reason` (one of the [`reason`](crate::reason) keys).
    pub fn rejections_for(&self, reason: &str) -> u64 {
        self.rejections_by_reason.get(reason).copied().unwrap_or(0)
    }

    /// How many requests reached `route`.
    pub fn requests_on(&self, route: Route) -> u64 {
        self.requests_by_route.get(&route).copied().unwrap_or(0)
    }

    /// How many answers had `status`.
    pub fn answers_with_status(&self, status: u16) -> u64 {
        self.answers_by_status.get(&status).copied().unwrap_or(0)
    }

    /// How many times a fault named `name` was injected.
    pub fn faults(&self, name: &str) -> u64 {
        self.faults_injected.get(name).copied().unwrap_or(0)
    }

    /// The state changes of one stock, in order.
    pub fn transitions_of<'a>(
        &'a self,
        product_coupon_id: &'a str,
        stock_id: &'a str,
    ) -> impl Iterator<Item = &'a StateTransition> + 'a {
        self.transitions
            .iter()
            .filter(move |t| t.product_coupon_id == product_coupon_id && t.stock_id == stock_id)
    }

    /// How many times one stock was moved to `DEACTIVATED` (a correct client makes this at most 1),
    /// among the transitions still held.
    pub fn deactivations_of(&self, product_coupon_id: &str, stock_id: &str) -> usize {
        self.transitions_of(product_coupon_id, stock_id)
            .filter(|t| t.to == StockState::Deactivated)
            .count()
    }

    /// The largest number of admitted deactivation requests (all brands) within any 1-second window.
    pub fn max_deactivations_in_any_second(&self) -> usize {
        max_in_window(
            self.deactivation_admissions
                .iter()
                .map(|a| a.at_unix_millis),
            1000,
        )
    }

    /// The same, for one brand.
    pub fn max_deactivations_in_any_second_for(&self, brand_id: &str) -> usize {
        max_in_window(
            self.deactivation_admissions
                .iter()
                .filter(|a| a.brand_id == brand_id)
                .map(|a| a.at_unix_millis),
            1000,
        )
    }
}

/// The most events falling in any half-open window `[t, t + window)`.
fn max_in_window(times: impl Iterator<Item = i64>, window: i64) -> usize {
    let mut times: Vec<i64> = times.collect();
    times.sort_unstable();
    let mut best = 0;
    let mut start = 0;
    for end in 0..times.len() {
        while times[end] - times[start] >= window {
            start += 1;
        }
        best = best.max(end - start + 1);
    }
    best
}

/// Appends to a bounded list, letting the oldest entry go (and counting it) when full.
fn push_bounded<T>(list: &mut VecDeque<T>, dropped: &mut u64, capacity: usize, item: T) {
    if capacity == 0 {
        *dropped += 1;
        return;
    }
    if list.len() >= capacity {
        list.pop_front();
        *dropped += 1;
    }
    list.push_back(item);
}

/// Adds one to a counter keyed by a `&'static str`-like key, allocating the key only the first time.
fn bump(map: &mut BTreeMap<String, u64>, key: &str) {
    match map.get_mut(key) {
        Some(n) => *n += 1,
        None => {
            map.insert(key.to_string(), 1);
        }
    }
}

/// The live counters behind [`Stats`].
#[derive(Debug)]
pub(crate) struct Recorder {
    inner: Mutex<Stats>,
    history: usize,
}

impl Default for Recorder {
    fn default() -> Self {
        Recorder::new(DEFAULT_STATS_HISTORY)
    }
}

impl Recorder {
    /// Counters whose event lists keep `history` entries each.
    pub(crate) fn new(history: usize) -> Self {
        Recorder {
            inner: Mutex::new(Stats::default()),
            history,
        }
    }

    pub(crate) fn update(&self, f: impl FnOnce(&mut Stats)) {
        let mut guard = self
            .inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut guard);
    }

    /// A request received; `arrival` set for the deactivation route (rate-limited routes).
    pub(crate) fn record_request(&self, route: Option<Route>, arrival: Option<i64>) {
        let history = self.history;
        self.update(|s| {
            s.requests_received += 1;
            if let Some(route) = route {
                *s.requests_by_route.entry(route).or_default() += 1;
            }
            if let Some(at_unix_millis) = arrival {
                push_bounded(
                    &mut s.deactivation_arrivals,
                    &mut s.deactivation_arrivals_dropped,
                    history,
                    DeactivationArrival { at_unix_millis },
                );
            }
        });
    }

    /// A request of an authenticated brand passed the rate limiter.
    pub(crate) fn record_admission(&self, brand_id: &str, at_unix_millis: i64) {
        let history = self.history;
        self.update(|s| {
            push_bounded(
                &mut s.deactivation_admissions,
                &mut s.deactivation_admissions_dropped,
                history,
                DeactivationEvent {
                    brand_id: brand_id.to_string(),
                    at_unix_millis,
                },
            );
        });
    }

    /// A stock changed state.
    pub(crate) fn record_transition(&self, transition: StateTransition) {
        let history = self.history;
        self.update(|s| {
            push_bounded(
                &mut s.transitions,
                &mut s.transitions_dropped,
                history,
                transition,
            );
        });
    }

    /// A fault was injected.
    pub(crate) fn record_fault(&self, name: &str) {
        self.update(|s| bump(&mut s.faults_injected, name));
    }

    /// An answer is sent.
    pub(crate) fn record_answer(&self, answer: &Answer) {
        self.update(|s| {
            *s.answers_by_status
                .entry(answer.status.as_u16())
                .or_default() += 1;
            if let Some(rejection) = answer.rejection {
                bump(&mut s.rejections_by_code, rejection.code);
                *s.rejections_by_reason.entry(rejection.reason).or_default() += 1;
            }
        });
    }

    pub(crate) fn snapshot(&self) -> Stats {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    pub(crate) fn reset(&self) {
        self.update(|s| *s = Stats::default());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_counts_half_open_seconds() {
        assert_eq!(max_in_window([].into_iter(), 1000), 0);
        assert_eq!(max_in_window([0, 999, 1000, 1999].into_iter(), 1000), 2);
        assert_eq!(max_in_window([5, 0, 10, 2000].into_iter(), 1000), 3);
    }

    #[test]
    fn event_lists_keep_the_most_recent_entries() {
        let recorder = Recorder::new(3);
        for i in 0..5 {
            recorder.record_request(Some(Route::DeactivateStock), Some(i));
            recorder.record_admission("b", i);
        }
        let stats = recorder.snapshot();
        let arrivals: Vec<i64> = stats
            .deactivation_arrivals
            .iter()
            .map(|a| a.at_unix_millis)
            .collect();
        assert_eq!(arrivals, vec![2, 3, 4]);
        assert_eq!(stats.deactivation_arrivals_dropped, 2);
        assert_eq!(stats.deactivation_admissions.len(), 3);
        assert_eq!(stats.deactivation_admissions_dropped, 2);
        assert_eq!(stats.requests_received, 5);
        let none = Recorder::new(0);
        none.record_request(None, Some(1));
        assert_eq!(none.snapshot().deactivation_arrivals_dropped, 1);
    }
}
