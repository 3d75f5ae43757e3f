//! What every request handler shares: keys, clock, state, faults, counters and settings.

use std::sync::atomic::AtomicU64;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use crate::answer_signer::AnswerSigner;
use crate::auth::BrandKeys;
use crate::clock::SharedClock;
use crate::faults::Faults;
use crate::state::World;
use crate::stats::Recorder;

/// Everything the request handlers share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) brands: BrandKeys,
    pub(crate) signer: AnswerSigner,
    pub(crate) clock: SharedClock,
    pub(crate) world: Mutex<World>,
    pub(crate) faults: Faults,
    pub(crate) stats: Recorder,
    /// The last request number handed out (the `Request-ID`).
    pub(crate) seq: AtomicU64,
    pub(crate) rate_limit: Option<u32>,
    pub(crate) max_body_bytes: usize,
    pub(crate) body_timeout: Duration,
    pub(crate) window_seconds: i64,
    /// Whether notify URLs may name loopback hosts and IP addresses over plain HTTP.
    pub(crate) allow_local_notify_urls: bool,
    /// Event notifications: [`Deliveries::publish`](crate::delivery::Deliveries::publish) is how
    /// state changes become notifications.
    pub(crate) deliveries: std::sync::Arc<crate::delivery::Deliveries>,
}

impl Shared {
    /// The stocks and request numbers (a poisoned lock is taken over: the world stays consistent
    /// because every change is a single assignment).
    pub(crate) fn world(&self) -> MutexGuard<'_, World> {
        self.world
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
