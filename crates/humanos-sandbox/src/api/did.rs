//! The DID document and the status list.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::domain::mandate;
use crate::http::error::{ApiError, ApiResult};

use super::common::*;

pub(crate) async fn resolve_did(State(s): St, Path(did): Path<String>) -> Response {
    let did = percent_encoding::percent_decode_str(&did)
        .decode_utf8_lossy()
        .into_owned();
    match mandate::known_did(&s, &did) {
        Ok(true) => match mandate::did_document(&did) {
            Some(doc) => Json(doc).into_response(),
            None => StatusCode::NOT_FOUND.into_response(),
        },
        Ok(false) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

pub(crate) async fn status_list(State(s): St) -> ApiResult<Json<Value>> {
    Ok(Json(mandate::status_list_credential(
        &s,
        &s.status_list_url(),
    )?))
}
