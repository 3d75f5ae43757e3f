//! The exact bytes that are signed.
//!
//! These are what to print when WeChat Pay answers `SIGN_ERROR`: compare them with what the server saw.

/// `METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n`: what a brand signs for a request.
///
/// ```
/// let m = wxbrand_sign::message::request_message("GET", "/v3/x?a=1", 1735660800, "n0nce", b"");
/// assert_eq!(m, b"GET\n/v3/x?a=1\n1735660800\nn0nce\n\n");
/// ```
pub fn request_message(
    method: &str,
    path_and_query: &str,
    timestamp: i64,
    nonce: &str,
    body: &[u8],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(
        method.len() + path_and_query.len() + MAX_I64_LEN + nonce.len() + body.len() + 5,
    );
    out.extend_from_slice(method.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(path_and_query.as_bytes());
    out.push(b'\n');
    push_i64(&mut out, timestamp);
    out.push(b'\n');
    out.extend_from_slice(nonce.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(body);
    out.push(b'\n');
    out
}

/// `TIMESTAMP\nNONCE\nBODY\n`: what WeChat Pay signs for an answer or a notification.
///
/// ```
/// let m = wxbrand_sign::message::response_message(1735660800, "n0nce", b"{}");
/// assert_eq!(m, b"1735660800\nn0nce\n{}\n");
/// ```
pub fn response_message(timestamp: i64, nonce: &str, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(MAX_I64_LEN + nonce.len() + body.len() + 3);
    push_i64(&mut out, timestamp);
    out.push(b'\n');
    out.extend_from_slice(nonce.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(body);
    out.push(b'\n');
    out
}

/// As [`response_message`], from the raw header bytes: the timestamp exactly as sent (so a
/// zero-padded value is signed as sent) and the nonce.
pub(crate) fn response_message_raw(timestamp: &[u8], nonce: &[u8], body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(timestamp.len() + nonce.len() + body.len() + 3);
    out.extend_from_slice(timestamp);
    out.push(b'\n');
    out.extend_from_slice(nonce);
    out.push(b'\n');
    out.extend_from_slice(body);
    out.push(b'\n');
    out
}

/// Decimal length of `i64::MIN`.
pub(crate) const MAX_I64_LEN: usize = 20;

/// Appends the decimal form of `n` without going through the formatter.
pub(crate) fn push_i64(out: &mut Vec<u8>, n: i64) {
    let mut buf = [0u8; MAX_I64_LEN];
    let mut pos = buf.len();
    let mut v = n.unsigned_abs();
    loop {
        pos -= 1;
        // `v % 10` is below 10, so the cast cannot truncate.
        #[allow(clippy::cast_possible_truncation)]
        let digit = (v % 10) as u8;
        if let Some(slot) = buf.get_mut(pos) {
            *slot = b'0' + digit;
        }
        v /= 10;
        if v == 0 || pos == 0 {
            break;
        }
    }
    if n < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(buf.get(pos..).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_format_like_display() {
        for n in [0, 1, 9, 10, 1_735_660_800, -1, -10, i64::MAX, i64::MIN] {
            let mut v = Vec::new();
            push_i64(&mut v, n);
            assert_eq!(String::from_utf8(v).unwrap(), n.to_string());
        }
    }
}
