//! The hyper + rustls transport: a pooled hyper-util client over hyper-rustls.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Incoming};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::connect::{capture_connection, HttpConnector};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use rustls::RootCertStore;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;

use crate::classify::{before_sending, check_url, content_length, too_large};
use crate::{Bytes, Transport, TransportError, TransportErrorKind};

type PooledClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// A [`Transport`] over a pooled hyper-util client with hyper-rustls (rustls on its aws-lc-rs
/// provider).
///
/// - HTTP/1.1 with keep-alive; HTTP/2 when the server offers it by ALPN (can be switched off
///   with [`HyperTransportBuilder::http2`]).
/// - `https` and plain `http` URLs (plain `http` is meant for local servers and tests; refuse it
///   with [`HyperTransportBuilder::https_only`]).
/// - Connections are pooled per host and reused; idle ones close after the pool idle timeout.
/// - Every error is classified by what is safe to do next (see [`TransportErrorKind`]).
///
/// Cloning is cheap: clones share the connection pool and the configuration.
///
/// `send` needs a tokio runtime with its IO and time drivers enabled (`enable_all()`, as
/// `#[tokio::main]` and `#[tokio::test]` do). Outside any runtime it returns an error of kind
/// [`Other`](TransportErrorKind::Other); inside a runtime built without those drivers tokio
/// itself panics (it offers no way to check for them beforehand). Connections are driven by
/// tasks spawned on the runtime that opened them. For synchronous code use
#[cfg_attr(
    feature = "blocking",
    doc = "[`BlockingHyperTransport`](crate::BlockingHyperTransport)."
)]
#[cfg_attr(
    not(feature = "blocking"),
    doc = "`BlockingHyperTransport` (feature `blocking`)."
)]
///
/// ```no_run
/// use wxbrand_transport::{Bytes, HyperTransport, Transport};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let transport = HyperTransport::new()?;
/// let request = http::Request::get("https://api.mch.weixin.qq.com/").body(Bytes::new())?;
/// match transport.send(request).await {
///     Ok(response) => println!("{} ({} bytes)", response.status(), response.body().len()),
///     Err(error) if error.is_not_sent() => println!("never left, safe to send again: {error}"),
///     Err(error) => return Err(error.into()),
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct HyperTransport {
    inner: Arc<Inner>,
}

struct Inner {
    client: PooledClient,
    settings: Settings,
}

/// The values a builder collects, kept for `Debug` and for `send`.
#[derive(Debug, Clone)]
struct Settings {
    connect_timeout: Duration,
    request_timeout: Duration,
    pool_idle_timeout: Duration,
    pool_max_idle_per_host: usize,
    max_response_size: usize,
    built_in_roots: BuiltInRoots,
    extra_root_count: usize,
    http2: bool,
    https_only: bool,
}

/// Which built-in set of root certificates a [`HyperTransport`] trusts, besides the roots added
/// with [`HyperTransportBuilder::add_root_certificate_pem`] /
/// [`HyperTransportBuilder::add_root_certificate_der`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuiltInRoots {
    /// The Mozilla root program, compiled in (the `webpki-roots` crate). The default: the same
    /// on every machine, no file system access.
    WebPki,
    /// The operating system's trust store, loaded once when the transport is built
    /// (the `rustls-native-certs` crate; honours `SSL_CERT_FILE` / `SSL_CERT_DIR`).
    Platform,
    /// None: only the roots added to the builder are trusted (useful against a private CA).
    None,
}

/// Builds a [`HyperTransport`]; every setting has a documented default.
///
/// | setting | default |
/// |---|---|
/// | [`connect_timeout`](Self::connect_timeout) | 5 s ([`DEFAULT_CONNECT_TIMEOUT`](Self::DEFAULT_CONNECT_TIMEOUT)) |
/// | [`request_timeout`](Self::request_timeout) | 30 s ([`DEFAULT_REQUEST_TIMEOUT`](Self::DEFAULT_REQUEST_TIMEOUT)) |
/// | [`pool_idle_timeout`](Self::pool_idle_timeout) | 90 s ([`DEFAULT_POOL_IDLE_TIMEOUT`](Self::DEFAULT_POOL_IDLE_TIMEOUT)) |
/// | [`pool_max_idle_per_host`](Self::pool_max_idle_per_host) | 32 ([`DEFAULT_POOL_MAX_IDLE_PER_HOST`](Self::DEFAULT_POOL_MAX_IDLE_PER_HOST)) |
/// | [`max_response_size`](Self::max_response_size) | 4 MiB ([`DEFAULT_MAX_RESPONSE_SIZE`](Self::DEFAULT_MAX_RESPONSE_SIZE)) |
/// | [`built_in_roots`](Self::built_in_roots) | [`BuiltInRoots::WebPki`] |
/// | [`http2`](Self::http2) | on (offered by ALPN) |
/// | [`https_only`](Self::https_only) | off (plain `http` allowed) |
///
/// ```
/// use std::time::Duration;
/// use wxbrand_transport::{BuiltInRoots, HyperTransport};
///
/// # fn main() -> Result<(), wxbrand_transport::TransportError> {
/// let transport = HyperTransport::builder()
///     .connect_timeout(Duration::from_secs(2))
///     .request_timeout(Duration::from_secs(10))
///     .max_response_size(1 << 20)
///     .built_in_roots(BuiltInRoots::WebPki)
///     .https_only(true)
///     .build()?;
/// # drop(transport);
/// # Ok(())
/// # }
/// ```
pub struct HyperTransportBuilder {
    settings: Settings,
    extra_roots: RootCertStore,
}

impl fmt::Debug for HyperTransportBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HyperTransportBuilder")
            .field("settings", &self.settings)
            .field("extra_roots", &self.extra_roots.len())
            .finish()
    }
}

impl fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.inner.settings;
        f.debug_struct("HyperTransport")
            .field("connect_timeout", &s.connect_timeout)
            .field("request_timeout", &s.request_timeout)
            .field("pool_idle_timeout", &s.pool_idle_timeout)
            .field("pool_max_idle_per_host", &s.pool_max_idle_per_host)
            .field("max_response_size", &s.max_response_size)
            .field("built_in_roots", &s.built_in_roots)
            .field("extra_roots", &s.extra_root_count)
            .field("http2", &s.http2)
            .field("https_only", &s.https_only)
            .finish()
    }
}

impl HyperTransport {
    /// A transport with the documented defaults (see [`HyperTransportBuilder`]).
    ///
    /// Needs no runtime to build; fails only if the TLS configuration cannot be made.
    pub fn new() -> Result<Self, TransportError> {
        Self::builder().build()
    }

    /// A builder, starting from the documented defaults.
    pub fn builder() -> HyperTransportBuilder {
        HyperTransportBuilder::new()
    }

    /// The maximum answer body size, in bytes.
    pub fn max_response_size(&self) -> usize {
        self.inner.settings.max_response_size
    }

    /// The whole-request timeout.
    pub fn request_timeout(&self) -> Duration {
        self.inner.settings.request_timeout
    }

    /// The connect timeout.
    pub fn connect_timeout(&self) -> Duration {
        self.inner.settings.connect_timeout
    }
}

impl Default for HyperTransportBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl HyperTransportBuilder {
    /// Default [`connect_timeout`](Self::connect_timeout): 5 seconds.
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
    /// Default [`request_timeout`](Self::request_timeout): 30 seconds.
    pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
    /// Default [`pool_idle_timeout`](Self::pool_idle_timeout): 90 seconds.
    pub const DEFAULT_POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(90);
    /// Default [`pool_max_idle_per_host`](Self::pool_max_idle_per_host): 32 connections.
    pub const DEFAULT_POOL_MAX_IDLE_PER_HOST: usize = 32;
    /// Default [`max_response_size`](Self::max_response_size): 4 MiB.
    pub const DEFAULT_MAX_RESPONSE_SIZE: usize = 4 * 1024 * 1024;

    /// A builder with the documented defaults (same as [`HyperTransport::builder`]).
    pub fn new() -> Self {
        HyperTransportBuilder {
            settings: Settings {
                connect_timeout: Self::DEFAULT_CONNECT_TIMEOUT,
                request_timeout: Self::DEFAULT_REQUEST_TIMEOUT,
                pool_idle_timeout: Self::DEFAULT_POOL_IDLE_TIMEOUT,
                pool_max_idle_per_host: Self::DEFAULT_POOL_MAX_IDLE_PER_HOST,
                max_response_size: Self::DEFAULT_MAX_RESPONSE_SIZE,
                built_in_roots: BuiltInRoots::WebPki,
                extra_root_count: 0,
                http2: true,
                https_only: false,
            },
            extra_roots: RootCertStore::empty(),
        }
    }

    /// How long to wait for a TCP connection to be established, per resolved address.
    ///
    /// Expiry is reported as [`NotSent`](TransportErrorKind::NotSent). Name resolution and the
    /// TLS handshake are not covered by this timeout, only by the
    /// [`request_timeout`](Self::request_timeout).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.settings.connect_timeout = timeout;
        self
    }

    /// The deadline for the whole exchange: getting a connection, writing the request and reading
    /// the whole answer.
    ///
    /// Expiry is reported as [`NotSent`](TransportErrorKind::NotSent) when the request had not
    /// yet been handed to a connection (it was still resolving, connecting or in the TLS
    /// handshake), else as [`MaybeDelivered`](TransportErrorKind::MaybeDelivered).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.settings.request_timeout = timeout;
        self
    }

    /// How long an idle pooled connection is kept before it is closed.
    pub fn pool_idle_timeout(mut self, timeout: Duration) -> Self {
        self.settings.pool_idle_timeout = timeout;
        self
    }

    /// The most idle connections kept per host (`0` turns keep-alive reuse off).
    pub fn pool_max_idle_per_host(mut self, max: usize) -> Self {
        self.settings.pool_max_idle_per_host = max;
        self
    }

    /// The largest answer body accepted, in bytes. A larger answer is an error of kind
    /// [`ResponseTooLarge`](TransportErrorKind::ResponseTooLarge): an announced `Content-Length`
    /// over the limit is refused before any of the body is read, and a body without one is read
    /// no further than the limit.
    pub fn max_response_size(mut self, bytes: usize) -> Self {
        self.settings.max_response_size = bytes;
        self
    }

    /// Which built-in roots to trust (default [`BuiltInRoots::WebPki`]). Roots added with
    /// [`add_root_certificate_pem`](Self::add_root_certificate_pem) are trusted in any case.
    pub fn built_in_roots(mut self, roots: BuiltInRoots) -> Self {
        self.settings.built_in_roots = roots;
        self
    }

    /// Whether to offer HTTP/2 by ALPN on TLS connections (default on). Plain `http`
    /// connections always use HTTP/1.1.
    pub fn http2(mut self, enabled: bool) -> Self {
        self.settings.http2 = enabled;
        self
    }

    /// Refuse plain `http` URLs with [`InvalidUrl`](TransportErrorKind::InvalidUrl)
    /// (default off, so local test servers can be reached without TLS).
    pub fn https_only(mut self, enabled: bool) -> Self {
        self.settings.https_only = enabled;
        self
    }

    /// Trusts the root certificates in `pem` (one or more `CERTIFICATE` sections), for example
    /// the CA of a local simulator, besides the built-in roots.
    ///
    /// Fails with [`Other`](TransportErrorKind::Other) when `pem` holds no certificate or one
    /// cannot be used as a trust anchor.
    pub fn add_root_certificate_pem(mut self, pem: &[u8]) -> Result<Self, TransportError> {
        let mut added = 0usize;
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|e| {
                TransportError::with_source(
                    TransportErrorKind::Other,
                    "root certificate PEM cannot be read",
                    e,
                )
            })?;
            self.add_root(cert)?;
            added += 1;
        }
        if added == 0 {
            return Err(TransportError::new(
                TransportErrorKind::Other,
                "root certificate PEM holds no CERTIFICATE section",
                None,
            ));
        }
        Ok(self)
    }

    /// Trusts one DER-encoded root certificate besides the built-in roots.
    ///
    /// Fails with [`Other`](TransportErrorKind::Other) when it cannot be used as a trust anchor.
    pub fn add_root_certificate_der(mut self, der: &[u8]) -> Result<Self, TransportError> {
        self.add_root(CertificateDer::from(der.to_vec()))?;
        Ok(self)
    }

    fn add_root(&mut self, cert: CertificateDer<'static>) -> Result<(), TransportError> {
        self.extra_roots.add(cert).map_err(|e| {
            TransportError::with_source(
                TransportErrorKind::Other,
                "root certificate cannot be used as a trust anchor",
                e,
            )
        })?;
        self.settings.extra_root_count = self.extra_roots.len();
        Ok(())
    }

    /// Builds the transport. Needs no runtime; loading [`BuiltInRoots::Platform`] reads the
    /// system trust store here, once.
    ///
    /// Fails with [`Other`](TransportErrorKind::Other) when the platform store yields no
    /// certificate, or the TLS configuration cannot be made.
    pub fn build(self) -> Result<HyperTransport, TransportError> {
        let HyperTransportBuilder {
            settings,
            extra_roots,
        } = self;

        let mut roots = RootCertStore::empty();
        match settings.built_in_roots {
            BuiltInRoots::WebPki => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
            BuiltInRoots::Platform => load_platform_roots(&mut roots)?,
            BuiltInRoots::None => {}
        }
        roots.roots.extend(extra_roots.roots);

        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| {
                TransportError::with_source(
                    TransportErrorKind::Other,
                    "TLS configuration cannot be made",
                    e,
                )
            })?
            .with_root_certificates(roots)
            .with_no_client_auth();

        let mut http = HttpConnector::new();
        // The TLS layer handles `https`; the TCP layer must let those URLs through.
        http.enforce_http(false);
        http.set_connect_timeout(Some(settings.connect_timeout));
        http.set_nodelay(true);
        http.set_keepalive(Some(Duration::from_secs(60)));

        let https = HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http();
        let https = if settings.http2 {
            https.enable_all_versions().wrap_connector(http)
        } else {
            https.enable_http1().wrap_connector(http)
        };

        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(settings.pool_idle_timeout)
            .pool_max_idle_per_host(settings.pool_max_idle_per_host)
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .build(https);

        Ok(HyperTransport {
            inner: Arc::new(Inner { client, settings }),
        })
    }
}

fn load_platform_roots(roots: &mut RootCertStore) -> Result<(), TransportError> {
    let loaded = rustls_native_certs::load_native_certs();
    let (added, _ignored) = roots.add_parsable_certificates(loaded.certs);
    if added == 0 {
        let source = loaded
            .errors
            .into_iter()
            .next()
            .map(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>);
        return Err(TransportError::new(
            TransportErrorKind::Other,
            "no usable root certificate found in the platform trust store",
            source,
        ));
    }
    Ok(())
}

#[async_trait::async_trait]
impl Transport for HyperTransport {
    async fn send(&self, request: Request<Bytes>) -> Result<Response<Bytes>, TransportError> {
        self.inner.send(request).await
    }
}

impl Inner {
    async fn send(&self, request: Request<Bytes>) -> Result<Response<Bytes>, TransportError> {
        check_url(request.uri(), self.settings.https_only)?;
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(TransportError::new(
                TransportErrorKind::Other,
                "HyperTransport::send must run inside a tokio runtime (IO and time enabled); \
                 synchronous code can use BlockingHyperTransport",
                None,
            ));
        }

        let mut request = request.map(Full::new);
        let connection = capture_connection(&mut request);
        let timeout = self.settings.request_timeout;
        match tokio::time::timeout(timeout, self.exchange(request)).await {
            Ok(result) => result,
            Err(elapsed) => {
                // The capture is filled in when the request is handed to a connection, before a
                // byte of it is written. Still empty: it never left.
                let handed_over = connection.connection_metadata().is_some();
                let (kind, message) = if handed_over {
                    (
                        TransportErrorKind::MaybeDelivered,
                        format!("no complete answer within the request timeout ({timeout:?})"),
                    )
                } else {
                    (
                        TransportErrorKind::NotSent,
                        format!("no connection within the request timeout ({timeout:?})"),
                    )
                };
                Err(TransportError::with_source(kind, message, elapsed))
            }
        }
    }

    async fn exchange(
        &self,
        request: Request<Full<Bytes>>,
    ) -> Result<Response<Bytes>, TransportError> {
        let uri = request.uri().clone();
        let response = self
            .client
            .request(request)
            .await
            .map_err(|e| classify_client_error(e, uri.host().unwrap_or_default()))?;
        let (parts, body) = response.into_parts();
        let max = self.settings.max_response_size;
        if let Some(announced) = content_length(&parts.headers) {
            if announced > max as u64 {
                return Err(too_large(max));
            }
        }
        let body = read_limited(body, max).await?;
        Ok(Response::from_parts(parts, body))
    }
}

fn classify_client_error(error: hyper_util::client::legacy::Error, host: &str) -> TransportError {
    let connect = error.is_connect();
    match before_sending(error, host, connect) {
        Ok(known) => known,
        // The request was handed to a connection. hyper-util already resends requests that a
        // reused connection dropped before writing them; whatever reaches us is treated as
        // possibly delivered.
        Err(error) => TransportError::with_source(
            TransportErrorKind::MaybeDelivered,
            format!("connection to {host} failed after the request was handed to it"),
            error,
        ),
    }
}

/// Reads the body frame by frame, stopping as soon as it would exceed `max`.
async fn read_limited(mut body: Incoming, max: usize) -> Result<Bytes, TransportError> {
    let hint = usize::try_from(body.size_hint().lower()).unwrap_or(usize::MAX);
    let mut buf = BytesMut::with_capacity(hint.min(max));
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| {
            TransportError::with_source(
                TransportErrorKind::MaybeDelivered,
                "answer body cut short",
                e,
            )
        })?;
        if let Ok(data) = frame.into_data() {
            if data.len() > max - buf.len() {
                return Err(too_large(max));
            }
            buf.extend_from_slice(&data);
        }
    }
    Ok(buf.freeze())
}
