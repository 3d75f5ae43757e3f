//! `wxbrand bundle create|update|budget|stores …`: the stock-bundle operations (the stocks of a
//! multi-use coupon) through the SDK's declarations; flags and bodies as for `wxbrand stock`.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use wxbrand_product_coupon::{
    AssociateBundleStoresRequest, CreateStockBundleBody, CreateStockBundleRequest,
    DisassociateBundleStoresRequest, UpdateStockBody, UpdateStockBundleBudgetRequest,
    UpdateStockBundleRequest,
};

use crate::cli::ConnectionArgs;
use crate::commands::send::{body_from_file, built, send_and_print};
use crate::commands::stock_admin::{BudgetFlags, StoreFlags};
use crate::exit::Failure;

const CREATE_EXAMPLES: &str = "\
Example (bundle.json: {\"out_request_no\": …, \"stock_bundle\": {…}}, one rule per use):
  wxbrand bundle create --product-coupon-id 1000000013 --body-file bundle.json";

const UPDATE_EXAMPLES: &str = "\
Example (change.json as for `wxbrand stock update`):
  wxbrand bundle update --product-coupon-id 1000000013 --stock-bundle-id 1000000013100 --body-file change.json";

const BUDGET_EXAMPLES: &str = "\
Example:
  wxbrand bundle budget --product-coupon-id 1000000013 --stock-bundle-id 1000000013100 \\
    --mode max-count-per-day --current 10 --target 20";

const STORES_EXAMPLES: &str = "\
Example:
  wxbrand bundle stores associate --product-coupon-id 1000000013 --stock-bundle-id 1000000013100 \\
    --store-id store_1";

/// `wxbrand bundle …`.
#[derive(Debug, Args)]
pub struct BundleArgs {
    /// The stock-bundle operation.
    #[command(subcommand)]
    pub command: BundleCommand,
}

/// The stock-bundle operations.
#[derive(Debug, Subcommand)]
pub enum BundleCommand {
    /// Add a stock bundle to a multi-use product coupon (body: out_request_no, stock_bundle).
    #[command(after_help = CREATE_EXAMPLES)]
    Create(BundleCreateArgs),
    /// Update a stock bundle (body: out_request_no and the parts to change).
    #[command(after_help = UPDATE_EXAMPLES)]
    Update(BundleUpdateArgs),
    /// Change a stock bundle's budget.
    #[command(after_help = BUDGET_EXAMPLES)]
    Budget(BundleBudgetArgs),
    /// Associate or disassociate a stock bundle's stores.
    #[command(after_help = STORES_EXAMPLES)]
    Stores(BundleStoresArgs),
}

/// The ids of a stock bundle.
#[derive(Debug, Args)]
pub struct BundleIds {
    /// Product coupon id.
    #[arg(long, value_name = "ID")]
    pub product_coupon_id: String,
    /// Stock bundle id.
    #[arg(long, value_name = "ID")]
    pub stock_bundle_id: String,
}

impl BundleIds {
    /// The product coupon id and the stock bundle id, as the request constructors take them.
    fn pair(&self) -> (&str, &str) {
        (
            self.product_coupon_id.as_str(),
            self.stock_bundle_id.as_str(),
        )
    }
}

/// `wxbrand bundle create`.
#[derive(Debug, Args)]
pub struct BundleCreateArgs {
    /// Product coupon id.
    #[arg(long, value_name = "ID")]
    pub product_coupon_id: String,
    /// The request body (JSON).
    #[arg(long, value_name = "PATH")]
    pub body_file: PathBuf,
    /// Client settings.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `wxbrand bundle update`.
#[derive(Debug, Args)]
pub struct BundleUpdateArgs {
    /// The bundle.
    #[command(flatten)]
    pub ids: BundleIds,
    /// The request body (JSON).
    #[arg(long, value_name = "PATH")]
    pub body_file: PathBuf,
    /// Client settings.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `wxbrand bundle budget`.
#[derive(Debug, Args)]
pub struct BundleBudgetArgs {
    /// The bundle.
    #[command(flatten)]
    pub ids: BundleIds,
    /// The change.
    #[command(flatten)]
    pub budget: BudgetFlags,
    /// Client settings.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `wxbrand bundle stores …`.
#[derive(Debug, Args)]
pub struct BundleStoresArgs {
    /// The store operation.
    #[command(subcommand)]
    pub command: BundleStoresCommand,
}

/// The store operations of a stock bundle.
#[derive(Debug, Subcommand)]
pub enum BundleStoresCommand {
    /// Associate stores (not retried once it may have been delivered).
    Associate(BundleStoresChangeArgs),
    /// Disassociate stores (not retried once it may have been delivered).
    Disassociate(BundleStoresChangeArgs),
}

/// `wxbrand bundle stores associate|disassociate`.
#[derive(Debug, Args)]
pub struct BundleStoresChangeArgs {
    /// The bundle.
    #[command(flatten)]
    pub ids: BundleIds,
    /// The stores.
    #[command(flatten)]
    pub stores: StoreFlags,
    /// Client settings.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// Runs one stock-bundle operation.
pub fn run(args: &BundleArgs) -> Result<(), Failure> {
    match &args.command {
        BundleCommand::Create(args) => {
            let body: CreateStockBundleBody = body_from_file(&args.body_file)?;
            let no = body.out_request_no.to_string();
            let request = built(CreateStockBundleRequest::from_body(
                args.product_coupon_id.as_str(),
                body,
            ))?;
            send_and_print(&args.connection, request, Some(&no))
        }
        BundleCommand::Update(args) => {
            let body: UpdateStockBody = body_from_file(&args.body_file)?;
            let no = body.out_request_no.as_ref().map(ToString::to_string);
            let (coupon, bundle) = args.ids.pair();
            let request = built(UpdateStockBundleRequest::new(coupon, bundle, body))?;
            send_and_print(&args.connection, request, no.as_deref())
        }
        BundleCommand::Budget(args) => {
            let (body, no) = args.budget.body()?;
            let (coupon, bundle) = args.ids.pair();
            let request = built(UpdateStockBundleBudgetRequest::new(coupon, bundle, body))?;
            send_and_print(&args.connection, request, Some(&no))
        }
        BundleCommand::Stores(stores) => match &stores.command {
            BundleStoresCommand::Associate(args) => {
                let (coupon, bundle) = args.ids.pair();
                let request = built(AssociateBundleStoresRequest::new(
                    coupon,
                    bundle,
                    args.stores.body()?,
                ))?;
                send_and_print(&args.connection, request, None)
            }
            BundleStoresCommand::Disassociate(args) => {
                let (coupon, bundle) = args.ids.pair();
                let request = built(DisassociateBundleStoresRequest::new(
                    coupon,
                    bundle,
                    args.stores.body()?,
                ))?;
                send_and_print(&args.connection, request, None)
            }
        },
    }
}
