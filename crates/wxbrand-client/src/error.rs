//! The errors of a call ([`Error`]) and of building a client ([`ConfigError`]).

use std::fmt;
use std::path::PathBuf;

use wxbrand_core::{AnswerMismatch, ApiError, ValidationError};
use wxbrand_sign::{KeyError, SignError, VerifyError};
use wxbrand_transport::{TransportError, TransportErrorKind};

/// Why a call failed. Each kind says what happened to the request, so the caller knows what is
/// safe to do next:
///
/// | kind | was it sent? | retried by the client? |
/// |---|---|---|
/// | [`Error::InvalidRequest`] | no | no |
/// | [`Error::Signing`] | no | no |
/// | [`Error::Transport`] | maybe (see [`TransportErrorKind`]) | yes, when safe |
/// | [`Error::Verification`] | yes, and answered | no |
/// | [`Error::Api`] | yes, and refused | 429/500/502/503 for repeat-safe calls |
/// | [`Error::Decode`] | yes, and answered (verified) | no |
/// | [`Error::AnswerMismatch`] | yes, and answered (verified) about something else | no |
/// | [`Error::RepeatedPageToken`], [`Error::EmptyPageWithToken`] | yes, and answered (verified) | no |
/// | [`Error::PagingLimit`] | no more pages | no |
///
/// Every kind carries the number of attempts made ([`Error::attempts`]) and, when an answer came
/// back, its `Request-ID` ([`Error::request_id`]) — quote it to WeChat Pay support.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A request field broke a rule of the API; nothing was sent.
    #[non_exhaustive]
    InvalidRequest {
        /// Which field, which rule.
        source: ValidationError,
    },
    /// The brand private key could not sign the request; nothing was sent.
    #[non_exhaustive]
    Signing {
        /// What went wrong.
        source: SignError,
        /// Attempts made before this one.
        attempts: u32,
    },
    /// The request could not be sent or its answer could not be read, after every retry allowed.
    #[non_exhaustive]
    Transport {
        /// The last transport failure; its [`kind`](TransportError::kind) says whether the request
        /// may have been delivered.
        source: TransportError,
        /// The `Request-ID` of the last earlier attempt that was answered (e.g. with a 500), if any.
        request_id: Option<String>,
        /// Attempts made.
        attempts: u32,
    },
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
        /// The answer's `Request-ID` header, if any.
        request_id: Option<String>,
        /// Attempts made.
        attempts: u32,
    },
    /// WeChat Pay answered with an error (non-2xx).
    #[non_exhaustive]
    Api {
        /// Status, `code`, `message`, `detail` and `Request-ID` (boxed: it is large).
        source: Box<ApiError>,
        /// Attempts made.
        attempts: u32,
    },
    /// A verified 2xx answer did not decode into the expected type.
    #[non_exhaustive]
    Decode {
        /// Where decoding failed.
        source: DecodeError,
        /// The answer's `Request-ID` header, if any.
        request_id: Option<String>,
        /// Attempts made.
        attempts: u32,
    },
    /// A verified answer is not about what the request asked for: one of its identifying fields
    /// (a stock id, the request number of a deactivation) differs from the value sent. The answer
    /// is dropped. Not retried: a server (or something between) that answers about another object
    /// is not fixed by asking again; report it with the Request-ID.
    #[non_exhaustive]
    AnswerMismatch {
        /// Which field, the value sent and the value answered.
        source: AnswerMismatch,
        /// The answer's `Request-ID` header, if any.
        request_id: Option<String>,
        /// Attempts made.
        attempts: u32,
    },
    /// A listing answered a page with no items that still carries a next page token. Following
    /// such tokens could go on forever without handing out anything, and the listing cannot be
    /// known to be complete, so it stops here (the items before were handed out). Continue by
    /// hand from `token` if the server is trusted.
    #[non_exhaustive]
    EmptyPageWithToken {
        /// The token of the empty page.
        token: String,
        /// The `Request-ID` of that answer, if any.
        request_id: Option<String>,
        /// Attempts made for that answer.
        attempts: u32,
    },
    /// A listing reached its limit of pages or items and stops (the items before were handed
    /// out); raise the limit with `.max_pages(n)` or `.max_items(n)` on the stream or iterator.
    #[non_exhaustive]
    PagingLimit {
        /// Which limit, and its value.
        limit: PagingLimit,
    },
    /// A listing answered with a `next_page_token` it had already given: following it would loop
    /// forever, so the listing ends here. The items of the pages before were handed out. Made by
    /// endpoint crates' paging ([`Error::repeated_page_token`]).
    #[non_exhaustive]
    RepeatedPageToken {
        /// The token given a second time.
        token: String,
        /// The `Request-ID` of the answer that repeated it, if any.
        request_id: Option<String>,
        /// Attempts made for that answer.
        attempts: u32,
    },
    /// A `BlockingClient` method was called on a thread that runs an
    /// async runtime, where blocking would stall or deadlock it; nothing was sent. Use
    /// [`Client`](crate::Client) there instead.
    BlockingInsideRuntime,
}

impl Error {
    /// A listing answered (with `request_id`, after `attempts`) a `next_page_token` it had
    /// already given: see [`Error::RepeatedPageToken`].
    pub fn repeated_page_token(
        token: impl Into<String>,
        request_id: Option<String>,
        attempts: u32,
    ) -> Error {
        Error::RepeatedPageToken {
            token: token.into(),
            request_id,
            attempts,
        }
    }

    /// The `Request-ID` of the answer behind this error, when an answer came back. For
    /// [`Error::Transport`], the last one an earlier attempt was answered with.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api { source, .. } => source.request_id(),
            Error::Transport { request_id, .. }
            | Error::Verification { request_id, .. }
            | Error::Decode { request_id, .. }
            | Error::AnswerMismatch { request_id, .. }
            | Error::EmptyPageWithToken { request_id, .. }
            | Error::RepeatedPageToken { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// How many times the request was sent (0 when nothing was sent).
    pub fn attempts(&self) -> u32 {
        match self {
            Error::InvalidRequest { .. }
            | Error::BlockingInsideRuntime
            | Error::PagingLimit { .. } => 0,
            Error::Signing { attempts, .. }
            | Error::Transport { attempts, .. }
            | Error::Verification { attempts, .. }
            | Error::Api { attempts, .. }
            | Error::Decode { attempts, .. }
            | Error::AnswerMismatch { attempts, .. }
            | Error::EmptyPageWithToken { attempts, .. }
            | Error::RepeatedPageToken { attempts, .. } => *attempts,
        }
    }

    /// The API error, when WeChat Pay answered with one.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api { source, .. } => Some(&**source),
            _ => None,
        }
    }

    /// The HTTP status of the answer behind this error, when an answer came back.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { source, .. } => Some(source.status()),
            Error::Verification { status, .. } => Some(*status),
            _ => None,
        }
    }
}

impl From<ValidationError> for Error {
    fn from(source: ValidationError) -> Self {
        Error::InvalidRequest { source }
    }
}

fn write_request_id(f: &mut fmt::Formatter<'_>, request_id: Option<&str>) -> fmt::Result {
    match request_id {
        Some(id) => write!(f, " (Request-ID {id})"),
        None => Ok(()),
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidRequest { source } => write!(
                f,
                "request not sent: field `{}` is invalid; correct the value given to the request",
                source.field()
            ),
            Error::Signing { .. } => f.write_str(
                "request not sent: the brand private key could not sign it; check the configured key",
            ),
            Error::Transport {
                source,
                request_id,
                attempts,
            } => {
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
                match request_id {
                    Some(id) => write!(f, " (an earlier attempt was answered with Request-ID {id})"),
                    None => Ok(()),
                }
            }
            Error::Verification { source, status, request_id, attempts } => {
                let advice = match source {
                    VerifyError::UnknownKeyId { received, .. } => format!(
                        "its Wechatpay-Serial `{}` is not a configured WeChat Pay public key id; \
                         check WXBRAND_PUBLIC_KEY_ID (add the new key during a key rotation)",
                        received.escape_debug()
                    ),
                    VerifyError::TimestampOutOfWindow { server, local } => format!(
                        "its timestamp {server} is too far from the local clock {local}; \
                         synchronise this machine's clock"
                    ),
                    VerifyError::BadSignature => "its signature is wrong (a wrong WeChat Pay public key, \
                         a WECHATPAY/SIGNTEST probe or a tampered answer); check WXBRAND_PUBLIC_KEY_PATH"
                        .to_owned(),
                    VerifyError::MissingHeader(name) => format!(
                        "it lacks the `{name}` header; is the base URL really WeChat Pay?"
                    ),
                    VerifyError::MalformedHeader(name) => format!(
                        "its `{name}` header is malformed; is the base URL really WeChat Pay?"
                    ),
                    _ => "it failed verification".to_owned(),
                };
                write!(
                    f,
                    "answer rejected and discarded after {attempts} attempt(s) (HTTP {status}): {advice}"
                )?;
                write_request_id(f, request_id.as_deref())
            }
            Error::Api { source, attempts } => {
                write!(f, "WeChat Pay refused the request with HTTP {}", source.status())?;
                if let Some(code) = source.code() {
                    write!(f, " {}", code.as_str())?;
                }
                if let Some(message) = source.message() {
                    write!(f, ": {message}")?;
                }
                if let Some(location) = source.location() {
                    write!(f, " redirecting to `{location}` (not followed; check the base URL)")?;
                }
                write!(f, " after {attempts} attempt(s)")?;
                write_request_id(f, source.request_id())?;
                match source.status() {
                    401 => f.write_str("; check the brand id, certificate serial number and private key"),
                    403 => f.write_str("; the brand may not call this API: check its permissions"),
                    429 => f.write_str("; too many requests: lower the request rate"),
                    _ => Ok(()),
                }
            }
            Error::Decode { request_id, attempts, .. } => {
                write!(
                    f,
                    "a verified answer did not decode after {attempts} attempt(s); this SDK may be \
                     older than the API: report it with the Request-ID"
                )?;
                write_request_id(f, request_id.as_deref())
            }
            Error::AnswerMismatch { source, request_id, .. } => {
                write!(
                    f,
                    "a verified answer is not about the request: its {} differs from the value sent; \
                     the answer was discarded: report it with the Request-ID",
                    source.field()
                )?;
                write_request_id(f, request_id.as_deref())
            }
            Error::EmptyPageWithToken { token, request_id, .. } => {
                write!(
                    f,
                    "the listing answered an empty page that still carries page token `{}`; stopped \
                     (the items before were returned; the listing may be incomplete)",
                    token.escape_debug()
                )?;
                write_request_id(f, request_id.as_deref())
            }
            Error::PagingLimit { limit } => match limit {
                PagingLimit::Pages(max) => write!(
                    f,
                    "the listing stopped after {max} pages, its limit, with more pages left; raise \
                     it with `.max_pages(n)` if the listing is really that long"
                ),
                PagingLimit::Items(max) => write!(
                    f,
                    "the listing stopped after {max} items, its limit, with more items left; raise \
                     it with `.max_items(n)` if the listing is really that long"
                ),
            },
            Error::RepeatedPageToken { token, request_id, .. } => {
                write!(
                    f,
                    "the listing answered page token `{}` a second time; stopped instead of \
                     looping forever (the items before were returned): report it with the Request-ID",
                    token.escape_debug()
                )?;
                write_request_id(f, request_id.as_deref())
            }
            Error::BlockingInsideRuntime => f.write_str(
                "the blocking client was called inside an async runtime; use the async Client there \
                 (or call it from a thread without a runtime)",
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::InvalidRequest { source } => Some(source),
            Error::Signing { source, .. } => Some(source),
            Error::Transport { source, .. } => Some(source),
            Error::Verification { source, .. } => Some(source),
            Error::Api { source, .. } => Some(source),
            Error::Decode { source, .. } => Some(source),
            Error::AnswerMismatch { source, .. } => Some(source),
            Error::RepeatedPageToken { .. }
            | Error::EmptyPageWithToken { .. }
            | Error::PagingLimit { .. }
            | Error::BlockingInsideRuntime => None,
        }
    }
}

/// The limit a listing reached ([`Error::PagingLimit`]).
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
