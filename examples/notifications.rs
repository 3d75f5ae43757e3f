//! Receiving event notifications: a receiver mounted on an axum router; the embedded simulator (a
//! local WeChat Pay) is told the receiver's URL, the brand sends a coupon to a user through the
//! SDK, and the simulator delivers the `PRODUCT_COUPON.SEND` notification, signed with its WeChat
//! Pay key and encrypted with the brand API key. The receiver verifies, decrypts and de-duplicates
//! it; the handler prints the typed event and acknowledges it.
//!
//! ```text
//! cargo run --example notifications --features axum
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::routing::post;
use axum::Router;
use tokio::sync::mpsc;
use wxbrand::notify::axum::Notification;
use wxbrand::notify::{Event, Receiver, Verifier};
use wxbrand::prelude::*;
use wxbrand::product_coupon::{SendUserCouponBody, SendUserCouponRequest, StockState};
use wxbrand::Client;
use wxbrand_simulator::clock::{Clock, SystemClock};
use wxbrand_simulator::{sample_stock_usable_at, Simulator};

const COUPON: &str = "200000001";
const STOCK: &str = "300000001";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The brand's notify endpoint, on a free local port.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let notify_url = format!("http://{}/wechatpay/notify", listener.local_addr()?);

    // A local WeChat Pay with one stock that is sending (usable from a day ago for a year), that
    // delivers notifications to it (in production: the notify-config operation sets the URL).
    let now = SystemClock::new().now_unix_seconds();
    let stock = sample_stock_usable_at(COUPON, STOCK, StockState::Sending, now)?;
    let sim = Simulator::ephemeral()
        .stock(stock)
        .notify_url(&notify_url)
        .start()
        .await?;

    // The receiver: WeChat Pay's public key by id, and the brand API key (品牌API密钥).
    let receiver = Receiver::new(
        Verifier::new(
            sim.wechatpay_public_key_id(),
            sim.wechatpay_public_key().clone(),
        ),
        sim.deliveries().brand_api_key().clone(),
    );
    let (events, mut received) = mpsc::unbounded_channel();
    let router = Router::new()
        .route(
            "/wechatpay/notify",
            post(move |notification: Notification| async move {
                let _ = events.send(notification.event().clone());
                // Handled: 204 to WeChat Pay; a redelivery is now a duplicate.
                notification.acknowledge()
            }),
        )
        .with_state(receiver);
    tokio::spawn(async move { axum::serve(listener, router).await });

    // The brand sends a coupon to a user: WeChat Pay notifies the brand.
    let brand = sim.ephemeral_brand().ok_or("an ephemeral brand")?;
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
        .build()?;
    let body = SendUserCouponBody::new(COUPON, STOCK, "wx1234567890abcdef", "example_send_0001")?;
    let sent = client
        .product_coupon()
        .send_user_coupon(SendUserCouponRequest::new(
            "oh-394z-6CGkNoJrsDLTTUKiAnp4",
            body,
        )?)
        .await?;
    println!("sent coupon {}", sent.coupon_code);

    let event = received.recv().await.ok_or("no notification arrived")?;
    match &event {
        Event::CouponSent(coupon) => println!(
            "received {}: coupon {} of stock {} (confirm it next)",
            event.event_type(),
            coupon.coupon_code,
            coupon.stock_id
        ),
        other => println!("received {:?}", other.event_type()),
    }
    sim.deliveries().settled().await;
    let stats = sim.deliveries().stats();
    println!(
        "deliveries {}, attempts {}, give-ups {}",
        stats.deliveries, stats.attempts, stats.give_ups
    );
    sim.shutdown().await;
    Ok(())
}
