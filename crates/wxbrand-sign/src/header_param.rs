//! The one rule for the values the brand puts into the `Authorization` header as quoted
//! parameters: `brand_id`, `serial_no` and `nonce_str`.
//!
//! WeChat Pay assigns brand ids and serial numbers; this crate does not guess their alphabet. It
//! refuses only what would break or make the header ambiguous, or is plainly not a value: empty,
//! longer than [`HEADER_PARAM_MAX_CHARS`], a quote or backslash (would end or escape the quoted
//! value), a comma (would split the parameter list for a lenient parser), whitespace, control and
//! non-ASCII characters (not allowed in an HTTP header or not the same bytes everywhere).
//!
//! The signer, the client's configuration, the `wxbrand` command and the simulator all apply
//! [`check_header_param`], so a brand id accepted by one is accepted by all.
//!
//! Two narrower rules sit beside it, for the values whose shape WeChat Pay does fix:
//! [`check_serial_no`] (a certificate serial number, 40 hexadecimal characters) and
//! [`check_public_key_id`] (a WeChat Pay public key id, `PUB_KEY_ID_` and digits).
//!
//! ```
//! use wxbrand_sign::check_header_param;
//!
//! assert!(check_header_param("brand_id", "BRAND_7788").is_ok());
//! assert!(check_header_param("brand_id", "1900000001").is_ok());
//! let error = check_header_param("brand_id", "BRAND 7788").unwrap_err();
//! assert!(error.to_string().starts_with("brand_id: a space at character 5 is not allowed"));
//! ```

use std::fmt;

/// Longest accepted header parameter value, in characters. Brand ids and serial numbers are far
/// shorter; the bound only refuses what is plainly not one.
pub const HEADER_PARAM_MAX_CHARS: usize = 64;

const REQUIREMENT: &str = "visible ASCII except '\"', '\\' and ',', 1 to 64 characters";

/// What is wrong with a header parameter value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HeaderParamProblem {
    /// The value is empty.
    Empty,
    /// The value is longer than [`HEADER_PARAM_MAX_CHARS`].
    TooLong {
        /// Its length in characters.
        chars: usize,
    },
    /// A character that cannot be in the value.
    Forbidden {
        /// The character.
        character: char,
        /// Its position, counted in characters from 0.
        index: usize,
    },
    /// Not a certificate serial number ([`check_serial_no`]).
    NotSerialNo {
        /// What was given, escaped and cut to [`HEADER_PARAM_MAX_CHARS`] characters.
        given: String,
    },
    /// Not a WeChat Pay public key id ([`check_public_key_id`]).
    NotPublicKeyId {
        /// What was given, escaped and cut to [`HEADER_PARAM_MAX_CHARS`] characters.
        given: String,
    },
}

/// `value` for a message: escaped (no raw control or quote characters) and cut.
fn given(value: &str) -> String {
    let mut out: String = value
        .chars()
        .take(HEADER_PARAM_MAX_CHARS)
        .flat_map(char::escape_debug)
        .collect();
    if value.chars().nth(HEADER_PARAM_MAX_CHARS).is_some() {
        out.push('…');
    }
    out
}

/// A value that cannot be a quoted parameter of the `Authorization` header; says which field,
/// which character and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderParamError {
    field: &'static str,
    problem: HeaderParamProblem,
}

impl HeaderParamError {
    /// The field: `brand_id`, `serial_no` or `nonce_str` (or the caller's own name for it).
    pub fn field(&self) -> &'static str {
        self.field
    }
    /// What is wrong.
    pub fn problem(&self) -> &HeaderParamProblem {
        &self.problem
    }
}

/// How a refused character reads in a message (never the raw control character itself).
fn describe(character: char) -> String {
    match character {
        ' ' => "a space".to_owned(),
        '"' => "a quote '\"'".to_owned(),
        '\\' => "a backslash '\\'".to_owned(),
        ',' => "a comma ','".to_owned(),
        c if c.is_whitespace() || c.is_control() => {
            format!("the control character U+{:04X}", u32::from(c))
        }
        c => format!("the non-ASCII character '{c}' (U+{:04X})", u32::from(c)),
    }
}

impl fmt::Display for HeaderParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = self.field;
        match &self.problem {
            HeaderParamProblem::Empty => write!(f, "{field} is empty ({REQUIREMENT})"),
            HeaderParamProblem::TooLong { chars } => write!(
                f,
                "{field} is {chars} characters long (it is a header parameter: {REQUIREMENT})"
            ),
            HeaderParamProblem::Forbidden { character, index } => write!(
                f,
                "{field}: {} at character {index} is not allowed (it is a header parameter: {REQUIREMENT})",
                describe(*character)
            ),
            HeaderParamProblem::NotSerialNo { given } => write!(
                f,
                "{field} \"{given}\" is not a certificate serial number: expected 40 hexadecimal \
                 characters (e.g. 1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C)"
            ),
            HeaderParamProblem::NotPublicKeyId { given } => write!(
                f,
                "{field} \"{given}\" is not a WeChat Pay public key id: expected PUB_KEY_ID_ \
                 followed by digits (e.g. PUB_KEY_ID_0112345678202501010000000000000001)"
            ),
        }
    }
}

impl std::error::Error for HeaderParamError {}

/// Whether `value` can be a quoted parameter of the `Authorization` header and a line of the
/// signed message: 1 to [`HEADER_PARAM_MAX_CHARS`] visible ASCII characters other than a quote,
/// a backslash or a comma.
pub fn check_header_param(field: &'static str, value: &str) -> Result<(), HeaderParamError> {
    let error = |problem| Err(HeaderParamError { field, problem });
    if value.is_empty() {
        return error(HeaderParamProblem::Empty);
    }
    if let Some((index, character)) = value
        .chars()
        .enumerate()
        .find(|&(_, c)| !(c.is_ascii_graphic() && c != '"' && c != '\\' && c != ','))
    {
        return error(HeaderParamProblem::Forbidden { character, index });
    }
    // Only ASCII is left, so bytes are characters.
    if value.len() > HEADER_PARAM_MAX_CHARS {
        return error(HeaderParamProblem::TooLong { chars: value.len() });
    }
    Ok(())
}

/// Whether `value` is a certificate serial number as WeChat Pay prints it: exactly 40 hexadecimal
/// characters (either case). The brand API certificate's serial goes into `serial_no`.
///
/// ```
/// use wxbrand_sign::check_serial_no;
/// assert!(check_serial_no("serial_no", "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C").is_ok());
/// assert!(check_serial_no("serial_no", "not-hex").is_err());
/// ```
pub fn check_serial_no(field: &'static str, value: &str) -> Result<(), HeaderParamError> {
    if value.is_empty() {
        return Err(HeaderParamError {
            field,
            problem: HeaderParamProblem::Empty,
        });
    }
    if value.len() != 40 || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(HeaderParamError {
            field,
            problem: HeaderParamProblem::NotSerialNo {
                given: given(value),
            },
        });
    }
    Ok(())
}

/// Whether `value` is a WeChat Pay public key id: `PUB_KEY_ID_` followed by one or more digits
/// (the `Wechatpay-Serial` of requests and answers).
///
/// ```
/// use wxbrand_sign::check_public_key_id;
/// assert!(check_public_key_id("public_key_id", "PUB_KEY_ID_0112345678202501010000000000000001").is_ok());
/// assert!(check_public_key_id("public_key_id", "PUB_KEY_ID_1\"").is_err());
/// ```
pub fn check_public_key_id(field: &'static str, value: &str) -> Result<(), HeaderParamError> {
    if value.is_empty() {
        return Err(HeaderParamError {
            field,
            problem: HeaderParamProblem::Empty,
        });
    }
    match value.strip_prefix("PUB_KEY_ID_") {
        Some(digits) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => Ok(()),
        _ => Err(HeaderParamError {
            field,
            problem: HeaderParamProblem::NotPublicKeyId {
                given: given(value),
            },
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_what_wechat_pay_assigns_and_more() {
        for ok in [
            "1900000001",
            "BRAND_7788",
            "brand-7788.x",
            "a",
            &"9".repeat(64),
            "A:b;c=d",
        ] {
            assert_eq!(check_header_param("brand_id", ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn refuses_what_breaks_the_header() {
        let cases: [(&str, Option<(char, usize)>); 9] = [
            ("", None),
            ("ab\"c", Some(('"', 2))),
            ("ab\\c", Some(('\\', 2))),
            ("ab,c", Some((',', 2))),
            ("ab c", Some((' ', 2))),
            ("ab\tc", Some(('\t', 2))),
            ("ab\u{7f}", Some(('\u{7f}', 2))),
            ("品牌1", Some(('品', 0))),
            ("x\r\nInjected: 1", Some(('\r', 1))),
        ];
        for (value, expected) in cases {
            let error = check_header_param("brand_id", value).unwrap_err();
            match expected {
                None => assert_eq!(error.problem(), &HeaderParamProblem::Empty),
                Some((character, index)) => assert_eq!(
                    error.problem(),
                    &HeaderParamProblem::Forbidden { character, index },
                    "{value:?}"
                ),
            }
            assert!(!error.to_string().contains('\r'));
        }
        let long = "9".repeat(65);
        assert_eq!(
            check_header_param("serial_no", &long)
                .unwrap_err()
                .problem(),
            &HeaderParamProblem::TooLong { chars: 65 }
        );
    }

    #[test]
    fn serial_numbers_are_40_hex_characters() {
        assert_eq!(
            check_serial_no("serial_no", "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C"),
            Ok(())
        );
        assert_eq!(check_serial_no("serial_no", &"a".repeat(40)), Ok(()));
        assert_eq!(
            check_serial_no("serial_no", "").unwrap_err().problem(),
            &HeaderParamProblem::Empty
        );
        for bad in [
            "not-hex",
            &"A".repeat(39),
            &"A".repeat(41),
            &format!("{}G", "A".repeat(39)),
        ] {
            let error = check_serial_no("serial_no", bad).unwrap_err();
            assert!(
                matches!(error.problem(), HeaderParamProblem::NotSerialNo { .. }),
                "{bad}"
            );
            assert!(error.to_string().starts_with("serial_no \""), "{error}");
        }
        let error = check_serial_no("--serial-no", "x\u{1b}]0;t\u{7}").unwrap_err();
        assert!(!error.to_string().contains('\u{1b}'), "{error}");
    }

    #[test]
    fn public_key_ids_are_the_prefix_and_digits() {
        assert_eq!(
            check_public_key_id("id", "PUB_KEY_ID_0112345678202501010000000000000001"),
            Ok(())
        );
        assert_eq!(
            check_public_key_id("id", "").unwrap_err().problem(),
            &HeaderParamProblem::Empty
        );
        for bad in [
            "PUB_KEY_ID_",
            "PUB_KEY_ID_12a",
            "PUB_KEY_ID_1\"",
            "pub_key_id_1",
            "1234",
        ] {
            let error = check_public_key_id("id", bad).unwrap_err();
            assert!(
                matches!(error.problem(), HeaderParamProblem::NotPublicKeyId { .. }),
                "{bad}"
            );
        }
        let long = format!("PUB_KEY_ID_{}x", "1".repeat(100));
        let message = check_public_key_id("id", &long).unwrap_err().to_string();
        assert!(message.contains('…') && message.len() < 300, "{message}");
    }
}
