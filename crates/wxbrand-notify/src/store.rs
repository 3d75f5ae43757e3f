//! Which notifications were already handled: the duplicate store.
//!
//! WeChat Pay redelivers a notification until it gets a 2xx answer, and may deliver it again after
//! one (a lost answer, a timeout on its side). The receiver claims each notification's **`id`**
//! before handing it to the handler, marks it handled only after the handler succeeded, and
//! releases it when the handler failed, so that:
//! - a redelivery of a handled notification is [`Rejection::Duplicate`](crate::Rejection::Duplicate),
//!   answered 2xx (WeChat Pay stops) and not handled again;
//! - a notification whose handler failed is answered non-2xx, and its redelivery is handled, not
//!   reported as a duplicate;
//! - two deliveries of one id at the same moment are not both handled: the second is
//!   [`Rejection::InProgress`](crate::Rejection::InProgress), answered non-2xx so WeChat Pay
//!   retries later.
//!
//! # Why the key is the notification `id`, not `coupon_code` + `event_type`
//! WeChat Pay's guide advises de-duplicating by `coupon_code` + `event_type`. The envelope's `id` is
//! what stays the same across redeliveries of one notification and differs between two
//! notifications, so it is the exact key for "was this delivery already handled": a coupon that is
//! used, returned, then used again produces two genuine `PRODUCT_COUPON.USE` notifications for one
//! code, and keying by code + type would drop the second. The business advice still holds for the
//! handler's own writes (record a coupon's send at most once, by its code), which is idempotence of
//! the handler, not de-duplication of deliveries.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Mutex, PoisonError};

/// What a claim on a notification id found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Claim {
    /// Not seen (or released after a failure, or evicted): the caller now holds it and must
    /// [`mark_handled`](NotificationStore::mark_handled) or [`release`](NotificationStore::release) it.
    Claimed,
    /// Already handled successfully: a duplicate.
    AlreadyHandled,
    /// Another delivery of the same id holds it now.
    InProgress,
}

/// A failure of the store itself (a database down): the receiver answers non-2xx so WeChat Pay
/// retries later.
#[derive(Debug)]
pub struct StoreError {
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl StoreError {
    /// Wraps the store's own error.
    pub fn new(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        StoreError {
            source: source.into(),
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the duplicate store could not be reached; WeChat Pay will retry")
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}

/// Where the receiver records which notification ids it handled. Implement it over a shared
/// database when several processes receive notifications; [`MemoryStore`] serves one process.
///
/// Times are Unix seconds given by the receiver (the store reads no clock).
pub trait NotificationStore: Send + Sync + fmt::Debug {
    /// Atomically: if `id` is unknown (or its claim is abandoned), claim it for handling.
    ///
    /// # Errors
    /// [`StoreError`] when the store cannot answer.
    fn claim(&self, id: &str, now: i64) -> Result<Claim, StoreError>;
    /// Records that the handler of a claimed `id` succeeded. A store that fails here should log it:
    /// the answer is 2xx regardless (the handler's work is done), and a later redelivery would be
    /// handled again.
    fn mark_handled(&self, id: &str, now: i64);
    /// Gives a claimed `id` back after its handler failed, so its redelivery is handled.
    fn release(&self, id: &str);
}

/// The default number of ids [`MemoryStore`] keeps.
pub const DEFAULT_CAPACITY: usize = 100_000;
/// The default age, in seconds, after which [`MemoryStore`] forgets a handled id: 25 hours, longer
/// than WeChat Pay's redelivery schedule (about 24 hours from the first attempt).
pub const DEFAULT_MAX_AGE_SECONDS: i64 = 25 * 3600;
/// The default age, in seconds, after which a claim whose handler never finished counts as
/// abandoned and can be claimed again: 60 s (WeChat Pay gives up on an answer after 5 s).
pub const DEFAULT_CLAIM_TIMEOUT_SECONDS: i64 = 60;

/// A bounded in-memory [`NotificationStore`] for one process.
///
/// Bounds: at most `capacity` ids (default [`DEFAULT_CAPACITY`], about 100 bytes each); an id is
/// forgotten `max_age` seconds after it was claimed (default [`DEFAULT_MAX_AGE_SECONDS`]). When
/// full, the oldest id is evicted first; a redelivery of an evicted id is handled again, so size
/// the capacity above the number of notifications received in `max_age`. Lost on restart: use a
/// shared store when that matters.
pub struct MemoryStore {
    capacity: usize,
    max_age: i64,
    claim_timeout: i64,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    next_seq: u64,
    /// id → entry.
    entries: HashMap<String, Entry>,
    /// Claim order: (sequence, id, claimed at). An item whose sequence no longer matches its
    /// entry's (released, or claimed again) is stale and skipped.
    order: VecDeque<(u64, String, i64)>,
}

#[derive(Clone, Copy)]
struct Entry {
    seq: u64,
    claimed_at: i64,
    handled: bool,
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStore")
            .field("capacity", &self.capacity)
            .field("max_age_seconds", &self.max_age)
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore::new(DEFAULT_CAPACITY, DEFAULT_MAX_AGE_SECONDS)
    }
}

impl MemoryStore {
    /// A store keeping at most `capacity` ids (at least 1), each for `max_age_seconds`.
    pub fn new(capacity: usize, max_age_seconds: i64) -> Self {
        MemoryStore {
            capacity: capacity.max(1),
            max_age: max_age_seconds.max(0),
            claim_timeout: DEFAULT_CLAIM_TIMEOUT_SECONDS,
            inner: Mutex::new(Inner::default()),
        }
    }

    /// Sets how long a claim whose handler never finished blocks redeliveries (default
    /// [`DEFAULT_CLAIM_TIMEOUT_SECONDS`]).
    #[must_use]
    pub fn with_claim_timeout_seconds(mut self, seconds: i64) -> Self {
        self.claim_timeout = seconds.max(0);
        self
    }

    /// How many ids are held (handled or in progress).
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether no id is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Forgets ids older than `max_age`, then the oldest while more than `capacity - room` are held.
    fn evict(&self, inner: &mut Inner, now: i64, room: usize) {
        while let Some((seq, id, claimed_at)) = inner.order.front().cloned() {
            let live = inner.entries.get(&id).is_some_and(|e| e.seq == seq);
            let too_old = now.saturating_sub(claimed_at) >= self.max_age;
            let too_many = inner.entries.len() + room > self.capacity;
            if live && !too_old && !too_many {
                break;
            }
            inner.order.pop_front();
            if live {
                inner.entries.remove(&id);
            }
        }
    }
}

impl NotificationStore for MemoryStore {
    fn claim(&self, id: &str, now: i64) -> Result<Claim, StoreError> {
        let mut inner = self.lock();
        self.evict(&mut inner, now, 0);
        if let Some(entry) = inner.entries.get(id) {
            if entry.handled {
                return Ok(Claim::AlreadyHandled);
            }
            if now.saturating_sub(entry.claimed_at) < self.claim_timeout {
                return Ok(Claim::InProgress);
            }
        }
        self.evict(&mut inner, now, 1);
        let seq = inner.next_seq;
        inner.next_seq += 1;
        inner.entries.insert(
            id.to_owned(),
            Entry {
                seq,
                claimed_at: now,
                handled: false,
            },
        );
        inner.order.push_back((seq, id.to_owned(), now));
        Ok(Claim::Claimed)
    }

    fn mark_handled(&self, id: &str, _now: i64) {
        if let Some(entry) = self.lock().entries.get_mut(id) {
            entry.handled = true;
        }
    }

    fn release(&self, id: &str) {
        let mut inner = self.lock();
        if inner.entries.get(id).is_some_and(|e| !e.handled) {
            inner.entries.remove(id);
        }
        // Stale order items are skipped by `evict`; keep the queue bounded too.
        if inner.order.len() > self.capacity.saturating_mul(2) {
            let entries = &inner.entries;
            let kept: VecDeque<_> = inner
                .order
                .iter()
                .filter(|(seq, id, _)| entries.get(id).is_some_and(|e| e.seq == *seq))
                .cloned()
                .collect();
            inner.order = kept;
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn handled_ids_are_duplicates_released_ids_are_not_and_claims_block() {
        let store = MemoryStore::default();
        assert_eq!(store.claim("a", 0).unwrap(), Claim::Claimed);
        assert_eq!(store.claim("a", 1).unwrap(), Claim::InProgress);
        store.release("a");
        assert_eq!(store.claim("a", 2).unwrap(), Claim::Claimed);
        store.mark_handled("a", 2);
        assert_eq!(store.claim("a", 3).unwrap(), Claim::AlreadyHandled);
        // An abandoned claim is taken over after the claim timeout.
        assert_eq!(store.claim("b", 10).unwrap(), Claim::Claimed);
        assert_eq!(
            store
                .claim("b", 10 + DEFAULT_CLAIM_TIMEOUT_SECONDS)
                .unwrap(),
            Claim::Claimed
        );
    }

    #[test]
    fn the_oldest_id_is_evicted_at_capacity_and_every_id_after_max_age() {
        let store = MemoryStore::new(2, 100);
        for (id, t) in [("a", 0), ("b", 1), ("c", 2)] {
            assert_eq!(store.claim(id, t).unwrap(), Claim::Claimed);
            store.mark_handled(id, t);
        }
        assert_eq!(store.len(), 2);
        // "a" was evicted by "c": a redelivery of it is handled again.
        assert_eq!(store.claim("c", 3).unwrap(), Claim::AlreadyHandled);
        assert_eq!(store.claim("a", 3).unwrap(), Claim::Claimed);
        store.mark_handled("a", 3);
        assert_eq!(store.claim("c", 4).unwrap(), Claim::AlreadyHandled);
        // Age: everything claimed at or before 3 is gone at 103.
        assert_eq!(store.claim("x", 103).unwrap(), Claim::Claimed);
        assert_eq!(store.len(), 1);
        assert_eq!(store.claim("c", 103).unwrap(), Claim::Claimed);
    }

    #[test]
    fn released_claims_leave_the_queue_bounded() {
        let store = MemoryStore::new(3, 1000);
        for i in 0..100 {
            let id = format!("id{i}");
            assert_eq!(store.claim(&id, i).unwrap(), Claim::Claimed);
            store.release(&id);
        }
        assert!(store.is_empty());
        assert!(store.lock().order.len() <= 7);
    }
}
