//! `wxbrand notify-config set|get`: the address WeChat Pay sends the product-coupon events to
//! (settings, exit codes and output as for `wxbrand stock`).

use clap::{Args, Subcommand};
use wxbrand_product_coupon::{GetNotifyConfigRequest, SetNotifyConfigRequest};

use crate::cli::ConnectionArgs;
use crate::commands::send::{built, send_and_print};
use crate::exit::Failure;

const SET_EXAMPLES: &str = "\
The address must be https:// with a public host name and a path, without a query. Setting it
again with the same address is harmless (it carries no request number and needs none).

Example:
  wxbrand notify-config set --notify-url https://brand.example.com/wxpay/coupon-events";

const GET_EXAMPLES: &str = "\
Example:
  wxbrand notify-config get --output table";

/// `wxbrand notify-config …`.
#[derive(Debug, Args)]
pub struct NotifyConfigArgs {
    /// The operation.
    #[command(subcommand)]
    pub command: NotifyConfigCommand,
}

/// Set or get the event address.
#[derive(Debug, Subcommand)]
pub enum NotifyConfigCommand {
    /// Set the address of the product-coupon events.
    #[command(after_help = SET_EXAMPLES)]
    Set(SetArgs),
    /// Show the address of the product-coupon events and when it was set.
    #[command(after_help = GET_EXAMPLES)]
    Get(GetArgs),
}

/// `wxbrand notify-config set`.
#[derive(Debug, Args)]
pub struct SetArgs {
    /// The address (https://, a public host name, a path, no query).
    #[arg(long, value_name = "URL")]
    pub notify_url: String,
    /// Client settings.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `wxbrand notify-config get`.
#[derive(Debug, Args)]
pub struct GetArgs {
    /// Client settings.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// Runs one notify-config operation.
pub fn run(args: &NotifyConfigArgs) -> Result<(), Failure> {
    match &args.command {
        NotifyConfigCommand::Set(args) => {
            let request = built(SetNotifyConfigRequest::new(args.notify_url.as_str()))?;
            send_and_print(&args.connection, request, None)
        }
        NotifyConfigCommand::Get(args) => {
            send_and_print(&args.connection, GetNotifyConfigRequest::new(), None)
        }
    }
}
