//! Case-insensitive header lookup over `http::HeaderMap` and plain pairs.

/// Something headers can be read from, by case-insensitive name.
pub trait HeaderSource {
    /// The first value of the header `name` (matched case-insensitively), if present and text.
    fn header(&self, name: &str) -> Option<&str>;
}

impl HeaderSource for http::HeaderMap {
    fn header(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(|v| v.to_str().ok())
    }
}
