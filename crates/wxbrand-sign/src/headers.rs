//! Case-insensitive header lookup over `http::HeaderMap` and plain name/value pairs.

/// Something headers can be read from, by case-insensitive name.
///
/// Implemented for `http::HeaderMap` and for slices, arrays and vectors of `(&str, &str)` or
/// `(String, String)` pairs.
///
/// ```
/// use wxbrand_sign::HeaderSource;
/// let pairs = [("Wechatpay-Nonce", "abc")];
/// assert_eq!(pairs.header("wechatpay-nonce"), Some("abc"));
/// ```
pub trait HeaderSource {
    /// The first value of the header `name` (matched case-insensitively), if present and text.
    fn header(&self, name: &str) -> Option<&str>;

    /// The first value of the header `name` as raw bytes. The default goes through
    /// [`HeaderSource::header`]; `http::HeaderMap` overrides it to skip the text check, which the
    /// verifier does not need (it checks each value's form itself).
    fn header_bytes(&self, name: &str) -> Option<&[u8]> {
        self.header(name).map(str::as_bytes)
    }
}

/// The headers the verifier reads, as pre-built `HeaderName`s: looking them up skips parsing and
/// lower-casing the name on every call (measurable beside a 2048-bit RSA verification).
const KNOWN: [(&str, http::HeaderName); 6] = [
    (
        crate::HEADER_TIMESTAMP,
        http::HeaderName::from_static("wechatpay-timestamp"),
    ),
    (
        crate::HEADER_NONCE,
        http::HeaderName::from_static("wechatpay-nonce"),
    ),
    (
        crate::HEADER_SIGNATURE,
        http::HeaderName::from_static("wechatpay-signature"),
    ),
    (
        crate::HEADER_SERIAL,
        http::HeaderName::from_static("wechatpay-serial"),
    ),
    (
        crate::HEADER_SIGNATURE_TYPE,
        http::HeaderName::from_static("wechatpay-signature-type"),
    ),
    (
        crate::HEADER_REQUEST_ID,
        http::HeaderName::from_static("request-id"),
    ),
];

fn header_map_get<'a>(map: &'a http::HeaderMap, name: &str) -> Option<&'a http::HeaderValue> {
    match KNOWN
        .iter()
        .find(|(known, _)| known.len() == name.len() && *known == name)
    {
        Some((_, header_name)) => map.get(header_name),
        None => map.get(name),
    }
}

impl HeaderSource for http::HeaderMap {
    fn header(&self, name: &str) -> Option<&str> {
        header_map_get(self, name).and_then(|v| v.to_str().ok())
    }

    fn header_bytes(&self, name: &str) -> Option<&[u8]> {
        header_map_get(self, name).map(http::HeaderValue::as_bytes)
    }
}

impl<N: AsRef<str>, V: AsRef<str>> HeaderSource for [(N, V)] {
    fn header(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(n, _)| n.as_ref().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }
}

impl<N: AsRef<str>, V: AsRef<str>, const LEN: usize> HeaderSource for [(N, V); LEN] {
    fn header(&self, name: &str) -> Option<&str> {
        self.as_slice().header(name)
    }
}

impl<N: AsRef<str>, V: AsRef<str>> HeaderSource for Vec<(N, V)> {
    fn header(&self, name: &str) -> Option<&str> {
        self.as_slice().header(name)
    }
}

impl<T: HeaderSource + ?Sized> HeaderSource for &T {
    fn header(&self, name: &str) -> Option<&str> {
        (**self).header(name)
    }

    fn header_bytes(&self, name: &str) -> Option<&[u8]> {
        (**self).header_bytes(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_ignore_case() {
        let owned = vec![("Request-ID".to_owned(), "r1".to_owned())];
        assert_eq!(owned.header("request-id"), Some("r1"));
        assert_eq!(owned.as_slice().header("REQUEST-ID"), Some("r1"));
        let mut map = http::HeaderMap::new();
        map.insert("wechatpay-serial", http::HeaderValue::from_static("K"));
        assert_eq!(map.header("Wechatpay-Serial"), Some("K"));
        assert_eq!(map.header("missing"), None);
    }
}
