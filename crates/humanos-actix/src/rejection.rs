//! A refusal as an actix-web error response.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use humanos_webhooks::Refusal;

/// Why the adapter did not handle a delivery: a [`Refusal`] of the core lifecycle (which holds
/// the status, code and body of each case) as an actix-web error.
///
/// Answers `{"error": code, "message": text}` with the refusal's status (401 not authentic, 400
/// malformed, 413, 408, 409 in flight, 500 authentic but not decryptable here or handler failed
/// or `web::Data<WebhookState>` not registered, 503 with `Retry-After` when the dedup store is
/// down). The body never contains a secret, a payload value or the receiver's clock.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(transparent)]
pub struct WebhookRejection(pub Refusal);

impl From<Refusal> for WebhookRejection {
    fn from(refusal: Refusal) -> Self {
        Self(refusal)
    }
}

impl ResponseError for WebhookRejection {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        response.content_type("application/json");
        if let Some(seconds) = self.0.retry_after() {
            response.insert_header((header::RETRY_AFTER, HeaderValue::from(seconds)));
        }
        response.body(self.0.body())
    }
}

/// A 200 with one of the lifecycle's JSON bodies.
pub(crate) fn ok_response(body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(body)
}
