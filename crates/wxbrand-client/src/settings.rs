//! Checks of the client's settings: brand id, certificate serial number, public key id, base URLs.

use crate::ConfigError;

/// A brand id: WeChat Pay assigns it, so only the header rule every layer shares applies
/// ([`wxbrand_sign::check_header_param`]).
pub(crate) fn check_brand_id(setting: &'static str, value: &str) -> Result<(), ConfigError> {
    by_rule(setting, wxbrand_sign::check_header_param("brand_id", value))
}

/// A certificate serial number: the rule of [`wxbrand_sign::check_serial_no`] (exactly 40 hex
/// characters, either case), shared with the CLI and the simulator.
pub(crate) fn check_serial_no(setting: &'static str, value: &str) -> Result<(), ConfigError> {
    by_rule(setting, wxbrand_sign::check_serial_no("serial_no", value))
}

/// A WeChat Pay public key id: the rule of [`wxbrand_sign::check_public_key_id`] (`PUB_KEY_ID_`
/// followed by digits), shared with the CLI and the simulator.
pub(crate) fn check_key_id(setting: &'static str, id: String) -> Result<String, ConfigError> {
    by_rule(
        setting,
        wxbrand_sign::check_public_key_id("public_key_id", &id),
    )?;
    Ok(id)
}

/// The outcome of one of the sign crate's rules as a setting's error: an empty value is
/// [`ConfigError::Missing`], anything else [`ConfigError::Invalid`] with the rule's text.
fn by_rule(
    setting: &'static str,
    checked: Result<(), wxbrand_sign::HeaderParamError>,
) -> Result<(), ConfigError> {
    checked.map_err(|error| match error.problem() {
        wxbrand_sign::HeaderParamProblem::Empty => ConfigError::Missing { setting },
        _ => ConfigError::Invalid {
            setting,
            problem: error.to_string(),
        },
    })
}

/// `scheme://authority` without a trailing slash; errors name `setting`.
///
/// The URL must parse exactly: a port is 1 to 65535 (`:99999` is refused, not wrapped or
/// dropped), and a user name or password (userinfo), a `#fragment`, a path or a query are
/// refused, not silently dropped. Error texts never show a password: userinfo is replaced by `***`.
pub(crate) fn normalize_base_url(setting: &'static str, url: &str) -> Result<String, ConfigError> {
    let invalid = |problem: &str| ConfigError::Invalid {
        setting,
        problem: format!(
            "`{}`: {problem} (expected e.g. https://api.mch.weixin.qq.com)",
            without_userinfo(url)
        ),
    };
    let trimmed = url.trim().trim_end_matches('/');
    if trimmed.is_empty() {
        return Err(invalid("empty"));
    }
    if trimmed.contains('#') {
        return Err(invalid("a base URL has no #fragment"));
    }
    let uri: http::Uri = trimmed.parse().map_err(|_| invalid("not a URL"))?;
    match uri.scheme_str() {
        Some("https") | Some("http") => {}
        _ => {
            return Err(invalid(
                "the scheme must be https (or http for a local test server)",
            ))
        }
    }
    let Some(authority) = uri.authority() else {
        return Err(invalid("no host"));
    };
    if authority.as_str().contains('@') {
        return Err(invalid(
            "a base URL carries no user name or password (requests are authenticated by their \
             signature)",
        ));
    }
    if authority.host().is_empty() {
        return Err(invalid("no host"));
    }
    // What follows the host: nothing, or `:` and a port number of 1 to 65535.
    let after_host = authority
        .as_str()
        .get(authority.host().len()..)
        .unwrap_or_default();
    if let Some(port) = after_host.strip_prefix(':') {
        let valid = !port.is_empty()
            && port.len() <= 5
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u16>().is_ok_and(|p| p != 0);
        if !valid {
            return Err(invalid(&format!(
                "`{port}` is not a port number (1 to 65535)"
            )));
        }
    } else if !after_host.is_empty() {
        return Err(invalid("not a URL"));
    }
    if !matches!(uri.path(), "" | "/") || uri.query().is_some() {
        return Err(invalid("a base URL has no path or query"));
    }
    Ok(format!(
        "{}://{}",
        uri.scheme_str().unwrap_or("https"),
        authority
    ))
}

/// `url` with any userinfo (`user:password@`) replaced by `***@`, for error texts.
fn without_userinfo(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let authority_start = scheme_end + 3;
    let rest = url.get(authority_start..).unwrap_or_default();
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest.get(..authority_len).unwrap_or_default();
    match authority.rfind('@') {
        Some(at) => format!(
            "{}***{}",
            url.get(..authority_start).unwrap_or_default(),
            rest.get(at..).unwrap_or_default()
        ),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ClientBuilder, PrivateKey};

    #[test]
    fn serial_numbers_and_key_ids_follow_the_sign_crates_rules() {
        // Empty is a missing setting; anything the rule refuses is invalid with the rule's text.
        assert!(matches!(
            check_serial_no("s", ""),
            Err(ConfigError::Missing { setting: "s" })
        ));
        assert!(matches!(
            check_key_id("k", String::new()),
            Err(ConfigError::Missing { setting: "k" })
        ));
        for serial in [
            "not-hex",
            "1DDE55AD98",
            "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C",
        ] {
            let rule = wxbrand_sign::check_serial_no("serial_no", serial);
            match check_serial_no("s", serial) {
                Ok(()) => assert!(rule.is_ok(), "{serial}"),
                Err(ConfigError::Invalid { problem, .. }) => {
                    assert_eq!(problem, rule.unwrap_err().to_string());
                }
                Err(other) => panic!("{serial}: {other:?}"),
            }
        }
        for id in [
            "PUB_KEY_ID_1\"",
            "PUB_KEY_ID_",
            "PUB_KEY_ID_0112345678202501010000000000000001",
        ] {
            let rule = wxbrand_sign::check_public_key_id("public_key_id", id);
            match check_key_id("k", id.to_owned()) {
                Ok(kept) => assert!(rule.is_ok() && kept == id, "{id}"),
                Err(ConfigError::Invalid { problem, .. }) => {
                    assert_eq!(problem, rule.unwrap_err().to_string());
                }
                Err(other) => panic!("{id}: {other:?}"),
            }
        }
    }

    #[test]
    fn base_urls_are_normalized_or_refused() {
        assert_eq!(
            normalize_base_url("x", "https://api.mch.weixin.qq.com/")
                .ok()
                .as_deref(),
            Some("https://api.mch.weixin.qq.com")
        );
        assert_eq!(
            normalize_base_url("x", "http://127.0.0.1:8080")
                .ok()
                .as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(
            normalize_base_url("x", "http://[::1]:65535")
                .ok()
                .as_deref(),
            Some("http://[::1]:65535")
        );
        for bad in [
            "",
            "   ",
            "api.mch.weixin.qq.com",
            "ftp://x",
            "https://x/v3",
            "https://x?a=1",
            // Ports that do not parse exactly (99999 used to send the request to port 80).
            "http://127.0.0.1:99999",
            "http://127.0.0.1:0",
            "http://127.0.0.1:",
            "http://127.0.0.1:+80",
            "http://[::1]:70000",
            // Userinfo and fragments used to be dropped silently.
            "https://user:pass@api.mch.weixin.qq.com",
            "https://api.mch.weixin.qq.com#main",
            "https://api.mch.weixin.qq.com/#",
        ] {
            let err = normalize_base_url("WXBRAND_BASE_URL", bad).err();
            assert!(
                matches!(
                    err,
                    Some(ConfigError::Invalid {
                        setting: "WXBRAND_BASE_URL",
                        ..
                    })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_refused_base_url_never_shows_its_password() {
        let err = normalize_base_url("base_url", "https://alice:s3cret@example.com:99999/")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("user name or password"), "{err}");
        assert!(!err.contains("s3cret"), "{err}");
        assert!(err.contains("https://***@example.com:99999/"), "{err}");
        assert_eq!(without_userinfo("http://a@b@h/p@q"), "http://***@h/p@q");
        assert_eq!(without_userinfo("no scheme@x"), "no scheme@x");
    }

    #[test]
    fn the_builder_refuses_a_bad_base_url_naming_the_setting() {
        let key = PrivateKey::from_pem(include_bytes!(
            "../../../testdata/vectors/keys/brand_private_key.pem"
        ))
        .unwrap();
        let public = key.public_key();
        let err = ClientBuilder::new()
            .brand_id("120344")
            .serial_no("1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C")
            .private_key(key)
            .wechatpay_public_key("PUB_KEY_ID_0112345678202501010000000000000001", public)
            .base_url("http://127.0.0.1:99999")
            .without_backup()
            .build()
            .err();
        match err {
            Some(err @ ConfigError::Invalid { .. }) => {
                assert_eq!(err.setting(), Some("base_url"));
                assert!(
                    err.to_string().contains("`99999` is not a port number"),
                    "{err}"
                );
            }
            other => panic!("expected an invalid base_url, got {other:?}"),
        }
    }
}
