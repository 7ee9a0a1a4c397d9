//! The routes: the authenticated API, the public pages, the admin API and dashboard (behind
//! the admin guard), the HumanCode emulator; the `Host` check over all of them.
//!
//! Each resource has its own short sub-router (mirroring `api/`, `pages`, `admin/` and
//! `dashboard/`); [`router`] merges them and adds the layers.

use axum::Router;
use axum::routing::{delete, get, patch, post};

use crate::http::error::ApiError;
use crate::http::{auth, guard};
use crate::state::AppState;
use crate::{admin, api, dashboard, humancode_emulator, pages};

type Routes = Router<AppState>;

pub(crate) fn router(state: AppState) -> Router {
    authenticated_api(&state)
        .merge(public_pages())
        .merge(admin_area(&state))
        .with_state(state.clone())
        .merge(humancode_emulator::router(state.ctx.humancode.clone()))
        .fallback(|uri: axum::http::Uri| async move {
            ApiError::not_found(format!("Cannot find {}", uri.path()))
        })
        .layer(axum::extract::DefaultBodyLimit::max(auth::MAX_BODY))
        .layer(axum::middleware::from_fn_with_state(
            state.admin.clone(),
            guard::check_host,
        ))
}

/// The Humanos API, every route behind the API key and request signature check.
fn authenticated_api(state: &AppState) -> Routes {
    requests()
        .merge(users())
        .merge(actions())
        .merge(approval())
        .merge(credentials())
        .merge(did())
        .merge(intelligence())
        .layer(axum::middleware::from_fn_with_state(
            state.auth.clone(),
            auth::authenticate,
        ))
}

fn requests() -> Routes {
    use api::requests::{cancel_request, create_request, get_request, list_requests, resend_otp};
    Router::new()
        .route("/request", post(create_request).get(list_requests))
        .route(
            "/request/{requestId}",
            get(get_request).delete(cancel_request),
        )
        .route("/request/resend/{requestId}", patch(resend_otp))
}

fn users() -> Routes {
    Router::new().route(
        "/user",
        post(api::users::create_users).get(api::users::get_user),
    )
}

fn actions() -> Routes {
    Router::new()
        .route("/actions", get(api::actions::list_actions))
        .route("/actions/version/{id}", get(api::actions::action_versions))
}

fn approval() -> Routes {
    Router::new()
        .route("/approvals", get(api::approval::list_approvals))
        .route("/approvals/workflow", get(api::approval::list_workflows))
}

fn credentials() -> Routes {
    use api::credentials::{credential_events, evidence, get_credential, issue_vp, revoke, verify};
    Router::new()
        .route("/credential/vp/{vcId}", post(issue_vp))
        .route("/credential/verify", post(verify))
        .route("/credential/revoke/{credentialId}", delete(revoke))
        .route("/credential/evidence/{evidenceId}", get(evidence))
        .route("/credential/{credentialId}", get(get_credential))
        .route("/credential/{credentialId}/events", get(credential_events))
}

fn did() -> Routes {
    Router::new().route("/did/resolve/{did}", get(api::did::resolve_did))
}

fn intelligence() -> Routes {
    use api::intelligence::{intelligence_action, intelligence_snapshot, intelligence_window};
    Router::new()
        .route("/intelligence/action", get(intelligence_action))
        .route("/intelligence/snapshot", get(intelligence_snapshot))
        .route("/intelligence/window", get(intelligence_window))
}

/// Unauthenticated: the status list and the user's hosted approval page.
fn public_pages() -> Routes {
    Router::new()
        .route("/status/1", get(api::did::status_list))
        .route(
            "/approve/{requestId}",
            get(pages::approval_page).post(pages::approval_submit),
        )
}

/// The dashboard and the admin API, every route behind the admin guard.
fn admin_area(state: &AppState) -> Routes {
    dashboard_pages()
        .merge(admin_requests())
        .merge(admin_webhooks())
        .layer(axum::middleware::from_fn_with_state(
            state.admin.clone(),
            guard::require_admin,
        ))
}

fn dashboard_pages() -> Routes {
    Router::new()
        .route("/", get(dashboard::home))
        .route("/admin", get(dashboard::admin_root))
        .route("/admin/live", get(dashboard::live))
        .route("/admin/requests/{requestId}", get(dashboard::request_page))
        .route(
            "/admin/credentials/{credentialId}",
            get(dashboard::credential_page),
        )
        .route("/admin/actions/{actionId}", get(dashboard::action_page))
        .route("/admin/webhooks", get(dashboard::admin_webhooks))
}

/// Standing in for users and the issuer: decisions, OTPs, identity, revocation, actions.
fn admin_requests() -> Routes {
    Router::new()
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
}

fn admin_webhooks() -> Routes {
    Router::new()
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
}
