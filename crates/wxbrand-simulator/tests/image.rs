//! Image upload over real sockets: multipart/form-data signed over its `meta` part.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use bytes::Bytes;
use common::*;
use http::Request;
use http_body_util::Full;
use wxbrand_simulator::{reason, Route};

const PATH: &str = "/brand/marketing/product-coupon/media/upload-image";
const PNG: &[u8] = b"\x89PNG\r\n\x1A\n\0\0\0\rIHDR simulator test image";

fn sha256_hex(bytes: &[u8]) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes);
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

fn multipart(meta: &str, file: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(b"--BoUnDaRy\r\nContent-Disposition: form-data; name=\"meta\"\r\nContent-Type: application/json\r\n\r\n");
    body.extend_from_slice(meta.as_bytes());
    body.extend_from_slice(b"\r\n--BoUnDaRy\r\nContent-Disposition: form-data; name=\"file\"; filename=\"coupon.png\"\r\nContent-Type: image/png\r\n\r\n");
    body.extend_from_slice(file);
    body.extend_from_slice(b"\r\n--BoUnDaRy--\r\n");
    body
}

/// A request whose signature covers `signed` (the meta JSON, as WeChat Pay wants).
fn request(caller: &Caller, signed: &str, body: Vec<u8>) -> Request<Full<Bytes>> {
    let nonce = wxbrand_sign::generate_nonce();
    let auth = caller
        .signer
        .authorization("POST", PATH, signed.as_bytes(), now(), &nonce)
        .unwrap();
    Request::builder()
        .method("POST")
        .uri(format!("{}{PATH}", caller.base_url))
        .header("Authorization", auth.header_value())
        .header("Accept", "application/json")
        .header("Wechatpay-Serial", &caller.wechatpay_key_id)
        .header("Content-Type", "multipart/form-data; boundary=BoUnDaRy")
        .body(Full::new(Bytes::from(body)))
        .unwrap()
}

#[tokio::test]
async fn an_image_signed_over_its_meta_is_uploaded_and_checked_against_its_sha256() {
    let sim = builder(0).start().await.unwrap();
    let caller = Caller::vectors(&sim);
    let client = client();
    let meta = format!(
        r#"{{"filename":"coupon.png","sha256":"{}"}}"#,
        sha256_hex(PNG)
    );

    let answer = send(&client, request(&caller, &meta, multipart(&meta, PNG))).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    caller
        .verifier
        .verify_response(&answer.headers, &answer.body, now())
        .unwrap();
    let url = answer.json()["image_url"].as_str().unwrap().to_string();
    assert!(url.starts_with("https://"), "{url}");
    // The same bytes, the same URL.
    let again = send(&client, request(&caller, &meta, multipart(&meta, PNG))).await;
    assert_eq!(again.json()["image_url"], url.as_str());

    // A signature over the whole multipart body (not the meta) does not verify.
    let body = multipart(&meta, PNG);
    let whole = String::from_utf8_lossy(&body).to_string();
    send(&client, request(&caller, &whole, body))
        .await
        .assert_error(&caller, 401, "SIGN_ERROR");

    // A file that is not the one meta names; not an image; no file part; wrong content type.
    let other = format!(
        r#"{{"filename":"coupon.png","sha256":"{}"}}"#,
        sha256_hex(b"other")
    );
    let answer = send(&client, request(&caller, &other, multipart(&other, PNG))).await;
    answer.assert_error(&caller, 400, "PARAM_ERROR");
    assert_eq!(answer.json()["detail"]["field"], "sha256");
    let text = b"plain text, not an image";
    let meta_text = format!(r#"{{"filename":"a.png","sha256":"{}"}}"#, sha256_hex(text));
    let answer = send(
        &client,
        request(&caller, &meta_text, multipart(&meta_text, text)),
    )
    .await;
    answer.assert_error(&caller, 400, "PARAM_ERROR");
    assert_eq!(answer.json()["detail"]["field"], "file");
    let mut only_meta = multipart(&meta, PNG);
    let cut = only_meta.windows(6).position(|w| w == b"--BoUn").unwrap();
    let second = cut
        + 6
        + only_meta[cut + 6..]
            .windows(6)
            .position(|w| w == b"--BoUn")
            .unwrap();
    only_meta.truncate(second);
    only_meta.extend_from_slice(b"--BoUnDaRy--\r\n");
    send(&client, request(&caller, &meta, only_meta))
        .await
        .assert_error(&caller, 400, "PARAM_ERROR");
    let broken_meta = r#"{"filename":"coupon.png"}"#;
    let answer = send(
        &client,
        request(&caller, broken_meta, multipart(broken_meta, PNG)),
    )
    .await;
    answer.assert_error(&caller, 400, "PARAM_ERROR");
    assert_eq!(answer.json()["detail"]["field"], "sha256");
    let json = caller.request("POST", PATH, meta.as_bytes());
    send(&client, json)
        .await
        .assert_error(&caller, 400, "INVALID_REQUEST");
    let stats = sim.stats();
    assert_eq!(stats.requests_on(Route::UploadImage), 8);
    assert_eq!(stats.rejections_for(reason::BAD_CONTENT_TYPE), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn an_image_larger_than_the_json_body_cap_is_read() {
    let sim = builder(0).max_body_bytes(1024).start().await.unwrap();
    let caller = Caller::vectors(&sim);
    let mut png = PNG.to_vec();
    png.resize(200 * 1024, 7);
    let meta = format!(
        r#"{{"filename":"big.png","sha256":"{}"}}"#,
        sha256_hex(&png)
    );
    let answer = send(&client(), request(&caller, &meta, multipart(&meta, &png))).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    sim.shutdown().await;
}
