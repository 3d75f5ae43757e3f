//! Memory stays flat under a flood of rejected requests (issue 10: 200,000 401s once grew the
//! simulator by 768 MB, because the stats kept the claimed brand id of every request).
//!
//! Alone in its test binary so that no other test allocates while RSS is measured.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use bytes::Bytes;
use common::*;
use http_body_util::BodyExt;
use wxbrand_simulator::{reason, SimulatorHandle};

/// Resident set size of this process, from `/proc/self/status` (kB → bytes); `None` off Linux.
fn rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Requests per phase, connections (each keep-alive, one request at a time), allowed growth.
const FLOOD: usize = 100_000;
const WARM_UP: usize = 2_000;
const CONNECTIONS: usize = 4;
/// RSS may grow this much over the flood (allocator noise, the bounded stats lists: at most 512 KiB
/// of arrivals); before the fix each request kept its 256-character claimed brand id in an event
/// of the stats: about 30 MB for this flood.
const MARGIN_BYTES: u64 = 8 * 1024 * 1024;

/// How many requests a connection writes before reading their answers (HTTP/1.1 pipelining keeps
/// the client cheap, so the simulator's cost is what is measured).
const BATCH: usize = 64;

/// Reads whole answers (with `Content-Length`) from `stream` until `count` are in; their statuses.
/// (The standard library's `str::find` does the searching: it is optimised even in test builds.)
async fn read_answers(
    stream: &mut tokio::net::TcpStream,
    buffer: &mut Vec<u8>,
    count: usize,
) -> Vec<u16> {
    use tokio::io::AsyncReadExt;
    let mut statuses = Vec::with_capacity(count);
    let mut chunk = [0u8; 16 * 1024];
    loop {
        let text = std::str::from_utf8(buffer).unwrap();
        let mut start = 0;
        // Take every complete answer in the buffer.
        while let Some(end) = text[start..].find("\r\n\r\n") {
            let head = &text[start..start + end];
            let length: usize = head.find("content-length: ").map_or(0, |at| {
                let digits = &head[at + 16..];
                digits[..digits.find('\r').unwrap_or(digits.len())]
                    .parse()
                    .unwrap()
            });
            let total = end + 4 + length;
            if text.len() - start < total {
                break;
            }
            statuses.push(head[9..12].parse().unwrap());
            start += total;
        }
        buffer.drain(..start);
        if statuses.len() >= count {
            return statuses;
        }
        let n = stream.read(&mut chunk).await.unwrap();
        assert!(n > 0, "the simulator closed a keep-alive connection");
        buffer.extend_from_slice(&chunk[..n]);
    }
}

/// Sends `count` copies of the raw `request` over `CONNECTIONS` keep-alive connections, pipelined
/// in batches; every answer must be a 401.
async fn flood(sim: &SimulatorHandle, request: &Bytes, count: usize) {
    use tokio::io::AsyncWriteExt;
    let mut tasks = Vec::new();
    for worker in 0..CONNECTIONS {
        let address = sim.local_addr();
        let request = request.clone();
        let mut left = count / CONNECTIONS + usize::from(worker < count % CONNECTIONS);
        tasks.push(tokio::spawn(async move {
            let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
            let mut buffer = Vec::new();
            while left > 0 {
                let batch = left.min(BATCH);
                let bytes = request.repeat(batch);
                stream.write_all(&bytes).await.unwrap();
                let statuses = read_answers(&mut stream, &mut buffer, batch).await;
                assert!(statuses.iter().all(|s| *s == 401), "{statuses:?}");
                left -= batch;
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rss_stays_flat_over_a_flood_of_rejected_requests() {
    let Some(_) = rss_bytes() else {
        eprintln!("no /proc/self/status: RSS not measured on this platform");
        return;
    };
    let sim = builder(1).start().await.unwrap();
    let caller = Caller::vectors(&sim);
    // A correctly formed deactivation claiming a 256-character brand id that is not registered.
    let request = caller.deactivate_request(&stock_id(1), "flood_0001");
    let (parts, body) = request.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    let good = parts.headers["authorization"].to_str().unwrap().to_string();
    let claimed = "9".repeat(256);
    let forged = good.replacen(
        &format!("brand_id=\"{}\"", vectors().brand_id),
        &format!("brand_id=\"{claimed}\""),
        1,
    );
    let mut raw = format!(
        "POST {} HTTP/1.1\r\nhost: {}\r\nauthorization: {forged}\r\naccept: application/json\r\n\
         content-type: application/json\r\nwechatpay-serial: {}\r\ncontent-length: {}\r\n\r\n",
        parts.uri.path(),
        sim.local_addr(),
        sim.wechatpay_public_key_id(),
        body.len()
    )
    .into_bytes();
    raw.extend_from_slice(&body);
    let request = Bytes::from(raw);

    let started = tokio::time::Instant::now();
    flood(&sim, &request, WARM_UP).await;
    let before = rss_bytes().unwrap();
    flood(&sim, &request, FLOOD).await;
    let after = rss_bytes().unwrap();
    let grown = after.saturating_sub(before);
    eprintln!(
        "RSS {} MB → {} MB (+{} KB) over {FLOOD} rejected requests; {:?} in all",
        before / 1_048_576,
        after / 1_048_576,
        grown / 1024,
        started.elapsed()
    );
    assert!(
        grown <= MARGIN_BYTES,
        "RSS grew by {grown} bytes over {FLOOD} rejected requests"
    );

    let stats = sim.stats();
    let total = (WARM_UP + FLOOD) as u64;
    assert_eq!(stats.rejections_for(reason::UNKNOWN_BRAND), total);
    assert_eq!(
        stats.deactivation_arrivals.len() as u64 + stats.deactivation_arrivals_dropped,
        total
    );
    assert!(stats.deactivation_arrivals.len() <= wxbrand_simulator::DEFAULT_STATS_HISTORY);
    assert!(stats.deactivation_admissions.is_empty());
    assert!(
        stats.connections_accepted <= CONNECTIONS as u64 * 2,
        "keep-alive: {}",
        stats.connections_accepted
    );
}
