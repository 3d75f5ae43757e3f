//! Field rules shared by the request types, public so that endpoint crates apply the same rules.
//!
//! Lengths are counted in characters (Unicode scalar values), never bytes.

use crate::error::{ValidationError, ValidationRule};

/// Longest id WeChat Pay generates (`product_coupon_id`, `stock_id`, `stock_bundle_id`).
pub const ID_MAX_CHARS: usize = 40;
/// Shortest `out_request_no`.
pub const OUT_REQUEST_NO_MIN_CHARS: usize = 6;
/// Longest `out_request_no`.
pub const OUT_REQUEST_NO_MAX_CHARS: usize = 40;
/// Longest `deactivate_reason`.
pub const DEACTIVATE_REASON_MAX_CHARS: usize = 150;
/// Longest `page_token`. Tokens are opaque and WeChat Pay documents no length, so this is generous.
pub const PAGE_TOKEN_MAX_CHARS: usize = 256;
/// Smallest `page_size`.
pub const PAGE_SIZE_MIN: u32 = 1;
/// Largest `page_size`.
pub const PAGE_SIZE_MAX: u32 = 50;

const ID_REQUIREMENT: &str =
    "1 to 40 characters, without control characters or '/', and not \".\" or \"..\"";
const OUT_REQUEST_NO_REQUIREMENT: &str = "6 to 40 characters of [0-9A-Za-z_-]";
const DEACTIVATE_REASON_REQUIREMENT: &str = "1 to 150 characters";
const PAGE_TOKEN_REQUIREMENT: &str = "1 to 256 characters without control characters";
const PAGE_SIZE_REQUIREMENT: &str = "between 1 and 50";

/// An id that goes into a path segment (`product_coupon_id`, `stock_id`) or a query
/// (`stock_bundle_id`): non-empty, at most [`ID_MAX_CHARS`] characters, no control character, no `/`,
/// and not the dot-segments `.` or `..` (which a proxy could resolve to another path; they are
/// reported as a forbidden `.` at index 0).
pub fn id(field: &'static str, value: &str) -> Result<(), ValidationError> {
    char_count(field, value, 1, ID_MAX_CHARS, ID_REQUIREMENT)?;
    allowed_chars(field, value, ID_REQUIREMENT, |c| {
        !c.is_control() && c != '/'
    })?;
    if value == "." || value == ".." {
        let rule = ValidationRule::ForbiddenCharacter {
            character: '.',
            index: 0,
        };
        return Err(ValidationError::new(field, rule, value).with_requirement(ID_REQUIREMENT));
    }
    Ok(())
}

/// `out_request_no`: [`OUT_REQUEST_NO_MIN_CHARS`] to [`OUT_REQUEST_NO_MAX_CHARS`] characters of `[0-9A-Za-z_-]`.
pub fn out_request_no(value: &str) -> Result<(), ValidationError> {
    const FIELD: &str = "out_request_no";
    char_count(
        FIELD,
        value,
        OUT_REQUEST_NO_MIN_CHARS,
        OUT_REQUEST_NO_MAX_CHARS,
        OUT_REQUEST_NO_REQUIREMENT,
    )?;
    allowed_chars(FIELD, value, OUT_REQUEST_NO_REQUIREMENT, |c| {
        c.is_ascii_alphanumeric() || c == '_' || c == '-'
    })
}

/// `deactivate_reason`: 1 to [`DEACTIVATE_REASON_MAX_CHARS`] characters, any characters.
pub fn deactivate_reason(value: &str) -> Result<(), ValidationError> {
    char_count(
        "deactivate_reason",
        value,
        1,
        DEACTIVATE_REASON_MAX_CHARS,
        DEACTIVATE_REASON_REQUIREMENT,
    )
}

/// `page_token`: 1 to [`PAGE_TOKEN_MAX_CHARS`] characters without control characters. The token is
/// opaque and sent percent-encoded in the query, so `/` and other URL characters are allowed.
pub fn page_token(value: &str) -> Result<(), ValidationError> {
    const FIELD: &str = "page_token";
    char_count(
        FIELD,
        value,
        1,
        PAGE_TOKEN_MAX_CHARS,
        PAGE_TOKEN_REQUIREMENT,
    )?;
    allowed_chars(FIELD, value, PAGE_TOKEN_REQUIREMENT, |c| !c.is_control())
}

/// `page_size`: [`PAGE_SIZE_MIN`] to [`PAGE_SIZE_MAX`].
pub fn page_size(value: u32) -> Result<(), ValidationError> {
    if (PAGE_SIZE_MIN..=PAGE_SIZE_MAX).contains(&value) {
        return Ok(());
    }
    let rule = ValidationRule::OutOfRange {
        min: i64::from(PAGE_SIZE_MIN),
        max: i64::from(PAGE_SIZE_MAX),
        actual: i64::from(value),
    };
    Err(ValidationError::new("page_size", rule, &value.to_string())
        .with_requirement(PAGE_SIZE_REQUIREMENT))
}

/// Checks that `value` has `min..=max` characters; `requirement` words the whole rule for messages.
pub fn char_count(
    field: &'static str,
    value: &str,
    min: usize,
    max: usize,
    requirement: &'static str,
) -> Result<(), ValidationError> {
    let actual = value.chars().count();
    let rule = if actual == 0 && min > 0 {
        ValidationRule::Empty
    } else if actual < min {
        ValidationRule::TooShort { min, actual }
    } else if actual > max {
        ValidationRule::TooLong { max, actual }
    } else {
        return Ok(());
    };
    Err(ValidationError::new(field, rule, value).with_requirement(requirement))
}

/// Checks that every character of `value` passes `allowed`; names the first one that does not.
pub fn allowed_chars(
    field: &'static str,
    value: &str,
    requirement: &'static str,
    allowed: impl Fn(char) -> bool,
) -> Result<(), ValidationError> {
    match value.chars().enumerate().find(|&(_, c)| !allowed(c)) {
        None => Ok(()),
        Some((index, character)) => Err(ValidationError::new(
            field,
            ValidationRule::ForbiddenCharacter { character, index },
            value,
        )
        .with_requirement(requirement)),
    }
}
