//! Client-side rate limits: what a call waits for before each attempt.
//!
//! By default a client keeps its limits in process: a sliding window per operation, shared by
//! every clone of the client (see [`ClientBuilder::rate_limit`](crate::ClientBuilder::rate_limit)).
//! WeChat Pay counts its limits per brand across all of the brand's servers, so a fleet of
//! processes needs one limit they all share: give the client a [`RateLimiter`] with
//! [`ClientBuilder::rate_limiter`](crate::ClientBuilder::rate_limiter), e.g. the
//! `RedisRateLimiter` of the `redis` feature. [`LocalRateLimiter`] is the in-process limit as a
//! [`RateLimiter`] (the default, made explicit; also what a Redis limiter can fall back to).
//!
//! Whatever keeps the limit, the client asks it once per attempt (retries count), with the brand
//! id, the operation's name and its limit (the operation's own
//! [`RATE_LIMIT`](wxbrand_core::Operation::RATE_LIMIT) or the builder's override), and holds the
//! [`RateLimitPermit`] it gets until the attempt's answer is in.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;
use wxbrand_core::{PreparedRequest, RateLimit};

use crate::clock::{Clock, Sleeper};

#[cfg(feature = "redis")]
mod redis;
#[cfg(feature = "redis")]
pub use self::redis::{RedisRateLimiter, RedisUrlError, WhenUnavailable};

/// Keeps rate limits for clients: waits until one attempt of an operation may be sent and hands
/// out a permit held while that attempt is under way.
///
/// Object-safe (`Arc<dyn RateLimiter>`); give one to
/// [`ClientBuilder::rate_limiter`](crate::ClientBuilder::rate_limiter) and share it between
/// clients. A limiter must key its limits by [`RateLimitRequest::brand_id`] and
/// [`RateLimitRequest::operation`]: WeChat Pay counts per brand and per operation.
#[async_trait::async_trait]
pub trait RateLimiter: Send + Sync + fmt::Debug {
    /// Waits until one attempt may be sent within `request.limit()`, then returns the permit
    /// the client holds until the attempt has ended (answered or failed). An error means
    /// nothing was sent: the call fails with
    /// [`ErrorKind::RateLimiter`](crate::ErrorKind::RateLimiter).
    async fn acquire(
        &self,
        request: RateLimitRequest<'_>,
    ) -> Result<RateLimitPermit, RateLimiterError>;
}

/// What a [`RateLimiter`] is asked for: one attempt of `operation` for `brand_id` under `limit`.
#[derive(Clone, Copy)]
pub struct RateLimitRequest<'a> {
    brand_id: &'a str,
    operation: &'static str,
    limit: RateLimit,
    budget: Duration,
    clock: &'a Arc<dyn Clock>,
    sleeper: &'a dyn Sleeper,
}

impl fmt::Debug for RateLimitRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimitRequest")
            .field("brand_id", &self.brand_id)
            .field("operation", &self.operation)
            .field("limit", &self.limit)
            .field("budget", &self.budget)
            .finish_non_exhaustive()
    }
}

impl<'a> RateLimitRequest<'a> {
    /// A request (the client makes these; tests of a limiter make their own).
    pub fn new(
        brand_id: &'a str,
        operation: &'static str,
        limit: RateLimit,
        budget: Duration,
        clock: &'a Arc<dyn Clock>,
        sleeper: &'a dyn Sleeper,
    ) -> Self {
        RateLimitRequest {
            brand_id,
            operation,
            limit,
            budget,
            clock,
            sleeper,
        }
    }

    /// The brand the request is signed for.
    pub fn brand_id(&self) -> &'a str {
        self.brand_id
    }

    /// The operation's [`NAME`](wxbrand_core::Operation::NAME), e.g. `"deactivate_stock"`.
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// The limit to keep (never zero requests or an empty window).
    pub fn limit(&self) -> RateLimit {
        self.limit
    }

    /// How long the call may still spend waiting for a limiter that cannot be reached: what is
    /// left of the retry policy's total deadline. Waiting for the limit itself is not bounded by
    /// it (queued time does not count against the deadline).
    pub fn budget(&self) -> Duration {
        self.budget
    }

    /// The client's clock (monotonic time for local windows and for the budget).
    pub fn clock(&self) -> &'a Arc<dyn Clock> {
        self.clock
    }

    /// The client's sleeper: how a limiter waits.
    pub fn sleeper(&self) -> &'a dyn Sleeper {
        self.sleeper
    }
}

/// One attempt's right to be sent, held until the attempt has ended; dropping it gives the slot
/// back (for a window-based limiter: stamps the end of the attempt).
pub struct RateLimitPermit {
    on_release: Option<Box<dyn FnOnce() + Send>>,
}

impl RateLimitPermit {
    /// A permit that runs `on_release` once, when it is dropped.
    pub fn new(on_release: impl FnOnce() + Send + 'static) -> Self {
        RateLimitPermit {
            on_release: Some(Box::new(on_release)),
        }
    }

    /// A permit with nothing to give back (a limiter that only spaces requests out).
    pub fn unheld() -> Self {
        RateLimitPermit { on_release: None }
    }
}

impl fmt::Debug for RateLimitPermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimitPermit")
            .field("held", &self.on_release.is_some())
            .finish()
    }
}

impl Drop for RateLimitPermit {
    fn drop(&mut self) {
        if let Some(release) = self.on_release.take() {
            release();
        }
    }
}

/// A [`RateLimiter`] could not decide: the store that keeps a shared limit could not be reached
/// (or did not answer in time). Nothing was sent.
#[derive(Debug)]
#[non_exhaustive]
pub struct RateLimiterError {
    store: &'static str,
    waited: Duration,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl RateLimiterError {
    /// The store named `store` (e.g. `"Redis"`) could not be reached after waiting `waited`;
    /// `source` is its error.
    pub fn unavailable(
        store: &'static str,
        waited: Duration,
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        RateLimiterError {
            store,
            waited,
            source,
        }
    }

    /// The store that could not be reached.
    pub fn store(&self) -> &'static str {
        self.store
    }

    /// How long the call waited for it before giving up.
    pub fn waited(&self) -> Duration {
        self.waited
    }
}

impl fmt::Display for RateLimiterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the shared rate limit ({}) could not be reached (waited {} ms), so the request was not sent; \
             check that the store is up and its address, or choose another behaviour for when it is unavailable",
            self.store,
            self.waited.as_millis()
        )
    }
}

impl std::error::Error for RateLimiterError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|source| source as &(dyn std::error::Error + 'static))
    }
}

/// A brand id and an operation name.
type WindowKey = (String, &'static str);

/// The in-process limit as a [`RateLimiter`]: one sliding window per brand and operation, in this
/// process only (what a client does when given no limiter). Clones share the windows.
#[derive(Debug, Clone, Default)]
pub struct LocalRateLimiter {
    windows: Arc<Mutex<HashMap<WindowKey, Arc<SlidingWindow>>>>,
}

impl LocalRateLimiter {
    /// A limiter with no window yet.
    pub fn new() -> Self {
        Self::default()
    }

    fn window(
        &self,
        brand_id: &str,
        operation: &'static str,
        limit: RateLimit,
    ) -> Arc<SlidingWindow> {
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let key = (brand_id.to_owned(), operation);
        match windows.get(&key) {
            Some(window) if window.limit == limit => Arc::clone(window),
            _ => {
                let window = Arc::new(SlidingWindow::new(limit));
                windows.insert(key, Arc::clone(&window));
                window
            }
        }
    }
}

#[async_trait::async_trait]
impl RateLimiter for LocalRateLimiter {
    async fn acquire(
        &self,
        request: RateLimitRequest<'_>,
    ) -> Result<RateLimitPermit, RateLimiterError> {
        let window = self.window(request.brand_id, request.operation, request.limit);
        let clock = Arc::clone(request.clock);
        window.take_slot(&*clock, request.sleeper).await;
        Ok(RateLimitPermit::new(move || window.release(&*clock)))
    }
}

// How a limit is kept (the type itself, `RateLimit`, is `wxbrand_core`'s, so that an operation can
// declare its default):
//
// A sliding window, not a token bucket: a bucket holding `max` tokens refilled at `max` per
// second lets up to `2 × max − 1` requests through within one second, which the server counts as
// over its limit.
//
// The window is kept over what the server can observe. A request holds its slot from the moment
// it is sent until one window after its answer arrived (or its attempt failed): the server
// received it somewhere in between, so however unevenly the network delays requests, no
// window of `window` at the server can hold more than `max` of them. Throughput is therefore
// `max` per (`window` + round trip). Every attempt takes a slot, retries included; calls over the
// limit wait, they do not fail.

/// The limits of one client and its clones: the user's overrides by operation name, and one
/// window per operation, made the first time the operation is sent (from the override, else the
/// operation's own default). The client names no operation.
#[derive(Debug, Default)]
pub(crate) struct RateLimits {
    overrides: HashMap<&'static str, Option<RateLimit>>,
    windows: Mutex<HashMap<&'static str, Arc<SlidingWindow>>>,
}

impl RateLimits {
    /// `overrides`: `Some(limit)` replaces an operation's default, `None` removes it.
    pub(crate) fn new(overrides: HashMap<&'static str, Option<RateLimit>>) -> Self {
        RateLimits {
            overrides,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// The limit `prepared` is sent under, if any: the override, else the operation's default.
    pub(crate) fn limit(&self, prepared: &PreparedRequest) -> Option<RateLimit> {
        let limit = match self.overrides.get(prepared.name()) {
            Some(limit) => *limit,
            None => prepared.default_rate_limit(),
        }?;
        if limit.max() == 0 || limit.window().is_zero() {
            // Never from the builder (it refuses them); a declaration's mistake is not a deadlock.
            return None;
        }
        Some(limit)
    }

    /// The window `prepared` must pass through, if it is limited.
    pub(crate) fn window(&self, prepared: &PreparedRequest) -> Option<Arc<SlidingWindow>> {
        let limit = self.limit(prepared)?;
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let window = windows
            .entry(prepared.name())
            .or_insert_with(|| Arc::new(SlidingWindow::new(limit)));
        Some(Arc::clone(window))
    }
}

#[derive(Debug, Default)]
struct Slots {
    /// Requests sent whose attempt has not ended.
    in_flight: usize,
    /// When recent attempts ended (monotonic, in order).
    ended: VecDeque<Duration>,
}

/// The shared state of one rate limit.
#[derive(Debug)]
pub(crate) struct SlidingWindow {
    limit: RateLimit,
    slots: Mutex<Slots>,
    released: Notify,
}

enum Wait {
    /// The oldest ended attempt leaves the window after this long.
    For(Duration),
    /// Every slot is held by a request in flight: wait for one to end.
    UntilRelease,
}

impl SlidingWindow {
    pub(crate) fn new(limit: RateLimit) -> Self {
        SlidingWindow {
            limit,
            slots: Mutex::new(Slots::default()),
            released: Notify::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Slots> {
        self.slots
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn try_take(&self, clock: &dyn Clock) -> Result<(), Wait> {
        let mut slots = self.lock();
        let now = clock.monotonic();
        while let Some(&ended) = slots.ended.front() {
            if ended.saturating_add(self.limit.window()) <= now {
                slots.ended.pop_front();
            } else {
                break;
            }
        }
        if slots.in_flight + slots.ended.len() < self.limit.max() as usize {
            slots.in_flight += 1;
            return Ok(());
        }
        match slots.ended.front() {
            Some(&oldest) => Err(Wait::For(
                oldest
                    .saturating_add(self.limit.window())
                    .saturating_sub(now)
                    .max(Duration::from_micros(100)),
            )),
            None => Err(Wait::UntilRelease),
        }
    }

    /// Waits (through `sleeper`, or for another request to end) until a request may be sent, and
    /// takes a slot; the slot is given back, stamped with the time, when the permit is dropped.
    pub(crate) async fn acquire<'a>(
        &'a self,
        clock: &'a dyn Clock,
        sleeper: &dyn Sleeper,
    ) -> Permit<'a> {
        self.take_slot(clock, sleeper).await;
        Permit {
            window: self,
            clock,
        }
    }

    /// Waits until a slot is free and takes it; [`SlidingWindow::release`] gives it back.
    async fn take_slot(&self, clock: &dyn Clock, sleeper: &dyn Sleeper) {
        loop {
            let released = self.released.notified();
            tokio::pin!(released);
            // Registered before looking, so a release between the look and the wait is not missed.
            released.as_mut().enable();
            match self.try_take(clock) {
                Ok(()) => return,
                Err(Wait::For(wait)) => sleeper.sleep(wait).await,
                Err(Wait::UntilRelease) => released.await,
            }
        }
    }

    /// Gives a slot back, stamped with the time the attempt ended.
    fn release(&self, clock: &dyn Clock) {
        {
            let mut slots = self.lock();
            slots.in_flight = slots.in_flight.saturating_sub(1);
            // Read under the lock so that `ended` stays in order.
            let now = clock.monotonic();
            slots.ended.push_back(now);
        }
        self.released.notify_waiters();
    }
}

/// A slot of a [`SlidingWindow`], held while one attempt is under way.
pub(crate) struct Permit<'a> {
    window: &'a SlidingWindow,
    clock: &'a dyn Clock,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        self.window.release(self.clock);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    #[tokio::test]
    async fn never_more_than_max_in_any_window() {
        let clock = ManualClock::new(0);
        let window = SlidingWindow::new(RateLimit::per_second(20));
        let mut times = Vec::new();
        for _ in 0..100 {
            let permit = window.acquire(&clock, &clock).await;
            times.push(clock.monotonic());
            drop(permit);
        }
        for (i, start) in times.iter().enumerate() {
            let within = times[i..]
                .iter()
                .filter(|t| **t < *start + Duration::from_secs(1))
                .count();
            assert!(
                within <= 20,
                "{within} sends within a second starting at {start:?}"
            );
        }
        // 100 instant requests at 20 per second: the last one goes out after 4 seconds.
        assert_eq!(times[99], Duration::from_secs(4));
    }

    #[tokio::test]
    async fn a_slot_is_held_until_one_window_after_the_attempt_ends() {
        let clock = ManualClock::new(0);
        let window = SlidingWindow::new(RateLimit::per_second(1));
        let first = window.acquire(&clock, &clock).await;
        clock.advance(Duration::from_millis(300)); // the round trip
        drop(first);
        let _second = window.acquire(&clock, &clock).await;
        assert_eq!(clock.monotonic(), Duration::from_millis(1300));
    }

    proptest::proptest! {
        /// Whatever the timing of sends and answers, no window at the server can hold more than
        /// `max` requests: a request reaches the server somewhere between its send and the end
        /// of its attempt, so for every instant `t`, the requests whose `[send, end]` interval
        /// meets `[t, t + window)` must number at most `max`. That count peaks at some end time.
        #[test]
        fn no_server_window_can_hold_more_than_max(
            max in 1u32..6,
            steps in proptest::collection::vec((0u8..3, 0u64..700, 0usize..8), 1..200),
        ) {
            let clock = ManualClock::new(0);
            let window = SlidingWindow::new(RateLimit::per_second(max));
            let mut held: Vec<(Duration, Permit<'_>)> = Vec::new();
            let mut intervals: Vec<(Duration, Duration)> = Vec::new();
            for (action, millis, pick) in steps {
                match action {
                    0 => clock.advance(Duration::from_millis(millis)),
                    1 => {
                        if window.try_take(&clock).is_ok() {
                            held.push((clock.monotonic(), Permit { window: &window, clock: &clock }));
                        }
                    }
                    _ => {
                        if !held.is_empty() {
                            let (sent, permit) = held.remove(pick % held.len());
                            drop(permit);
                            intervals.push((sent, clock.monotonic()));
                        }
                    }
                }
            }
            let second = Duration::from_secs(1);
            for &(_, t) in &intervals {
                let meeting = intervals.iter().filter(|(sent, end)| *sent < t + second && *end >= t).count()
                    + held.iter().filter(|(sent, _)| *sent < t + second).count();
                proptest::prop_assert!(meeting <= max as usize, "{} requests meet the window from {:?}", meeting, t);
            }
        }
    }

    #[tokio::test]
    async fn waits_for_requests_in_flight_to_end() {
        let clock = ManualClock::new(0);
        let window = std::sync::Arc::new(SlidingWindow::new(RateLimit::per_second(1)));
        let held = window.acquire(&clock, &clock).await;
        let (w, c) = (window.clone(), clock.clone());
        let waiter = tokio::spawn(async move {
            let _permit = w.acquire(&c, &c).await;
            c.monotonic()
        });
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished());
        clock.advance(Duration::from_millis(500));
        drop(held);
        assert_eq!(waiter.await.unwrap(), Duration::from_millis(1500));
    }
}
