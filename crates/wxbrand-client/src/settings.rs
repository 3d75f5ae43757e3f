//! Checks of the client's settings: brand id, certificate serial number, public key id, base URLs.

use crate::ConfigError;

/// A brand id: WeChat Pay assigns it, so only the header rule every layer shares applies
/// ([`wxbrand_sign::check_header_param`]).
pub(crate) fn check_brand_id(setting: &'static str, value: &str) -> Result<(), ConfigError> {
    if value.is_empty() {
        return Err(ConfigError::Missing { setting });
    }
    wxbrand_sign::check_header_param("brand_id", value).map_err(|e| ConfigError::Invalid {
        setting,
        problem: e.to_string(),
    })
}

/// A certificate serial number: exactly 40 hex characters, either case.
pub(crate) fn check_serial_no(setting: &'static str, value: &str) -> Result<(), ConfigError> {
    if value.is_empty() {
        return Err(ConfigError::Missing { setting });
    }
    if value.len() != 40 || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ConfigError::Invalid {
            setting,
            problem: format!(
                "{value:?}: expected the 40 hexadecimal characters of the brand API certificate's \
                 serial number (e.g. 1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C)"
            ),
        });
    }
    Ok(())
}

/// A WeChat Pay public key id: `PUB_KEY_ID_` followed by digits only.
pub(crate) fn check_key_id(setting: &'static str, id: String) -> Result<String, ConfigError> {
    if id.is_empty() {
        return Err(ConfigError::Missing { setting });
    }
    match id.strip_prefix("PUB_KEY_ID_") {
        Some(digits) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => Ok(id),
        _ => Err(ConfigError::Invalid {
            setting,
            problem: format!(
                "{id:?} is not a WeChat Pay public key id: expected PUB_KEY_ID_ followed by \
                 digits (e.g. PUB_KEY_ID_0112345678202501010000000000000001)"
            ),
        }),
    }
}

/// `scheme://authority` without a trailing slash; errors name `setting`.
pub(crate) fn normalize_base_url(setting: &'static str, url: &str) -> Result<String, ConfigError> {
    let invalid = |problem: &str| ConfigError::Invalid {
        setting,
        problem: format!("`{url}`: {problem} (expected e.g. https://api.mch.weixin.qq.com)"),
    };
    let trimmed = url.trim().trim_end_matches('/');
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
    if !matches!(uri.path(), "" | "/") || uri.query().is_some() {
        return Err(invalid("a base URL has no path or query"));
    }
    Ok(format!(
        "{}://{}",
        uri.scheme_str().unwrap_or("https"),
        authority
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        for bad in [
            "",
            "api.mch.weixin.qq.com",
            "ftp://x",
            "https://x/v3",
            "https://x?a=1",
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
}
