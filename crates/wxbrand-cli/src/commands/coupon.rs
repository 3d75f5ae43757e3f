//! `wxbrand coupon get`: product coupon operations through the SDK client (settings, exit codes and
//! output as for `wxbrand stock`).

use clap::{Args, Subcommand};
use wxbrand_product_coupon::{GetCouponRequest, ProductCouponExt};

use crate::cli::ConnectionArgs;
use crate::commands::stock::{validation_failure, with_client};
use crate::exit::Failure;
use crate::output;

const COUPON_GET_EXAMPLES: &str = "\
Example:
  wxbrand coupon get --product-coupon-id 1000000013 --output table";

/// `wxbrand coupon …`.
#[derive(Debug, Args)]
pub struct CouponArgs {
    /// The product coupon operation.
    #[command(subcommand)]
    pub command: CouponCommand,
}

/// The product coupon operations.
#[derive(Debug, Subcommand)]
pub enum CouponCommand {
    /// Show one product coupon.
    #[command(after_help = COUPON_GET_EXAMPLES)]
    Get(CouponGetArgs),
}

/// `wxbrand coupon get`.
#[derive(Debug, Args)]
pub struct CouponGetArgs {
    /// Product coupon id.
    #[arg(long, value_name = "ID")]
    pub product_coupon_id: String,
    /// Client settings.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// Runs one product coupon operation.
pub fn run(args: &CouponArgs) -> Result<(), Failure> {
    match &args.command {
        CouponCommand::Get(args) => get(args),
    }
}

fn get(args: &CouponGetArgs) -> Result<(), Failure> {
    let request = GetCouponRequest::new(args.product_coupon_id.as_str())
        .map_err(|e| validation_failure(&e))?;
    let response = with_client(&args.connection, |client| async move {
        client.product_coupon().get_coupon(request).await
    })?;
    output::stock(response.value(), args.connection.output)
}
