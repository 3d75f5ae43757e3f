//! Users' coupons and the notify configuration through the client against the simulator over TLS,
//! on the simulator's clock (a `ManualClock` the client reads too): per operation the happy path,
//! a validation error with nothing sent and an API error with its code; budgets per user and per
//! Beijing day, uploaded codes running out, expiry by the clock, and 200 concurrent sends under
//! injected faults (nothing lost, nothing twice).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::api_code;
use futures_util::StreamExt;
use wxbrand_client::clock::NoSleep;
use wxbrand_client::Client;
use wxbrand_core::ErrorCode;
use wxbrand_product_coupon::{
    AssociatedOrder, AssociatedOrderInfo, ConfirmUserCouponRequest, DeactivateUserCouponBody,
    DeactivateUserCouponRequest, GetNotifyConfigRequest, GetStockRequest, GetUserCouponRequest,
    ListUserCouponsRequest, PreSendUserCouponBody, PreSendUserCouponRequest, ProductCouponExt,
    ReturnUserCouponRequest, SendUserCouponBody, SendUserCouponRequest, SetNotifyConfigRequest,
    StockEntity, StockState, UploadCouponCodesBody, UploadCouponCodesRequest, UseUserCouponBody,
    UseUserCouponRequest, UserCouponBody, UserProductCouponEntity, UserProductCouponState,
};
use wxbrand_simulator::clock::{Clock as _, ManualClock};
use wxbrand_simulator::{sample_stock, CouponEventType, Fault, Route, Simulator, SimulatorHandle};

const COUPON: &str = "200000001";
const STOCK: &str = "300000001";
const APPID: &str = "wx1234567890abcdef";
/// 2026-06-01T00:00:00+08:00, inside the sample stock's period (2026).
const JUNE_1: i64 = 1_780_243_200;

/// The client reads the simulator's manual clock.
#[derive(Debug)]
struct SimClock(ManualClock);

impl wxbrand_client::clock::Clock for SimClock {
    fn unix_seconds(&self) -> i64 {
        self.0.now_unix_seconds()
    }
    fn monotonic(&self) -> Duration {
        Duration::from_millis(u64::try_from(self.0.now_unix_millis()).unwrap_or(0))
    }
}

fn openid(i: usize) -> String {
    format!("oUser{i:023}")
}

/// A simulator over TLS holding the sample stock (changed by `edit`), on a manual clock at
/// [`JUNE_1`], and a client on the same clock that does not wait between retries.
async fn start(edit: impl FnOnce(&mut StockEntity)) -> (SimulatorHandle, Client, ManualClock) {
    let clock = ManualClock::at_unix_seconds(JUNE_1);
    let mut stock = sample_stock(COUPON, STOCK, StockState::Sending).unwrap();
    edit(&mut stock);
    let sim = Simulator::ephemeral()
        .tls(true)
        .clock(clock.clone())
        .stock(stock)
        .start()
        .await
        .unwrap();
    let client = wxbrand::test_util::client_builder(&sim.connection().unwrap())
        .clock(Arc::new(SimClock(clock.clone())))
        .sleeper(Arc::new(NoSleep))
        .build()
        .unwrap();
    (sim, client, clock)
}

fn send_request(user: &str, no: &str) -> SendUserCouponRequest {
    let body = SendUserCouponBody::new(COUPON, STOCK, APPID, no).unwrap();
    SendUserCouponRequest::new(user, body).unwrap()
}

async fn send(client: &Client, user: &str, no: &str) -> UserProductCouponEntity {
    client
        .send(&send_request(user, no))
        .await
        .unwrap()
        .into_inner()
}

fn change(no: &str) -> UserCouponBody {
    UserCouponBody::new(COUPON, STOCK, APPID, no).unwrap()
}

async fn confirm(client: &Client, user: &str, code: &str, no: &str) -> UserProductCouponEntity {
    let request = ConfirmUserCouponRequest::new(user, code, change(no)).unwrap();
    client.send(&request).await.unwrap().into_inner()
}

fn use_request(user: &str, code: &str, no: &str) -> UseUserCouponRequest {
    let order = AssociatedOrder::Order(AssociatedOrderInfo::transaction("4200000001202606010001"));
    let body = UseUserCouponBody::new(COUPON, STOCK, APPID, no, "2026-06-01T12:00:00+08:00", order)
        .unwrap();
    UseUserCouponRequest::new(user, code, body).unwrap()
}

fn return_request(user: &str, code: &str, no: &str) -> ReturnUserCouponRequest {
    ReturnUserCouponRequest::new(user, code, change(no)).unwrap()
}

async fn stock_of(client: &Client) -> StockEntity {
    let request = GetStockRequest::new(COUPON, STOCK).unwrap();
    client.send(&request).await.unwrap().into_inner()
}

fn state(coupon: &UserProductCouponEntity) -> UserProductCouponState {
    coupon.coupon_state.clone()
}

#[tokio::test]
async fn send_confirm_use_return_deactivate_get_and_list() {
    let (sim, client, _) = start(|_| {}).await;
    let api = client.product_coupon();
    let user = openid(1);
    let sent = send(&client, &user, "send-0001").await;
    assert_eq!(state(&sent), UserProductCouponState::Confirming);
    let code = sent.coupon_code.clone();

    let confirmed = confirm(&client, &user, &code, "conf-0001").await;
    assert_eq!(state(&confirmed), UserProductCouponState::Effective);
    let used = client
        .send(&use_request(&user, &code, "use-0001"))
        .await
        .unwrap();
    assert_eq!(state(&used), UserProductCouponState::Used);
    let returned = api
        .return_user_coupon(return_request(&user, &code, "ret-0001"))
        .await
        .unwrap();
    assert_eq!(state(&returned), UserProductCouponState::Effective);

    let got = GetUserCouponRequest::new(&user, &code, COUPON, STOCK, APPID).unwrap();
    let got = api.get_user_coupon(got).await.unwrap();
    assert_eq!(got.coupon_code, code);
    assert_eq!(state(&got), UserProductCouponState::Effective);

    let deactivate =
        DeactivateUserCouponBody::new(COUPON, STOCK, APPID, "deac-0001", "发错了").unwrap();
    let deactivate = DeactivateUserCouponRequest::new(&user, &code, deactivate).unwrap();
    let deactivated = api.deactivate_user_coupon(deactivate).await.unwrap();
    assert_eq!(state(&deactivated), UserProductCouponState::Deactivated);
    assert_eq!(
        deactivated.deactivate_request_no.as_deref(),
        Some("deac-0001")
    );

    let listed: Vec<UserProductCouponEntity> = api
        .list_all_user_coupons(ListUserCouponsRequest::new(&user, APPID).unwrap())
        .map(|c| c.unwrap())
        .collect()
        .await;
    assert_eq!(listed.len(), 1);
    assert_eq!(state(&listed[0]), UserProductCouponState::Deactivated);

    let events: Vec<&str> = sim
        .coupon_events()
        .iter()
        .map(|e| e.event_type.as_str())
        .collect();
    assert_eq!(
        events,
        [
            "PRODUCT_COUPON.SEND",
            "PRODUCT_COUPON.CONFIRM",
            "PRODUCT_COUPON.USE",
            "PRODUCT_COUPON.RETURN",
            "PRODUCT_COUPON.DEACTIVATE"
        ]
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn use_return_and_use_again() {
    let (sim, client, _) = start(|_| {}).await;
    let user = openid(2);
    let code = send(&client, &user, "send-0002").await.coupon_code;
    confirm(&client, &user, &code, "conf-0002").await;
    for round in 0..2 {
        let used = client
            .send(&use_request(&user, &code, &format!("use-000{round}")))
            .await
            .unwrap();
        assert_eq!(state(&used), UserProductCouponState::Used);
        // A repeat of the same use is the same answer, not a second use.
        let again = client
            .send(&use_request(&user, &code, &format!("use-000{round}")))
            .await
            .unwrap();
        assert_eq!(again.into_inner(), used.into_inner());
        let returned = client
            .send(&return_request(&user, &code, &format!("ret-000{round}")))
            .await
            .unwrap();
        assert_eq!(state(&returned), UserProductCouponState::Effective);
    }
    let uses = sim
        .coupon_events()
        .iter()
        .filter(|e| e.event_type == CouponEventType::Use)
        .count();
    assert_eq!(uses, 2);
    sim.shutdown().await;
}

#[tokio::test]
async fn pre_send_then_claim_then_confirm() {
    let (sim, client, clock) = start(|_| {}).await;
    let user = openid(3);
    let body = PreSendUserCouponBody::new(COUPON, STOCK, APPID, "pre-0001").unwrap();
    let answer = client
        .send(&PreSendUserCouponRequest::new(&user, body).unwrap())
        .await
        .unwrap();
    clock.advance_seconds(120);
    let (claimer, code) = sim.claim_pre_sent_coupon(&answer.token).unwrap();
    assert_eq!(claimer, user);
    let confirmed = confirm(&client, &user, &code, "conf-0003").await;
    assert_eq!(state(&confirmed), UserProductCouponState::Effective);
    sim.shutdown().await;
}

#[tokio::test]
async fn notify_config_set_and_get() {
    let (sim, client, _) = start(|_| {}).await;
    let set = SetNotifyConfigRequest::new("https://brand.example.com/wxpay/notify").unwrap();
    let set = client.send(&set).await.unwrap();
    let got = client.send(&GetNotifyConfigRequest::new()).await.unwrap();
    assert_eq!(
        got.notify_url.as_deref(),
        Some("https://brand.example.com/wxpay/notify")
    );
    assert_eq!(got.update_time, set.update_time);
    assert_eq!(
        got.update_time.as_ref().unwrap().as_str(),
        "2026-06-01T00:00:00+08:00"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn validation_errors_send_nothing() {
    let (sim, _client, _) = start(|_| {}).await;
    assert!(SendUserCouponBody::new(COUPON, STOCK, APPID, "abc").is_err());
    assert!(UserCouponBody::new(COUPON, STOCK, APPID, "no spaces").is_err());
    let body = SendUserCouponBody::new(COUPON, STOCK, APPID, "send-0001").unwrap();
    assert!(SendUserCouponRequest::new("o user", body).is_err());
    assert!(ConfirmUserCouponRequest::new(openid(1), "a/b", change("conf-0001")).is_err());
    assert!(GetUserCouponRequest::new(openid(1), "", COUPON, STOCK, APPID).is_err());
    assert!(DeactivateUserCouponBody::new(COUPON, STOCK, APPID, "deac-0001", "").is_err());
    assert!(UseUserCouponBody::new(
        COUPON,
        STOCK,
        APPID,
        "use-0001",
        "yesterday",
        AssociatedOrder::Order(AssociatedOrderInfo::transaction("42"))
    )
    .is_err());
    assert!(SetNotifyConfigRequest::new("http://brand.example.com/notify").is_err());
    assert!(ListUserCouponsRequest::new(openid(1), APPID)
        .unwrap()
        .page_size(51)
        .is_err());
    assert_eq!(sim.stats().requests_received, 0);
    sim.shutdown().await;
}

#[tokio::test]
async fn api_errors_carry_wechat_codes() {
    let (sim, client, _) = start(|_| {}).await;
    let user = openid(4);
    // A coupon the user does not hold.
    let missing = ConfirmUserCouponRequest::new(&user, "SIM404", change("conf-0001")).unwrap();
    let error = client.send(&missing).await.unwrap_err();
    assert_eq!(api_code(&error), (404, ErrorCode::ResourceNotExists));
    // An illegal transition: using a coupon not confirmed yet.
    let code = send(&client, &user, "send-0001").await.coupon_code;
    let error = client
        .send(&use_request(&user, &code, "use-0001"))
        .await
        .unwrap_err();
    assert_eq!(api_code(&error), (400, ErrorCode::InvalidRequest));
    // The same send_request_no with another body.
    let other = SendUserCouponBody::new(COUPON, STOCK, APPID, "send-0001")
        .unwrap()
        .attach("other");
    let error = client
        .send(&SendUserCouponRequest::new(&user, other).unwrap())
        .await
        .unwrap_err();
    assert_eq!(api_code(&error), (400, ErrorCode::InvalidRequest));
    // No notify URL set yet.
    let error = client
        .send(&GetNotifyConfigRequest::new())
        .await
        .unwrap_err();
    assert_eq!(api_code(&error), (404, ErrorCode::ResourceNotExists));
    // A paused stock sends nothing.
    let mut stock = sim.stock(COUPON, STOCK).unwrap();
    stock.state = StockState::Paused;
    sim.put_stock(stock);
    let error = client
        .send(&send_request(&openid(5), "send-0005"))
        .await
        .unwrap_err();
    assert_eq!(api_code(&error), (400, ErrorCode::InvalidRequest));
    sim.shutdown().await;
}

#[tokio::test]
async fn three_users_with_a_per_user_limit_of_two() {
    let (sim, client, _) = start(|stock| {
        stock.stock_send_rule.as_mut().unwrap().max_count_per_user = Some(2);
    })
    .await;
    for u in 0..3 {
        let user = openid(10 + u);
        send(&client, &user, &format!("send-{u}-1")).await;
        send(&client, &user, &format!("send-{u}-2")).await;
        let error = client
            .send(&send_request(&user, &format!("send-{u}-3")))
            .await
            .unwrap_err();
        assert_eq!(
            api_code(&error),
            (400, ErrorCode::InvalidRequest),
            "user {u}"
        );
        assert_eq!(sim.user_coupons(&user).len(), 2);
    }
    let sent = stock_of(&client).await.sent_count_info.unwrap();
    assert_eq!(sent.total_count, Some(6));
    assert_eq!(
        sim.stats()
            .rejections_for(wxbrand_simulator::reason::SEND_LIMIT_REACHED),
        3
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn the_daily_limit_starts_again_at_beijing_midnight() {
    let (sim, client, clock) = start(|stock| {
        let rule = stock.stock_send_rule.as_mut().unwrap();
        rule.max_count_per_day = Some(2);
        rule.max_count_per_user = Some(10);
    })
    .await;
    // 23:59:00 Beijing time on June 1.
    clock.set_unix_seconds(JUNE_1 + 86_400 - 60);
    let user = openid(20);
    send(&client, &user, "send-day1-1").await;
    send(&client, &user, "send-day1-2").await;
    let error = client
        .send(&send_request(&user, "send-day1-3"))
        .await
        .unwrap_err();
    assert_eq!(api_code(&error), (400, ErrorCode::InvalidRequest));
    assert_eq!(
        stock_of(&client).await.sent_count_info.unwrap().today_count,
        Some(2)
    );

    clock.advance_seconds(60); // 00:00:00 on June 2
    assert_eq!(
        stock_of(&client).await.sent_count_info.unwrap().today_count,
        Some(0)
    );
    send(&client, &user, "send-day2-1").await;
    let sent = stock_of(&client).await.sent_count_info.unwrap();
    assert_eq!((sent.total_count, sent.today_count), (Some(3), Some(1)));
    sim.shutdown().await;
}

#[tokio::test]
async fn uploaded_codes_are_drawn_in_order_until_none_is_left() {
    let (sim, client, _) = start(|stock| {
        stock.coupon_code_mode = Some(wxbrand_product_coupon::CouponCodeMode::Upload);
        stock.stock_send_rule.as_mut().unwrap().max_count_per_user = Some(10);
    })
    .await;
    let upload = UploadCouponCodesBody::new("upload-0001", ["BRAND-001", "BRAND-002"]).unwrap();
    client
        .send(&UploadCouponCodesRequest::new(COUPON, STOCK, upload).unwrap())
        .await
        .unwrap();
    let user = openid(30);
    assert_eq!(
        send(&client, &user, "send-0001").await.coupon_code,
        "BRAND-001"
    );
    assert_eq!(
        send(&client, &user, "send-0002").await.coupon_code,
        "BRAND-002"
    );
    let error = client
        .send(&send_request(&user, "send-0003"))
        .await
        .unwrap_err();
    assert_eq!(api_code(&error), (400, ErrorCode::InvalidRequest));
    assert_eq!(
        sim.stats()
            .rejections_for(wxbrand_simulator::reason::CODES_EXHAUSTED),
        1
    );
    let codes = stock_of(&client).await.coupon_code_count_info.unwrap();
    assert_eq!(
        (codes.total_count, codes.available_count),
        (Some(2), Some(0))
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn coupons_expire_by_the_clock() {
    let (sim, client, clock) = start(|stock| {
        let period = stock
            .single_usage_rule
            .as_mut()
            .unwrap()
            .coupon_available_period
            .as_mut()
            .unwrap();
        period.available_days = Some(1);
    })
    .await;
    let user = openid(40);
    let sent = send(&client, &user, "send-0001").await;
    assert_eq!(
        sent.valid_end_time.as_ref().unwrap().as_str(),
        "2026-06-02T00:00:00+08:00"
    );
    let code = sent.coupon_code;
    confirm(&client, &user, &code, "conf-0001").await;
    clock.advance_seconds(86_400 + 1);
    let got = GetUserCouponRequest::new(&user, &code, COUPON, STOCK, APPID).unwrap();
    assert_eq!(
        state(&client.send(&got).await.unwrap()),
        UserProductCouponState::Expired
    );
    let error = client
        .send(&use_request(&user, &code, "use-0001"))
        .await
        .unwrap_err();
    assert_eq!(api_code(&error), (400, ErrorCode::InvalidRequest));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_sends_under_faults_give_each_user_exactly_one_coupon() {
    const USERS: usize = 200;
    let (sim, client, _) = start(|stock| {
        let rule = stock.stock_send_rule.as_mut().unwrap();
        rule.max_count = Some(10_000);
        rule.max_count_per_day = Some(10_000);
        rule.max_count_per_user = Some(1);
    })
    .await;
    // About 10 % of the sends misbehave: the answer lost after the coupon was made, the
    // connection reset in the middle of the answer, or a 500 before anything happened.
    sim.faults()
        .on(Route::SendUserCoupon)
        .randomly(0.034, 11, Fault::AnswerLost)
        .randomly(0.034, 12, Fault::ResetMidBody)
        .randomly(0.034, 13, Fault::Status500SystemError);

    let tasks: Vec<_> = (0..USERS)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move {
                let request = send_request(&openid(1000 + i), &format!("send-concurrent-{i:04}"));
                // The brand's own retry on top of the client's: the same number, the same body.
                for _ in 0..10 {
                    if let Ok(answer) = client.send(&request).await {
                        return answer.into_inner();
                    }
                }
                panic!("user {i}: no answer in 10 tries");
            })
        })
        .collect();
    let mut codes = std::collections::HashSet::new();
    for task in tasks {
        let coupon = task.await.unwrap();
        assert!(codes.insert(coupon.coupon_code));
    }
    for i in 0..USERS {
        assert_eq!(sim.user_coupons(&openid(1000 + i)).len(), 1, "user {i}");
    }
    let sent = stock_of(&client).await.sent_count_info.unwrap();
    assert_eq!(sent.total_count, Some(USERS as i64));
    let stats = sim.stats();
    let injected: u64 = stats.faults_injected.values().sum();
    assert!(injected >= 5, "{:?}", stats.faults_injected);
    assert_eq!(
        stats.requests_on(Route::SendUserCoupon),
        USERS as u64 + injected,
        "each fault cost exactly one more attempt"
    );
    sim.shutdown().await;
}
