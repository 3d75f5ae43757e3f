//! Bulk jobs (`wxbrand_client::bulk`) of stock deactivations against the simulator over real
//! sockets: the concurrency bound holds, request numbers are the job's and the item's and nothing
//! else, a re-run after a stop (with lost answers on the way) deactivates each stock once, and a
//! bad item fails alone; coupon sends to users, re-run after faults, give each user one coupon.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use wxbrand_client::bulk::{BulkJob, BulkOutcome, JobId};
use wxbrand_client::clock::{ManualClock, NoSleep};
use wxbrand_client::{Client, ErrorKind, RetryPolicy, Transport, TransportError};
use wxbrand_product_coupon::{operation_name, DeactivateStockItem, SendUserCouponItem, StockState};
use wxbrand_simulator::{sample_stock, Fault, Route, Simulator, SimulatorHandle};
use wxbrand_transport::HyperTransport;

const COUPON: &str = "1000000013";

fn stock_id(i: usize) -> String {
    format!("{}{:03}", COUPON, i)
}

fn items(count: usize) -> Vec<DeactivateStockItem> {
    (0..count)
        .map(|i| DeactivateStockItem::new(COUPON, stock_id(i), "活动结束"))
        .collect()
}

/// A simulator (plain HTTP, no rate limit) with `count` SENDING stocks of one coupon.
async fn simulator(count: usize) -> SimulatorHandle {
    let mut builder = Simulator::ephemeral().rate_limit_per_second(None);
    for i in 0..count {
        builder = builder.stock(sample_stock(COUPON, &stock_id(i), StockState::Sending).unwrap());
    }
    builder.start().await.unwrap()
}

/// A transport that counts the requests in flight and remembers the most at once.
#[derive(Debug)]
struct Counting {
    inner: HyperTransport,
    now: AtomicUsize,
    most: AtomicUsize,
}

#[async_trait::async_trait]
impl Transport for Counting {
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(now, Ordering::SeqCst);
        let answer = self.inner.send(request).await;
        self.now.fetch_sub(1, Ordering::SeqCst);
        answer
    }
}

/// A client of `sim` without a client-side limit on deactivations and without waits between
/// retries, over `transport` when given.
fn client(sim: &SimulatorHandle, transport: Option<Arc<dyn Transport>>) -> Client {
    let mut builder = wxbrand::test_util::client_builder(&sim.connection().unwrap())
        .without_rate_limit(operation_name::DEACTIVATE_STOCK)
        .sleeper(Arc::new(NoSleep));
    if let Some(transport) = transport {
        builder = builder.transport(transport);
    }
    builder.build().unwrap()
}

fn job(id: &str, concurrency: usize) -> BulkJob {
    BulkJob::new(
        JobId::new(id).unwrap(),
        NonZeroUsize::new(concurrency).unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_more_calls_in_flight_than_the_concurrency() {
    let sim = simulator(24).await;
    // Each answer takes 40 ms, so calls pile up to the bound if nothing holds them back.
    sim.faults()
        .on(Route::DeactivateStock)
        .always(Fault::Delay(Duration::from_millis(40)));
    let counting = Arc::new(Counting {
        inner: HyperTransport::builder().build().unwrap(),
        now: AtomicUsize::new(0),
        most: AtomicUsize::new(0),
    });
    let client = client(&sim, Some(counting.clone()));
    let outcomes: Vec<_> = job("bound", 4).run(&client, items(24)).collect().await;
    assert_eq!(outcomes.len(), 24);
    assert!(outcomes.iter().all(|o| o.result.is_ok()));
    assert_eq!(counting.most.load(Ordering::SeqCst), 4);
    let mut indexes: Vec<usize> = outcomes.iter().map(|o| o.index).collect();
    indexes.sort_unstable();
    assert_eq!(indexes, (0..24).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rerun_after_a_stop_deactivates_each_stock_once_with_the_same_numbers() {
    let sim = simulator(40).await;
    // Lost answers after the state changed: the client retries with the same number.
    sim.faults()
        .on(Route::DeactivateStock)
        .randomly(0.15, 7, Fault::AnswerLost);
    let client = client(&sim, None);
    let job = job("rerun-2025", 5);

    // First run: stop after 12 outcomes (the calls in flight finish).
    let mut first = job.run(&client, items(40));
    let stopper = first.stopper();
    let mut numbers: HashMap<String, String> = HashMap::new();
    let mut first_done = 0;
    while let Some(outcome) = first.next().await {
        let BulkOutcome {
            item,
            out_request_no,
            result,
            ..
        } = outcome;
        // An item whose every attempt lost its answer fails here (rare, but the faults are
        // random): the stock changed all the same, and the second run settles it.
        first_done += 1;
        if result.is_ok() {
            numbers.insert(item.stock_id, out_request_no);
        }
        if first_done == 12 {
            stopper.stop();
        }
    }
    assert!(stopper.is_stopped());
    assert!(
        (12..=12 + 5).contains(&first_done),
        "in flight finish, nothing new starts: {first_done}"
    );

    assert!(sim.stats().faults("answer_lost") > 0);

    // Second run: every item again, as after a crash with no record of the first run (without
    // faults, so that every outcome can be checked).
    sim.faults().clear();
    let second: Vec<_> = job.run(&client, items(40)).collect().await;
    assert_eq!(second.len(), 40);
    for outcome in &second {
        let stock = outcome.result.as_ref().unwrap();
        assert_eq!(stock.state, StockState::Deactivated);
        assert_eq!(outcome.out_request_no, job.out_request_no(&outcome.item));
        assert_eq!(
            stock.deactivate_request_no.as_deref(),
            Some(outcome.out_request_no.as_str())
        );
        if let Some(first_number) = numbers.get(&outcome.item.stock_id) {
            assert_eq!(first_number, &outcome.out_request_no);
        }
    }
    let stats = sim.stats();
    for i in 0..40 {
        assert_eq!(stats.deactivations_of(COUPON, &stock_id(i)), 1, "stock {i}");
    }

    // The reason is not part of an item's identity; the job id is.
    let mut other_reason = items(1).remove(0);
    other_reason.deactivate_reason = "另一个原因".into();
    assert_eq!(
        job.out_request_no(&other_reason),
        job.out_request_no(&items(1)[0])
    );
    assert_ne!(
        self::job("another-job", 5).out_request_no(&items(1)[0]),
        job.out_request_no(&items(1)[0])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_item_fails_alone_and_is_not_sent() {
    let sim = simulator(3).await;
    let client = client(&sim, None);
    let mut given = items(3);
    given.insert(1, DeactivateStockItem::new(COUPON, "bad/id", "r"));
    given.push(DeactivateStockItem::new(COUPON, stock_id(9), ""));
    let mut outcomes: Vec<_> = job("bad-items", 2).run(&client, given).collect().await;
    outcomes.sort_by_key(|o| o.index);
    let failed: Vec<usize> = outcomes
        .iter()
        .filter(|o| o.result.is_err())
        .map(|o| o.index)
        .collect();
    assert_eq!(failed, [1, 4]);
    for index in failed {
        let error = outcomes[index].result.as_ref().unwrap_err();
        assert!(
            matches!(error.kind(), ErrorKind::InvalidRequest(_)),
            "{error:?}"
        );
    }
    assert_eq!(sim.stats().requests_on(Route::DeactivateStock), 3);
}

const STOCK: &str = "1000000013001";
const APPID: &str = "wx1234567890abcdef";
/// 2026-06-01T00:00:00+08:00, inside the sample stock's period (2026).
const JUNE_1: i64 = 1_780_243_200;

fn user(i: usize) -> String {
    format!("oBulk{i:023}")
}

fn sends(users: usize) -> Vec<SendUserCouponItem> {
    (0..users)
        .map(|i| SendUserCouponItem::new(user(i), COUPON, STOCK, APPID).attach(format!("row {i}")))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rerun_of_sends_after_faults_gives_each_user_exactly_one_coupon() {
    const USERS: usize = 50;
    // Up to 5 coupons per user: only the request numbers keep a re-run from sending a second.
    let mut stock = sample_stock(COUPON, STOCK, StockState::Sending).unwrap();
    let rule = stock.stock_send_rule.as_mut().unwrap();
    rule.max_count_per_user = Some(5);
    let sim = Simulator::ephemeral()
        .rate_limit_per_second(None)
        .clock(wxbrand_simulator::clock::ManualClock::at_unix_seconds(
            JUNE_1,
        ))
        .stock(stock)
        .start()
        .await
        .unwrap();
    sim.faults()
        .on(Route::SendUserCoupon)
        .randomly(0.1, 21, Fault::AnswerLost)
        .randomly(0.1, 22, Fault::ResetMidBody)
        .randomly(0.1, 23, Fault::Status500SystemError);
    let builder = wxbrand::test_util::client_builder(&sim.connection().unwrap())
        .clock(Arc::new(ManualClock::new(JUNE_1)))
        .sleeper(Arc::new(NoSleep));
    // The first run without retries: a fault fails its item (a lost answer after the coupon was
    // made among them), as a crash would leave it.
    let first_client = builder
        .clone()
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap();
    let job = job("welcome-2026", 6);
    let first: Vec<_> = job.run(&first_client, sends(USERS)).collect().await;
    let failed = first.iter().filter(|o| o.result.is_err()).count();
    assert!(failed > 0, "some sends failed in the first run");

    // The re-run, with retries and without faults (so that every outcome can be checked): every
    // row again, user 0 twice (the same send).
    sim.faults().clear();
    let client = builder.build().unwrap();
    let mut again = sends(USERS);
    again.push(again[0].clone());
    let second: Vec<_> = job.run(&client, again).collect().await;
    assert_eq!(second.len(), USERS + 1);
    let mut codes: HashMap<String, String> = HashMap::new();
    for outcome in &second {
        let coupon = outcome.result.as_ref().unwrap();
        assert_eq!(outcome.out_request_no, job.out_request_no(&outcome.item));
        assert_eq!(
            coupon.send_request_no.as_deref(),
            Some(outcome.out_request_no.as_str())
        );
        let code = codes
            .entry(outcome.item.openid.clone())
            .or_insert_with(|| coupon.coupon_code.clone());
        assert_eq!(code, &coupon.coupon_code, "one coupon per user");
    }
    for i in 0..USERS {
        assert_eq!(sim.user_coupons(&user(i)).len(), 1, "user {i}");
    }
    let sent = sim.stock(COUPON, STOCK).unwrap().sent_count_info.unwrap();
    assert_eq!(sent.total_count, Some(USERS as i64));
    let stats = sim.stats();
    for fault in ["answer_lost", "reset_mid_body", "status_500_system_error"] {
        assert!(stats.faults(fault) > 0, "{fault} injected");
    }

    // The identity: the user, the stock and the code when given; not the appid or attach.
    let one = &sends(1)[0];
    let mut other = one.clone();
    other.appid = "wx0000000000000001".into();
    other.attach = None;
    assert_eq!(job.out_request_no(&other), job.out_request_no(one));
    assert_ne!(
        job.out_request_no(&one.clone().coupon_code("Code_0001")),
        job.out_request_no(one)
    );
    assert_ne!(
        job.out_request_no(&SendUserCouponItem::new(user(1), COUPON, STOCK, APPID)),
        job.out_request_no(one)
    );
}
