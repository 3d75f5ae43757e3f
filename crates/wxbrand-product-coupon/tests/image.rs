//! Image upload through the client against the simulator over TLS: a multipart body signed over
//! its `meta` part; a validation error with nothing sent; an API error decoded with its code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{api_code, client_for};

use wxbrand_core::ErrorCode;
use wxbrand_product_coupon::{ProductCouponExt, UploadImageRequest};
use wxbrand_simulator::{Route, Simulator};

const PNG: &[u8] = b"\x89PNG\r\n\x1A\n\0\0\0\rIHDR sdk test image";

#[tokio::test]
async fn an_image_is_uploaded_and_answers_its_url() {
    let sim = Simulator::ephemeral().tls(true).start().await.unwrap();
    let client = client_for(&sim);
    let api = client.product_coupon();

    let request =
        UploadImageRequest::new("coupon.png", PNG.to_vec(), wxbrand_sign::sha256(PNG)).unwrap();
    let answer = api.upload_image(request.clone()).await.unwrap();
    assert!(answer.image_url.starts_with("https://"), "{answer:?}");
    let again = api.upload_image(request).await.unwrap();
    assert_eq!(again.image_url, answer.image_url, "same bytes, same URL");

    // Refused before sending: not an image, an empty file, a name that does not fit.
    let error = UploadImageRequest::new("a.png", b"text".to_vec(), [0; 32]).unwrap_err();
    assert_eq!(error.field(), "file");
    assert_eq!(
        UploadImageRequest::new("a.png", Vec::new(), [0; 32])
            .unwrap_err()
            .field(),
        "file"
    );
    assert_eq!(
        UploadImageRequest::new("a.jpg", PNG.to_vec(), [0; 32])
            .unwrap_err()
            .field(),
        "filename"
    );
    assert_eq!(sim.stats().requests_on(Route::UploadImage), 2);

    // A digest that is not the file's: the API's error, decoded.
    let wrong = UploadImageRequest::new("coupon.png", PNG.to_vec(), [0; 32]).unwrap();
    let error = api.upload_image(wrong).await.unwrap_err();
    assert_eq!(api_code(&error), (400, ErrorCode::ParamError));
    assert_eq!(sim.stats().requests_on(Route::UploadImage), 3);
    sim.shutdown().await;
}
