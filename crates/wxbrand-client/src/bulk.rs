//! Bulk jobs: many repeat-safe operations with bounded concurrency under the client's rate limit,
//! each result handed out as it completes, with a request number per item that a re-run of the
//! job gives again, so that running a job twice (after a crash, a kill, a Ctrl-C) acts once per
//! item: WeChat Pay answers the first result again for a request number it knows.
//!
//! An item type says what one item is and which request it becomes ([`BulkItem`]); a
//! [`BulkJob`] (a [`JobId`] and a concurrency) runs any number of them through
//! [`Client::send`](crate::Client::send), which applies the client's rate limit, retries and
//! failover to each call. The stream ([`BulkStream`]) yields one [`BulkOutcome`] per item, in the
//! order they complete.
//!
//! ```no_run
//! use std::num::NonZeroUsize;
//! use futures_util::StreamExt;
//! use wxbrand_client::bulk::{BulkItem, BulkJob, JobId};
//! use wxbrand_client::{Client, ValidationError};
//! use wxbrand_core::field::OutRequestNo;
//! use wxbrand_core::product_coupon::DeactivateStockRequest;
//!
//! /// One stock to deactivate (`wxbrand-product-coupon` has this as `DeactivateStockItem`).
//! struct Stock { coupon: String, stock: String }
//!
//! impl BulkItem for Stock {
//!     type Operation = DeactivateStockRequest;
//!     fn identity(&self) -> Vec<&str> {
//!         vec![&self.coupon, &self.stock]
//!     }
//!     fn request(&self, no: &OutRequestNo) -> Result<DeactivateStockRequest, ValidationError> {
//!         DeactivateStockRequest::new(&*self.coupon, &*self.stock, no.as_str(), "活动结束")
//!     }
//! }
//!
//! # async fn run(client: Client, stocks: Vec<Stock>) -> Result<(), Box<dyn std::error::Error>> {
//! let job = BulkJob::new(JobId::new("campaign-2025-06")?, NonZeroUsize::new(8).unwrap());
//! let mut results = job.run(&client, stocks);
//! while let Some(done) = results.next().await {
//!     match &done.result {
//!         Ok(stock) => println!("{} {:?}", done.index, stock.state),
//!         Err(error) => eprintln!("{} failed: {error}", done.index),
//!     }
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # The request number of an item
//! [`BulkJob::out_request_no`] gives, for job id `J` and the item's identity parts
//! `p1 … pn` ([`BulkItem::identity`]):
//!
//! ```text
//! out_request_no = first 15 characters of J  +  "-"  +  first 24 hex digits of
//!                  SHA-256( len(J) ‖ J ‖ len(p1) ‖ p1 ‖ … ‖ len(pn) ‖ pn )
//! ```
//!
//! where `len(x)` is the UTF-8 byte length of `x` as 8 bytes big-endian (so that no two lists of
//! parts give the same bytes). A job id is 1 to 32 characters of `[0-9A-Za-z_-]`, so the number
//! is 26 to 40 characters of `[0-9A-Za-z_-]`: always a valid [`OutRequestNo`]. The whole job id
//! is hashed (two job ids sharing their first 15 characters still give different numbers); the
//! prefix only makes a number easy to trace back to its job. 96 bits of hash make a collision
//! between two items of one brand negligible (about 2⁻⁴⁸ after 2⁴⁸ items).
//!
//! The identity is what makes an item the same item in a re-run, and nothing else: for a stock
//! deactivation, the two ids of the stock (not the reason, so a re-run with another reason still
//! acts once). Re-running a job with the same id and the same items sends the same numbers; a new
//! job id sends new ones.
//!
//! # Stopping
//! [`BulkStream::stopper`] gives a handle that stops starting items: those already started
//! finish and are handed out, then the stream ends. Dropping the stream cancels the calls in
//! flight (a cancelled call may or may not have reached WeChat Pay; a re-run with the same job id
//! settles it).

use std::fmt;
use std::num::NonZeroUsize;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_core::Stream;
use futures_util::stream::StreamExt;
use wxbrand_core::field::OutRequestNo;
use wxbrand_core::validate::{allowed_chars, char_count};
use wxbrand_core::{Operation, ValidationError};

use crate::{Client, Error, Response};

/// Longest [`JobId`].
pub const JOB_ID_MAX_CHARS: usize = 32;
/// How many characters of the job id begin each request number.
pub const JOB_ID_PREFIX_CHARS: usize = 15;
/// How many hex digits of the SHA-256 end each request number (96 bits).
pub const KEY_HASH_HEX_DIGITS: usize = 24;

const JOB_ID_REQUIREMENT: &str = "1 to 32 characters of [0-9A-Za-z_-]";

/// The id of a bulk job: 1 to 32 characters of `[0-9A-Za-z_-]` (safe in a request number and in
/// a file name). The same id and the same items give the same request numbers.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct JobId(String);

impl JobId {
    /// Checks the rule; the error names the field `job_id`.
    pub fn new(value: impl Into<String>) -> Result<Self, ValidationError> {
        let value = value.into();
        char_count("job_id", &value, 1, JOB_ID_MAX_CHARS, JOB_ID_REQUIREMENT)?;
        allowed_chars("job_id", &value, JOB_ID_REQUIREMENT, |c| {
            c.is_ascii_alphanumeric() || c == '_' || c == '-'
        })?;
        Ok(JobId(value))
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One item of a bulk job: what makes it this item, and the request it becomes.
///
/// Implementing it is the whole of adding an operation to bulk jobs. The operation must be
/// repeat-safe ([`Operation::REPEAT_SAFE`]): [`BulkJob::run`] refuses any other at compile time.
pub trait BulkItem {
    /// The operation the item becomes; it must be [`REPEAT_SAFE`](Operation::REPEAT_SAFE).
    type Operation: Operation;

    /// The parts that identify the item across runs of a job (e.g. the product coupon id and the
    /// stock id), hashed into its request number (see the [module docs](self)). Two items of one
    /// job with the same identity get the same number, so WeChat Pay acts on the first only.
    fn identity(&self) -> Vec<&str>;

    /// The request for this item, carrying `out_request_no` as its request number.
    fn request(&self, out_request_no: &OutRequestNo) -> Result<Self::Operation, ValidationError>;
}

/// A bulk job: its id (which fixes every item's request number) and how many calls may be in
/// flight at once. The client's rate limit applies on top (calls over it wait their turn).
#[derive(Debug, Clone)]
pub struct BulkJob {
    id: JobId,
    concurrency: NonZeroUsize,
}

/// What came of one item.
#[non_exhaustive]
pub struct BulkOutcome<I: BulkItem> {
    /// The item's position in the items given to [`BulkJob::run`], from 0.
    pub index: usize,
    /// The item itself.
    pub item: I,
    /// The request number it was sent with ([`BulkJob::out_request_no`]).
    pub out_request_no: String,
    /// The verified answer, or why the call failed (after the client's retries). An item whose
    /// request cannot be built is [`ErrorKind::InvalidRequest`](crate::ErrorKind::InvalidRequest)
    /// and was not sent.
    pub result: Result<Response<<I::Operation as Operation>::Response>, Error>,
}

impl<I> fmt::Debug for BulkOutcome<I>
where
    I: BulkItem + fmt::Debug,
    <I::Operation as Operation>::Response: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BulkOutcome")
            .field("index", &self.index)
            .field("item", &self.item)
            .field("out_request_no", &self.out_request_no)
            .field("result", &self.result)
            .finish()
    }
}

/// Refuses a non-repeat-safe operation when [`BulkJob::run`] is compiled for it.
struct RepeatSafe<O>(std::marker::PhantomData<O>);

impl<O: Operation> RepeatSafe<O> {
    const CHECK: () = assert!(
        O::REPEAT_SAFE,
        "bulk jobs run only repeat-safe operations (Operation::REPEAT_SAFE): a re-run must not act twice"
    );
}

impl BulkJob {
    /// A job with this id, at most `concurrency` calls in flight.
    pub fn new(id: JobId, concurrency: NonZeroUsize) -> Self {
        BulkJob { id, concurrency }
    }

    /// The job id.
    pub fn id(&self) -> &JobId {
        &self.id
    }

    /// The largest number of calls in flight.
    pub fn concurrency(&self) -> NonZeroUsize {
        self.concurrency
    }

    /// The request number of `item` in this job (the formula is in the [module docs](self)):
    /// always a valid [`OutRequestNo`] for a valid [`JobId`].
    pub fn out_request_no<I: BulkItem + ?Sized>(&self, item: &I) -> String {
        out_request_no(&self.id, &item.identity())
    }

    /// Runs `items` (read lazily, as calls complete): at most [`concurrency`](Self::concurrency)
    /// calls in flight, each through [`Client::send`] (rate limit, retries, failover, checks),
    /// each outcome handed out as it completes.
    ///
    /// Building a program that calls this for an operation that is not
    /// [`REPEAT_SAFE`](Operation::REPEAT_SAFE) fails with "bulk jobs run only repeat-safe
    /// operations" (a constant evaluated per operation: `cargo build` and `cargo test` report it,
    /// `cargo check` alone does not):
    ///
    /// ```compile_fail
    /// # use std::num::NonZeroUsize;
    /// # use wxbrand_client::bulk::{BulkItem, BulkJob, JobId};
    /// # use wxbrand_client::{Client, ValidationError};
    /// # use wxbrand_core::field::OutRequestNo;
    /// # use wxbrand_core::{Method, NoBody, Operation};
    /// struct Unsafe;
    /// impl Operation for Unsafe {
    ///     const NAME: &'static str = "unsafe";
    ///     const METHOD: Method = Method::Post;
    ///     const PATH: &'static str = "/x";
    ///     type Body = NoBody;
    ///     type Response = serde_json::Value;
    /// }
    /// struct Item;
    /// impl BulkItem for Item {
    ///     type Operation = Unsafe;
    ///     fn identity(&self) -> Vec<&str> { vec!["x"] }
    ///     fn request(&self, _: &OutRequestNo) -> Result<Unsafe, ValidationError> { Ok(Unsafe) }
    /// }
    /// fn run(client: Client) -> Result<(), ValidationError> {
    ///     let job = BulkJob::new(JobId::new("job")?, NonZeroUsize::MIN);
    ///     let _results = job.run(&client, vec![Item]); // error: only repeat-safe operations
    ///     Ok(())
    /// }
    /// # fn main() { let _compiled: fn(Client) -> Result<(), ValidationError> = run; }
    /// ```
    pub fn run<I, It>(&self, client: &Client, items: It) -> BulkStream<I>
    where
        I: BulkItem + Send + 'static,
        I::Operation: Send + Sync + 'static,
        <I::Operation as Operation>::Response: Send + 'static,
        It: IntoIterator<Item = I>,
        It::IntoIter: Send + 'static,
    {
        #[allow(clippy::let_unit_value)]
        let () = RepeatSafe::<I::Operation>::CHECK;
        let stopped = Arc::new(AtomicBool::new(false));
        let source_stopped = Arc::clone(&stopped);
        let client = client.clone();
        let id = self.id.clone();
        let items = items
            .into_iter()
            .enumerate()
            .take_while(move |_| !source_stopped.load(Ordering::SeqCst));
        let outcomes = futures_util::stream::iter(items)
            .map(move |(index, item)| {
                let client = client.clone();
                let out_request_no = out_request_no(&id, &item.identity());
                async move {
                    let request = OutRequestNo::new(out_request_no.as_str())
                        .and_then(|number| item.request(&number));
                    let result = match request {
                        Ok(request) => client.send(&request).await,
                        Err(invalid) => Err(Error::from(invalid)),
                    };
                    BulkOutcome {
                        index,
                        item,
                        out_request_no,
                        result,
                    }
                }
            })
            .buffer_unordered(self.concurrency.get());
        BulkStream {
            inner: Box::pin(outcomes),
            stopped,
        }
    }
}

/// The outcomes of a bulk job as they complete ([`BulkJob::run`]).
pub struct BulkStream<I: BulkItem> {
    inner: Pin<Box<dyn Stream<Item = BulkOutcome<I>> + Send>>,
    stopped: Arc<AtomicBool>,
}

impl<I: BulkItem> fmt::Debug for BulkStream<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BulkStream")
            .field("stopped", &self.stopped.load(Ordering::SeqCst))
            .finish_non_exhaustive()
    }
}

impl<I: BulkItem> BulkStream<I> {
    /// A handle that stops the job from starting more items (see [`BulkStopper::stop`]).
    pub fn stopper(&self) -> BulkStopper {
        BulkStopper {
            stopped: Arc::clone(&self.stopped),
        }
    }
}

impl<I: BulkItem> Stream for BulkStream<I> {
    type Item = BulkOutcome<I>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

/// Stops a [`BulkStream`] from starting items; cheap to clone, usable from a signal handler's task.
#[derive(Debug, Clone)]
pub struct BulkStopper {
    stopped: Arc<AtomicBool>,
}

impl BulkStopper {
    /// No item is started after this; the calls in flight finish and are handed out, then the
    /// stream ends. The items not started are not handed out (a re-run of the job does them).
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
    }

    /// Whether [`stop`](Self::stop) was called.
    pub fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::SeqCst)
    }
}

/// The request number of the item with `identity` in job `id` (the formula in the module docs):
/// 26 to 40 characters of `[0-9A-Za-z_-]` (a job id is 1–32 of them, 15 at most are kept, then
/// `-` and 24 hex digits), so always a valid [`OutRequestNo`].
fn out_request_no(id: &JobId, identity: &[&str]) -> String {
    let mut hashed = Vec::with_capacity(64);
    for part in std::iter::once(id.as_str()).chain(identity.iter().copied()) {
        hashed.extend_from_slice(&(part.len() as u64).to_be_bytes());
        hashed.extend_from_slice(part.as_bytes());
    }
    let digest = wxbrand_sign::sha256(&hashed);
    let mut number: String = id.as_str().chars().take(JOB_ID_PREFIX_CHARS).collect();
    number.push('-');
    for byte in &digest[..KEY_HASH_HEX_DIGITS / 2] {
        number.push_str(&format!("{byte:02x}"));
    }
    number
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn numbers_are_valid_deterministic_and_distinct() {
        let job = JobId::new("campaign-2025-06-end_of_season_x").unwrap();
        let a = out_request_no(&job, &["1000000013", "1000000013001"]);
        assert_eq!(a, out_request_no(&job, &["1000000013", "1000000013001"]));
        assert_eq!(a.len(), 40, "{a}");
        assert!(OutRequestNo::new(a.as_str()).is_ok());
        assert!(a.as_str().starts_with("campaign-2025-0-"), "{a}");
        assert_ne!(a, out_request_no(&job, &["1000000013", "1000000013002"]));
        // Parts are length-prefixed: moving a boundary changes the number.
        assert_ne!(
            out_request_no(&job, &["10000000130", "1000000013001"]),
            out_request_no(&job, &["1000000013", "01000000013001"])
        );
        // The whole job id is hashed, not only its prefix.
        let other = JobId::new("campaign-2025-06-end_of_season_y").unwrap();
        assert_ne!(a, out_request_no(&other, &["1000000013", "1000000013001"]));
        let short = out_request_no(&JobId::new("j").unwrap(), &[]);
        assert_eq!(short.len(), 26, "{short}");
        assert!(OutRequestNo::new(short).is_ok());
    }

    #[test]
    fn the_formula_is_the_documented_one() {
        let job = JobId::new("job1").unwrap();
        let mut bytes = Vec::new();
        for part in ["job1", "a", "bc"] {
            bytes.extend_from_slice(&(part.len() as u64).to_be_bytes());
            bytes.extend_from_slice(part.as_bytes());
        }
        let digest = wxbrand_sign::sha256(&bytes);
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            out_request_no(&job, &["a", "bc"]),
            format!("job1-{}", &hex[..24])
        );
    }

    #[test]
    fn job_ids_follow_their_rule() {
        assert!(JobId::new("").is_err());
        assert!(JobId::new("a".repeat(33)).is_err());
        assert!(JobId::new("a".repeat(32)).is_ok());
        let error = JobId::new("job 1").unwrap_err();
        assert_eq!(error.field(), "job_id");
        assert!(JobId::new("job/1").is_err());
    }
}
