//! A hostile (or broken) server behind a correctly signed answer: answers about another object,
//! listings that never end. Served by a `MockTransport` that signs what it answers with the
//! vector WeChat Pay key, so every answer passes verification and only the SDK's own checks stand.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use futures_util::StreamExt;
use wxbrand_client::clock::{ManualClock, NoSleep};
use wxbrand_client::paging::DEFAULT_MAX_PAGES;
use wxbrand_client::{BlockingClient, Client, ClientBuilder, Error, ErrorKind, PagingLimit};
use wxbrand_product_coupon::{
    DeactivateStockRequest, GetCouponRequest, GetStockRequest, ListStocksRequest, ProductCouponExt,
    ProductCouponState,
};
use wxbrand_transport::test_util::MockTransport;

#[path = "../../../testdata/vector_keys.rs"]
mod vector_keys;

#[path = "../../../testdata/signed_answer.rs"]
mod signed_answer;

use signed_answer::signed_answer;
use vector_keys::{brand_key, wechatpay_public_key, BRAND_ID, KEY_ID, SERIAL_NO};

const NOW: i64 = 1_767_225_600;

/// A 200 answer carrying `body`, correctly signed with the vector WeChat Pay key.
fn signed(body: String) -> http::Response<Bytes> {
    signed_answer(200, &body, NOW, "08HOSTILE-0")
}

fn builder(mock: &MockTransport) -> ClientBuilder {
    Client::builder()
        .brand_id(BRAND_ID)
        .serial_no(SERIAL_NO)
        .private_key(brand_key())
        .wechatpay_public_key(KEY_ID, wechatpay_public_key())
        .base_url("https://hostile.test")
        .without_backup()
        .transport(Arc::new(mock.clone()))
        .clock(Arc::new(ManualClock::new(NOW)))
        .sleeper(Arc::new(NoSleep))
}

fn client(mock: &MockTransport) -> Client {
    builder(mock).build().unwrap()
}

fn stock_json(coupon: &str, stock: &str, request_no: Option<&str>) -> String {
    let mut value = serde_json::json!({
        "product_coupon_id": coupon, "stock_id": stock, "state": "DEACTIVATED",
    });
    if let Some(number) = request_no {
        value["deactivate_request_no"] = number.into();
    }
    value.to_string()
}

fn deactivation() -> DeactivateStockRequest {
    DeactivateStockRequest::new("200000001", "123456789", "deact_0001", "批次信息有误").unwrap()
}

/// The error must be a mismatch of `field` naming both values, after one attempt, sent once.
fn assert_mismatch(error: &Error, mock: &MockTransport, field: &str, sent: &str, answered: &str) {
    match error.kind() {
        ErrorKind::AnswerMismatch(source) => {
            assert_eq!(source.field(), field);
            assert_eq!(source.sent(), sent);
            assert_eq!(source.answered(), answered);
            assert!(source.to_string().contains(sent), "{source}");
            assert!(source.to_string().contains(answered), "{source}");
        }
        other => panic!("expected a mismatch of {field}, got {other:?}"),
    }
    assert!(error.to_string().contains(field), "{error}");
    assert_eq!(error.request_id(), Some("08HOSTILE-0"));
    assert_eq!(error.attempts(), 1, "a mismatch is not retried");
    assert_eq!(mock.request_count(), 1);
}

#[tokio::test]
async fn a_signed_answer_about_another_stock_is_refused() {
    let mock = MockTransport::new();
    mock.push_response(signed(stock_json(
        "200000001",
        "999999999",
        Some("deact_0001"),
    )));
    let error = client(&mock)
        .product_coupon()
        .deactivate_stock(deactivation())
        .await
        .unwrap_err();
    assert_mismatch(&error, &mock, "stock_id", "123456789", "999999999");
}

#[tokio::test]
async fn a_signed_answer_with_another_request_number_is_refused() {
    let mock = MockTransport::new();
    mock.push_response(signed(stock_json(
        "200000001",
        "123456789",
        Some("other_0002"),
    )));
    let error = client(&mock)
        .product_coupon()
        .deactivate_stock(deactivation())
        .await
        .unwrap_err();
    assert_mismatch(
        &error,
        &mock,
        "deactivate_request_no",
        "deact_0001",
        "other_0002",
    );
}

#[tokio::test]
async fn matching_answers_pass_and_an_absent_request_number_is_accepted() {
    let mock = MockTransport::new();
    mock.push_response(signed(stock_json(
        "200000001",
        "123456789",
        Some("deact_0001"),
    )));
    mock.push_response(signed(stock_json("200000001", "123456789", None)));
    let client = client(&mock);
    let coupons = client.product_coupon();
    assert_eq!(
        coupons
            .deactivate_stock(deactivation())
            .await
            .unwrap()
            .stock_id,
        "123456789"
    );
    let get = GetStockRequest::new("200000001", "123456789").unwrap();
    assert_eq!(coupons.get_stock(get).await.unwrap().stock_id, "123456789");
}

#[tokio::test]
async fn get_stock_and_get_coupon_check_their_ids() {
    let mock = MockTransport::new();
    mock.push_response(signed(stock_json("200000002", "123456789", None)));
    let get = GetStockRequest::new("200000001", "123456789").unwrap();
    let error = client(&mock)
        .product_coupon()
        .get_stock(get)
        .await
        .unwrap_err();
    assert_mismatch(&error, &mock, "product_coupon_id", "200000001", "200000002");

    let mock = MockTransport::new();
    mock.push_response(signed(
        r#"{"product_coupon_id":"1000000099","state":"EFFECTIVE"}"#.to_owned(),
    ));
    let get = GetCouponRequest::new("1000000013").unwrap();
    let error = client(&mock)
        .product_coupon()
        .get_coupon(get)
        .await
        .unwrap_err();
    assert_mismatch(
        &error,
        &mock,
        "product_coupon_id",
        "1000000013",
        "1000000099",
    );
}

#[tokio::test]
async fn get_coupon_is_one_get_and_keeps_what_it_does_not_know() {
    let mock = MockTransport::new();
    mock.push_response(signed(
        r#"{"product_coupon_id":"1000000013","scope":"SINGLE","type":"FUTURE_TYPE","usage_mode":"SINGLE",
            "display_info":{"name":"咖啡券","combo_package_list":[{"name":"套餐","pick_count":1,"choice_list":[{"name":"拿铁","price":3000,"count":1,"new_choice_field":true}]}]},
            "state":"EFFECTIVE","new_field":{"a":1}}"#
            .to_owned(),
    ));
    let get = GetCouponRequest::new("1000000013").unwrap();
    let coupon = client(&mock)
        .product_coupon()
        .get_coupon(get)
        .await
        .unwrap();
    assert_eq!(coupon.state, ProductCouponState::Effective);
    assert_eq!(
        coupon.coupon_type.as_ref().map(|t| t.as_str()),
        Some("FUTURE_TYPE")
    );
    assert!(coupon.extra.contains_key("new_field"));
    let requests = mock.requests();
    assert_eq!(requests[0].method(), http::Method::GET);
    assert_eq!(
        requests[0].uri().path(),
        "/brand/marketing/product-coupon/product-coupons/1000000013"
    );
    assert!(requests[0].body().is_empty());
    // Re-encoded, nothing is lost.
    let again: serde_json::Value = serde_json::to_value(coupon.value()).unwrap();
    assert_eq!(again["type"], "FUTURE_TYPE");
    assert_eq!(
        again["display_info"]["combo_package_list"][0]["choice_list"][0]["new_choice_field"],
        true
    );
}

/// A listing server that answers every page with `items` stocks and a fresh token, forever.
fn endless(items: usize) -> (MockTransport, Arc<AtomicUsize>) {
    let pages = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&pages);
    let mock = MockTransport::with_responder(move |_request| {
        let page = counter.fetch_add(1, Ordering::SeqCst);
        let stocks: Vec<_> = (0..items)
            .map(|i| serde_json::json!({"product_coupon_id": "1000000013", "stock_id": format!("{page}-{i}"), "state": "SENDING"}))
            .collect();
        let body = serde_json::json!({"stock_list": stocks, "next_page_token": format!("fresh-{page}")});
        Ok(signed(body.to_string()))
    })
    .without_recording();
    (mock, pages)
}

fn listing() -> ListStocksRequest {
    ListStocksRequest::new("1000000013").unwrap()
}

#[tokio::test]
async fn endless_fresh_tokens_stop_at_the_default_page_limit_with_an_error_naming_it() {
    let (mock, pages) = endless(1);
    let mut stream = client(&mock).product_coupon().list_all_stocks(listing());
    let mut items = 0;
    let error = loop {
        match stream.next().await {
            Some(Ok(_)) => items += 1,
            Some(Err(error)) => break error,
            None => panic!("an endless listing cannot end normally"),
        }
    };
    assert_eq!(pages.load(Ordering::SeqCst), DEFAULT_MAX_PAGES as usize);
    assert_eq!(items, DEFAULT_MAX_PAGES as usize);
    assert!(matches!(
        error.kind(),
        ErrorKind::PagingLimit {
            limit: PagingLimit::Pages(DEFAULT_MAX_PAGES),
            ..
        }
    ));
    assert!(error.to_string().contains("max_pages"), "{error}");
    assert!(stream.next().await.is_none(), "nothing follows the error");
}

#[tokio::test]
async fn items_come_as_pages_arrive_and_the_limits_can_be_raised_or_lowered() {
    let (mock, pages) = endless(3);
    let mut stream = client(&mock)
        .product_coupon()
        .list_all_stocks(listing())
        .max_pages(5_000)
        .max_items(7);
    // One page fetched for the first item: nothing is read ahead.
    stream.next().await.unwrap().unwrap();
    assert_eq!(pages.load(Ordering::SeqCst), 1);
    let rest: Vec<_> = stream.collect().await;
    assert_eq!(rest.len(), 7, "6 more items, then the error");
    assert!(rest[..6].iter().all(Result::is_ok));
    assert!(matches!(
        rest[6].as_ref().map_err(Error::kind),
        Err(ErrorKind::PagingLimit {
            limit: PagingLimit::Items(7),
            resume_token: None,
            ..
        })
    ));
    assert_eq!(pages.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn an_empty_page_with_a_token_ends_the_listing_with_an_error() {
    let (mock, pages) = endless(0);
    let results: Vec<_> = client(&mock)
        .product_coupon()
        .list_all_stocks(listing())
        .collect()
        .await;
    assert_eq!(
        pages.load(Ordering::SeqCst),
        1,
        "the empty page is not followed"
    );
    match &results[..] {
        [Err(error)] => assert!(
            matches!(error.kind(), ErrorKind::EmptyPageWithToken { token, .. } if token == "fresh-0"),
            "{error:?}"
        ),
        other => panic!("expected one empty-page error, got {other:?}"),
    }
}

#[test]
fn the_blocking_iterator_has_the_same_limits() {
    let (mock, pages) = endless(2);
    let client: BlockingClient = builder(&mock).build_blocking().unwrap();
    let results: Vec<_> = client
        .product_coupon()
        .list_all_stocks(listing())
        .max_pages(4)
        .collect();
    assert_eq!(pages.load(Ordering::SeqCst), 4);
    assert_eq!(results.len(), 9);
    assert!(matches!(
        results[8].as_ref().map_err(Error::kind),
        Err(ErrorKind::PagingLimit {
            limit: PagingLimit::Pages(4),
            resume_token: Some(_),
            ..
        })
    ));
}
