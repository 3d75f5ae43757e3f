//! The connection cap: excess connections are closed at once (or an idle one makes room), and
//! legitimate clients keep being served (issue 10: 20,000 fast connections exhausted the
//! simulator's file descriptors).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::*;
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

/// Whether the server ends `stream` (FIN or reset) within [`PATIENCE`].
async fn closed_by_server(stream: &mut TcpStream) -> bool {
    let mut byte = [0u8; 1];
    match tokio::time::timeout(PATIENCE, stream.read(&mut byte)).await {
        Ok(Ok(0)) | Ok(Err(_)) => true,
        Ok(Ok(_)) | Err(_) => false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_cap_new_connections_are_shed_and_idle_ones_make_room() {
    const CAP: usize = 8;
    let sim = builder(1).max_connections(CAP).start().await.unwrap();
    let caller = Caller::vectors(&sim);
    let path = format!("{PREFIX}/{COUPON}/stocks/{}", stock_id(1));

    // Fill the cap with connections that never send anything.
    let mut idle = Vec::new();
    for _ in 0..CAP {
        idle.push(TcpStream::connect(sim.local_addr()).await.unwrap());
    }
    assert!(eventually(|| async { sim.stats().connections_accepted == CAP as u64 }).await);

    // At once, none is idle long enough to close: 200 more are reset at once, holding nothing.
    // (A connect may already see the reset.)
    let mut excess = Vec::new();
    for _ in 0..200 {
        if let Ok(stream) = TcpStream::connect(sim.local_addr()).await {
            excess.push(stream);
        }
    }
    for stream in &mut excess {
        assert!(
            closed_by_server(stream).await,
            "an excess connection was kept"
        );
    }
    drop(excess);
    assert!(sim.stats().connections_shed >= 190, "{:?}", sim.stats());

    // A legitimate client gets in once an idle connection has been idle for a second.
    let client = client();
    let served = eventually(|| async {
        match try_send(&client, caller.request("GET", &path, b"")).await {
            Ok(answer) => answer.status == 200,
            Err(_) => false,
        }
    })
    .await;
    assert!(served, "{:?}", sim.stats());
    let stats = sim.stats();
    assert!(stats.connections_evicted >= 1, "{stats:?}");
    let mut closed = 0;
    for stream in &mut idle {
        let mut byte = [0u8; 1];
        if let Ok(Ok(0) | Err(_)) =
            tokio::time::timeout(Duration::from_millis(100), stream.read(&mut byte)).await
        {
            closed += 1;
        }
    }
    assert!(closed >= 1, "an idle connection was closed to make room");
    // The client's keep-alive connection keeps being served.
    for _ in 0..5 {
        let answer = send(&client, caller.request("GET", &path, b"")).await;
        assert_eq!(answer.status, 200);
    }
}
