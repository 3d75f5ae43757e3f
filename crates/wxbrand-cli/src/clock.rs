//! The one place the CLI reads the system clock.
//!
//! Everything else takes time as an argument (the workspace's `clippy.toml` forbids
//! `SystemTime::now` elsewhere), so `sign --timestamp` and `verify --now` can replay any moment.

use std::time::{SystemTime, UNIX_EPOCH};

/// The current Unix time in seconds.
///
/// A clock set before 1970 yields a negative number rather than a failure.
// The CLI's single clock read: commands call this only when the user gave no explicit time.
#[allow(clippy::disallowed_methods)]
pub fn now_unix_seconds() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(elapsed) => i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn now_is_after_2025() {
        assert!(now_unix_seconds() > 1_735_660_800);
    }
}
