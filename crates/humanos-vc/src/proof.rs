//! The `eddsa-jcs-2022` cryptosuite of W3C "Data Integrity EdDSA Cryptosuites v1.0",
//! section 3.3: create and verify `DataIntegrityProof`s over JSON documents.
//!
//! The functions of [`eddsa_jcs_2022`] follow the specification's algorithms one to one
//! (transformation, proof configuration, hashing, serialization, verification) so each
//! intermediate value can be checked against the published test vectors.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::jcs;
use crate::keys::{Ed25519PublicKey, Ed25519SigningKey};

/// `type` of a Data Integrity proof.
pub const DATA_INTEGRITY_PROOF: &str = "DataIntegrityProof";
/// The cryptosuite identifier implemented here.
pub const EDDSA_JCS_2022: &str = "eddsa-jcs-2022";

/// Longest `proofValue` accepted (an Ed25519 signature needs at most 89 characters).
const MAX_PROOF_VALUE_LEN: usize = 128;

/// Why a proof could not be created or did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProofError {
    /// The document is not a JSON object.
    #[error("the secured document is not a JSON object")]
    NotAnObject,
    /// The document has no `proof`.
    #[error("the document has no proof")]
    MissingProof,
    /// The document carries a proof set (several proofs), which this verifier does not accept.
    #[error("the document carries {0} proofs; only a single proof is supported")]
    MultipleProofs(usize),
    /// The document to be signed already has a `proof`.
    #[error("the document already has a proof; remove it before signing")]
    AlreadySecured,
    /// A proof member is missing or has the wrong JSON type.
    #[error("proof member `{0}` is missing or not a string")]
    MalformedProof(&'static str),
    /// `type` / `cryptosuite` are not `DataIntegrityProof` / `eddsa-jcs-2022`.
    #[error(
        "unsupported proof: type `{proof_type}`, cryptosuite `{cryptosuite}` (expected DataIntegrityProof / eddsa-jcs-2022)"
    )]
    UnsupportedCryptosuite {
        /// The proof's `type`.
        proof_type: String,
        /// The proof's `cryptosuite`.
        cryptosuite: String,
    },
    /// `created` is not a valid XML Schema dateTime.
    #[error("proof `created` is not a valid dateTime")]
    InvalidCreated,
    /// `proofValue` is not base58btc multibase of a 64-byte signature.
    #[error("proofValue is not a base58btc multibase Ed25519 signature")]
    InvalidProofValue,
    /// The proof's `@context` is not a prefix of the document's `@context`.
    #[error("the proof's @context does not match the start of the document's @context")]
    ContextMismatch,
    /// The signature does not verify.
    #[error("the signature does not verify")]
    SignatureInvalid,
    /// JCS failed (non-finite number).
    #[error(transparent)]
    Jcs(#[from] JcsErrorWrapper),
}

/// A JCS failure inside a proof operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct JcsErrorWrapper(String);

impl From<jcs::JcsError> for ProofError {
    fn from(e: jcs::JcsError) -> Self {
        ProofError::Jcs(JcsErrorWrapper(e.to_string()))
    }
}

/// The purpose a proof is made for (its `proofPurpose`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProofPurpose {
    /// `assertionMethod`: an issuer asserting a credential.
    AssertionMethod,
    /// `authentication`: a holder authenticating a presentation.
    Authentication,
    /// Any other purpose, kept verbatim.
    Unknown(String),
}

impl ProofPurpose {
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            ProofPurpose::AssertionMethod => "assertionMethod",
            ProofPurpose::Authentication => "authentication",
            ProofPurpose::Unknown(s) => s,
        }
    }

    /// Parses a wire value.
    pub fn parse(s: &str) -> Self {
        match s {
            "assertionMethod" => ProofPurpose::AssertionMethod,
            "authentication" => ProofPurpose::Authentication,
            other => ProofPurpose::Unknown(other.to_owned()),
        }
    }
}

/// Options of a proof to create (the "proof options" of the specification).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ProofOptions {
    /// `verificationMethod`: the URL of the signing key (e.g. `did:key:z6Mk…#z6Mk…`).
    pub verification_method: String,
    /// `proofPurpose`.
    pub proof_purpose: ProofPurpose,
    /// `created` (an XML Schema dateTime), if any.
    pub created: Option<String>,
    /// `expires` (an XML Schema dateTime), if any.
    pub expires: Option<String>,
    /// `domain`: the intended audience, if any.
    pub domain: Option<String>,
    /// `challenge`: a verifier-chosen nonce, if any.
    pub challenge: Option<String>,
    /// Further members copied into the proof (e.g. Humanos' `event`).
    pub extra: Map<String, Value>,
}

impl ProofOptions {
    /// Options with the two required members; everything else unset.
    pub fn new(verification_method: impl Into<String>, proof_purpose: ProofPurpose) -> Self {
        Self {
            verification_method: verification_method.into(),
            proof_purpose,
            created: None,
            expires: None,
            domain: None,
            challenge: None,
            extra: Map::new(),
        }
    }

    /// Sets `created` from Unix milliseconds (formatted `YYYY-MM-DDTHH:MM:SSZ`).
    pub fn created_at_ms(mut self, unix_ms: u64) -> Self {
        self.created = Some(crate::time::format_datetime(unix_ms));
        self
    }

    /// Sets `created` verbatim.
    pub fn created(mut self, created: impl Into<String>) -> Self {
        self.created = Some(created.into());
        self
    }

    /// Sets `expires` from Unix milliseconds.
    pub fn expires_at_ms(mut self, unix_ms: u64) -> Self {
        self.expires = Some(crate::time::format_datetime(unix_ms));
        self
    }

    /// Sets `domain` (audience binding).
    pub fn domain(mut self, domain: impl Into<String>) -> Self {
        self.domain = Some(domain.into());
        self
    }

    /// Sets `challenge` (nonce binding).
    pub fn challenge(mut self, challenge: impl Into<String>) -> Self {
        self.challenge = Some(challenge.into());
        self
    }

    /// The proof options as a JSON object, in the member order of the specification's examples.
    pub fn to_map(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("type".into(), DATA_INTEGRITY_PROOF.into());
        m.insert("cryptosuite".into(), EDDSA_JCS_2022.into());
        if let Some(c) = &self.created {
            m.insert("created".into(), c.clone().into());
        }
        if let Some(e) = &self.expires {
            m.insert("expires".into(), e.clone().into());
        }
        m.insert(
            "verificationMethod".into(),
            self.verification_method.clone().into(),
        );
        m.insert("proofPurpose".into(), self.proof_purpose.as_str().into());
        if let Some(d) = &self.domain {
            m.insert("domain".into(), d.clone().into());
        }
        if let Some(c) = &self.challenge {
            m.insert("challenge".into(), c.clone().into());
        }
        for (k, v) in &self.extra {
            m.entry(k.clone()).or_insert_with(|| v.clone());
        }
        m
    }
}

/// The algorithms of section 3.3, step by step.
pub mod eddsa_jcs_2022 {
    use super::*;

    /// 3.3.3 Transformation: JCS of the unsecured document (must not contain `proof`).
    pub fn transform(unsecured: &Value) -> Result<Vec<u8>, ProofError> {
        Ok(jcs::canonicalize(unsecured)?)
    }

    /// 3.3.5 Proof Configuration: checks `type`, `cryptosuite` and `created`, then returns
    /// the JCS of the proof options (which already carry `@context` where the algorithm
    /// calling this one put it there).
    pub fn proof_configuration(options: &Map<String, Value>) -> Result<Vec<u8>, ProofError> {
        check_suite(options)?;
        Ok(jcs::canonicalize_object(
            options.iter().map(|(k, v)| (k.as_str(), v)),
        )?)
    }

    /// 3.3.4 Hashing: `SHA-256(canonicalProofConfig) ‖ SHA-256(transformedDocument)`.
    pub fn hash(transformed_document: &[u8], canonical_proof_config: &[u8]) -> [u8; 64] {
        let mut out = [0u8; 64];
        let (first, second) = out.split_at_mut(32);
        first.copy_from_slice(&Sha256::digest(canonical_proof_config));
        second.copy_from_slice(&Sha256::digest(transformed_document));
        out
    }

    /// 3.3.6 Proof Serialization: the Ed25519 signature of the hash data.
    pub fn serialize_proof(hash_data: &[u8; 64], key: &Ed25519SigningKey) -> [u8; 64] {
        key.sign(hash_data)
    }

    /// 3.3.7 Proof Verification: strict Ed25519 verification of the hash data.
    pub fn verify_hash(
        hash_data: &[u8; 64],
        proof_bytes: &[u8; 64],
        key: &Ed25519PublicKey,
    ) -> bool {
        key.verify_strict(hash_data, proof_bytes)
    }

    /// Encodes a signature as a `proofValue` (base58btc multibase, `z…`).
    pub fn encode_proof_value(proof_bytes: &[u8; 64]) -> String {
        format!("z{}", bs58::encode(proof_bytes).into_string())
    }

    /// Decodes a `proofValue` into the 64 signature bytes.
    pub fn decode_proof_value(proof_value: &str) -> Result<[u8; 64], ProofError> {
        if proof_value.len() > MAX_PROOF_VALUE_LEN {
            return Err(ProofError::InvalidProofValue);
        }
        let rest = proof_value
            .strip_prefix('z')
            .ok_or(ProofError::InvalidProofValue)?;
        crate::base58::decode_64(rest).ok_or(ProofError::InvalidProofValue)
    }

    /// 3.3.1 Create Proof: returns the proof object (with `proofValue`) for `unsecured`.
    pub fn create_proof(
        unsecured: &Value,
        options: &ProofOptions,
        key: &Ed25519SigningKey,
    ) -> Result<Map<String, Value>, ProofError> {
        let doc = unsecured.as_object().ok_or(ProofError::NotAnObject)?;
        if doc.contains_key("proof") {
            return Err(ProofError::AlreadySecured);
        }
        let mut proof = options.to_map();
        if let Some(ctx) = doc.get("@context") {
            proof.insert("@context".into(), ctx.clone());
        }
        let config = proof_configuration(&proof)?;
        let transformed = transform(unsecured)?;
        let hash_data = hash(&transformed, &config);
        let sig = serialize_proof(&hash_data, key);
        proof.insert("proofValue".into(), encode_proof_value(&sig).into());
        Ok(proof)
    }

    /// Computes the hash data a secured document's proof signs, following 3.3.2 steps 1–7
    /// (including the `@context` prefix check), and returns it with the decoded signature.
    pub fn verification_input(secured: &Value) -> Result<([u8; 64], [u8; 64]), ProofError> {
        verification_input_by(secured, |doc, context| {
            let transformed = jcs::canonicalize_object(view(doc, "proof", context))?;
            Ok(Sha256::digest(transformed).into())
        })
    }

    /// [`verification_input`] with the digest of the transformed document computed by
    /// `transformed` from the document and the `@context` its proof puts in place.
    pub(crate) fn verification_input_by(
        secured: &Value,
        transformed: impl FnOnce(&Map<String, Value>, Option<&Value>) -> Result<[u8; 32], ProofError>,
    ) -> Result<([u8; 64], [u8; 64]), ProofError> {
        let doc = secured.as_object().ok_or(ProofError::NotAnObject)?;
        let proof = single_proof(doc)?;
        let proof_value = proof
            .get("proofValue")
            .and_then(Value::as_str)
            .ok_or(ProofError::MalformedProof("proofValue"))?;
        let proof_bytes = decode_proof_value(proof_value)?;
        check_suite(proof)?;
        let context_override = match proof.get("@context") {
            Some(pctx) => {
                if !context_starts_with(doc.get("@context"), pctx) {
                    return Err(ProofError::ContextMismatch);
                }
                Some(pctx)
            }
            None => None,
        };
        let transformed = transformed(doc, context_override)?;
        let config = jcs::canonicalize_object(view(proof, "proofValue", None))?;
        let mut hash_data = [0u8; 64];
        let (first, second) = hash_data.split_at_mut(32);
        first.copy_from_slice(&Sha256::digest(config));
        second.copy_from_slice(&transformed);
        Ok((hash_data, proof_bytes))
    }

    /// 3.3.2 Verify Proof against an already-known public key.
    pub fn verify_proof(secured: &Value, key: &Ed25519PublicKey) -> Result<(), ProofError> {
        let (hash_data, proof_bytes) = verification_input(secured)?;
        if verify_hash(&hash_data, &proof_bytes, key) {
            Ok(())
        } else {
            Err(ProofError::SignatureInvalid)
        }
    }
}

/// Signs `unsecured` and returns it with the `proof` member appended.
///
/// This is the specification's *Add Proof*: the proof carries the document's `@context`,
/// `proofValue` is base58btc multibase.
pub fn add_proof(
    unsecured: &Value,
    options: &ProofOptions,
    key: &Ed25519SigningKey,
) -> Result<Value, ProofError> {
    let proof = eddsa_jcs_2022::create_proof(unsecured, options, key)?;
    let mut doc = unsecured
        .as_object()
        .cloned()
        .ok_or(ProofError::NotAnObject)?;
    doc.insert("proof".into(), Value::Object(proof));
    Ok(Value::Object(doc))
}

/// Returns the single proof object of a secured document.
pub(crate) fn single_proof(doc: &Map<String, Value>) -> Result<&Map<String, Value>, ProofError> {
    match doc.get("proof") {
        None | Some(Value::Null) => Err(ProofError::MissingProof),
        Some(Value::Object(p)) => Ok(p),
        Some(Value::Array(a)) if a.len() == 1 => a
            .first()
            .and_then(Value::as_object)
            .ok_or(ProofError::MalformedProof("proof")),
        Some(Value::Array(a)) if a.is_empty() => Err(ProofError::MissingProof),
        Some(Value::Array(a)) => Err(ProofError::MultipleProofs(a.len())),
        Some(_) => Err(ProofError::MalformedProof("proof")),
    }
}

fn check_suite(proof: &Map<String, Value>) -> Result<(), ProofError> {
    let t = proof
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let c = proof
        .get("cryptosuite")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if t != DATA_INTEGRITY_PROOF || c != EDDSA_JCS_2022 {
        return Err(ProofError::UnsupportedCryptosuite {
            proof_type: truncate(t),
            cryptosuite: truncate(c),
        });
    }
    if let Some(created) = proof.get("created") {
        match created.as_str() {
            Some(s) if crate::time::parse_datetime_ms(s).is_some() => {}
            _ => return Err(ProofError::InvalidCreated),
        }
    }
    Ok(())
}

fn truncate(s: &str) -> String {
    s.chars().take(64).collect()
}

/// `@context` as a list of values (a lone string or object is a one-element list).
fn context_items(ctx: Option<&Value>) -> &[Value] {
    match ctx {
        None => &[],
        Some(Value::Array(a)) => a,
        Some(v) => std::slice::from_ref(v),
    }
}

fn context_starts_with(doc_ctx: Option<&Value>, proof_ctx: &Value) -> bool {
    let doc = context_items(doc_ctx);
    let prefix = context_items(Some(proof_ctx));
    doc.len() >= prefix.len() && doc.iter().zip(prefix).all(|(a, b)| a == b)
}

/// The members of `map` with `skip` left out and `@context` replaced by `context` (added when
/// the map has none), so canonicalization needs no copy of the document.
pub(crate) fn view<'a>(
    map: &'a Map<String, Value>,
    skip: &'a str,
    context: Option<&'a Value>,
) -> impl Iterator<Item = (&'a str, &'a Value)> {
    let kept = map
        .iter()
        .filter(move |(k, _)| *k != skip)
        .map(move |(k, v)| match context {
            Some(ctx) if k == "@context" => (k.as_str(), ctx),
            _ => (k.as_str(), v),
        });
    let added = context
        .filter(|_| !map.contains_key("@context"))
        .map(|ctx| ("@context", ctx));
    kept.chain(added)
}
