//! Errors as the user sees them: one `error:` line, one `hint:` line, an exit code.

use std::fmt;
use std::process::ExitCode;

/// What kind of failure, which decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// 1: the delivery or request was checked and refused.
    Refused,
    /// 2: usage or configuration error.
    Usage,
    /// 3: transport or server error.
    Transport,
    /// 4: `credentials verify` answered deny (the verdict was printed).
    Denied,
}

/// A failure to report: never contains a secret.
#[derive(Debug)]
pub(crate) struct CliError {
    pub(crate) kind: Kind,
    pub(crate) message: String,
    pub(crate) hint: String,
}

impl CliError {
    pub(crate) fn new(kind: Kind, message: impl fmt::Display, hint: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.to_string(),
            hint: hint.into(),
        }
    }

    pub(crate) fn refused(message: impl fmt::Display, hint: impl Into<String>) -> Self {
        Self::new(Kind::Refused, message, hint)
    }

    pub(crate) fn usage(message: impl fmt::Display, hint: impl Into<String>) -> Self {
        Self::new(Kind::Usage, message, hint)
    }

    pub(crate) fn transport(message: impl fmt::Display, hint: impl Into<String>) -> Self {
        Self::new(Kind::Transport, message, hint)
    }

    pub(crate) fn denied(message: impl fmt::Display, hint: impl Into<String>) -> Self {
        Self::new(Kind::Denied, message, hint)
    }

    pub(crate) fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self.kind {
            Kind::Refused => 1,
            Kind::Usage => 2,
            Kind::Transport => 3,
            Kind::Denied => 4,
        })
    }

    /// Writes the two lines to stderr.
    pub(crate) fn report(&self) {
        // One line each: a multi-line library message is folded.
        let message = self.message.replace('\n', " ");
        let label = if self.kind == Kind::Denied {
            "denied"
        } else {
            "error"
        };
        eprintln!("{label}: {message}");
        if !self.hint.is_empty() {
            eprintln!("hint: {}", self.hint.replace('\n', " "));
        }
    }
}

pub(crate) type Result<T, E = CliError> = std::result::Result<T, E>;

/// An error of `reqwest` as a transport failure, without the URL's query (it may hold a
/// signature) and with the cause chain on one line.
pub(crate) fn http_error(what: &str, err: reqwest::Error) -> CliError {
    let err = err.without_url();
    let mut message = format!("{what}: {err}");
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    let hint = if err.is_timeout() {
        "the server did not answer in time; is it running and reachable?"
    } else {
        "is the server running, and is the URL (scheme, host, port) right?"
    };
    CliError::transport(message, hint)
}
