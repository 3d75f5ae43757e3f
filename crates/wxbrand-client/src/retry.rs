//! When to send a request again, and how long to wait first.

use std::time::Duration;

use wxbrand_transport::TransportErrorKind;

/// How failed attempts are retried.
///
/// Only failures that are safe to repeat are retried:
/// - a transport error where the request never left (any operation);
/// - a transport error where it may have been delivered, and HTTP 429, 500, 502, 503
///   (repeat-safe operations only: those carrying an `out_request_no`, and GETs);
/// - never 400, 401, 403, 404 or other statuses, never an answer that failed verification, and
///   never a server TLS certificate that was refused (trust the issuing CA instead).
///
/// The wait before retry `n` (1-based) is `initial_backoff × 2^(n−1)`, capped at `max_backoff`, then
/// scaled by a random factor in `1 ± jitter`. No retry starts once the total deadline would be
/// passed by the wait. The deadline counts the time spent on attempts and backoff only, not time
/// queued for the client-side [`RateLimit`](crate::RateLimit): a call that waited its turn in a
/// burst still gets its retries. Default: 3 retries, waits of about 1 s, 2 s and 4 s (±20 %), a
/// 30 s deadline.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    jitter: f64,
    total_deadline: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(16),
            jitter: 0.2,
            total_deadline: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The default policy (see the type's documentation).
    pub fn new() -> Self {
        Self::default()
    }
    /// A policy that never retries.
    pub fn never() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..Self::default()
        }
    }
    /// Retries after the first attempt (default 3).
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = max_retries;
        self
    }
    /// The first wait (default 1 s).
    pub fn initial_backoff(mut self, wait: Duration) -> Self {
        self.initial_backoff = wait;
        self
    }
    /// The longest wait (default 16 s).
    pub fn max_backoff(mut self, wait: Duration) -> Self {
        self.max_backoff = wait;
        self
    }
    /// Random spread of each wait, as a fraction in `0.0..=1.0` (default 0.2, i.e. ±20 %).
    /// Values outside the range are clamped.
    pub fn jitter(mut self, fraction: f64) -> Self {
        self.jitter = if fraction.is_nan() {
            0.0
        } else {
            fraction.clamp(0.0, 1.0)
        };
        self
    }
    /// Time budget of the attempts and backoff waits (not of rate-limit queueing) after which no
    /// retry is started (default 30 s).
    pub fn total_deadline(mut self, deadline: Duration) -> Self {
        self.total_deadline = deadline;
        self
    }
    /// Retries allowed after the first attempt.
    pub fn retries(&self) -> u32 {
        self.max_retries
    }
    /// The total deadline.
    pub fn deadline(&self) -> Duration {
        self.total_deadline
    }

    /// The wait before retry `retry` (1-based), with `unit` a random number in `0.0..1.0`.
    pub(crate) fn backoff(&self, retry: u32, unit: f64) -> Duration {
        let exponent = retry.saturating_sub(1).min(30);
        let base = self
            .initial_backoff
            .saturating_mul(1u32 << exponent)
            .min(self.max_backoff);
        let factor = 1.0 - self.jitter + 2.0 * self.jitter * unit.clamp(0.0, 1.0);
        base.mul_f64(factor.max(0.0))
    }
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Stop and report the failure.
    Stop,
    /// Send again.
    Retry,
}

/// After a transport error.
pub(crate) fn after_transport_error(kind: TransportErrorKind, repeat_safe: bool) -> Verdict {
    match kind {
        TransportErrorKind::NotSent => Verdict::Retry,
        TransportErrorKind::MaybeDelivered if repeat_safe => Verdict::Retry,
        // Permanent until the configuration changes: stop at the first attempt.
        TransportErrorKind::CertificateRejected => Verdict::Stop,
        _ => Verdict::Stop,
    }
}

/// After a non-2xx answer.
pub(crate) fn after_status(status: u16, repeat_safe: bool) -> Verdict {
    match status {
        429 | 500 | 502 | 503 if repeat_safe => Verdict::Retry,
        _ => Verdict::Stop,
    }
}

/// A random number in `0.0..1.0` from the system's secure random source (0.5 if unavailable).
pub(crate) fn random_unit() -> f64 {
    let mut bytes = [0u8; 4];
    match aws_lc_rs::rand::fill(&mut bytes) {
        Ok(()) => f64::from(u32::from_le_bytes(bytes)) / (f64::from(u32::MAX) + 1.0),
        Err(_) => 0.5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_backoff_doubles_from_one_second() {
        let policy = RetryPolicy::new();
        assert_eq!(policy.backoff(1, 0.5), Duration::from_secs(1));
        assert_eq!(policy.backoff(2, 0.5), Duration::from_secs(2));
        assert_eq!(policy.backoff(3, 0.5), Duration::from_secs(4));
        assert_eq!(policy.backoff(1, 0.0), Duration::from_millis(800));
        assert!(policy.backoff(3, 0.999_999) < Duration::from_millis(4800));
        assert_eq!(policy.backoff(40, 0.5), Duration::from_secs(16));
    }

    #[test]
    fn classification() {
        use TransportErrorKind::*;
        assert_eq!(after_transport_error(NotSent, false), Verdict::Retry);
        assert_eq!(after_transport_error(MaybeDelivered, false), Verdict::Stop);
        assert_eq!(after_transport_error(MaybeDelivered, true), Verdict::Retry);
        assert_eq!(after_transport_error(ResponseTooLarge, true), Verdict::Stop);
        assert_eq!(
            after_transport_error(CertificateRejected, true),
            Verdict::Stop
        );
        for status in [429, 500, 502, 503] {
            assert_eq!(after_status(status, true), Verdict::Retry);
            assert_eq!(after_status(status, false), Verdict::Stop);
        }
        for status in [400, 401, 403, 404, 501, 504] {
            assert_eq!(after_status(status, true), Verdict::Stop);
        }
    }

    #[test]
    fn random_unit_is_in_range() {
        for _ in 0..100 {
            let u = random_unit();
            assert!((0.0..1.0).contains(&u));
        }
    }
}
