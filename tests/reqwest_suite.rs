//! The client's simulator suite (`crates/wxbrand-product-coupon/tests/simulator.rs`) once more,
//! over `ReqwestTransport`: a `reqwest::Client` trusting only the simulator's test CA, redirects
//! off. Every scenario of the suite (faults, bad answers, oversized answers, an unreachable host,
//! load, the rate limit at the server) runs unchanged; only the transport differs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use wxbrand::transport::reqwest;
use wxbrand::transport::ReqwestTransport;
use wxbrand::ClientBuilder;
use wxbrand_simulator::SimulatorHandle;

#[path = "../crates/wxbrand-product-coupon/tests/simulator.rs"]
mod suite;

/// The suite's transport here: reqwest, trusting the simulator's CA alone.
fn over_suite_transport(builder: ClientBuilder, sim: &SimulatorHandle) -> ClientBuilder {
    builder.transport(Arc::new(ReqwestTransport::new(reqwest_client(sim))))
}

fn reqwest_client(sim: &SimulatorHandle) -> reqwest::Client {
    let ca = sim.connection().unwrap().ca_certificate_pem.unwrap();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .tls_certs_only([reqwest::Certificate::from_pem(ca.as_bytes()).unwrap()])
        .build()
        .unwrap()
}
