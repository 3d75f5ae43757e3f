//! What the family's simulator suites share: the request bodies of `testdata/product-coupon/`, a
//! client over TLS for a simulator, and an API error's status and code.
#![allow(dead_code, clippy::unwrap_used, clippy::panic)]

use std::sync::Arc;

use wxbrand_client::clock::NoSleep;
use wxbrand_client::{Client, Error, ErrorKind};
use wxbrand_core::ErrorCode;
use wxbrand_simulator::SimulatorHandle;

/// A JSON file of `testdata/product-coupon/`.
pub fn testdata(name: &str) -> serde_json::Value {
    let path = format!(
        "{}/../../testdata/product-coupon/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// A client for `sim` over TLS that trusts its CA and does not wait between retries.
pub fn client_for(sim: &SimulatorHandle) -> Client {
    let brand = sim.ephemeral_brand().unwrap();
    Client::builder()
        .brand_id(brand.brand_id())
        .serial_no(brand.serial_no())
        .private_key(brand.private_key().clone())
        .wechatpay_public_key(
            sim.wechatpay_public_key_id(),
            sim.wechatpay_public_key().clone(),
        )
        .base_url(sim.base_url())
        .without_backup()
        .add_root_certificate_pem(sim.ca_certificate_pem().unwrap())
        .sleeper(Arc::new(NoSleep))
        .build()
        .unwrap()
}

/// The HTTP status and WeChat Pay code of an API error.
pub fn api_code(error: &Error) -> (u16, ErrorCode) {
    match error.kind() {
        ErrorKind::Api(api) => (api.status(), api.code().cloned().unwrap()),
        other => panic!("not an API error: {other:?}"),
    }
}
