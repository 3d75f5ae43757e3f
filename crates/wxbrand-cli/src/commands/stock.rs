//! `wxbrand stock deactivate|get|list`: stock operations through the SDK client.
//!
//! The client is configured from the same `WXBRAND_*` variables as `Client::from_env` (clap reads
//! them; a flag overrides its variable). Failures map to exit codes by class: 2 for a missing or
//! wrong setting or a field that fails validation (nothing sent), 3 for an API error, 4 for an
//! answer that failed verification, 5 for a transport failure, 1 for anything else (such as a
//! verified answer that does not match the expected shape).

use std::pin::Pin;

use futures_core::Stream;
use wxbrand_client::{
    Client, ClientBuilder, ConfigError, Error, ErrorKind, PagingLimit, RetryPolicy,
};
use wxbrand_core::Paged;
use wxbrand_product_coupon::{
    DeactivateStockItem, DeactivateStockRequest, GetStockRequest, ListStocksRequest,
    ProductCouponExt, StockState,
};

use crate::cli::{
    ConnectionArgs, DeactivateArgs, GetArgs, ListArgs, StateFilter, StockArgs, StockCommand,
};
use crate::commands::send;
use crate::config::{self, Setting, BRAND_ID, PRIVATE_KEY, PUBLIC_KEY, PUBLIC_KEY_ID, SERIAL_NO};
use crate::exit::{Failure, FailureKind};
use crate::output;

const BASE_URL: Setting = Setting::new("base URL", "--base-url", "WXBRAND_BASE_URL");
const CA_CERT: Setting = Setting::flag_only("CA certificate file", "--ca-cert");

/// Runs one stock operation.
pub fn run(args: &StockArgs) -> Result<(), Failure> {
    match &args.command {
        StockCommand::Deactivate(args) => deactivate(args),
        StockCommand::Get(args) => get(args),
        StockCommand::List(args) => list(args),
        StockCommand::Admin(command) => super::stock_admin::run(command),
    }
}

fn deactivate(args: &DeactivateArgs) -> Result<(), Failure> {
    if let Some(file) = &args.bulk.from_file {
        let defaults = [("reason", args.reason.as_deref())];
        return super::bulk::run::<DeactivateStockItem>(
            file,
            &args.bulk,
            &args.connection,
            &defaults,
        );
    }
    let out_request_no = send::out_request_no(args.out_request_no.as_deref());
    // clap requires the three without --from-file.
    let given = |value: &Option<String>| value.clone().unwrap_or_default();
    let request = send::built(DeactivateStockRequest::new(
        given(&args.product_coupon_id),
        given(&args.stock_id),
        out_request_no.as_str(),
        given(&args.reason),
    ))?;
    send::send_and_print(&args.connection, request, Some(&out_request_no))
}

fn get(args: &GetArgs) -> Result<(), Failure> {
    let request = send::built(GetStockRequest::new(
        args.product_coupon_id.as_str(),
        args.stock_id.as_str(),
    ))?;
    send::send_and_print(&args.connection, request, None)
}

fn list(args: &ListArgs) -> Result<(), Failure> {
    let mut request = ListStocksRequest::new(args.product_coupon_id.as_str())
        .map_err(|e| validation_failure(&e))?;
    if let Some(state) = args.state {
        request = request.state(stock_state(state));
    }
    if let Some(page_size) = args.page_size {
        request = request
            .page_size(page_size)
            .map_err(|e| validation_failure(&e))?;
    }
    if let Some(token) = &args.page_token {
        request = request
            .page_token(token.as_str())
            .map_err(|e| validation_failure(&e))?;
    }
    if args.all {
        let limits = Limits {
            max_pages: args.max_pages,
            max_items: args.max_items,
        };
        let format = args.connection.output;
        with_client_failure(&args.connection, |client| async move {
            list_all(&client, request, limits, format, output::STOCKS).await
        })
    } else {
        let response = with_client(&args.connection, |client| async move {
            client.product_coupon().list_stocks(request).await
        })?;
        output::stock_page(response.value(), args.connection.output)
    }
}

/// The caps of `list --all` (`--max-pages`, `--max-items`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) max_pages: u32,
    pub(crate) max_items: u64,
}

/// Every item of the listing through the SDK's pager ([`wxbrand_client::PageStream`]), each
/// printed as it arrives (memory: one page), with `--max-pages` / `--max-items` as the pager's
/// caps; a listing the pager stops (a cap reached with more to come, an empty page that names a
/// next page, a token given again) is a failure saying so.
///
/// The output is closed (`]`, the count) on every path, so stdout stays valid JSON.
pub(crate) async fn list_all<O>(
    client: &Client,
    first: O,
    limits: Limits,
    format: crate::cli::OutputFormat,
    listed: output::Listed,
) -> Result<(), Failure>
where
    O: Paged + Send + Sync + Unpin + 'static,
    O::Response: Send,
    O::Item: Unpin + serde::Serialize,
{
    let mut printer = output::StockListPrinter::start(format, listed)?;
    let outcome = follow_pages(client, first, limits, &mut printer).await;
    printer.finish()?;
    outcome
}

async fn follow_pages<O>(
    client: &Client,
    first: O,
    limits: Limits,
    printer: &mut output::StockListPrinter,
) -> Result<(), Failure>
where
    O: Paged + Send + Sync + Unpin + 'static,
    O::Response: Send,
    O::Item: Unpin + serde::Serialize,
{
    let mut items = client
        .paginate(first)
        .max_pages(limits.max_pages)
        .max_items(limits.max_items);
    while let Some(item) = std::future::poll_fn(|cx| Pin::new(&mut items).poll_next(cx)).await {
        match item {
            Ok(item) => printer.page(std::slice::from_ref(&item))?,
            Err(error) => {
                return Err(listing_failure(
                    &error,
                    items.pages_fetched(),
                    printer.noun(),
                ))
            }
        }
    }
    Ok(())
}

/// The failure of a listing of `noun`s the pager stopped on page `page`; any other error as
/// [`call_failure`].
fn listing_failure(error: &Error, page: u32, noun: &str) -> Failure {
    let shown = |token: &str| output::untrusted(token, output::MAX_TEXT_CHARS);
    match error.kind() {
        ErrorKind::PagingLimit {
            limit: PagingLimit::Pages(max),
            resume_token,
            ..
        } => limit_reached(
            &format!("{max} pages (--max-pages)"),
            "--max-pages",
            resume_token.as_deref().map(shown).as_deref(),
        ),
        ErrorKind::PagingLimit {
            limit: PagingLimit::Items(max),
            resume_token,
            ..
        } => limit_reached(
            &format!("{max} {noun}s (--max-items)"),
            "--max-items",
            resume_token.as_deref().map(shown).as_deref(),
        ),
        ErrorKind::EmptyPageWithToken { token, .. } => Failure::new(
            FailureKind::Other,
            format!(
                "stopped: page {page} held no {noun} yet named a next page ({}); a listing that \
                 goes on without {noun}s is not followed",
                shown(token)
            ),
        ),
        ErrorKind::RepeatedPageToken { token, .. } => Failure::new(
            FailureKind::Other,
            format!(
                "stopped: page {page} named a next page already fetched ({}); following it would \
                 loop forever",
                shown(token)
            ),
        ),
        _ => call_failure(error),
    }
}

/// The failure of `--all` stopped by a cap, saying how to raise it and where to continue.
fn limit_reached(limit: &str, flag: &str, continue_with: Option<&str>) -> Failure {
    let mut text =
        format!("stopped at the limit of {limit}: the listing goes on; raise {flag} to fetch more");
    if let Some(token) = continue_with {
        text.push_str(&format!(
            ", or continue from here with --page-token {token}"
        ));
    }
    Failure::new(FailureKind::Other, text)
}

fn stock_state(state: StateFilter) -> StockState {
    match state {
        StateFilter::Auditing => StockState::Auditing,
        StateFilter::Sending => StockState::Sending,
        StateFilter::Paused => StockState::Paused,
        StateFilter::Stopped => StockState::Stopped,
        StateFilter::Deactivated => StockState::Deactivated,
    }
}

/// A request number that WeChat Pay accepts (6–40 characters of `0-9A-Za-z_-`): `cli`, the Unix
/// time and 12 random characters, e.g. `cli1735660800_Zx8Kq0aB3mPw`.
pub fn fresh_out_request_no(unix_seconds: i64, nonce: &str) -> String {
    let random: String = nonce
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(12)
        .collect();
    format!("cli{}_{random}", unix_seconds.max(0))
}

/// Builds the client on a fresh runtime and runs `call` with it, mapping failures to exit classes.
pub(crate) fn with_client<T, F, Fut>(connection: &ConnectionArgs, call: F) -> Result<T, Failure>
where
    F: FnOnce(Client) -> Fut,
    Fut: std::future::Future<Output = Result<T, Error>>,
{
    with_client_failure(connection, |client| async move {
        call(client).await.map_err(|e| call_failure(&e))
    })
}

/// As [`with_client`], for a `call` that maps its own failures.
pub(crate) fn with_client_failure<T, F, Fut>(
    connection: &ConnectionArgs,
    call: F,
) -> Result<T, Failure>
where
    F: FnOnce(Client) -> Fut,
    Fut: std::future::Future<Output = Result<T, Failure>>,
{
    with_built_client(client_builder(connection)?, call)
}

/// Builds the client of `builder` on a fresh runtime and runs `call` with it.
pub(crate) fn with_built_client<T, F, Fut>(builder: ClientBuilder, call: F) -> Result<T, Failure>
where
    F: FnOnce(Client) -> Fut,
    Fut: std::future::Future<Output = Result<T, Failure>>,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::usage(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let client = builder.build().map_err(|e| config_failure(&e))?;
        call(client).await
    })
}

/// The client settings from flags and `WXBRAND_*` variables; key files are loaded here.
pub(crate) fn client_builder(connection: &ConnectionArgs) -> Result<ClientBuilder, Failure> {
    let brand_id = config::required_text(connection.brand.brand_id.as_ref(), BRAND_ID)?;
    let serial_no = config::required_text(connection.brand.serial_no.as_ref(), SERIAL_NO)?;
    let private_key_path = config::required(connection.brand.private_key.as_ref(), PRIVATE_KEY)?;
    let public_key_id =
        config::required_text(connection.wechatpay.public_key_id.as_ref(), PUBLIC_KEY_ID)?;
    let public_key_path = config::required(connection.wechatpay.public_key.as_ref(), PUBLIC_KEY)?;
    let private_key = config::load_private_key(&private_key_path, PRIVATE_KEY)?;
    let public_key = config::load_public_key(&public_key_path, PUBLIC_KEY)?;

    let mut builder = ClientBuilder::new()
        .brand_id(brand_id.trim())
        .serial_no(serial_no.trim())
        .private_key(private_key)
        .wechatpay_public_key(public_key_id.trim(), public_key)
        .retry_policy(RetryPolicy::new().max_retries(connection.retries));
    if let Some(url) = connection.base_url.as_deref() {
        // As with WXBRAND_BASE_URL in the client: one host, no failover to WeChat Pay's backup.
        // A blank or inexact URL is refused by the client's build (exit 2), never replaced by
        // the production host.
        builder = builder.base_url(url).without_backup();
    }
    if let Some(path) = &connection.ca_cert {
        builder = builder.add_root_certificate_pem(config::read_file(
            path,
            CA_CERT.what,
            config::MAX_CA_FILE_SIZE,
        )?);
    }
    Ok(builder)
}

/// A client setting the builder refused, named by its flag and variable.
fn config_failure(error: &ConfigError) -> Failure {
    let setting = match error.setting() {
        Some("brand_id") => Some(BRAND_ID),
        Some("serial_no") => Some(SERIAL_NO),
        Some("private_key") => Some(PRIVATE_KEY),
        Some("wechatpay_public_key") => Some(PUBLIC_KEY_ID),
        Some("base_url") => Some(BASE_URL),
        _ => None,
    };
    let text = output::chain(error);
    match (setting, error) {
        (Some(setting), _) => {
            Failure::usage(format!("{text} (given with {})", setting.how_to_give()))
        }
        (None, ConfigError::Transport { .. }) => {
            Failure::usage(format!("{text} (given with {})", CA_CERT.how_to_give()))
        }
        (None, _) => Failure::usage(text),
    }
}

/// A request field that fails validation, with the flag that gave it.
pub(crate) fn validation_failure(error: &wxbrand_core::ValidationError) -> Failure {
    let flag = match error.field() {
        "product_coupon_id" => "--product-coupon-id",
        "stock_id" => "--stock-id",
        "out_request_no" => "--out-request-no",
        "deactivate_reason" => "--reason",
        "page_size" => "--page-size",
        "page_token" => "--page-token",
        "openid" => "--openid",
        "coupon_code" => "--coupon-code",
        "appid" => "--appid",
        "send_request_no" => "--send-request-no",
        "use_time" => "--use-time",
        "store_id" => "--store-id",
        "notify_url" => "--notify-url",
        "user_coupon_bundle_id" => "--user-coupon-bundle-id",
        _ => "",
    };
    if flag.is_empty() {
        Failure::usage(format!("invalid request: {error}"))
    } else {
        Failure::usage(format!("invalid {flag}: {error}"))
    }
}

/// Maps a failed call to its exit class; API errors list code, message and `Request-ID`, each
/// escaped for the terminal and cut when long (they come from the network).
pub(crate) fn call_failure(error: &Error) -> Failure {
    let shown = |text: &str| output::untrusted(text, output::MAX_TEXT_CHARS);
    if let Some(api) = error.api_error() {
        let mut text = format!("WeChat Pay answered HTTP {}", api.status());
        let code = api.code().map_or("-", |c| c.as_str());
        text.push_str(&format!("\n  code:       {}", shown(code)));
        text.push_str(&format!(
            "\n  message:    {}",
            shown(api.message().unwrap_or("-"))
        ));
        text.push_str(&format!(
            "\n  Request-ID: {}",
            shown(api.request_id().unwrap_or("-"))
        ));
        if let Some(detail) = api.detail() {
            text.push_str(&format!("\n  detail:     {}", shown(&detail.to_string())));
        }
        if let Some(excerpt) = api.body_excerpt() {
            text.push_str(&format!("\n  body:       {}", shown(excerpt)));
        }
        if api.is_retryable() {
            text.push_str("\n  (retryable: the same request may be sent again later)");
        }
        return Failure::new(FailureKind::Api, text);
    }
    let text = output::chain(error);
    match error.kind() {
        ErrorKind::InvalidRequest(_) | ErrorKind::Signing(_) => Failure::usage(text),
        ErrorKind::Transport(source) if source.is_certificate_rejected() => Failure::new(
            FailureKind::Transport,
            format!(
                "{text}\n  The server's TLS certificate was refused, so nothing was sent (and it was \
                 not retried). If the server uses its own CA (e.g. `wxbrand simulate --tls`), pass \
                 that CA's certificate with {}; otherwise check --base-url and the server's \
                 certificate.",
                CA_CERT.flag
            ),
        ),
        ErrorKind::Transport(_) => Failure::new(FailureKind::Transport, text),
        ErrorKind::Verification { .. } => Failure::new(FailureKind::Verification, text),
        // Authentic but not of the expected shape: none of the classes above (exit 1).
        ErrorKind::Decode(_) => Failure::new(
            FailureKind::Other,
            format!(
                "the answer verified but did not match the expected shape\n  Request-ID: {}\n  \
                 detail:     {text}",
                shown(error.request_id().unwrap_or("-"))
            ),
        ),
        _ => Failure::new(FailureKind::Other, text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wxbrand_sign::generate_nonce;

    #[test]
    fn generated_request_numbers_are_valid() {
        let number = fresh_out_request_no(1_735_660_800, &generate_nonce());
        assert!((6..=40).contains(&number.len()), "{number}");
        assert!(number
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'));
        assert!(
            DeactivateStockRequest::new("200000001", "123456789", number.as_str(), "r").is_ok()
        );
        assert_eq!(fresh_out_request_no(-5, "abc"), "cli0_abc");
    }
}
