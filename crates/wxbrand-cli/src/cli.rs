//! The command line: every subcommand, flag and environment variable, with the examples shown by `--help`.
//!
//! Settings shared with the client come from the `WXBRAND_*` variables and can be overridden by flags.
//! They are optional here so that a missing one is reported by [`crate::config`] with both its flag and
//! its variable, instead of clap's generic message.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const TOP_EXAMPLES: &str = "\
Examples:
  wxbrand stock get --product-coupon-id 200000001 --stock-id 123456789
  wxbrand sign --brand-id 120344 --serial-no 1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C \\
      --private-key apiclient_key.pem --method GET \\
      --url /brand/marketing/product-coupon/product-coupons/200000001/stocks/123456789

Exit codes: 0 success, 2 usage or validation error, 3 API error, 4 answer failed verification,
5 transport failure, 1 anything else (e.g. a verified answer of an unexpected shape).";

const STOCK_EXAMPLES: &str = "\
Settings (flag or variable): --brand-id / WXBRAND_BRAND_ID, --serial-no / WXBRAND_SERIAL_NO,
--private-key / WXBRAND_PRIVATE_KEY_PATH, --public-key-id / WXBRAND_PUBLIC_KEY_ID,
--public-key / WXBRAND_PUBLIC_KEY_PATH, --base-url / WXBRAND_BASE_URL.

Examples:
  export WXBRAND_BRAND_ID=120344 WXBRAND_SERIAL_NO=1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C
  export WXBRAND_PRIVATE_KEY_PATH=apiclient_key.pem WXBRAND_PUBLIC_KEY_PATH=pub_key.pem
  export WXBRAND_PUBLIC_KEY_ID=PUB_KEY_ID_0112345678202501010000000000000001
  wxbrand stock list --product-coupon-id 200000001 --state SENDING --all --output table";

const DEACTIVATE_EXAMPLES: &str = "\
Without --out-request-no a fresh request number is generated and printed on stderr; pass it again
with --out-request-no to retry the same deactivation safely.

Example:
  wxbrand stock deactivate --product-coupon-id 200000001 --stock-id 123456789 \\
      --reason '批次信息有误,重新创建' --out-request-no 34657_20250101_123456

Bulk jobs: --from-file FILE (CSV with a header row, or JSON lines: product_coupon_id, stock_id and
an optional reason per row, --reason for the rows without one) deactivates every stock listed,
--concurrency at a time under the client's rate limit, with a request number per stock derived
from --job-id (generated and printed when absent). Each result is appended to the journal
(--journal, default wxbrand-job-<JOB_ID>.journal.jsonl); --resume skips what it shows done and
sends the rest with the same request numbers, so nothing is done twice. Failed rows go to
--failures (default wxbrand-job-<JOB_ID>.failures.jsonl), which --from-file reads back.
Exit: 0 every row done, 1 a row failed or was invalid, 2 usage error, 130 interrupted (Ctrl-C:
the calls in flight finish; a second Ctrl-C exits at once).

  wxbrand stock deactivate --from-file stocks.csv --reason '活动结束' --concurrency 8
  wxbrand stock deactivate --from-file stocks.csv --job-id job1735660800_Zx8Kq0 --resume";

const GET_EXAMPLES: &str = "\
Example:
  wxbrand stock get --product-coupon-id 200000001 --stock-id 123456789 --output table";

const LIST_EXAMPLES: &str = "\
With --all, stocks are printed as their page arrives. The listing stops with an error (exit 1)
after --max-pages pages (default 1000) or --max-items stocks (default 50000) when more remain
(the message gives the --page-token to continue from), and when a page is empty yet names a next
page (a server that would keep the listing going forever).

Example:
  wxbrand stock list --product-coupon-id 200000001 --state SENDING --page-size 50 --all";

const SIGN_EXAMPLES: &str = "\
Prints the Authorization header value on stdout. With --show-message the exact string that was
signed goes to stderr first, escaped (\\n marks each newline) so it can be compared byte for byte
with what another implementation signs.

Example:
  wxbrand sign --brand-id 120344 --serial-no 1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C \\
      --private-key testdata/vectors/keys/brand_private_key.pem --method GET \\
      --url /brand/marketing/product-coupon/product-coupons/200000001/stocks/123456789 \\
      --timestamp 1735660801 --nonce abcdefghijklmnopqrstuvwxyz012345 --show-message";

const VERIFY_EXAMPLES: &str = "\
Give each Wechatpay-* header as it was received. Prints `ok` (exit 0) or the reason it failed
(exit 4): bad_signature, serial_mismatch, timestamp_out_of_window, malformed_header, missing_header.

Example:
  wxbrand verify --public-key pub_key.pem \\
      --public-key-id PUB_KEY_ID_0112345678202501010000000000000001 \\
      --timestamp 1735660800 --nonce c5ac7061fccab6bf3e254dcf98995b8c \\
      --signature 'RRJG…rg==' --serial PUB_KEY_ID_0112345678202501010000000000000001 \\
      --body-file answer.json --now 1735660800";

const SIMULATE_EXAMPLES: &str = "\
Prints the base URL as the first line of stdout, then serves until interrupted (Ctrl-C or SIGTERM).
Point the SDK or `wxbrand stock` at that URL with --base-url (and --ca-cert with --tls).

Example:
  wxbrand simulate --listen 127.0.0.1:8750 --brand-id 120344 \\
      --serial-no 1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C \\
      --brand-public-key testdata/vectors/keys/brand_public_key.pem \\
      --wechatpay-private-key testdata/vectors/keys/wechatpay_private_key.pem \\
      --wechatpay-public-key-id PUB_KEY_ID_0112345678202501010000000000000001 \\
      --stocks stocks.json";

/// `wxbrand`: WeChat Pay brand API from the command line.
#[derive(Debug, Parser)]
#[command(
    name = "wxbrand",
    version,
    about = "WeChat Pay brand API from the command line: stock operations, signing and verification checks, a local simulator",
    after_help = TOP_EXAMPLES
)]
pub struct Cli {
    /// Print the SDK's traces on stderr (-v: debug, -vv: trace); RUST_LOG (e.g.
    /// `RUST_LOG=wxbrand=debug`) chooses them finely and wins over -v. No secret is ever traced.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// The subcommand to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create, change, deactivate, query and list product coupon stocks.
    Stock(StockArgs),
    /// Create, query, update and deactivate product coupons.
    Coupon(crate::commands::coupon::CouponArgs),
    /// Create, update and change stock bundles (the stocks of a multi-use coupon).
    Bundle(crate::commands::bundle::BundleArgs),
    /// Upload images for coupons' display information.
    Image(crate::commands::image::ImageArgs),
    /// Send coupons to users, confirm, use, return, deactivate, list and show them.
    UserCoupon(crate::commands::user_coupon::UserCouponArgs),
    /// Set or show the address of the product-coupon events.
    NotifyConfig(crate::commands::notify_config::NotifyConfigArgs),
    /// Print the Authorization header the SDK would send for a request.
    Sign(SignArgs),
    /// Check the signature of a WeChat Pay answer or notification by hand.
    Verify(VerifyArgs),
    /// Run a local WeChat Pay brand API simulator until interrupted.
    Simulate(SimulateArgs),
    /// Receive event notifications (listen), or verify and decrypt a saved one (decrypt).
    Notify(crate::commands::notify::NotifyArgs),
}

/// `wxbrand stock …`.
#[derive(Debug, Args)]
#[command(after_help = STOCK_EXAMPLES)]
pub struct StockArgs {
    /// The stock operation.
    #[command(subcommand)]
    pub command: StockCommand,
}

/// The stock operations.
#[derive(Debug, Subcommand)]
pub enum StockCommand {
    /// Deactivate a stock: it issues no new coupons (issued ones stay valid).
    #[command(after_help = DEACTIVATE_EXAMPLES)]
    Deactivate(DeactivateArgs),
    /// Show one stock.
    #[command(after_help = GET_EXAMPLES)]
    Get(GetArgs),
    /// List the stocks of a product coupon.
    #[command(after_help = LIST_EXAMPLES)]
    List(ListArgs),
    /// Create, update, budget, upload-codes, stores.
    #[command(flatten)]
    Admin(crate::commands::stock_admin::StockAdminCommand),
}

/// How stock results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Pretty-printed JSON, exactly the fields WeChat Pay answered.
    Json,
    /// An aligned table of the main fields, for people.
    Table,
}

/// The brand's signing identity, shared by `sign` and the stock operations.
#[derive(Debug, Clone, Args)]
pub struct BrandKeyArgs {
    /// Brand id (品牌 ID).
    #[arg(
        long,
        value_name = "ID",
        env = "WXBRAND_BRAND_ID",
        hide_env_values = true
    )]
    pub brand_id: Option<String>,
    /// Serial number of the brand API certificate (40 hex characters).
    #[arg(
        long,
        value_name = "SERIAL",
        env = "WXBRAND_SERIAL_NO",
        hide_env_values = true
    )]
    pub serial_no: Option<String>,
    /// The brand API private key file (PEM, PKCS#8 or PKCS#1).
    #[arg(
        long,
        value_name = "PATH",
        env = "WXBRAND_PRIVATE_KEY_PATH",
        visible_alias = "private-key-path",
        hide_env_values = true
    )]
    pub private_key: Option<PathBuf>,
}

/// The WeChat Pay public key that verifies answers, shared by `verify` and the stock operations.
#[derive(Debug, Clone, Args)]
pub struct WechatPayKeyArgs {
    /// Id of the WeChat Pay public key (`PUB_KEY_ID_…`), sent as `Wechatpay-Serial`.
    #[arg(
        long,
        value_name = "ID",
        env = "WXBRAND_PUBLIC_KEY_ID",
        hide_env_values = true
    )]
    pub public_key_id: Option<String>,
    /// The WeChat Pay public key file (PEM, `BEGIN PUBLIC KEY`), which verifies every answer.
    #[arg(
        long,
        value_name = "PATH",
        env = "WXBRAND_PUBLIC_KEY_PATH",
        visible_alias = "public-key-path",
        hide_env_values = true
    )]
    pub public_key: Option<PathBuf>,
}

/// The client settings shared by every stock operation.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Connection")]
pub struct ConnectionArgs {
    /// The brand's id, certificate serial number and private key.
    #[command(flatten)]
    pub brand: BrandKeyArgs,
    /// The WeChat Pay public key and its id.
    #[command(flatten)]
    pub wechatpay: WechatPayKeyArgs,
    /// Base URL of the API, e.g. a simulator's `http://127.0.0.1:8750` (default: WeChat Pay's hosts).
    #[arg(
        long,
        value_name = "URL",
        env = "WXBRAND_BASE_URL",
        hide_env_values = true
    )]
    pub base_url: Option<String>,
    /// An extra CA certificate (PEM) to trust, e.g. the one `wxbrand simulate --tls` wrote.
    #[arg(long, value_name = "PATH")]
    pub ca_cert: Option<PathBuf>,
    /// Retries after a failure that is safe to repeat (network, 429, 5xx), waiting 1 s, 2 s, 4 s …
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub retries: u32,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Json)]
    pub output: OutputFormat,
}

/// `wxbrand stock deactivate` (one stock, or many with `--from-file`).
#[derive(Debug, Args)]
pub struct DeactivateArgs {
    /// Product coupon id.
    #[arg(
        long,
        value_name = "ID",
        required_unless_present = "from_file",
        conflicts_with = "from_file"
    )]
    pub product_coupon_id: Option<String>,
    /// Stock id.
    #[arg(
        long,
        value_name = "ID",
        required_unless_present = "from_file",
        conflicts_with = "from_file"
    )]
    pub stock_id: Option<String>,
    /// Why the stock is deactivated (at most 150 characters); with --from-file, the reason of the
    /// rows that give none.
    #[arg(long, value_name = "TEXT", required_unless_present = "from_file")]
    pub reason: Option<String>,
    /// The brand's request number (6–40 characters of `0-9A-Za-z_-`); generated when absent.
    #[arg(long, value_name = "NO", conflicts_with = "from_file")]
    pub out_request_no: Option<String>,
    /// Many stocks from a file: a bulk job (see "Bulk jobs" below).
    #[command(flatten)]
    pub bulk: crate::commands::bulk::BulkArgs,
    /// Client settings.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `wxbrand stock get`.
#[derive(Debug, Args)]
pub struct GetArgs {
    /// Product coupon id.
    #[arg(long, value_name = "ID")]
    pub product_coupon_id: String,
    /// Stock id.
    #[arg(long, value_name = "ID")]
    pub stock_id: String,
    /// Client settings.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// A stock state accepted by `stock list --state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StateFilter {
    /// Being audited.
    Auditing,
    /// Issuing coupons.
    Sending,
    /// Paused.
    Paused,
    /// End time reached.
    Stopped,
    /// Deactivated by the brand.
    Deactivated,
}

/// Default of `stock list --all --max-pages`: 1,000 pages (50,000 stocks at 50 per page).
pub const DEFAULT_MAX_PAGES: u32 = 1_000;
/// Default of `stock list --all --max-items`.
pub const DEFAULT_MAX_ITEMS: u64 = 50_000;

/// `wxbrand stock list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Product coupon id.
    #[arg(long, value_name = "ID")]
    pub product_coupon_id: String,
    /// Only stocks in this state.
    #[arg(long, value_enum, value_name = "STATE", ignore_case = true)]
    pub state: Option<StateFilter>,
    /// Stocks per page, 1–50 (WeChat Pay's default is 20).
    #[arg(long, value_name = "N")]
    pub page_size: Option<u32>,
    /// Continue from the `next_page_token` of a previous page.
    #[arg(long, value_name = "TOKEN")]
    pub page_token: Option<String>,
    /// Follow `next_page_token` and print every page's stocks as they arrive (JSON: one array).
    #[arg(long)]
    pub all: bool,
    /// With --all: stop with an error (exit 1) once this many pages were fetched and the listing
    /// goes on; raise it for longer listings.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_PAGES, requires = "all",
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_pages: u32,
    /// With --all: stop with an error (exit 1) once this many stocks were printed and the listing
    /// goes on; raise it for longer listings.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_ITEMS, requires = "all",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_items: u64,
    /// Client settings.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// Where a body comes from: text on the command line, or a file read byte for byte.
#[derive(Debug, Clone, Args)]
#[group(required = false, multiple = false)]
pub struct BodyArgs {
    /// The body as text (UTF-8). Empty when neither --body nor --body-file is given.
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub body: Option<String>,
    /// A file whose bytes are the body, exactly (no newline is added or removed).
    #[arg(long, value_name = "PATH")]
    pub body_file: Option<PathBuf>,
}

/// `wxbrand sign`.
#[derive(Debug, Args)]
#[command(after_help = SIGN_EXAMPLES)]
pub struct SignArgs {
    /// The brand's id, certificate serial number and private key.
    #[command(flatten)]
    pub brand: BrandKeyArgs,
    /// HTTP method (GET, POST, PATCH …), signed in upper case.
    #[arg(long, value_name = "METHOD")]
    pub method: String,
    /// Absolute path plus `?query`, exactly as sent (a full https:// URL is cut to its path and query).
    #[arg(long, value_name = "PATH_AND_QUERY")]
    pub url: String,
    /// The request body.
    #[command(flatten)]
    pub body: BodyArgs,
    /// Unix seconds to sign with (default: now).
    #[arg(long, value_name = "SECONDS", allow_hyphen_values = true)]
    pub timestamp: Option<i64>,
    /// Nonce to sign with (default: a fresh 32-character one).
    #[arg(long, value_name = "NONCE")]
    pub nonce: Option<String>,
    /// Print the exact signed string on stderr first, with newlines shown as `\n`.
    #[arg(long)]
    pub show_message: bool,
}

/// `wxbrand verify`.
#[derive(Debug, Args)]
#[command(after_help = VERIFY_EXAMPLES)]
pub struct VerifyArgs {
    /// The WeChat Pay public key and its id.
    #[command(flatten)]
    pub wechatpay: WechatPayKeyArgs,
    /// The `Wechatpay-Timestamp` header as received.
    #[arg(long, value_name = "TS", allow_hyphen_values = true)]
    pub timestamp: Option<String>,
    /// The `Wechatpay-Nonce` header as received.
    #[arg(long, value_name = "NONCE", allow_hyphen_values = true)]
    pub nonce: Option<String>,
    /// The `Wechatpay-Signature` header as received (Base64).
    #[arg(long, value_name = "SIG", allow_hyphen_values = true)]
    pub signature: Option<String>,
    /// The `Wechatpay-Serial` header as received (the id of the key that signed).
    #[arg(long, value_name = "SERIAL", allow_hyphen_values = true)]
    pub serial: Option<String>,
    /// The `Request-ID` header, if you have it (it is not signed).
    #[arg(long, value_name = "ID")]
    pub request_id: Option<String>,
    /// The answer or notification body.
    #[command(flatten)]
    pub body: BodyArgs,
    /// The local time to check the timestamp against, Unix seconds (default: now).
    #[arg(long, value_name = "SECONDS", allow_hyphen_values = true)]
    pub now: Option<i64>,
    /// Print the exact string the signature must cover on stderr first, with newlines shown as `\n`.
    #[arg(long)]
    pub show_message: bool,
}

/// `wxbrand simulate`.
#[derive(Debug, Args)]
#[command(after_help = SIMULATE_EXAMPLES)]
pub struct SimulateArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// Serve HTTPS with a fresh self-signed CA, written to a file named on stdout.
    #[arg(long)]
    pub tls: bool,
    /// Where to write the CA certificate with --tls (default: a file in the system temp directory).
    #[arg(long, value_name = "PATH", requires = "tls")]
    pub ca_out: Option<PathBuf>,
    /// The brand id the simulator accepts.
    #[arg(long, value_name = "ID")]
    pub brand_id: String,
    /// The brand API certificate serial number the simulator accepts.
    #[arg(long, value_name = "SERIAL")]
    pub serial_no: String,
    /// The brand's public key (PEM), which checks each request's signature.
    #[arg(long, value_name = "PATH")]
    pub brand_public_key: PathBuf,
    /// The WeChat Pay private key (PEM) the simulator signs its answers with.
    #[arg(long, value_name = "PATH")]
    pub wechatpay_private_key: PathBuf,
    /// The id of the WeChat Pay key (`PUB_KEY_ID_…`), sent as `Wechatpay-Serial`.
    #[arg(long, value_name = "ID")]
    pub wechatpay_public_key_id: String,
    /// A JSON array of StockEntity objects to start with.
    #[arg(long, value_name = "FILE.json")]
    pub stocks: Option<PathBuf>,
    /// Deactivations per brand per second, or `none` to lift WeChat Pay's limit for load tests.
    #[arg(long, value_name = "N|none", default_value = "20")]
    pub rate_limit: String,
    /// Most connections served at once; past it an idle one is closed or the new one refused.
    /// Lowered under the open-file limit (`ulimit -n`) if that cannot be raised far enough.
    #[arg(long, value_name = "N", default_value_t = wxbrand_simulator::DEFAULT_MAX_CONNECTIONS)]
    pub max_connections: usize,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_subcommand_has_an_example() {
        let mut command = Cli::command();
        command.build();
        let mut missing = Vec::new();
        for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
            let leaves: Vec<&clap::Command> = if sub.has_subcommands() {
                sub.get_subcommands()
                    .filter(|s| s.get_name() != "help")
                    .collect()
            } else {
                vec![sub]
            };
            for leaf in leaves {
                let text = leaf
                    .get_after_help()
                    .map(|h| h.to_string())
                    .unwrap_or_default();
                if !text.contains("wxbrand ") {
                    missing.push(leaf.get_name().to_string());
                }
            }
        }
        assert!(missing.is_empty(), "no example in --help of {missing:?}");
    }
}
