//! RFC3339 times as the API sends them.

/// An RFC3339 time from the API. It keeps the original text (re-encoded unchanged) and parses it
/// only when asked, so a malformed time never makes a whole answer undecodable.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Rfc3339(String);

/// A parsed instant: Unix seconds, nanoseconds and the UTC offset the text carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Instant {
    /// Seconds since 1970-01-01T00:00:00Z.
    pub unix_seconds: i64,
    /// Fraction of a second, in nanoseconds.
    pub nanos: u32,
    /// UTC offset in seconds (+08:00 is 28800).
    pub offset_seconds: i32,
}

/// A time text that is not RFC3339.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeError {
    text_prefix: String,
}

impl Rfc3339 {
    /// Wraps a time text as given (not checked: see [`Rfc3339::instant`]).
    pub fn new(text: impl Into<String>) -> Self {
        Rfc3339(text.into())
    }
    /// Formats a Unix time at a UTC offset, e.g. `2025-01-01T00:00:00+08:00`.
    pub fn from_unix(unix_seconds: i64, offset_seconds: i32) -> Self {
        todo!("{unix_seconds} {offset_seconds}")
    }
    /// The original text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// Parses the text.
    pub fn instant(&self) -> Result<Instant, TimeError> {
        todo!()
    }
}
