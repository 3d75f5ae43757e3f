//! The whole stack against the simulator over real sockets and TLS: happy paths, every fault of
//! the simulator, answers that must be rejected, host failover, load and the rate limit.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use wxbrand_client::clock::{Clock, ManualClock, NoSleep, SystemClock};
use wxbrand_client::{ClientBuilder, ErrorKind, RateLimit, RetryPolicy};
use wxbrand_product_coupon::{
    DeactivateStockRequest, GetStockRequest, ListStocksRequest, ProductCouponExt, StockState,
};
use wxbrand_sign::VerifyError;
use wxbrand_simulator::{sample_stock, Fault, Route, Simulator, SimulatorBuilder, SimulatorHandle};
use wxbrand_transport::TransportErrorKind;

const COUPON: &str = "1000000013";

fn stocks(count: usize) -> Vec<wxbrand_product_coupon::StockEntity> {
    (0..count)
        .map(|i| sample_stock(COUPON, &format!("{}", 5_000_000 + i), StockState::Sending).unwrap())
        .collect()
}

async fn simulator(
    count: usize,
    configure: impl FnOnce(SimulatorBuilder) -> SimulatorBuilder,
) -> SimulatorHandle {
    configure(Simulator::ephemeral().tls(true).stocks(stocks(count)))
        .start()
        .await
        .unwrap()
}

/// A client for `sim` over TLS that trusts its CA and does not wait between retries, over the
/// suite's transport (`crate::over_suite_transport`).
fn client_for(sim: &SimulatorHandle) -> ClientBuilder {
    let builder =
        wxbrand::test_util::client_builder(&sim.connection().unwrap()).sleeper(Arc::new(NoSleep));
    crate::over_suite_transport(builder, sim)
}

/// The transport this suite runs over: the client's default (hyper) here. The workspace root's
/// `tests/reqwest_suite.rs` runs this file once more as a module, where `crate::` names its own
/// `over_suite_transport` (a reqwest client) and this one goes unused.
#[allow(dead_code)]
fn over_suite_transport(builder: ClientBuilder, _sim: &SimulatorHandle) -> ClientBuilder {
    builder
}

fn stock_id(i: usize) -> String {
    format!("{}", 5_000_000 + i)
}

fn deactivation(i: usize, out_request_no: &str) -> DeactivateStockRequest {
    DeactivateStockRequest::new(COUPON, stock_id(i), out_request_no, "批次信息有误,重新创建")
        .unwrap()
}

#[tokio::test]
async fn the_three_operations_and_paging() {
    let sim = simulator(45, |b| b).await;
    let client = client_for(&sim).build().unwrap();
    let api = client.product_coupon();

    let before = api
        .get_stock(GetStockRequest::new(COUPON, stock_id(3)).unwrap())
        .await
        .unwrap();
    assert_eq!(before.state, StockState::Sending);
    assert!(before.request_id().is_some());

    let stock = api
        .deactivate_stock(deactivation(3, "happy_0003"))
        .await
        .unwrap();
    assert_eq!(stock.state, StockState::Deactivated);
    assert_eq!(stock.deactivate_request_no.as_deref(), Some("happy_0003"));
    assert_eq!(
        stock.deactivate_reason.as_deref(),
        Some("批次信息有误,重新创建")
    );
    assert_eq!(stock.attempts(), 1);
    assert!(stock.request_id().unwrap().starts_with("08SIM"));

    let page = api
        .list_stocks(
            ListStocksRequest::new(COUPON)
                .unwrap()
                .page_size(10)
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(page.stock_list.len(), 10);
    assert_eq!(page.total_count, Some(45));
    assert!(page.next_page_token.is_some());

    let all: Vec<_> = api
        .list_all_stocks(
            ListStocksRequest::new(COUPON)
                .unwrap()
                .page_size(10)
                .unwrap(),
        )
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(all.len(), 45);
    let ids: std::collections::BTreeSet<_> = all.iter().map(|s| s.stock_id.clone()).collect();
    assert_eq!(ids.len(), 45, "every stock exactly once");
    assert_eq!(
        all.iter()
            .filter(|s| s.state == StockState::Deactivated)
            .count(),
        1
    );

    let deactivated: Vec<_> = api
        .list_all_stocks(
            ListStocksRequest::new(COUPON)
                .unwrap()
                .state(StockState::Deactivated),
        )
        .collect::<Vec<_>>()
        .await;
    assert_eq!(deactivated.len(), 1);
    assert_eq!(sim.stats().rejections("SIGN_ERROR"), 0);
}

#[tokio::test]
async fn api_errors_are_typed_and_not_retried() {
    let sim = simulator(2, |b| b).await;
    let client = client_for(&sim).build().unwrap();
    let api = client.product_coupon();
    api.deactivate_stock(deactivation(0, "first_0000"))
        .await
        .unwrap();

    // A new request number on a deactivated stock: 400 INVALID_REQUEST.
    let error = api
        .deactivate_stock(deactivation(0, "second_0000"))
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(400));
    assert_eq!(
        error.api_error().unwrap().code().unwrap().as_str(),
        "INVALID_REQUEST"
    );
    assert_eq!(error.attempts(), 1);
    assert!(error.request_id().is_some());

    // An unknown stock: 404.
    let error = api
        .get_stock(GetStockRequest::new(COUPON, "404404").unwrap())
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(404));
    assert_eq!(error.attempts(), 1);
    assert_eq!(sim.stats().requests_on(Route::GetStock), 1);

    // The same request number again: the first answer, nothing changes.
    let again = api
        .deactivate_stock(deactivation(0, "first_0000"))
        .await
        .unwrap();
    assert_eq!(again.deactivate_request_no.as_deref(), Some("first_0000"));
    assert_eq!(sim.stats().deactivations_of(COUPON, &stock_id(0)), 1);
}

#[tokio::test]
async fn a_wrong_brand_key_is_a_sign_error() {
    let sim = simulator(1, |b| b).await;
    let other = Simulator::ephemeral().start().await.unwrap();
    let client = client_for(&sim)
        .private_key(other.ephemeral_brand().unwrap().private_key().clone())
        .build()
        .unwrap();
    let error = client
        .product_coupon()
        .deactivate_stock(deactivation(0, "wrongkey_1"))
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(401));
    assert_eq!(
        error.api_error().unwrap().code().unwrap().as_str(),
        "SIGN_ERROR"
    );
    assert_eq!(error.attempts(), 1);
    assert_eq!(sim.stats().deactivations_of(COUPON, &stock_id(0)), 0);
}

/// Faults the client survives: retried, succeeded, the stock deactivated exactly once.
#[tokio::test]
async fn recoverable_faults_are_retried_and_act_once() {
    let faults = [
        Fault::CloseBeforeAnswer,
        Fault::ResetMidBody,
        Fault::AnswerLost,
        Fault::Status500SystemError,
        Fault::Status503Html,
        Fault::Status429RateLimited,
    ];
    let sim = simulator(faults.len() + 1, |b| b).await;
    let client = client_for(&sim).build().unwrap();
    for (i, fault) in faults.iter().enumerate() {
        // The fault strikes twice in a row; the third attempt gets through.
        sim.faults()
            .on(Route::DeactivateStock)
            .times(2, fault.clone());
        let stock = client
            .product_coupon()
            .deactivate_stock(deactivation(i, &format!("fault_{i:04}")))
            .await
            .unwrap_or_else(|e| panic!("{fault:?}: {e:?}"));
        assert_eq!(stock.state, StockState::Deactivated, "{fault:?}");
        assert_eq!(stock.attempts(), 3, "{fault:?}");
        assert_eq!(
            stock.deactivate_request_no.as_deref(),
            Some(format!("fault_{i:04}").as_str())
        );
        assert_eq!(
            sim.stats().deactivations_of(COUPON, &stock_id(i)),
            1,
            "{fault:?}: deactivated exactly once"
        );
        sim.faults().clear();
    }
    // A slow answer within the transport's timeout is simply waited for.
    sim.faults()
        .on(Route::DeactivateStock)
        .next(Fault::Delay(Duration::from_millis(200)));
    let n = faults.len();
    let stock = client
        .product_coupon()
        .deactivate_stock(deactivation(n, "delay_0001"))
        .await
        .unwrap();
    assert_eq!(stock.attempts(), 1);
    let stats = sim.stats();
    assert_eq!(stats.rejections("SIGN_ERROR"), 0);
    assert_eq!(stats.faults("answer_lost"), 2);
}

#[tokio::test]
async fn a_fault_that_never_ends_exhausts_the_retries() {
    let sim = simulator(1, |b| b).await;
    let client = client_for(&sim).build().unwrap();
    sim.faults()
        .on(Route::DeactivateStock)
        .always(Fault::Status500SystemError);
    let error = client
        .product_coupon()
        .deactivate_stock(deactivation(0, "always_500"))
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(500));
    assert_eq!(error.attempts(), 4);
    assert_eq!(sim.stats().requests_on(Route::DeactivateStock), 4);

    sim.faults().clear();
    sim.faults()
        .on(Route::DeactivateStock)
        .always(Fault::AnswerLost);
    let error = client
        .product_coupon()
        .deactivate_stock(deactivation(0, "always_lost"))
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::Transport(source) if source.kind() == TransportErrorKind::MaybeDelivered),
        "{error:?}"
    );
    assert_eq!(error.attempts(), 4);
    assert_eq!(
        sim.stats().deactivations_of(COUPON, &stock_id(0)),
        1,
        "acted once, however many answers were lost"
    );
}

/// Whether a verification failure is the one a fault should cause.
type IsExpected = fn(&VerifyError) -> bool;

/// Answers that must never be handed out as data.
#[tokio::test]
async fn bad_answers_are_rejected() {
    let cases: [(Fault, IsExpected); 4] = [
        (Fault::WrongSignature, |e| {
            matches!(e, VerifyError::BadSignature)
        }),
        (Fault::SigntestProbe, |e| {
            matches!(e, VerifyError::BadSignature)
        }),
        (Fault::StaleTimestamp, |e| {
            matches!(e, VerifyError::TimestampOutOfWindow { .. })
        }),
        (Fault::WrongSerial, |e| {
            matches!(e, VerifyError::UnknownKeyId { .. })
        }),
    ];
    let sim = simulator(cases.len() * 2, |b| b).await;
    let client = client_for(&sim).build().unwrap();
    for (i, (fault, expected)) in cases.iter().enumerate() {
        sim.faults().on(Route::GetStock).next(fault.clone());
        let error = client
            .product_coupon()
            .get_stock(GetStockRequest::new(COUPON, stock_id(i)).unwrap())
            .await
            .unwrap_err();
        assert!(
            error.request_id().is_some() && error.attempts() == 1,
            "{error:?}"
        );
        match error.kind() {
            ErrorKind::Verification {
                source,
                status: 200,
                ..
            } => {
                assert!(expected(source), "{fault:?}: {source:?}")
            }
            other => panic!("{fault:?}: expected a verification failure, got {other:?}"),
        }
        // A deactivation whose answer is bad: the server acted, the client reports it as
        // unverified and does not retry (a retry would not make a bad answer good).
        sim.faults().on(Route::DeactivateStock).next(fault.clone());
        let j = cases.len() + i;
        let error = client
            .product_coupon()
            .deactivate_stock(deactivation(j, &format!("bad_{j:04}")))
            .await
            .unwrap_err();
        assert!(
            matches!(error.kind(), ErrorKind::Verification { .. }),
            "{fault:?}: {error:?}"
        );
        assert_eq!(error.attempts(), 1);
        assert_eq!(sim.stats().deactivations_of(COUPON, &stock_id(j)), 1);
    }
}

#[tokio::test]
async fn an_oversized_answer_is_a_transport_error() {
    let sim = simulator(1, |b| b).await;
    let client = client_for(&sim).build().unwrap();
    sim.faults()
        .on(Route::GetStock)
        .next(Fault::OversizedBody(5 * 1024 * 1024));
    let error = client
        .product_coupon()
        .get_stock(GetStockRequest::new(COUPON, stock_id(0)).unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::Transport(source) if source.kind() == TransportErrorKind::ResponseTooLarge),
        "{error:?}"
    );
    assert_eq!(error.attempts(), 1);
}

/// A loopback address where nothing listens: connecting is refused.
async fn refusing_address() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("https://127.0.0.1:{port}")
}

#[tokio::test]
async fn an_unreachable_main_host_fails_over_to_the_backup_until_the_cooldown_ends() {
    let sim = simulator(3, |b| b).await;
    let clock = ManualClock::new(SystemClock::new().unix_seconds());
    let client = client_for(&sim)
        .base_url(refusing_address().await)
        .backup_url(sim.base_url())
        .failover_cooldown(Duration::from_secs(60))
        .clock(Arc::new(clock.clone()))
        .build()
        .unwrap();
    let api = client.product_coupon();

    let stock = api
        .deactivate_stock(deactivation(0, "failover_0"))
        .await
        .unwrap();
    assert_eq!(stock.attempts(), 2, "main refused, backup answered");
    assert_eq!(stock.state, StockState::Deactivated);

    // During the cooldown the client goes straight to the backup.
    clock.advance(Duration::from_secs(30));
    let stock = api
        .deactivate_stock(deactivation(1, "failover_1"))
        .await
        .unwrap();
    assert_eq!(stock.attempts(), 1);

    // After it, the main host is tried again (still refusing here, so the backup answers).
    clock.advance(Duration::from_secs(31));
    let stock = api
        .get_stock(GetStockRequest::new(COUPON, stock_id(2)).unwrap())
        .await
        .unwrap();
    assert_eq!(
        stock.attempts(),
        2,
        "the main host was tried again after the cooldown"
    );
    assert_eq!(sim.stats().deactivations_of(COUPON, &stock_id(0)), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_one_thousand_concurrent_deactivations_with_faults() {
    const COUNT: usize = 1000;
    let sim = simulator(COUNT, |b| b.rate_limit_per_second(None)).await;
    // About 10 % of deactivation answers faulted, from fixed seeds.
    sim.faults()
        .on(Route::DeactivateStock)
        .randomly(0.034, 11, Fault::ResetMidBody)
        .randomly(0.034, 22, Fault::Status500SystemError)
        .randomly(0.034, 33, Fault::AnswerLost);
    let client = client_for(&sim)
        .rate_limit(
            wxbrand_product_coupon::operation_name::DEACTIVATE_STOCK,
            RateLimit::per_second(100_000),
        )
        .retry_policy(RetryPolicy::new().max_retries(10))
        .build()
        .unwrap();
    let mut tasks = Vec::with_capacity(COUNT);
    for i in 0..COUNT {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            client
                .product_coupon()
                .deactivate_stock(deactivation(i, &format!("load_{i:06}")))
                .await
        }));
    }
    let mut retried = 0;
    for (i, task) in tasks.into_iter().enumerate() {
        let stock = task
            .await
            .unwrap()
            .unwrap_or_else(|e| panic!("stock {i}: {e:?}"));
        assert_eq!(stock.state, StockState::Deactivated);
        if stock.attempts() > 1 {
            retried += 1;
        }
    }
    let stats = sim.stats();
    for i in 0..COUNT {
        assert_eq!(stats.deactivations_of(COUPON, &stock_id(i)), 1, "stock {i}");
    }
    let injected: u64 = ["reset_mid_body", "status_500_system_error", "answer_lost"]
        .iter()
        .map(|f| stats.faults(f))
        .sum();
    assert!(injected > 50, "faults were injected: {injected}");
    assert!(retried > 50, "calls were retried: {retried}");
    assert_eq!(
        stats.rejections("SIGN_ERROR"),
        0,
        "every request carried a valid signature"
    );
    assert_eq!(stats.answers_with_status(401), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_rate_limit_holds_at_the_server() {
    const COUNT: usize = 60;
    // The simulator enforces WeChat Pay's 20 per second too: a 429 would show the client exceeded it.
    let sim = simulator(COUNT, |b| b).await;
    let client = client_for(&sim)
        .sleeper(Arc::new(wxbrand_client::clock::TokioSleeper))
        .build()
        .unwrap();
    let clock = SystemClock::new();
    let mut tasks = Vec::new();
    for i in 0..COUNT {
        let client = client.clone(); // clones share the limit
        tasks.push(tokio::spawn(async move {
            client
                .product_coupon()
                .deactivate_stock(deactivation(i, &format!("rate_{i:04}")))
                .await
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap().attempts(), 1);
    }
    let elapsed = clock.monotonic();
    let stats = sim.stats();
    assert_eq!(stats.transitions.len(), COUNT);
    assert_eq!(stats.answers_with_status(429), 0);
    // Every request that arrived, whatever the simulator did with it (admitted ones alone would
    // hide requests its own limiter turned away).
    assert_eq!(stats.deactivation_arrivals.len(), COUNT);
    let most = max_in_any_second(stats.deactivation_arrivals.iter().map(|a| a.at_unix_millis));
    assert!(
        most <= 20,
        "the simulator saw {most} deactivations arrive within one second"
    );
    // 60 at 20 per second: the last 20 cannot start before two windows have passed.
    assert!(
        elapsed >= Duration::from_secs(2),
        "the client waited: {elapsed:?}"
    );
}

/// The most events (Unix milliseconds) within any half-open second `[t, t + 1000)`.
fn max_in_any_second(times: impl Iterator<Item = i64>) -> usize {
    let mut times: Vec<i64> = times.collect();
    times.sort_unstable();
    (0..times.len())
        .map(|i| times[i..].partition_point(|t| *t < times[i] + 1000))
        .max()
        .unwrap_or(0)
}

#[cfg(feature = "blocking")]
#[test]
fn the_blocking_client_has_the_same_surface() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let sim = runtime.block_on(simulator(25, |b| b));
    let client = client_for(&sim).build_blocking().unwrap();
    let api = client.product_coupon();
    let stock = api
        .get_stock(GetStockRequest::new(COUPON, stock_id(0)).unwrap())
        .unwrap();
    assert_eq!(stock.state, StockState::Sending);
    let stock = api
        .deactivate_stock(deactivation(0, "blocking_01"))
        .unwrap();
    assert_eq!(stock.state, StockState::Deactivated);
    let page = api
        .list_stocks(
            ListStocksRequest::new(COUPON)
                .unwrap()
                .page_size(5)
                .unwrap(),
        )
        .unwrap();
    assert_eq!(page.stock_list.len(), 5);
    let all: Vec<_> = api
        .list_all_stocks(
            ListStocksRequest::new(COUPON)
                .unwrap()
                .page_size(7)
                .unwrap(),
        )
        .map(Result::unwrap)
        .collect();
    assert_eq!(all.len(), 25);
    runtime.block_on(sim.shutdown());
}
