//! Percent-encoding of path segments and query values (RFC 3986).

use std::fmt::Write;

/// Percent-encodes `text` for a path segment or a query value: the unreserved characters
/// `A–Z a–z 0–9 - . _ ~` stay, every other byte of the UTF-8 text becomes `%XX` (upper-case hex).
///
/// ```
/// assert_eq!(wxbrand_core::percent_encoding::encode("a b/批"), "a%20b%2F%E6%89%B9");
/// ```
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::encode;

    #[test]
    fn keeps_unreserved_and_encodes_the_rest() {
        assert_eq!(encode("AZaz09-._~"), "AZaz09-._~");
        assert_eq!(
            encode("/?#[]@!$&'()*+,;=% "),
            "%2F%3F%23%5B%5D%40%21%24%26%27%28%29%2A%2B%2C%3B%3D%25%20"
        );
        assert_eq!(encode("券"), "%E5%88%B8");
        assert_eq!(encode(""), "");
    }
}
