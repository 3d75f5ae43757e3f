//! The axum adapter behind a real server on a socket.
#![cfg(feature = "axum")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use bytes::Bytes;
use common::*;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use wxbrand_notify::axum::{Notification, NotificationRejection};
use wxbrand_notify::{FixedClock, Receiver};

#[derive(Clone)]
struct App {
    receiver: Receiver,
    handled: Arc<AtomicUsize>,
    failures_left: Arc<AtomicUsize>,
}

impl axum::extract::FromRef<App> for Receiver {
    fn from_ref(app: &App) -> Receiver {
        app.receiver.clone()
    }
}

async fn on_notification(
    State(app): State<App>,
    notification: Result<Notification, NotificationRejection>,
) -> Response {
    let notification = match notification {
        Ok(n) => n,
        Err(rejection) => return axum::response::IntoResponse::into_response(rejection),
    };
    if app
        .failures_left
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
    {
        return notification.handler_failed("database down");
    }
    assert_eq!(notification.event().coupon().unwrap().coupon_code, "C0001");
    app.handled.fetch_add(1, Ordering::SeqCst);
    notification.acknowledge()
}

async fn post_to(url: &str, request: http::Request<Bytes>) -> (u16, String) {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let (mut parts, body) = request.into_parts();
    parts.uri = url.parse().unwrap();
    let response = client
        .request(http::Request::from_parts(parts, Full::new(body)))
        .await
        .unwrap();
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mounted_extractor_handles_once_retries_failures_and_rejects_forgeries() {
    let app = App {
        receiver: receiver().with_clock(Arc::new(FixedClock(NOW))),
        handled: Arc::new(AtomicUsize::new(0)),
        failures_left: Arc::new(AtomicUsize::new(2)),
    };
    let router = Router::new()
        .route("/notify", post(on_notification))
        .with_state(app.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/notify", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    let good = body("EV-AX", "PRODUCT_COUPON.USE", RESOURCE);
    // The handler fails twice: 500 each time, WeChat Pay would deliver again.
    for _ in 0..2 {
        let (status, text) = post_to(&url, signed(&good, NOW)).await;
        assert_eq!(status, 500, "{text}");
        assert!(text.contains("\"code\":\"FAIL\""));
    }
    // Third delivery handled; later ones are duplicates, 204, not handled again.
    assert_eq!(post_to(&url, signed(&good, NOW)).await.0, 204);
    assert_eq!(post_to(&url, signed(&good, NOW)).await.0, 204);
    assert_eq!(app.handled.load(Ordering::SeqCst), 1);

    // A forged signature never reaches the handler: 401 with a FAIL body.
    let signature = signed(&good, NOW).headers()["Wechatpay-Signature"]
        .to_str()
        .unwrap()
        .to_owned();
    let tampered = request(&good.replace("EV-AX", "EV-AY"), NOW, &signature, KEY_ID);
    let (status, text) = post_to(&url, tampered).await;
    assert_eq!(status, 401);
    assert!(text.contains("does not verify"), "{text}");
    assert_eq!(app.handled.load(Ordering::SeqCst), 1);
}

#[test]
fn the_extractor_mounts_with_the_receiver_as_state() {
    async fn handler(n: Notification) -> Response {
        n.acknowledge()
    }
    let _: Router = Router::new()
        .route("/notify", post(handler))
        .with_state(receiver());
}
