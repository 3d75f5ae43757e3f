//! Settings and input files: resolves what the user gave (flag or `WXBRAND_*` variable) and loads
//! keys and bodies with errors that name the flag, the variable and the path.

use std::path::{Path, PathBuf};

use wxbrand_sign::{PrivateKey, PublicKey};

use crate::exit::Failure;

/// A setting that can come from a flag or an environment variable, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    /// What it is, for people ("brand id").
    pub what: &'static str,
    /// The flag, e.g. `--brand-id`.
    pub flag: &'static str,
    /// The environment variable, if the setting has one.
    pub env: Option<&'static str>,
}

impl Setting {
    /// A setting read from `flag` or the variable `env`.
    pub const fn new(what: &'static str, flag: &'static str, env: &'static str) -> Self {
        Setting {
            what,
            flag,
            env: Some(env),
        }
    }

    /// A setting given only by `flag`.
    pub const fn flag_only(what: &'static str, flag: &'static str) -> Self {
        Setting {
            what,
            flag,
            env: None,
        }
    }

    /// How the user gives this setting: "--brand-id or WXBRAND_BRAND_ID".
    pub fn how_to_give(&self) -> String {
        match self.env {
            Some(env) => format!("{} or the environment variable {env}", self.flag),
            None => self.flag.to_string(),
        }
    }
}

/// The brand id.
pub const BRAND_ID: Setting = Setting::new("brand id", "--brand-id", "WXBRAND_BRAND_ID");
/// The brand API certificate serial number.
pub const SERIAL_NO: Setting = Setting::new(
    "brand API certificate serial number",
    "--serial-no",
    "WXBRAND_SERIAL_NO",
);
/// The brand private key file.
pub const PRIVATE_KEY: Setting = Setting::new(
    "brand API private key file",
    "--private-key",
    "WXBRAND_PRIVATE_KEY_PATH",
);
/// The WeChat Pay public key id.
pub const PUBLIC_KEY_ID: Setting = Setting::new(
    "WeChat Pay public key id",
    "--public-key-id",
    "WXBRAND_PUBLIC_KEY_ID",
);
/// The WeChat Pay public key file.
pub const PUBLIC_KEY: Setting = Setting::new(
    "WeChat Pay public key file",
    "--public-key",
    "WXBRAND_PUBLIC_KEY_PATH",
);

/// The value of a setting, or a usage failure naming its flag and variable.
pub fn required<T: Clone>(value: Option<&T>, setting: Setting) -> Result<T, Failure> {
    value.cloned().ok_or_else(|| {
        Failure::usage(format!(
            "missing setting: the {}; give it with {}",
            setting.what,
            setting.how_to_give()
        ))
    })
}

/// A text setting that must not be empty or only spaces.
pub fn required_text(value: Option<&String>, setting: Setting) -> Result<String, Failure> {
    let text = required(value, setting)?;
    if text.trim().is_empty() {
        return Err(Failure::usage(format!(
            "empty setting: the {} is blank; give it with {}",
            setting.what,
            setting.how_to_give()
        )));
    }
    Ok(text)
}

/// Reads a whole file, or a usage failure naming what the file was for.
pub fn read_file(path: &Path, what: &str, max_size: u64) -> Result<Vec<u8>, Failure> {
    wxbrand_sign::read_bounded_file(path, max_size)
        .map_err(|e| Failure::usage(format!("cannot read the {what} {}: {e}", path.display())))
}

/// The largest `--ca-cert` file read: 1 MiB (a PEM certificate is 1–2 KB; a whole system bundle
/// of about 150 certificates is some 200 KB).
pub const MAX_CA_FILE_SIZE: u64 = 1024 * 1024;

/// The largest `--body-file` read: 4 MiB, the largest answer the client accepts.
pub const MAX_BODY_FILE_SIZE: u64 = 4 * 1024 * 1024;

/// Reads a key file with [`wxbrand_sign::read_key_file`] (a regular file of at most 64 KiB: a
/// FIFO, a device or a huge file is refused at once), or a usage failure naming the path and flag.
fn read_key_file(path: &Path, setting: Setting) -> Result<Vec<u8>, Failure> {
    wxbrand_sign::read_key_file(path).map_err(|e| {
        Failure::usage(format!(
            "cannot read the {} {} (from {}): {e}",
            setting.what,
            path.display(),
            setting.how_to_give()
        ))
    })
}

/// Loads a private key (PEM, PKCS#8 or PKCS#1) from `path`; a wrong file is explained by
/// wxbrand-sign's [`wxbrand_sign::KeyError`] (what was found, what was expected), with the path and flag.
pub fn load_private_key(path: &Path, setting: Setting) -> Result<PrivateKey, Failure> {
    let pem = read_key_file(path, setting)?;
    PrivateKey::from_pem(&pem).map_err(|e| unusable_key(path, setting, &e))
}

/// Loads a public key (PEM, `BEGIN PUBLIC KEY`) from `path`, explaining a wrong file like
/// [`load_private_key`].
pub fn load_public_key(path: &Path, setting: Setting) -> Result<PublicKey, Failure> {
    let pem = read_key_file(path, setting)?;
    PublicKey::from_pem(&pem).map_err(|e| unusable_key(path, setting, &e))
}

fn unusable_key(path: &Path, setting: Setting, error: &wxbrand_sign::KeyError) -> Failure {
    Failure::usage(format!(
        "the {} {} (from {}) cannot be used: {error}",
        setting.what,
        path.display(),
        setting.how_to_give()
    ))
}

/// The body given by `--body TEXT` or `--body-file PATH` (empty when neither).
pub fn body_bytes(body: Option<&String>, body_file: Option<&PathBuf>) -> Result<Vec<u8>, Failure> {
    match (body, body_file) {
        (_, Some(path)) => read_file(path, "body file", MAX_BODY_FILE_SIZE),
        (Some(text), None) => Ok(text.as_bytes().to_vec()),
        (None, None) => Ok(Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_setting_names_flag_and_variable() {
        let err = required::<String>(None, BRAND_ID).unwrap_err();
        assert!(err.message().contains("--brand-id"));
        assert!(err.message().contains("WXBRAND_BRAND_ID"));
    }

    #[test]
    fn a_blank_setting_is_refused() {
        let blank = "  ".to_string();
        assert!(required_text(Some(&blank), SERIAL_NO).is_err());
    }

    #[test]
    fn the_body_file_wins_only_when_given() {
        let text = "abc".to_string();
        assert_eq!(body_bytes(Some(&text), None).unwrap(), b"abc");
        assert!(body_bytes(None, None).unwrap().is_empty());
    }
}
