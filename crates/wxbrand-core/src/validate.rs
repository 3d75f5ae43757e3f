//! The building blocks of the field rules: character counts and allowed characters.
//!
//! The rules themselves live once each in the validated field types of [`crate::field`]. Lengths
//! are counted in characters (Unicode scalar values), never bytes.

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

/// Checks that `value` has `min..=max` characters; `requirement` words the whole rule for messages.
pub fn char_count(
    field: &'static str,
    value: &str,
    min: usize,
    max: usize,
    requirement: &'static str,
) -> Result<(), ValidationError> {
    match count_rule(value, min, max) {
        None => Ok(()),
        Some(rule) => Err(ValidationError::new(field, rule, value).with_requirement(requirement)),
    }
}

/// The rule `value` breaks when it must have `min..=max` characters, if any.
pub(crate) fn count_rule(value: &str, min: usize, max: usize) -> Option<ValidationRule> {
    let actual = value.chars().count();
    if actual == 0 && min > 0 {
        Some(ValidationRule::Empty)
    } else if actual < min {
        Some(ValidationRule::TooShort { min, actual })
    } else if actual > max {
        Some(ValidationRule::TooLong { max, actual })
    } else {
        None
    }
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
