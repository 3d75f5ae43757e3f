//! Unit tests of the user-coupon and notify-config requests: exact bytes, paths and queries,
//! each rule's field name, repeat-safety, answer checks and forward-compatible answers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::error::ValidationRule;
use crate::{Method, Operation};

const OPENID: &str = "oh-394z-6CGkNoJrsDLTTUKiAnp4";
const APPID: &str = "wx233544546545989";

fn action() -> UserCouponBody {
    UserCouponBody::new("1000000013", "1000000013001", APPID, "MCHCONFIRM0001").unwrap()
}

fn use_body(order: AssociatedOrder) -> UseUserCouponBody {
    UseUserCouponBody::new(
        "1000000013",
        "1000000013001",
        APPID,
        "MCHUSE202003101234",
        "2025-08-01T12:00:00+08:00",
        order,
    )
    .unwrap()
}

fn body_of<O: Operation>(request: &O) -> String {
    String::from_utf8(request.prepare().unwrap().body().unwrap().to_vec()).unwrap()
}

#[test]
fn send_puts_the_openid_in_the_path_only_and_the_body_in_order() {
    let body = SendUserCouponBody::new("1000000013", "1000000013001", APPID, "MCHSEND202003101234")
        .unwrap()
        .coupon_code("Code_123456")
        .unwrap()
        .attach("any attach content")
        .coupon_tag_info(CouponTagInfo::member("MemberCardId_1234567890"));
    let request = SendUserCouponRequest::new(OPENID, body).unwrap();
    let prepared = request.prepare().unwrap();
    assert_eq!(prepared.method(), Method::Post);
    assert_eq!(
        prepared.path_and_query(),
        "/brand/marketing/product-coupon/users/oh-394z-6CGkNoJrsDLTTUKiAnp4/coupons"
    );
    assert!(prepared.is_repeat_safe());
    assert_eq!(
        body_of(&request),
        r#"{"product_coupon_id":"1000000013","stock_id":"1000000013001","coupon_code":"Code_123456","appid":"wx233544546545989","send_request_no":"MCHSEND202003101234","attach":"any attach content","coupon_tag_info":{"coupon_tag_list":["MEMBER"],"member_tag_info":{"member_card_id":"MemberCardId_1234567890"}}}"#
    );
    // The simulator decodes the same body type, through the same rules.
    let decoded: SendUserCouponBody = serde_json::from_slice(prepared.body().unwrap()).unwrap();
    assert_eq!(decoded.send_request_no.as_str(), "MCHSEND202003101234");
    assert!(serde_json::from_str::<SendUserCouponBody>(
        r#"{"product_coupon_id":"1","stock_id":"2","appid":"wx1","send_request_no":"short"}"#
    )
    .is_err());
    assert!(serde_json::from_str::<SendUserCouponBody>(
        r#"{"product_coupon_id":"1","stock_id":"2","appid":"wx1","send_request_no":"send_0001","openid":"o1"}"#
    )
    .is_err());
}

#[test]
fn pre_send_confirm_return_and_deactivate_send_their_bodies_exactly() {
    let pre = PreSendUserCouponRequest::new(
        OPENID,
        PreSendUserCouponBody::new("1000000013", "1000000013001", APPID, "MCHPRESEND0001").unwrap(),
    )
    .unwrap();
    let prepared = pre.prepare().unwrap();
    assert!(prepared.is_repeat_safe());
    assert_eq!(
        prepared.path_and_query(),
        "/brand/marketing/product-coupon/users/oh-394z-6CGkNoJrsDLTTUKiAnp4/pre-send-coupon"
    );
    assert_eq!(
        body_of(&pre),
        r#"{"product_coupon_id":"1000000013","stock_id":"1000000013001","appid":"wx233544546545989","send_request_no":"MCHPRESEND0001"}"#
    );
    let expected = r#"{"product_coupon_id":"1000000013","stock_id":"1000000013001","appid":"wx233544546545989","out_request_no":"MCHCONFIRM0001"}"#;
    let confirm = ConfirmUserCouponRequest::new(OPENID, "Code_123456", action()).unwrap();
    assert_eq!(body_of(&confirm), expected);
    assert_eq!(
        confirm.prepare().unwrap().path_and_query(),
        "/brand/marketing/product-coupon/users/oh-394z-6CGkNoJrsDLTTUKiAnp4/coupons/Code_123456/confirm"
    );
    let give_back = ReturnUserCouponRequest::new(OPENID, "Code_123456", action()).unwrap();
    assert_eq!(body_of(&give_back), expected);
    assert!(give_back
        .prepare()
        .unwrap()
        .path_and_query()
        .ends_with("/coupons/Code_123456/return"));
    let deactivate = DeactivateUserCouponRequest::new(
        OPENID,
        "Code_123456",
        DeactivateUserCouponBody::new(
            "1000000013",
            "1000000013001",
            APPID,
            "MCHDEACT0001",
            "发错了",
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        body_of(&deactivate),
        r#"{"product_coupon_id":"1000000013","stock_id":"1000000013001","appid":"wx233544546545989","out_request_no":"MCHDEACT0001","deactivate_reason":"发错了"}"#
    );
    for prepared in [
        confirm.prepare().unwrap(),
        give_back.prepare().unwrap(),
        deactivate.prepare().unwrap(),
    ] {
        assert!(prepared.is_repeat_safe(), "{prepared}");
    }
}

#[test]
fn use_sends_exactly_one_order_object() {
    let request = UseUserCouponRequest::new(
        OPENID,
        "Code_123456",
        use_body(AssociatedOrder::Order(AssociatedOrderInfo::transaction(
            "4200000000123456789123456789",
        )))
        .store_id("store_01")
        .unwrap(),
    )
    .unwrap();
    let body = body_of(&request);
    assert_eq!(
        body,
        r#"{"product_coupon_id":"1000000013","stock_id":"1000000013001","appid":"wx233544546545989","use_time":"2025-08-01T12:00:00+08:00","out_request_no":"MCHUSE202003101234","store_id":"store_01","associated_order_info":{"transaction_id":"4200000000123456789123456789"}}"#
    );
    assert!(request.prepare().unwrap().is_repeat_safe());
    let decoded: UseUserCouponBody = serde_json::from_str(&body).unwrap();
    assert!(matches!(
        decoded.associated_order,
        AssociatedOrder::Order(_)
    ));

    let pay_score = use_body(AssociatedOrder::PayScoreOrder(
        AssociatedPayScoreOrderInfo::out_order("1900000109", "score_0001"),
    ));
    let json = serde_json::to_string(&pay_score).unwrap();
    assert!(json.ends_with(r#""associated_pay_score_order_info":{"out_order_no":"score_0001","mchid":"1900000109"}}"#), "{json}");

    // Decoding refuses none and both, naming the field.
    let mut value: serde_json::Value = serde_json::from_str(&body).unwrap();
    value["associated_pay_score_order_info"] = serde_json::json!({"order_id": "x"});
    let error = serde_json::from_value::<UseUserCouponBody>(value.clone()).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("associated_pay_score_order_info"),
        "{error}"
    );
    value
        .as_object_mut()
        .unwrap()
        .remove("associated_pay_score_order_info");
    value
        .as_object_mut()
        .unwrap()
        .remove("associated_order_info");
    let error = serde_json::from_value::<UseUserCouponBody>(value).unwrap_err();
    assert!(
        error.to_string().contains("associated_order_info"),
        "{error}"
    );
}

#[test]
fn every_rule_names_its_field() {
    let cases: Vec<(&str, Result<(), crate::ValidationError>)> = vec![
        (
            "openid",
            SendUserCouponRequest::new(
                "o/x",
                SendUserCouponBody::new("1", "2", APPID, "send_0001").unwrap(),
            )
            .map(drop),
        ),
        ("openid", ListUserCouponsRequest::new("", APPID).map(drop)),
        (
            "coupon_code",
            ConfirmUserCouponRequest::new(OPENID, "a b", action()).map(drop),
        ),
        (
            "coupon_code",
            ConfirmUserCouponRequest::new(OPENID, "..", action()).map(drop),
        ),
        (
            "coupon_code",
            ConfirmUserCouponRequest::new(OPENID, "x".repeat(41), action()).map(drop),
        ),
        (
            "coupon_code",
            SendUserCouponBody::new("1", "2", APPID, "send_0001")
                .unwrap()
                .coupon_code("")
                .map(drop),
        ),
        (
            "appid",
            UserCouponBody::new("1", "2", "", "confirm_0001").map(drop),
        ),
        (
            "appid",
            UserCouponBody::new("1", "2", "w".repeat(33), "confirm_0001").map(drop),
        ),
        (
            "send_request_no",
            SendUserCouponBody::new("1", "2", APPID, "abc").map(drop),
        ),
        (
            "send_request_no",
            PreSendUserCouponBody::new("1", "2", APPID, "bad no!").map(drop),
        ),
        (
            "out_request_no",
            UserCouponBody::new("1", "2", APPID, "12345").map(drop),
        ),
        (
            "product_coupon_id",
            UserCouponBody::new("a/b", "2", APPID, "confirm_0001").map(drop),
        ),
        (
            "stock_id",
            UserCouponBody::new("1", "", APPID, "confirm_0001").map(drop),
        ),
        (
            "deactivate_reason",
            DeactivateUserCouponBody::new("1", "2", APPID, "deact_0001", "").map(drop),
        ),
        (
            "use_time",
            UseUserCouponBody::new(
                "1",
                "2",
                APPID,
                "use_00001",
                "2025-13-01T00:00:00+08:00",
                AssociatedOrder::Order(AssociatedOrderInfo::transaction("42")),
            )
            .map(drop),
        ),
        (
            "associated_order_info",
            UseUserCouponBody::new(
                "1",
                "2",
                APPID,
                "use_00001",
                "2025-08-01T00:00:00+08:00",
                AssociatedOrder::Order(AssociatedOrderInfo::default()),
            )
            .map(drop),
        ),
        (
            "associated_pay_score_order_info",
            UseUserCouponBody::new(
                "1",
                "2",
                APPID,
                "use_00001",
                "2025-08-01T00:00:00+08:00",
                AssociatedOrder::PayScoreOrder(AssociatedPayScoreOrderInfo::default()),
            )
            .map(drop),
        ),
        (
            "store_id",
            use_body(AssociatedOrder::Order(AssociatedOrderInfo::transaction(
                "42",
            )))
            .store_id("s".repeat(41))
            .map(drop),
        ),
        (
            "page_size",
            ListUserCouponsRequest::new(OPENID, APPID)
                .unwrap()
                .page_size(0)
                .map(drop),
        ),
        (
            "user_coupon_bundle_id",
            ListUserCouponsRequest::new(OPENID, APPID)
                .unwrap()
                .user_coupon_bundle_id("")
                .map(drop),
        ),
        (
            "coupon_tag_info.coupon_tag_list[0]",
            SendUserCouponRequest::new(OPENID, {
                let info = CouponTagInfo {
                    coupon_tag_list: Some(vec![UserProductCouponTag::Unknown("VIP".into())]),
                    ..CouponTagInfo::default()
                };
                SendUserCouponBody::new("1", "2", APPID, "send_0001")
                    .unwrap()
                    .coupon_tag_info(info)
            })
            .map(drop),
        ),
        (
            "notify_url",
            SetNotifyConfigRequest::new("https://brand.example.com").map(drop),
        ),
    ];
    for (field, result) in cases {
        let error = result.expect_err(field);
        assert_eq!(error.field(), field, "{error}");
        assert!(error.to_string().starts_with(field), "{error}");
    }
    // The openid error says which character and where, like the header rules.
    let error = ListUserCouponsRequest::new("oh-394z 6CGk", APPID).unwrap_err();
    assert_eq!(
        error.rule(),
        &ValidationRule::ForbiddenCharacter {
            character: ' ',
            index: 7
        }
    );
    // No narrower than WeChat Pay's docs: a 28-character openid starting with `o`, `-` and `_` included.
    ListUserCouponsRequest::new("o_9x-ABCDEFGHIJKLMNOPQRSTUVW", APPID).unwrap();
}

#[test]
fn notify_urls_are_https_public_hosts_with_a_path() {
    for good in [
        "https://brand.example.com/wxpay/events",
        "HTTPS://brand.example.com:8443/e",
        "https://xn--fiq228c.com/notify",
    ] {
        SetNotifyConfigRequest::new(good).unwrap();
    }
    for bad in [
        "http://brand.example.com/events",
        "https://brand.example.com",
        "https://brand.example.com/",
        "https://brand.example.com/e?x=1",
        "https://brand.example.com/e#top",
        "https://user:pw@brand.example.com/e",
        "https://10.0.0.8/events",
        "https://127.0.0.1:8443/events",
        "https://[::1]/events",
        "https://localhost/events",
        "https://api.localhost/events",
        "https://intranet/events",
        "https://brand.example.com/a b",
        "",
    ] {
        let error = SetNotifyConfigRequest::new(bad).expect_err(bad);
        assert_eq!(error.field(), "notify_url", "{bad}");
    }
    let set = SetNotifyConfigRequest::new("https://brand.example.com/e").unwrap();
    let prepared = set.prepare().unwrap();
    assert_eq!(
        prepared.path_and_query(),
        "/brand/marketing/product-coupon/notify-configs"
    );
    assert!(prepared.is_repeat_safe());
    let get = GetNotifyConfigRequest::new().prepare().unwrap();
    assert_eq!((get.method(), get.body()), (Method::Get, None));
    assert_eq!(
        get.path_and_query(),
        "/brand/marketing/product-coupon/notify-configs"
    );
    set.check_answer(&NotifyConfigResponse::new(
        "https://brand.example.com/e",
        None,
    ))
    .unwrap();
    let other = NotifyConfigResponse::new("https://evil.example.com/e", None);
    assert_eq!(set.check_answer(&other).unwrap_err().field(), "notify_url");
}

#[test]
fn gets_and_lists_put_their_parameters_in_the_query() {
    let get = GetUserCouponRequest::new(OPENID, "Code/1", "1000000013", "1000000013001", APPID);
    assert_eq!(get.unwrap_err().field(), "coupon_code");
    let list = ListUserCouponsRequest::new(OPENID, APPID)
        .unwrap()
        .product_coupon_id("1000000013")
        .unwrap()
        .stock_id("1000000013001")
        .unwrap()
        .user_coupon_bundle_id("b1")
        .unwrap()
        .page_token("a/b=")
        .unwrap();
    let prepared = list.prepare().unwrap();
    assert_eq!(prepared.body(), None);
    assert_eq!(
        prepared.path_and_query(),
        "/brand/marketing/product-coupon/users/oh-394z-6CGkNoJrsDLTTUKiAnp4/coupons?appid=wx233544546545989&page_token=a%2Fb%3D&product_coupon_id=1000000013&stock_id=1000000013001&user_coupon_bundle_id=b1"
    );
    let mut coupon = UserProductCouponEntity::new("C1", UserProductCouponState::Effective);
    coupon.stock = Some(StockEntity::new("1000000013", "other", StockState::Sending));
    let page = ListUserProductCouponsResponse::new(vec![coupon], Some(1), None);
    assert_eq!(
        list.check_answer(&page).unwrap_err().field(),
        "stock.stock_id"
    );
    let page = <ListUserCouponsRequest as crate::Paged>::into_page(
        ListUserProductCouponsResponse::new(vec![], Some(0), Some("next".into())),
    );
    assert_eq!(page.next_page_token.as_deref(), Some("next"));
}

#[test]
fn answers_about_another_coupon_are_refused() {
    let confirm = ConfirmUserCouponRequest::new(OPENID, "Code_123456", action()).unwrap();
    let mut answer = UserProductCouponEntity::new("Code_123456", UserProductCouponState::Effective);
    confirm.check_answer(&answer).unwrap();
    answer.product_coupon = Some(ProductCouponEntity::new(
        "999",
        ProductCouponState::Effective,
    ));
    assert_eq!(
        confirm.check_answer(&answer).unwrap_err().field(),
        "product_coupon.product_coupon_id"
    );
    let answer = UserProductCouponEntity::new("Code_999", UserProductCouponState::Effective);
    assert_eq!(
        confirm.check_answer(&answer).unwrap_err().field(),
        "coupon_code"
    );

    let send = SendUserCouponRequest::new(
        OPENID,
        SendUserCouponBody::new("1000000013", "1000000013001", APPID, "send_0001").unwrap(),
    )
    .unwrap();
    let mut answer = UserProductCouponEntity::new("generated", UserProductCouponState::Confirming);
    send.check_answer(&answer).unwrap();
    answer.send_request_no = Some("send_0002".into());
    assert_eq!(
        send.check_answer(&answer).unwrap_err().field(),
        "send_request_no"
    );

    let deactivate = DeactivateUserCouponRequest::new(
        OPENID,
        "Code_123456",
        DeactivateUserCouponBody::new("1000000013", "1000000013001", APPID, "deact_0001", "r")
            .unwrap(),
    )
    .unwrap();
    let mut answer =
        UserProductCouponEntity::new("Code_123456", UserProductCouponState::Deactivated);
    answer.deactivate_request_no = Some("deact_0002".into());
    assert_eq!(
        deactivate.check_answer(&answer).unwrap_err().field(),
        "deactivate_request_no"
    );
}

#[test]
fn user_coupon_answers_keep_unknown_fields_and_values() {
    let json = serde_json::json!({
        "coupon_code": "Code_123456", "coupon_state": "FROZEN", "valid_begin_time": "2025-08-01T00:00:00+08:00",
        "valid_end_time": null, "receive_time": "2025-08-01T10:00:00+08:00", "send_request_no": "MCHSEND202003101234",
        "send_channel": "NEW_CHANNEL", "confirm_request_no": "c1", "confirm_time": "2025-08-01T10:00:01+08:00",
        "deactivate_request_no": "d1", "deactivate_time": "2025-08-02T00:00:00+08:00", "deactivate_reason": "r",
        "single_usage_detail": {"use_request_no": "u1", "use_time": "2025-08-01T12:00:00+08:00", "return_request_no": "r1",
            "return_time": "2025-08-01T13:00:00+08:00", "associated_order_info": {"transaction_id": "42", "later": 1},
            "associated_pay_score_order_info": {"order_id": "p1"}, "refund": true},
        "progressive_bundle_usage_detail": {"use_request_no": "u2"},
        "user_product_coupon_bundle_info": {"user_coupon_bundle_id": "ub1", "user_coupon_bundle_index": 1, "total_count": 3, "used_count": 1},
        "product_coupon": {"product_coupon_id": "1000000013", "state": "EFFECTIVE"},
        "stock": {"product_coupon_id": "1000000013", "stock_id": "1000000013001", "state": "SENDING"},
        "attach": "a", "channel_custom_info": "c",
        "coupon_tag_info": {"coupon_tag_list": ["MEMBER", "VIP"], "member_tag_info": {"member_card_id": "m"}},
        "brand_new": {"x": [1]}
    });
    let answer: UserProductCouponEntity = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(
        answer.coupon_state,
        UserProductCouponState::Unknown("FROZEN".into())
    );
    assert_eq!(
        answer.send_channel,
        Some(UserProductCouponSendChannel::Unknown("NEW_CHANNEL".into()))
    );
    assert!(answer.extra.contains_key("brand_new"));
    assert_eq!(serde_json::to_value(&answer).unwrap(), json);
    let page = serde_json::json!({"total_count": 1, "user_coupon_list": [json], "next_page_token": "t", "z": 0});
    let decoded: ListUserProductCouponsResponse = serde_json::from_value(page.clone()).unwrap();
    assert_eq!(serde_json::to_value(&decoded).unwrap(), page);
    let token: PreSendUserCouponResponse =
        serde_json::from_str(r#"{"token":"tk","expire":300}"#).unwrap();
    assert_eq!(token, {
        let mut expected = PreSendUserCouponResponse::new("tk");
        expected.extra.insert("expire".into(), 300.into());
        expected
    });
    let config: NotifyConfigResponse = serde_json::from_str(
        r#"{"notify_url":"https://a.example.com/e","update_time":"2025-08-01T00:00:00+08:00"}"#,
    )
    .unwrap();
    assert_eq!(
        config.update_time.unwrap().as_str(),
        "2025-08-01T00:00:00+08:00"
    );
}
