//! Settings from the environment: the `WXBRAND_*` variables and the key files they name.

use std::path::{Path, PathBuf};

use wxbrand_sign::{PrivateKey, PublicKey};

use crate::config::SettingNames;
use crate::{ClientBuilder, ConfigError};

/// The environment variables read by [`ClientBuilder::from_env`].
pub mod env_var {
    /// The brand id (品牌号). Required.
    pub const BRAND_ID: &str = "WXBRAND_BRAND_ID";
    /// The serial number of the brand API certificate. Required.
    pub const SERIAL_NO: &str = "WXBRAND_SERIAL_NO";
    /// Path of the brand API private key (PEM, PKCS#8 or PKCS#1). Required.
    pub const PRIVATE_KEY_PATH: &str = "WXBRAND_PRIVATE_KEY_PATH";
    /// The WeChat Pay public key id (`PUB_KEY_ID_…`). Required.
    pub const PUBLIC_KEY_ID: &str = "WXBRAND_PUBLIC_KEY_ID";
    /// Path of the WeChat Pay public key (SPKI PEM, `BEGIN PUBLIC KEY`). Required.
    pub const PUBLIC_KEY_PATH: &str = "WXBRAND_PUBLIC_KEY_PATH";
    /// Optional: replaces the main host (and turns host failover off), e.g. for a proxy or the
    /// simulator.
    pub const BASE_URL: &str = "WXBRAND_BASE_URL";
    /// Every variable above.
    pub const ALL: [&str; 6] = [
        BRAND_ID,
        SERIAL_NO,
        PRIVATE_KEY_PATH,
        PUBLIC_KEY_ID,
        PUBLIC_KEY_PATH,
        BASE_URL,
    ];
}

/// The names errors use when the settings came from the environment.
pub(crate) const ENV_NAMES: SettingNames = SettingNames {
    brand_id: env_var::BRAND_ID,
    serial_no: env_var::SERIAL_NO,
    private_key: env_var::PRIVATE_KEY_PATH,
    public_key_id: env_var::PUBLIC_KEY_ID,
    base_url: env_var::BASE_URL,
};

impl ClientBuilder {
    /// Reads the settings from the process environment: see [`ClientBuilder::from_lookup`].
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the settings through `lookup` (a variable name in, its value out), as
    /// [`ClientBuilder::from_env`] does with the process environment: `WXBRAND_BRAND_ID`,
    /// `WXBRAND_SERIAL_NO`, `WXBRAND_PRIVATE_KEY_PATH`, `WXBRAND_PUBLIC_KEY_ID` and
    /// `WXBRAND_PUBLIC_KEY_PATH` are required, `WXBRAND_BASE_URL` optional (it replaces the main
    /// host and turns failover off). Key files are read and parsed here. An empty value counts as
    /// missing; every error names the variable.
    pub fn from_lookup(
        mut lookup: impl FnMut(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let mut required = |name: &'static str| -> Result<String, ConfigError> {
            match lookup(name) {
                Some(value) if !value.trim().is_empty() => Ok(value.trim().to_owned()),
                _ => Err(ConfigError::Missing { setting: name }),
            }
        };
        let brand_id = required(env_var::BRAND_ID)?;
        let serial_no = required(env_var::SERIAL_NO)?;
        let private_key_path = required(env_var::PRIVATE_KEY_PATH)?;
        let public_key_id = required(env_var::PUBLIC_KEY_ID)?;
        let public_key_path = required(env_var::PUBLIC_KEY_PATH)?;
        let base_url = lookup(env_var::BASE_URL).filter(|v| !v.trim().is_empty());

        let private_key_pem = read_file(env_var::PRIVATE_KEY_PATH, Path::new(&private_key_path))?;
        let private_key =
            PrivateKey::from_pem(&private_key_pem).map_err(|source| ConfigError::Key {
                setting: env_var::PRIVATE_KEY_PATH,
                path: Some(PathBuf::from(&private_key_path)),
                source,
            })?;
        let public_key_pem = read_file(env_var::PUBLIC_KEY_PATH, Path::new(&public_key_path))?;
        let public_key =
            PublicKey::from_pem(&public_key_pem).map_err(|source| ConfigError::Key {
                setting: env_var::PUBLIC_KEY_PATH,
                path: Some(PathBuf::from(&public_key_path)),
                source,
            })?;

        let mut builder = ClientBuilder::new()
            .brand_id(brand_id)
            .serial_no(serial_no)
            .private_key(private_key)
            .wechatpay_public_key(public_key_id, public_key);
        if let Some(url) = base_url {
            builder = builder.base_url(url.trim()).without_backup();
        }
        builder.names = ENV_NAMES;
        Ok(builder)
    }
}

/// A key file, through the one bounded reader ([`wxbrand_sign::read_key_file`]: a regular file of
/// at most 64 KiB; a FIFO, a device or a huge file is refused at once).
fn read_file(setting: &'static str, path: &Path) -> Result<Vec<u8>, ConfigError> {
    wxbrand_sign::read_key_file(path).map_err(|source| ConfigError::ReadFile {
        setting,
        path: path.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn missing_variables_are_named_in_order() {
        let mut env: HashMap<&str, String> = HashMap::new();
        for (name, value) in [
            (env_var::BRAND_ID, "120344"),
            (
                env_var::SERIAL_NO,
                "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C",
            ),
            (env_var::PRIVATE_KEY_PATH, "/nonexistent/brand.pem"),
            (
                env_var::PUBLIC_KEY_ID,
                "PUB_KEY_ID_0112345678202501010000000000000001",
            ),
            (env_var::PUBLIC_KEY_PATH, "/nonexistent/wechatpay.pem"),
        ] {
            let missing = ClientBuilder::from_lookup(|n| env.get(n).cloned()).err();
            match missing {
                Some(ConfigError::Missing { setting }) => assert_eq!(setting, name),
                other => panic!("expected {name} missing, got {other:?}"),
            }
            env.insert(name, value.to_owned());
        }
        // Everything set, but the key file does not exist.
        match ClientBuilder::from_lookup(|n| env.get(n).cloned()).err() {
            Some(err @ ConfigError::ReadFile { .. }) => {
                assert_eq!(err.setting(), Some(env_var::PRIVATE_KEY_PATH));
                assert!(err.to_string().contains("/nonexistent/brand.pem"));
            }
            other => panic!("expected a read error, got {other:?}"),
        }
        // A key path that is not a regular file is refused at once, not read (a FIFO would block).
        env.insert(env_var::PRIVATE_KEY_PATH, "/dev/zero".to_owned());
        match ClientBuilder::from_lookup(|n| env.get(n).cloned()).err() {
            Some(err @ ConfigError::ReadFile { .. }) => {
                assert_eq!(err.setting(), Some(env_var::PRIVATE_KEY_PATH));
                let source = std::error::Error::source(&err).map(ToString::to_string);
                assert!(
                    source
                        .as_deref()
                        .unwrap_or_default()
                        .contains("not a regular file"),
                    "{source:?}"
                );
            }
            other => panic!("expected a read error, got {other:?}"),
        }
        // An empty value counts as missing.
        env.insert(env_var::BRAND_ID, "  ".to_owned());
        assert!(matches!(
            ClientBuilder::from_lookup(|n| env.get(n).cloned()).err(),
            Some(ConfigError::Missing {
                setting: env_var::BRAND_ID
            })
        ));
    }
}
