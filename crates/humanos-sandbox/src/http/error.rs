//! The one HTTP error of the sandbox's surfaces: answered in the API's `ApiErrorBody` shape,
//! and the mapping of every domain error to the service's status and body.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use humanos_models::{ApiErrorBody, ErrorMessage, JsonObject};
use serde_json::Value;

use crate::domain::error::DomainError;
use crate::store::SandboxStoreError;

/// An error answered in the API's `ApiErrorBody` shape.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) message: Box<ErrorMessage>,
    pub(crate) extra: Box<JsonObject>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: Box::new(ErrorMessage::Text(message.into())),
            extra: Box::default(),
        }
    }
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
    pub(crate) fn validation(messages: Vec<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            message: Box::new(ErrorMessage::List(messages)),
            extra: Box::default(),
        }
    }
    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }
    pub(crate) fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.extra.insert(key.to_owned(), value.into());
        self
    }
    /// The message as a person reads it (the text, or the list joined).
    pub(crate) fn text(&self) -> String {
        match &*self.message {
            ErrorMessage::Text(t) => t.clone(),
            ErrorMessage::List(l) => l.join("; "),
            other => format!("{other:?}"),
        }
    }
}

/// The `ApiErrorBody` for `status` and `message`.
pub(crate) fn error_body(
    status: StatusCode,
    message: ErrorMessage,
    extra: JsonObject,
) -> ApiErrorBody {
    ApiErrorBody::new()
        .status_code(status.as_u16())
        .message(message)
        .error(status.canonical_reason().unwrap_or("Error"))
        .additional_properties(extra)
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(error_body(self.status, *self.message, *self.extra)),
        )
            .into_response()
    }
}

impl From<SandboxStoreError> for ApiError {
    fn from(e: SandboxStoreError) -> Self {
        tracing::error!(error = %e, "storage failure");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "sandbox storage failure")
    }
}

/// The service's status and body for each kind of domain failure.
impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::NotFound(m) => Self::not_found(m),
            DomainError::Invalid(m) => Self::bad_request(m),
            DomainError::Validation(list) => Self::validation(list),
            DomainError::Conflict(m) => Self::new(StatusCode::CONFLICT, m),
            DomainError::Refused {
                reason,
                message,
                credential_id,
            } => Self::new(StatusCode::FORBIDDEN, format!("{reason}: {message}"))
                .with("reason", reason)
                .with("credentialId", credential_id),
            DomainError::Store(e) => e.into(),
            DomainError::Internal(m) => {
                tracing::error!(error = %m, "sandbox failure");
                Self::new(StatusCode::INTERNAL_SERVER_ERROR, m)
            }
        }
    }
}

pub(crate) type ApiResult<T> = Result<T, ApiError>;
