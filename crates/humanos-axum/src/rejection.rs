//! A refusal as an axum response.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use humanos_webhooks::Refusal;

/// Why the adapter did not handle a delivery: a [`Refusal`] of the core lifecycle (which holds
/// the status, code and body of each case) as an axum rejection.
///
/// Answers `{"error": code, "message": text}` with the refusal's status (401 not authentic, 400
/// malformed, 413, 408, 409 in flight, 500 authentic but not decryptable here or handler failed,
/// 503 with `Retry-After` when the dedup store is down). The body never contains a secret, a
/// payload value or the receiver's clock.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(transparent)]
pub struct WebhookRejection(pub Refusal);

impl WebhookRejection {
    /// The HTTP status answered.
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl From<Refusal> for WebhookRejection {
    fn from(refusal: Refusal) -> Self {
        Self(refusal)
    }
}

impl IntoResponse for WebhookRejection {
    fn into_response(self) -> Response {
        let mut response = (
            self.status(),
            [(header::CONTENT_TYPE, "application/json")],
            self.0.body(),
        )
            .into_response();
        if let Some(seconds) = self.0.retry_after() {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// A 200 with one of the lifecycle's JSON bodies.
pub(crate) fn ok_response(body: &'static str) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}
