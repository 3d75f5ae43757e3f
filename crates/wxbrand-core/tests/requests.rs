//! What the requests put on the wire: method, path and query, body, name, repeat safety.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use wxbrand_core::product_coupon::{
    DeactivateStockRequest, GetStockRequest, ListStocksRequest, StockState,
};
use wxbrand_core::{Method, Operation};

const STOCKS: &str = "/brand/marketing/product-coupon/product-coupons";

#[test]
fn deactivate_stock_is_a_post_with_exactly_two_body_fields() {
    let request = DeactivateStockRequest::new(
        "200000001",
        "123456789",
        "34657_20250101_123456",
        "批次信息有误,重新创建",
    )
    .unwrap();
    let prepared = request.prepare().unwrap();
    assert_eq!(prepared.name(), "deactivate_stock");
    assert_eq!(prepared.method(), Method::Post);
    assert_eq!(
        prepared.path_and_query(),
        format!("{STOCKS}/200000001/stocks/123456789/deactivate")
    );
    assert!(prepared.is_repeat_safe());
    let body: serde_json::Value = serde_json::from_slice(prepared.body().unwrap()).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"out_request_no": "34657_20250101_123456", "deactivate_reason": "批次信息有误,重新创建"})
    );
    assert_eq!(body.as_object().unwrap().len(), 2);
    // A reason with quotes and backslashes stays valid JSON.
    let tricky = DeactivateStockRequest::new("1", "2", "abcdef", "a\"b\\c\n")
        .unwrap()
        .prepare()
        .unwrap();
    let body: serde_json::Value = serde_json::from_slice(tricky.body().unwrap()).unwrap();
    assert_eq!(body["deactivate_reason"], "a\"b\\c\n");
}

#[test]
fn path_ids_are_percent_encoded_segments() {
    let prepared = GetStockRequest::new("a b", "批?#%")
        .unwrap()
        .prepare()
        .unwrap();
    assert_eq!(
        prepared.path_and_query(),
        format!("{STOCKS}/a%20b/stocks/%E6%89%B9%3F%23%25")
    );
    let prepared = DeactivateStockRequest::new("...", "~_-.", "abcdef", "r")
        .unwrap()
        .prepare()
        .unwrap();
    assert_eq!(
        prepared.path_and_query(),
        format!("{STOCKS}/.../stocks/~_-./deactivate")
    );
}

#[test]
fn get_stock() {
    let prepared = GetStockRequest::new("200000001", "123456789")
        .unwrap()
        .prepare()
        .unwrap();
    assert_eq!(prepared.name(), "get_stock");
    assert_eq!(prepared.method(), Method::Get);
    assert_eq!(
        prepared.path_and_query(),
        format!("{STOCKS}/200000001/stocks/123456789")
    );
    assert_eq!(prepared.body(), None);
    assert!(prepared.is_repeat_safe());
}

#[test]
fn list_stocks_query_order_and_encoding() {
    let bare = ListStocksRequest::new("200000001")
        .unwrap()
        .prepare()
        .unwrap();
    assert_eq!(bare.name(), "list_stocks");
    assert_eq!(bare.method(), Method::Get);
    assert_eq!(bare.path_and_query(), format!("{STOCKS}/200000001/stocks"));
    assert_eq!(bare.body(), None);
    assert!(bare.is_repeat_safe());

    // Set in reverse order: the query still comes out alphabetical.
    let all = ListStocksRequest::new("200000001")
        .unwrap()
        .stock_bundle_id("b 1")
        .unwrap()
        .state(StockState::Paused)
        .page_token("x/y+z=")
        .unwrap()
        .page_size(50)
        .unwrap();
    assert_eq!(
        all.prepare().unwrap().path_and_query(),
        format!("{STOCKS}/200000001/stocks?page_size=50&page_token=x%2Fy%2Bz%3D&state=PAUSED&stock_bundle_id=b%201")
    );

    let some = ListStocksRequest::new("1")
        .unwrap()
        .state(StockState::Unknown("NEW STATE".into()));
    assert_eq!(
        some.prepare().unwrap().path_and_query(),
        format!("{STOCKS}/1/stocks?state=NEW%20STATE")
    );
    let token_only = ListStocksRequest::new("1")
        .unwrap()
        .page_token("批")
        .unwrap();
    assert_eq!(
        token_only.prepare().unwrap().path_and_query(),
        format!("{STOCKS}/1/stocks?page_token=%E6%89%B9")
    );
}

#[test]
fn each_operation_declares_its_name_method_safety_and_limit() {
    use wxbrand_core::product_coupon::GetCouponRequest;
    use wxbrand_core::RateLimit;
    let get = GetCouponRequest::new("1000000013")
        .unwrap()
        .prepare()
        .unwrap();
    assert_eq!(get.name(), "get_coupon");
    assert_eq!(get.method(), Method::Get);
    assert_eq!(get.path_and_query(), format!("{STOCKS}/1000000013"));
    assert!(get.body().is_none());
    assert!(get.is_repeat_safe(), "a GET is repeat-safe by default");
    assert_eq!(get.default_rate_limit(), None);
    assert_eq!(
        DeactivateStockRequest::RATE_LIMIT,
        Some(RateLimit::per_second(20))
    );
    assert_eq!(GetStockRequest::RATE_LIMIT, None);
    const { assert!(ListStocksRequest::REPEAT_SAFE) };
    assert_eq!(
        GetCouponRequest::new("a/b").unwrap_err().field(),
        "product_coupon_id"
    );
}

#[test]
fn answers_are_checked_against_the_request() {
    use wxbrand_core::product_coupon::{ListStocksResponse, StockEntity};
    let request = DeactivateStockRequest::new("1", "2", "abcdef", "r").unwrap();
    let mut stock = StockEntity::new("1", "2", StockState::Deactivated);
    assert!(request.check_answer(&stock).is_ok());
    stock.deactivate_request_no = Some("abcdef".into());
    assert!(request.check_answer(&stock).is_ok());
    stock.deactivate_request_no = Some("other\u{1b}[2J".into());
    let mismatch = request.check_answer(&stock).unwrap_err();
    assert_eq!(mismatch.field(), "deactivate_request_no");
    assert!(
        !mismatch.to_string().contains('\u{1b}'),
        "answered values are escaped: {mismatch}"
    );
    let list = ListStocksRequest::new("1").unwrap();
    let page = ListStocksResponse::new(
        vec![StockEntity::new("9", "2", StockState::Sending)],
        None,
        None,
    );
    assert_eq!(list.check_answer(&page).unwrap_err().answered(), "9");
}

#[test]
fn a_path_parameter_without_a_value_is_an_error_naming_it() {
    struct Incomplete;
    impl Operation for Incomplete {
        const NAME: &'static str = "incomplete";
        const METHOD: Method = Method::Get;
        const PATH: &'static str = "/brand/things/{thing_id}/parts";
        type Body = wxbrand_core::NoBody;
        type Response = serde_json::Value;
    }
    let error = Incomplete.prepare().unwrap_err();
    assert_eq!(error.field(), "thing_id");
    assert!(
        error
            .to_string()
            .contains("given for the path of incomplete"),
        "{error}"
    );
}
