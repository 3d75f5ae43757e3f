//! Requests signed as WeChat Pay expects are accepted, act once, page correctly, and every answer
//! verifies with wxbrand-sign's Verifier.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::HashSet;

use common::*;
use wxbrand_core::product_coupon::{StockEntity, StockState};
use wxbrand_core::Rfc3339;
use wxbrand_simulator::clock::ManualClock;
use wxbrand_simulator::{reason, sample_stock, Simulator};

#[tokio::test]
async fn deactivation_signed_with_the_vector_keys_is_accepted_and_verifies() {
    let sim = builder(2).start().await.unwrap();
    let caller = Caller::vectors(&sim);
    let client = client();

    let answer = send(
        &client,
        caller.deactivate_request(&stock_id(1), "34657_20250101_123456"),
    )
    .await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    let verified = caller
        .verifier
        .verify_response(&answer.headers, &answer.body, now())
        .unwrap();
    assert_eq!(verified.key_id, sim.wechatpay_public_key_id());
    assert_eq!(
        answer.headers["wechatpay-signature-type"],
        "WECHATPAY-BRAND-SHA256-RSA2048"
    );
    assert!(answer.request_id().starts_with("08SIM"));
    assert_eq!(answer.errno(), 0);

    let stock: StockEntity = serde_json::from_slice(&answer.body).unwrap();
    assert_eq!(stock.state, StockState::Deactivated);
    assert_eq!(
        stock.deactivate_request_no.as_deref(),
        Some("34657_20250101_123456")
    );
    assert_eq!(
        stock.deactivate_reason.as_deref(),
        Some("批次信息有误,重新创建")
    );
    let time = stock.deactivate_time.clone().unwrap();
    assert!(time.as_str().ends_with("+08:00"), "{}", time.as_str());
    assert!((time.instant().unwrap().unix_seconds - now()).abs() < 5);

    // The snapshot agrees, the other stock is untouched, the transition was counted once.
    assert_eq!(sim.stock(COUPON, &stock_id(1)).unwrap(), stock);
    assert_eq!(
        sim.stock(COUPON, &stock_id(2)).unwrap().state,
        StockState::Sending
    );
    let stats = sim.stats();
    assert_eq!(stats.deactivations_of(COUPON, &stock_id(1)), 1);
    assert_eq!(stats.transitions.len(), 1);
    assert_eq!(stats.requests_received, 1);
    assert_eq!(stats.answers_with_status(200), 1);
    sim.shutdown().await;
}

#[tokio::test(flavor = "current_thread")]
async fn get_stock_answers_the_stock_and_works_on_a_current_thread_runtime() {
    let seed: StockEntity = serde_json::from_str(seed_example_json()).unwrap();
    let sim = builder(0).stock(seed.clone()).start().await.unwrap();
    let caller = Caller::vectors(&sim);
    let path = format!(
        "{PREFIX}/{}/stocks/{}",
        seed.product_coupon_id, seed.stock_id
    );
    let answer = send(&client(), caller.request("GET", &path, b"")).await;
    assert_eq!(answer.status, 200);
    caller
        .verifier
        .verify_response(&answer.headers, &answer.body, now())
        .unwrap();
    let got: StockEntity = serde_json::from_slice(&answer.body).unwrap();
    assert_eq!(got, seed);
}

#[tokio::test]
async fn repeating_a_request_number_returns_the_same_answer_and_acts_once() {
    let sim = builder(2).start().await.unwrap();
    let caller = Caller::vectors(&sim);
    let client = client();

    let first = send(
        &client,
        caller.deactivate_request(&stock_id(1), "repeat_0001"),
    )
    .await;
    assert_eq!(first.status, 200);
    // Same number, even with another reason: the same answer, nothing changes.
    let body = deactivate_body("repeat_0001", "another reason");
    let again = send(
        &client,
        caller.request(
            "POST",
            &deactivate_path(COUPON, &stock_id(1)),
            body.as_bytes(),
        ),
    )
    .await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body, first.body);
    caller
        .verifier
        .verify_response(&again.headers, &again.body, now())
        .unwrap();

    // A new number on the deactivated stock is refused.
    let refused = send(
        &client,
        caller.deactivate_request(&stock_id(1), "repeat_0002"),
    )
    .await;
    refused.assert_error(&caller, 400, "INVALID_REQUEST");

    // The first number on another stock is refused (request numbers are unique per brand).
    let reused = send(
        &client,
        caller.deactivate_request(&stock_id(2), "repeat_0001"),
    )
    .await;
    reused.assert_error(&caller, 400, "INVALID_REQUEST");
    assert_eq!(
        sim.stock(COUPON, &stock_id(2)).unwrap().state,
        StockState::Sending
    );

    let stats = sim.stats();
    assert_eq!(stats.deactivations_of(COUPON, &stock_id(1)), 1);
    assert_eq!(stats.deactivations_of(COUPON, &stock_id(2)), 0);
    assert_eq!(stats.rejections("INVALID_REQUEST"), 2);
    assert_eq!(stats.rejections_for(reason::INVALID_STATE), 1);
    assert_eq!(stats.rejections_for(reason::OUT_REQUEST_NO_REUSED), 1);
}

#[tokio::test]
async fn a_paused_stock_can_be_deactivated() {
    let paused = sample_stock(COUPON, "400000001", StockState::Paused).unwrap();
    let sim = builder(0).stock(paused).start().await.unwrap();
    let caller = Caller::vectors(&sim);
    let answer = send(
        &client(),
        caller.deactivate_request("400000001", "paused_0001"),
    )
    .await;
    assert_eq!(answer.status, 200);
    let t = &sim.stats().transitions[0];
    assert_eq!(
        (t.from.clone(), t.to.clone()),
        (StockState::Paused, StockState::Deactivated)
    );
    assert_eq!(t.brand_id, vectors().brand_id);
}

#[tokio::test]
async fn deactivate_time_comes_from_the_simulator_clock() {
    let clock = ManualClock::at_unix_seconds(1_767_225_600); // 2026-01-01T00:00:00Z
    let sim = builder(1).clock(clock.clone()).start().await.unwrap();
    let caller = Caller::vectors(&sim);
    let request = caller.request_at(
        "POST",
        &deactivate_path(COUPON, &stock_id(1)),
        deactivate_body("clock_0001", "x").as_bytes(),
        1_767_225_600,
    );
    let answer = send(&client(), request).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    assert_eq!(answer.headers["wechatpay-timestamp"], "1767225600");
    caller
        .verifier
        .verify_response(&answer.headers, &answer.body, 1_767_225_600)
        .unwrap();
    let stock: StockEntity = serde_json::from_slice(&answer.body).unwrap();
    assert_eq!(
        stock.deactivate_time,
        Some(Rfc3339::new("2026-01-01T08:00:00+08:00"))
    );
}

async fn walk(
    caller: &Caller,
    client: &RawClient,
    query: &str,
    page_size: usize,
) -> (Vec<String>, Vec<u64>) {
    let mut seen = Vec::new();
    let mut totals = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..100 {
        let mut q = format!("page_size={page_size}{query}");
        if let Some(t) = &token {
            q.push_str(&format!("&page_token={t}"));
        }
        let answer = send(
            client,
            caller.request("GET", &format!("{PREFIX}/{COUPON}/stocks?{q}"), b""),
        )
        .await;
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        caller
            .verifier
            .verify_response(&answer.headers, &answer.body, now())
            .unwrap();
        let page = answer.json();
        totals.push(page["total_count"].as_u64().unwrap());
        let list = page["stock_list"].as_array().unwrap();
        assert!(list.len() <= page_size);
        seen.extend(
            list.iter()
                .map(|s| s["stock_id"].as_str().unwrap().to_string()),
        );
        match page.get("next_page_token") {
            None => return (seen, totals),
            Some(t) => token = Some(t.as_str().unwrap().to_string()),
        }
    }
    panic!("paging did not end");
}

#[tokio::test]
async fn paging_walks_every_stock_once() {
    let mut stocks = sending_stocks(47);
    // Three paused ones and a stock of another coupon, which never shows up.
    for i in 48..=50 {
        stocks.push(sample_stock(COUPON, &stock_id(i), StockState::Paused).unwrap());
    }
    stocks.push(sample_stock("999999999", "999000001", StockState::Sending).unwrap());
    let sim = builder(0).stocks(stocks).start().await.unwrap();
    let caller = Caller::vectors(&sim);
    let client = client();

    for page_size in [1, 7, 20, 50] {
        let (seen, totals) = walk(&caller, &client, "", page_size).await;
        assert_eq!(seen.len(), 50, "page size {page_size}");
        assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 50);
        assert!(totals.iter().all(|t| *t == 50));
    }
    // Default page size is 20.
    let answer = send(
        &client,
        caller.request("GET", &format!("{PREFIX}/{COUPON}/stocks"), b""),
    )
    .await;
    assert_eq!(answer.json()["stock_list"].as_array().unwrap().len(), 20);

    let (paused, totals) = walk(&caller, &client, "&state=PAUSED", 2).await;
    assert_eq!(paused, vec![stock_id(48), stock_id(49), stock_id(50)]);
    assert_eq!(totals, vec![3, 3]);
}

#[tokio::test]
async fn listing_filters_by_stock_bundle() {
    let newer: StockEntity = serde_json::from_str(newer_shape_json()).unwrap();
    let coupon = newer.product_coupon_id.clone();
    let plain = sample_stock(&coupon, "1000000013999", StockState::Sending).unwrap();
    let sim = builder(0)
        .stock(newer.clone())
        .stock(plain)
        .start()
        .await
        .unwrap();
    let caller = Caller::vectors(&sim);
    let path = format!("{PREFIX}/{coupon}/stocks?stock_bundle_id=1000000013000");
    let answer = send(&client(), caller.request("GET", &path, b"")).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    let page = answer.json();
    assert_eq!(page["total_count"], 1);
    assert_eq!(page["stock_list"][0]["stock_id"], newer.stock_id.as_str());
    // Unknown fields of the newer shape survive the round trip.
    assert_eq!(
        page["stock_list"][0]["brand_new_field_from_a_later_api_version"]["flag"],
        true
    );
    assert!(page.get("next_page_token").is_none());
}

#[tokio::test]
async fn stocks_load_from_json_values_arrays_and_files() {
    let array = format!("[{}, {}]", seed_example_json(), newer_shape_json());
    let sim = builder(0)
        .stocks_from_json(&array)
        .unwrap()
        .stocks_from_file(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../testdata/vectors/stock_entity_seed_example.json"
        ))
        .unwrap()
        .start()
        .await
        .unwrap();
    assert_eq!(sim.stock_count(), 2);
    assert!(builder(0).stocks_from_json("{not json").is_err());
}

#[tokio::test]
async fn ephemeral_brand_and_generated_wechatpay_key_work_together() {
    let sim = Simulator::ephemeral()
        .stock(sample_stock(COUPON, "500000001", StockState::Sending).unwrap())
        .start()
        .await
        .unwrap();
    let brand = sim.ephemeral_brand().unwrap().clone();
    assert!(brand
        .private_key_pem()
        .starts_with("-----BEGIN PRIVATE KEY-----"));
    assert!(!format!("{brand:?}").contains("PRIVATE"));
    assert!(!format!("{sim:?}").contains("PRIVATE"));
    assert_eq!(brand.serial_no().len(), 40);
    assert!(sim.wechatpay_public_key_id().starts_with("PUB_KEY_ID_"));
    assert_eq!(
        sim.wechatpay_public_key_id().len(),
        "PUB_KEY_ID_".len() + 32
    );

    // A client configured from what the handle hands out (PEM text, as a user would).
    let key = wxbrand_sign::PrivateKey::from_pem(brand.private_key_pem().as_bytes()).unwrap();
    let public =
        wxbrand_sign::PublicKey::from_pem(sim.wechatpay_public_key_pem().as_bytes()).unwrap();
    let caller = Caller {
        signer: wxbrand_sign::Signer::new(brand.brand_id(), brand.serial_no(), key),
        wechatpay_key_id: sim.wechatpay_public_key_id().to_string(),
        base_url: sim.base_url().to_string(),
        verifier: wxbrand_sign::Verifier::new(sim.wechatpay_public_key_id(), public),
    };
    let answer = send(
        &client(),
        caller.deactivate_request("500000001", "ephemeral_01"),
    )
    .await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    caller
        .verifier
        .verify_response(&answer.headers, &answer.body, now())
        .unwrap();
}

#[tokio::test]
async fn a_simulator_needs_a_brand() {
    let err = Simulator::builder().start().await.unwrap_err();
    assert_eq!(err.kind(), wxbrand_simulator::SimulatorErrorKind::Config);
}

#[tokio::test]
async fn several_brands_and_serials_are_told_apart() {
    let v = vectors();
    // A second brand; any other RSA key will do, so it borrows the vector WeChat Pay key pair.
    let (other_id, other_serial) = ("120999", "0000000000000000000000000000000000000003");
    let second_serial = "0000000000000000000000000000000000000002";
    let sim = builder(2)
        .brand(v.brand_id.clone(), second_serial, v.brand_public.clone())
        .brand(other_id, other_serial, v.wechatpay_public.clone())
        .start()
        .await
        .unwrap();
    let client = client();
    let mut caller = Caller::vectors(&sim);
    // The vector brand under its second serial.
    caller.signer =
        wxbrand_sign::Signer::new(v.brand_id.clone(), second_serial, v.brand_private.clone());
    assert_eq!(
        send(
            &client,
            caller.deactivate_request(&stock_id(1), "brand_a_0001")
        )
        .await
        .status,
        200
    );
    // The other brand with its own key; its request numbers are its own.
    caller.signer = wxbrand_sign::Signer::new(other_id, other_serial, v.wechatpay_private.clone());
    assert_eq!(
        send(
            &client,
            caller.deactivate_request(&stock_id(2), "brand_a_0001")
        )
        .await
        .status,
        200
    );
    // The other brand's serial under the vector brand id is refused.
    caller.signer =
        wxbrand_sign::Signer::new(v.brand_id, other_serial, v.wechatpay_private.clone());
    send(
        &client,
        caller.request("GET", &format!("{PREFIX}/{COUPON}/stocks"), b""),
    )
    .await
    .assert_error(&caller, 401, "SIGN_ERROR");
    assert_eq!(sim.stats().rejections_for(reason::UNKNOWN_SERIAL), 1);
}
