//! Why a delivery was refused, as an HTTP response.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use humanos_webhooks::WebhookError;

/// Why the adapter refused a delivery; answers with one status per variant and a short JSON body
/// `{"error": code, "message": text}` that never contains a secret or a payload value.
///
/// | variant | status |
/// | --- | --- |
/// | [`Invalid`](Self::Invalid) | [`WebhookError::status`]: 401 signature/timestamp, 400 malformed |
/// | [`PayloadTooLarge`](Self::PayloadTooLarge) | 413 |
/// | [`BodyRead`](Self::BodyRead) | 400 |
/// | [`ReadTimeout`](Self::ReadTimeout) | 408 (the body took longer than the read timeout) |
/// | [`InFlight`](Self::InFlight) | 409 (same delivery being processed; Humanos retries) |
/// | [`NotVerified`](Self::NotVerified) | 500 (the layer is not installed on this route) |
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookRejection {
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
    /// The body was not received within [`WebhookState::with_read_timeout`](crate::WebhookState::with_read_timeout).
    #[error("the request body was not received in time")]
    ReadTimeout,
    /// A delivery with the same `requestId` + `eventType` is being processed right now.
    #[error("the same delivery is being processed; retry later")]
    InFlight,
    /// [`VerifiedWebhook`](crate::VerifiedWebhook) was extracted on a route without
    /// [`HumanosWebhookLayer`](crate::HumanosWebhookLayer) (or of another payload type).
    #[error("no verified webhook in the request: is HumanosWebhookLayer installed on this route?")]
    NotVerified,
}

impl WebhookRejection {
    /// The HTTP status answered.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Invalid(err) => {
                StatusCode::from_u16(err.status()).unwrap_or(StatusCode::BAD_REQUEST)
            }
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::BodyRead => StatusCode::BAD_REQUEST,
            Self::ReadTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::InFlight => StatusCode::CONFLICT,
            Self::NotVerified => StatusCode::INTERNAL_SERVER_ERROR,
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
            Self::NotVerified => "webhook_not_verified",
        }
    }
}

impl IntoResponse for WebhookRejection {
    fn into_response(self) -> Response {
        error_response(self.status(), self.code(), &self.to_string())
    }
}

pub(crate) fn error_response(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(serde_json::json!({ "error": code, "message": message })),
    )
        .into_response()
}

/// The 200 bodies, written once: `{"status":"ok"}` or `{"status":"duplicate"}`.
pub(crate) fn status_response(body: &'static str) -> Response {
    (
        StatusCode::OK,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

pub(crate) const OK_BODY: &str = r#"{"status":"ok"}"#;
pub(crate) const DUPLICATE_BODY: &str = r#"{"status":"duplicate"}"#;
