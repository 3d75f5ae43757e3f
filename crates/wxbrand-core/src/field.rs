//! Validated field types: each rule of the API's fields written once, in the type that holds the
//! value, so a request built from them cannot hold an invalid value.
//!
//! Constructors report errors without a field name; the request (or nested object) that holds the
//! value names it with [`WithinField::within`], and every enclosing object adds its own, so the
//! error reads `stock.stock_send_rule.max_count_per_user must be …`.
//!
//! The types serialize as their plain value and deserialize through the same rule (a simulator or
//! a server decoding a request body gets the same checks).
//!
//! ```
//! use wxbrand_core::field::{Id, OutRequestNo, Text, WithinField};
//!
//! let id = Id::new("123456789")?;
//! assert_eq!(id.as_str(), "123456789");
//! let error = OutRequestNo::new("abc").within("out_request_no").unwrap_err();
//! assert_eq!(error.field(), "out_request_no");
//! let error = Text::<1, 5>::new("too long").within("remark").within("stock").unwrap_err();
//! assert_eq!(error.field(), "stock.remark");
//! assert!(error.to_string().starts_with("stock.remark must be 1 to 5 characters"), "{error}");
//! # Ok::<(), wxbrand_core::ValidationError>(())
//! ```

use std::fmt;

use crate::error::{ValidationError, ValidationRule};
use crate::validate::{
    allowed_chars, char_count, count_rule, ID_MAX_CHARS, OUT_REQUEST_NO_MAX_CHARS,
    OUT_REQUEST_NO_MIN_CHARS, PAGE_SIZE_MAX, PAGE_SIZE_MIN, PAGE_TOKEN_MAX_CHARS,
};

/// Names the field of a validation error: `Id::new(x).within("stock_id")?`.
pub trait WithinField {
    /// Puts the error's field inside `field` (see [`ValidationError::within`]).
    fn within(self, field: &'static str) -> Self;
}

impl<T> WithinField for Result<T, ValidationError> {
    fn within(self, field: &'static str) -> Self {
        self.map_err(|error| error.within(field))
    }
}

/// Declares a validated text type: the struct, its constructor through `$check`, accessors,
/// `Display`, `AsRef<str>`, `TryFrom<String>`/`TryFrom<&str>`, `Serialize` and `Deserialize`.
macro_rules! validated_text {
    ($(#[$meta:meta])* $name:ident $(<$(const $param:ident: usize),+>)?, $check:path) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name $(<$(const $param: usize),+>)? (String);

        impl $(<$(const $param: usize),+>)? $name $(<$($param),+>)? {
            /// Checks `value` against the rule; the error names no field yet (see [`WithinField`]).
            pub fn new(value: impl Into<String>) -> Result<Self, ValidationError> {
                let value = value.into();
                $check(&value $($(, $param)+)?)?;
                Ok($name(value))
            }
            /// The value.
            pub fn as_str(&self) -> &str {
                &self.0
            }
            /// The value, owned.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl $(<$(const $param: usize),+>)? fmt::Display for $name $(<$($param),+>)? {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl $(<$(const $param: usize),+>)? AsRef<str> for $name $(<$($param),+>)? {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl $(<$(const $param: usize),+>)? TryFrom<String> for $name $(<$($param),+>)? {
            type Error = ValidationError;
            fn try_from(value: String) -> Result<Self, ValidationError> {
                Self::new(value)
            }
        }

        impl $(<$(const $param: usize),+>)? TryFrom<&str> for $name $(<$($param),+>)? {
            type Error = ValidationError;
            fn try_from(value: &str) -> Result<Self, ValidationError> {
                Self::new(value)
            }
        }

        impl $(<$(const $param: usize),+>)? serde::Serialize for $name $(<$($param),+>)? {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de $($(, const $param: usize)+)?> serde::Deserialize<'de> for $name $(<$($param),+>)? {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <String as serde::Deserialize>::deserialize(deserializer)?;
                Self::new(value).map_err(serde::de::Error::custom)
            }
        }
    };
}

const ID_REQUIREMENT: &str =
    "1 to 40 characters, without control characters or '/', and not \".\" or \"..\"";
const OUT_REQUEST_NO_REQUIREMENT: &str = "6 to 40 characters of [0-9A-Za-z_-]";
const PAGE_TOKEN_REQUIREMENT: &str = "1 to 256 characters without control characters";
const PAGE_SIZE_REQUIREMENT: &str = "between 1 and 50";

fn check_id(value: &str) -> Result<(), ValidationError> {
    char_count("", value, 1, ID_MAX_CHARS, ID_REQUIREMENT)?;
    allowed_chars("", value, ID_REQUIREMENT, |c| !c.is_control() && c != '/')?;
    if value == "." || value == ".." {
        let rule = ValidationRule::ForbiddenCharacter {
            character: '.',
            index: 0,
        };
        return Err(ValidationError::new("", rule, value).with_requirement(ID_REQUIREMENT));
    }
    Ok(())
}

fn check_out_request_no(value: &str) -> Result<(), ValidationError> {
    char_count(
        "",
        value,
        OUT_REQUEST_NO_MIN_CHARS,
        OUT_REQUEST_NO_MAX_CHARS,
        OUT_REQUEST_NO_REQUIREMENT,
    )?;
    allowed_chars("", value, OUT_REQUEST_NO_REQUIREMENT, |c| {
        c.is_ascii_alphanumeric() || c == '_' || c == '-'
    })
}

fn check_text(value: &str, min: usize, max: usize) -> Result<(), ValidationError> {
    match count_rule(value, min, max) {
        None => Ok(()),
        Some(rule) => Err(ValidationError::new("", rule, value)
            .with_requirement(format!("{min} to {max} characters"))),
    }
}

fn check_page_token(value: &str) -> Result<(), ValidationError> {
    char_count("", value, 1, PAGE_TOKEN_MAX_CHARS, PAGE_TOKEN_REQUIREMENT)?;
    allowed_chars("", value, PAGE_TOKEN_REQUIREMENT, |c| !c.is_control())
}

validated_text! {
    /// An id WeChat Pay generates (`product_coupon_id`, `stock_id`, `stock_bundle_id`), sent in a
    /// path segment or a query: 1 to 40 characters, no control character, no `/`, and not the
    /// dot-segments `.` or `..` (which a proxy could resolve to another path; they are reported as
    /// a forbidden `.` at index 0).
    Id, check_id
}

/// Longest `openid`. WeChat Pay's docs describe an openid as 28 characters starting with `o`; other
/// WeChat id families are longer, so the SDK allows up to 128 and leaves the exact shape to WeChat Pay.
pub const OPENID_MAX_CHARS: usize = 128;
/// Longest `notify_url`.
pub const NOTIFY_URL_MAX_CHARS: usize = 256;

const OPENID_REQUIREMENT: &str = "1 to 128 characters of [0-9A-Za-z_-] (an openid of the appid)";
const COUPON_CODE_REQUIREMENT: &str =
    "1 to 40 characters without whitespace, control characters or '/', and not \".\" or \"..\"";

fn check_openid(value: &str) -> Result<(), ValidationError> {
    char_count("", value, 1, OPENID_MAX_CHARS, OPENID_REQUIREMENT)?;
    allowed_chars("", value, OPENID_REQUIREMENT, |c| {
        c.is_ascii_alphanumeric() || c == '_' || c == '-'
    })
}

fn check_coupon_code(value: &str) -> Result<(), ValidationError> {
    check_id(value).map_err(|error| error.with_requirement(COUPON_CODE_REQUIREMENT))?;
    allowed_chars("", value, COUPON_CODE_REQUIREMENT, |c| !c.is_whitespace())
}

/// The rule of a `notify_url`: what WeChat Pay's docs ask (HTTPS, a public domain, a path, no
/// query), written as checks a client can make: `https://`, a host name with a dot that is not an
/// IP literal or `localhost`, no user information, a path beyond `/`, no query or fragment, no
/// whitespace or control characters, at most 256 characters.
fn check_notify_url(value: &str) -> Result<(), ValidationError> {
    const REQUIREMENT: &str = "an https:// URL with a public host name (not an IP address or \
        localhost), a path, and no query, fragment or user information, at most 256 characters";
    let refuse = |rule: ValidationRule| {
        Err(ValidationError::new("", rule, value).with_requirement(REQUIREMENT))
    };
    char_count("", value, 1, NOTIFY_URL_MAX_CHARS, REQUIREMENT)?;
    allowed_chars("", value, REQUIREMENT, |c| {
        !c.is_whitespace() && !c.is_control()
    })?;
    let forbidden = |character: char| {
        let index = value.chars().position(|c| c == character).unwrap_or(0);
        refuse(ValidationRule::ForbiddenCharacter { character, index })
    };
    for character in ['?', '#', '@', '\\'] {
        if value.contains(character) {
            return forbidden(character);
        }
    }
    let scheme_len = "https://".len();
    let Some(rest) = value
        .get(..scheme_len)
        .filter(|scheme| scheme.eq_ignore_ascii_case("https://"))
        .and_then(|_| value.get(scheme_len..))
    else {
        return refuse(ValidationRule::NotAllowed);
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let host = match authority.rsplit_once(':') {
        Some((host, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => authority,
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let is_name = host.contains('.')
        && host.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    let is_ip = host.parse::<std::net::Ipv4Addr>().is_ok()
        || host
            .split('.')
            .all(|label| label.bytes().all(|b| b.is_ascii_digit()));
    let is_local = host == "localhost" || host.ends_with(".localhost");
    if !is_name || is_ip || is_local || path.len() < 2 {
        return refuse(ValidationRule::NotAllowed);
    }
    Ok(())
}

validated_text! {
    /// A user's `openid` (the user's id under an appid), sent in a path segment: 1 to 128
    /// characters of `[0-9A-Za-z_-]`. WeChat Pay's docs describe 28 characters starting with `o`
    /// (e.g. `oh-394z-6CGkNoJrsDLTTUKiAnp4`); the SDK is no narrower than that, and WeChat Pay
    /// checks that the openid belongs to the request's appid (error 268578704 otherwise).
    Openid, check_openid
}

validated_text! {
    /// A user coupon's code (`coupon_code`), sent in a path segment: 1 to 40 characters without
    /// whitespace, control characters or `/`, and not `.` or `..`.
    CouponCode, check_coupon_code
}

validated_text! {
    /// The URL WeChat Pay sends the product-coupon events to (`notify_url`): `https://`, a public
    /// host name (not an IP literal, not `localhost`, no user information), a path beyond `/`,
    /// no query or fragment, at most 256 characters.
    NotifyUrl, check_notify_url
}

validated_text! {
    /// A brand's request number (`out_request_no`, and the same rule for `send_request_no`): 6 to
    /// 40 characters of `[0-9A-Za-z_-]`, unique per brand; WeChat Pay acts once per number.
    OutRequestNo, check_out_request_no
}

validated_text! {
    /// A text of `MIN` to `MAX` characters (counted in characters, not bytes; any characters),
    /// e.g. `Text<1, 150>` for `deactivate_reason`.
    Text<const MIN: usize, const MAX: usize>, check_text
}

validated_text! {
    /// An opaque page token (`page_token`, from an answer's `next_page_token`): 1 to 256
    /// characters without control characters. It is sent percent-encoded, so `/` and other URL
    /// characters are allowed.
    PageToken, check_page_token
}

/// A page size (`page_size`): 1 to 50.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct PageSize(u32);

impl PageSize {
    /// Checks `value` is 1 to 50; the error names no field yet (see [`WithinField`]).
    pub fn new(value: u32) -> Result<Self, ValidationError> {
        if (PAGE_SIZE_MIN..=PAGE_SIZE_MAX).contains(&value) {
            return Ok(PageSize(value));
        }
        let rule = ValidationRule::OutOfRange {
            min: i64::from(PAGE_SIZE_MIN),
            max: i64::from(PAGE_SIZE_MAX),
            actual: i64::from(value),
        };
        Err(ValidationError::new("", rule, &value.to_string())
            .with_requirement(PAGE_SIZE_REQUIREMENT))
    }
    /// The value.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl fmt::Display for PageSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<'de> serde::Deserialize<'de> for PageSize {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = <u32 as serde::Deserialize>::deserialize(deserializer)?;
        PageSize::new(value).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn nested_paths_read_outward() {
        let error = Text::<0, 3>::new("abcd")
            .within("remark")
            .within("stock")
            .unwrap_err();
        assert_eq!(error.field(), "stock.remark");
        let error = ValidationError::new("name", ValidationRule::Empty, "")
            .within_item("choice_list", 2)
            .within("display_info");
        assert_eq!(error.field(), "display_info.choice_list[2].name");
    }

    #[test]
    fn values_decode_through_the_same_rule() {
        let id: Id = serde_json::from_str(r#""123""#).unwrap();
        assert_eq!(id.as_str(), "123");
        assert!(serde_json::from_str::<Id>(r#""a/b""#).is_err());
        assert!(serde_json::from_str::<OutRequestNo>(r#""short""#).is_err());
        assert!(serde_json::from_str::<PageSize>("51").is_err());
        assert_eq!(
            serde_json::to_string(&PageSize::new(7).unwrap()).unwrap(),
            "7"
        );
        assert_eq!(
            serde_json::to_string(&Text::<1, 5>::new("批次").unwrap()).unwrap(),
            r#""批次""#
        );
    }
}
