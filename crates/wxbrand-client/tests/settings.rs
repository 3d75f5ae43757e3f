//! Settings: missing and invalid ones are named, secrets never print, the environment is read.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;

#[test]
fn debug_output_holds_no_secrets() {
    let mock = MockTransport::new();
    let clock = ManualClock::new(START);
    let builder = builder(&mock, &clock);
    let client = builder_debug_and_build(builder);
    let shown = format!("{client:?}");
    assert!(shown.contains(BRAND_ID));
    assert!(
        !shown.contains("PRIVATE KEY") && !shown.contains("MII"),
        "{shown}"
    );
}

fn builder_debug_and_build(builder: ClientBuilder) -> Client {
    let shown = format!("{builder:?}");
    assert!(shown.contains("<redacted>"), "{shown}");
    assert!(
        !shown.contains("PRIVATE KEY") && !shown.contains("MII"),
        "{shown}"
    );
    builder.build().unwrap()
}

#[test]
fn missing_settings_are_named() {
    let mock = MockTransport::new();
    let error = Client::builder()
        .transport(Arc::new(mock.clone()))
        .build()
        .unwrap_err();
    assert_eq!(error.setting(), Some("brand_id"));
    let error = Client::builder()
        .brand_id(BRAND_ID)
        .transport(Arc::new(mock.clone()))
        .build()
        .unwrap_err();
    assert_eq!(error.setting(), Some("serial_no"));
    let error = Client::builder()
        .brand_id(BRAND_ID)
        .serial_no("not hex!")
        .transport(Arc::new(mock))
        .build()
        .unwrap_err();
    assert_eq!(error.setting(), Some("serial_no"));
    assert!(error.to_string().contains("serial_no"), "{error}");
}

/// The setting named by the error of building with `configure` applied.
fn refused(
    configure: impl FnOnce(ClientBuilder) -> ClientBuilder,
) -> (Option<&'static str>, String) {
    let mock = MockTransport::new();
    let clock = ManualClock::new(START);
    let error = configure(builder(&mock, &clock)).build().unwrap_err();
    (error.setting(), error.to_string())
}

#[tokio::test]
async fn the_serial_number_must_be_40_hex_characters_of_either_case() {
    for bad in [
        &SERIAL_NO[..39],
        &format!("{SERIAL_NO}0"),
        "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8G",
        "1DDE55AD98",
    ] {
        let (setting, text) = refused(|b| b.serial_no(bad));
        assert_eq!(setting, Some("serial_no"), "{bad}");
        assert!(text.contains("serial_no") && text.contains("40"), "{text}");
    }
    // Lower case is accepted and sent as given.
    let mock = MockTransport::new();
    let clock = ManualClock::new(START);
    let lower = SERIAL_NO.to_ascii_lowercase();
    let client = builder(&mock, &clock).serial_no(&lower).build().unwrap();
    mock.push_response(ok_stock());
    client.send(&deactivate()).await.unwrap();
    let request = mock.last_request().unwrap();
    let header = request.headers()["authorization"].to_str().unwrap();
    assert_eq!(AuthorizationParams::parse(header).unwrap().serial_no, lower);
}

#[test]
fn the_public_key_id_must_be_pub_key_id_and_digits() {
    for bad in [
        "PUB_KEY_ID_",
        "PUB_KEY_ID_01123456782025010100000000000000O1",
        "pub_key_id_0112345678202501010000000000000001",
        " PUB_KEY_ID_0112345678202501010000000000000001",
        SERIAL_NO,
        "/etc/wechatpay/pub_key.pem",
    ] {
        let (setting, text) = refused(|b| b.wechatpay_public_key(bad, wechatpay_public_key()));
        // `builder` adds a valid key first: the second one is checked too.
        assert_eq!(setting, Some("wechatpay_public_key"), "{bad}");
        assert!(text.contains("PUB_KEY_ID_ followed by digits"), "{text}");
    }
    // As the simulator makes them (32 digits) and as in the test vectors.
    let mock = MockTransport::new();
    for good in [format!("PUB_KEY_ID_{}", "7".repeat(32)), KEY_ID.to_owned()] {
        Client::builder()
            .brand_id(BRAND_ID)
            .serial_no(SERIAL_NO)
            .private_key(brand_key())
            .wechatpay_public_key(good, wechatpay_public_key())
            .transport(Arc::new(mock.clone()))
            .build()
            .unwrap();
    }
}

#[test]
fn the_verification_window_is_1_to_300_seconds() {
    for bad in [0, -1, 301, i64::MAX, i64::MIN] {
        let (setting, text) = refused(|b| b.verification_window_seconds(bad));
        assert_eq!(setting, Some("verification_window_seconds"), "{bad}");
        assert!(text.contains("1 to 300 seconds"), "{text}");
    }
    let mock = MockTransport::new();
    let clock = ManualClock::new(START);
    for good in [1, 60, 300] {
        builder(&mock, &clock)
            .verification_window_seconds(good)
            .build()
            .unwrap();
    }
}

#[test]
fn environment_configuration_reads_key_files_and_names_variables() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/vectors/keys");
    let env = |overrides: &[(&str, &str)]| {
        let mut vars: std::collections::HashMap<String, String> = [
            ("WXBRAND_BRAND_ID", BRAND_ID.to_owned()),
            ("WXBRAND_SERIAL_NO", SERIAL_NO.to_owned()),
            (
                "WXBRAND_PRIVATE_KEY_PATH",
                format!("{dir}/brand_private_key_pkcs1.pem"),
            ),
            ("WXBRAND_PUBLIC_KEY_ID", KEY_ID.to_owned()),
            (
                "WXBRAND_PUBLIC_KEY_PATH",
                format!("{dir}/wechatpay_public_key.pem"),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        for (k, v) in overrides {
            vars.insert((*k).to_owned(), (*v).to_owned());
        }
        move |name: &str| vars.get(name).cloned()
    };
    let mock = MockTransport::new();
    let client = wxbrand_client::ClientBuilder::from_lookup(env(&[(
        "WXBRAND_BASE_URL",
        "https://proxy.test/",
    )]))
    .unwrap()
    .transport(Arc::new(mock))
    .build()
    .unwrap();
    assert_eq!(client.main_url(), "https://proxy.test");
    assert_eq!(client.backup_url(), None);

    let default_hosts = wxbrand_client::ClientBuilder::from_lookup(env(&[]))
        .unwrap()
        .transport(Arc::new(MockTransport::new()))
        .build()
        .unwrap();
    assert_eq!(default_hosts.main_url(), "https://api.mch.weixin.qq.com");
    assert_eq!(
        default_hosts.backup_url(),
        Some("https://api2.mch.weixin.qq.com")
    );

    // A public key given where the private key belongs: the error names the variable and advises.
    let wrong = format!("{dir}/brand_public_key.pem");
    let error =
        wxbrand_client::ClientBuilder::from_lookup(env(&[("WXBRAND_PRIVATE_KEY_PATH", &wrong)]))
            .unwrap_err();
    assert_eq!(error.setting(), Some("WXBRAND_PRIVATE_KEY_PATH"));
    assert!(
        error.to_string().contains("brand_public_key.pem"),
        "{error}"
    );

    let error = wxbrand_client::ClientBuilder::from_lookup(env(&[(
        "WXBRAND_BASE_URL",
        "api.mch.weixin.qq.com",
    )]))
    .unwrap()
    .transport(Arc::new(MockTransport::new()))
    .build()
    .unwrap_err();
    assert_eq!(error.setting(), Some("WXBRAND_BASE_URL"));
    let error = wxbrand_client::ClientBuilder::from_lookup(env(&[("WXBRAND_SERIAL_NO", "xyz")]))
        .unwrap()
        .transport(Arc::new(MockTransport::new()))
        .build()
        .unwrap_err();
    assert_eq!(error.setting(), Some("WXBRAND_SERIAL_NO"));
    let error = wxbrand_client::ClientBuilder::from_lookup(env(&[(
        "WXBRAND_PUBLIC_KEY_ID",
        "PUB_KEY_ID_x",
    )]))
    .unwrap()
    .transport(Arc::new(MockTransport::new()))
    .build()
    .unwrap_err();
    assert_eq!(error.setting(), Some("WXBRAND_PUBLIC_KEY_ID"));
    assert!(
        error.to_string().contains("WXBRAND_PUBLIC_KEY_ID"),
        "{error}"
    );
}
