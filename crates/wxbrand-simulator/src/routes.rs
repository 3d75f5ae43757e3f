//! The API paths the simulator serves, and the decoding of path segments and query strings.

use http::Method;

/// The path prefix of the product-coupon API.
pub const PRODUCT_COUPON_PREFIX: &str = "/brand/marketing/product-coupon";

/// An API route the simulator serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Route {
    /// `POST …/product-coupons/{product_coupon_id}/stocks/{stock_id}/deactivate`
    DeactivateStock,
    /// `GET …/product-coupons/{product_coupon_id}/stocks/{stock_id}`
    GetStock,
    /// `GET …/product-coupons/{product_coupon_id}/stocks`
    ListStocks,
}

impl Route {
    /// Every route, in a fixed order.
    pub const ALL: &'static [Route] = &[Route::DeactivateStock, Route::GetStock, Route::ListStocks];

    /// A short name (`"deactivate_stock"`, `"get_stock"`, `"list_stocks"`).
    pub fn name(self) -> &'static str {
        match self {
            Route::DeactivateStock => "deactivate_stock",
            Route::GetStock => "get_stock",
            Route::ListStocks => "list_stocks",
        }
    }

    /// The HTTP method of the route.
    pub fn method(self) -> Method {
        match self {
            Route::DeactivateStock => Method::POST,
            Route::GetStock | Route::ListStocks => Method::GET,
        }
    }

    /// The HTTP method's name (`"POST"`, `"GET"`).
    pub fn method_name(self) -> &'static str {
        match self {
            Route::DeactivateStock => "POST",
            Route::GetStock | Route::ListStocks => "GET",
        }
    }
}

/// What a request's method and path resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Resolved {
    /// A served route with its decoded path parameters.
    Matched {
        route: Route,
        product_coupon_id: String,
        stock_id: Option<String>,
    },
    /// A served path with another method; `allow` lists the right one.
    MethodNotAllowed { allow: &'static str },
    /// A path segment whose percent-encoding is broken or not UTF-8.
    BadSegment { field: &'static str, raw: String },
    /// No such path.
    NotFound,
}

/// Resolves a request's method and path (without the query).
pub(crate) fn resolve(method: &Method, path: &str) -> Resolved {
    let Some(rest) = path.strip_prefix(PRODUCT_COUPON_PREFIX) else {
        return Resolved::NotFound;
    };
    let Some(rest) = rest.strip_prefix('/') else {
        return Resolved::NotFound;
    };
    let segments: Vec<&str> = rest.split('/').collect();
    if segments.iter().any(|s| s.is_empty()) {
        return Resolved::NotFound;
    }
    let (route, pc_raw, stock_raw) = match segments.as_slice() {
        ["product-coupons", pc, "stocks"] => (Route::ListStocks, *pc, None),
        ["product-coupons", pc, "stocks", stock] => (Route::GetStock, *pc, Some(*stock)),
        ["product-coupons", pc, "stocks", stock, "deactivate"] => {
            (Route::DeactivateStock, *pc, Some(*stock))
        }
        _ => return Resolved::NotFound,
    };
    if *method != route.method() {
        return Resolved::MethodNotAllowed {
            allow: route.method_name(),
        };
    }
    let Some(product_coupon_id) = percent_decode(pc_raw, false) else {
        return Resolved::BadSegment {
            field: "product_coupon_id",
            raw: pc_raw.to_string(),
        };
    };
    let stock_id = match stock_raw {
        None => None,
        Some(raw) => match percent_decode(raw, false) {
            Some(s) => Some(s),
            None => {
                return Resolved::BadSegment {
                    field: "stock_id",
                    raw: raw.to_string(),
                }
            }
        },
    };
    Resolved::Matched {
        route,
        product_coupon_id,
        stock_id,
    }
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
    fn resolves_the_three_routes() {
        let base = "/brand/marketing/product-coupon/product-coupons/200000001/stocks";
        assert_eq!(
            resolve(&Method::GET, base),
            Resolved::Matched {
                route: Route::ListStocks,
                product_coupon_id: "200000001".into(),
                stock_id: None
            }
        );
        assert_eq!(
            resolve(&Method::GET, &format!("{base}/12%2F3")),
            Resolved::Matched {
                route: Route::GetStock,
                product_coupon_id: "200000001".into(),
                stock_id: Some("12/3".into())
            }
        );
        assert_eq!(
            resolve(&Method::POST, &format!("{base}/123/deactivate")),
            Resolved::Matched {
                route: Route::DeactivateStock,
                product_coupon_id: "200000001".into(),
                stock_id: Some("123".into())
            }
        );
        assert_eq!(
            resolve(&Method::GET, &format!("{base}/123/deactivate")),
            Resolved::MethodNotAllowed { allow: "POST" }
        );
        assert_eq!(
            resolve(&Method::GET, &format!("{base}/")),
            Resolved::NotFound
        );
        assert_eq!(resolve(&Method::GET, "/v3/anything"), Resolved::NotFound);
        assert!(matches!(
            resolve(&Method::GET, &format!("{base}/%ZZ")),
            Resolved::BadSegment { .. }
        ));
        assert!(matches!(
            resolve(&Method::GET, &format!("{base}/%FF")),
            Resolved::BadSegment { .. }
        ));
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
