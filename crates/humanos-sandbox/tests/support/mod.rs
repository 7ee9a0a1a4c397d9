//! A minimal signed HTTP client for the end-to-end tests (the `humanos` client crate is
//! developed in parallel).
#![allow(dead_code, unreachable_pub)]

use humanos_sandbox::SandboxHandle;
use humanos_signing::{RequestSigner, wire_json};
use serde_json::Value;

pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub signer: RequestSigner,
}

impl Client {
    pub fn new(sb: &SandboxHandle) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: sb.base_url().to_owned(),
            signer: RequestSigner::new(sb.api_key(), sb.signature_secret()),
        }
    }

    pub async fn call(&self, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        let bytes = body
            .map(|b| wire_json::to_vec(b).unwrap())
            .unwrap_or_default();
        let headers = self.signer.sign_now(&bytes);
        let mut req = self
            .http
            .request(method.parse().unwrap(), format!("{}{}", self.base, path))
            .header("api-version", humanos_sandbox::API_VERSION);
        for (k, v) in headers.iter() {
            req = req.header(k, v);
        }
        if body.is_some() {
            req = req.body(bytes);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }
}

/// `GET path` on the admin API with the sandbox's admin token, decoded as JSON.
pub async fn admin_get(sb: &SandboxHandle, path: &str) -> Value {
    sb.admin_client()
        .get(format!("{}{path}", sb.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

pub fn purchase_action() -> Value {
    serde_json::json!({
        "name": "Purchase",
        "description": "Buy things on the user's behalf",
        "userParams": {
            "maxAmount": {"type": "number", "description": "Largest single purchase"},
            "allowedCategories": {"type": "array<string>", "description": "Categories the agent may buy"}
        },
        "executionParams": {
            "amount": {"type": "number"},
            "category": {"type": "string"}
        },
        "rules": [
            {"name": "amount_within_limit", "expression": "executionParams.amount <= userParams.maxAmount"},
            {"name": "category_allowed", "expression": "executionParams.category in userParams.allowedCategories"}
        ]
    })
}
