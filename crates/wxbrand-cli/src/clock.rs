//! Where the CLI gets the time: the client's system clock.
//!
//! Everything else takes time as an argument (the workspace's `clippy.toml` forbids
//! `SystemTime::now` elsewhere), so `sign --timestamp` and `verify --now` can replay any moment.

use wxbrand_client::clock::{Clock, SystemClock};

/// The current Unix time in seconds, from the client's system clock (the workspace's one reader
/// of the wall clock; a clock set before 1970 yields a negative number rather than a failure).
pub fn now_unix_seconds() -> i64 {
    SystemClock::new().unix_seconds()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn now_is_after_2025() {
        assert!(now_unix_seconds() > 1_735_660_800);
    }
}
