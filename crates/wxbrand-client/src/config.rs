//! Building a [`Client`]: the builder and its defaults (the environment: `env`; checks of the
//! settings: `settings`).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use wxbrand_sign::{PrivateKey, PublicKey, Signer, Verifier};
use wxbrand_transport::{BlockingTransport, Transport};

use crate::client::Inner;
use crate::clock::{Clock, NonceSource, RandomNonce, Sleeper, SystemClock, TokioSleeper};
use crate::from_blocking::FromBlockingTransport;
use crate::hosts::Hosts;
use crate::rate_limit::{RateLimiter, RateLimits};
use crate::settings::{check_brand_id, check_key_id, check_serial_no, normalize_base_url};
use crate::RateLimit;
use crate::{Client, ConfigError, RetryPolicy};

/// The main host of the brand API (nearest access point).
pub const MAIN_BASE_URL: &str = "https://api.mch.weixin.qq.com";
/// The backup host of the brand API (an access point in another city).
pub const BACKUP_BASE_URL: &str = "https://api2.mch.weixin.qq.com";
/// The default failover cooldown: how long the client stays on the backup host.
pub const DEFAULT_FAILOVER_COOLDOWN: Duration = Duration::from_secs(60);
/// The widest answer timestamp window, in seconds: WeChat Pay's (see
/// [`ClientBuilder::verification_window_seconds`]).
const MAX_VERIFICATION_WINDOW_SECONDS: i64 = 300;
/// The `User-Agent` of every request.
pub const USER_AGENT: &str = concat!("wxbrand/", env!("CARGO_PKG_VERSION"), " (+rust)");

/// The names errors use for each setting: builder methods, or variables when read from the
/// environment.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SettingNames {
    pub(crate) brand_id: &'static str,
    pub(crate) serial_no: &'static str,
    pub(crate) private_key: &'static str,
    pub(crate) public_key_id: &'static str,
    pub(crate) base_url: &'static str,
}

const CODE_NAMES: SettingNames = SettingNames {
    brand_id: "brand_id",
    serial_no: "serial_no",
    private_key: "private_key",
    public_key_id: "wechatpay_public_key",
    base_url: "base_url",
};

/// Builds a [`Client`]. Every setting has a builder method; [`ClientBuilder::from_env`] fills
/// them from `WXBRAND_*` variables.
///
/// Required: [`brand_id`](Self::brand_id), [`serial_no`](Self::serial_no),
/// [`private_key`](Self::private_key) and at least one
/// [`wechatpay_public_key`](Self::wechatpay_public_key). Everything else has a default.
#[derive(Clone)]
pub struct ClientBuilder {
    pub(crate) names: SettingNames,
    brand_id: Option<String>,
    serial_no: Option<String>,
    private_key: Option<PrivateKey>,
    public_keys: Vec<(String, PublicKey)>,
    verify_window_seconds: Option<i64>,
    main_url: String,
    backup_url: Option<String>,
    failover_cooldown: Duration,
    transport: Option<Arc<dyn Transport>>,
    extra_root_certificates: Vec<Vec<u8>>,
    clock: Arc<dyn Clock>,
    sleeper: Arc<dyn Sleeper>,
    nonces: Arc<dyn NonceSource>,
    retry: RetryPolicy,
    rate_limits: HashMap<&'static str, Option<RateLimit>>,
    limiter: Option<Arc<dyn RateLimiter>>,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("brand_id", &self.brand_id)
            .field("serial_no", &self.serial_no)
            .field(
                "private_key",
                &self.private_key.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "wechatpay_public_key_ids",
                &self
                    .public_keys
                    .iter()
                    .map(|(id, _)| id)
                    .collect::<Vec<_>>(),
            )
            .field("main_url", &self.main_url)
            .field("backup_url", &self.backup_url)
            .field("failover_cooldown", &self.failover_cooldown)
            .field("retry", &self.retry)
            .field("rate_limits", &self.rate_limits)
            .field("limiter", &self.limiter)
            .finish_non_exhaustive()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl ClientBuilder {
    /// A builder with the defaults: main and backup hosts of WeChat Pay, a 60 s failover
    /// cooldown, [`RetryPolicy::default`], each operation's own rate limit
    /// ([`Operation::RATE_LIMIT`](wxbrand_core::Operation::RATE_LIMIT), e.g. 20 per second for
    /// `deactivate_stock`), the system clock, tokio sleeps and secure random nonces.
    pub fn new() -> Self {
        ClientBuilder {
            names: CODE_NAMES,
            brand_id: None,
            serial_no: None,
            private_key: None,
            public_keys: Vec::new(),
            verify_window_seconds: None,
            main_url: MAIN_BASE_URL.to_owned(),
            backup_url: Some(BACKUP_BASE_URL.to_owned()),
            failover_cooldown: DEFAULT_FAILOVER_COOLDOWN,
            transport: None,
            extra_root_certificates: Vec::new(),
            clock: Arc::new(SystemClock::new()),
            sleeper: Arc::new(TokioSleeper),
            nonces: Arc::new(RandomNonce),
            retry: RetryPolicy::default(),
            rate_limits: HashMap::new(),
            limiter: None,
        }
    }

    /// The brand id (品牌号).
    pub fn brand_id(mut self, brand_id: impl Into<String>) -> Self {
        self.brand_id = Some(brand_id.into());
        self
    }

    /// The serial number of the brand API certificate: 40 hex characters (upper or lower case; sent
    /// as given).
    pub fn serial_no(mut self, serial_no: impl Into<String>) -> Self {
        self.serial_no = Some(serial_no.into());
        self
    }

    /// The brand API private key, which signs every request.
    pub fn private_key(mut self, key: PrivateKey) -> Self {
        self.private_key = Some(key);
        self
    }

    /// Adds a WeChat Pay public key by its id: `PUB_KEY_ID_` followed by digits. The first one added is sent as
    /// `Wechatpay-Serial`; answers are verified with whichever key their `Wechatpay-Serial` names,
    /// so during a key rotation add the new key and the old one.
    pub fn wechatpay_public_key(mut self, key_id: impl Into<String>, key: PublicKey) -> Self {
        self.public_keys.push((key_id.into(), key));
        self
    }

    /// Replaces the answer timestamp window (default 300 s: answers whose `Wechatpay-Timestamp`
    /// is 300 s or more from the local clock are rejected). Must be 1 to 300 seconds: WeChat Pay's
    /// window is the widest allowed, a smaller one is stricter; [`build`](Self::build) refuses
    /// other values.
    pub fn verification_window_seconds(mut self, seconds: i64) -> Self {
        self.verify_window_seconds = Some(seconds);
        self
    }

    /// Replaces the main host (default `https://api.mch.weixin.qq.com`): scheme, host and
    /// optional port, no path.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.main_url = url.into();
        self
    }

    /// Replaces the backup host (default `https://api2.mch.weixin.qq.com`).
    pub fn backup_url(mut self, url: impl Into<String>) -> Self {
        self.backup_url = Some(url.into());
        self
    }

    /// No backup host: the client never fails over.
    pub fn without_backup(mut self) -> Self {
        self.backup_url = None;
        self
    }

    /// How long the client stays on the backup host after the main one could not be reached
    /// (default 60 s), before it tries the main host again.
    pub fn failover_cooldown(mut self, cooldown: Duration) -> Self {
        self.failover_cooldown = cooldown;
        self
    }

    /// Sends through this transport instead of the default `HyperTransport`.
    pub fn transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport = Some(transport);
        self
    }

    /// Sends through a synchronous [`BlockingTransport`]: each request runs on tokio's blocking
    /// thread pool (`spawn_blocking`), so the async pipeline — and the
    /// `BlockingClient` built on it — can use an HTTP stack that blocks.
    pub fn blocking_transport(self, transport: Arc<dyn BlockingTransport>) -> Self {
        self.transport(Arc::new(FromBlockingTransport(transport)))
    }

    /// Trusts an extra root certificate (PEM) in the default transport, e.g. a local simulator's
    /// CA. Ignored when a [`transport`](Self::transport) is given.
    pub fn add_root_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.extra_root_certificates.push(pem.into());
        self
    }

    /// Replaces the retry policy.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Limits how often `operation` (an [`Operation`](wxbrand_core::Operation)'s
    /// [`NAME`](wxbrand_core::Operation::NAME), e.g. `"deactivate_stock"`) is sent, by this
    /// client and all its clones, in place of the operation's own default
    /// ([`Operation::RATE_LIMIT`](wxbrand_core::Operation::RATE_LIMIT): WeChat Pay's limit per
    /// brand, e.g. 20 per second for `deactivate_stock`); calls over the limit wait. Every attempt
    /// counts, retries too. Build one client per brand and clone it, so the limit is shared.
    pub fn rate_limit(mut self, operation: &'static str, limit: RateLimit) -> Self {
        self.rate_limits.insert(operation, Some(limit));
        self
    }

    /// Removes the client-side rate limit of `operation` (its default included).
    pub fn without_rate_limit(mut self, operation: &'static str) -> Self {
        self.rate_limits.insert(operation, None);
        self
    }

    /// Keeps the rate limits in `limiter` instead of in this process: e.g. a
    /// `RedisRateLimiter` (feature `redis`) shared by every process of the brand, so that a fleet
    /// together stays within WeChat Pay's limits. The limits themselves are still the operations'
    /// own or those given to [`rate_limit`](Self::rate_limit) (an operation removed with
    /// [`without_rate_limit`](Self::without_rate_limit) does not ask the limiter). Without this
    /// the client keeps its limits in process, as [`LocalRateLimiter`](crate::rate_limit::LocalRateLimiter)
    /// does.
    pub fn rate_limiter(mut self, limiter: Arc<dyn RateLimiter>) -> Self {
        self.limiter = Some(limiter);
        self
    }

    /// Replaces the clock (tests: [`ManualClock`](crate::clock::ManualClock)).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Replaces how the client waits (tests: [`NoSleep`](crate::clock::NoSleep) or a
    /// [`ManualClock`](crate::clock::ManualClock)).
    pub fn sleeper(mut self, sleeper: Arc<dyn Sleeper>) -> Self {
        self.sleeper = sleeper;
        self
    }

    /// Replaces the nonce source.
    pub fn nonce_source(mut self, nonces: Arc<dyn NonceSource>) -> Self {
        self.nonces = nonces;
        self
    }

    /// Checks every setting and builds the client. Errors name the setting at fault.
    pub fn build(self) -> Result<Client, ConfigError> {
        let names = self.names;
        let brand_id = self.brand_id.ok_or(ConfigError::Missing {
            setting: names.brand_id,
        })?;
        check_brand_id(names.brand_id, &brand_id)?;
        let serial_no = self.serial_no.ok_or(ConfigError::Missing {
            setting: names.serial_no,
        })?;
        check_serial_no(names.serial_no, &serial_no)?;
        let private_key = self.private_key.ok_or(ConfigError::Missing {
            setting: names.private_key,
        })?;
        let mut keys = self.public_keys.into_iter();
        let Some((first_id, first_key)) = keys.next() else {
            return Err(ConfigError::Missing {
                setting: names.public_key_id,
            });
        };
        let mut verifier = Verifier::new(check_key_id(names.public_key_id, first_id)?, first_key);
        for (id, key) in keys {
            verifier = verifier.with_key(check_key_id(names.public_key_id, id)?, key);
        }
        if let Some(window) = self.verify_window_seconds {
            if !(1..=MAX_VERIFICATION_WINDOW_SECONDS).contains(&window) {
                return Err(ConfigError::Invalid {
                    setting: "verification_window_seconds",
                    problem: format!(
                        "{window}: expected 1 to {MAX_VERIFICATION_WINDOW_SECONDS} seconds \
                         (WeChat Pay's window; a smaller one is stricter)"
                    ),
                });
            }
            verifier = verifier.with_window_seconds(window);
        }
        let main_url = normalize_base_url(names.base_url, &self.main_url)?;
        let backup_url = match &self.backup_url {
            Some(url) => Some(normalize_base_url("backup_url", url)?),
            None => None,
        };
        for (operation, limit) in &self.rate_limits {
            if let Some(limit) = limit {
                if limit.max() == 0 || limit.window().is_zero() {
                    return Err(ConfigError::Invalid {
                        setting: "rate_limit",
                        problem: format!("the limit of `{operation}` must allow at least one request in a non-empty window"),
                    });
                }
            }
        }
        let rate_limits = RateLimits::new(self.rate_limits);
        let transport = match self.transport {
            Some(transport) => transport,
            None => {
                default_transport(self.extra_root_certificates)?.ok_or(ConfigError::Missing {
                    setting: "transport (or enable the `hyper` feature)",
                })?
            }
        };
        let wechatpay_serial =
            http::HeaderValue::from_str(verifier.primary_key_id()).map_err(|_| {
                ConfigError::Invalid {
                    setting: names.public_key_id,
                    problem: "the key id is not a valid header value".to_owned(),
                }
            })?;
        let signer = Signer::new(brand_id.clone(), serial_no, private_key);
        Ok(Client::new(Inner {
            brand_id,
            signer,
            verifier,
            wechatpay_serial,
            user_agent: http::HeaderValue::from_static(USER_AGENT),
            transport,
            hosts: Hosts::new(main_url, backup_url, self.failover_cooldown),
            clock: self.clock,
            sleeper: self.sleeper,
            nonces: self.nonces,
            retry: self.retry,
            rate_limits,
            limiter: self.limiter,
        }))
    }
}

impl Client {
    /// A builder; see [`ClientBuilder`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client configured from the `WXBRAND_*` environment variables
    /// ([`ClientBuilder::from_env`]) with every other setting at its default.
    pub fn from_env() -> Result<Client, ConfigError> {
        ClientBuilder::from_env()?.build()
    }
}

/// The default transport, when a feature provides one (`hyper`), else `None`.
fn default_transport(extra_roots: Vec<Vec<u8>>) -> Result<Option<Arc<dyn Transport>>, ConfigError> {
    let transport: Option<Arc<dyn Transport>> = None;
    #[cfg(feature = "hyper")]
    let transport = transport.or(Some(hyper_transport(&extra_roots)?));
    drop(extra_roots);
    Ok(transport)
}

#[cfg(feature = "hyper")]
fn hyper_transport(extra_roots: &[Vec<u8>]) -> Result<Arc<dyn Transport>, ConfigError> {
    let mut builder = wxbrand_transport::HyperTransport::builder();
    for pem in extra_roots {
        builder = builder
            .add_root_certificate_pem(pem)
            .map_err(|source| ConfigError::Transport { source })?;
    }
    let transport = builder
        .build()
        .map_err(|source| ConfigError::Transport { source })?;
    Ok(Arc::new(transport))
}
