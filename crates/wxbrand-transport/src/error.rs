//! Transport errors, classified by what is safe to do next.

use std::error::Error as StdError;
use std::fmt;

/// What went wrong, and so what is safe to do next.
///
/// The kinds are ordered by how much the caller knows about the fate of the request:
/// [`NotSent`](TransportErrorKind::NotSent) is the only kind after which any request, repeat-safe
/// or not, may be sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The request never left (DNS failure, connection refused, connect timeout, TLS handshake
    /// failure other than a refused certificate): it is safe to send it again, to this host or
    /// another.
    NotSent,
    /// The request may have been delivered (connection reset or timeout after the request was
    /// handed to a connection, truncated answer): only a repeat-safe request may be sent again.
    MaybeDelivered,
    /// The answer is larger than the configured maximum; it was not read further.
    ResponseTooLarge,
    /// The server's TLS certificate was refused (issued by an authority that is not trusted,
    /// expired, not valid for the host name, …). The request never left; sending it again fails
    /// the same way until the trusted roots or the server's certificate change, so it is not
    /// worth retrying.
    CertificateRejected,
    /// The URL cannot be used (no scheme or host, or a scheme other than `http`/`https`).
    InvalidUrl,
    /// Anything else, including configuration errors reported by builders.
    Other,
}

impl TransportErrorKind {
    /// A short lower-case name for the kind, as used in logs.
    pub fn as_str(self) -> &'static str {
        match self {
            TransportErrorKind::NotSent => "not sent",
            TransportErrorKind::MaybeDelivered => "maybe delivered",
            TransportErrorKind::ResponseTooLarge => "response too large",
            TransportErrorKind::CertificateRejected => "certificate rejected",
            TransportErrorKind::InvalidUrl => "invalid url",
            TransportErrorKind::Other => "other",
        }
    }
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A transport failure: a [`TransportErrorKind`] telling what is safe to do next, a short
/// description, and the underlying cause as [`source`](std::error::Error::source).
///
/// `Display` prints the description only, never the source's text; walk the
/// [`source`](std::error::Error::source) chain for the details.
///
/// Custom transports build their errors with [`TransportError::new`]:
///
/// ```
/// use wxbrand_transport::{TransportError, TransportErrorKind};
///
/// let cause = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
/// let error = TransportError::new(TransportErrorKind::NotSent, "could not connect", Some(Box::new(cause)));
/// assert!(error.is_not_sent());
/// assert_eq!(error.to_string(), "could not connect");
/// assert!(std::error::Error::source(&error).is_some());
/// ```
#[derive(Debug)]
pub struct TransportError {
    kind: TransportErrorKind,
    message: String,
    source: Option<Box<dyn StdError + Send + Sync + 'static>>,
}

impl TransportError {
    /// An error of `kind` with a short description and an optional source.
    pub fn new(
        kind: TransportErrorKind,
        message: impl Into<String>,
        source: Option<Box<dyn StdError + Send + Sync + 'static>>,
    ) -> Self {
        TransportError {
            kind,
            message: message.into(),
            source,
        }
    }

    /// An error of `kind` with a short description and `source` as its cause.
    pub fn with_source(
        kind: TransportErrorKind,
        message: impl Into<String>,
        source: impl Into<Box<dyn StdError + Send + Sync + 'static>>,
    ) -> Self {
        TransportError::new(kind, message, Some(source.into()))
    }

    /// The kind: what is safe to do next.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// True when the request certainly never left, so sending it again is always safe.
    pub fn is_not_sent(&self) -> bool {
        self.kind == TransportErrorKind::NotSent
    }

    /// True when the request may have been delivered, so only a repeat-safe request may be sent again.
    pub fn may_have_been_delivered(&self) -> bool {
        self.kind == TransportErrorKind::MaybeDelivered
    }

    /// True when the server's TLS certificate was refused: a configuration problem (trust the
    /// issuing CA, or fix the server's certificate), not worth retrying.
    pub fn is_certificate_rejected(&self) -> bool {
        self.kind == TransportErrorKind::CertificateRejected
    }

    /// The short description (the `Display` text).
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl StdError for TransportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}
