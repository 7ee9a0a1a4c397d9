//! [`SandboxHandle`]: a running sandbox, its credentials, and standing in for its users.

use std::net::SocketAddr;
use std::sync::Arc;

use serde_json::Value;
use tokio::task::JoinHandle;

use crate::access::ADMIN_TOKEN_HEADER;
use crate::context::WebhookSecrets;
use crate::domain::{actions, decision, webhooks};
use crate::error::SandboxError;
use crate::http::error::ApiError;
use crate::humancode_emulator;
use crate::records::{REQUEST, RequestRec};
use crate::state::AppState;
use crate::util;

/// A running sandbox. Dropping it stops the server.
pub struct SandboxHandle {
    pub(crate) state: AppState,
    pub(crate) addr: SocketAddr,
    pub(crate) shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    pub(crate) server: Option<JoinHandle<()>>,
    pub(crate) worker: JoinHandle<()>,
}

impl std::fmt::Debug for SandboxHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxHandle")
            .field("base_url", &self.state.ctx.base_url)
            .finish_non_exhaustive()
    }
}

/// What [`SandboxHandle::define_action`] published.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DefinedAction {
    /// The action id (`ActionEntity.id`, what `ActionDto.id` takes): an opaque id, or the
    /// `id` the definition gave.
    pub id: String,
    /// The published version number.
    pub version: u64,
    /// The version's URN (`urn:via:action:<id>:v<version>`, what `GET /intelligence/action`
    /// takes as `urn`).
    pub version_urn: String,
}

impl SandboxHandle {
    /// `http://127.0.0.1:<port>` (or the configured public URL).
    pub fn base_url(&self) -> &str {
        &self.state.ctx.base_url
    }

    /// The bound socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `HUMANOS_API_KEY`.
    pub fn api_key(&self) -> &str {
        &self.state.auth.api_key
    }

    /// `HUMANOS_SIGNATURE_SECRET`.
    pub fn signature_secret(&self) -> &str {
        &self.state.auth.signature_secret
    }

    /// The webhook secrets a receiver needs.
    pub fn webhook_secrets(&self) -> &WebhookSecrets {
        &self.state.ctx.webhook_secrets
    }

    /// The sandbox issuer's DID (it signs mandates and status lists).
    pub fn issuer_did(&self) -> &str {
        self.state.ctx.issuer.did()
    }

    /// The DID of the sandbox-managed agent key that signs presentations.
    pub fn agent_did(&self) -> &str {
        self.state.ctx.agent.did()
    }

    /// The HumanCode APP_ID the emulator accepts.
    pub fn humancode_app_id(&self) -> &str {
        self.state.ctx.humancode.app_id()
    }

    /// The HumanCode emulator's state (scripting, clock, forced outcomes).
    pub fn humancode(&self) -> &Arc<humancode_emulator::Shared> {
        &self.state.ctx.humancode
    }

    /// The HumanCode APP_KEY the emulator accepts.
    pub fn humancode_app_key(&self) -> String {
        self.state.ctx.humancode_app_key()
    }

    /// The per-run admin token (`HUMANOS_SANDBOX_ADMIN_TOKEN`): send it as the
    /// [`ADMIN_TOKEN_HEADER`] header to the `/admin` routes.
    pub fn admin_token(&self) -> &str {
        self.state.admin.token()
    }

    /// The link that opens the dashboard in a browser (it sets the admin cookie).
    pub fn admin_url(&self) -> String {
        format!("{}/admin?token={}", self.base_url(), self.admin_token())
    }

    /// An HTTP client that sends the admin token with every request, for the `/admin` routes.
    pub fn admin_client(&self) -> reqwest::Client {
        let mut headers = reqwest::header::HeaderMap::new();
        if let Ok(mut v) = reqwest::header::HeaderValue::from_str(self.admin_token()) {
            v.set_sensitive(true);
            headers.insert(ADMIN_TOKEN_HEADER, v);
        }
        reqwest::Client::builder()
            .default_headers(headers)
            .build()
            .unwrap_or_default()
    }

    /// The `export` lines a shell needs to point a client at this sandbox.
    pub fn env_lines(&self) -> String {
        self.state.env_lines()
    }

    /// Publishes an action (or a new version of the action with the same `id` / `name`).
    pub async fn define_action(&self, definition: Value) -> Result<DefinedAction, SandboxError> {
        let ctx = &self.state.ctx;
        let _w = ctx.write.lock().await;
        let out = actions::define_action(ctx, definition)
            .map_err(|e| SandboxError::Action(e.to_string()))?;
        Ok(DefinedAction {
            id: out
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            version: out
                .get("version")
                .and_then(Value::as_u64)
                .unwrap_or_default(),
            version_urn: out
                .get("versionId")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
        })
    }

    /// Stands in for the first undecided user of `request_id` and accepts: that user's mandates
    /// are issued and their `credential` webhooks queued. Returns the credential ids of that
    /// user only (as `POST /admin/requests/{id}/approve` answers them); a request to several
    /// contacts needs one call per contact, or [`approve_all`](Self::approve_all).
    pub async fn approve(&self, request_id: &str) -> Result<Vec<String>, SandboxError> {
        self.decide(request_id, true, false).await
    }

    /// Stands in for every undecided user of `request_id` and accepts for each (as
    /// `POST /admin/requests/{id}/approve?all=true`). Returns every credential id issued, user
    /// by user in the request's order.
    pub async fn approve_all(&self, request_id: &str) -> Result<Vec<String>, SandboxError> {
        self.decide(request_id, true, true).await
    }

    /// Stands in for the first undecided user of `request_id` and rejects. Returns the
    /// credential ids of that user only.
    pub async fn reject(&self, request_id: &str) -> Result<Vec<String>, SandboxError> {
        self.decide(request_id, false, false).await
    }

    async fn decide(
        &self,
        request_id: &str,
        accept: bool,
        all: bool,
    ) -> Result<Vec<String>, SandboxError> {
        let ctx = &self.state.ctx;
        let _w = ctx.write.lock().await;
        let decided = if all {
            decision::decide_all(ctx, request_id, accept, "admin")
        } else {
            decision::decide(ctx, request_id, None, accept, "admin").map(|d| vec![d])
        }
        .map_err(|e| SandboxError::Decision(ApiError::from(e).text()))?;
        Ok(decided.into_iter().flat_map(|d| d.credential_ids).collect())
    }

    /// The current OTP of `contact` on `request_id` (what the log prints).
    pub fn otp(&self, request_id: &str, contact: &str) -> Option<String> {
        let r: RequestRec = self.state.ctx.store.get(REQUEST, request_id).ok()??;
        r.subjects
            .iter()
            .find(|s| s.contact.eq_ignore_ascii_case(contact))
            .map(|s| s.otp.clone())
    }

    /// Adds a webhook endpoint at runtime.
    pub fn add_webhook_endpoint(&self, url: impl Into<String>) {
        self.state
            .ctx
            .webhook_urls
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .push(url.into());
    }

    /// Queues a `test` event to every endpoint; returns how many deliveries were queued.
    pub fn send_test_event(&self) -> Result<usize, SandboxError> {
        let ev =
            humanos_webhooks::sample::test(&format!("req_test_{}", util::uuid().replace('-', "")));
        let mut ev = ev;
        if let Some(o) = ev.as_object_mut() {
            o.insert("issuerDid".into(), self.issuer_did().into());
        }
        Ok(webhooks::emit(&self.state.ctx, &ev)?)
    }

    /// Deliveries neither acknowledged with a 2xx nor dead-lettered.
    pub fn pending_deliveries(&self) -> Result<usize, SandboxError> {
        Ok(self.state.ctx.store.pending_count()?)
    }

    /// Stops the server (in-flight requests finish) and the webhook worker.
    pub async fn shutdown(mut self) {
        self.stop();
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }

    fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.worker.abort();
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        self.stop();
    }
}
