//! The core's [`Answer`] as an actix-web response: the one conversion of this adapter.

use std::borrow::Cow;

use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use bytes::Bytes;
use humanos_webhooks::Refusal;
use humanos_webhooks::answer::Answer;

/// Why the adapter did not handle a delivery: a [`Refusal`] of the core lifecycle (which holds
/// the status, code and body of each case, see
/// [the status table](humanos_webhooks::lifecycle#status-codes)) as an actix-web error.
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
        respond(Answer::from(&self.0))
    }
}

/// An [`Answer`] of the core (webhook lifecycle or enforcement point) as an actix-web response.
pub(crate) fn respond(answer: Answer) -> HttpResponse {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = HttpResponse::build(status);
    for (name, value) in answer.headers {
        let name = HeaderName::from_bytes(name.as_bytes());
        let value = match value {
            // A static value is validated and shared, not copied.
            Cow::Borrowed(value) => {
                HeaderValue::from_maybe_shared(Bytes::from_static(value.as_bytes()))
            }
            Cow::Owned(value) => HeaderValue::try_from(value),
        };
        if let (Ok(name), Ok(value)) = (name, value) {
            response.append_header((name, value));
        }
    }
    response.body(answer.body)
}
