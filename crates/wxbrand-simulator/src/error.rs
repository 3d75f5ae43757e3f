//! The simulator's error type: what can go wrong while configuring or starting it.

use std::fmt;

/// What kind of step failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SimulatorErrorKind {
    /// The listening socket could not be bound.
    Bind,
    /// The TLS certificate could not be generated or loaded.
    Tls,
    /// A key could not be generated, loaded or used.
    Key,
    /// Seed data (stocks, product coupons) could not be read or decoded.
    Stocks,
    /// The configuration is inconsistent (for example no brand at all).
    Config,
}

/// An error while configuring or starting a [`Simulator`](crate::Simulator).
///
/// `Display` says what failed; the underlying cause, if any, is available through
/// [`std::error::Error::source`].
pub struct SimulatorError {
    kind: SimulatorErrorKind,
    what: String,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl SimulatorError {
    pub(crate) fn new(kind: SimulatorErrorKind, what: impl Into<String>) -> Self {
        SimulatorError {
            kind,
            what: what.into(),
            source: None,
        }
    }

    pub(crate) fn with_source(
        kind: SimulatorErrorKind,
        what: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        SimulatorError {
            kind,
            what: what.into(),
            source: Some(Box::new(source)),
        }
    }

    /// The kind of step that failed.
    pub fn kind(&self) -> SimulatorErrorKind {
        self.kind
    }
}

impl fmt::Debug for SimulatorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimulatorError")
            .field("kind", &self.kind)
            .field("what", &self.what)
            .field("source", &self.source)
            .finish()
    }
}

impl fmt::Display for SimulatorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "simulator: {}", self.what)
    }
}

impl std::error::Error for SimulatorError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}
