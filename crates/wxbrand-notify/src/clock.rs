//! The receiver's clock: the only place in this crate that reads the system time.
//!
//! [`Receiver::receive`](crate::Receiver::receive) takes `now` as an argument; the framework
//! adapters ask the receiver's [`Clock`] (set with [`Receiver::with_clock`](crate::Receiver::with_clock)),
//! so a test injects its own.

use std::fmt;
use std::time::Duration;

/// A source of "now" in Unix seconds.
pub trait Clock: Send + Sync + fmt::Debug {
    /// Whole seconds since 1970-01-01T00:00:00Z.
    fn now_unix_seconds(&self) -> i64;
}

/// The machine's clock.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SystemClock;

impl Clock for SystemClock {
    // The one function of this crate allowed to read the system time (clippy.toml bans
    // `SystemTime::now` elsewhere so that everything else takes time as an argument).
    #[allow(clippy::disallowed_methods)]
    fn now_unix_seconds(&self) -> i64 {
        let since_epoch = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or(Duration::ZERO);
        i64::try_from(since_epoch.as_secs()).unwrap_or(i64::MAX)
    }
}

/// A clock stopped at a fixed time (tests, replaying a saved notification).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedClock(pub i64);

impl Clock for FixedClock {
    fn now_unix_seconds(&self) -> i64 {
        self.0
    }
}
