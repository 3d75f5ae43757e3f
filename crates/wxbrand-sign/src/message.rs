//! The exact strings that are signed.

/// `METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n`: what a brand signs for a request.
pub fn request_message(method: &str, path_and_query: &str, timestamp: i64, nonce: &str, body: &[u8]) -> Vec<u8> {
    todo!("{method}{path_and_query}{timestamp}{nonce}{body:?}")
}

/// `TIMESTAMP\nNONCE\nBODY\n`: what WeChat Pay signs for an answer or a notification.
pub fn response_message(timestamp: i64, nonce: &str, body: &[u8]) -> Vec<u8> {
    todo!("{timestamp}{nonce}{body:?}")
}
