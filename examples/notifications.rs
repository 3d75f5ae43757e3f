//! Receiving event notifications: a receiver mounted on an axum router, and the embedded
//! simulator (a local WeChat Pay) delivering a `PRODUCT_COUPON.SEND` notification to it, signed
//! with its WeChat Pay key and encrypted with the brand API key. The receiver verifies, decrypts
//! and de-duplicates it; the handler prints the typed event and acknowledges it.
//!
//! The event is handed to the simulator directly (`publish`); once the simulator sends user
//! coupons itself, sending one produces the same notification.
//!
//! ```text
//! cargo run --example notifications --features axum
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::routing::post;
use axum::Router;
use tokio::sync::mpsc;
use wxbrand::notify::axum::Notification;
use wxbrand::notify::{CouponEventResource, Event, Receiver, Verifier};
use wxbrand_simulator::Simulator;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The brand's notify endpoint, on a free local port.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let notify_url = format!("http://{}/wechatpay/notify", listener.local_addr()?);

    // A local WeChat Pay that delivers notifications to it.
    let sim = Simulator::ephemeral()
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

    // A coupon was sent to a user: WeChat Pay notifies the brand.
    let mut coupon = CouponEventResource::new("C0001", "1000000013", "1000000013001");
    coupon.openid = Some("o_example_user".into());
    coupon.send_channel = Some("API".into());
    println!("simulator: {:?}", sim.publish(&Event::CouponSent(coupon)));

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
