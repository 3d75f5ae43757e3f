//! Client-side rate limits: a sliding window per operation, shared by every clone of a client.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;
use wxbrand_core::{PreparedRequest, RateLimit};

use crate::clock::{Clock, Sleeper};

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

    /// The window `prepared` must pass through, if it is limited.
    pub(crate) fn window(&self, prepared: &PreparedRequest) -> Option<Arc<SlidingWindow>> {
        let limit = match self.overrides.get(prepared.name()) {
            Some(limit) => *limit,
            None => prepared.default_rate_limit(),
        }?;
        if limit.max() == 0 || limit.window().is_zero() {
            // Never from the builder (it refuses them); a declaration's mistake is not a deadlock.
            return None;
        }
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
        loop {
            let released = self.released.notified();
            tokio::pin!(released);
            // Registered before looking, so a release between the look and the wait is not missed.
            released.as_mut().enable();
            match self.try_take(clock) {
                Ok(()) => {
                    return Permit {
                        window: self,
                        clock,
                    }
                }
                Err(Wait::For(wait)) => sleeper.sleep(wait).await,
                Err(Wait::UntilRelease) => released.await,
            }
        }
    }
}

/// A slot of a [`SlidingWindow`], held while one attempt is under way.
pub(crate) struct Permit<'a> {
    window: &'a SlidingWindow,
    clock: &'a dyn Clock,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        {
            let mut slots = self.window.lock();
            slots.in_flight = slots.in_flight.saturating_sub(1);
            // Read under the lock so that `ended` stays in order.
            let now = self.clock.monotonic();
            slots.ended.push_back(now);
        }
        self.window.released.notify_waiters();
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
