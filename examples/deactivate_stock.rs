//! Deactivate a product coupon stock (失效商品券批次) through the whole wxbrand stack.
//!
//! Without any `WXBRAND_*` variable it runs against the embedded simulator: a local WeChat Pay
//! brand API over TLS on 127.0.0.1 with freshly generated keys and one stock in `SENDING`.
//!
//! ```text
//! cargo run --example deactivate_stock
//! ```
//!
//! Against the real API, set the variables and name the stock:
//!
//! ```text
//! export WXBRAND_BRAND_ID=… WXBRAND_SERIAL_NO=… WXBRAND_PRIVATE_KEY_PATH=apiclient_key.pem \
//!        WXBRAND_PUBLIC_KEY_ID=PUB_KEY_ID_… WXBRAND_PUBLIC_KEY_PATH=pub_key.pem
//! cargo run --example deactivate_stock -- <product_coupon_id> <stock_id> [reason]
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::error::Error;
use std::process::ExitCode;

use wxbrand::prelude::*;
use wxbrand::product_coupon::{DeactivateStockRequest, StockState};
use wxbrand::Client;
use wxbrand_simulator::{sample_stock, Simulator};

const DEFAULT_REASON: &str = "批次信息有误,重新创建";

/// A fresh request number: `out_request_no` is the idempotency key, so a retry by hand must reuse
/// the one printed here.
fn new_out_request_no() -> String {
    let nonce = wxbrand::sign::generate_nonce();
    format!("wxb_{}", &nonce[..24])
}

#[tokio::main]
async fn main() -> ExitCode {
    let configured = wxbrand::env_var::ALL
        .iter()
        .any(|name| std::env::var_os(name).is_some());
    let outcome = if configured {
        real_api().await
    } else {
        simulator().await
    };
    report(outcome)
}

/// Prints an error with its causes, as a person wants to read it.
fn report(outcome: Result<(), Box<dyn Error>>) -> ExitCode {
    let Err(error) = outcome else {
        return ExitCode::SUCCESS;
    };
    eprintln!("error: {error}");
    let mut source = error.source();
    while let Some(cause) = source {
        eprintln!("  caused by: {cause}");
        source = cause.source();
    }
    ExitCode::FAILURE
}

async fn real_api() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(coupon_id), Some(stock_id)) = (args.first(), args.get(1)) else {
        eprintln!("usage: cargo run --example deactivate_stock -- <product_coupon_id> <stock_id> [reason]");
        std::process::exit(2);
    };
    let reason = args.get(2).map_or(DEFAULT_REASON, String::as_str);
    let client = Client::from_env()?;
    let out_request_no = new_out_request_no();
    println!("deactivating stock {stock_id} of coupon {coupon_id} on {} (out_request_no {out_request_no})", client.main_url());
    let stock = client
        .product_coupon()
        .deactivate_stock(DeactivateStockRequest::new(
            coupon_id.as_str(),
            stock_id.as_str(),
            out_request_no,
            reason,
        )?)
        .await?;
    println!("{}", serde_json::to_string_pretty(&*stock)?);
    println!("Request-ID: {}", stock.request_id().unwrap_or("(none)"));
    Ok(())
}

async fn simulator() -> Result<(), Box<dyn Error>> {
    let (coupon_id, stock_id) = ("1000000013", "1000000013001");
    // A local WeChat Pay brand API: TLS with its own CA, a generated brand key pair and WeChat Pay
    // key pair, and one stock that is issuing coupons.
    let sim = Simulator::ephemeral()
        .tls(true)
        .stock(sample_stock(coupon_id, stock_id, StockState::Sending)?)
        .start()
        .await?;
    // A client wired to it: its brand, its WeChat Pay key, its URL and its CA.
    let connection = sim.connection().ok_or("the simulator made no brand")?;
    let client = wxbrand::test_util::client_builder(&connection).build()?;

    let out_request_no = new_out_request_no();
    let stock = client
        .product_coupon()
        .deactivate_stock(DeactivateStockRequest::new(
            coupon_id,
            stock_id,
            out_request_no,
            DEFAULT_REASON,
        )?)
        .await?;

    println!("{}", serde_json::to_string_pretty(&*stock)?);
    println!("Request-ID: {}", stock.request_id().unwrap_or("(none)"));
    println!();
    println!(
        "This ran against the local simulator at {} (TLS, generated keys), not WeChat Pay.",
        sim.base_url()
    );
    println!(
        "The answer's signature was verified before it was decoded; the stock is now {:?}.",
        stock.state
    );
    println!(
        "To call the real API, set WXBRAND_BRAND_ID, WXBRAND_SERIAL_NO, WXBRAND_PRIVATE_KEY_PATH,"
    );
    println!("WXBRAND_PUBLIC_KEY_ID and WXBRAND_PUBLIC_KEY_PATH, then run:");
    println!("  cargo run --example deactivate_stock -- <product_coupon_id> <stock_id> [reason]");
    sim.shutdown().await;
    Ok(())
}
