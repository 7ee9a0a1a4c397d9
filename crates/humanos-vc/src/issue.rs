//! Issuing credentials and presentations (for issuers, holders and the local sandbox).

use serde_json::{Value, json};

use crate::keys::Ed25519SigningKey;
use crate::proof::{ProofError, ProofOptions, ProofPurpose, add_proof};

/// The VC Data Model 2.0 base context.
pub const CREDENTIALS_V2_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";

/// A signing key together with the verification method URL that names it.
#[derive(Debug, Clone)]
pub struct Signer {
    key: Ed25519SigningKey,
    verification_method: String,
}

impl Signer {
    /// A signer whose key is published at `verification_method` (e.g. `did:web:…#key-1`).
    pub fn new(key: Ed25519SigningKey, verification_method: impl Into<String>) -> Self {
        Self {
            key,
            verification_method: verification_method.into(),
        }
    }

    /// A signer identified by the key's own `did:key`.
    pub fn did_key(key: Ed25519SigningKey) -> Self {
        let vm = key.public_key().did_key_verification_method();
        Self {
            key,
            verification_method: vm,
        }
    }

    /// The DID of the signer (the verification method without its fragment).
    pub fn did(&self) -> &str {
        self.verification_method
            .split('#')
            .next()
            .unwrap_or_default()
    }

    /// The verification method URL.
    pub fn verification_method(&self) -> &str {
        &self.verification_method
    }

    /// The signing key.
    pub fn key(&self) -> &Ed25519SigningKey {
        &self.key
    }

    /// Signs a credential (`proofPurpose: assertionMethod`, `created` = `created_unix_ms`).
    pub fn sign_credential(
        &self,
        credential: &Value,
        created_unix_ms: u64,
    ) -> Result<Value, ProofError> {
        let options = ProofOptions::new(&self.verification_method, ProofPurpose::AssertionMethod)
            .created_at_ms(created_unix_ms);
        add_proof(credential, &options, &self.key)
    }

    /// Signs a presentation (`proofPurpose: authentication`), bound to `domain` and
    /// `challenge` when given.
    pub fn sign_presentation(
        &self,
        presentation: &Value,
        created_unix_ms: u64,
        domain: Option<&str>,
        challenge: Option<&str>,
    ) -> Result<Value, ProofError> {
        let mut options =
            ProofOptions::new(&self.verification_method, ProofPurpose::Authentication)
                .created_at_ms(created_unix_ms);
        options.domain = domain.map(str::to_owned);
        options.challenge = challenge.map(str::to_owned);
        add_proof(presentation, &options, &self.key)
    }

    /// Signs with arbitrary options (the verification method is taken from `options`).
    pub fn sign_with(&self, document: &Value, options: &ProofOptions) -> Result<Value, ProofError> {
        add_proof(document, options, &self.key)
    }
}

/// An unsigned VC 2.0 presentation of `credentials` by `holder`.
pub fn presentation(holder: &str, credentials: Vec<Value>) -> Value {
    json!({
        "@context": [CREDENTIALS_V2_CONTEXT],
        "type": ["VerifiablePresentation"],
        "holder": holder,
        "verifiableCredential": credentials,
    })
}
