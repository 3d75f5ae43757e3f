//! The shared vectors: stock entities (seed and newer shape) and error bodies.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::Value;
use wxbrand_core::product_coupon::{
    CouponCodeDisplayMode, CouponCodeMode, CouponUsageMethod, ListStocksResponse, StockEntity,
    StockState, StockStoreScope, WeekEnum,
};
use wxbrand_core::{ApiError, ErrorCode};

const SEED: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../testdata/vectors/stock_entity_seed_example.json"
));
const NEWER: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../testdata/vectors/stock_entity_newer_shape.json"
));
const ERRORS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../testdata/vectors/error_bodies.json"
));

fn round_trip(text: &str) -> StockEntity {
    let original: Value = serde_json::from_str(text).unwrap();
    let stock: StockEntity = serde_json::from_str(text).unwrap();
    let encoded = serde_json::to_value(&stock).unwrap();
    assert_eq!(encoded, original);
    // Decoding the re-encoded text gives the same model.
    let again: StockEntity = serde_json::from_value(encoded).unwrap();
    assert_eq!(again, stock);
    stock
}

#[test]
fn seed_example_decodes_every_field_and_re_encodes_unchanged() {
    let stock = round_trip(SEED);
    assert!(
        stock.extra.is_empty(),
        "the seed has no field unknown to this version: {:?}",
        stock.extra
    );
    assert_eq!(stock.product_coupon_id, "200000001");
    assert_eq!(stock.stock_id, "123456789");
    assert_eq!(stock.remark.as_deref(), Some("满减券"));
    assert_eq!(stock.coupon_code_mode, Some(CouponCodeMode::Upload));
    assert_eq!(
        stock
            .coupon_code_count_info
            .as_ref()
            .unwrap()
            .available_count,
        Some(999)
    );
    let send_rule = stock.stock_send_rule.as_ref().unwrap();
    assert_eq!(
        (
            send_rule.max_count,
            send_rule.max_count_per_day,
            send_rule.max_count_per_user
        ),
        (Some(10_000_000), Some(10_000), Some(1))
    );

    let single = stock.single_usage_rule.as_ref().unwrap();
    assert!(single.extra.is_empty());
    let period = single.coupon_available_period.as_ref().unwrap();
    assert_eq!(
        period.available_begin_time.as_ref().unwrap().as_str(),
        "2025-01-01T00:00:00+08:00"
    );
    assert_eq!(period.available_days, Some(10));
    let weekly = period.weekly_available_period.as_ref().unwrap();
    assert_eq!(weekly.day_list.as_deref(), Some(&[WeekEnum::Monday][..]));
    let day_period = &weekly.day_period_list.as_ref().unwrap()[0];
    assert_eq!(
        (day_period.begin_time, day_period.end_time),
        (Some(60), Some(86_399))
    );
    assert_eq!(
        single.normal_coupon.as_ref().unwrap().discount_amount,
        Some(100)
    );
    assert_eq!(
        single.discount_coupon.as_ref().unwrap().percent_off,
        Some(30)
    );
    assert_eq!(
        single.exchange_coupon.as_ref().unwrap().exchange_price,
        Some(100)
    );

    let sequential = stock.sequential_usage_rule.as_ref().unwrap();
    assert!(sequential.extra.is_empty());
    assert_eq!(sequential.special_first, Some(false));
    assert_eq!(sequential.normal_coupon_list.as_ref().unwrap().len(), 1);

    let display = stock.usage_rule_display_info.as_ref().unwrap();
    assert_eq!(
        display.coupon_usage_method_list.as_deref(),
        Some(&[CouponUsageMethod::MiniProgram][..])
    );
    assert!(display
        .coupon_available_store_info
        .as_ref()
        .unwrap()
        .extra
        .is_empty());
    let coupon_display = stock.coupon_display_info.as_ref().unwrap();
    assert_eq!(
        coupon_display.code_display_mode,
        Some(CouponCodeDisplayMode::Qrcode)
    );
    assert_eq!(
        coupon_display
            .entrance_finder
            .as_ref()
            .unwrap()
            .finder_id
            .as_deref(),
        Some("gh_12345678")
    );
    assert_eq!(
        stock
            .notify_config
            .as_ref()
            .unwrap()
            .notify_appid
            .as_deref(),
        Some("wx4fd12345678")
    );
    assert_eq!(stock.store_scope, Some(StockStoreScope::Specific));
    assert_eq!(
        stock.sent_count_info.as_ref().unwrap().today_count,
        Some(10)
    );
    assert_eq!(stock.state, StockState::Sending);
    assert_eq!(
        stock.deactivate_request_no.as_deref(),
        Some("1002600620019090123143254436")
    );
    // The seed's own time has no seconds; it is kept as text and still parses.
    let deactivate_time = stock.deactivate_time.as_ref().unwrap();
    assert_eq!(deactivate_time.as_str(), "2025-01-01T00:00+08:00");
    assert_eq!(
        deactivate_time.instant().unwrap().unix_seconds,
        1_735_660_800
    );
}

#[test]
fn newer_shape_keeps_unknown_fields_and_values() {
    let stock = round_trip(NEWER);
    assert_eq!(stock.state, StockState::Unknown("ARCHIVED".to_owned()));
    assert_eq!(stock.state.as_str(), "ARCHIVED");
    assert!(stock.sequential_usage_rule.is_none());
    let progressive = stock.progressive_bundle_usage_rule.as_ref().unwrap();
    assert_eq!(
        progressive.discount_coupon.as_ref().unwrap().percent_off,
        Some(15)
    );
    let period = progressive.coupon_available_period.as_ref().unwrap();
    assert_eq!(
        period.available_begin_time.as_ref().unwrap().as_str(),
        "2026-11-01T00:00:00.000+08:00"
    );
    assert!(period
        .available_end_time
        .as_ref()
        .unwrap()
        .instant()
        .is_ok());
    let bundle = stock.stock_bundle_info.as_ref().unwrap();
    assert_eq!(bundle.stock_bundle_id.as_deref(), Some("1000000013000"));
    assert_eq!(bundle.stock_bundle_index, Some(2));
    let methods = stock
        .usage_rule_display_info
        .as_ref()
        .unwrap()
        .coupon_usage_method_list
        .as_ref()
        .unwrap();
    assert_eq!(
        methods,
        &[
            CouponUsageMethod::Offline,
            CouponUsageMethod::PaymentCode,
            CouponUsageMethod::Unknown("LIVE_STREAM".to_owned())
        ]
    );
    assert!(stock
        .extra
        .contains_key("brand_new_field_from_a_later_api_version"));
    let instant = stock.deactivate_time.as_ref().unwrap().instant().unwrap();
    assert_eq!(instant.nanos, 500_000_000);
}

#[test]
fn unknown_nested_fields_survive_a_round_trip() {
    let mut value: Value = serde_json::from_str(SEED).unwrap();
    value["single_usage_rule"]["coupon_available_period"]["weekly_available_period"]
        ["holiday_rule"] = serde_json::json!({"skip": true});
    value["coupon_display_info"]["entrance_finder"]["live_id"] = serde_json::json!("L1");
    let stock: StockEntity = serde_json::from_value(value.clone()).unwrap();
    assert_eq!(serde_json::to_value(&stock).unwrap(), value);
}

#[test]
fn a_malformed_time_does_not_break_the_answer() {
    let mut value: Value = serde_json::from_str(SEED).unwrap();
    value["deactivate_time"] = serde_json::json!("yesterday at noon");
    let stock: StockEntity = serde_json::from_value(value.clone()).unwrap();
    assert!(stock.deactivate_time.as_ref().unwrap().instant().is_err());
    assert_eq!(serde_json::to_value(&stock).unwrap(), value);
}

#[test]
fn list_response_round_trips() {
    let text = format!(
        r#"{{"total_count":2,"stock_list":[{SEED},{NEWER}],"next_page_token":"abc","cursor_hint":1}}"#
    );
    let original: Value = serde_json::from_str(&text).unwrap();
    let page: ListStocksResponse = serde_json::from_str(&text).unwrap();
    assert_eq!(page.total_count, Some(2));
    assert_eq!(page.stock_list.len(), 2);
    assert_eq!(page.next_page(), Some("abc"));
    assert_eq!(serde_json::to_value(&page).unwrap(), original);

    let last: ListStocksResponse =
        serde_json::from_str(r#"{"total_count":0,"stock_list":[],"next_page_token":""}"#).unwrap();
    assert_eq!(last.next_page(), None);
}

#[test]
fn a_built_stock_encodes_its_fields() {
    let mut stock = StockEntity::new("1", "2", StockState::Deactivated);
    stock.deactivate_reason = Some("原因".to_owned());
    assert_eq!(
        serde_json::to_value(&stock).unwrap(),
        serde_json::json!({"product_coupon_id": "1", "stock_id": "2", "state": "DEACTIVATED", "deactivate_reason": "原因"})
    );
}

#[test]
fn error_bodies_decode() {
    let cases: Vec<Value> = serde_json::from_str(ERRORS).unwrap();
    assert_eq!(cases.len(), 9);
    for case in cases {
        let status = u16::try_from(case["status"].as_u64().unwrap()).unwrap();
        let request_id = case["headers"]["Request-ID"].as_str();
        let body = case["body"].as_str().unwrap();
        let error = ApiError::from_response(status, request_id, body.as_bytes());
        assert_eq!(error.status(), status);
        assert_eq!(error.request_id(), request_id);
        assert_eq!(
            error.is_retryable(),
            case["retryable"].as_bool().unwrap(),
            "{case}"
        );
        assert_eq!(
            error.code().map(ErrorCode::as_str),
            case["code"].as_str(),
            "{case}"
        );
        let display = error.to_string();
        assert!(display.contains(&status.to_string()), "{display}");
        match error.code() {
            Some(code) => {
                assert!(
                    !matches!(code, ErrorCode::Unknown(_)),
                    "{code:?} is a known code"
                );
                assert!(error.message().is_some());
                assert!(error.body_excerpt().is_none());
                assert!(
                    display.contains(code.as_str()) && display.contains(error.message().unwrap()),
                    "{display}"
                );
            }
            None => assert!(error.body_excerpt().is_some()),
        }
        if let Some(request_id) = request_id {
            assert!(display.contains(request_id), "{display}");
        }
    }
}

#[test]
fn error_details_and_internal_numbers() {
    let cases: Vec<Value> = serde_json::from_str(ERRORS).unwrap();
    let first = &cases[0];
    let error = ApiError::from_response(
        400,
        first["headers"]["Request-ID"].as_str(),
        first["body"].as_str().unwrap().as_bytes(),
    );
    assert_eq!(error.code(), Some(&ErrorCode::ParamError));
    assert_eq!(error.detail().unwrap()["field"], "out_request_no");
    assert_eq!(error.internal_error_number(), Some(268_435_461));

    let rate = ApiError::from_response(
        429,
        Some("08DEADBEEF0000000005-270924289"),
        r#"{"code":"RATELIMIT_EXCEEDED","message":"请求过快"}"#.as_bytes(),
    );
    assert_eq!(rate.internal_error_number(), Some(270_924_289));
    assert_eq!(
        rate.to_string(),
        "WeChat Pay answered HTTP 429 RATELIMIT_EXCEEDED: 请求过快 (Request-ID 08DEADBEEF0000000005-270924289)"
    );

    assert_eq!(
        ApiError::from_response(500, None, b"").internal_error_number(),
        None
    );
    assert_eq!(
        ApiError::from_response(500, Some("no-dash-number-x"), b"").internal_error_number(),
        None
    );
}

#[test]
fn non_json_bodies_give_a_short_excerpt() {
    let html = ApiError::from_response(502, None, b"<html><body>502 Bad Gateway</body></html>");
    assert_eq!(html.code(), None);
    assert_eq!(
        html.body_excerpt(),
        Some("<html><body>502 Bad Gateway</body></html>")
    );
    assert_eq!(
        html.to_string(),
        "WeChat Pay answered HTTP 502 with a body that is not WeChat Pay JSON: \"<html><body>502 Bad Gateway</body></html>\" (no Request-ID)"
    );

    let empty = ApiError::from_response(503, Some("X-0"), b"");
    assert_eq!(empty.body_excerpt(), Some(""));
    assert_eq!(
        empty.to_string(),
        "WeChat Pay answered HTTP 503 with an empty body (Request-ID X-0)"
    );

    // A long body of multi-byte characters is cut on a character boundary.
    let long = "错误页面".repeat(500);
    let cut = ApiError::from_response(502, None, long.as_bytes());
    let excerpt = cut.body_excerpt().unwrap();
    assert!(excerpt.ends_with('…'));
    assert!(excerpt.chars().count() <= 201);

    // Invalid UTF-8 does not panic either.
    let binary = ApiError::from_response(502, None, &[0xff, 0xfe, b'a', 0xe6, 0x89]);
    assert!(binary.body_excerpt().unwrap().contains('a'));

    // JSON that is not an error body is kept as an excerpt too.
    let other = ApiError::from_response(500, None, br#"{"status":"down"}"#);
    assert_eq!(other.code(), None);
    assert_eq!(other.body_excerpt(), Some(r#"{"status":"down"}"#));
}

#[test]
fn unknown_error_codes_are_kept() {
    let error = ApiError::from_response(400, None, br#"{"code":"BRAND_NEW_CODE","message":"m"}"#);
    assert_eq!(
        error.code(),
        Some(&ErrorCode::Unknown("BRAND_NEW_CODE".to_owned()))
    );
    assert_eq!(error.code().unwrap().as_str(), "BRAND_NEW_CODE");
}

#[test]
fn a_time_field_of_any_json_value_is_kept() {
    for odd in [
        serde_json::json!(1_735_660_800),
        serde_json::json!({"seconds": 1_735_660_800, "zone": "+08:00"}),
        serde_json::json!(true),
        Value::Null,
    ] {
        let mut value: Value = serde_json::from_str(SEED).unwrap();
        value["deactivate_time"] = odd.clone();
        value["single_usage_rule"]["coupon_available_period"]["available_begin_time"] = odd.clone();
        let stock: StockEntity = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(serde_json::to_value(&stock).unwrap(), value, "{odd}");
        let time = stock.deactivate_time.as_ref().unwrap();
        assert_eq!(time.non_text(), Some(&odd));
        assert_eq!(time.as_str(), odd.to_string());
        assert!(time.instant().is_err(), "{odd}");
    }
}

#[test]
fn api_error_display_is_bounded_and_escaped() {
    let body = serde_json::json!({
        "code": "PARAM_ERROR",
        "message": format!("\u{1b}[2J{}", "错".repeat(100_000)),
    })
    .to_string();
    let request_id = format!("{}\u{1b}]0;x", "A".repeat(5_000));
    let error = ApiError::from_response(400, Some(&request_id), body.as_bytes());
    let display = error.to_string();
    assert!(display.chars().count() < 600, "{}", display.len());
    assert!(!display.contains('\u{1b}'), "{display}");
    assert!(display.contains("\\u{1b}[2J错错"), "{display}");
    // The accessors keep the full text.
    assert_eq!(error.message().unwrap().chars().count(), 100_004);
    assert_eq!(error.request_id(), Some(request_id.as_str()));
}
