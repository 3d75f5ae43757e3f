//! A TLS certificate error is permanent: one attempt, and advice to pass --ca-cert (issue 10, item 5).
//! Against the hostile server (`hostile_server`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod hostile_server;
#[path = "../../../testdata/vector_keys.rs"]
mod vector_keys;

use hostile_server::*;

/// A TCP forwarder to `target` that counts the connections made to it.
fn counting_forwarder(target: SocketAddr) -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            counter.fetch_add(1, Ordering::SeqCst);
            let Ok(server) = TcpStream::connect(target) else {
                continue;
            };
            let (mut client_read, mut server_write) =
                (client.try_clone().unwrap(), server.try_clone().unwrap());
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut client_read, &mut server_write);
                let _ = server_write.shutdown(std::net::Shutdown::Write);
            });
            let (mut server_read, mut client_write) = (server, client);
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut server_read, &mut client_write);
                let _ = client_write.shutdown(std::net::Shutdown::Write);
            });
        }
    });
    (addr, count)
}

#[test]
fn an_untrusted_certificate_fails_at_the_first_attempt_and_names_ca_cert() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let simulator = runtime
        .block_on(wxbrand_simulator::Simulator::ephemeral().tls(true).start())
        .unwrap();
    let (forwarder, connections) = counting_forwarder(simulator.local_addr());
    let output = stock_get(&format!("https://127.0.0.1:{}", forwarder.port()))
        .args(["--retries", "3"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(5), "{stderr}");
    assert_eq!(
        connections.load(Ordering::SeqCst),
        1,
        "a refused certificate is not retried: {stderr}"
    );
    assert!(
        stderr.contains("certificate authority this client does not trust"),
        "{stderr}"
    );
    assert!(stderr.contains("--ca-cert"), "{stderr}");
    drop(runtime);
}
