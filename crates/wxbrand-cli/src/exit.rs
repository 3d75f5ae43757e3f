//! Exit codes and the error every command returns.
//!
//! Each failure class has its own exit code so scripts can tell them apart:
//!
//! | code | meaning |
//! |------|---------|
//! | 0 | success |
//! | 2 | usage or validation error (nothing was sent) |
//! | 3 | WeChat Pay answered with an API error |
//! | 4 | an answer (or the `verify` input) failed signature verification |
//! | 5 | transport failure: the request could not be sent or the answer not read |
//! | 1 | anything else, e.g. a verified answer that did not match the expected shape; a bulk job with a failed or invalid row |
//! | 130 | a bulk job interrupted (Ctrl-C) before every row was sent |

use std::fmt;
use std::process::ExitCode;

/// The class of a failure, which decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// Bad usage, a missing setting, an unreadable file or a value that fails validation (exit 2).
    Usage,
    /// WeChat Pay (or the simulator) answered with an API error (exit 3).
    Api,
    /// An answer failed verification (exit 4).
    Verification,
    /// The request could not be sent or the answer could not be read (exit 5).
    Transport,
    /// Anything else, e.g. a verified answer that did not match the expected shape (exit 1).
    Other,
    /// A bulk job stopped by Ctrl-C before every row was sent (exit 130, as a shell reports SIGINT).
    Interrupted,
}

impl FailureKind {
    /// The process exit code of this class.
    pub fn code(self) -> u8 {
        match self {
            FailureKind::Usage => 2,
            FailureKind::Api => 3,
            FailureKind::Verification => 4,
            FailureKind::Transport => 5,
            FailureKind::Other => 1,
            FailureKind::Interrupted => 130,
        }
    }

    /// The exit code as a [`std::process::ExitCode`].
    pub fn exit_code(self) -> ExitCode {
        ExitCode::from(self.code())
    }
}

/// A command failure: its class and the text shown to the user on stderr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    kind: FailureKind,
    message: String,
}

impl Failure {
    /// A failure of `kind` with a message for people.
    pub fn new(kind: FailureKind, message: impl Into<String>) -> Self {
        Failure {
            kind,
            message: message.into(),
        }
    }

    /// A usage or validation failure (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Failure::new(FailureKind::Usage, message)
    }

    /// The failure class.
    pub fn kind(&self) -> FailureKind {
        self.kind
    }

    /// The message shown on stderr.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_documented() {
        assert_eq!(FailureKind::Usage.code(), 2);
        assert_eq!(FailureKind::Api.code(), 3);
        assert_eq!(FailureKind::Verification.code(), 4);
        assert_eq!(FailureKind::Transport.code(), 5);
        assert_eq!(FailureKind::Other.code(), 1);
        assert_eq!(FailureKind::Interrupted.code(), 130);
    }
}
