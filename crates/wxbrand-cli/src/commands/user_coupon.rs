//! `wxbrand user-coupon send|pre-send|confirm|use|return|deactivate|list|get`: the coupons of a
//! user through the SDK client (settings, exit codes and output as for `wxbrand stock`).
//!
//! Every write carries a request number: given with `--out-request-no` (`--send-request-no` for
//! the sends), or generated and printed on stderr so the same call can be retried safely.

use clap::{ArgGroup, Args, Subcommand, ValueEnum};
use wxbrand_core::Rfc3339;
use wxbrand_product_coupon::{
    AssociatedOrder, AssociatedOrderInfo, AssociatedPayScoreOrderInfo, ConfirmUserCouponRequest,
    CouponTagInfo, DeactivateUserCouponBody, DeactivateUserCouponRequest, GetUserCouponRequest,
    ListUserCouponsRequest, PreSendUserCouponBody, PreSendUserCouponRequest,
    ReturnUserCouponRequest, SendUserCouponBody, SendUserCouponItem, SendUserCouponRequest,
    UseUserCouponBody, UseUserCouponRequest, UserCouponBody, UserProductCouponState,
};

use crate::cli::{ConnectionArgs, DEFAULT_MAX_ITEMS, DEFAULT_MAX_PAGES};
use crate::commands::send::{built, out_request_no, send_and_print};
use crate::commands::stock::{list_all, with_client_failure, Limits};
use crate::exit::Failure;
use crate::{clock, output};

const SEND_EXAMPLES: &str = "\
The coupon stays CONFIRMING until `wxbrand user-coupon confirm`. Without --send-request-no a fresh
number is generated and printed on stderr; pass it again to retry the same send safely.

With --from-file, one coupon per row (columns openid,product_coupon_id,stock_id,appid and optional
coupon_code,attach); --appid, --product-coupon-id, --stock-id and --attach give the value of rows
without one. Two rows of the same user, stock and code are one send.

Examples:
  wxbrand user-coupon send --openid oh-394z-6CGkNoJrsDLTTUKiAnp4 --appid wx233544546545989 \\
      --product-coupon-id 1000000013 --stock-id 1000000013001 --send-request-no send_0001
  wxbrand user-coupon send --from-file users.csv --appid wx233544546545989 \\
      --product-coupon-id 1000000013 --stock-id 1000000013001 --job-id welcome-2025-08";

const PRE_SEND_EXAMPLES: &str = "\
Prints the token for the mini-program claim component (valid 5 minutes).

Example:
  wxbrand user-coupon pre-send --openid oh-394z-6CGkNoJrsDLTTUKiAnp4 --appid wx233544546545989 \\
      --product-coupon-id 1000000013 --stock-id 1000000013001";

const CONFIRM_EXAMPLES: &str = "\
Example:
  wxbrand user-coupon confirm --openid oh-394z-6CGkNoJrsDLTTUKiAnp4 --coupon-code Code_123456 \\
      --appid wx233544546545989 --product-coupon-id 1000000013 --stock-id 1000000013001";

const USE_EXAMPLES: &str = "\
Give the order the coupon was used with: a payment order (--transaction-id, or --out-trade-no
with --mchid) or a pay-score order (--pay-score-order-id, or --out-order-no with --mchid).
--use-time defaults to now (+08:00).

Example:
  wxbrand user-coupon use --openid oh-394z-6CGkNoJrsDLTTUKiAnp4 --coupon-code Code_123456 \\
      --appid wx233544546545989 --product-coupon-id 1000000013 --stock-id 1000000013001 \\
      --transaction-id 4200000000123456789123456789 --out-request-no use_0001";

const RETURN_EXAMPLES: &str = "\
Example:
  wxbrand user-coupon return --openid oh-394z-6CGkNoJrsDLTTUKiAnp4 --coupon-code Code_123456 \\
      --appid wx233544546545989 --product-coupon-id 1000000013 --stock-id 1000000013001";

const DEACTIVATE_EXAMPLES: &str = "\
Example:
  wxbrand user-coupon deactivate --openid oh-394z-6CGkNoJrsDLTTUKiAnp4 --coupon-code Code_123456 \\
      --appid wx233544546545989 --product-coupon-id 1000000013 --stock-id 1000000013001 \\
      --reason 发错了";

const GET_EXAMPLES: &str = "\
Example:
  wxbrand user-coupon get --openid oh-394z-6CGkNoJrsDLTTUKiAnp4 --coupon-code Code_123456 \\
      --appid wx233544546545989 --product-coupon-id 1000000013 --stock-id 1000000013001";

const LIST_EXAMPLES: &str = "\
With --all, coupons are printed as their page arrives, with the same limits as `stock list --all`.

Example:
  wxbrand user-coupon list --openid oh-394z-6CGkNoJrsDLTTUKiAnp4 --appid wx233544546545989 \\
      --state EFFECTIVE --all --output table";

/// The columns of `user-coupon list --all --output table`.
const COUPONS: output::Listed = output::Listed {
    noun: "coupon",
    columns: &[
        "COUPON_CODE",
        "COUPON_STATE",
        "SEND_REQUEST_NO",
        "RECEIVE_TIME",
        "VALID_END_TIME",
    ],
};

/// `wxbrand user-coupon …`.
#[derive(Debug, Args)]
pub struct UserCouponArgs {
    /// The operation on a user's coupon.
    #[command(subcommand)]
    pub command: UserCouponCommand,
}

/// The operations on the coupons of a user.
#[derive(Debug, Subcommand)]
pub enum UserCouponCommand {
    /// Send a coupon to a user (it stays CONFIRMING until confirmed).
    #[command(after_help = SEND_EXAMPLES)]
    Send(SendArgs),
    /// Pre-send a coupon for the mini-program claim component; prints its token.
    #[command(after_help = PRE_SEND_EXAMPLES)]
    PreSend(PreSendArgs),
    /// Confirm a sent coupon (required after every PRODUCT_COUPON.SEND event).
    #[command(after_help = CONFIRM_EXAMPLES)]
    Confirm(CouponActionArgs),
    /// Use (redeem) a coupon with the order it was used with.
    #[command(after_help = USE_EXAMPLES)]
    Use(Box<UseArgs>),
    /// Return a used coupon (its use is undone; it is usable again).
    #[command(after_help = RETURN_EXAMPLES)]
    Return(CouponActionArgs),
    /// Deactivate a user's coupon.
    #[command(after_help = DEACTIVATE_EXAMPLES)]
    Deactivate(DeactivateArgs),
    /// List a user's coupons.
    #[command(after_help = LIST_EXAMPLES)]
    List(ListArgs),
    /// Show one coupon of a user.
    #[command(after_help = GET_EXAMPLES)]
    Get(CouponRefArgs),
}

/// The user, the appid and the stock of a send (required, except with `send --from-file`).
#[derive(Debug, Args)]
pub struct SendTargetArgs {
    /// The user's openid under --appid.
    #[arg(long, value_name = "OPENID", required = true)]
    pub openid: Option<String>,
    /// The appid the openid belongs to (linked to the brand).
    #[arg(long, value_name = "APPID", required = true)]
    pub appid: Option<String>,
    /// Product coupon id.
    #[arg(long, value_name = "ID", required = true)]
    pub product_coupon_id: Option<String>,
    /// Stock id.
    #[arg(long, value_name = "ID", required = true)]
    pub stock_id: Option<String>,
    /// The code to give the coupon (API_ASSIGN stocks).
    #[arg(long, value_name = "CODE")]
    pub coupon_code: Option<String>,
    /// The brand's own data, answered back.
    #[arg(long, value_name = "TEXT")]
    pub attach: Option<String>,
    /// Request number of the send (6–40 of 0-9A-Za-z_-); generated and printed when absent.
    #[arg(long, value_name = "NO", visible_alias = "out-request-no")]
    pub send_request_no: Option<String>,
}

/// `wxbrand user-coupon send` (one user, or many with `--from-file`: then the target's flags are
/// the values of rows without them, and the flags of one send conflict with it).
#[derive(Debug, Args)]
#[command(
    mut_arg("openid", |a| a.required(false).required_unless_present("from_file").conflicts_with("from_file")),
    mut_arg("appid", |a| a.required(false).required_unless_present("from_file")),
    mut_arg("product_coupon_id", |a| a.required(false).required_unless_present("from_file")),
    mut_arg("stock_id", |a| a.required(false).required_unless_present("from_file")),
    mut_arg("coupon_code", |a| a.conflicts_with("from_file")),
    mut_arg("send_request_no", |a| a.conflicts_with("from_file")),
)]
pub struct SendArgs {
    /// What is sent to whom.
    #[command(flatten)]
    pub target: SendTargetArgs,
    /// Tag the coupon MEMBER with this member card id.
    #[arg(long, value_name = "ID", conflicts_with = "from_file")]
    pub member_card_id: Option<String>,
    /// Many users from a file: a bulk job (see "Bulk jobs" below).
    #[command(flatten)]
    pub bulk: crate::commands::bulk::BulkArgs,
    /// Client settings.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `wxbrand user-coupon pre-send`.
#[derive(Debug, Args)]
pub struct PreSendArgs {
    /// What is sent to whom.
    #[command(flatten)]
    pub target: SendTargetArgs,
    /// Client settings.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// One coupon of a user, and its product coupon, stock and appid.
#[derive(Debug, Args)]
pub struct CouponRefFields {
    /// The user's openid under --appid.
    #[arg(long, value_name = "OPENID")]
    pub openid: String,
    /// The coupon's code.
    #[arg(long, value_name = "CODE")]
    pub coupon_code: String,
    /// The appid the openid belongs to.
    #[arg(long, value_name = "APPID")]
    pub appid: String,
    /// Product coupon id.
    #[arg(long, value_name = "ID")]
    pub product_coupon_id: String,
    /// Stock id.
    #[arg(long, value_name = "ID")]
    pub stock_id: String,
}

/// `wxbrand user-coupon get`.
#[derive(Debug, Args)]
pub struct CouponRefArgs {
    /// The coupon.
    #[command(flatten)]
    pub coupon: CouponRefFields,
    /// Client settings.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `wxbrand user-coupon confirm|return`.
#[derive(Debug, Args)]
pub struct CouponActionArgs {
    /// The coupon.
    #[command(flatten)]
    pub coupon: CouponRefFields,
    /// Request number (6–40 of 0-9A-Za-z_-); generated and printed when absent.
    #[arg(long, value_name = "NO")]
    pub out_request_no: Option<String>,
    /// Client settings.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `wxbrand user-coupon deactivate`.
#[derive(Debug, Args)]
pub struct DeactivateArgs {
    /// The coupon.
    #[command(flatten)]
    pub coupon: CouponRefFields,
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

/// `wxbrand user-coupon use`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("order").required(true).multiple(true).args([
    "transaction_id", "out_trade_no", "pay_score_order_id", "out_order_no",
])))]
pub struct UseArgs {
    /// The coupon.
    #[command(flatten)]
    pub coupon: CouponRefFields,
    /// When it was used (RFC3339, e.g. 2025-08-01T12:00:00+08:00); default: now.
    #[arg(long, value_name = "TIME")]
    pub use_time: Option<String>,
    /// The store it was used at.
    #[arg(long, value_name = "ID")]
    pub store_id: Option<String>,
    /// Payment order: WeChat Pay's transaction id.
    #[arg(long, value_name = "ID", conflicts_with_all = ["pay_score_order_id", "out_order_no"])]
    pub transaction_id: Option<String>,
    /// Payment order: the merchant's order number (with --mchid).
    #[arg(long, value_name = "NO", conflicts_with_all = ["pay_score_order_id", "out_order_no"])]
    pub out_trade_no: Option<String>,
    /// Pay-score order: WeChat Pay's order id.
    #[arg(long, value_name = "ID")]
    pub pay_score_order_id: Option<String>,
    /// Pay-score order: the merchant's order number (with --mchid).
    #[arg(long, value_name = "NO")]
    pub out_order_no: Option<String>,
    /// The merchant id of the order.
    #[arg(long, value_name = "ID")]
    pub mchid: Option<String>,
    /// The sub-merchant id of the order.
    #[arg(long, value_name = "ID")]
    pub sub_mchid: Option<String>,
    /// Request number (6–40 of 0-9A-Za-z_-); generated and printed when absent.
    #[arg(long, value_name = "NO")]
    pub out_request_no: Option<String>,
    /// Client settings.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// A user coupon state accepted by `user-coupon list --state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CouponStateFilter {
    /// Sent, waiting for confirmation.
    Confirming,
    /// Confirmed, before its valid time.
    Pending,
    /// Usable.
    Effective,
    /// Used.
    Used,
    /// Expired.
    Expired,
    /// Deleted by the user.
    Deleted,
    /// Deactivated by the brand.
    Deactivated,
}

/// `wxbrand user-coupon list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// The user's openid under --appid.
    #[arg(long, value_name = "OPENID")]
    pub openid: String,
    /// The appid the openid belongs to.
    #[arg(long, value_name = "APPID")]
    pub appid: String,
    /// Only coupons of this product coupon.
    #[arg(long, value_name = "ID")]
    pub product_coupon_id: Option<String>,
    /// Only coupons of this stock.
    #[arg(long, value_name = "ID")]
    pub stock_id: Option<String>,
    /// Only coupons in this state.
    #[arg(long, value_enum, value_name = "STATE", ignore_case = true)]
    pub state: Option<CouponStateFilter>,
    /// Only the coupons of this user coupon bundle (a multi-use coupon).
    #[arg(long, value_name = "ID")]
    pub user_coupon_bundle_id: Option<String>,
    /// Coupons per page, 1–50.
    #[arg(long, value_name = "N")]
    pub page_size: Option<u32>,
    /// Continue from the `next_page_token` of a previous page.
    #[arg(long, value_name = "TOKEN")]
    pub page_token: Option<String>,
    /// Follow `next_page_token` and print every page's coupons as they arrive (JSON: one array).
    #[arg(long)]
    pub all: bool,
    /// With --all: stop with an error (exit 1) once this many pages were fetched and the listing
    /// goes on.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_PAGES, requires = "all",
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_pages: u32,
    /// With --all: stop with an error (exit 1) once this many coupons were printed and the
    /// listing goes on.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_ITEMS, requires = "all",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_items: u64,
    /// Client settings.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// The body of a send or pre-send (`$new`, validated) with `--coupon-code` and `--attach` of the
/// target `$t` applied (the two bodies are distinct types with the same setters).
macro_rules! with_send_options {
    ($t:expr, $new:expr) => {{
        let mut body = built($new)?;
        if let Some(code) = &$t.coupon_code {
            body = built(body.coupon_code(code.as_str()))?;
        }
        if let Some(attach) = &$t.attach {
            body = body.attach(attach.as_str());
        }
        body
    }};
}

/// Runs one operation on a user's coupon.
pub fn run(args: &UserCouponArgs) -> Result<(), Failure> {
    match &args.command {
        UserCouponCommand::Send(args) => send(args),
        UserCouponCommand::PreSend(args) => {
            let t = &args.target;
            let no = out_request_no(t.send_request_no.as_deref());
            let body = with_send_options!(
                t,
                PreSendUserCouponBody::new(
                    given(&t.product_coupon_id),
                    given(&t.stock_id),
                    given(&t.appid),
                    no.as_str(),
                )
            );
            let request = built(PreSendUserCouponRequest::new(given(&t.openid), body))?;
            send_and_print(&args.connection, request, Some(&no))
        }
        UserCouponCommand::Confirm(args) => coupon_action(args, ConfirmUserCouponRequest::new),
        UserCouponCommand::Return(args) => coupon_action(args, ReturnUserCouponRequest::new),
        UserCouponCommand::Deactivate(args) => {
            let (c, no) = (&args.coupon, out_request_no(args.out_request_no.as_deref()));
            let body = built(DeactivateUserCouponBody::new(
                c.product_coupon_id.as_str(),
                c.stock_id.as_str(),
                c.appid.as_str(),
                no.as_str(),
                args.reason.as_str(),
            ))?;
            let request = built(DeactivateUserCouponRequest::new(
                c.openid.as_str(),
                c.coupon_code.as_str(),
                body,
            ))?;
            send_and_print(&args.connection, request, Some(&no))
        }
        UserCouponCommand::Use(args) => use_coupon(args),
        UserCouponCommand::Get(args) => {
            let c = &args.coupon;
            let request = built(GetUserCouponRequest::new(
                c.openid.as_str(),
                c.coupon_code.as_str(),
                c.product_coupon_id.as_str(),
                c.stock_id.as_str(),
                c.appid.as_str(),
            ))?;
            send_and_print(&args.connection, request, None)
        }
        UserCouponCommand::List(args) => list(args),
    }
}

/// Confirm or return (`make`): the same arguments and body.
fn coupon_action<O>(
    args: &CouponActionArgs,
    make: fn(String, String, UserCouponBody) -> Result<O, wxbrand_core::ValidationError>,
) -> Result<(), Failure>
where
    O: wxbrand_core::Operation + Send + Sync + 'static,
    O::Response: serde::Serialize + Send + 'static,
{
    let (c, no) = (&args.coupon, out_request_no(args.out_request_no.as_deref()));
    let body = built(UserCouponBody::new(
        c.product_coupon_id.as_str(),
        c.stock_id.as_str(),
        c.appid.as_str(),
        no.as_str(),
    ))?;
    let request = built(make(c.openid.clone(), c.coupon_code.clone(), body))?;
    send_and_print(&args.connection, request, Some(&no))
}

/// A target flag clap requires (empty would be refused by the request's rules).
fn given(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or_default()
}

fn send(args: &SendArgs) -> Result<(), Failure> {
    let t = &args.target;
    if let Some(file) = &args.bulk.from_file {
        let defaults = [
            ("appid", t.appid.as_deref()),
            ("product_coupon_id", t.product_coupon_id.as_deref()),
            ("stock_id", t.stock_id.as_deref()),
            ("attach", t.attach.as_deref()),
        ];
        return super::bulk::run::<SendUserCouponItem>(
            file,
            &args.bulk,
            &args.connection,
            &defaults,
        );
    }
    let no = out_request_no(t.send_request_no.as_deref());
    let mut body = with_send_options!(
        t,
        SendUserCouponBody::new(
            given(&t.product_coupon_id),
            given(&t.stock_id),
            given(&t.appid),
            no.as_str(),
        )
    );
    if let Some(card) = &args.member_card_id {
        body = body.coupon_tag_info(CouponTagInfo::member(card.as_str()));
    }
    let request = built(SendUserCouponRequest::new(given(&t.openid), body))?;
    send_and_print(&args.connection, request, Some(&no))
}

fn use_coupon(args: &UseArgs) -> Result<(), Failure> {
    let c = &args.coupon;
    let no = out_request_no(args.out_request_no.as_deref());
    let order = if args.pay_score_order_id.is_some() || args.out_order_no.is_some() {
        let mut order = AssociatedPayScoreOrderInfo::default();
        order.order_id = args.pay_score_order_id.clone();
        order.out_order_no = args.out_order_no.clone();
        order.mchid = args.mchid.clone();
        order.sub_mchid = args.sub_mchid.clone();
        AssociatedOrder::PayScoreOrder(order)
    } else {
        let mut order = AssociatedOrderInfo::default();
        order.transaction_id = args.transaction_id.clone();
        order.out_trade_no = args.out_trade_no.clone();
        order.mchid = args.mchid.clone();
        order.sub_mchid = args.sub_mchid.clone();
        AssociatedOrder::Order(order)
    };
    let use_time = match &args.use_time {
        Some(time) => Rfc3339::new(time.as_str()),
        None => Rfc3339::from_unix(clock::now_unix_seconds(), 8 * 3600),
    };
    let mut body = built(UseUserCouponBody::new(
        c.product_coupon_id.as_str(),
        c.stock_id.as_str(),
        c.appid.as_str(),
        no.as_str(),
        use_time,
        order,
    ))?;
    if let Some(store) = &args.store_id {
        body = built(body.store_id(store.as_str()))?;
    }
    let request = built(UseUserCouponRequest::new(
        c.openid.as_str(),
        c.coupon_code.as_str(),
        body,
    ))?;
    send_and_print(&args.connection, request, Some(&no))
}

fn list(args: &ListArgs) -> Result<(), Failure> {
    let mut request = built(ListUserCouponsRequest::new(
        args.openid.as_str(),
        args.appid.as_str(),
    ))?;
    if let Some(id) = &args.product_coupon_id {
        request = built(request.product_coupon_id(id.as_str()))?;
    }
    if let Some(id) = &args.stock_id {
        request = built(request.stock_id(id.as_str()))?;
    }
    if let Some(state) = args.state {
        request = request.coupon_state(coupon_state(state));
    }
    if let Some(id) = &args.user_coupon_bundle_id {
        request = built(request.user_coupon_bundle_id(id.as_str()))?;
    }
    if let Some(size) = args.page_size {
        request = built(request.page_size(size))?;
    }
    if let Some(token) = &args.page_token {
        request = built(request.page_token(token.as_str()))?;
    }
    if !args.all {
        return send_and_print(&args.connection, request, None);
    }
    let limits = Limits {
        max_pages: args.max_pages,
        max_items: args.max_items,
    };
    let format = args.connection.output;
    with_client_failure(&args.connection, |client| async move {
        list_all(&client, request, limits, format, COUPONS).await
    })
}

fn coupon_state(state: CouponStateFilter) -> UserProductCouponState {
    match state {
        CouponStateFilter::Confirming => UserProductCouponState::Confirming,
        CouponStateFilter::Pending => UserProductCouponState::Pending,
        CouponStateFilter::Effective => UserProductCouponState::Effective,
        CouponStateFilter::Used => UserProductCouponState::Used,
        CouponStateFilter::Expired => UserProductCouponState::Expired,
        CouponStateFilter::Deleted => UserProductCouponState::Deleted,
        CouponStateFilter::Deactivated => UserProductCouponState::Deactivated,
    }
}
