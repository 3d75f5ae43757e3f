//! `wxbrand simulate`: the simulator as a standalone server, for integration tests in any language.
//!
//! Prints the base URL as the first stdout line (flushed at once so a parent process can read it),
//! then — with `--tls` — the path of the CA certificate to trust as the second line, and serves
//! until Ctrl-C or SIGTERM.

use std::path::{Path, PathBuf};

use wxbrand_simulator::{Simulator, SimulatorError, SimulatorHandle};

use crate::cli::SimulateArgs;
use crate::config::{self, Setting};
use crate::exit::{Failure, FailureKind};
use crate::output;

const BRAND_PUBLIC_KEY: Setting = Setting::flag_only("brand public key file", "--brand-public-key");
const WECHATPAY_PRIVATE_KEY: Setting =
    Setting::flag_only("WeChat Pay private key file", "--wechatpay-private-key");

/// Runs `wxbrand simulate` until interrupted.
pub fn run(args: &SimulateArgs) -> Result<(), Failure> {
    // The client's rules, so that whatever the simulator accepts a client can be configured with.
    let refused = |e: wxbrand_sign::HeaderParamError| Failure::usage(e.to_string());
    wxbrand_sign::check_header_param("--brand-id", &args.brand_id).map_err(refused)?;
    wxbrand_sign::check_serial_no("--serial-no", &args.serial_no).map_err(refused)?;
    wxbrand_sign::check_public_key_id("--wechatpay-public-key-id", &args.wechatpay_public_key_id)
        .map_err(refused)?;
    let rate_limit = parse_rate_limit(&args.rate_limit)?;
    if args.max_connections == 0 {
        return Err(Failure::usage(
            "--max-connections 0: expected at least 1 connection".to_string(),
        ));
    }
    let brand_public_key = config::load_public_key(&args.brand_public_key, BRAND_PUBLIC_KEY)?;
    let wechatpay_private_key =
        config::load_private_key(&args.wechatpay_private_key, WECHATPAY_PRIVATE_KEY)?;
    let mut builder = Simulator::builder()
        .listen(args.listen)
        .tls(args.tls)
        .brand(
            args.brand_id.clone(),
            args.serial_no.clone(),
            brand_public_key,
        )
        .wechatpay_key(wechatpay_private_key, args.wechatpay_public_key_id.clone())
        .rate_limit_per_second(rate_limit)
        .max_connections(args.max_connections);
    if let Some(path) = &args.stocks {
        let json = config::read_file(path, "stocks file", wxbrand_simulator::MAX_STOCKS_FILE_SIZE)?;
        builder = builder.stocks_from_json(json).map_err(|e| {
            Failure::usage(format!(
                "the stocks file {}: {}",
                path.display(),
                output::chain(&e)
            ))
        })?;
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::usage(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        // Catch the signals before the URL is printed: a parent that reads the URL and stops the
        // simulator at once must get a clean shutdown, not the default action of SIGTERM.
        let mut interrupts = Interrupts::install()
            .map_err(|e| Failure::usage(format!("cannot listen for Ctrl-C/SIGTERM: {e}")))?;
        let handle = builder.start().await.map_err(|e| start_failure(&e))?;
        announce(&handle, args)?;
        let signal = interrupts.wait().await;
        handle.shutdown().await;
        output::note(&format!("simulator stopped ({signal})"));
        Ok(())
    })
}

/// `--rate-limit`: a positive number of deactivations per brand per second, or `none`.
fn parse_rate_limit(text: &str) -> Result<Option<u32>, Failure> {
    if text.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    match text.parse::<u32>() {
        Ok(n) if n > 0 => Ok(Some(n)),
        _ => Err(Failure::usage(format!(
            "--rate-limit {}: expected a number of deactivations per second (1 or more) or `none`",
            text.escape_debug()
        ))),
    }
}

fn start_failure(error: &SimulatorError) -> Failure {
    Failure::new(
        FailureKind::Usage,
        format!("cannot start: {}", output::chain(error)),
    )
}

/// Prints the URL (first stdout line) and, with TLS, where the CA was written (second line); the
/// rest goes to stderr for people.
fn announce(handle: &SimulatorHandle, args: &SimulateArgs) -> Result<(), Failure> {
    output::line(handle.base_url())?;
    let mut ca_path = None;
    if let Some(pem) = handle.ca_certificate_pem() {
        let path = ca_output_path(args.ca_out.as_deref(), handle.local_addr().port());
        std::fs::write(&path, pem).map_err(|e| {
            Failure::usage(format!(
                "cannot write the CA certificate to {}: {e}",
                path.display()
            ))
        })?;
        output::line(&path.display().to_string())?;
        ca_path = Some(path);
    }
    output::note(&format!(
        "wxbrand simulator listening on {} for brand {} (serial {}); answers signed with {}",
        handle.base_url(),
        args.brand_id,
        args.serial_no,
        handle.wechatpay_public_key_id()
    ));
    let limit = match parse_rate_limit(&args.rate_limit) {
        Ok(Some(n)) => format!("{n} deactivations per second per brand"),
        _ => "no rate limit".to_string(),
    };
    let connections = if handle.max_connections() < args.max_connections {
        format!(
            "at most {} connections (not {}: the open-file limit, `ulimit -n`, holds no more)",
            handle.max_connections(),
            args.max_connections
        )
    } else {
        format!("at most {} connections", handle.max_connections())
    };
    output::note(&format!(
        "{} stock(s) loaded; {limit}; {connections}; stop with Ctrl-C",
        handle.stock_count(),
    ));
    match ca_path {
        Some(path) => output::note(&format!(
            "try: wxbrand stock get --base-url {} --ca-cert {} --product-coupon-id … --stock-id …",
            handle.base_url(),
            path.display()
        )),
        None => output::note(&format!(
            "try: wxbrand stock get --base-url {} --product-coupon-id … --stock-id …",
            handle.base_url()
        )),
    }
    Ok(())
}

/// `--ca-out`, or a file named after the port in the system temp directory.
fn ca_output_path(ca_out: Option<&Path>, port: u16) -> PathBuf {
    match ca_out {
        Some(path) => path.to_path_buf(),
        None => std::env::temp_dir().join(format!("wxbrand-simulate-{port}-ca.pem")),
    }
}

/// Ctrl-C (SIGINT) and, on Unix, SIGTERM, registered when installed.
#[derive(Debug)]
struct Interrupts {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Interrupts {
    /// Registers the handlers (needs a running Tokio runtime).
    fn install() -> std::io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Ok(Interrupts {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(Interrupts {})
        }
    }

    /// Waits for one of the signals; answers which one came.
    async fn wait(&mut self) -> &'static str {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.interrupt.recv() => "interrupted",
                _ = self.terminate.recv() => "terminated",
            }
        }
        #[cfg(not(unix))]
        {
            match tokio::signal::ctrl_c().await {
                Ok(()) => "interrupted",
                Err(_) => std::future::pending().await,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limits_are_numbers_or_none() {
        assert_eq!(parse_rate_limit("none").ok(), Some(None));
        assert_eq!(parse_rate_limit("NONE").ok(), Some(None));
        assert_eq!(parse_rate_limit("20").ok(), Some(Some(20)));
        for bad in ["0", "-1", "ten", "", "1.5"] {
            assert!(parse_rate_limit(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_ca_goes_where_asked_or_to_the_temp_dir() {
        assert_eq!(
            ca_output_path(Some(Path::new("/x/ca.pem")), 1),
            PathBuf::from("/x/ca.pem")
        );
        let default = ca_output_path(None, 8750);
        assert!(default.starts_with(std::env::temp_dir()));
        assert!(default.ends_with("wxbrand-simulate-8750-ca.pem"));
    }
}
