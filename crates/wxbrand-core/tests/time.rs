//! `Rfc3339`: the texts WeChat Pay sends, kept unchanged, parsed on demand; `from_unix` formatting.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use wxbrand_core::Rfc3339;

fn parse(text: &str) -> (i64, u32, i32) {
    let instant = Rfc3339::new(text)
        .instant()
        .unwrap_or_else(|e| panic!("{text}: {e}"));
    (instant.unix_seconds, instant.nanos, instant.offset_seconds)
}

#[test]
fn accepted_forms() {
    assert_eq!(
        parse("2025-08-01T00:00:00+08:00"),
        (1_753_977_600, 0, 28_800)
    );
    assert_eq!(parse("2025-07-31T16:00:00Z"), (1_753_977_600, 0, 0));
    assert_eq!(parse("2025-07-31T16:00:00z"), (1_753_977_600, 0, 0));
    assert_eq!(parse("2025-01-01T00:00+08:00"), (1_735_660_800, 0, 28_800));
    assert_eq!(parse("2026-11-28T10:15:30.5+08:00").1, 500_000_000);
    assert_eq!(parse("2026-11-01T00:00:00.000+08:00").1, 0);
    assert_eq!(parse("2026-11-01T00:00:00.123456789123Z").1, 123_456_789);
    assert_eq!(parse("1970-01-01T00:00:00Z"), (0, 0, 0));
    assert_eq!(parse("1969-12-31T23:59:59-00:30"), (1_799, 0, -1_800));
    assert_eq!(parse("2024-02-29T12:00:00+05:45").2, 20_700);
    assert_eq!(parse("2025-01-01 00:00:00+08:00").0, 1_735_660_800);
    assert_eq!(parse("2016-12-31T23:59:60Z").0, 1_483_228_800);
}

#[test]
fn rejected_forms() {
    for text in [
        "",
        "2025-08-01",
        "2025-08-01T00:00:00",
        "2025-08-01T00:00:00+0800",
        "2025-08-01T00:00:00+08",
        "2025-13-01T00:00:00Z",
        "2025-02-29T00:00:00Z",
        "2025-04-31T00:00:00Z",
        "2025-08-00T00:00:00Z",
        "2025-08-01T24:00:00Z",
        "2025-08-01T00:60:00Z",
        "2025-08-01T00:00:61Z",
        "2025-08-01T00:00:00.Z",
        "2025-08-01T00:00:00+24:00",
        "2025-08-01T00:00:00Z ",
        "25-08-01T00:00:00Z",
        "2025-08-01T00:00:00+08:00x",
        "２０２５-08-01T00:00:00Z",
        "yesterday",
    ] {
        let error = Rfc3339::new(text).instant().expect_err(text);
        assert!(error.to_string().contains("RFC3339"), "{error}");
    }
}

#[test]
fn text_is_kept_unchanged() {
    for text in [
        "2025-01-01T00:00+08:00",
        "2026-11-01T00:00:00.000+08:00",
        "not a time",
    ] {
        let time: Rfc3339 = serde_json::from_value(serde_json::json!(text)).unwrap();
        assert_eq!(time.as_str(), text);
        assert_eq!(
            serde_json::to_value(&time).unwrap(),
            serde_json::json!(text)
        );
    }
}

#[test]
fn from_unix_formats() {
    assert_eq!(
        Rfc3339::from_unix(1_735_660_800, 8 * 3600).as_str(),
        "2025-01-01T00:00:00+08:00"
    );
    assert_eq!(
        Rfc3339::from_unix(0, 0).as_str(),
        "1970-01-01T00:00:00+00:00"
    );
    assert_eq!(
        Rfc3339::from_unix(-1, 0).as_str(),
        "1969-12-31T23:59:59+00:00"
    );
    assert_eq!(
        Rfc3339::from_unix(951_782_400, 0).as_str(),
        "2000-02-29T00:00:00+00:00"
    );
    assert_eq!(
        Rfc3339::from_unix(1_753_977_600, -(5 * 3600 + 30 * 60)).as_str(),
        "2025-07-31T10:30:00-05:30"
    );
    assert_eq!(
        Rfc3339::from_unix(253_402_300_799, 0).as_str(),
        "9999-12-31T23:59:59+00:00"
    );
    // Extreme inputs do not panic.
    let _ = Rfc3339::from_unix(i64::MAX, i32::MAX);
    let _ = Rfc3339::from_unix(i64::MIN, i32::MIN);
}

#[test]
fn from_unix_then_instant_round_trips() {
    for unix in (-2_000_000_000_i64..4_000_000_000).step_by(7_777_777) {
        for offset in [0, 8 * 3600, -(9 * 3600 + 30 * 60), 23 * 3600 + 59 * 60] {
            let instant = Rfc3339::from_unix(unix, offset).instant().unwrap();
            assert_eq!(
                (instant.unix_seconds, instant.offset_seconds),
                (unix, offset)
            );
        }
    }
}
