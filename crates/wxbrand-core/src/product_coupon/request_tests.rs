//! Unit tests of the family's requests: bodies from `testdata/product-coupon/`, each rule's field
//! path, the exact bytes, repeat-safety and answer checks.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::error::ValidationRule;
use crate::{Method, Operation, ValidationError};

fn testdata(name: &str) -> serde_json::Value {
    let path = format!(
        "{}/../../testdata/product-coupon/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn create_body(
    edit: impl FnOnce(&mut serde_json::Value),
) -> Result<CreateCouponRequest, ValidationError> {
    let mut json = testdata("create_coupon_all_normal.json");
    edit(&mut json);
    let body: CreateCouponBody = serde_json::from_value(json).unwrap();
    CreateCouponRequest::from_body(body)
}

/// A change to a body's JSON.
type Edit = Box<dyn FnOnce(&mut serde_json::Value)>;

fn field_of(result: Result<CreateCouponRequest, ValidationError>) -> (String, ValidationRule) {
    let error = result.unwrap_err();
    (error.field().to_string(), error.rule().clone())
}

#[test]
fn a_whole_store_coupon_body_round_trips_to_the_same_json() {
    let json = testdata("create_coupon_all_normal.json");
    let request = create_body(|_| {}).unwrap();
    let prepared = request.prepare().unwrap();
    assert_eq!(prepared.method(), Method::Post);
    assert_eq!(
        prepared.path_and_query(),
        "/brand/marketing/product-coupon/product-coupons"
    );
    assert!(prepared.is_repeat_safe());
    let sent: serde_json::Value = serde_json::from_slice(prepared.body().unwrap()).unwrap();
    assert_eq!(sent, json);
}

#[test]
fn a_bundle_coupon_body_is_valid() {
    let body: CreateCouponBody =
        serde_json::from_value(testdata("create_coupon_bundle.json")).unwrap();
    CreateCouponRequest::from_body(body).unwrap();
}

#[test]
fn nested_rules_name_their_field_path() {
    let cases: Vec<(&str, Edit)> = vec![
        (
            "stock.stock_send_rule.max_count_per_user",
            Box::new(|j| j["stock"]["stock_send_rule"]["max_count_per_user"] = 101.into()),
        ),
        (
            "stock.stock_send_rule.max_count",
            Box::new(|j| j["stock"]["stock_send_rule"]["max_count"] = 100_000_001.into()),
        ),
        (
            "display_info.name",
            Box::new(|j| j["display_info"]["name"] = "一二三四五六七八九十一二三".into()),
        ),
        (
            "single_usage_info.normal_coupon.discount_amount",
            Box::new(|j| j["single_usage_info"]["normal_coupon"]["discount_amount"] = 20000.into()),
        ),
        (
            "stock.single_usage_rule.coupon_available_period.available_end_time",
            Box::new(|j| {
                j["stock"]["single_usage_rule"]["coupon_available_period"]["available_end_time"] =
                    "2027-06-30T00:00:00+08:00".into()
            }),
        ),
        (
            "stock.usage_rule_display_info.app_path",
            Box::new(|j| {
                j["stock"]["usage_rule_display_info"]["coupon_usage_method_list"] =
                    serde_json::json!(["APP"])
            }),
        ),
        (
            "stock.remark",
            Box::new(|j| j["stock"]["remark"] = "x".repeat(61).into()),
        ),
        (
            "stock.coupon_display_info.entrance_mini_program.entrance_wording",
            Box::new(
                |j| j["stock"]["coupon_display_info"]["entrance_mini_program"] = serde_json::json!({"appid": "wx1", "path": "/p", "entrance_wording": "六个字的入口"}),
            ),
        ),
    ];
    for (field, edit) in cases {
        let (got, _) = field_of(create_body(edit));
        assert_eq!(got, field);
    }
}

#[test]
fn required_if_and_mutually_exclusive_rules_are_checked() {
    let (field, rule) = field_of(create_body(|j| {
        j.as_object_mut().unwrap().remove("single_usage_info");
    }));
    assert_eq!(
        (field.as_str(), rule),
        ("single_usage_info", ValidationRule::Missing)
    );
    let (field, rule) = field_of(create_body(|j| {
        j["stock_bundle"] = testdata("create_coupon_bundle.json")["stock_bundle"].clone();
    }));
    assert_eq!(
        (field.as_str(), rule),
        ("stock_bundle", ValidationRule::NotAllowed)
    );
    // Swapping the whole-store rule into the stock is refused (WeChat Pay: INVALID_REQUEST).
    let (field, rule) = field_of(create_body(|j| {
        j["stock"]["single_usage_rule"]["normal_coupon"] =
            serde_json::json!({"threshold": 0, "discount_amount": 1});
    }));
    assert_eq!(
        (field.as_str(), rule),
        (
            "stock.single_usage_rule.normal_coupon",
            ValidationRule::NotAllowed
        )
    );
    let (field, _) = field_of(create_body(|j| {
        j["type"] = "EXCHANGE".into();
    }));
    assert_eq!(field, "type");
    let (field, rule) = field_of(create_body(|j| {
        j["scope"] = "SINGLE".into();
    }));
    assert_eq!(
        (field.as_str(), rule),
        ("display_info.original_price", ValidationRule::Missing)
    );
    let error = create_body(|j| j["stock"]["store_scope"] = "SOMEWHERE".into()).unwrap_err();
    assert_eq!(error.field(), "stock.store_scope");
    assert!(error.to_string().contains("SOMEWHERE"), "{error}");
}

#[test]
fn a_bundle_needs_one_rule_per_use() {
    let mut json = testdata("create_coupon_bundle.json");
    json["progressive_bundle_usage_info"]["count"] = 4.into();
    let body: CreateCouponBody = serde_json::from_value(json).unwrap();
    let error = CreateCouponRequest::from_body(body).unwrap_err();
    assert_eq!(
        error.field(),
        "stock_bundle.progressive_bundle_usage_rule.discount_coupon_list"
    );
    assert!(error.to_string().contains("one rule per use"), "{error}");
}

#[test]
fn the_builder_checks_on_build() {
    let json = testdata("create_coupon_all_normal.json");
    let stock: StockForCreate = serde_json::from_value(json["stock"].clone()).unwrap();
    let display: ProductCouponDisplayInfo =
        serde_json::from_value(json["display_info"].clone()).unwrap();
    let info: SingleUsageInfo = serde_json::from_value(json["single_usage_info"].clone()).unwrap();
    let builder = CreateCouponRequest::builder(
        "create_all_normal_0001",
        ProductCouponScope::All,
        ProductCouponType::Normal,
        ProductCouponUsageMode::Single,
        display,
    )
    .single_usage_info(info)
    .out_product_no("sku_0001");
    let error = builder.clone().build().unwrap_err();
    assert_eq!(error.field(), "stock");
    let mut bad = stock.clone();
    bad.stock_send_rule.max_count_per_user = Some(0);
    let error = builder.clone().stock(bad).build().unwrap_err();
    assert_eq!(error.field(), "stock.stock_send_rule.max_count_per_user");
    assert!(
        error
            .to_string()
            .starts_with("stock.stock_send_rule.max_count_per_user must be between 1 and 100"),
        "{error}"
    );
    let request = builder.stock(stock).build().unwrap();
    assert_eq!(
        request.body().stock.as_ref().unwrap().store_scope,
        StockStoreScope::Specific
    );
}

#[test]
fn every_operation_declares_its_path_and_repeat_safety() {
    let stock: CreateStockBody = serde_json::from_value(testdata("create_stock.json")).unwrap();
    let create_stock = CreateStockRequest::from_body("1000", stock)
        .unwrap()
        .prepare()
        .unwrap();
    assert_eq!(
        create_stock.path_and_query(),
        "/brand/marketing/product-coupon/product-coupons/1000/stocks"
    );
    assert!(create_stock.is_repeat_safe());

    let mut update = UpdateStockBody::new("update_0001").unwrap();
    assert_eq!(
        UpdateStockRequest::new("1000", "2000", update.clone())
            .unwrap_err()
            .rule(),
        &ValidationRule::Missing
    );
    update.remark = Some("new".into());
    let prepared = UpdateStockRequest::new("1000", "2000", update.clone())
        .unwrap()
        .prepare()
        .unwrap();
    assert_eq!(prepared.method(), Method::Patch);
    assert!(prepared.is_repeat_safe());
    assert_eq!(
        prepared.body().unwrap(),
        br#"{"out_request_no":"update_0001","remark":"new"}"#
    );
    let prepared = UpdateStockBundleRequest::new("1000", "b1", update)
        .unwrap()
        .prepare()
        .unwrap();
    assert_eq!(
        prepared.path_and_query(),
        "/brand/marketing/product-coupon/product-coupons/1000/stock-bundles/b1"
    );

    let budget =
        UpdateBudgetBody::new("budget_0001", BudgetUpdateMode::MaxCount, 100, 300).unwrap();
    let prepared = UpdateStockBudgetRequest::new("1000", "2000", budget.clone())
        .unwrap()
        .prepare()
        .unwrap();
    assert_eq!(
        prepared.path_and_query(),
        "/brand/marketing/product-coupon/product-coupons/1000/stocks/2000/update-budget"
    );
    assert_eq!(prepared.body().unwrap(), br#"{"out_request_no":"budget_0001","update_mode":"MAX_COUNT","current_max_count":100,"target_max_count":300}"#);
    assert!(UpdateStockBundleBudgetRequest::new("1000", "b1", budget)
        .unwrap()
        .prepare()
        .unwrap()
        .is_repeat_safe());
    let error = UpdateBudgetBody::new(
        "budget_0001",
        BudgetUpdateMode::MaxCountPerDay,
        1,
        100_000_001,
    )
    .unwrap_err();
    assert_eq!(error.field(), "target_max_count_per_day");

    let stores = StoreListBody::new(["s1", "s2"]).unwrap();
    let associate = AssociateStoresRequest::new("1000", "2000", stores.clone())
        .unwrap()
        .prepare()
        .unwrap();
    assert!(!associate.is_repeat_safe());
    assert_eq!(
        associate.body().unwrap(),
        br#"{"store_list":[{"store_id":"s1"},{"store_id":"s2"}]}"#
    );
    assert!(
        DisassociateStoresRequest::new("1000", "2000", stores.clone())
            .unwrap()
            .prepare()
            .unwrap()
            .path_and_query()
            .ends_with("/stocks/2000/disassociate-stores")
    );
    assert!(
        AssociateBundleStoresRequest::new("1000", "b1", stores.clone())
            .unwrap()
            .prepare()
            .unwrap()
            .path_and_query()
            .ends_with("/stock-bundles/b1/associate-stores")
    );
    assert!(!DisassociateBundleStoresRequest::new("1000", "b1", stores)
        .unwrap()
        .prepare()
        .unwrap()
        .is_repeat_safe());
    assert_eq!(
        StoreListBody::new(Vec::<String>::new())
            .unwrap_err()
            .field(),
        "store_list"
    );

    let list = ListAssociatedStoresRequest::new("1000", "2000")
        .unwrap()
        .page_size(2)
        .unwrap()
        .page_token("a/b=")
        .unwrap();
    assert_eq!(list.prepare().unwrap().path_and_query(), "/brand/marketing/product-coupon/product-coupons/1000/stocks/2000/associated-stores?page_size=2&page_token=a%2Fb%3D");

    let codes = UploadCouponCodesBody::new("codes_0001", ["C1", "C2"]).unwrap();
    assert!(UploadCouponCodesRequest::new("1000", "2000", codes)
        .unwrap()
        .prepare()
        .unwrap()
        .is_repeat_safe());
    assert_eq!(
        UploadCouponCodesBody::new("codes_0001", ["ok", "bad code"])
            .unwrap_err()
            .field(),
        "code_list[1]"
    );

    let deactivate = DeactivateCouponRequest::new("1000", "deact_0001", "活动结束")
        .unwrap()
        .prepare()
        .unwrap();
    assert_eq!(
        deactivate.path_and_query(),
        "/brand/marketing/product-coupon/product-coupons/1000/deactivate"
    );
    let display: ProductCouponDisplayInfo = serde_json::from_value(
        serde_json::json!({"name": "新名字", "image_url": "https://x/y.png"}),
    )
    .unwrap();
    let update = UpdateCouponRequest::new("1000", "upd_coupon_01", display)
        .unwrap()
        .prepare()
        .unwrap();
    assert_eq!(
        (update.method(), update.path_and_query()),
        (
            Method::Patch,
            "/brand/marketing/product-coupon/product-coupons/1000"
        )
    );
}

#[test]
fn answers_about_something_else_are_refused() {
    let deactivate = DeactivateCouponRequest::new("1000", "deact_0001", "r").unwrap();
    let mut coupon = ProductCouponEntity::new("1000", ProductCouponState::Deactivated);
    coupon.deactivate_request_no = Some("deact_0001".into());
    deactivate.check_answer(&coupon).unwrap();
    coupon.deactivate_request_no = Some("other_0001".into());
    assert_eq!(
        deactivate.check_answer(&coupon).unwrap_err().field(),
        "deactivate_request_no"
    );

    let stores =
        AssociateStoresRequest::new("1000", "2000", StoreListBody::new(["s1"]).unwrap()).unwrap();
    let answer: StoresResponse = serde_json::from_value(serde_json::json!({"total_count": 1, "success_store_list": [{"store_id": "s9"}], "failed_store_list": []})).unwrap();
    assert_eq!(
        stores.check_answer(&answer).unwrap_err().field(),
        "store_id"
    );

    let bundle = UpdateStockBundleBudgetRequest::new(
        "1000",
        "b1",
        UpdateBudgetBody::new("budget_0001", BudgetUpdateMode::MaxCount, 1, 2).unwrap(),
    )
    .unwrap();
    let answer = StockBundleEntity::new("b2", vec![]);
    assert_eq!(
        bundle.check_answer(&answer).unwrap_err().field(),
        "stock_bundle_id"
    );
}

#[test]
fn answers_keep_unknown_fields_and_values() {
    let json = serde_json::json!({
        "product_coupon_id": "1000", "state": "NEW_STATE", "type": "NORMAL", "future": {"a": 1},
        "stock": {"product_coupon_id": "1000", "stock_id": "2000", "state": "AUDITING", "deactivate_time": 17},
        "stock_bundle": {"stock_bundle_id": "b1", "stock_list": [], "later": true}
    });
    let answer: CreateCouponResponse = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(
        answer.coupon.state,
        ProductCouponState::Unknown("NEW_STATE".into())
    );
    assert!(!answer.coupon.extra.contains_key("stock"));
    assert_eq!(serde_json::to_value(&answer).unwrap(), json);
    let codes = serde_json::json!({"total_count": 3, "success_code_list": ["a"], "failed_code_list": [{"coupon_code": "b", "code": "X", "message": "m", "n": 1}], "already_exist_code_list": [], "duplicate_code_list": ["c"], "z": 0});
    let answer: UploadCouponCodesResponse = serde_json::from_value(codes.clone()).unwrap();
    assert_eq!(serde_json::to_value(&answer).unwrap(), codes);
}
