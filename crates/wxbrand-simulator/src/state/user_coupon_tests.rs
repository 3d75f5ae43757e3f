//! The user-coupon state: transitions, request numbers, budgets, code modes, pre-sends, valid
//! periods, notify configurations.

use super::*;
use crate::state::sample_stock;

const BRAND: &str = "1900000001";
const PC: &str = "200000001";
const STOCK: &str = "300000001";
/// 2026-06-01T00:00:00+08:00.
const JUNE_1: i64 = 1_780_243_200_000;

fn world_with(edit: impl FnOnce(&mut serde_json::Value)) -> World {
    let stock = sample_stock(PC, STOCK, StockState::Sending).unwrap();
    let mut value = serde_json::to_value(stock).unwrap();
    edit(&mut value);
    let mut world = World::default();
    world.put(serde_json::from_value(value).unwrap());
    world
}

fn order(code: Option<&str>) -> SendOrder {
    SendOrder {
        product_coupon_id: PC.into(),
        stock_id: STOCK.into(),
        coupon_code: code.map(String::from),
        attach: None,
        coupon_tag_info: None,
    }
}

fn body(v: serde_json::Value) -> serde_json::Value {
    v
}

/// Sends to `openid` with request number `no`; the answer as JSON.
fn send(world: &mut World, openid: &str, no: &str, now: i64) -> Result<serde_json::Value, Refusal> {
    let key = WriteKey::new(
        BRAND,
        SEND,
        no,
        openid.into(),
        &body(serde_json::json!({"no": no})),
    );
    let written = world.send_user_coupon(key, openid, order(None), now)?;
    Ok(serde_json::from_slice(&written.body).unwrap())
}

fn code_of(answer: &serde_json::Value) -> String {
    answer["coupon_code"].as_str().unwrap().to_string()
}

fn r<'a>(openid: &'a str, code: &'a str) -> CouponRef<'a> {
    CouponRef {
        openid,
        coupon_code: code,
        product_coupon_id: PC,
        stock_id: STOCK,
    }
}

fn key<'a>(kind: &'static str, no: &'a str, openid: &str, code: &str) -> WriteKey<'a> {
    WriteKey::new(
        BRAND,
        kind,
        no,
        format!("{openid}/{code}"),
        &serde_json::json!({"no": no}),
    )
}

fn state(result: Result<Written, Refusal>) -> Result<String, Refusal> {
    result.map(|w| {
        let v: serde_json::Value = serde_json::from_slice(&w.body).unwrap();
        v["coupon_state"].as_str().unwrap().to_string()
    })
}

fn use_order() -> UseOrder {
    UseOrder {
        use_time: None,
        associated_order_info: Some(serde_json::json!({"transaction_id": "42"})),
        associated_pay_score_order_info: None,
    }
}

/// Runs the write `kind` (confirm, use, return, deactivate) numbered `no` on `user`'s coupon
/// `code` at `now`: the state answered, or the refusal.
fn act(
    w: &mut World,
    kind: &'static str,
    no: &str,
    user: &str,
    code: &str,
    now: i64,
) -> Result<String, Refusal> {
    let k = key(kind, no, user, code);
    let c = r(user, code);
    state(match kind {
        CONFIRM => w.confirm_user_coupon(k, c, now),
        USE => w.use_user_coupon(k, c, use_order(), now),
        RETURN => w.return_user_coupon(k, c, now),
        _ => w.deactivate_user_coupon(k, c, "fraud", now),
    })
}

#[test]
fn the_state_machine_allows_only_the_documented_transitions() {
    let mut w = world_with(|_| {});
    let sent = send(&mut w, "oUser1", "send-0001", JUNE_1).unwrap();
    assert_eq!(sent["coupon_state"], "CONFIRMING");
    assert_eq!(sent["send_channel"], "API");
    let code = code_of(&sent);
    let mut n = 0;
    // A new request number each time, unless `again` repeats the last one.
    let mut step = |w: &mut World, kind: &'static str| {
        n += 1;
        act(w, kind, &format!("{kind}-{n:04}"), "oUser1", &code, JUNE_1)
    };
    let illegal = |res: Result<String, Refusal>| matches!(res, Err(Refusal::WrongState(_)));
    let dea = DEACTIVATE_USER_COUPON;
    // Not confirmed yet: neither usable, returnable nor deactivatable.
    assert!(illegal(step(&mut w, USE)));
    assert!(illegal(step(&mut w, RETURN)));
    assert!(illegal(step(&mut w, dea)));
    assert_eq!(step(&mut w, CONFIRM).unwrap(), "EFFECTIVE");
    assert!(illegal(step(&mut w, CONFIRM)));
    assert!(illegal(step(&mut w, RETURN)));
    assert_eq!(step(&mut w, USE).unwrap(), "USED");
    assert!(illegal(step(&mut w, USE)));
    assert!(illegal(step(&mut w, dea)));
    assert_eq!(step(&mut w, RETURN).unwrap(), "EFFECTIVE");
    assert_eq!(step(&mut w, USE).unwrap(), "USED");
    assert_eq!(step(&mut w, RETURN).unwrap(), "EFFECTIVE");
    assert_eq!(step(&mut w, dea).unwrap(), "DEACTIVATED");
    for kind in [CONFIRM, USE, RETURN, dea] {
        assert!(illegal(step(&mut w, kind)), "{kind} after DEACTIVATED");
    }
    // A repeat of an earlier confirm is its first answer, whatever happened since.
    let first_confirm = act(
        &mut w,
        CONFIRM,
        "confirm_user_coupon-0004",
        "oUser1",
        &code,
        JUNE_1,
    );
    assert_eq!(first_confirm.unwrap(), "EFFECTIVE");
    // Another user, another stock: not found.
    assert_eq!(
        act(&mut w, CONFIRM, "con-0009", "oUser2", &code, JUNE_1),
        Err(Refusal::UserCouponMissing)
    );
    let mut other = r("oUser1", &code);
    other.stock_id = "999";
    let k = key(USE, "use-0009", "oUser1", &code);
    assert_eq!(
        state(w.use_user_coupon(k, other, use_order(), JUNE_1)),
        Err(Refusal::UserCouponMissing)
    );

    let kinds: Vec<&str> = w
        .coupon_events()
        .iter()
        .map(|e| e.event_type.as_str())
        .collect();
    assert_eq!(
        kinds,
        [
            "PRODUCT_COUPON.SEND",
            "PRODUCT_COUPON.CONFIRM",
            "PRODUCT_COUPON.USE",
            "PRODUCT_COUPON.RETURN",
            "PRODUCT_COUPON.USE",
            "PRODUCT_COUPON.RETURN",
            "PRODUCT_COUPON.DEACTIVATE",
        ]
    );
    let send_event = &w.coupon_events()[0];
    assert_eq!(send_event.openid, "oUser1");
    assert_eq!(send_event.coupon_code, code);
    assert_eq!(send_event.send_request_no, "send-0001");
    assert_eq!(send_event.valid_end_time, "2026-12-31T23:59:59+08:00");
    assert!(send_event.event_type.is_notified());
}

#[test]
fn a_request_number_acts_once_and_refuses_another_body() {
    let mut w = world_with(|_| {});
    let first = send(&mut w, "oUser1", "send-0001", JUNE_1).unwrap();
    let again = send(&mut w, "oUser1", "send-0001", JUNE_1 + 1000).unwrap();
    assert_eq!(first, again);
    assert_eq!(w.user_coupon_states("oUser1", JUNE_1).len(), 1);
    let other_body = WriteKey::new(
        BRAND,
        SEND,
        "send-0001",
        "oUser1".into(),
        &serde_json::json!({"other": 1}),
    );
    assert_eq!(
        w.send_user_coupon(other_body, "oUser1", order(None), JUNE_1)
            .map(|_| ()),
        Err(Refusal::BodyDiffers)
    );
    assert!(matches!(
        send(&mut w, "oUser2", "send-0001", JUNE_1),
        Err(Refusal::RequestNoReused)
    ));
    let c = code_of(&first);
    w.confirm_user_coupon(
        key(CONFIRM, "con-0001", "oUser1", &c),
        r("oUser1", &c),
        JUNE_1,
    )
    .unwrap();
    let use_key =
        |b: serde_json::Value| WriteKey::new(BRAND, USE, "use-0001", format!("oUser1/{c}"), &b);
    w.use_user_coupon(
        use_key(serde_json::json!({"a": 1})),
        r("oUser1", &c),
        use_order(),
        JUNE_1,
    )
    .unwrap();
    assert_eq!(
        w.use_user_coupon(
            use_key(serde_json::json!({"a": 2})),
            r("oUser1", &c),
            use_order(),
            JUNE_1
        )
        .map(|_| ()),
        Err(Refusal::BodyDiffers)
    );
    let stock = w.get(PC, STOCK).unwrap();
    assert_eq!(stock.sent_count_info.as_ref().unwrap().total_count, Some(1));
}

#[test]
fn budgets_per_user_in_all_and_per_beijing_day() {
    let mut w = world_with(|s| {
        s["stock_send_rule"] =
            serde_json::json!({"max_count": 5, "max_count_per_day": 3, "max_count_per_user": 2});
    });
    let mut n = 0;
    let mut next = |w: &mut World, user: &str, now: i64| {
        n += 1;
        send(w, user, &format!("send-{n:04}"), now)
    };
    assert!(next(&mut w, "oA", JUNE_1).is_ok());
    assert!(next(&mut w, "oA", JUNE_1).is_ok());
    assert!(
        matches!(next(&mut w, "oA", JUNE_1), Err(Refusal::SendLimit(m)) if m.contains("max_count_per_user"))
    );
    assert!(next(&mut w, "oB", JUNE_1).is_ok());
    assert!(
        matches!(next(&mut w, "oB", JUNE_1), Err(Refusal::SendLimit(m)) if m.contains("max_count_per_day"))
    );
    // 23:59:59 Beijing time is still the same day; 00:00 the next.
    let midnight = JUNE_1 + 86_400_000;
    assert!(matches!(
        next(&mut w, "oC", midnight - 1000),
        Err(Refusal::SendLimit(_))
    ));
    assert_eq!(
        w.stock_view(w.get(PC, STOCK).unwrap(), midnight - 1000)
            .sent_count_info
            .unwrap()
            .today_count,
        Some(3)
    );
    assert_eq!(
        w.stock_view(w.get(PC, STOCK).unwrap(), midnight)
            .sent_count_info
            .unwrap()
            .today_count,
        Some(0)
    );
    assert!(next(&mut w, "oC", midnight).is_ok());
    assert!(next(&mut w, "oC", midnight).is_ok());
    assert!(
        matches!(next(&mut w, "oD", midnight), Err(Refusal::SendLimit(m)) if m.contains("max_count "))
    );
    let info = w.get(PC, STOCK).unwrap().sent_count_info.clone().unwrap();
    assert_eq!((info.total_count, info.today_count), (Some(5), Some(2)));
}

#[test]
fn code_modes_draw_their_codes() {
    // UPLOAD: the uploaded codes in order, then exhausted.
    let mut w = world_with(|s| {
        s["coupon_code_mode"] = "UPLOAD".into();
        s["stock_send_rule"]["max_count_per_user"] = 10.into();
    });
    let codes = vec!["CODE-A".to_string(), "CODE-B".to_string()];
    let up = WriteKey::new(
        BRAND,
        "upload_coupon_codes",
        "upl-0001",
        format!("{PC}/{STOCK}"),
        &codes,
    );
    w.upload_codes(up, PC, STOCK, &codes).unwrap();
    assert_eq!(
        code_of(&send(&mut w, "oA", "send-0001", JUNE_1).unwrap()),
        "CODE-A"
    );
    assert_eq!(
        code_of(&send(&mut w, "oA", "send-0002", JUNE_1).unwrap()),
        "CODE-B"
    );
    assert_eq!(
        send(&mut w, "oA", "send-0003", JUNE_1).map(|_| ()),
        Err(Refusal::CodesExhausted)
    );
    let info = w
        .get(PC, STOCK)
        .unwrap()
        .coupon_code_count_info
        .clone()
        .unwrap();
    assert_eq!((info.total_count, info.available_count), (Some(2), Some(0)));
    // A code is refused outside API_ASSIGN.
    let k = WriteKey::new(BRAND, SEND, "send-0004", "oA".into(), &1);
    assert!(matches!(
        w.send_user_coupon(k, "oA", order(Some("X")), JUNE_1),
        Err(Refusal::Param {
            field: "coupon_code",
            ..
        })
    ));

    // API_ASSIGN: the given code, unique per stock, required.
    let mut w = world_with(|s| {
        s["coupon_code_mode"] = "API_ASSIGN".into();
        s["stock_send_rule"]["max_count_per_user"] = 10.into();
    });
    let send_code = |w: &mut World, no: &str, code: Option<&str>| {
        let k = WriteKey::new(BRAND, SEND, no, "oA".into(), &(no, code));
        w.send_user_coupon(k, "oA", order(code), JUNE_1)
            .map(|written| code_of(&serde_json::from_slice(&written.body).unwrap()))
    };
    assert_eq!(
        send_code(&mut w, "send-0001", Some("MINE-1")).unwrap(),
        "MINE-1"
    );
    assert_eq!(
        send_code(&mut w, "send-0002", Some("MINE-1")),
        Err(Refusal::CodeTaken("MINE-1".into()))
    );
    assert!(matches!(
        send_code(&mut w, "send-0003", None),
        Err(Refusal::Param { .. })
    ));
}

#[test]
fn stopped_sending_stocks_refuse_sends() {
    for state in ["PAUSED", "DEACTIVATED", "STOPPED", "AUDITING"] {
        let mut w = world_with(|s| s["state"] = state.into());
        assert!(
            matches!(
                send(&mut w, "oA", "send-0001", JUNE_1),
                Err(Refusal::WrongState(_))
            ),
            "{state}"
        );
    }
    let mut w = world_with(|_| {});
    assert!(send(&mut w, "oA", "send-0001", JUNE_1).is_ok());
    let mut missing = order(None);
    missing.stock_id = "404".into();
    let k = WriteKey::new(BRAND, SEND, "send-0002", "oA".into(), &2);
    assert!(matches!(
        w.send_user_coupon(k, "oA", missing, JUNE_1),
        Err(Refusal::StockMissing(_))
    ));
}

#[test]
fn pre_send_tokens_hold_a_place_and_lapse_after_five_minutes() {
    let mut w = world_with(|_| {}); // max_count_per_user 1
    let pre = |w: &mut World, no: &str, now: i64| {
        let k = WriteKey::new(BRAND, PRE_SEND, no, "oA".into(), &no);
        w.pre_send_user_coupon(k, "oA", order(None), now)
            .map(|written| {
                let v: serde_json::Value = serde_json::from_slice(&written.body).unwrap();
                v["token"].as_str().unwrap().to_string()
            })
    };
    let token = pre(&mut w, "pre-0001", JUNE_1).unwrap();
    // The token holds the user's one place.
    assert!(matches!(
        send(&mut w, "oA", "send-0001", JUNE_1),
        Err(Refusal::SendLimit(_))
    ));
    // 5 minutes later it lapsed: the place is free, the token claims nothing.
    let later = JUNE_1 + PRE_SEND_TOKEN_MILLIS;
    assert_eq!(w.claim_pre_sent(&token, later), None);
    let token2 = pre(&mut w, "pre-0002", later).unwrap();
    let (openid, code) = w.claim_pre_sent(&token2, later + 299_999).unwrap();
    assert_eq!(openid, "oA");
    assert_eq!(w.claim_pre_sent(&token2, later + 1), None, "claimed once");
    let states = w.user_coupon_states("oA", later);
    assert_eq!(states, vec![(code, "CONFIRMING")]);
    let send_event = w.coupon_events().pop().unwrap();
    assert_eq!(
        (send_event.event_type, send_event.send_channel),
        (CouponEventType::Send, "RECEIVE_COMPONENT")
    );
    assert_eq!(send_event.send_request_no, "pre-0002");
    assert_eq!(
        w.get(PC, STOCK)
            .unwrap()
            .sent_count_info
            .as_ref()
            .unwrap()
            .total_count,
        Some(1)
    );
}

#[test]
fn valid_periods_pend_and_expire_by_the_clock() {
    // Valid from 1 day after receipt for 2 days.
    let mut w = world_with(|s| {
        s["single_usage_rule"]["coupon_available_period"]["wait_days_after_receive"] = 1.into();
        s["single_usage_rule"]["coupon_available_period"]["available_days"] = 2.into();
    });
    let sent = send(&mut w, "oA", "send-0001", JUNE_1).unwrap();
    assert_eq!(sent["valid_begin_time"], "2026-06-02T00:00:00+08:00");
    assert_eq!(sent["valid_end_time"], "2026-06-04T00:00:00+08:00");
    let c = code_of(&sent);
    assert_eq!(
        state(w.confirm_user_coupon(key(CONFIRM, "con-0001", "oA", &c), r("oA", &c), JUNE_1))
            .unwrap(),
        "PENDING"
    );
    assert!(matches!(
        state(w.use_user_coupon(
            key(USE, "use-0001", "oA", &c),
            r("oA", &c),
            use_order(),
            JUNE_1
        )),
        Err(Refusal::WrongState(_))
    ));
    let day = 86_400_000;
    assert_eq!(w.user_coupon_states("oA", JUNE_1 + day)[0].1, "EFFECTIVE");
    assert_eq!(
        w.user_coupon_states("oA", JUNE_1 + 3 * day)[0].1,
        "EFFECTIVE"
    );
    assert_eq!(
        w.user_coupon_states("oA", JUNE_1 + 3 * day + 1000)[0].1,
        "EXPIRED"
    );
    assert!(
        matches!(state(w.use_user_coupon(key(USE, "use-0002", "oA", &c), r("oA", &c), use_order(), JUNE_1 + 4 * day)), Err(Refusal::WrongState(m)) if m.contains("EXPIRED"))
    );
    // Without available_days: the stock's period (from receipt, with a wait of 0 days).
    let mut w = world_with(|_| {});
    let sent = send(&mut w, "oA", "send-0001", JUNE_1).unwrap();
    assert_eq!(sent["valid_begin_time"], "2026-06-01T00:00:00+08:00");
    let mut w = world_with(|s| {
        s["single_usage_rule"]["coupon_available_period"]
            .as_object_mut()
            .unwrap()
            .remove("wait_days_after_receive");
    });
    let sent = send(&mut w, "oA", "send-0001", JUNE_1).unwrap();
    assert_eq!(sent["valid_begin_time"], "2026-01-01T00:00:00+08:00");
    assert_eq!(
        w.user_coupon_states("oA", 1_798_732_800_000)[0].1,
        "EXPIRED"
    );
}

#[test]
fn notify_configs_are_per_brand() {
    let mut w = World::default();
    assert_eq!(w.notify_config(BRAND), None);
    w.set_notify_url(BRAND, "https://a.example.com/n", JUNE_1)
        .unwrap();
    let (url, time) = w.notify_config(BRAND).unwrap();
    assert_eq!(
        (url.as_str(), time.as_str()),
        ("https://a.example.com/n", "2026-06-01T00:00:00+08:00")
    );
    assert_eq!(w.notify_config("other"), None);
}
