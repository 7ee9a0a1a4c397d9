//! [`Refusal`]: why a delivery was not handled, with its status, code and body.

use humanos_signing::TimestampError;

use crate::answer::Answer;
use crate::body::{BodyError, BodyTooLarge};
use crate::error::WebhookError;

/// The 200 body of a handled delivery.
pub const OK_BODY: &str = r#"{"status":"ok"}"#;
/// The 200 body of a redelivery acknowledged without running the handler.
pub const DUPLICATE_BODY: &str = r#"{"status":"duplicate"}"#;
/// Seconds a 503 asks Humanos to wait before retrying (`Retry-After`).
pub const RETRY_AFTER_SECS: u32 = 5;

/// Why a delivery was not handled, with the HTTP status, code and body to answer. One type for
/// every adapter; [`Answer::from`] turns it into the answer each adapter converts to its
/// framework's response. The statuses are the table of [`lifecycle`](crate::lifecycle#status-codes).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// Verification, decryption or decoding failed.
    #[error(transparent)]
    Invalid(#[from] WebhookError),
    /// The body is larger than the configured limit.
    #[error("body larger than the {limit}-byte limit")]
    PayloadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The body could not be read (the client went away or sent a broken stream).
    #[error("the request body could not be read")]
    BodyRead,
    /// The body was not received within the read timeout.
    #[error("the request body was not received in time")]
    ReadTimeout,
    /// Another delivery of the same event is being handled right now.
    #[error("the same event is being handled; retry later")]
    InFlight,
    /// The dedup store could not be reached: the handler did not run.
    #[error("the dedup store is unavailable; retry later")]
    StoreUnavailable,
    /// The handler returned an error (logged, never sent).
    #[error("the webhook handler failed; the delivery will be retried")]
    HandlerFailed,
    /// A verified-event extractor ran on a route without the verifying layer or middleware.
    #[error("no verified webhook in the request: is the webhook layer installed on this route?")]
    NotVerified,
    /// The route has no [`WebhookState`](crate::WebhookState) registered (a framework that looks it up at run time).
    #[error("webhook verification is not configured: register the WebhookState with the app")]
    NotConfigured,
}

impl Refusal {
    /// The HTTP status answered.
    pub fn status(&self) -> u16 {
        match self {
            Self::Invalid(err) => err.status(),
            Self::PayloadTooLarge { .. } => 413,
            Self::BodyRead => 400,
            Self::ReadTimeout => 408,
            Self::InFlight => 409,
            Self::StoreUnavailable => 503,
            Self::HandlerFailed | Self::NotVerified | Self::NotConfigured => 500,
        }
    }

    /// A stable machine-readable name (the `error` member of the body).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid(err) => err.code(),
            Self::PayloadTooLarge { .. } => "payload_too_large",
            Self::BodyRead => "body_read_failed",
            Self::ReadTimeout => "request_timeout",
            Self::InFlight => "delivery_in_flight",
            Self::StoreUnavailable => "dedup_store_unavailable",
            Self::HandlerFailed => "handler_failed",
            Self::NotVerified => "webhook_not_verified",
            Self::NotConfigured => "webhook_not_configured",
        }
    }

    /// The `Retry-After` seconds to send with the answer, if any.
    pub fn retry_after(&self) -> Option<u32> {
        matches!(self, Self::StoreUnavailable).then_some(RETRY_AFTER_SECS)
    }

    /// The message sent to the caller. For time-window failures it says which check failed but
    /// not the receiver's clock or tolerance (those go to the log).
    pub fn public_message(&self) -> String {
        match self {
            Self::Invalid(WebhookError::Timestamp(TimestampError::TooOld { .. })) => {
                "`x-timestamp` rejected: too old".to_owned()
            }
            Self::Invalid(WebhookError::Timestamp(TimestampError::InFuture { .. })) => {
                "`x-timestamp` rejected: in the future".to_owned()
            }
            other => other.to_string(),
        }
    }

    /// The JSON body: `{"error": code, "message": public message}`.
    pub fn body(&self) -> Vec<u8> {
        let body = serde_json::json!({ "error": self.code(), "message": self.public_message() });
        // A `Value` of two strings always serializes.
        serde_json::to_vec(&body).unwrap_or_default()
    }
}

impl From<BodyTooLarge> for Refusal {
    fn from(err: BodyTooLarge) -> Self {
        Refusal::PayloadTooLarge { limit: err.limit }
    }
}

impl From<BodyError> for Refusal {
    fn from(err: BodyError) -> Self {
        match err {
            BodyError::TooLarge { limit } => Self::PayloadTooLarge { limit },
            BodyError::TimedOut => Self::ReadTimeout,
            _ => Self::BodyRead,
        }
    }
}

impl From<&Refusal> for Answer {
    fn from(refusal: &Refusal) -> Self {
        let answer = Answer::json(refusal.status(), refusal.body());
        match refusal.retry_after() {
            Some(seconds) => answer.with_header("retry-after", seconds.to_string()),
            None => answer,
        }
    }
}

impl From<Refusal> for Answer {
    fn from(refusal: Refusal) -> Self {
        Self::from(&refusal)
    }
}

/// A 200 with one of the lifecycle's bodies ([`OK_BODY`], [`DUPLICATE_BODY`]).
pub(crate) fn ok(body: &'static str) -> Answer {
    Answer::json(200, body)
}

#[cfg(test)]
mod tests {
    use humanos_signing::SignatureError;

    use super::*;

    /// One refusal of every kind; the `match` fails to compile when a variant is added, so that
    /// the table gets its row.
    fn every_refusal() -> Vec<Refusal> {
        let ts = |e| Refusal::Invalid(WebhookError::Timestamp(e));
        let all = vec![
            WebhookError::MissingHeader("x-signature").into(),
            WebhookError::DuplicateHeader("x-timestamp").into(),
            ts(TimestampError::Malformed),
            ts(TimestampError::TooOld {
                age_ms: 1,
                tolerance_ms: 0,
            }),
            ts(TimestampError::InFuture {
                ahead_ms: 1,
                tolerance_ms: 0,
            }),
            WebhookError::Signature(SignatureError::Malformed { len: 1 }).into(),
            WebhookError::Signature(SignatureError::Mismatch).into(),
            WebhookError::EnvelopeNotJson.into(),
            WebhookError::MissingField("iv").into(),
            WebhookError::FieldNotString("iv").into(),
            WebhookError::InvalidBase64("iv").into(),
            WebhookError::InvalidIvLength(1).into(),
            WebhookError::InvalidTagLength(1).into(),
            WebhookError::DecryptionFailed.into(),
            WebhookError::PlaintextNotJson.into(),
            WebhookError::PayloadShape {
                event_type: String::new(),
                path: String::new(),
                detail: String::new(),
            }
            .into(),
            Refusal::PayloadTooLarge { limit: 1 },
            Refusal::BodyRead,
            Refusal::ReadTimeout,
            Refusal::InFlight,
            Refusal::StoreUnavailable,
            Refusal::HandlerFailed,
            Refusal::NotVerified,
            Refusal::NotConfigured,
        ];
        for refusal in &all {
            match refusal {
                Refusal::Invalid(
                    WebhookError::MissingHeader(_)
                    | WebhookError::DuplicateHeader(_)
                    | WebhookError::Timestamp(_)
                    | WebhookError::Signature(_)
                    | WebhookError::EnvelopeNotJson
                    | WebhookError::MissingField(_)
                    | WebhookError::FieldNotString(_)
                    | WebhookError::InvalidBase64(_)
                    | WebhookError::InvalidIvLength(_)
                    | WebhookError::InvalidTagLength(_)
                    | WebhookError::DecryptionFailed
                    | WebhookError::PlaintextNotJson
                    | WebhookError::PayloadShape { .. },
                )
                | Refusal::PayloadTooLarge { .. }
                | Refusal::BodyRead
                | Refusal::ReadTimeout
                | Refusal::InFlight
                | Refusal::StoreUnavailable
                | Refusal::HandlerFailed
                | Refusal::NotVerified
                | Refusal::NotConfigured => {}
            }
        }
        all
    }

    /// The rows of the table in `statuses.md`: status, the codes of the second cell (or its
    /// JSON body), and the whole row.
    fn rows() -> Vec<(u16, Vec<String>, String)> {
        include_str!("statuses.md")
            .lines()
            .filter(|line| {
                line.starts_with("| ")
                    && !line.starts_with("| status")
                    && !line.starts_with("| ---")
            })
            .map(|line| {
                let cells: Vec<&str> = line.split(" | ").collect();
                let status = cells[0].trim_start_matches("| ").parse().expect("a status");
                let codes = cells[1]
                    .split('`')
                    .skip(1)
                    .step_by(2)
                    .filter(|c| {
                        c.chars()
                            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
                    })
                    .map(str::to_owned)
                    .collect();
                (status, codes, line.to_owned())
            })
            .collect()
    }

    #[test]
    fn statuses_table_matches_the_code() {
        let rows = rows();
        let refusals = every_refusal();
        for refusal in &refusals {
            let code = refusal.code();
            let row = rows
                .iter()
                .find(|(_, codes, _)| codes.iter().any(|c| c == code));
            let Some((status, _, line)) = row else {
                panic!("`{code}` has no row in statuses.md");
            };
            assert_eq!(*status, refusal.status(), "{line}");
            let answer = Answer::from(refusal);
            assert_eq!(answer.status, *status, "{line}");
            let retry = answer
                .header("retry-after")
                .map(|s| format!("`Retry-After: {s}`"));
            assert_eq!(retry.is_some(), line.contains("`Retry-After: "), "{line}");
            if let Some(retry) = retry {
                assert!(line.contains(&retry), "{line}");
            }
        }
        for (status, codes, line) in &rows {
            if codes.is_empty() {
                let body = line.split(" | ").nth(1).unwrap_or_default();
                assert_eq!(*status, 200, "{line}");
                assert!(
                    body.contains(OK_BODY) || body.contains(DUPLICATE_BODY),
                    "{line}"
                );
                continue;
            }
            for code in codes {
                assert!(
                    refusals.iter().any(|r| r.code() == code),
                    "`{code}` in statuses.md is no code of the lifecycle"
                );
            }
        }
        assert_eq!(ok(OK_BODY).status, 200);
        assert!(rows.iter().any(|(_, _, l)| l.contains(OK_BODY)));
        assert!(rows.iter().any(|(_, _, l)| l.contains(DUPLICATE_BODY)));
    }
}
