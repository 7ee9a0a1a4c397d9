//! Shared server state, stored records and the API error type.

use std::sync::{Arc, RwLock};

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use humanos_models::{ApiErrorBody, ErrorMessage, JsonObject};
use humanos_signing::{Clock, SignatureVerifier};
use humanos_vc::{Ed25519SigningKey, Signer};
use humanos_webhooks::WebhookConfig;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::store::{Store, StoreError};
use crate::util;

/// The API version this sandbox speaks (the vendored reference).
pub const API_VERSION: &str = "2026-09-01";
/// API versions the sandbox accepts without a warning.
pub const KNOWN_API_VERSIONS: [&str; 2] = ["2026-09-01", "2026-03-24"];

pub(crate) const ACTION: &str = "action";
pub(crate) const REQUEST: &str = "request";
pub(crate) const CREDENTIAL: &str = "credential";
pub(crate) const USER: &str = "user";

/// A published action and its versions (newest last).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ActionRec {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) created_at: String,
    pub(crate) updated_at: String,
    pub(crate) versions: Vec<VersionRec>,
}

/// One published version of an action.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct VersionRec {
    pub(crate) id: String,
    pub(crate) version: u64,
    pub(crate) content: JsonObject,
    pub(crate) digest_sri: String,
    pub(crate) created_at: String,
}

/// A user (subject) of the organization.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct UserRec {
    pub(crate) id: String,
    pub(crate) contact: String,
    pub(crate) internal_id: Option<String>,
    pub(crate) extra_contacts: Vec<String>,
    pub(crate) identity: Option<Value>,
    pub(crate) created_at: String,
}

/// One subject of a request: its OTP and decision.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SubjectRec {
    pub(crate) user_id: String,
    pub(crate) contact: String,
    pub(crate) otp: String,
    pub(crate) otp_failures: u32,
    pub(crate) otp_sends: u32,
    pub(crate) last_send_ms: u64,
    pub(crate) decision: Option<String>,
    pub(crate) decided_at: Option<String>,
    pub(crate) credential_ids: Vec<String>,
}

/// A credential request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RequestRec {
    pub(crate) id: String,
    pub(crate) name: Option<String>,
    pub(crate) internal_id: Option<String>,
    pub(crate) security_level: String,
    pub(crate) language: Option<String>,
    pub(crate) redirect_url: Option<String>,
    pub(crate) created_at: String,
    pub(crate) created_ms: u64,
    pub(crate) canceled_at: Option<String>,
    pub(crate) authorized_dids: Vec<String>,
    pub(crate) subjects: Vec<SubjectRec>,
    pub(crate) api_version: String,
}

/// The action a mandate pins.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ActionPin {
    pub(crate) id: String,
    pub(crate) version: u64,
    pub(crate) user_params: JsonObject,
}

/// A credential (mandate or other), draft until accepted.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CredentialRec {
    pub(crate) id: String,
    pub(crate) request_id: String,
    pub(crate) user_id: String,
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) internal_id: Option<String>,
    pub(crate) resource_type: String,
    pub(crate) status: String,
    pub(crate) scope: Option<String>,
    pub(crate) valid_from: Option<String>,
    pub(crate) valid_until: Option<String>,
    pub(crate) max_executions: Option<u64>,
    pub(crate) executions_remaining: Option<u64>,
    pub(crate) action: Option<ActionPin>,
    pub(crate) data: Option<String>,
    pub(crate) w3c: Option<JsonObject>,
    pub(crate) status_index: Option<u64>,
    pub(crate) decisions: Vec<Vec<Value>>,
    pub(crate) inactive_at: Option<String>,
    pub(crate) inactive_reason: Option<String>,
    pub(crate) revoked: bool,
    pub(crate) evidence_id: Option<String>,
}

/// The three webhook secrets a receiver needs.
#[derive(Clone)]
pub struct WebhookSecrets {
    /// `HUMANOS_WEBHOOK_SIGNATURE_SECRET`.
    pub signature_secret: String,
    /// `HUMANOS_WEBHOOK_ENCRYPTION_SECRET` (base64).
    pub encryption_secret: String,
    /// `HUMANOS_WEBHOOK_ENCRYPTION_SALT`.
    pub encryption_salt: String,
}

impl std::fmt::Debug for WebhookSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSecrets")
            .field("encryption_salt", &self.encryption_salt)
            .finish_non_exhaustive()
    }
}

impl WebhookSecrets {
    /// A [`WebhookConfig`] for a receiver of this sandbox's deliveries.
    pub fn config(&self) -> Result<WebhookConfig, humanos_webhooks::ConfigError> {
        WebhookConfig::new(
            &self.signature_secret,
            &self.encryption_secret,
            &self.encryption_salt,
        )
    }
}

/// Everything the handlers share.
pub(crate) struct AppState {
    pub(crate) store: Store,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) base_url: String,
    pub(crate) api_key: String,
    pub(crate) signature_secret: String,
    pub(crate) request_verifier: SignatureVerifier,
    pub(crate) issuer: Signer,
    pub(crate) agent: Signer,
    pub(crate) user_seed: [u8; 32],
    pub(crate) webhook_secrets: WebhookSecrets,
    pub(crate) webhook_config: WebhookConfig,
    pub(crate) webhook_urls: RwLock<Vec<String>>,
    pub(crate) write: tokio::sync::Mutex<()>,
    pub(crate) wake_webhooks: tokio::sync::Notify,
    pub(crate) humancode: Arc<crate::humancode_emulator::Shared>,
    pub(crate) retry_base_ms: u64,
    pub(crate) webhook_max_attempts: u32,
    pub(crate) admin: crate::admin::guard::AdminGuard,
    pub(crate) started_at: String,
}

impl AppState {
    pub(crate) fn now_ms(&self) -> u64 {
        self.clock.now_unix_ms()
    }

    pub(crate) fn now_iso(&self) -> String {
        util::iso(self.now_ms())
    }

    /// The did:key of a user, derived from the sandbox seed and the user id.
    pub(crate) fn user_signer(&self, user_id: &str) -> Signer {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        h.update(self.user_seed);
        h.update(user_id.as_bytes());
        let seed: [u8; 32] = h.finalize().into();
        Signer::did_key(Ed25519SigningKey::from_bytes(&seed))
    }

    pub(crate) fn humancode_app_key(&self) -> String {
        self.store
            .meta("humancode_app_key")
            .ok()
            .flatten()
            .unwrap_or_default()
    }

    /// The `export` lines a shell needs to point a client at this sandbox.
    pub(crate) fn env_lines(&self) -> String {
        let w = &self.webhook_secrets;
        format!(
            "export HUMANOS_BASE_URL={base}\nexport HUMANOS_API_KEY={}\nexport HUMANOS_SIGNATURE_SECRET={}\n\
             export HUMANOS_WEBHOOK_SIGNATURE_SECRET={}\nexport HUMANOS_WEBHOOK_ENCRYPTION_SECRET={}\n\
             export HUMANOS_WEBHOOK_ENCRYPTION_SALT={}\nexport HUMANCODE_BASE_URL={base}\nexport HUMANCODE_APP_ID={}\n\
             export HUMANCODE_APP_KEY={}\nexport HUMANOS_SANDBOX_ADMIN_TOKEN={}\n",
            self.api_key,
            self.signature_secret,
            w.signature_secret,
            w.encryption_secret,
            w.encryption_salt,
            self.humancode.app_id(),
            self.humancode_app_key(),
            self.admin.token(),
            base = self.base_url,
        )
    }

    pub(crate) fn status_list_url(&self) -> String {
        format!("{}/status/1", self.base_url)
    }
}

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
}

/// The `ApiErrorBody` for `status` and `message`.
pub(crate) fn error_body(
    status: StatusCode,
    message: ErrorMessage,
    extra: JsonObject,
) -> ApiErrorBody {
    ApiErrorBody {
        status_code: Some(status.as_u16().into()),
        message: Some(message),
        error: Some(status.canonical_reason().unwrap_or("Error").to_owned()),
        additional_properties: extra,
    }
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

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        tracing::error!(error = %e, "storage failure");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "sandbox storage failure")
    }
}

pub(crate) type ApiResult<T> = Result<T, ApiError>;
