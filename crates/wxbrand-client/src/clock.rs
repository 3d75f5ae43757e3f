//! Time, waiting and nonces, all injectable so tests control them.
//!
//! This module is the only place in the SDK that reads the system clock (`SystemTime::now`,
//! `Instant::now`); everything else asks a [`Clock`]. Tests use [`ManualClock`], which moves only
//! when told to (or when its [`Sleeper`] side is asked to wait).

use std::fmt::Debug;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A source of time for the client.
///
/// Two readings are needed: wall-clock seconds for signatures and for the answer window, and a
/// monotonic reading for backoff deadlines, the rate limit and the host-failover cooldown.
pub trait Clock: Send + Sync + Debug {
    /// Wall-clock time in Unix seconds.
    fn unix_seconds(&self) -> i64;
    /// Monotonic time elapsed since an arbitrary fixed origin; never goes backwards.
    fn monotonic(&self) -> Duration;
}

/// The system clock: `SystemTime` for wall-clock seconds, `Instant` for monotonic time.
#[derive(Debug, Clone, Copy)]
pub struct SystemClock {
    origin: std::time::Instant,
}

impl SystemClock {
    /// A system clock whose monotonic origin is now.
    pub fn new() -> Self {
        // This module is the one place allowed to read the system clock (see clippy.toml).
        #[allow(clippy::disallowed_methods)]
        let origin = std::time::Instant::now();
        SystemClock { origin }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for SystemClock {
    fn unix_seconds(&self) -> i64 {
        // This module is the one place allowed to read the system clock (see clippy.toml).
        #[allow(clippy::disallowed_methods)]
        let now = std::time::SystemTime::now();
        match now.duration_since(std::time::UNIX_EPOCH) {
            Ok(since) => i64::try_from(since.as_secs()).unwrap_or(i64::MAX),
            Err(before) => i64::try_from(before.duration().as_secs()).map_or(i64::MIN, |s| -s),
        }
    }

    fn monotonic(&self) -> Duration {
        // This module is the one place allowed to read the system clock (see clippy.toml).
        #[allow(clippy::disallowed_methods)]
        let now = std::time::Instant::now();
        now.saturating_duration_since(self.origin)
    }
}

/// A clock for tests: it stands still until [`ManualClock::advance`] is called, or until it is
/// used as the client's [`Sleeper`], where "sleeping" advances it and returns at once.
///
/// Clones share the same time.
#[derive(Debug, Clone)]
pub struct ManualClock {
    state: Arc<Mutex<ManualState>>,
}

#[derive(Debug)]
struct ManualState {
    unix_at_origin: i64,
    elapsed: Duration,
    slept: Vec<Duration>,
}

impl ManualClock {
    /// A clock showing `unix_seconds`, with monotonic time zero.
    pub fn new(unix_seconds: i64) -> Self {
        ManualClock {
            state: Arc::new(Mutex::new(ManualState {
                unix_at_origin: unix_seconds,
                elapsed: Duration::ZERO,
                slept: Vec::new(),
            })),
        }
    }

    fn with<R>(&self, f: impl FnOnce(&mut ManualState) -> R) -> R {
        let mut guard = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut guard)
    }

    /// Moves both readings forward by `by`.
    pub fn advance(&self, by: Duration) {
        self.with(|s| s.elapsed = s.elapsed.saturating_add(by));
    }

    /// Sets the wall-clock reading (monotonic time is unchanged): to simulate clock skew.
    pub fn set_unix_seconds(&self, unix_seconds: i64) {
        self.with(|s| {
            let elapsed = i64::try_from(s.elapsed.as_secs()).unwrap_or(i64::MAX);
            s.unix_at_origin = unix_seconds.saturating_sub(elapsed);
        });
    }

    /// Every duration this clock was asked to sleep, in order (when used as a [`Sleeper`]).
    pub fn slept(&self) -> Vec<Duration> {
        self.with(|s| s.slept.clone())
    }
}

impl Clock for ManualClock {
    fn unix_seconds(&self) -> i64 {
        self.with(|s| {
            let elapsed = i64::try_from(s.elapsed.as_secs()).unwrap_or(i64::MAX);
            s.unix_at_origin.saturating_add(elapsed)
        })
    }

    fn monotonic(&self) -> Duration {
        self.with(|s| s.elapsed)
    }
}

/// Waits. The client waits through a `Sleeper` (backoff, rate limit) so tests can skip the wait.
#[async_trait::async_trait]
pub trait Sleeper: Send + Sync + Debug {
    /// Returns after `duration` (or, in tests, whenever the sleeper decides).
    async fn sleep(&self, duration: Duration);
}

/// Sleeps on the tokio timer (the default).
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioSleeper;

#[async_trait::async_trait]
impl Sleeper for TokioSleeper {
    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }
}

/// Returns at once without waiting (it yields to the scheduler): for tests where the backoff is not
/// the point. Do not combine it with a real clock and a rate limit that has to wait: the limiter
/// would poll until real time passes.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoSleep;

#[async_trait::async_trait]
impl Sleeper for NoSleep {
    async fn sleep(&self, _duration: Duration) {
        tokio::task::yield_now().await;
    }
}

#[async_trait::async_trait]
impl Sleeper for ManualClock {
    async fn sleep(&self, duration: Duration) {
        self.with(|s| {
            s.slept.push(duration);
            s.elapsed = s.elapsed.saturating_add(duration);
        });
        tokio::task::yield_now().await;
    }
}

/// Gives the nonce of each request signature.
pub trait NonceSource: Send + Sync + Debug {
    /// A fresh nonce: 32 characters of `[0-9A-Za-z]`.
    fn nonce(&self) -> String;
}

/// Nonces from a secure random source ([`wxbrand_sign::generate_nonce`]); the default.
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomNonce;

impl NonceSource for RandomNonce {
    fn nonce(&self) -> String {
        wxbrand_sign::generate_nonce()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = ManualClock::new(1_700_000_000);
        assert_eq!(clock.unix_seconds(), 1_700_000_000);
        clock.advance(Duration::from_millis(1500));
        assert_eq!(clock.unix_seconds(), 1_700_000_001);
        assert_eq!(clock.monotonic(), Duration::from_millis(1500));
        clock.set_unix_seconds(10);
        assert_eq!(clock.unix_seconds(), 10);
        assert_eq!(clock.monotonic(), Duration::from_millis(1500));
    }

    #[test]
    fn system_clock_reads_a_plausible_time() {
        let clock = SystemClock::new();
        assert!(clock.unix_seconds() > 1_600_000_000);
        let a = clock.monotonic();
        assert!(clock.monotonic() >= a);
    }
}
