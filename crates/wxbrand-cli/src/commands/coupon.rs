//! `wxbrand coupon create|get|update|deactivate`: product coupon operations through the SDK
//! client (settings, exit codes and output as for `wxbrand stock`).

use std::path::PathBuf;

use clap::{Args, Subcommand};
use wxbrand_product_coupon::{
    CreateCouponBody, CreateCouponRequest, DeactivateCouponRequest, GetCouponRequest,
    ProductCouponExt, UpdateCouponBody, UpdateCouponRequest,
};

use crate::cli::ConnectionArgs;
use crate::commands::send::{body_from_file, built, out_request_no, send_and_print};
use crate::commands::stock::{validation_failure, with_client};
use crate::exit::Failure;
use crate::output;

const COUPON_GET_EXAMPLES: &str = "\
Example:
  wxbrand coupon get --product-coupon-id 1000000013 --output table";

const COUPON_CREATE_EXAMPLES: &str = "\
The body file is the JSON body of WeChat Pay's create-product-coupon request (out_request_no,
scope, type, usage_mode, display_info, stock or stock_bundle …), checked before anything is sent.

Example:
  wxbrand coupon create --body-file coupon.json";

const COUPON_UPDATE_EXAMPLES: &str = "\
Example (display.json: {\"out_request_no\": \"upd_0001\", \"display_info\": {\"name\": …, \"image_url\": …}}):
  wxbrand coupon update --product-coupon-id 1000000013 --body-file display.json";

const COUPON_DEACTIVATE_EXAMPLES: &str = "\
Example:
  wxbrand coupon deactivate --product-coupon-id 1000000013 --reason 活动结束 --out-request-no deact_0001";

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
    /// Create a product coupon with its first stock or stock bundle.
    #[command(after_help = COUPON_CREATE_EXAMPLES)]
    Create(CouponCreateArgs),
    /// Update a product coupon's display information (body: out_request_no, display_info).
    #[command(after_help = COUPON_UPDATE_EXAMPLES)]
    Update(CouponUpdateArgs),
    /// Deactivate a product coupon: its stocks stop issuing (issued coupons stay valid).
    #[command(after_help = COUPON_DEACTIVATE_EXAMPLES)]
    Deactivate(CouponDeactivateArgs),
}

/// `wxbrand coupon create`.
#[derive(Debug, Args)]
pub struct CouponCreateArgs {
    /// The request body (JSON).
    #[arg(long, value_name = "PATH")]
    pub body_file: PathBuf,
    /// Client settings.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `wxbrand coupon update`.
#[derive(Debug, Args)]
pub struct CouponUpdateArgs {
    /// Product coupon id.
    #[arg(long, value_name = "ID")]
    pub product_coupon_id: String,
    /// The request body (JSON: out_request_no and display_info).
    #[arg(long, value_name = "PATH")]
    pub body_file: PathBuf,
    /// Client settings.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `wxbrand coupon deactivate`.
#[derive(Debug, Args)]
pub struct CouponDeactivateArgs {
    /// Product coupon id.
    #[arg(long, value_name = "ID")]
    pub product_coupon_id: String,
    /// Why (1–150 characters).
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// Request number (6–40 of 0-9A-Za-z_-); generated and printed when absent.
    #[arg(long, value_name = "NO")]
    pub out_request_no: Option<String>,
    /// Client settings.
    #[command(flatten)]
    pub connection: ConnectionArgs,
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
        CouponCommand::Create(args) => {
            let body: CreateCouponBody = body_from_file(&args.body_file)?;
            let no = body.out_request_no.to_string();
            let request = built(CreateCouponRequest::from_body(body))?;
            send_and_print(&args.connection, request, Some(&no))
        }
        CouponCommand::Update(args) => {
            let body: UpdateCouponBody = body_from_file(&args.body_file)?;
            let no = body.out_request_no.to_string();
            let request = built(UpdateCouponRequest::from_body(
                args.product_coupon_id.as_str(),
                body,
            ))?;
            send_and_print(&args.connection, request, Some(&no))
        }
        CouponCommand::Deactivate(args) => {
            let no = out_request_no(args.out_request_no.as_deref());
            let request = built(DeactivateCouponRequest::new(
                args.product_coupon_id.as_str(),
                no.as_str(),
                args.reason.as_str(),
            ))?;
            send_and_print(&args.connection, request, Some(&no))
        }
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
