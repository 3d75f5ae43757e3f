//! `wxbrand`: the WeChat Pay brand API from the command line.
//!
//! - `wxbrand stock deactivate|get|list`: stock operations through the SDK client, configured from the
//!   `WXBRAND_*` variables (each overridable by a flag);
//! - `wxbrand user-coupon send|pre-send|confirm|use|return|deactivate|list|get` and
//!   `wxbrand notify-config set|get`: users' coupons and the event address, the same way;
//! - `wxbrand sign`: the `Authorization` header the SDK would send, and the exact signed string;
//! - `wxbrand verify`: checks a WeChat Pay answer's signature headers by hand;
//! - `wxbrand simulate`: a local WeChat Pay brand API for integration tests in any language.
//!
//! Exit codes: 0 success, 2 usage or validation error, 3 API error, 4 verification failure,
//! 5 transport failure, 1 anything else (e.g. a verified answer of an unexpected shape).

mod cli;
mod clock;
mod commands;
mod config;
mod exit;
mod output;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::exit::Failure;

fn main() -> ExitCode {
    let cli = Cli::parse();
    install_tracing(cli.verbose);
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            if !failure.message().is_empty() {
                output::note(&format!("error: {}", failure.message()));
            }
            failure.kind().exit_code()
        }
    }
}

/// Sends the SDK's traces to stderr when asked: by `RUST_LOG` (e.g. `wxbrand=debug`; it wins), or
/// `-v` (debug) / `-vv` (trace) for the `wxbrand` crates. Nothing is installed otherwise, so a
/// plain run pays nothing for it. The SDK traces no secret (keys, `Authorization`, bodies); what
/// it traces of answers is escaped for the terminal by [`output::TraceWriter`].
fn install_tracing(verbose: u8) {
    use tracing_subscriber::EnvFilter;
    let filter = match std::env::var("RUST_LOG") {
        Ok(directives) if !directives.trim().is_empty() => EnvFilter::new(directives),
        _ => match verbose {
            0 => return,
            1 => EnvFilter::new("wxbrand=debug"),
            _ => EnvFilter::new("wxbrand=trace"),
        },
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| output::TraceWriter)
        .try_init();
}

fn run(cli: &Cli) -> Result<(), Failure> {
    match &cli.command {
        Command::Sign(args) => commands::sign::run(args),
        Command::Verify(args) => commands::verify::run(args),
        Command::Simulate(args) => commands::simulate::run(args),
        Command::Stock(args) => commands::stock::run(args),
        Command::Coupon(args) => commands::coupon::run(args),
        Command::Bundle(args) => commands::bundle::run(args),
        Command::Image(args) => commands::image::run(args),
        Command::UserCoupon(args) => commands::user_coupon::run(args),
        Command::NotifyConfig(args) => commands::notify_config::run(args),
        Command::Notify(args) => commands::notify::run(args),
    }
}
