//! Path parameters and query strings: matching a path against a route's pattern, percent-decoding
//! and checking each id with the client's rule (`wxbrand_core::field::Id`).

use wxbrand_core::field::{Id, WithinField};
use wxbrand_core::ValidationError;

/// The decoded parameters of a matched path, by the names of the pattern (`{stock_id}` → `stock_id`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PathParams {
    values: Vec<(&'static str, String)>,
}

impl PathParams {
    /// The value of `{name}`, or empty if the pattern has no such parameter.
    pub(crate) fn get(&self, name: &str) -> &str {
        self.values
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// Why a matched path cannot be served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BadParam {
    /// Broken percent-encoding, or not UTF-8 once decoded.
    Encoding { field: &'static str, raw: String },
    /// Decoded, but not an id by the client's rule.
    NotAnId(ValidationError),
}

/// Whether `path` (below the API prefix, starting with `/`) has the shape of `pattern`: the same
/// number of segments, literal segments equal, none empty. Answers the raw `{name}` segments.
pub(crate) fn match_pattern<'p>(
    pattern: &'static str,
    path: &'p str,
) -> Option<Vec<(&'static str, &'p str)>> {
    let mut pattern_segments = pattern.split('/');
    let mut path_segments = path.split('/');
    let mut raw = Vec::new();
    loop {
        match (pattern_segments.next(), path_segments.next()) {
            (None, None) => return Some(raw),
            (Some(want), Some(got)) => {
                match want.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
                    Some(name) if !got.is_empty() => raw.push((name, got)),
                    Some(_) => return None,
                    None if want == got => {}
                    None => return None,
                }
            }
            _ => return None,
        }
    }
}

/// Decodes and checks the raw parameters of a matched path, in order; the first bad one is answered.
pub(crate) fn decode_params(raw: &[(&'static str, &str)]) -> Result<PathParams, BadParam> {
    let mut values = Vec::with_capacity(raw.len());
    for &(field, segment) in raw {
        let Some(value) = percent_decode(segment, false) else {
            return Err(BadParam::Encoding {
                field,
                raw: segment.to_string(),
            });
        };
        Id::new(value.as_str())
            .within(field)
            .map_err(BadParam::NotAnId)?;
        values.push((field, value));
    }
    Ok(PathParams { values })
}

/// Decodes `%XX` escapes (and `+` as a space when `plus_is_space`); `None` for a broken escape or
/// a result that is not UTF-8.
pub(crate) fn percent_decode(raw: &str, plus_is_space: bool) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hi = hex_value(*bytes.get(i + 1)?)?;
                let lo = hex_value(*bytes.get(i + 2)?)?;
                out.push(hi * 16 + lo);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Splits and decodes a query string into `(name, value)` pairs, in order. `Err` carries the raw
/// pair whose encoding is broken.
pub(crate) fn parse_query(query: &str) -> Result<Vec<(String, String)>, String> {
    let mut pairs = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        match (percent_decode(name, true), percent_decode(value, true)) {
            (Some(n), Some(v)) => pairs.push((n, v)),
            _ => return Err(pair.to_string()),
        }
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_segment_by_segment() {
        let pattern = "/product-coupons/{product_coupon_id}/stocks/{stock_id}";
        assert_eq!(
            match_pattern(pattern, "/product-coupons/1/stocks/2"),
            Some(vec![("product_coupon_id", "1"), ("stock_id", "2")])
        );
        assert_eq!(match_pattern(pattern, "/product-coupons/1/stocks/"), None);
        assert_eq!(match_pattern(pattern, "/product-coupons/1/stocks"), None);
        assert_eq!(
            match_pattern(pattern, "/product-coupons/1/stocks/2/x"),
            None
        );
        assert_eq!(match_pattern(pattern, "/product-coupons//stocks/2"), None);
    }

    #[test]
    fn params_are_decoded_then_checked_as_ids() {
        let params = decode_params(&[("stock_id", "12%203")]).unwrap();
        assert_eq!(params.get("stock_id"), "12 3");
        assert_eq!(params.get("other"), "");
        assert!(matches!(
            decode_params(&[("stock_id", "%ZZ")]),
            Err(BadParam::Encoding {
                field: "stock_id",
                ..
            })
        ));
        assert!(matches!(
            decode_params(&[("stock_id", "%FF")]),
            Err(BadParam::Encoding { .. })
        ));
        for bad in ["12%2F3", "..", &"9".repeat(41)] {
            match decode_params(&[("stock_id", bad)]) {
                Err(BadParam::NotAnId(e)) => assert_eq!(e.field(), "stock_id"),
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn decodes_queries() {
        assert_eq!(
            parse_query("page_size=5&state=SENDING&x=a+b%21").unwrap(),
            vec![
                ("page_size".into(), "5".into()),
                ("state".into(), "SENDING".into()),
                ("x".into(), "a b!".into())
            ]
        );
        assert!(parse_query("a=%G1").is_err());
    }
}
