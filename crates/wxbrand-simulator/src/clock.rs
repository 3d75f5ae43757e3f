//! The simulator's clock: the only place in this crate that reads the system time.
//!
//! Everything time-dependent (the 5-minute window on request timestamps, `Wechatpay-Timestamp`,
//! `deactivate_time`, the per-second rate limit) asks a [`Clock`], so a test can move time at will
//! with a [`ManualClock`].

use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A source of "now" for the simulator, in Unix milliseconds.
///
/// Implement it to drive the simulator from your own notion of time; [`SystemClock`] and
/// [`ManualClock`] cover the usual cases.
pub trait Clock: Send + Sync + 'static {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    fn now_unix_millis(&self) -> i64;

    /// Whole seconds since 1970-01-01T00:00:00Z (rounded down).
    fn now_unix_seconds(&self) -> i64 {
        self.now_unix_millis().div_euclid(1000)
    }
}

/// The machine's clock, optionally shifted by a fixed offset (to simulate a server whose clock is off).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SystemClock {
    offset_millis: i64,
}

impl SystemClock {
    /// The machine's clock as it is.
    pub fn new() -> Self {
        SystemClock { offset_millis: 0 }
    }

    /// The machine's clock shifted by `offset_seconds` (positive: the simulator runs ahead).
    pub fn with_offset_seconds(offset_seconds: i64) -> Self {
        SystemClock {
            offset_millis: offset_seconds.saturating_mul(1000),
        }
    }
}

impl Clock for SystemClock {
    // This is the one module of the simulator allowed to read the system time (clippy.toml bans
    // `SystemTime::now` elsewhere so that every other piece of code takes time from a `Clock`).
    #[allow(clippy::disallowed_methods)]
    fn now_unix_millis(&self) -> i64 {
        let since_epoch = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or(Duration::ZERO);
        let millis = i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX);
        millis.saturating_add(self.offset_millis)
    }
}

/// A clock that only moves when told to. Clones share the same time.
///
/// ```
/// use wxbrand_simulator::clock::{Clock, ManualClock};
///
/// let clock = ManualClock::at_unix_seconds(1_767_225_600);
/// clock.advance_seconds(301);
/// assert_eq!(clock.now_unix_seconds(), 1_767_225_901);
/// ```
#[derive(Clone, Default)]
pub struct ManualClock {
    millis: Arc<AtomicI64>,
}

impl fmt::Debug for ManualClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ManualClock")
            .field("unix_millis", &self.now_unix_millis())
            .finish()
    }
}

impl ManualClock {
    /// A clock standing at `unix_seconds`.
    pub fn at_unix_seconds(unix_seconds: i64) -> Self {
        ManualClock {
            millis: Arc::new(AtomicI64::new(unix_seconds.saturating_mul(1000))),
        }
    }

    /// A clock standing where the system clock stands now.
    pub fn starting_now() -> Self {
        ManualClock {
            millis: Arc::new(AtomicI64::new(SystemClock::new().now_unix_millis())),
        }
    }

    /// Sets the time to `unix_seconds`.
    pub fn set_unix_seconds(&self, unix_seconds: i64) {
        self.millis
            .store(unix_seconds.saturating_mul(1000), Ordering::SeqCst);
    }

    /// Sets the time to `unix_millis`.
    pub fn set_unix_millis(&self, unix_millis: i64) {
        self.millis.store(unix_millis, Ordering::SeqCst);
    }

    /// Moves the time by `seconds` (negative moves it back).
    pub fn advance_seconds(&self, seconds: i64) {
        self.millis
            .fetch_add(seconds.saturating_mul(1000), Ordering::SeqCst);
    }

    /// Moves the time forward by `by`.
    pub fn advance(&self, by: Duration) {
        let millis = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.millis.fetch_add(millis, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_unix_millis(&self) -> i64 {
        self.millis.load(Ordering::SeqCst)
    }
}

/// A shared clock handle, as the simulator keeps it.
#[derive(Clone)]
pub(crate) struct SharedClock(pub(crate) Arc<dyn Clock>);

impl fmt::Debug for SharedClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Clock")
            .field("unix_millis", &self.0.now_unix_millis())
            .finish()
    }
}

impl SharedClock {
    pub(crate) fn millis(&self) -> i64 {
        self.0.now_unix_millis()
    }
    pub(crate) fn seconds(&self) -> i64 {
        self.0.now_unix_seconds()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks_agree_on_units() {
        let system = SystemClock::new();
        let ahead = SystemClock::with_offset_seconds(600);
        let difference = ahead.now_unix_seconds() - system.now_unix_seconds();
        assert!((599..=601).contains(&difference), "{difference}");
        assert!(system.now_unix_seconds() > 1_700_000_000);

        let manual = ManualClock::at_unix_seconds(-1);
        assert_eq!(manual.now_unix_millis(), -1000);
        manual.advance(Duration::from_millis(999));
        assert_eq!(manual.now_unix_seconds(), -1); // rounds down, also before 1970
        manual.advance(Duration::from_millis(1));
        assert_eq!(manual.now_unix_seconds(), 0);
        let shared = manual.clone();
        manual.set_unix_millis(5_500);
        assert_eq!(shared.now_unix_seconds(), 5);
    }
}
