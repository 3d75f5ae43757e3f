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
}

impl HeaderSource for http::HeaderMap {
    fn header(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(|v| v.to_str().ok())
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
