//! Transport errors, classified by what is safe to do next.

/// What went wrong, and so what is safe to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The request never left (DNS, refused, connect timeout, TLS handshake): safe to send again, here or elsewhere.
    NotSent,
    /// It may have been delivered (reset or timeout after writing, truncated answer): only repeat-safe requests may be sent again.
    MaybeDelivered,
    /// The answer is larger than the configured maximum.
    ResponseTooLarge,
    /// The URL cannot be used.
    InvalidUrl,
    /// Anything else.
    Other,
}

/// A transport failure, with its kind and chained source.
#[derive(Debug)]
pub struct TransportError {
    kind: TransportErrorKind,
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl TransportError {
    /// An error of `kind` with a short description and an optional source.
    pub fn new(
        kind: TransportErrorKind,
        message: impl Into<String>,
        source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        TransportError { kind, message: message.into(), source }
    }
    /// The kind.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }
    /// True when the request certainly never left.
    pub fn is_not_sent(&self) -> bool {
        self.kind == TransportErrorKind::NotSent
    }
    /// True when the request may have been delivered.
    pub fn may_have_been_delivered(&self) -> bool {
        self.kind == TransportErrorKind::MaybeDelivered
    }
}

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn std::error::Error + 'static))
    }
}
