//! The simulator's throughput with the rate limit lifted, beside its bound.
//!
//! Every answer the simulator sends is signed with RSA-2048 (the WeChat Pay key), so it cannot
//! answer faster than aws-lc-rs signs. This prints, from one run:
//! - the bound: raw aws-lc-rs `RsaKeyPair::sign` (PKCS#1 v1.5, SHA-256) per second, on as many
//!   threads as the simulator's runtime has workers;
//! - the simulator: deactivations per second (each a distinct seeded stock, rate limit lifted) over
//!   keep-alive connections from several concurrent clients, each client pipelining requests;
//! - their ratio (issue 10's goal: at least 0.8).
//!
//! The load generator shares the machine's cores with the simulator, so it is built to take as
//! little of them as it can: it signs every request before the clock starts (the timestamp window
//! is 300 s), drives every connection from one thread that wakes every [`POLL_INTERVAL`] (not once
//! per answer), takes all the answers that arrived meanwhile and tops each connection's window up
//! in one write. Its own CPU per request is printed too. The rate is the steady state: it is taken
//! between the moments 10% and 90% of a round's answers had arrived, leaving out the ramp-up and
//! the tail where the last connection alone keeps one worker busy.
//!
//! On a machine shared with other work, wall-clock rates depend on the CPU the scheduler grants, so
//! on Linux it also prints the CPU time each takes (from `/proc/…/schedstat`): the simulator's
//! worker threads' CPU per answer beside the raw signing threads' CPU per signature. Their ratio is
//! the share of the simulator's own work that is the one RSA signature, whatever else runs.
//!
//! The two are measured in alternating rounds (bound, load, bound, load, …, bound) and each load
//! round is divided by the mean of the bound rounds around it; the medians are printed, so a change
//! of load on a shared machine between rounds distorts the ratio far less than one long run of each.
//!
//! Run: `cargo bench --bench simulator_throughput` (about 15 s on 2 cores). Settings through the
//! environment: `WXBRAND_BENCH_ROUNDS` (default 7), `WXBRAND_BENCH_REQUESTS` (per round, default
//! 1500), `WXBRAND_BENCH_CLIENTS` (default 4), `WXBRAND_BENCH_PIPELINE` (requests in flight per
//! connection, default 16), `WXBRAND_BENCH_WORKERS` (simulator worker threads, default 2 as
//! `wxbrand simulate`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, RsaKeyPair};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use wxbrand_core::product_coupon::StockState;
use wxbrand_sign::Signer;

#[path = "../testdata/vector_keys.rs"]
mod vector_keys;
use wxbrand_simulator::Simulator;

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/vectors/");
const COUPON: &str = "200000001";

fn read(name: &str) -> String {
    std::fs::read_to_string(format!("{VECTORS}{name}")).unwrap()
}

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Benchmarks measure time; nothing here signs with it.
#[allow(clippy::disallowed_methods)]
fn now() -> Instant {
    Instant::now()
}

/// Unix seconds for the request timestamps (the simulator reads the same system clock).
#[allow(clippy::disallowed_methods)]
fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// On-CPU nanoseconds of the thread whose `/proc` task directory is `task` (`None` off Linux).
fn cpu_nanos(task: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("{task}/schedstat")).ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// On-CPU nanoseconds of the simulator's Tokio worker threads (named `sim-worker`), together.
fn worker_cpu_nanos() -> Option<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir("/proc/self/task").ok()? {
        let task = entry.ok()?.path();
        let comm = std::fs::read_to_string(task.join("comm")).ok()?;
        if comm.starts_with("sim-worker") {
            total += cpu_nanos(task.to_str()?)?;
        }
    }
    Some(total)
}

/// A bound round: signatures per second (wall clock) and on-CPU nanoseconds per signature.
struct BoundRound {
    per_second: f64,
    cpu_per_sign: Option<f64>,
}

/// Raw aws-lc-rs RSA-2048 signatures on `threads` threads, over `duration`.
fn raw_signs(threads: usize, duration: Duration) -> BoundRound {
    let der = pem_der(vector_keys::WECHATPAY_PRIVATE_KEY_PEM);
    let message = b"1735660800\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\n{\"stock_id\":\"123\"}\n";
    let start = now();
    let counts: Vec<(u64, Option<u64>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let der = der.clone();
                scope.spawn(move || {
                    let key = RsaKeyPair::from_pkcs8(&der).unwrap();
                    let rng = SystemRandom::new();
                    let mut signature = vec![0u8; key.public_modulus_len()];
                    let mut count = 0u64;
                    let cpu_before = cpu_nanos("/proc/thread-self");
                    while now().duration_since(start) < duration {
                        key.sign(&signature::RSA_PKCS1_SHA256, &rng, message, &mut signature)
                            .unwrap();
                        count += 1;
                    }
                    let cpu = cpu_before
                        .zip(cpu_nanos("/proc/thread-self"))
                        .map(|(a, b)| b - a);
                    (count, cpu)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let signs: u64 = counts.iter().map(|(n, _)| n).sum();
    let cpu: Option<u64> = counts.iter().map(|(_, cpu)| *cpu).sum();
    BoundRound {
        per_second: signs as f64 / now().duration_since(start).as_secs_f64(),
        cpu_per_sign: cpu.map(|c| c as f64 / signs as f64),
    }
}

/// The DER inside a PEM block.
fn pem_der(pem: &[u8]) -> Vec<u8> {
    let pem = std::str::from_utf8(pem).unwrap();
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD.decode(b64.trim()).unwrap()
}

/// On-CPU nanoseconds of one raw aws-lc-rs RSA-2048 verification (the check every request needs
/// before it is answered), over `duration` on this thread; `None` off Linux.
fn raw_verify_cpu(duration: Duration) -> Option<f64> {
    let key = RsaKeyPair::from_pkcs8(&pem_der(vector_keys::BRAND_PRIVATE_KEY_PEM)).unwrap();
    let public = signature::ParsedPublicKey::new(
        &signature::RSA_PKCS1_2048_8192_SHA256,
        pem_der(vector_keys::BRAND_PUBLIC_KEY_PEM),
    )
    .unwrap();
    let message = b"POST\n/brand/marketing/product-coupon/product-coupons/1/stocks/2/deactivate\n\
                    1735660800\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\n{\"out_request_no\":\"a\"}\n";
    let mut sig = vec![0u8; key.public_modulus_len()];
    key.sign(
        &signature::RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        message,
        &mut sig,
    )
    .unwrap();
    let start = now();
    let cpu_before = cpu_nanos("/proc/thread-self")?;
    let mut count = 0u64;
    while now().duration_since(start) < duration {
        public.verify_sig(message, &sig).unwrap();
        count += 1;
    }
    let cpu = cpu_nanos("/proc/thread-self")? - cpu_before;
    Some(cpu as f64 / count as f64)
}

/// The raw bytes of `count` signed deactivations of stocks `stock(0..count)`, signed on all cores.
fn presigned_requests(signer: &Signer, key_id: &str, host: &str, count: usize) -> Vec<Vec<u8>> {
    let timestamp = unix_now();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut requests: Vec<Vec<u8>> = vec![Vec::new(); count];
    std::thread::scope(|scope| {
        for (part, slots) in requests
            .chunks_mut(count.div_ceil(threads).max(1))
            .enumerate()
        {
            let first = part * count.div_ceil(threads).max(1);
            scope.spawn(move || {
                for (offset, slot) in slots.iter_mut().enumerate() {
                    let i = first + offset;
                    let path = format!(
                        "/brand/marketing/product-coupon/product-coupons/{COUPON}/stocks/{}/deactivate",
                        stock(i)
                    );
                    let body = format!(
                        r#"{{"out_request_no":"bench_{i:08}","deactivate_reason":"throughput"}}"#
                    );
                    let auth = signer
                        .authorization("POST", &path, body.as_bytes(), timestamp, &wxbrand_sign::generate_nonce())
                        .unwrap();
                    *slot = format!(
                        "POST {path} HTTP/1.1\r\nhost: {host}\r\nauthorization: {}\r\naccept: application/json\r\n\
                         content-type: application/json\r\nwechatpay-serial: {key_id}\r\ncontent-length: {}\r\n\r\n{body}",
                        auth.header_value(),
                        body.len()
                    )
                    .into_bytes();
                }
            });
        }
    });
    requests
}

/// Requests each client has in flight on its connection.
fn pipeline() -> usize {
    setting("WXBRAND_BENCH_PIPELINE", 16).max(1)
}

fn stock(i: usize) -> String {
    (400_000_000 + i).to_string()
}

/// The status of the first whole answer (with `Content-Length`) in `buffer`, and its length.
fn whole_answer(buffer: &[u8]) -> Option<(u16, usize)> {
    let end = buffer.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&buffer[..end]).unwrap();
    let length: usize = head
        .split("\r\n")
        .find_map(|l| l.strip_prefix("content-length: "))
        .map_or(0, |v| v.parse().unwrap());
    let total = end + 4 + length;
    (buffer.len() >= total).then(|| (head[9..12].parse().unwrap(), total))
}

/// One client connection: its requests, how many were sent and answered, and the bytes read
/// but not yet taken.
struct Client {
    stream: TcpStream,
    requests: Vec<Vec<u8>>,
    sent: usize,
    received: usize,
    ok: usize,
    buffer: Vec<u8>,
}

impl Client {
    fn done(&self) -> bool {
        self.received == self.requests.len()
    }

    /// Takes every whole answer that has arrived, without waiting.
    fn take_answers(&mut self, chunk: &mut [u8]) {
        loop {
            match self.stream.read(chunk) {
                Ok(0) => panic!("the simulator closed a keep-alive connection"),
                Ok(n) => self.buffer.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(e) => panic!("reading an answer: {e}"),
            }
        }
        let mut taken = 0;
        while let Some((status, length)) = whole_answer(&self.buffer[taken..]) {
            self.ok += usize::from(status == 200);
            self.received += 1;
            taken += length;
        }
        self.buffer.drain(..taken);
    }

    /// Tops the window up to [`pipeline`] requests in flight, in one write, once half of it was
    /// answered.
    fn refill(&mut self, batch: &mut Vec<u8>) {
        let pipeline = pipeline();
        if self.sent - self.received >= pipeline.div_ceil(2) {
            return;
        }
        let end = self.requests.len().min(self.received + pipeline);
        if end == self.sent {
            return;
        }
        batch.clear();
        for request in &self.requests[self.sent..end] {
            batch.extend_from_slice(request);
        }
        // The window is far smaller than the socket buffer: this write does not block.
        self.stream.set_nonblocking(false).unwrap();
        self.stream.write_all(batch).unwrap();
        self.stream.set_nonblocking(true).unwrap();
        self.sent = end;
    }
}

/// How long the load generator sleeps between two passes over its connections.
const POLL_INTERVAL: Duration = Duration::from_micros(1500);

/// What one load round measured.
struct LoadRound {
    /// Deactivations per second (wall clock), in the steady state.
    per_second: f64,
    /// The load generator's on-CPU nanoseconds per request.
    client_cpu_per_request: Option<f64>,
}

/// One load round: `requests` split over `clients` keep-alive connections.
///
/// One thread drives every connection: it sleeps [`POLL_INTERVAL`], takes every answer that
/// arrived meanwhile on each connection and tops each window up in one write. The simulator
/// keeps requests queued on every connection (the window is deep enough for several intervals of
/// answers), while the load generator, which shares the machine's cores with it, wakes a few
/// hundred times a second instead of once per answer: what is measured is the simulator.
fn load_round(address: SocketAddr, requests: &[Vec<u8>], clients: usize) -> LoadRound {
    let per_client = requests.len().div_ceil(clients);
    // Connected before the clock starts.
    let mut connections: Vec<Client> = requests
        .chunks(per_client)
        .map(|part| {
            let stream = TcpStream::connect(address).unwrap();
            stream.set_nodelay(true).unwrap();
            stream.set_nonblocking(true).unwrap();
            Client {
                stream,
                requests: part.to_vec(),
                sent: 0,
                received: 0,
                ok: 0,
                buffer: Vec::with_capacity(256 * 1024),
            }
        })
        .collect();
    let mut chunk = vec![0u8; 256 * 1024];
    let mut batch = Vec::new();
    let cpu_before = cpu_nanos("/proc/thread-self");
    let start = now();
    for connection in &mut connections {
        connection.refill(&mut batch);
    }
    // (when, answers so far) after each pass: the rate is taken between the passes that saw 10%
    // and 90% of the answers, the steady state, without the first connections' ramp-up and the
    // tail where the last connection alone keeps one worker busy.
    let mut progress = vec![(start, 0)];
    while !connections.iter().all(Client::done) {
        std::thread::sleep(POLL_INTERVAL);
        for connection in &mut connections {
            connection.take_answers(&mut chunk);
            connection.refill(&mut batch);
        }
        progress.push((now(), connections.iter().map(|c| c.received).sum()));
    }
    let cpu = cpu_before
        .zip(cpu_nanos("/proc/thread-self"))
        .map(|(a, b)| b - a);
    let total = requests.len();
    let first = progress.iter().find(|(_, n)| n * 10 >= total);
    let last = progress.iter().rev().find(|(_, n)| n * 10 <= total * 9);
    let (first, last) = match (first, last) {
        (Some(first), Some(last)) if last.1 > first.1 => (*first, *last),
        // A round too short to have a steady state (`--test`) is measured whole.
        _ => (progress[0], progress[progress.len() - 1]),
    };
    let steady = (last.1 - first.1) as f64 / last.0.duration_since(first.0).as_secs_f64();
    let ok: usize = connections.iter().map(|c| c.ok).sum();
    assert_eq!(ok, requests.len(), "every deactivation answered 200");
    LoadRound {
        per_second: steady,
        client_cpu_per_request: cpu.map(|c| c as f64 / requests.len() as f64),
    }
}

/// The median of `values` (sorted in place).
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let quick = std::env::args().any(|a| a == "--test");
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let rounds = if quick {
        1
    } else {
        setting("WXBRAND_BENCH_ROUNDS", 7).max(1)
    };
    let per_round = if quick {
        50
    } else {
        setting("WXBRAND_BENCH_REQUESTS", 1500).max(1)
    };
    let clients = setting("WXBRAND_BENCH_CLIENTS", 4).max(1);
    let workers = setting("WXBRAND_BENCH_WORKERS", 2).max(1);
    let bound_time = Duration::from_millis(if quick { 100 } else { 1000 });

    let config: serde_json::Value = serde_json::from_str(&read("config.json")).unwrap();
    let text = |k: &str| config[k].as_str().unwrap().to_string();
    let brand_private = vector_keys::brand_key();
    let brand_public = vector_keys::brand_public_key();
    let wechatpay_private = vector_keys::wechatpay_key();
    let key_id = text("wechatpay_public_key_id");

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .thread_name("sim-worker")
        .enable_all()
        .build()
        .unwrap();
    let warm_up = 50;
    let total = warm_up + rounds * per_round;
    let stocks = (0..total)
        .map(|i| wxbrand_simulator::sample_stock(COUPON, &stock(i), StockState::Sending).unwrap());
    let sim = runtime
        .block_on(
            Simulator::builder()
                .brand(text("brand_id"), text("serial_no"), brand_public)
                .wechatpay_key(wechatpay_private, key_id.clone())
                .stocks(stocks)
                .rate_limit_per_second(None)
                .start(),
        )
        .unwrap();
    let address = sim.local_addr();
    let signer = Signer::new(text("brand_id"), text("serial_no"), brand_private);
    let all = presigned_requests(&signer, &key_id, &address.to_string(), total);
    let (warm, measured) = all.split_at(warm_up);
    load_round(address, warm, 1);

    let first = raw_signs(workers, bound_time);
    let mut bounds = vec![first.per_second];
    let mut sign_cpu: Vec<f64> = first.cpu_per_sign.into_iter().collect();
    let mut loads = Vec::new();
    let mut ratios = Vec::new();
    let mut answer_cpu = Vec::new();
    let mut client_cpu = Vec::new();
    for round in measured.chunks(per_round) {
        let cpu_before = worker_cpu_nanos();
        let LoadRound {
            per_second: load,
            client_cpu_per_request,
        } = load_round(address, round, clients);
        client_cpu.extend(client_cpu_per_request);
        if let Some((before, after)) = cpu_before.zip(worker_cpu_nanos()) {
            answer_cpu.push((after - before) as f64 / round.len() as f64);
        }
        let bound = raw_signs(workers, bound_time);
        let around = (bound.per_second + bounds[bounds.len() - 1]) / 2.0;
        bounds.push(bound.per_second);
        sign_cpu.extend(bound.cpu_per_sign);
        loads.push(load);
        ratios.push(load / around);
    }
    let stats = runtime.block_on(sim.shutdown());
    assert_eq!(
        stats.transitions.len() + stats.transitions_dropped as usize,
        total
    );
    let (load, bound, ratio) = (median(&mut loads), median(&mut bounds), median(&mut ratios));
    println!(
        "simulator: {load:.0} deactivations/s (steady state; median of {rounds} rounds of {per_round} requests over \
         {clients} keep-alive connections, {} in flight each; {workers} worker threads; rate limit lifted)",
        pipeline()
    );
    println!(
        "bound:     {bound:.0} RSA-2048 signatures/s (raw aws-lc-rs on {workers} threads; median of {} rounds of {} ms)",
        bounds.len(),
        bound_time.as_millis()
    );
    println!(
        "ratio:     {ratio:.2} of the bound (median of the per-round ratios; sorted: {:?})",
        ratios
            .iter()
            .map(|r| (r * 100.0).round() / 100.0)
            .collect::<Vec<_>>()
    );
    if !answer_cpu.is_empty() && !sign_cpu.is_empty() {
        let (answer, sign) = (median(&mut answer_cpu), median(&mut sign_cpu));
        println!(
            "CPU:       {:.0} µs of worker CPU per answer, {:.0} µs per raw signature: \
             the signature is {:.2} of the simulator's work",
            answer / 1000.0,
            sign / 1000.0,
            sign / answer
        );
        if let Some(verify) = raw_verify_cpu(bound_time / 2) {
            println!(
                "+ check:   {:.0} µs per raw verification: one signature and one verification, the \
                 least an answer costs, are {:.2} of the simulator's work",
                verify / 1000.0,
                (sign + verify) / answer
            );
        }
    }
    if !client_cpu.is_empty() {
        println!(
            "load:      {:.0} µs of the load generator's CPU per request (its share of the same cores)",
            median(&mut client_cpu) / 1000.0
        );
    }
}
