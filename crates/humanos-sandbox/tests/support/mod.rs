//! A minimal signed HTTP client for the end-to-end tests (the `humanos` client crate is
//! developed in parallel).
#![allow(dead_code, unreachable_pub)]

pub mod spec;

use std::sync::Mutex;

use humanos_sandbox::SandboxHandle;
use humanos_signing::{RequestSigner, wire_json};
use serde_json::Value;

/// One answer the client received: method, path, status and body.
pub type Answer = (String, String, u16, Value);

pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub signer: RequestSigner,
    /// Every answer, for [`Client::assert_documented`].
    pub seen: Mutex<Vec<Answer>>,
}

impl Client {
    pub fn new(sb: &SandboxHandle) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: sb.base_url().to_owned(),
            signer: RequestSigner::new(sb.api_key(), sb.signature_secret()),
            seen: Mutex::default(),
        }
    }

    /// Every answer received so far.
    pub fn answers(&self) -> Vec<Answer> {
        self.seen.lock().unwrap().clone()
    }

    /// Every answer received so far is documented for its endpoint and status, and each of its
    /// enum-typed members holds a value the API description lists (`spec`).
    pub fn assert_documented(&self) {
        let failures = self.undocumented();
        assert!(
            failures.is_empty(),
            "undocumented:\n{}",
            failures.join("\n")
        );
    }

    /// What [`Client::assert_documented`] refuses: an answer of an undocumented status, or an
    /// enum-typed member holding a value the description does not list.
    pub fn undocumented(&self) -> Vec<String> {
        let mut failures = Vec::new();
        for (method, path, status, body) in self.answers() {
            match spec::answer_schema(&method, &path, status) {
                Some(schema) => failures.extend(
                    spec::undocumented_values(&schema, &body)
                        .into_iter()
                        .map(|f| format!("{method} {path} {status} ({schema}) {f}")),
                ),
                None => failures.push(format!("{method} {path} {status}: not documented")),
            }
        }
        failures
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
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        self.seen
            .lock()
            .unwrap()
            .push((method.to_owned(), path.to_owned(), status, body.clone()));
        (status, body)
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
