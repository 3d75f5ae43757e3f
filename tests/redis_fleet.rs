//! `RedisRateLimiter` with a real Redis: clients that share nothing in process keep one limit
//! together, and each behaviour when Redis goes away does what it says, acting once per stock.
//!
//! The tests start their own `redis-server` (installed by `.ci/run` when missing) on a free
//! loopback port, without persistence, in a temporary directory, and kill it when done. Outside
//! CI a machine without `redis-server` skips the tests that need one, saying so; in CI (`CI` set)
//! that is a failure. Real time throughout: the limit is kept with Redis's clock.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use wxbrand::clock::{Clock, SystemClock};
use wxbrand::prelude::*;
use wxbrand::product_coupon::{DeactivateStockRequest, StockState};
use wxbrand::rate_limit::{RedisRateLimiter, WhenUnavailable};
use wxbrand::{Client, ErrorKind, RetryPolicy};
use wxbrand_simulator::{reason, sample_stock, Simulator, SimulatorHandle};

const COUPON: &str = "1000000013";

fn stock_id(i: usize) -> String {
    format!("{}", 7_000_000 + i)
}

async fn simulator(count: usize) -> SimulatorHandle {
    let stocks = (0..count)
        .map(|i| sample_stock(COUPON, &stock_id(i), StockState::Sending).unwrap())
        .collect::<Vec<_>>();
    Simulator::ephemeral()
        .tls(true)
        .stocks(stocks)
        .start()
        .await
        .unwrap()
}

/// A `redis-server` of this test's own: a free loopback port, no persistence, a temporary
/// directory; killed (and the directory removed) on drop.
struct RedisServer {
    binary: PathBuf,
    port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

impl RedisServer {
    /// Starts one, or `None` (with the reason printed) when `redis-server` is not installed and
    /// this is not CI.
    fn start(test: &str) -> Option<RedisServer> {
        let Some(binary) = find_redis_server() else {
            let why = "redis-server not found (PATH, /usr/bin, /usr/sbin); `.ci/run` installs it \
                       (apt-get install redis-server)";
            if std::env::var_os("CI").is_some() {
                panic!("{why}");
            }
            eprintln!("skipping {test}: {why}");
            return None;
        };
        static SEQ: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "wxbrand-redis-{}-{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let mut server = RedisServer {
            binary,
            port: 0,
            dir,
            child: None,
        };
        // A port found free may be taken before redis binds it: try again with another.
        for _ in 0..5 {
            server.port = free_port();
            if server.launch() {
                return Some(server);
            }
        }
        panic!("redis-server did not start on any of 5 free ports");
    }

    /// Starts redis-server on `self.port`; true once it answers PING.
    fn launch(&mut self) -> bool {
        let mut child = Command::new(&self.binary)
            .args(["--port", &self.port.to_string()])
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--daemonize", "no", "--loglevel", "warning"])
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        for _ in 0..100 {
            if child.try_wait().unwrap().is_some() {
                return false; // exited: most likely the port was taken
            }
            if ping(self.port) {
                self.child = Some(child);
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        false
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Kills the server (SIGKILL: no goodbye to its clients).
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port (empty: nothing was persisted).
    fn restart(&mut self) {
        assert!(self.launch(), "redis-server did not restart on its port");
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn find_redis_server() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/bin"), PathBuf::from("/usr/sbin")])
        .map(|dir| dir.join("redis-server"))
        .find(|candidate| candidate.is_file())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn ping(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let mut answer = [0u8; 7];
    stream.write_all(b"PING\r\n").is_ok()
        && stream.read_exact(&mut answer).is_ok()
        && &answer == b"+PONG\r\n"
}

/// A client of its own (own pool, own limiter state) on the simulator, its limit in `redis_url`.
fn fleet_member(
    sim: &SimulatorHandle,
    redis_url: &str,
    prefix: &str,
    when: WhenUnavailable,
) -> Client {
    let limiter = RedisRateLimiter::new(redis_url)
        .unwrap()
        .key_prefix(prefix)
        .when_unavailable(when);
    wxbrand::test_util::client_builder(&sim.connection().unwrap())
        .rate_limiter(Arc::new(limiter))
        .build()
        .unwrap()
}

/// Deactivates stocks `0..count`, spread over `clients`, each client with `workers` calls at a
/// time; returns each call's result by stock.
async fn deactivate_all(
    clients: &[Client],
    count: usize,
    workers: usize,
) -> Vec<Result<u32, wxbrand::Error>> {
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for (c, client) in clients.iter().enumerate() {
        for _ in 0..workers {
            let (client, next) = (client.clone(), next.clone());
            tasks.push(tokio::spawn(async move {
                let mut done = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= count {
                        return done;
                    }
                    let request = DeactivateStockRequest::new(
                        COUPON,
                        stock_id(i),
                        format!("fleet_{i:04}"),
                        "活动结束",
                    )
                    .unwrap();
                    let result = client
                        .product_coupon()
                        .deactivate_stock(request)
                        .await
                        .map(|stock| stock.attempts());
                    done.push((i, c, result));
                }
            }));
        }
    }
    let mut results: Vec<Option<Result<u32, wxbrand::Error>>> = (0..count).map(|_| None).collect();
    for task in tasks {
        for (i, _, result) in task.await.unwrap() {
            results[i] = Some(result);
        }
    }
    results.into_iter().map(Option::unwrap).collect()
}

/// The simulator saw every stock deactivated exactly once, never more than 20 deactivations
/// arrive within a second, and never had to refuse one for the rate.
fn assert_once_each_and_within_the_limit(sim: &SimulatorHandle, count: usize) {
    let stats = sim.stats();
    for i in 0..count {
        assert_eq!(stats.deactivations_of(COUPON, &stock_id(i)), 1, "stock {i}");
    }
    assert_eq!(stats.rejections_for(reason::RATE_LIMITED), 0);
    assert_eq!(stats.answers_with_status(429), 0);
    let most = stats.max_deactivations_in_any_second();
    assert!(
        most <= 20,
        "{most} deactivations were admitted within one second"
    );
    let mut arrivals: Vec<i64> = stats
        .deactivation_arrivals
        .iter()
        .map(|a| a.at_unix_millis)
        .collect();
    arrivals.sort_unstable();
    let most_arrived = (0..arrivals.len())
        .map(|i| arrivals[i..].partition_point(|t| *t < arrivals[i] + 1000))
        .max()
        .unwrap_or(0);
    assert!(
        most_arrived <= 20,
        "{most_arrived} deactivations arrived within one second"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_clients_sharing_one_redis_limit_stay_within_it() {
    const COUNT: usize = 200;
    let Some(redis) = RedisServer::start("four_clients_sharing_one_redis_limit_stay_within_it")
    else {
        return;
    };
    let sim = simulator(COUNT).await;
    let clients: Vec<Client> = (0..4)
        .map(|_| fleet_member(&sim, &redis.url(), "fleet4", WhenUnavailable::Wait))
        .collect();
    let clock = SystemClock::new();
    let results = deactivate_all(&clients, COUNT, 8).await;
    let elapsed = clock.monotonic();
    for (i, result) in results.iter().enumerate() {
        assert_eq!(
            result.as_ref().unwrap(),
            &1,
            "stock {i}: one attempt, no retry"
        );
    }
    assert_once_each_and_within_the_limit(&sim, COUNT);
    // 200 at 20 per second, shared: nine full windows must pass before the last 20 go out.
    assert!(elapsed >= Duration::from_secs(9), "{elapsed:?}");
    println!("{COUNT} deactivations by 4 clients in {elapsed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_killed_mid_run_the_calls_wait_for_it_and_act_once() {
    const COUNT: usize = 80;
    let Some(mut redis) =
        RedisServer::start("redis_killed_mid_run_the_calls_wait_for_it_and_act_once")
    else {
        return;
    };
    let sim = simulator(COUNT).await;
    let clients: Vec<Client> = (0..2)
        .map(|_| fleet_member(&sim, &redis.url(), "killed", WhenUnavailable::Wait))
        .collect();
    let run = tokio::spawn({
        let clients = clients.clone();
        async move { deactivate_all(&clients, COUNT, 8).await }
    });
    // Past the first window, then Redis is gone for longer than a window.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let before = sim.stats().deactivation_arrivals.len();
    redis.kill();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let during = sim.stats().deactivation_arrivals.len();
    redis.restart();
    let results = run.await.unwrap();
    for (i, result) in results.iter().enumerate() {
        assert!(result.is_ok(), "stock {i}: {result:?}");
    }
    println!("sent: {before} before the kill, {during} when Redis came back, {COUNT} in the end");
    assert!(
        before > 0 && before < COUNT,
        "{before} sent before the kill"
    );
    // In flight when Redis died, at most one window's worth; then nothing until it came back.
    assert!(
        during - before <= 20,
        "{} sent while Redis was down",
        during - before
    );
    assert_once_each_and_within_the_limit(&sim, COUNT);
}

#[tokio::test]
async fn redis_unreachable_fail_sends_nothing_and_falling_back_keeps_the_local_limit() {
    // No Redis needed: a loopback port where nothing listens.
    let url = format!("redis://127.0.0.1:{}/", free_port());
    let sim = simulator(3).await;
    let request = |i: usize| {
        DeactivateStockRequest::new(COUPON, stock_id(i), format!("down_{i}"), "活动结束").unwrap()
    };

    let failing = fleet_member(&sim, &url, "down", WhenUnavailable::Fail);
    let error = failing.send(&request(0)).await.unwrap_err();
    let ErrorKind::RateLimiter(source) = error.kind() else {
        panic!("{error:?}");
    };
    assert_eq!(source.store(), "Redis");
    assert_eq!(error.attempts(), 0);
    assert!(
        std::error::Error::source(source).is_some(),
        "Redis's error is chained"
    );
    assert_eq!(
        error.to_string(),
        "request not sent: the client's shared rate limiter could not reach its store"
    );

    // Waiting: until the call's deadline, then the same typed error, still nothing sent.
    let waiting = wxbrand::test_util::client_builder(&sim.connection().unwrap())
        .rate_limiter(Arc::new(
            RedisRateLimiter::new(&url).unwrap().key_prefix("down"),
        ))
        .retry_policy(RetryPolicy::new().total_deadline(Duration::from_millis(800)))
        .build()
        .unwrap();
    let clock = SystemClock::new();
    let error = waiting.send(&request(1)).await.unwrap_err();
    let ErrorKind::RateLimiter(source) = error.kind() else {
        panic!("{error:?}");
    };
    assert!(source.waited() >= Duration::from_millis(500), "{source:?}");
    assert!(clock.monotonic() < Duration::from_secs(5));
    assert_eq!(
        sim.stats().deactivation_arrivals.len(),
        0,
        "nothing was sent"
    );

    // Falling back: the call goes out under this process's own limit.
    let falling_back = fleet_member(&sim, &url, "down", WhenUnavailable::FallBackToLocal);
    let stock = falling_back.send(&request(2)).await.unwrap();
    assert_eq!(stock.attempts(), 1);
    assert_eq!(sim.stats().deactivations_of(COUPON, &stock_id(2)), 1);
}
