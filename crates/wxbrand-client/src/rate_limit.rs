//! Client-side rate limits: a sliding window per operation, shared by every clone of a client.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use crate::clock::{Clock, Sleeper};

/// At most `max` sends in any window of `window`.
///
/// A sliding window, not a token bucket: a bucket holding `max` tokens refilled at `max` per
/// second lets up to `2 × max − 1` requests through within one second, which the server counts
/// as over its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    max: u32,
    window: Duration,
}

impl RateLimit {
    /// Extra time added to each one-second window by [`RateLimit::per_second`]: two requests sent
    /// exactly one second apart can arrive less than a second apart when the first is delayed on
    /// the way, so a server counting arrivals could see one more than the limit.
    pub const SECOND_GUARD: Duration = Duration::from_millis(50);

    /// At most `max` sends per second (as the server counts them): the window is one second plus
    /// [`RateLimit::SECOND_GUARD`]. `max` must not be zero.
    pub fn per_second(max: u32) -> Self {
        RateLimit {
            max,
            window: Duration::from_secs(1) + Self::SECOND_GUARD,
        }
    }
    /// At most `max` sends in any window of `window`, exactly. `max` must not be zero.
    pub fn new(max: u32, window: Duration) -> Self {
        RateLimit { max, window }
    }
    /// The largest number of sends in a window.
    pub fn max(&self) -> u32 {
        self.max
    }
    /// The window.
    pub fn window(&self) -> Duration {
        self.window
    }
}

/// The shared state of one rate limit: the send times within the last window.
#[derive(Debug)]
pub(crate) struct SlidingWindow {
    limit: RateLimit,
    sends: Mutex<VecDeque<Duration>>,
}

impl SlidingWindow {
    pub(crate) fn new(limit: RateLimit) -> Self {
        SlidingWindow {
            limit,
            sends: Mutex::new(VecDeque::new()),
        }
    }

    /// Takes a slot now, or says how long to wait before asking again.
    fn try_take(&self, now: Duration) -> Result<(), Duration> {
        let mut sends = self
            .sends
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        while let Some(&oldest) = sends.front() {
            if oldest.saturating_add(self.limit.window) <= now {
                sends.pop_front();
            } else {
                break;
            }
        }
        if sends.len() < self.limit.max as usize {
            sends.push_back(now);
            return Ok(());
        }
        match sends.front() {
            Some(&oldest) => Err(oldest
                .saturating_add(self.limit.window)
                .saturating_sub(now)
                .max(Duration::from_micros(100))),
            None => Ok(()),
        }
    }

    /// Waits (through `sleeper`) until a send is allowed, and records it. Returns the time waited.
    pub(crate) async fn acquire(&self, clock: &dyn Clock, sleeper: &dyn Sleeper) -> Duration {
        let start = clock.monotonic();
        loop {
            let now = clock.monotonic();
            match self.try_take(now) {
                Ok(()) => return now.saturating_sub(start),
                Err(wait) => sleeper.sleep(wait).await,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    #[tokio::test]
    async fn never_more_than_max_in_any_window() {
        let clock = ManualClock::new(0);
        let window = SlidingWindow::new(RateLimit::new(20, Duration::from_secs(1)));
        let mut times = Vec::new();
        for _ in 0..100 {
            window.acquire(&clock, &clock).await;
            times.push(clock.monotonic());
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
        // 100 sends at 20 per second: the last one goes out after 4 seconds, not later.
        assert_eq!(times[99], Duration::from_secs(4));
    }

    #[tokio::test]
    async fn per_second_keeps_a_guard() {
        let clock = ManualClock::new(0);
        let window = SlidingWindow::new(RateLimit::per_second(2));
        for _ in 0..3 {
            window.acquire(&clock, &clock).await;
        }
        assert_eq!(clock.monotonic(), Duration::from_millis(1050));
    }
}
