//! Page tokens of the listing routes: opaque to clients, URL-safe Base64 of `offset:N`.

use base64::Engine as _;

/// The token that resumes a listing at `offset`.
pub(crate) fn encode(offset: usize) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("offset:{offset}"))
}

/// The offset a token resumes at; `None` for anything this simulator did not hand out.
pub(crate) fn decode(token: &str) -> Option<usize> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    text.strip_prefix("offset:")?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_tokens_round_trip() {
        assert_eq!(decode(&encode(40)), Some(40));
        assert_eq!(decode("nonsense!"), None);
        assert_eq!(decode("bm90IGEgdG9rZW4"), None);
    }
}
