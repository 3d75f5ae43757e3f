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
}
