//! The routes: the authenticated API, the public pages, the admin API and dashboard (behind
//! the admin guard), the HumanCode emulator; the `Host` check over all of them.

use std::sync::Arc;

use axum::Router;
use axum::routing::{delete, get, patch, post};

use crate::state::{ApiError, AppState};
use crate::{admin, api, auth, dashboard, humancode, pages};

pub(crate) fn router(state: Arc<AppState>) -> Router {
    let authed = Router::new()
        .route(
            "/request",
            post(api::create_request).get(api::list_requests),
        )
        .route(
            "/request/{requestId}",
            get(api::get_request).delete(api::cancel_request),
        )
        .route("/request/resend/{requestId}", patch(api::resend_otp))
        .route("/user", post(api::create_users).get(api::get_user))
        .route("/actions", get(api::list_actions))
        .route("/actions/version/{id}", get(api::action_versions))
        .route("/approvals", get(api::list_approvals))
        .route("/approvals/workflow", get(api::list_workflows))
        .route("/credential/vp/{vcId}", post(api::issue_vp))
        .route("/credential/verify", post(api::verify))
        .route("/credential/revoke/{credentialId}", delete(api::revoke))
        .route("/credential/evidence/{evidenceId}", get(api::evidence))
        .route("/credential/{credentialId}", get(api::get_credential))
        .route(
            "/credential/{credentialId}/events",
            get(api::credential_events),
        )
        .route("/did/resolve/{did}", get(api::resolve_did))
        .route("/intelligence/action", get(api::intelligence_action))
        .route("/intelligence/snapshot", get(api::intelligence_snapshot))
        .route("/intelligence/window", get(api::intelligence_window))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ));
    let public = Router::new()
        .route("/status/1", get(api::status_list))
        .route(
            "/approve/{requestId}",
            get(pages::approval_page).post(pages::approval_submit),
        );
    let admin = Router::new()
        .route("/", get(dashboard::home))
        .route("/admin", get(dashboard::admin_root))
        .route("/admin/live", get(dashboard::live))
        .route("/admin/requests/{requestId}", get(dashboard::request_page))
        .route(
            "/admin/credentials/{credentialId}",
            get(dashboard::credential_page),
        )
        .route("/admin/actions/{actionId}", get(dashboard::action_page))
        .route(
            "/admin/credentials/{credentialId}/revoke",
            post(admin::revoke),
        )
        .route("/admin/actions", post(admin::define_actions))
        .route("/admin/requests/{requestId}/otp", get(admin::otp))
        .route(
            "/admin/requests/{requestId}/identity",
            post(admin::identity),
        )
        .route(
            "/admin/requests/{requestId}/{decision}",
            post(admin::decide),
        )
        .route("/admin/webhooks", get(dashboard::admin_webhooks))
        .route(
            "/admin/webhooks/endpoints",
            post(admin::add_endpoint).delete(admin::remove_endpoint),
        )
        .route("/admin/webhooks/test", post(admin::test_event))
        .route("/admin/webhooks/deliveries/{id}", get(admin::delivery))
        .route(
            "/admin/webhooks/deliveries/{id}/resend",
            post(admin::resend),
        )
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            admin::guard::require_admin,
        ));
    authed
        .merge(public)
        .merge(admin)
        .with_state(state.clone())
        .merge(humancode::router(state.humancode.clone()))
        .fallback(|uri: axum::http::Uri| async move {
            ApiError::not_found(format!("Cannot find {}", uri.path()))
        })
        .layer(axum::extract::DefaultBodyLimit::max(auth::MAX_BODY))
        .layer(axum::middleware::from_fn_with_state(
            state,
            admin::guard::check_host,
        ))
}
