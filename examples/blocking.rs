//! The blocking client: the same deactivation as `deactivate_stock`, from plain synchronous code.
//!
//! Without `WXBRAND_*` variables it runs against the embedded simulator (TLS on 127.0.0.1,
//! generated keys); the simulator itself needs an async runtime, so it runs on one in the
//! background while `main` stays synchronous. With the variables set it calls the real API:
//!
//! ```text
//! cargo run --example blocking --features blocking
//! cargo run --example blocking --features blocking -- <product_coupon_id> <stock_id> [reason]
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::error::Error;
use std::process::ExitCode;

use wxbrand::prelude::*;
use wxbrand::product_coupon::{DeactivateStockRequest, GetStockRequest, StockState};
use wxbrand::BlockingClient;
use wxbrand_simulator::{sample_stock, Simulator};

const DEFAULT_REASON: &str = "批次信息有误,重新创建";

fn new_out_request_no() -> String {
    let nonce = wxbrand::sign::generate_nonce();
    format!("wxb_{}", &nonce[..24])
}

fn main() -> ExitCode {
    let Err(error) = run() else {
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

fn run() -> Result<(), Box<dyn Error>> {
    let configured = wxbrand::env_var::ALL
        .iter()
        .any(|name| std::env::var_os(name).is_some());
    if configured {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let (Some(coupon_id), Some(stock_id)) = (args.first(), args.get(1)) else {
            eprintln!("usage: cargo run --example blocking --features blocking -- <product_coupon_id> <stock_id> [reason]");
            std::process::exit(2);
        };
        let reason = args.get(2).map_or(DEFAULT_REASON, String::as_str);
        let client = BlockingClient::from_env()?;
        return deactivate(&client, coupon_id, stock_id, reason);
    }

    // The simulator serves from a background runtime; this thread never enters it.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let (coupon_id, stock_id) = ("1000000013", "1000000013001");
    let sim = runtime.block_on(
        Simulator::ephemeral()
            .tls(true)
            .stock(sample_stock(coupon_id, stock_id, StockState::Sending)?)
            .start(),
    )?;
    let connection = sim.connection().ok_or("the simulator made no brand")?;
    let client = wxbrand::test_util::client_builder(&connection).build_blocking()?;

    let before = client
        .product_coupon()
        .get_stock(GetStockRequest::new(coupon_id, stock_id)?)?;
    println!("before: stock {} is {:?}", before.stock_id, before.state);
    deactivate(&client, coupon_id, stock_id, DEFAULT_REASON)?;
    println!();
    println!(
        "This ran against the local simulator at {} (TLS, generated keys), not WeChat Pay.",
        sim.base_url()
    );
    println!("To call the real API, set the WXBRAND_* variables (see the deactivate_stock example) and run:");
    println!("  cargo run --example blocking --features blocking -- <product_coupon_id> <stock_id> [reason]");
    runtime.block_on(sim.shutdown());
    Ok(())
}

fn deactivate(
    client: &BlockingClient,
    coupon_id: &str,
    stock_id: &str,
    reason: &str,
) -> Result<(), Box<dyn Error>> {
    let stock = client
        .product_coupon()
        .deactivate_stock(DeactivateStockRequest::new(
            coupon_id,
            stock_id,
            new_out_request_no(),
            reason,
        )?)?;
    println!("{}", serde_json::to_string_pretty(&*stock)?);
    println!("Request-ID: {}", stock.request_id().unwrap_or("(none)"));
    Ok(())
}
