//! The sandbox dashboard: server-rendered pages over the admin API (home, request, mandate,
//! action, webhooks), behind the admin guard like every admin route.

mod home;
mod layout;
mod records;
mod webhooks;

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use crate::admin::views;
use crate::context::Context;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::util::wants_html;

pub(crate) use home::home;
pub(crate) use records::{action_page, credential_page, request_page};

/// `GET /admin`: the home page to a browser, the sandbox's description to tools.
pub(crate) async fn admin_root(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if wants_html(&headers) {
        home(State(state)).await.into_response()
    } else {
        Json(views::info_json(&state.ctx)).into_response()
    }
}

/// `GET /admin/webhooks`: the webhooks page to a browser, the JSON listing to tools.
pub(crate) async fn admin_webhooks(State(s): State<Arc<Context>>, headers: HeaderMap) -> Response {
    if wants_html(&headers) {
        webhooks::page(State(s)).await.into_response()
    } else {
        match views::webhooks_json(&s) {
            Ok(v) => Json(v).into_response(),
            Err(e) => ApiError::from(e).into_response(),
        }
    }
}

/// `GET /admin/live`: a fingerprint of everything the pages show; it changes when a request,
/// decision, event, delivery or attempt does.
pub(crate) async fn live(State(s): State<Arc<Context>>) -> Response {
    match s.store.fingerprint() {
        Ok(f) => f.into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}
