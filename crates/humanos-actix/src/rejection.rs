//! Why a delivery was refused, as an actix-web error.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use humanos_webhooks::WebhookError;

/// Why the adapter refused a delivery. Implements [`ResponseError`] with one status per variant
/// (actix would otherwise answer 500) and a short JSON body `{"error": code, "message": text}`
/// that never contains a secret or a payload value.
///
/// | variant | status |
/// | --- | --- |
/// | [`Invalid`](Self::Invalid) | [`WebhookError::status`]: 401 signature/timestamp, 400 malformed |
/// | [`PayloadTooLarge`](Self::PayloadTooLarge) | 413 |
/// | [`BodyRead`](Self::BodyRead) | 400 |
/// | [`ReadTimeout`](Self::ReadTimeout) | 408 (the body took longer than the read timeout) |
/// | [`InFlight`](Self::InFlight) | 409 (same delivery being processed; Humanos retries) |
/// | [`NotConfigured`](Self::NotConfigured) | 500 (no [`WebhookState`](crate::WebhookState) in `app_data`) |
/// | [`NotVerified`](Self::NotVerified) | 500 (the middleware is not installed on this route) |
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
    /// The extractor found no `web::Data<WebhookState>` (or `WebhookState`) in `app_data`.
    #[error(
        "webhook verification is not configured: register web::Data<WebhookState> with app_data"
    )]
    NotConfigured,
    /// [`VerifiedWebhook`](crate::VerifiedWebhook) was extracted on a route without
    /// [`HumanosWebhookMiddleware`](crate::HumanosWebhookMiddleware) (or of another payload type).
    #[error(
        "no verified webhook in the request: is HumanosWebhookMiddleware installed on this route?"
    )]
    NotVerified,
}

impl WebhookRejection {
    /// A stable machine-readable name (the `error` member of the body).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid(err) => err.code(),
            Self::PayloadTooLarge { .. } => "payload_too_large",
            Self::BodyRead => "body_read_failed",
            Self::ReadTimeout => "request_timeout",
            Self::InFlight => "delivery_in_flight",
            Self::NotConfigured => "webhook_not_configured",
            Self::NotVerified => "webhook_not_verified",
        }
    }
}

impl ResponseError for WebhookRejection {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Invalid(err) => {
                StatusCode::from_u16(err.status()).unwrap_or(StatusCode::BAD_REQUEST)
            }
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::BodyRead => StatusCode::BAD_REQUEST,
            Self::ReadTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::InFlight => StatusCode::CONFLICT,
            Self::NotConfigured | Self::NotVerified => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        error_response(self.status_code(), self.code(), &self.to_string())
    }
}

pub(crate) fn error_response(status: StatusCode, code: &str, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(serde_json::json!({ "error": code, "message": message }))
}

/// The 200 bodies, written once: `{"status":"ok"}` or `{"status":"duplicate"}`.
pub(crate) fn status_response(body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(body)
}

pub(crate) const OK_BODY: &str = r#"{"status":"ok"}"#;
pub(crate) const DUPLICATE_BODY: &str = r#"{"status":"duplicate"}"#;
