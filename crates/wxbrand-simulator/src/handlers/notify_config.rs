//! The brand's event-notification configuration (#28, #29), stored per brand.

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use wxbrand_core::field::NotifyUrl;

use crate::answer::Answer;
use crate::body_rules::CoreBody;
use crate::handlers::{refusal_answer, Call};
use crate::reason;

/// The body of `POST /notify-configs`.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct SetNotifyConfigBody {
    notify_url: String,
}

impl CoreBody for SetNotifyConfigBody {}

/// Checks a notify URL by the client's rule ([`NotifyUrl`]: what the facts ask — HTTPS, a public
/// domain, a path, no query). With `allow_local`, a URL to a loopback host or an IP address over
/// `http` or `https` (a test's own receiver) passes too.
pub(crate) fn check_notify_url(url: &str, allow_local: bool) -> Result<(), Answer> {
    if allow_local && is_local(url) {
        return Ok(());
    }
    NotifyUrl::new(url)
        .map(drop)
        .map_err(|e| Answer::rule_broken("notify_url", &e, "body"))
}

/// `http(s)://` to `localhost` or an IP address, with a path and no query or fragment.
fn is_local(url: &str) -> bool {
    let Some(rest) = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
    else {
        return false;
    };
    let Some((authority, path)) = rest.find('/').map(|i| rest.split_at(i)) else {
        return false;
    };
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority.split(':').next().unwrap_or(""),
    };
    (host == "localhost" || host.parse::<std::net::IpAddr>().is_ok())
        && path.len() > 1
        && !url.contains(['?', '#', ' '])
}

/// `POST /notify-configs` (#28): `{notify_url, update_time}`.
pub(crate) fn set(call: &Call<'_>, body: SetNotifyConfigBody) -> Answer {
    if let Err(answer) = check_notify_url(&body.notify_url, call.shared.allow_local_notify_urls) {
        return answer;
    }
    let outcome =
        call.shared
            .world()
            .set_notify_url(call.brand_id, &body.notify_url, call.now_millis);
    match outcome {
        Ok(answer) => {
            // From now on the events of this brand's coupons are delivered there. The URL passed
            // the stricter check above, so the delivery engine's own parse cannot refuse it.
            if let Err(e) = call
                .shared
                .deliveries
                .set_notify_url(Some(&body.notify_url))
            {
                tracing::warn!(error = %e, "the delivery engine refused a notify URL");
            }
            Answer::ok(answer)
        }
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
    fn notify_urls_follow_the_facts_unless_local_ones_are_allowed() {
        let ok = |u| check_notify_url(u, false).is_ok();
        assert!(ok("https://brand.example.com/wxpay/notify"));
        assert!(!ok("http://brand.example.com/notify"));
        assert!(!ok("https://brand.example.com/"));
        assert!(!ok("https://brand.example.com/notify?a=1"));
        assert!(!ok("https://10.0.0.1/notify"));
        assert!(!ok("https://localhost/notify"));
        assert!(check_notify_url("http://127.0.0.1:8080/notify", true).is_ok());
        assert!(check_notify_url("https://[::1]:8443/n", true).is_ok());
        assert!(check_notify_url("http://127.0.0.1:8080/", true).is_err());
        assert!(check_notify_url("http://127.0.0.1:8080/n?x", true).is_err());
        assert!(check_notify_url("http://127.0.0.1:8080/notify", false).is_err());
    }
}
