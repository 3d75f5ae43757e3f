//! Properties: the `out_request_no` rule exactly, and no panic on any JSON or any input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use wxbrand_core::error::ValidationRule;
use wxbrand_core::product_coupon::{DeactivateStockRequest, ListStocksResponse, StockEntity};
use wxbrand_core::{ApiError, Rfc3339};

const SEED: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../testdata/vectors/stock_entity_seed_example.json"
));

fn allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Any JSON value, nested a few levels.
fn any_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(serde_json::Value::from),
        "\\PC{0,12}".prop_map(serde_json::Value::from),
        prop::sample::select(vec![
            "SENDING",
            "2025-01-01T00:00+08:00",
            "UPLOAD",
            "MONDAY",
            "200000001"
        ])
        .prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
            prop::collection::vec((field_name(), inner), 0..8)
                .prop_map(|fields| serde_json::Value::Object(fields.into_iter().collect())),
        ]
    })
}

/// Mostly the names StockEntity uses, so that decoding goes deep.
fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "product_coupon_id",
            "stock_id",
            "state",
            "remark",
            "coupon_code_mode",
            "stock_send_rule",
            "single_usage_rule",
            "coupon_available_period",
            "weekly_available_period",
            "day_list",
            "day_period_list",
            "begin_time",
            "end_time",
            "normal_coupon",
            "deactivate_time",
            "stock_list",
            "usage_rule_display_info",
            "coupon_usage_method_list",
            "progressive_bundle_usage_rule",
        ])
        .prop_map(str::to_owned),
        "[a-z_]{1,10}",
    ]
}

proptest! {
    #[test]
    fn every_allowed_out_request_no_is_accepted(value in "[0-9A-Za-z_-]{6,40}") {
        prop_assert!(DeactivateStockRequest::new("1", "2", value, "r").is_ok());
    }

    #[test]
    fn any_other_character_is_rejected(prefix in "[0-9A-Za-z_-]{0,20}", bad in any::<char>(), suffix in "[0-9A-Za-z_-]{5,19}") {
        prop_assume!(!allowed(bad));
        // 6 to 40 characters, so the forbidden character is the only thing wrong.
        let value = format!("{prefix}{bad}{suffix}");
        let error = DeactivateStockRequest::new("1", "2", value, "r").unwrap_err();
        prop_assert_eq!(error.field(), "out_request_no");
        prop_assert_eq!(
            error.rule(),
            &ValidationRule::ForbiddenCharacter { character: bad, index: prefix.len() }
        );
    }

    #[test]
    fn out_request_no_rule_is_exact(value in "\\PC{0,45}|[0-9A-Za-z_ -]{0,45}") {
        let expected = (6..=40).contains(&value.chars().count()) && value.chars().all(allowed);
        prop_assert_eq!(DeactivateStockRequest::new("1", "2", value, "r").is_ok(), expected);
    }

    #[test]
    fn decoding_any_json_never_panics(value in any_json()) {
        let text = value.to_string();
        if let Ok(stock) = serde_json::from_str::<StockEntity>(&text) {
            // What decodes re-encodes, and its times never panic when parsed.
            let _ = serde_json::to_string(&stock).unwrap();
            if let Some(time) = &stock.deactivate_time {
                let _ = time.instant();
            }
        }
        let _ = serde_json::from_str::<ListStocksResponse>(&text);
        let _ = ApiError::from_response(400, Some("a-1"), text.as_bytes()).to_string();
    }

    #[test]
    fn a_seed_with_any_field_replaced_decodes_or_errs(field in field_name(), nested in any::<bool>(), value in any_json()) {
        let mut seed: serde_json::Value = serde_json::from_str(SEED).unwrap();
        let target = if nested { &mut seed["single_usage_rule"]["coupon_available_period"] } else { &mut seed };
        target[field.as_str()] = value;
        if let Ok(stock) = serde_json::from_value::<StockEntity>(seed.clone()) {
            let encoded = serde_json::to_value(&stock).unwrap();
            let again: StockEntity = serde_json::from_value(encoded).unwrap();
            prop_assert_eq!(again, stock);
        }
    }

    #[test]
    fn any_bytes_make_an_api_error(status in any::<u16>(), body in prop::collection::vec(any::<u8>(), 0..600)) {
        let error = ApiError::from_response(status, None, &body);
        prop_assert!(error.to_string().contains(&status.to_string()));
    }

    #[test]
    fn any_text_parses_or_errs(text in "\\PC{0,40}|[0-9T:+Z.-]{0,30}") {
        let _ = Rfc3339::new(text).instant();
    }

    #[test]
    fn from_unix_round_trips(unix in -62_135_596_800_i64..253_402_300_799, offset_minutes in -1439_i32..=1439) {
        let instant = Rfc3339::from_unix(unix, offset_minutes * 60).instant().unwrap();
        prop_assert_eq!(instant.unix_seconds, unix);
        prop_assert_eq!(instant.offset_seconds, offset_minutes * 60);
    }
}
