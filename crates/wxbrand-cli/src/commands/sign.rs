//! `wxbrand sign`: prints the `Authorization` header the SDK would send, for debugging `SIGN_ERROR`
//! against another implementation.

use wxbrand_sign::{generate_nonce, Signer};

use crate::cli::SignArgs;
use crate::config::{self, BRAND_ID, PRIVATE_KEY, SERIAL_NO};
use crate::exit::Failure;
use crate::{clock, output};

/// Runs `wxbrand sign`.
pub fn run(args: &SignArgs) -> Result<(), Failure> {
    let brand_id = config::required_text(args.brand.brand_id.as_ref(), BRAND_ID)?;
    let serial_no = config::required_text(args.brand.serial_no.as_ref(), SERIAL_NO)?;
    let key_path = config::required(args.brand.private_key.as_ref(), PRIVATE_KEY)?;
    let method = signed_method(&args.method)?;
    let path_and_query = signed_path_and_query(&args.url)?;
    if path_and_query != args.url {
        output::note(&format!(
            "signing the path and query only: {path_and_query}"
        ));
    }
    let body = config::body_bytes(args.body.body.as_ref(), args.body.body_file.as_ref())?;
    let key = config::load_private_key(&key_path, PRIVATE_KEY)?;
    let timestamp = args.timestamp.unwrap_or_else(clock::now_unix_seconds);
    let nonce = args.nonce.clone().unwrap_or_else(generate_nonce);

    let signer = Signer::new(brand_id, serial_no, key);
    let authorization = signer
        .authorization(&method, &path_and_query, &body, timestamp, &nonce)
        .map_err(|e| Failure::usage(output::chain(&e)))?;
    if args.show_message {
        output::note(&output::escape(authorization.signed_message_bytes()));
    }
    output::line(authorization.header_value())
}

/// The method as signed: upper case, letters only.
fn signed_method(method: &str) -> Result<String, Failure> {
    if method.is_empty() || !method.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(Failure::usage(format!(
            "--method {method:?} is not an HTTP method; expected GET, POST, PATCH …"
        )));
    }
    Ok(method.to_ascii_uppercase())
}

/// The absolute path and query to sign. A full `http(s)://host/…` URL is cut to its path and query,
/// since the scheme and host are never signed.
fn signed_path_and_query(url: &str) -> Result<String, Failure> {
    let without_scheme = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let path_and_query = match without_scheme {
        Some(rest) => match rest.find('/') {
            Some(slash) => rest[slash..].to_string(),
            None => "/".to_string(),
        },
        None => url.to_string(),
    };
    if !path_and_query.starts_with('/') {
        return Err(Failure::usage(format!(
            "--url {url:?} must be an absolute path with its query, e.g. \
             /brand/marketing/product-coupon/product-coupons/200000001/stocks?page_size=20"
        )));
    }
    if path_and_query.contains('#') {
        return Err(Failure::usage(format!(
            "--url {url:?} has a #fragment, which is never sent nor signed"
        )));
    }
    Ok(path_and_query)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_are_upper_cased() {
        assert_eq!(signed_method("post").unwrap(), "POST");
        assert!(signed_method("GE T").is_err());
        assert!(signed_method("").is_err());
    }

    #[test]
    fn full_urls_are_cut_to_path_and_query() {
        assert_eq!(
            signed_path_and_query("https://api.mch.weixin.qq.com/brand/x?a=1").unwrap(),
            "/brand/x?a=1"
        );
        assert_eq!(signed_path_and_query("/brand/x").unwrap(), "/brand/x");
        assert!(signed_path_and_query("brand/x").is_err());
        assert!(signed_path_and_query("/brand/x#frag").is_err());
    }
}
