//! Validation tables at every boundary.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use wxbrand_core::error::ValidationRule;
use wxbrand_core::product_coupon::{DeactivateStockRequest, GetStockRequest, ListStocksRequest};
use wxbrand_core::ValidationError;

const GOOD_NO: &str = "34657_20250101_123456";

fn deactivate(
    coupon: &str,
    stock: &str,
    no: &str,
    reason: &str,
) -> Result<DeactivateStockRequest, ValidationError> {
    DeactivateStockRequest::new(coupon, stock, no, reason)
}

fn rule_of(result: Result<impl std::fmt::Debug, ValidationError>, field: &str) -> ValidationRule {
    let error = result.expect_err("must be rejected");
    assert_eq!(error.field(), field, "{error}");
    assert!(error.to_string().starts_with(field), "{error}");
    assert!(error.given_prefix().chars().count() <= 16, "{error}");
    error.rule().clone()
}

#[test]
fn ids_at_their_boundaries() {
    let forty = "1".repeat(40);
    let forty_one = "1".repeat(41);
    let forty_multi_byte = "批".repeat(40);
    for field in ["product_coupon_id", "stock_id"] {
        let with = |id: &str| {
            if field == "product_coupon_id" {
                (
                    deactivate(id, "1", GOOD_NO, "r"),
                    GetStockRequest::new(id, "1"),
                )
            } else {
                (
                    deactivate("1", id, GOOD_NO, "r"),
                    GetStockRequest::new("1", id),
                )
            }
        };
        for ok in [forty.as_str(), "1", forty_multi_byte.as_str(), "a b.c~%"] {
            let (d, g) = with(ok);
            assert!(d.is_ok() && g.is_ok(), "{field} {ok:?}");
        }
        let cases: [(&str, ValidationRule); 7] = [
            (
                ".",
                ValidationRule::ForbiddenCharacter {
                    character: '.',
                    index: 0,
                },
            ),
            (
                "..",
                ValidationRule::ForbiddenCharacter {
                    character: '.',
                    index: 0,
                },
            ),
            ("", ValidationRule::Empty),
            (
                &forty_one,
                ValidationRule::TooLong {
                    max: 40,
                    actual: 41,
                },
            ),
            (
                "12/34",
                ValidationRule::ForbiddenCharacter {
                    character: '/',
                    index: 2,
                },
            ),
            (
                "12\n34",
                ValidationRule::ForbiddenCharacter {
                    character: '\n',
                    index: 2,
                },
            ),
            (
                "\u{7f}",
                ValidationRule::ForbiddenCharacter {
                    character: '\u{7f}',
                    index: 0,
                },
            ),
        ];
        for (bad, rule) in cases {
            let (d, g) = with(bad);
            assert_eq!(rule_of(d, field), rule, "{field} {bad:?}");
            assert_eq!(rule_of(g, field), rule, "{field} {bad:?}");
        }
    }
    assert!(ListStocksRequest::new("").is_err());
    assert!(ListStocksRequest::new("a/b").is_err());
    assert!(ListStocksRequest::new(forty).is_ok());
}

#[test]
fn out_request_no_at_its_boundaries() {
    for ok in [
        "123456",
        "a".repeat(40).as_str(),
        "AZaz09_-",
        "------",
        "______",
    ] {
        assert!(deactivate("1", "2", ok, "r").is_ok(), "{ok:?}");
    }
    assert_eq!(
        rule_of(deactivate("1", "2", "12345", "r"), "out_request_no"),
        ValidationRule::TooShort { min: 6, actual: 5 }
    );
    assert_eq!(
        rule_of(deactivate("1", "2", &"a".repeat(41), "r"), "out_request_no"),
        ValidationRule::TooLong {
            max: 40,
            actual: 41
        }
    );
    assert_eq!(
        rule_of(deactivate("1", "2", "", "r"), "out_request_no"),
        ValidationRule::Empty
    );
    // Every forbidden class: space, punctuation, other symbols, control, non-ASCII letters and digits.
    for forbidden in [
        ' ', '.', '/', '+', '=', '~', '@', '#', '%', '\t', '\0', 'é', '批', '１', '٣', '😀',
    ] {
        let value = format!("abc{forbidden}def");
        let rule = rule_of(deactivate("1", "2", &value, "r"), "out_request_no");
        assert_eq!(
            rule,
            ValidationRule::ForbiddenCharacter {
                character: forbidden,
                index: 3
            },
            "{value:?}"
        );
    }
    // Length counts characters: six multi-byte characters pass the length check, then fail the character check.
    assert_eq!(
        rule_of(deactivate("1", "2", "批批批批批批", "r"), "out_request_no"),
        ValidationRule::ForbiddenCharacter {
            character: '批',
            index: 0
        }
    );
}

#[test]
fn deactivate_reason_counts_characters_not_bytes() {
    let reason_150 = "批".repeat(150);
    assert!(deactivate("1", "2", GOOD_NO, &reason_150).is_ok());
    assert!(deactivate("1", "2", GOOD_NO, &"😀".repeat(150)).is_ok());
    assert!(deactivate("1", "2", GOOD_NO, "x").is_ok());
    assert_eq!(
        rule_of(deactivate("1", "2", GOOD_NO, ""), "deactivate_reason"),
        ValidationRule::Empty
    );
    assert_eq!(
        rule_of(
            deactivate("1", "2", GOOD_NO, &"批".repeat(151)),
            "deactivate_reason"
        ),
        ValidationRule::TooLong {
            max: 150,
            actual: 151
        }
    );
}

#[test]
fn page_size_page_token_and_bundle_id() {
    let list = || ListStocksRequest::new("1").unwrap();
    for ok in [1, 20, 50] {
        assert!(list().page_size(ok).is_ok());
    }
    for bad in [0, 51, u32::MAX] {
        assert_eq!(
            rule_of(list().page_size(bad), "page_size"),
            ValidationRule::OutOfRange {
                min: 1,
                max: 50,
                actual: i64::from(bad)
            }
        );
    }
    assert!(list().page_token("a/b+c==").is_ok());
    assert!(list().page_token("t".repeat(256)).is_ok());
    assert_eq!(
        rule_of(list().page_token(""), "page_token"),
        ValidationRule::Empty
    );
    assert_eq!(
        rule_of(list().page_token("t".repeat(257)), "page_token"),
        ValidationRule::TooLong {
            max: 256,
            actual: 257
        }
    );
    assert_eq!(
        rule_of(list().page_token("ab\r"), "page_token"),
        ValidationRule::ForbiddenCharacter {
            character: '\r',
            index: 2
        }
    );
    assert!(list().stock_bundle_id("1".repeat(40)).is_ok());
    assert_eq!(
        rule_of(list().stock_bundle_id("1".repeat(41)), "stock_bundle_id"),
        ValidationRule::TooLong {
            max: 40,
            actual: 41
        }
    );
    assert_eq!(
        rule_of(list().stock_bundle_id(""), "stock_bundle_id"),
        ValidationRule::Empty
    );
    assert!(list().stock_bundle_id("a/b").is_err());
}

#[test]
fn messages_read_well_and_echo_only_a_prefix() {
    let message =
        |result: Result<DeactivateStockRequest, ValidationError>| result.unwrap_err().to_string();
    assert_eq!(
        message(deactivate("1", "2", "abcde", "r")),
        "out_request_no must be 6 to 40 characters of [0-9A-Za-z_-]; got 5 characters: \"abcde\""
    );
    assert_eq!(
        message(deactivate("1", "2", "abc def", "r")),
        "out_request_no must be 6 to 40 characters of [0-9A-Za-z_-]; got ' ' (U+0020) at character 3: \"abc def\""
    );
    assert_eq!(
        message(deactivate("1", "2", GOOD_NO, "")),
        "deactivate_reason must be 1 to 150 characters; got an empty value"
    );
    assert_eq!(
        message(deactivate("1", "2", GOOD_NO, &"批".repeat(151))),
        format!(
            "deactivate_reason must be 1 to 150 characters; got 151 characters: \"{}…\"",
            "批".repeat(16)
        )
    );
    assert_eq!(
        message(deactivate("1/2", "2", GOOD_NO, "r")),
        "product_coupon_id must be 1 to 40 characters, without control characters or '/', and not \".\" or \"..\"; got '/' (U+002F) at character 1: \"1/2\""
    );
    assert_eq!(
        message(deactivate("1\n", "2", GOOD_NO, "r")),
        "product_coupon_id must be 1 to 40 characters, without control characters or '/', and not \".\" or \"..\"; got '\\n' (U+000A) at character 1: \"1\\n\""
    );
    let page = ListStocksRequest::new("1")
        .unwrap()
        .page_size(0)
        .unwrap_err();
    assert_eq!(
        page.to_string(),
        "page_size must be between 1 and 50; got 0"
    );

    let secret = format!("{}{}", "s".repeat(16), "TAIL_NOT_ECHOED");
    let error = deactivate("1", "2", GOOD_NO, &format!("{secret}{}", "x".repeat(150))).unwrap_err();
    assert_eq!(error.given_prefix(), "s".repeat(16));
    assert!(!error.to_string().contains("TAIL"));
}
