//! A brand's daily work with a user's coupon, through the SDK on the embedded simulator (a local
//! WeChat Pay brand API over TLS with generated keys and one stock in `SENDING`): send a coupon to
//! a user, confirm it (as the `PRODUCT_COUPON.SEND` event asks), use it at the till, return it when
//! the order is refunded — printing the coupon's state after each step.
//!
//! ```text
//! cargo run --example send_and_redeem
//! ```
//!
//! Every write carries its own request number (`send_request_no`, `out_request_no`): a retry, by
//! the SDK or by hand, reuses it and WeChat Pay acts once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::error::Error;

use wxbrand::prelude::*;
use wxbrand::product_coupon::{
    AssociatedOrder, AssociatedOrderInfo, ConfirmUserCouponRequest, GetUserCouponRequest,
    ReturnUserCouponRequest, SendUserCouponBody, SendUserCouponRequest, StockState,
    UseUserCouponBody, UseUserCouponRequest, UserCouponBody, UserProductCouponEntity,
};
use wxbrand::Client;
use wxbrand_core::Rfc3339;
use wxbrand_simulator::clock::{Clock, SystemClock};
use wxbrand_simulator::{sample_stock_usable_at, Simulator};

const COUPON: &str = "200000001";
const STOCK: &str = "300000001";
const APPID: &str = "wx1234567890abcdef";
const OPENID: &str = "oh-394z-6CGkNoJrsDLTTUKiAnp4";

fn show(step: &str, coupon: &UserProductCouponEntity) {
    println!(
        "{step:<10} coupon {} is {}",
        coupon.coupon_code,
        String::from(coupon.coupon_state.clone())
    );
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    // One stock, usable from a day ago for a year (one coupon per user).
    let now = SystemClock::new().now_unix_seconds();
    let stock = sample_stock_usable_at(COUPON, STOCK, StockState::Sending, now)?;
    let sim = Simulator::ephemeral()
        .tls(true)
        .stock(stock)
        .start()
        .await?;
    let brand = sim.ephemeral_brand().expect("an ephemeral brand");
    let client = Client::builder()
        .brand_id(brand.brand_id())
        .serial_no(brand.serial_no())
        .private_key(brand.private_key().clone())
        .wechatpay_public_key(
            sim.wechatpay_public_key_id(),
            sim.wechatpay_public_key().clone(),
        )
        .base_url(sim.base_url())
        .without_backup()
        .add_root_certificate_pem(sim.ca_certificate_pem().expect("TLS"))
        .build()?;
    let api = client.product_coupon();

    // 1. Send: WeChat Pay draws the code (a WECHATPAY stock); the coupon waits for confirmation.
    let body = SendUserCouponBody::new(COUPON, STOCK, APPID, "example_send_0001")?;
    let sent = api
        .send_user_coupon(SendUserCouponRequest::new(OPENID, body)?)
        .await?;
    show("sent", &sent);
    let code = sent.coupon_code.clone();
    for event in sim.coupon_events() {
        println!(
            "           event {} for {} (what the notification carries)",
            event.event_type.as_str(),
            event.openid
        );
    }

    // 2. Confirm, as every PRODUCT_COUPON.SEND event asks: the coupon becomes usable.
    let confirm = UserCouponBody::new(COUPON, STOCK, APPID, "example_confirm_0001")?;
    let confirmed = api
        .confirm_user_coupon(ConfirmUserCouponRequest::new(OPENID, &code, confirm)?)
        .await?;
    show("confirmed", &confirmed);

    // 3. Use it at the till with the payment's order.
    let order = AssociatedOrder::Order(AssociatedOrderInfo::transaction("4200000001202601010001"));
    let use_time = Rfc3339::from_unix(now, 8 * 3600);
    let body = UseUserCouponBody::new(COUPON, STOCK, APPID, "example_use_0001", use_time, order)?;
    let used = api
        .use_user_coupon(UseUserCouponRequest::new(OPENID, &code, body)?)
        .await?;
    show("used", &used);

    // 4. The order is refunded: return the coupon, which is usable again.
    let body = UserCouponBody::new(COUPON, STOCK, APPID, "example_return_0001")?;
    let returned = api
        .return_user_coupon(ReturnUserCouponRequest::new(OPENID, &code, body)?)
        .await?;
    show("returned", &returned);

    // 5. What WeChat Pay holds now.
    let got = api
        .get_user_coupon(GetUserCouponRequest::new(
            OPENID, &code, COUPON, STOCK, APPID,
        )?)
        .await?;
    show("queried", &got);
    sim.shutdown().await;
    Ok(())
}
