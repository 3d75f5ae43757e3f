//! End to end: the simulator delivers notifications (through its publish entry point) to this
//! receiver mounted on a real axum server, over real HTTP; the simulator's clock drives its
//! redeliveries and the receiver's window.
#![cfg(feature = "axum")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use common::vector_keys;
use wxbrand_client::Client;
use wxbrand_notify::axum::{Notification, NotificationRejection};
use wxbrand_notify::{ApiKey, CouponEventResource, Event, Receiver, Rejection, Verifier};
use wxbrand_product_coupon::{
    AssociatedOrder, AssociatedOrderInfo, ConfirmUserCouponRequest, ProductCouponExt,
    ReturnUserCouponRequest, SendUserCouponBody, SendUserCouponRequest, StockState,
    UseUserCouponBody, UseUserCouponRequest, UserCouponBody,
};
use wxbrand_simulator::clock::{Clock as _, ManualClock};
use wxbrand_simulator::{
    delivery::AttemptOutcome, sample_stock, DeliveryFault, Published, RetrySchedule, Simulator,
    SimulatorHandle,
};

const START: i64 = 1_767_225_600;
const COUPON: &str = "200000001";
const STOCK: &str = "300000001";
const APPID: &str = "wx1234567890abcdef";
const OPENID: &str = "oh-394z-6CGkNoJrsDLTTUKiAnp4";

/// The client reads the simulator's manual clock (its signatures must fall in the window).
#[derive(Debug)]
struct ClientTime(ManualClock);

impl wxbrand_client::clock::Clock for ClientTime {
    fn unix_seconds(&self) -> i64 {
        self.0.now_unix_seconds()
    }
    fn monotonic(&self) -> Duration {
        Duration::from_millis(u64::try_from(self.0.now_unix_millis()).unwrap_or(0))
    }
}

/// The simulator's manual clock, read by the receiver too.
#[derive(Debug)]
struct SharedTime(ManualClock);

impl wxbrand_notify::Clock for SharedTime {
    fn now_unix_seconds(&self) -> i64 {
        self.0.now_unix_seconds()
    }
}

/// What the receiver's handler saw.
#[derive(Clone, Default)]
struct Seen {
    handled: Arc<Mutex<Vec<(String, Event)>>>,
    rejected: Arc<Mutex<Vec<String>>>,
    failures_left: Arc<Mutex<usize>>,
}

#[derive(Clone)]
struct App {
    receiver: Receiver,
    seen: Seen,
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
    match notification {
        Err(rejection) => {
            let kind = match &rejection {
                NotificationRejection::Rejected(Rejection::BadSignature) => "bad_signature",
                NotificationRejection::Rejected(Rejection::OutsideWindow { .. }) => {
                    "outside_window"
                }
                NotificationRejection::Rejected(Rejection::UnknownKeyId { .. }) => "unknown_key_id",
                NotificationRejection::Rejected(Rejection::Decryption) => "decryption",
                NotificationRejection::Rejected(Rejection::Duplicate { .. }) => "duplicate",
                other => panic!("unexpected {other:?}"),
            };
            app.seen.rejected.lock().unwrap().push(kind.to_owned());
            rejection.into_response()
        }
        Ok(notification) => {
            {
                let mut left = app.seen.failures_left.lock().unwrap();
                if *left > 0 {
                    *left -= 1;
                    return notification.handler_failed("database down");
                }
            }
            let id = notification.received().id().to_owned();
            app.seen
                .handled
                .lock()
                .unwrap()
                .push((id, notification.event().clone()));
            notification.acknowledge()
        }
    }
}

struct Setup {
    sim: SimulatorHandle,
    clock: ManualClock,
    seen: Seen,
}

/// A simulator with the vector keys and the test API key, on `clock`.
fn simulator(clock: &ManualClock) -> wxbrand_simulator::SimulatorBuilder {
    Simulator::builder()
        .brand(
            vector_keys::BRAND_ID,
            vector_keys::SERIAL_NO,
            vector_keys::brand_public_key(),
        )
        .wechatpay_key(vector_keys::wechatpay_key(), vector_keys::KEY_ID)
        .brand_api_key(ApiKey::new(common::API_KEY).unwrap())
        .clock(clock.clone())
        // A stock that is sending, for the tests that send coupons through the API.
        .stock(sample_stock(COUPON, STOCK, StockState::Sending).unwrap())
}

impl Setup {
    async fn start() -> Setup {
        Setup::start_with(vector_keys::KEY_ID, common::API_KEY).await
    }

    /// A receiver on a socket holding WeChat Pay key id `key_id` and API key `api_key`, and a
    /// simulator (API key [`common::API_KEY`]) delivering to it on a schedule of 15 s, 15 s.
    async fn start_with(key_id: &str, api_key: &str) -> Setup {
        let clock = ManualClock::at_unix_seconds(START);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/wechatpay/notify", listener.local_addr().unwrap());
        let sim = simulator(&clock)
            .notify_url(url)
            .notification_schedule(RetrySchedule::new(vec![Duration::from_secs(15); 2]))
            .start()
            .await
            .unwrap();
        let receiver = Receiver::new(
            Verifier::new(key_id, sim.wechatpay_public_key().clone()),
            ApiKey::new(api_key).unwrap(),
        )
        .with_clock(Arc::new(SharedTime(clock.clone())));
        let seen = Seen::default();
        let app = App {
            receiver,
            seen: seen.clone(),
        };
        let router = Router::new()
            .route("/wechatpay/notify", post(on_notification))
            .with_state(app);
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Setup { sim, clock, seen }
    }

    /// Moves the simulator's (and receiver's) clock, then waits for due deliveries.
    async fn advance(&self, seconds: i64) {
        self.clock.advance_seconds(seconds);
        self.sim.deliveries().settled().await;
    }

    fn statuses(&self) -> Vec<AttemptOutcome> {
        self.sim
            .deliveries()
            .stats()
            .log
            .into_iter()
            .map(|a| a.outcome)
            .collect()
    }
}

fn coupon() -> CouponEventResource {
    let mut coupon = CouponEventResource::new("C0001", "200000001", "300000001");
    coupon.openid = Some("o_user_1".into());
    coupon.send_channel = Some("API".into());
    coupon
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_type_arrives_typed() {
    let setup = Setup::start().await;
    let events = [
        Event::CouponSent(coupon()),
        Event::CouponUsed(coupon()),
        Event::CouponReturned(coupon()),
        Event::decode("PRODUCT_COUPON.SOMETHING_NEW", r#"{"x":[1]}"#).unwrap(),
    ];
    for event in &events {
        assert!(matches!(setup.sim.publish(event), Published::Queued { .. }));
    }
    setup.sim.deliveries().settled().await;
    let handled = setup.seen.handled.lock().unwrap().clone();
    let received: Vec<Event> = handled.into_iter().map(|(_, e)| e).collect();
    assert_eq!(received.len(), 4);
    for event in &events {
        assert!(received.contains(event), "{event:?} not received as sent");
    }
    let stats = setup.sim.deliveries().stats();
    assert_eq!(
        (stats.published, stats.deliveries, stats.attempts),
        (4, 4, 4)
    );
    assert_eq!((stats.give_ups, stats.pending), (0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_failing_twice_gets_it_a_third_time_and_handles_it_once() {
    let setup = Setup::start().await;
    *setup.seen.failures_left.lock().unwrap() = 2;
    setup.sim.deliveries().inject_next(DeliveryFault::Duplicate);
    setup.sim.publish(&Event::CouponSent(coupon()));
    setup.sim.deliveries().settled().await;
    assert_eq!(setup.statuses(), [AttemptOutcome::Status(500)]);
    // Not yet due: nothing happens before 15 s on the simulator's clock.
    setup.advance(14).await;
    assert_eq!(setup.statuses().len(), 1);
    setup.advance(1).await;
    setup.advance(15).await;
    // Third attempt handled, then the injected duplicate: 2xx, not handled again.
    assert_eq!(
        setup.statuses(),
        [500, 500, 204, 204].map(AttemptOutcome::Status)
    );
    assert_eq!(setup.seen.handled.lock().unwrap().len(), 1);
    assert_eq!(*setup.seen.rejected.lock().unwrap(), ["duplicate"]);
    let stats = setup.sim.deliveries().stats();
    assert_eq!(
        (stats.deliveries, stats.attempts, stats.give_ups),
        (1, 4, 0)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_signature_and_a_stale_delivery_are_rejected_then_redelivered() {
    let setup = Setup::start().await;
    for (fault, kind) in [
        (DeliveryFault::BadSignature, "bad_signature"),
        (DeliveryFault::Stale, "outside_window"),
    ] {
        setup.sim.deliveries().inject_next(fault);
        setup.sim.publish(&Event::CouponUsed(coupon()));
        setup.sim.deliveries().settled().await;
        assert_eq!(setup.seen.rejected.lock().unwrap().last().unwrap(), kind);
        assert_eq!(setup.statuses().last(), Some(&AttemptOutcome::Status(401)));
        setup.advance(15).await;
        assert_eq!(setup.statuses().last(), Some(&AttemptOutcome::Status(204)));
    }
    assert_eq!(setup.seen.handled.lock().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_key_id_or_api_key_is_rejected_until_the_simulator_gives_up() {
    for (key_id, api_key, kind) in [
        (
            "PUB_KEY_ID_0199999999202501010000000000000009",
            common::API_KEY,
            "unknown_key_id",
        ),
        (
            vector_keys::KEY_ID,
            "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
            "decryption",
        ),
    ] {
        let setup = Setup::start_with(key_id, api_key).await;
        setup.sim.publish(&Event::CouponReturned(coupon()));
        setup.sim.deliveries().settled().await;
        setup.advance(15).await;
        setup.advance(15).await;
        let rejected = setup.seen.rejected.lock().unwrap().clone();
        assert_eq!(rejected, [kind; 3]);
        let expected_status = if kind == "decryption" { 400 } else { 401 };
        assert_eq!(
            setup.statuses(),
            [AttemptOutcome::Status(expected_status); 3]
        );
        let stats = setup.sim.deliveries().stats();
        assert_eq!((stats.deliveries, stats.give_ups, stats.pending), (0, 1, 0));
        assert!(setup.seen.handled.lock().unwrap().is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_connections_and_timeouts_are_retried_then_given_up() {
    let clock = ManualClock::at_unix_seconds(START);
    // A port with nothing listening, and a listener that accepts and never answers.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_url = format!("http://{}/n", closed.local_addr().unwrap());
    drop(closed);
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_url = format!("http://{}/n", silent.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = silent.accept().await {
            held.push(stream);
        }
    });
    let sim = simulator(&clock)
        .notification_schedule(RetrySchedule::new(vec![Duration::from_secs(60)]))
        .notification_attempt_timeout(Duration::from_millis(200))
        .start()
        .await
        .unwrap();
    // Without a notify URL nothing is sent.
    assert_eq!(
        sim.publish(&Event::CouponSent(coupon())),
        Published::NoNotifyUrl
    );
    for (url, outcome) in [
        (closed_url, AttemptOutcome::ConnectFailed),
        (silent_url, AttemptOutcome::Timeout),
    ] {
        sim.deliveries().set_notify_url(Some(&url)).unwrap();
        sim.publish(&Event::CouponSent(coupon()));
        sim.deliveries().settled().await;
        clock.advance_seconds(60);
        sim.deliveries().settled().await;
        let log = sim.deliveries().stats().log;
        assert_eq!(log.len() % 2, 0);
        assert!(
            log.iter().rev().take(2).all(|a| a.outcome == outcome),
            "{log:?}"
        );
        assert_eq!(log.last().unwrap().attempt, 2);
    }
    let stats = sim.deliveries().stats();
    assert_eq!(
        (
            stats.published,
            stats.skipped_without_url,
            stats.attempts,
            stats.give_ups
        ),
        (3, 1, 4, 2)
    );
    assert!(sim.deliveries().set_notify_url(Some("ftp://x/")).is_err());
}

#[test]
fn the_default_schedule_is_wechat_pays_and_compresses() {
    let schedule = RetrySchedule::default();
    assert_eq!(schedule.max_attempts(), 16);
    let total: Duration = schedule.intervals().iter().sum();
    assert_eq!(
        total.as_secs(),
        15 + 15 + 30 + (3 + 10 + 20 + 30 * 3 + 60 + 180 * 3 + 360 * 2) * 60
    );
    let fast = schedule.compressed(1000);
    assert_eq!(fast.intervals()[0], Duration::from_millis(15));
    assert_eq!(fast.max_attempts(), 16);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_key_material_in_debug_or_display() {
    let setup = Setup::start().await;
    setup.sim.publish(&Event::CouponSent(coupon()));
    setup.sim.deliveries().settled().await;
    let wechatpay_pem = std::str::from_utf8(vector_keys::WECHATPAY_PRIVATE_KEY_PEM).unwrap();
    let key_line = wechatpay_pem.lines().nth(3).unwrap();
    let texts = [
        format!("{:?}", setup.sim),
        format!("{:?}", setup.sim.deliveries()),
        format!("{:?}", setup.sim.deliveries().stats()),
        format!("{:?}", simulator(&setup.clock)),
        format!("{:?}", setup.sim.deliveries().brand_api_key()),
    ];
    for text in texts {
        assert!(
            !text.contains(common::API_KEY) && !text.contains("Abcdefghij"),
            "{text}"
        );
        assert!(!text.contains(key_line), "{text}");
        assert!(!text.contains("o_user_1"), "{text}");
    }
}

/// A client of the vector brand on the simulator's clock.
fn client(setup: &Setup) -> Client {
    Client::builder()
        .brand_id(vector_keys::BRAND_ID)
        .serial_no(vector_keys::SERIAL_NO)
        .private_key(vector_keys::brand_key())
        .wechatpay_public_key(vector_keys::KEY_ID, vector_keys::wechatpay_public_key())
        .base_url(setup.sim.base_url())
        .without_backup()
        .clock(Arc::new(ClientTime(setup.clock.clone())))
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sending_using_and_returning_a_coupon_through_the_api_notify_the_receiver() {
    let setup = Setup::start().await;
    let client = client(&setup);
    let api = client.product_coupon();

    let body = SendUserCouponBody::new(COUPON, STOCK, APPID, "send_e2e_0001").unwrap();
    let sent = api
        .send_user_coupon(SendUserCouponRequest::new(OPENID, body).unwrap())
        .await
        .unwrap();
    let code = sent.coupon_code.clone();
    let change = |no: &str| UserCouponBody::new(COUPON, STOCK, APPID, no).unwrap();
    api.confirm_user_coupon(
        ConfirmUserCouponRequest::new(OPENID, &code, change("confirm_e2e_0001")).unwrap(),
    )
    .await
    .unwrap();
    let order = AssociatedOrder::Order(AssociatedOrderInfo::transaction("4200000001202601010001"));
    let body = UseUserCouponBody::new(
        COUPON,
        STOCK,
        APPID,
        "use_e2e_0001",
        "2026-01-01T09:00:00+08:00",
        order,
    )
    .unwrap();
    api.use_user_coupon(UseUserCouponRequest::new(OPENID, &code, body).unwrap())
        .await
        .unwrap();
    api.return_user_coupon(
        ReturnUserCouponRequest::new(OPENID, &code, change("return_e2e_0001")).unwrap(),
    )
    .await
    .unwrap();
    setup.sim.deliveries().settled().await;

    // Confirm is not notified (the facts name SEND, USE and RETURN); the three that are arrive
    // typed, each about this user's coupon. Deliveries run concurrently, as WeChat Pay's do, so
    // their order is not promised: a receiver must not rely on it.
    let handled = setup.seen.handled.lock().unwrap().clone();
    let mut kinds: Vec<String> = handled
        .iter()
        .map(|(_, e)| e.event_type().to_string())
        .collect();
    kinds.sort();
    assert_eq!(
        kinds,
        [
            "PRODUCT_COUPON.RETURN",
            "PRODUCT_COUPON.SEND",
            "PRODUCT_COUPON.USE",
        ]
    );
    for (_, event) in &handled {
        let coupon = event.coupon().unwrap();
        assert_eq!(coupon.coupon_code, code);
        assert_eq!(coupon.stock_id, STOCK);
        assert_eq!(coupon.openid.as_deref(), Some(OPENID));
        assert_eq!(coupon.send_request_no.as_deref(), Some("send_e2e_0001"));
    }
    assert!(handled
        .iter()
        .any(|(_, event)| matches!(event, Event::CouponSent(_))));
    // The simulator's own stats show them too.
    let stats = setup.sim.stats().notifications;
    assert_eq!(
        (stats.published, stats.deliveries, stats.give_ups),
        (3, 3, 0)
    );
}
