//! The routes: the authenticated API, the public pages, the admin API and dashboard (behind
//! the admin guard), the HumanCode emulator; the `Host` check over all of them.

use std::sync::Arc;

use axum::Router;
use axum::routing::{delete, get, patch, post};

use crate::state::{ApiError, AppState};
use crate::{admin, api, auth, dashboard, humancode_emulator, pages};

pub(crate) fn router(state: Arc<AppState>) -> Router {
    let authed = Router::new()
        .route(
            "/request",
            post(api::requests::create_request).get(api::requests::list_requests),
        )
        .route(
            "/request/{requestId}",
            get(api::requests::get_request).delete(api::requests::cancel_request),
        )
        .route(
            "/request/resend/{requestId}",
            patch(api::requests::resend_otp),
        )
        .route(
            "/user",
            post(api::users::create_users).get(api::users::get_user),
        )
        .route("/actions", get(api::actions::list_actions))
        .route("/actions/version/{id}", get(api::actions::action_versions))
        .route("/approvals", get(api::approval::list_approvals))
        .route("/approvals/workflow", get(api::approval::list_workflows))
        .route("/credential/vp/{vcId}", post(api::credentials::issue_vp))
        .route("/credential/verify", post(api::credentials::verify))
        .route(
            "/credential/revoke/{credentialId}",
            delete(api::credentials::revoke),
        )
        .route(
            "/credential/evidence/{evidenceId}",
            get(api::credentials::evidence),
        )
        .route(
            "/credential/{credentialId}",
            get(api::credentials::get_credential),
        )
        .route(
            "/credential/{credentialId}/events",
            get(api::credentials::credential_events),
        )
        .route("/did/resolve/{did}", get(api::did::resolve_did))
        .route(
            "/intelligence/action",
            get(api::intelligence::intelligence_action),
        )
        .route(
            "/intelligence/snapshot",
            get(api::intelligence::intelligence_snapshot),
        )
        .route(
            "/intelligence/window",
            get(api::intelligence::intelligence_window),
        )
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ));
    let public = Router::new()
        .route("/status/1", get(api::did::status_list))
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
        .merge(humancode_emulator::router(state.humancode.clone()))
        .fallback(|uri: axum::http::Uri| async move {
            ApiError::not_found(format!("Cannot find {}", uri.path()))
        })
        .layer(axum::extract::DefaultBodyLimit::max(auth::MAX_BODY))
        .layer(axum::middleware::from_fn_with_state(
            state,
            admin::guard::check_host,
        ))
}
