//! The core's [`Answer`] as an axum response: the one conversion of this adapter.

use std::borrow::Cow;

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use humanos_webhooks::Refusal;
use humanos_webhooks::answer::Answer;

/// Why the adapter did not handle a delivery: a [`Refusal`] of the core lifecycle (which holds
/// the status, code and body of each case, see
/// [the status table](humanos_webhooks::lifecycle#status-codes)) as an axum rejection.
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
        respond(Answer::from(self.0))
    }
}

/// An [`Answer`] of the core (webhook lifecycle or enforcement point) as an axum response.
pub(crate) fn respond(answer: Answer) -> Response {
    let mut response = Response::new(Body::from(answer.body));
    *response.status_mut() =
        StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    for (name, value) in answer.headers {
        let value = match value {
            // A static value is validated and shared, not copied.
            Cow::Borrowed(value) => {
                HeaderValue::from_maybe_shared(bytes::Bytes::from_static(value.as_bytes()))
            }
            Cow::Owned(value) => HeaderValue::try_from(value),
        };
        if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name.as_bytes()), value) {
            headers.append(name, value);
        }
    }
    response
}
