//! Counters for tests: what the simulator received, refused, changed and injected.

use std::collections::BTreeMap;
use std::sync::Mutex;

use wxbrand_core::product_coupon::StockState;

use crate::routes::Route;

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

/// A deactivation request seen at some stage ([`Stats::deactivation_arrivals`],
/// [`Stats::deactivation_admissions`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeactivationEvent {
    /// The brand: as claimed by the `Authorization` header for arrivals (empty when there was none
    /// to read), as authenticated for admissions.
    pub brand_id: String,
    /// When, in Unix milliseconds of the simulator's clock.
    pub at_unix_millis: i64,
}

/// A snapshot of the simulator's counters ([`SimulatorHandle::stats`](crate::SimulatorHandle::stats)).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// TCP connections accepted.
    pub connections_accepted: u64,
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
    /// Every state change, in order.
    pub transitions: Vec<StateTransition>,
    /// Every request that reached the deactivation route, at its arrival, whatever became of it
    /// (refused, faulted, rate-limited or served): what a client sent.
    pub deactivation_arrivals: Vec<DeactivationEvent>,
    /// Every deactivation request that passed authentication and the rate limiter, in order.
    pub deactivation_admissions: Vec<DeactivationEvent>,
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

    /// How many times one stock was moved to `DEACTIVATED` (a correct client makes this at most 1).
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

/// The live counters behind [`Stats`].
#[derive(Debug, Default)]
pub(crate) struct Recorder {
    inner: Mutex<Stats>,
}

impl Recorder {
    pub(crate) fn update(&self, f: impl FnOnce(&mut Stats)) {
        let mut guard = self
            .inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut guard);
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
    use super::max_in_window;

    #[test]
    fn window_counts_half_open_seconds() {
        assert_eq!(max_in_window([].into_iter(), 1000), 0);
        assert_eq!(max_in_window([0, 999, 1000, 1999].into_iter(), 1000), 2);
        assert_eq!(max_in_window([5, 0, 10, 2000].into_iter(), 1000), 3);
    }
}
