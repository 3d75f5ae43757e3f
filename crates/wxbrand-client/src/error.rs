//! The errors of a call ([`Error`]) and of building a client ([`ConfigError`]).

use std::fmt;
use std::path::PathBuf;

use wxbrand_core::{AnswerMismatch, ApiError, ValidationError};
use wxbrand_sign::{KeyError, SignError, VerifyError};
use wxbrand_transport::{TransportError, TransportErrorKind};

use crate::rate_limit::RateLimiterError;

/// Why a call failed: its [`kind`](Error::kind), how many attempts were made and the `Request-ID`
/// of the answer behind it, each held once.
///
/// The kind says what happened to the request, so the caller knows what is safe to do next:
///
/// | [`ErrorKind`] | was it sent? | retried by the client? |
/// |---|---|---|
/// | [`ErrorKind::InvalidRequest`] | no | no |
/// | [`ErrorKind::Signing`] | no | no |
/// | [`ErrorKind::Transport`] | maybe (see [`TransportErrorKind`]) | yes, when safe |
/// | [`ErrorKind::Verification`] | yes, and answered | no |
/// | [`ErrorKind::Api`] | yes, and refused | 429/500/502/503 for repeat-safe calls |
/// | [`ErrorKind::Decode`] | yes, and answered (verified) | no |
/// | [`ErrorKind::AnswerMismatch`] | yes, and answered (verified) about something else | no |
/// | [`ErrorKind::RepeatedPageToken`], [`ErrorKind::EmptyPageWithToken`] | yes, and answered (verified) | no |
/// | [`ErrorKind::PagingLimit`] | no more pages | no |
/// | [`ErrorKind::RateLimiter`] | no (this attempt) | no |
///
/// `Display` says what happened and what to do; the details are in [`source()`](std::error::Error::source)
/// (the validation rule, the transport failure, the API's code and message, …), never repeated in
/// this error's own text: print the whole chain.
#[derive(Debug)]
pub struct Error {
    // Boxed: errors are rare, and a small `Result` keeps every successful call cheap.
    kind: Box<ErrorKind>,
    attempts: u32,
    request_id: Option<String>,
}

/// What went wrong in a call (see [`Error`]).
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A request field broke a rule of the API; nothing was sent.
    InvalidRequest(ValidationError),
    /// The brand private key could not sign the request; nothing was sent.
    Signing(SignError),
    /// The request could not be sent or its answer could not be read, after every retry allowed;
    /// the error's [`kind`](TransportError::kind) says whether it may have been delivered. The
    /// `Request-ID` is that of the last earlier attempt that was answered (e.g. with a 500), if any.
    Transport(TransportError),
    /// A 2xx answer failed verification (bad or probing signature, stale timestamp, unknown
    /// `Wechatpay-Serial`). Its body is dropped, never handed out as data. Not retried: the
    /// request was delivered and answered, and a retry would neither fix a wrong key or a skewed
    /// clock nor be wise if the answer was tampered with.
    #[non_exhaustive]
    Verification {
        /// Which check failed.
        source: VerifyError,
        /// The HTTP status of the rejected answer.
        status: u16,
    },
    /// WeChat Pay answered with an error (non-2xx): status, `code`, `message`, `detail`,
    /// `Request-ID`, and the `Location` of a redirect.
    Api(ApiError),
    /// A verified 2xx answer did not decode into the expected type.
    Decode(DecodeError),
    /// A verified answer is not about what the request asked for: one of its identifying fields
    /// (a stock id, the request number of a deactivation) differs from the value sent. The answer
    /// is dropped. Not retried: a server (or something between) that answers about another object
    /// is not fixed by asking again; report it with the Request-ID.
    AnswerMismatch(AnswerMismatch),
    /// A listing answered a page with no items that still carries a next page token. Following
    /// such tokens could go on forever without handing out anything, and the listing cannot be
    /// known to be complete, so it stops here (the items before were handed out). Continue by
    /// hand from `token` if the server is trusted.
    #[non_exhaustive]
    EmptyPageWithToken {
        /// The token of the empty page.
        token: String,
    },
    /// A listing answered with a `next_page_token` it had already given: following it would loop
    /// forever, so the listing ends here. The items of the pages before were handed out.
    #[non_exhaustive]
    RepeatedPageToken {
        /// The token given a second time.
        token: String,
    },
    /// A listing reached its limit of pages or items and stops (the items before were handed
    /// out); raise the limit with `.max_pages(n)` or `.max_items(n)` on the stream or iterator.
    #[non_exhaustive]
    PagingLimit {
        /// The limit reached.
        limit: PagingLimit,
        /// The page token that continues the listing exactly where it stopped (set it on the
        /// request and list again), when there is one: `None` when the limit fell in the middle
        /// of a page (the rest of that page would be skipped by the next page's token) or on the
        /// first page.
        resume_token: Option<String>,
    },
    /// A `BlockingClient` method was called on a thread that runs an async runtime, where
    /// blocking would stall or deadlock it; nothing was sent. Use [`Client`](crate::Client) there
    /// instead.
    BlockingInsideRuntime,
    /// The shared rate limiter given to the client (e.g. Redis for a fleet) could not be reached
    /// and was set to give up (see its behaviour when unavailable); this attempt was not sent.
    /// [`Error::attempts`] counts the attempts made before.
    RateLimiter(RateLimiterError),
}

impl Error {
    /// An error of `kind` after `attempts` attempts, about the answer with `request_id`.
    pub fn new(kind: ErrorKind, attempts: u32, request_id: Option<String>) -> Error {
        Error {
            kind: Box::new(kind),
            attempts,
            request_id,
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// What went wrong, owned.
    pub fn into_kind(self) -> ErrorKind {
        *self.kind
    }

    /// The `Request-ID` of the answer behind this error, when an answer came back (quote it to
    /// WeChat Pay support). For [`ErrorKind::Transport`], the last one an earlier attempt was
    /// answered with.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// How many times the request was sent (0 when nothing was sent).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The API error, when WeChat Pay answered with one.
    pub fn api_error(&self) -> Option<&ApiError> {
        match &*self.kind {
            ErrorKind::Api(source) => Some(source),
            _ => None,
        }
    }

    /// The HTTP status of the answer behind this error, when an answer came back.
    pub fn status(&self) -> Option<u16> {
        match &*self.kind {
            ErrorKind::Api(source) => Some(source.status()),
            ErrorKind::Verification { status, .. } => Some(*status),
            _ => None,
        }
    }
}

impl From<ValidationError> for Error {
    fn from(source: ValidationError) -> Self {
        Error::new(ErrorKind::InvalidRequest(source), 0, None)
    }
}

impl From<ErrorKind> for Error {
    /// An error about no answer, before any attempt (e.g. [`ErrorKind::BlockingInsideRuntime`]).
    fn from(kind: ErrorKind) -> Self {
        Error::new(kind, 0, None)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let attempts = self.attempts;
        match &*self.kind {
            ErrorKind::InvalidRequest(source) => write!(
                f,
                "request not sent: field `{}` is invalid; correct the value given to the request",
                source.field()
            )?,
            ErrorKind::Signing(_) => f.write_str(
                "request not sent: the brand private key could not sign it; check the configured key",
            )?,
            ErrorKind::Transport(source) => {
                let what = match source.kind() {
                    TransportErrorKind::NotSent => "could not reach WeChat Pay",
                    TransportErrorKind::MaybeDelivered => {
                        "the connection failed after the request was written (it may have been delivered)"
                    }
                    TransportErrorKind::ResponseTooLarge => "the answer was larger than allowed",
                    TransportErrorKind::InvalidUrl => "the request URL is not usable",
                    _ => "the transport failed",
                };
                write!(
                    f,
                    "{what} after {attempts} attempt(s); check the network, any proxy and the base URL"
                )?;
                if let Some(id) = &self.request_id {
                    write!(f, " (an earlier attempt was answered with Request-ID {id})")?;
                }
                return Ok(());
            }
            ErrorKind::Verification { status, .. } => write!(
                f,
                "answer rejected and discarded after {attempts} attempt(s) (HTTP {status})"
            )?,
            ErrorKind::Api(source) => {
                write!(
                    f,
                    "WeChat Pay refused the request with HTTP {} after {attempts} attempt(s)",
                    source.status()
                )?;
                let advice = match source.status() {
                    300..=399 => "; a redirect is never followed: check the base URL",
                    401 => "; check the brand id, certificate serial number and private key",
                    403 => "; the brand may not call this API: check its permissions",
                    429 => "; too many requests: lower the request rate",
                    _ => "",
                };
                f.write_str(advice)?;
            }
            ErrorKind::Decode(_) => write!(
                f,
                "a verified answer did not decode after {attempts} attempt(s); this SDK may be \
                 older than the API: report it with the Request-ID"
            )?,
            ErrorKind::AnswerMismatch(source) => write!(
                f,
                "a verified answer is not about the request: its {} differs from the value sent; \
                 the answer was discarded: report it with the Request-ID",
                source.field()
            )?,
            ErrorKind::EmptyPageWithToken { token } => write!(
                f,
                "the listing answered an empty page that still carries page token `{}`; stopped \
                 (the items before were returned; the listing may be incomplete)",
                token.escape_debug()
            )?,
            ErrorKind::RepeatedPageToken { token } => write!(
                f,
                "the listing answered page token `{}` a second time; stopped instead of \
                 looping forever (the items before were returned): report it with the Request-ID",
                token.escape_debug()
            )?,
            ErrorKind::PagingLimit {
                limit,
                resume_token,
            } => {
                match limit {
                    PagingLimit::Pages(max) => write!(
                        f,
                        "the listing stopped after {max} pages, its limit, with more pages left; \
                         raise it with `.max_pages(n)` if the listing is really that long"
                    )?,
                    PagingLimit::Items(max) => write!(
                        f,
                        "the listing stopped after {max} items, its limit, with more items left; \
                         raise it with `.max_items(n)` if the listing is really that long"
                    )?,
                }
                if let Some(token) = resume_token {
                    write!(
                        f,
                        ", or continue from page token `{}`",
                        token.escape_debug()
                    )?;
                }
            }
            ErrorKind::BlockingInsideRuntime => f.write_str(
                "the blocking client was called inside an async runtime; use the async Client there \
                 (or call it from a thread without a runtime)",
            )?,
            ErrorKind::RateLimiter(_) => f.write_str(
                "request not sent: the client's shared rate limiter could not reach its store",
            )?,
        }
        match &self.request_id {
            Some(id) => write!(f, " (Request-ID {id})"),
            None => Ok(()),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &*self.kind {
            ErrorKind::InvalidRequest(source) => Some(source),
            ErrorKind::Signing(source) => Some(source),
            ErrorKind::Transport(source) => Some(source),
            ErrorKind::Verification { source, .. } => Some(source),
            ErrorKind::Api(source) => Some(source),
            ErrorKind::Decode(source) => Some(source),
            ErrorKind::AnswerMismatch(source) => Some(source),
            ErrorKind::RepeatedPageToken { .. }
            | ErrorKind::EmptyPageWithToken { .. }
            | ErrorKind::PagingLimit { .. }
            | ErrorKind::BlockingInsideRuntime => None,
            ErrorKind::RateLimiter(source) => Some(source),
        }
    }
}

/// The limit a listing reached ([`ErrorKind::PagingLimit`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PagingLimit {
    /// At most this many pages (`.max_pages(n)`).
    Pages(u32),
    /// At most this many items (`.max_items(n)`).
    Items(u64),
}

/// A verified answer that did not decode into the expected type.
#[derive(Debug)]
pub struct DecodeError {
    type_name: &'static str,
    source: serde_json::Error,
}

impl DecodeError {
    pub(crate) fn new(type_name: &'static str, source: serde_json::Error) -> Self {
        DecodeError { type_name, source }
    }
    /// The Rust type the answer should have decoded into.
    pub fn type_name(&self) -> &'static str {
        self.type_name
    }
    /// Line of the answer body where decoding failed (1-based).
    pub fn line(&self) -> usize {
        self.source.line()
    }
    /// Column of the answer body where decoding failed (1-based).
    pub fn column(&self) -> usize {
        self.source.column()
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the answer does not decode into {} (line {}, column {})",
            self.type_name,
            self.line(),
            self.column()
        )
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// A client could not be built: a setting is missing or wrong. It names the setting — the
/// environment variable when the configuration came from the environment, the builder method
/// otherwise.
#[derive(Debug)]
#[non_exhaustive]
pub enum ConfigError {
    /// A required setting is absent (or empty).
    #[non_exhaustive]
    Missing {
        /// The variable or builder method.
        setting: &'static str,
    },
    /// A setting has a value that cannot be used.
    #[non_exhaustive]
    Invalid {
        /// The variable or builder method.
        setting: &'static str,
        /// What is wrong and what is expected.
        problem: String,
    },
    /// A key file named by a setting could not be read.
    #[non_exhaustive]
    ReadFile {
        /// The variable or builder method.
        setting: &'static str,
        /// The path given.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A key named by a setting is not a usable key.
    #[non_exhaustive]
    Key {
        /// The variable or builder method.
        setting: &'static str,
        /// The file, when the key came from one.
        path: Option<PathBuf>,
        /// What is wrong with the key, and how to fix it.
        source: KeyError,
    },
    /// The default transport could not be built (e.g. a bad extra root certificate).
    #[non_exhaustive]
    Transport {
        /// The transport's error.
        source: TransportError,
    },
}

impl ConfigError {
    /// The variable or builder method at fault, if the error concerns one.
    pub fn setting(&self) -> Option<&'static str> {
        match self {
            ConfigError::Missing { setting }
            | ConfigError::Invalid { setting, .. }
            | ConfigError::ReadFile { setting, .. }
            | ConfigError::Key { setting, .. } => Some(setting),
            ConfigError::Transport { .. } => None,
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Missing { setting } => {
                write!(f, "{setting} is not set: {}", describe(setting))
            }
            ConfigError::Invalid { setting, problem } => write!(f, "{setting} is wrong: {problem}"),
            ConfigError::ReadFile {
                setting,
                path,
                source,
            } => {
                write!(
                    f,
                    "{setting}: cannot read `{}` ({})",
                    path.display(),
                    source.kind()
                )
            }
            ConfigError::Key {
                setting,
                path,
                source,
            } => {
                // The key error's text is advice on what to fix, so it belongs here.
                match path {
                    Some(path) => write!(
                        f,
                        "{setting}: `{}` is not a usable key: {source}",
                        path.display()
                    ),
                    None => write!(f, "{setting}: not a usable key: {source}"),
                }
            }
            ConfigError::Transport { .. } => f.write_str(
                "the HTTPS transport could not be built; check the extra root certificates given",
            ),
        }
    }
}

fn describe(setting: &str) -> &'static str {
    match setting {
        "WXBRAND_BRAND_ID" | "brand_id" => "the brand id (品牌号) of the brand API account",
        "WXBRAND_SERIAL_NO" | "serial_no" => {
            "the serial number of the brand API certificate (40 hex characters)"
        }
        "WXBRAND_PRIVATE_KEY_PATH" | "private_key" => {
            "the brand API private key (apiclient_key.pem, PKCS#8 or PKCS#1 PEM)"
        }
        "WXBRAND_PUBLIC_KEY_ID" | "WXBRAND_PUBLIC_KEY_PATH" | "wechatpay_public_key" => {
            "the WeChat Pay public key id (PUB_KEY_ID_…) and its PEM file (BEGIN PUBLIC KEY)"
        }
        _ => "required",
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ConfigError::ReadFile { source, .. } => Some(source),
            ConfigError::Key { source, .. } => Some(source),
            ConfigError::Transport { source } => Some(source),
            ConfigError::Missing { .. } | ConfigError::Invalid { .. } => None,
        }
    }
}
