//! The brand's event-notification configuration (#28, #29), stored per brand.

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use crate::answer::{errno, Answer};
use crate::body_rules::CoreBody;
use crate::handlers::{refusal_answer, Call};
use crate::reason;

/// The body of `POST /notify-configs`.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct SetNotifyConfigBody {
    notify_url: String,
}

impl CoreBody for SetNotifyConfigBody {}

/// Why a notify URL is refused (the facts: HTTPS, a public domain, a path, no query, no
/// intranet host), or `None` when it is fine. `allow_local` admits `http`/`https` to loopback
/// hosts and IP addresses (a simulator that delivers to a test's own receiver).
pub(crate) fn notify_url_problem(url: &str, allow_local: bool) -> Option<&'static str> {
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some("must not contain whitespace or control characters");
    }
    let rest = match (url.strip_prefix("https://"), url.strip_prefix("http://")) {
        (Some(rest), _) => rest,
        (None, Some(rest)) if allow_local => rest,
        _ => return Some("must be an https:// URL"),
    };
    if rest.contains('?') || rest.contains('#') {
        return Some("must not carry a query or a fragment");
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    if path.len() <= 1 {
        return Some("must have a path after the host");
    }
    if authority.contains('@') {
        return Some("must not carry user information");
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority.split(':').next().unwrap_or(""),
    }
    .to_ascii_lowercase();
    if host.is_empty() {
        return Some("must name a host");
    }
    let ip = host.parse::<std::net::IpAddr>().is_ok();
    let local = host == "localhost" || host.ends_with(".localhost");
    if allow_local && (ip || local) {
        return None;
    }
    if ip {
        return Some("must name a domain, not an IP address");
    }
    if local
        || !host.contains('.')
        || [".local", ".internal", ".lan"]
            .iter()
            .any(|s| host.ends_with(s))
    {
        return Some("must name a public domain, not an intranet host");
    }
    if !host
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
    {
        return Some("must name a domain of letters, digits, '-' and '.'");
    }
    None
}

/// `POST /notify-configs` (#28): `{notify_url, update_time}`.
pub(crate) fn set(call: &Call<'_>, body: SetNotifyConfigBody) -> Answer {
    if let Some(issue) = notify_url_problem(&body.notify_url, call.shared.allow_local_notify_urls) {
        return Answer::param_error(
            "notify_url",
            &body.notify_url,
            issue,
            "body",
            errno::PARAM_INVALID,
        );
    }
    let outcome =
        call.shared
            .world()
            .set_notify_url(call.brand_id, &body.notify_url, call.now_millis);
    match outcome {
        Ok(body) => Answer::ok(body),
        Err(refusal) => refusal_answer(refusal),
    }
}

/// `GET /notify-configs` (#29): `{notify_url, update_time}`, or 404 if never set.
pub(crate) fn get(call: &Call<'_>) -> Answer {
    let Some((url, time)) = call.shared.world().notify_config(call.brand_id) else {
        return Answer::not_exists(
            reason::NOTIFY_CONFIG_NOT_SET,
            "no notify URL is set for this brand: set one with POST /notify-configs",
        );
    };
    match serde_json::to_vec(&serde_json::json!({ "notify_url": url, "update_time": time })) {
        Ok(body) => Answer::ok(Bytes::from(body)),
        Err(_) => Answer::system_error(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notify_urls_follow_the_facts() {
        let ok = |u| notify_url_problem(u, false).is_none();
        assert!(ok("https://brand.example.com/wxpay/notify"));
        assert!(ok("https://brand.example.com:8443/notify"));
        assert!(!ok("http://brand.example.com/notify"));
        assert!(!ok("https://brand.example.com"));
        assert!(!ok("https://brand.example.com/"));
        assert!(!ok("https://brand.example.com/notify?a=1"));
        assert!(!ok("https://10.0.0.1/notify"));
        assert!(!ok("https://[::1]/notify"));
        assert!(!ok("https://localhost/notify"));
        assert!(!ok("https://intranet/notify"));
        assert!(!ok("https://host.internal/notify"));
        assert!(!ok("https://user@brand.example.com/notify"));
        assert!(!ok("https://brand example.com/notify"));
        assert!(notify_url_problem("http://127.0.0.1:8080/notify", true).is_none());
        assert!(notify_url_problem("http://127.0.0.1:8080/notify", false).is_some());
    }
}
