//! `SimulatorHandle::connection`: what a client needs, as plain data of sign-crate types.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;

#[tokio::test]
async fn the_connection_carries_what_a_client_needs_and_never_prints_the_key() {
    let sim = wxbrand_simulator::Simulator::ephemeral()
        .tls(true)
        .start()
        .await
        .unwrap();
    let connection = sim.connection().unwrap();
    let brand = sim.ephemeral_brand().unwrap();
    assert_eq!(connection.brand_id, brand.brand_id());
    assert_eq!(connection.serial_no, brand.serial_no());
    assert_eq!(
        connection.private_key.public_key().to_der(),
        brand.public_key().to_der()
    );
    assert_eq!(
        connection.wechatpay_public_key_id,
        sim.wechatpay_public_key_id()
    );
    assert_eq!(
        connection.wechatpay_public_key.to_der(),
        sim.wechatpay_public_key().to_der()
    );
    assert_eq!(connection.base_url, sim.base_url());
    assert_eq!(
        connection.ca_certificate_pem.as_deref(),
        sim.ca_certificate_pem()
    );
    let shown = format!("{connection:?}");
    assert!(shown.contains(brand.brand_id()), "{shown}");
    assert!(
        !shown.contains("PRIVATE") && !shown.contains("MII"),
        "{shown}"
    );
    sim.shutdown().await;

    // A simulator that holds no brand private key has no connection to hand out.
    let given = builder(0).start().await.unwrap();
    assert!(given.connection().is_none());
    given.shutdown().await;
}
