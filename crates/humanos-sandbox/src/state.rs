//! The router's state: the sub-states the handlers and layers take (axum's `FromRef`), so that
//! each asks for what it needs (the domain [`Context`], the API's [`ApiAuth`], the admin
//! [`AdminGuard`], the HumanCode emulator's state) rather than everything.

use std::sync::Arc;

use axum::extract::FromRef;

use crate::access::AdminGuard;
use crate::context::Context;
use crate::http::auth::ApiAuth;
use crate::humancode_emulator::Shared as HumanCode;

/// Everything the sandbox serves with, as sub-states.
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) ctx: Arc<Context>,
    pub(crate) auth: Arc<ApiAuth>,
    pub(crate) admin: Arc<AdminGuard>,
}

impl FromRef<AppState> for Arc<Context> {
    fn from_ref(s: &AppState) -> Self {
        s.ctx.clone()
    }
}

impl FromRef<AppState> for Arc<ApiAuth> {
    fn from_ref(s: &AppState) -> Self {
        s.auth.clone()
    }
}

impl FromRef<AppState> for Arc<AdminGuard> {
    fn from_ref(s: &AppState) -> Self {
        s.admin.clone()
    }
}

impl FromRef<AppState> for Arc<HumanCode> {
    fn from_ref(s: &AppState) -> Self {
        s.ctx.humancode.clone()
    }
}

impl AppState {
    /// The `export` lines a shell needs to point a client at this sandbox.
    pub(crate) fn env_lines(&self) -> String {
        let (ctx, w) = (&self.ctx, &self.ctx.webhook_secrets);
        format!(
            "export HUMANOS_BASE_URL={base}\nexport HUMANOS_API_KEY={}\nexport HUMANOS_SIGNATURE_SECRET={}\n\
             export HUMANOS_WEBHOOK_SIGNATURE_SECRET={}\nexport HUMANOS_WEBHOOK_ENCRYPTION_SECRET={}\n\
             export HUMANOS_WEBHOOK_ENCRYPTION_SALT={}\nexport HUMANCODE_BASE_URL={base}\nexport HUMANCODE_APP_ID={}\n\
             export HUMANCODE_APP_KEY={}\nexport HUMANOS_SANDBOX_ADMIN_TOKEN={}\n",
            self.auth.api_key,
            self.auth.signature_secret,
            w.signature_secret,
            w.encryption_secret,
            w.encryption_salt,
            ctx.humancode.app_id(),
            ctx.humancode_app_key(),
            self.admin.token(),
            base = ctx.base_url,
        )
    }
}
