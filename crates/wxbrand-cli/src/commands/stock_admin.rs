//! `wxbrand stock create|update|budget|upload-codes|stores …`: the stock operations that change a
//! stock, through the SDK's declarations (settings, exit codes and output as for `wxbrand stock
//! get`). Large bodies come from `--body-file` and are checked by the SDK's types before sending.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use futures_util::StreamExt;
use wxbrand_product_coupon::{
    AssociateStoresRequest, BudgetUpdateMode, CreateStockBody, CreateStockRequest,
    DisassociateStoresRequest, ListAssociatedStoresRequest, ProductCouponExt, StoreListBody,
    UpdateBudgetBody, UpdateStockBody, UpdateStockBudgetRequest, UpdateStockRequest,
    UploadCouponCodesBody, UploadCouponCodesRequest,
};

use crate::cli::ConnectionArgs;
use crate::commands::send::{body_from_file, built, out_request_no, send_and_print};
use crate::commands::stock::with_client;
use crate::config;
use crate::exit::Failure;
use crate::output;

const CREATE_EXAMPLES: &str = "\
The body file is WeChat Pay's create-stock body: {\"out_request_no\": …, \"stock\": {…}}.

Example:
  wxbrand stock create --product-coupon-id 1000000013 --body-file stock.json";

const BUDGET_EXAMPLES: &str = "\
Example (raise the life-time limit from 100 to 300):
  wxbrand stock budget --product-coupon-id 1000000013 --stock-id 1000000013001 \\
    --mode max-count --current 100 --target 300";

const UPDATE_EXAMPLES: &str = "\
Example (change.json: {\"out_request_no\": \"upd_0001\", \"remark\": \"新备注\", \"store_scope\": \"SPECIFIC\"}):
  wxbrand stock update --product-coupon-id 1000000013 --stock-id 1000000013001 --body-file change.json";

const UPLOAD_EXAMPLES: &str = "\
Example (codes.txt: one code per line):
  wxbrand stock upload-codes --product-coupon-id 1000000013 --stock-id 1000000013001 \\
    --codes-file codes.txt --out-request-no codes_0001";

const STORES_EXAMPLES: &str = "\
Examples:
  wxbrand stock stores associate --product-coupon-id 1000000013 --stock-id 1000000013001 \\
    --store-id store_1 --store-id store_2
  wxbrand stock stores list --product-coupon-id 1000000013 --stock-id 1000000013001 --all";

/// The stock operations that change a stock (flattened into `wxbrand stock`).
#[derive(Debug, Subcommand)]
pub enum StockAdminCommand {
    /// Add a stock to a product coupon.
    #[command(after_help = CREATE_EXAMPLES)]
    Create(StockCreateArgs),
    /// Update a stock (body: out_request_no and the parts to change).
    #[command(after_help = UPDATE_EXAMPLES)]
    Update(StockUpdateArgs),
    /// Change a stock's budget (life-time or daily limit).
    #[command(after_help = BUDGET_EXAMPLES)]
    Budget(StockBudgetArgs),
    /// Upload the codes of an UPLOAD-mode stock (one code per line of a file).
    #[command(after_help = UPLOAD_EXAMPLES)]
    UploadCodes(UploadCodesArgs),
    /// Associate, disassociate or list a stock's stores.
    #[command(after_help = STORES_EXAMPLES)]
    Stores(StockStoresArgs),
}

/// The ids of a stock.
#[derive(Debug, Args)]
pub struct StockIds {
    /// Product coupon id.
    #[arg(long, value_name = "ID")]
    pub product_coupon_id: String,
    /// Stock id.
    #[arg(long, value_name = "ID")]
    pub stock_id: String,
}

impl StockIds {
    /// The product coupon id and the stock id, as the request constructors take them.
    fn pair(&self) -> (&str, &str) {
        (self.product_coupon_id.as_str(), self.stock_id.as_str())
    }
}

/// `wxbrand stock create`.
#[derive(Debug, Args)]
pub struct StockCreateArgs {
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

/// `wxbrand stock update`.
#[derive(Debug, Args)]
pub struct StockUpdateArgs {
    /// The stock.
    #[command(flatten)]
    pub ids: StockIds,
    /// The request body (JSON).
    #[arg(long, value_name = "PATH")]
    pub body_file: PathBuf,
    /// Client settings.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// Which limit a budget change sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BudgetMode {
    /// `MAX_COUNT`: coupons over the life of the stock.
    MaxCount,
    /// `MAX_COUNT_PER_DAY`: coupons per day.
    MaxCountPerDay,
}

/// A budget change (stocks and bundles).
#[derive(Debug, Args)]
pub struct BudgetFlags {
    /// Which limit.
    #[arg(long, value_enum)]
    pub mode: BudgetMode,
    /// Its current value (WeChat Pay refuses the change when it differs).
    #[arg(long, value_name = "N")]
    pub current: i64,
    /// Its new value (not below what was already sent).
    #[arg(long, value_name = "N")]
    pub target: i64,
    /// Request number (6–40 of 0-9A-Za-z_-); generated and printed when absent.
    #[arg(long, value_name = "NO")]
    pub out_request_no: Option<String>,
}

impl BudgetFlags {
    /// The SDK body, validated, and its request number.
    pub(crate) fn body(&self) -> Result<(UpdateBudgetBody, String), Failure> {
        let no = out_request_no(self.out_request_no.as_deref());
        let mode = match self.mode {
            BudgetMode::MaxCount => BudgetUpdateMode::MaxCount,
            BudgetMode::MaxCountPerDay => BudgetUpdateMode::MaxCountPerDay,
        };
        let body = built(UpdateBudgetBody::new(
            no.as_str(),
            mode,
            self.current,
            self.target,
        ))?;
        Ok((body, no))
    }
}

/// `wxbrand stock budget`.
#[derive(Debug, Args)]
pub struct StockBudgetArgs {
    /// The stock.
    #[command(flatten)]
    pub ids: StockIds,
    /// The change.
    #[command(flatten)]
    pub budget: BudgetFlags,
    /// Client settings.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `wxbrand stock upload-codes`.
#[derive(Debug, Args)]
pub struct UploadCodesArgs {
    /// The stock.
    #[command(flatten)]
    pub ids: StockIds,
    /// A text file with one code per line (blank lines skipped).
    #[arg(long, value_name = "PATH")]
    pub codes_file: PathBuf,
    /// Request number (6–40 of 0-9A-Za-z_-); generated and printed when absent.
    #[arg(long, value_name = "NO")]
    pub out_request_no: Option<String>,
    /// Client settings.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `wxbrand stock stores …`.
#[derive(Debug, Args)]
pub struct StockStoresArgs {
    /// The store operation.
    #[command(subcommand)]
    pub command: StoresCommand,
}

/// The store operations of a stock.
#[derive(Debug, Subcommand)]
pub enum StoresCommand {
    /// Associate stores with the stock (not retried once it may have been delivered).
    Associate(StoresChangeArgs),
    /// Disassociate stores from the stock (not retried once it may have been delivered).
    Disassociate(StoresChangeArgs),
    /// List the stock's associated stores.
    List(StoresListArgs),
}

/// Stores, by id.
#[derive(Debug, Args)]
pub struct StoreFlags {
    /// A store id (repeat the flag for several).
    #[arg(long = "store-id", value_name = "ID", required = true)]
    pub store_ids: Vec<String>,
}

impl StoreFlags {
    /// The SDK body, validated.
    pub(crate) fn body(&self) -> Result<StoreListBody, Failure> {
        built(StoreListBody::new(
            self.store_ids.iter().map(String::as_str),
        ))
    }
}

/// `wxbrand stock stores associate|disassociate`.
#[derive(Debug, Args)]
pub struct StoresChangeArgs {
    /// The stock.
    #[command(flatten)]
    pub ids: StockIds,
    /// The stores.
    #[command(flatten)]
    pub stores: StoreFlags,
    /// Client settings.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `wxbrand stock stores list`.
#[derive(Debug, Args)]
pub struct StoresListArgs {
    /// The stock.
    #[command(flatten)]
    pub ids: StockIds,
    /// Stores per page, 1–50.
    #[arg(long, value_name = "N")]
    pub page_size: Option<u32>,
    /// Continue from a previous page's next_page_token.
    #[arg(long, value_name = "TOKEN")]
    pub page_token: Option<String>,
    /// Every page (prints a JSON array of the stores).
    #[arg(long)]
    pub all: bool,
    /// Client settings.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// Runs one of these stock operations.
pub fn run(command: &StockAdminCommand) -> Result<(), Failure> {
    match command {
        StockAdminCommand::Create(args) => {
            let body: CreateStockBody = body_from_file(&args.body_file)?;
            let no = body.out_request_no.to_string();
            let request = built(CreateStockRequest::from_body(
                args.product_coupon_id.as_str(),
                body,
            ))?;
            send_and_print(&args.connection, request, Some(&no))
        }
        StockAdminCommand::Update(args) => {
            let body: UpdateStockBody = body_from_file(&args.body_file)?;
            let no = body.out_request_no.as_ref().map(ToString::to_string);
            let (coupon, stock) = args.ids.pair();
            let request = built(UpdateStockRequest::new(coupon, stock, body))?;
            send_and_print(&args.connection, request, no.as_deref())
        }
        StockAdminCommand::Budget(args) => {
            let (body, no) = args.budget.body()?;
            let (coupon, stock) = args.ids.pair();
            let request = built(UpdateStockBudgetRequest::new(coupon, stock, body))?;
            send_and_print(&args.connection, request, Some(&no))
        }
        StockAdminCommand::UploadCodes(args) => {
            let text = config::read_file(
                &args.codes_file,
                "codes file (--codes-file)",
                config::MAX_BODY_FILE_SIZE,
            )?;
            let text = String::from_utf8(text)
                .map_err(|_| Failure::usage("the codes file (--codes-file) is not UTF-8"))?;
            let codes = text.lines().map(str::trim).filter(|line| !line.is_empty());
            let no = out_request_no(args.out_request_no.as_deref());
            let body = built(UploadCouponCodesBody::new(no.as_str(), codes))?;
            let (coupon, stock) = args.ids.pair();
            let request = built(UploadCouponCodesRequest::new(coupon, stock, body))?;
            send_and_print(&args.connection, request, Some(&no))
        }
        StockAdminCommand::Stores(args) => stores(&args.command),
    }
}

fn stores(command: &StoresCommand) -> Result<(), Failure> {
    match command {
        StoresCommand::Associate(args) => {
            let (coupon, stock) = args.ids.pair();
            let request = built(AssociateStoresRequest::new(
                coupon,
                stock,
                args.stores.body()?,
            ))?;
            send_and_print(&args.connection, request, None)
        }
        StoresCommand::Disassociate(args) => {
            let (coupon, stock) = args.ids.pair();
            let request = built(DisassociateStoresRequest::new(
                coupon,
                stock,
                args.stores.body()?,
            ))?;
            send_and_print(&args.connection, request, None)
        }
        StoresCommand::List(args) => {
            let (coupon, stock) = args.ids.pair();
            let mut request = built(ListAssociatedStoresRequest::new(coupon, stock))?;
            if let Some(size) = args.page_size {
                request = built(request.page_size(size))?;
            }
            if let Some(token) = &args.page_token {
                request = built(request.page_token(token.as_str()))?;
            }
            if !args.all {
                return send_and_print(&args.connection, request, None);
            }
            let stores = with_client(&args.connection, |client| async move {
                let mut stream = client.product_coupon().list_all_associated_stores(request);
                let mut stores: Vec<wxbrand_product_coupon::StoreRef> = Vec::new();
                while let Some(store) = stream.next().await {
                    stores.push(store?);
                }
                Ok(stores)
            })?;
            output::stock(&stores, args.connection.output)
        }
    }
}
