//! Fault injection: scripted misbehaviour per route and per n-th request.
//!
//! Rules are added through [`SimulatorHandle::faults`](crate::SimulatorHandle::faults). Request
//! numbers count from the moment a rule is added: `nth(1, …)` is the next request on that route.
//! When several rules fire for one request, the one added first wins. Requests on paths the
//! simulator does not serve are neither counted nor faulted.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::route::Route;

/// A way for the simulator to misbehave on one request.
///
/// Faults fall in three groups:
/// - **before processing** (the request changes nothing): [`CloseBeforeAnswer`](Fault::CloseBeforeAnswer),
///   [`Status500SystemError`](Fault::Status500SystemError), [`Status503Html`](Fault::Status503Html),
///   [`Status429RateLimited`](Fault::Status429RateLimited);
/// - **after processing, the answer lost** (the state changed, the client cannot know):
///   [`AnswerLost`](Fault::AnswerLost), [`ResetMidBody`](Fault::ResetMidBody);
/// - **after processing, the answer altered**: [`Delay`](Fault::Delay), [`WrongSignature`](Fault::WrongSignature),
///   [`SigntestProbe`](Fault::SigntestProbe), [`StaleTimestamp`](Fault::StaleTimestamp),
///   [`WrongSerial`](Fault::WrongSerial), [`OversizedBody`](Fault::OversizedBody).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Process the request, then wait this long before answering.
    Delay(Duration),
    /// Read the whole request, change nothing, close the connection (FIN) without an answer.
    CloseBeforeAnswer,
    /// Process the request, send the status line, headers and the first half of the body, then
    /// reset the connection (TCP RST, `SO_LINGER` 0).
    ResetMidBody,
    /// Process the request (the state changes), then reset the connection without answering:
    /// the request was delivered, the answer lost.
    AnswerLost,
    /// Change nothing; answer `500 {"code":"SYSTEM_ERROR",…}` (signed).
    Status500SystemError,
    /// Change nothing; answer `503` with an HTML page, as a proxy in front of WeChat Pay would
    /// (no JSON, no `Wechatpay-*` headers, no `Request-ID`).
    Status503Html,
    /// Change nothing; answer `429 {"code":"RATELIMIT_EXCEEDED",…}` (signed).
    Status429RateLimited,
    /// Process the request; the answer's `Wechatpay-Signature` is a valid signature of other bytes.
    WrongSignature,
    /// Process the request; the answer's signature is a `WECHATPAY/SIGNTEST/…` probe.
    SigntestProbe,
    /// Process the request; the answer is correctly signed at a timestamp 10 minutes old.
    StaleTimestamp,
    /// Process the request; the answer is correctly signed but names another `Wechatpay-Serial`.
    WrongSerial,
    /// Process the request; the answer body is padded with JSON whitespace to this many bytes
    /// (still valid JSON, correctly signed).
    OversizedBody(usize),
}

impl Fault {
    /// A stable name for counters (`"delay"`, `"reset_mid_body"`, …).
    pub fn name(&self) -> &'static str {
        match self {
            Fault::Delay(_) => "delay",
            Fault::CloseBeforeAnswer => "close_before_answer",
            Fault::ResetMidBody => "reset_mid_body",
            Fault::AnswerLost => "answer_lost",
            Fault::Status500SystemError => "status_500_system_error",
            Fault::Status503Html => "status_503_html",
            Fault::Status429RateLimited => "status_429_rate_limited",
            Fault::WrongSignature => "wrong_signature",
            Fault::SigntestProbe => "signtest_probe",
            Fault::StaleTimestamp => "stale_timestamp",
            Fault::WrongSerial => "wrong_serial",
            Fault::OversizedBody(_) => "oversized_body",
        }
    }

    /// Whether the fault acts instead of processing the request (so the state does not change).
    pub fn prevents_processing(&self) -> bool {
        matches!(
            self,
            Fault::CloseBeforeAnswer
                | Fault::Status500SystemError
                | Fault::Status503Html
                | Fault::Status429RateLimited
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Route(Route),
    AnyRoute,
}

#[derive(Debug, Clone)]
enum Schedule {
    /// Fires on one request number.
    At(u64),
    /// Fires on request numbers in `(after, through]`.
    Range { after: u64, through: u64 },
    /// Fires every time.
    Always,
    /// Fires on every `every`-th request after `base`.
    Every { base: u64, every: u64 },
    /// Fires with a probability, from a seeded generator (deterministic for a seed).
    Random { threshold: u64, state: u64 },
}

#[derive(Debug, Clone)]
struct Rule {
    target: Target,
    schedule: Schedule,
    fault: Fault,
}

#[derive(Debug, Default)]
struct FaultBook {
    rules: Vec<Rule>,
    by_route: BTreeMap<Route, u64>,
    any_route: u64,
}

impl FaultBook {
    fn count_of(&self, target: Target) -> u64 {
        match target {
            Target::Route(r) => self.by_route.get(&r).copied().unwrap_or(0),
            Target::AnyRoute => self.any_route,
        }
    }
}

/// The fault script of a running simulator. Cheap to clone; clones share the script.
#[derive(Clone, Default)]
pub struct Faults {
    book: Arc<Mutex<FaultBook>>,
}

impl fmt::Debug for Faults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let book = self.lock();
        f.debug_struct("Faults")
            .field("rules", &book.rules.len())
            .finish()
    }
}

impl Faults {
    fn lock(&self) -> std::sync::MutexGuard<'_, FaultBook> {
        self.book
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Rules for one route.
    pub fn on(&self, route: Route) -> FaultRules<'_> {
        FaultRules {
            faults: self,
            target: Target::Route(route),
        }
    }

    /// Rules for every route (requests counted over all routes together).
    pub fn on_every_route(&self) -> FaultRules<'_> {
        FaultRules {
            faults: self,
            target: Target::AnyRoute,
        }
    }

    /// Removes every rule.
    pub fn clear(&self) {
        self.lock().rules.clear();
    }

    /// How many rules are still scheduled (one-shot rules that fired are dropped).
    pub fn pending(&self) -> usize {
        self.lock().rules.len()
    }

    fn add(&self, target: Target, make: impl FnOnce(u64) -> Schedule, fault: Fault) {
        let mut book = self.lock();
        let base = book.count_of(target);
        let schedule = make(base);
        book.rules.push(Rule {
            target,
            schedule,
            fault,
        });
    }

    /// Counts one request on `route` and returns the fault to apply, if any.
    pub(crate) fn pick(&self, route: Route) -> Option<Fault> {
        let mut book = self.lock();
        let route_count = book.by_route.get(&route).copied().unwrap_or(0) + 1;
        book.by_route.insert(route, route_count);
        book.any_route += 1;
        let any_count = book.any_route;

        let mut chosen = None;
        for rule in book.rules.iter_mut() {
            let n = match rule.target {
                Target::Route(r) if r == route => route_count,
                Target::Route(_) => continue,
                Target::AnyRoute => any_count,
            };
            let fires = match &mut rule.schedule {
                Schedule::At(at) => n == *at,
                Schedule::Range { after, through } => n > *after && n <= *through,
                Schedule::Always => true,
                Schedule::Every { base, every } => n > *base && (n - *base) % *every == 0,
                Schedule::Random { threshold, state } => next_random(state) < *threshold,
            };
            if fires {
                chosen = Some(rule.fault.clone());
                break;
            }
        }
        // Drop one-shot rules whose request numbers have passed.
        book.rules.retain(|rule| {
            let n = match rule.target {
                Target::Route(r) if r == route => route_count,
                Target::Route(_) => return true,
                Target::AnyRoute => any_count,
            };
            match rule.schedule {
                Schedule::At(at) => n < at,
                Schedule::Range { through, .. } => n < through,
                _ => true,
            }
        });
        chosen
    }
}

/// splitmix64: a small deterministic generator, plenty for "fail about 10 % of the time".
fn next_random(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Adds rules for one route (or every route); see [`Faults::on`]. Methods chain.
///
/// Request numbers count from when each rule is added: `nth(1, …)` is the next request.
#[derive(Clone, Copy)]
pub struct FaultRules<'a> {
    faults: &'a Faults,
    target: Target,
}

impl fmt::Debug for FaultRules<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FaultRules")
            .field("target", &self.target)
            .finish()
    }
}

impl<'a> FaultRules<'a> {
    /// The `n`-th request from now (1 is the next one) gets `fault`. `n` = 0 counts as 1.
    pub fn nth(self, n: u64, fault: Fault) -> Self {
        let n = n.max(1);
        self.faults
            .add(self.target, |base| Schedule::At(base + n), fault);
        self
    }

    /// The next request gets `fault`.
    pub fn next(self, fault: Fault) -> Self {
        self.nth(1, fault)
    }

    /// The next `count` requests get `fault`.
    pub fn times(self, count: u64, fault: Fault) -> Self {
        self.faults.add(
            self.target,
            |base| Schedule::Range {
                after: base,
                through: base + count,
            },
            fault,
        );
        self
    }

    /// Every request gets `fault` until [`Faults::clear`].
    pub fn always(self, fault: Fault) -> Self {
        self.faults.add(self.target, |_| Schedule::Always, fault);
        self
    }

    /// Every `k`-th request from now gets `fault` (deterministic; `k` = 0 counts as 1).
    pub fn every(self, k: u64, fault: Fault) -> Self {
        let every = k.max(1);
        self.faults
            .add(self.target, |base| Schedule::Every { base, every }, fault);
        self
    }

    /// Each request gets `fault` with `probability` (0.0–1.0), drawn from a generator seeded with
    /// `seed`: the same seed gives the same sequence of decisions.
    pub fn randomly(self, probability: f64, seed: u64, fault: Fault) -> Self {
        let p = if probability.is_nan() {
            0.0
        } else {
            probability.clamp(0.0, 1.0)
        };
        // p · 2^64, saturating at the top; a draw below it fires.
        let threshold = if p >= 1.0 {
            u64::MAX
        } else {
            (p * 18_446_744_073_709_551_616.0) as u64
        };
        self.faults.add(
            self.target,
            |_| Schedule::Random {
                threshold,
                state: seed,
            },
            fault,
        );
        self
    }

    /// Removes the rules of this route (or, for [`Faults::on_every_route`], the every-route rules).
    pub fn clear(self) -> Self {
        let target = self.target;
        self.faults.lock().rules.retain(|r| r.target != target);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_fire_on_their_requests() {
        let faults = Faults::default();
        faults.pick(Route::DeactivateStock); // before the rule: not counted for it
        faults
            .on(Route::DeactivateStock)
            .nth(2, Fault::AnswerLost)
            .every(3, Fault::WrongSerial);
        let seen: Vec<Option<&'static str>> = (0..6)
            .map(|_| faults.pick(Route::DeactivateStock).map(|f| f.name()))
            .collect();
        assert_eq!(
            seen,
            vec![
                None,
                Some("answer_lost"),
                Some("wrong_serial"),
                None,
                None,
                Some("wrong_serial")
            ]
        );
        assert_eq!(faults.pick(Route::GetStock), None);
        assert_eq!(faults.pending(), 1);

        faults.clear();
        faults
            .on_every_route()
            .times(2, Fault::Status500SystemError);
        assert!(faults.pick(Route::GetStock).is_some());
        assert!(faults.pick(Route::ListStocks).is_some());
        assert!(faults.pick(Route::ListStocks).is_none());
        assert_eq!(faults.pending(), 0);
    }

    #[test]
    fn random_is_deterministic_per_seed() {
        let run = |seed| {
            let faults = Faults::default();
            faults
                .on(Route::GetStock)
                .randomly(0.3, seed, Fault::SigntestProbe);
            (0..200)
                .map(|_| faults.pick(Route::GetStock).is_some())
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        let hits = run(7).iter().filter(|h| **h).count();
        assert!((30..90).contains(&hits), "{hits}");
    }
}
