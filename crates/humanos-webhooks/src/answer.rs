//! What the receive pipelines end in: the request goes on ([`Outcome::Proceed`]) or the pipeline
//! answers it itself ([`Answer`]). One type for the webhook lifecycle
//! ([`lifecycle`](crate::lifecycle)) and for mandate enforcement (`humanos::enforce`), so that
//! each framework adapter writes exactly one conversion into its response type.
//!
//! ```
//! use humanos_webhooks::answer::Answer;
//! let answer = Answer::json(503, r#"{"error":"busy"}"#).with_header("retry-after", "5");
//! assert_eq!(answer.status, 503);
//! assert_eq!(answer.header("content-type"), Some("application/json"));
//! assert_eq!(answer.header("retry-after"), Some("5"));
//! ```

use std::borrow::Cow;

use bytes::Bytes;

/// The content type of every answer the pipelines write.
pub const JSON: &str = "application/json";

/// A response the pipeline writes itself: status, headers (lowercase names) and body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The headers, in order; names are lowercase.
    pub headers: Vec<(&'static str, Cow<'static, str>)>,
    /// The body.
    pub body: Bytes,
}

impl Answer {
    /// A JSON answer (`content-type: application/json`).
    pub fn json(status: u16, body: impl Into<Bytes>) -> Self {
        Self {
            status,
            headers: vec![("content-type", Cow::Borrowed(JSON))],
            body: body.into(),
        }
    }

    /// The same answer with one more header (`name` in lowercase).
    #[must_use]
    pub fn with_header(mut self, name: &'static str, value: impl Into<Cow<'static, str>>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// The first value of header `name` (lowercase), if the answer has it.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_ref())
    }
}

/// What a pipeline decided: go on with `T` (the inner service's response, or what the handler
/// is given), or send the [`Answer`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome<T> {
    /// The request went on (or may go on) with this.
    Proceed(T),
    /// Answer this instead.
    Answer(Answer),
}
