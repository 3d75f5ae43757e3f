//! A user-defined transport: wraps `HyperTransport`, adds a header to every request and logs how
//! long each exchange took. It is used as an `Arc<dyn Transport>`, the form the client takes.
//!
//! Self-contained: it starts the embedded simulator (a local WeChat Pay brand API over TLS) and
//! runs a get and a deactivation through the client over this transport. The second exchange
//! reuses the pooled connection, so it is usually faster.
//!
//! ```text
//! cargo run --example custom_transport
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use http::header::{HeaderName, HeaderValue};
use wxbrand::prelude::*;
use wxbrand::product_coupon::{DeactivateStockRequest, GetStockRequest, StockState};
use wxbrand::transport::{Bytes, HyperTransport, Transport, TransportError};
use wxbrand_simulator::{sample_stock, Simulator};

/// The header this transport adds to every request.
const TAG_HEADER: &str = "x-example-tag";

/// Wraps any transport (here `HyperTransport`), tags each request and logs its timing.
#[derive(Debug)]
struct TaggingTransport<T> {
    inner: T,
    tag: HeaderValue,
}

#[async_trait::async_trait]
impl<T: Transport> Transport for TaggingTransport<T> {
    async fn send(
        &self,
        mut request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        request
            .headers_mut()
            .insert(HeaderName::from_static(TAG_HEADER), self.tag.clone());
        let line = format!("{} {}", request.method(), request.uri());

        // The example reads the wall clock itself to log timings; library code never does
        // (it takes time from the client's injectable clock).
        #[allow(clippy::disallowed_methods)]
        let started = std::time::Instant::now();
        let result = self.inner.send(request).await;
        let took = started.elapsed();

        match &result {
            Ok(response) => println!(
                "{line} -> {} ({} bytes) in {took:?}",
                response.status(),
                response.body().len()
            ),
            // `kind()` says what is safe next: NotSent may always be retried.
            Err(error) => println!("{line} -> {} error: {error} in {took:?}", error.kind()),
        }
        result
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A local WeChat Pay brand API over TLS, with generated keys and one stock to deactivate.
    let (coupon_id, stock_id) = ("200000001", "300000001");
    let sim = Simulator::ephemeral()
        .tls(true)
        .stock(sample_stock(coupon_id, stock_id, StockState::Sending)?)
        .start()
        .await?;
    let connection = sim.connection().ok_or("the simulator made no brand")?;
    let ca = connection
        .ca_certificate_pem
        .as_deref()
        .ok_or("the simulator serves no TLS")?;

    // Your transport owns the HTTP settings, trust roots included.
    let hyper = HyperTransport::builder()
        .connect_timeout(Duration::from_secs(2))
        .request_timeout(Duration::from_secs(10))
        .add_root_certificate_pem(ca.as_bytes())?
        .build()?;
    let transport: Arc<dyn Transport> = Arc::new(TaggingTransport {
        inner: hyper,
        tag: HeaderValue::from_static("custom-transport-example"),
    });

    // The client signs, verifies and retries; every exchange goes through `TaggingTransport`.
    // (`client_builder` wires brand, keys and URL; the transport given here replaces the default.)
    let client = wxbrand::test_util::client_builder(&connection)
        .transport(transport)
        .build()?;

    let stock = client
        .product_coupon()
        .get_stock(GetStockRequest::new(coupon_id, stock_id)?)
        .await?;
    println!("  stock {} is {:?}", stock.stock_id, stock.state);
    let stock = client
        .product_coupon()
        .deactivate_stock(DeactivateStockRequest::new(
            coupon_id,
            stock_id,
            "custom_transport_0001",
            "shown by the custom transport example",
        )?)
        .await?;
    println!(
        "  stock {} is {:?} (Request-ID {})",
        stock.stock_id,
        stock.state,
        stock.request_id().unwrap_or("-")
    );
    println!("(ran against the local simulator at {})", sim.base_url());
    sim.shutdown().await;
    Ok(())
}
