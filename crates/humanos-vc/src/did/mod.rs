//! DID documents, key lookup and DID resolution.
//!
//! Two traits:
//!
//! * [`KeyLookup`] is synchronous: given a verification method URL and a proof purpose it
//!   returns the key, or says why not. Verification itself only ever calls this one, so a
//!   caller that already holds the keys ([`StaticResolver`], [`DidKeyResolver`], a
//!   [`DidDocument`]) verifies without any executor.
//! * [`DidResolver`] is asynchronous and runtime-agnostic: `resolve` returns a boxed
//!   `Send` future, so it is object safe (`&dyn DidResolver`) and can wrap any async HTTP
//!   client (reqwest, hyper, the `humanos` client's `did().resolve(..)`), whatever executor
//!   drives it. [`CachingResolver`] adds a TTL cache in front of any resolver.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::keys::{Ed25519PublicKey, KeyError};
use crate::proof::ProofPurpose;

mod cache;
mod resolvers;

pub use cache::CachingResolver;
pub(crate) use resolvers::ResolvedDocuments;
pub use resolvers::{DidKeyResolver, StaticResolver};

/// Why a DID or verification method could not be resolved to a usable key.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    /// The DID is not known to the resolver (or the registry answered 404).
    #[error("DID `{0}` was not found")]
    NotFound(String),
    /// The DID method is not supported by this resolver.
    #[error("DID method of `{0}` is not supported by this resolver")]
    UnsupportedMethod(String),
    /// The identifier is not a well-formed DID / DID URL.
    #[error("`{0}` is not a valid DID URL")]
    InvalidDid(String),
    /// The document does not describe the DID that was asked for, or is malformed.
    #[error("invalid DID document: {0}")]
    InvalidDocument(String),
    /// The document has no verification method with that id.
    #[error("verification method `{0}` is not in the DID document")]
    MethodNotFound(String),
    /// The method exists but is not listed under the relationship the proof needs
    /// (e.g. a revoked key no longer referenced by `assertionMethod`).
    #[error("verification method `{method}` is not authorized for `{purpose}`")]
    NotAuthorized {
        /// The verification method URL.
        method: String,
        /// The proof purpose it was needed for.
        purpose: String,
    },
    /// The method's key material is not a usable Ed25519 key.
    #[error("verification method `{method}` has no usable Ed25519 key: {source}")]
    BadKey {
        /// The verification method URL.
        method: String,
        /// What is wrong with the key.
        #[source]
        source: KeyError,
    },
    /// Fetching the document failed (network, HTTP status, size limit).
    #[error("resolving the DID failed: {0}")]
    Transport(String),
}

/// A key found for a verification method.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ResolvedKey {
    /// The verification method URL (absolute).
    pub id: String,
    /// The DID that controls the method.
    pub controller: String,
    /// The public key.
    pub public_key: Ed25519PublicKey,
}

/// Synchronous key lookup: the only resolution the verifier calls.
pub trait KeyLookup {
    /// Returns the key of `verification_method` if it may be used for `purpose`.
    fn lookup(
        &self,
        verification_method: &str,
        purpose: &ProofPurpose,
    ) -> Result<ResolvedKey, ResolveError>;
}

impl<T: KeyLookup + ?Sized> KeyLookup for &T {
    fn lookup(&self, vm: &str, purpose: &ProofPurpose) -> Result<ResolvedKey, ResolveError> {
        (**self).lookup(vm, purpose)
    }
}

impl<T: KeyLookup + ?Sized> KeyLookup for Arc<T> {
    fn lookup(&self, vm: &str, purpose: &ProofPurpose) -> Result<ResolvedKey, ResolveError> {
        (**self).lookup(vm, purpose)
    }
}

/// The future returned by [`DidResolver::resolve`].
pub type ResolveFuture<'a> =
    Pin<Box<dyn Future<Output = Result<DidDocument, ResolveError>> + Send + 'a>>;

/// Asynchronous, runtime-agnostic DID resolution.
///
/// Implement it over any async client by boxing an `async` block:
///
/// ```
/// use humanos_vc::did::{DidDocument, DidResolver, ResolveError, ResolveFuture};
///
/// struct ApiResolver; // e.g. wraps `humanos::Client`
///
/// impl DidResolver for ApiResolver {
///     fn resolve<'a>(&'a self, did: &'a str) -> ResolveFuture<'a> {
///         Box::pin(async move {
///             // let json = self.client.did().resolve(did).await.map_err(|e| ResolveError::Transport(e.to_string()))?;
///             let json = serde_json::json!({"@context": ["https://www.w3.org/ns/did/v1"], "id": did, "verificationMethod": []});
///             DidDocument::from_json(json)
///         })
///     }
/// }
/// ```
pub trait DidResolver: Send + Sync {
    /// Resolves `did` (without fragment) to its DID document.
    fn resolve<'a>(&'a self, did: &'a str) -> ResolveFuture<'a>;
}

impl<T: DidResolver + ?Sized> DidResolver for &T {
    fn resolve<'a>(&'a self, did: &'a str) -> ResolveFuture<'a> {
        (**self).resolve(did)
    }
}

impl<T: DidResolver + ?Sized> DidResolver for Arc<T> {
    fn resolve<'a>(&'a self, did: &'a str) -> ResolveFuture<'a> {
        (**self).resolve(did)
    }
}

impl<T: DidResolver + ?Sized> DidResolver for Box<T> {
    fn resolve<'a>(&'a self, did: &'a str) -> ResolveFuture<'a> {
        (**self).resolve(did)
    }
}

/// A verification method of a DID document (`VerificationMethodEntity` on the wire, plus
/// the JWK and legacy base58 key forms).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct VerificationMethod {
    /// Method id: absolute (`did:…#key`) or relative (`#key`).
    pub id: String,
    /// Method type (`Multikey`, `Ed25519VerificationKey2020`, `JsonWebKey`, …).
    #[serde(rename = "type", default)]
    pub method_type: String,
    /// Controller DID.
    #[serde(default)]
    pub controller: String,
    /// Multikey public key (`z6Mk…`).
    #[serde(
        rename = "publicKeyMultibase",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub public_key_multibase: Option<String>,
    /// JWK public key.
    #[serde(
        rename = "publicKeyJwk",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub public_key_jwk: Option<Value>,
    /// Legacy `Ed25519VerificationKey2018` raw base58 key.
    #[serde(
        rename = "publicKeyBase58",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub public_key_base58: Option<String>,
    /// Other members, kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl VerificationMethod {
    /// A `Multikey` method for `key`.
    pub fn multikey(
        id: impl Into<String>,
        controller: impl Into<String>,
        key: &Ed25519PublicKey,
    ) -> Self {
        Self {
            id: id.into(),
            method_type: "Multikey".into(),
            controller: controller.into(),
            public_key_multibase: Some(key.to_multibase()),
            public_key_jwk: None,
            public_key_base58: None,
            extra: Map::new(),
        }
    }

    /// The Ed25519 key of this method, from whichever key form it carries.
    pub fn public_key(&self) -> Result<Ed25519PublicKey, KeyError> {
        if let Some(mb) = &self.public_key_multibase {
            Ed25519PublicKey::from_multibase(mb)
        } else if let Some(jwk) = &self.public_key_jwk {
            Ed25519PublicKey::from_jwk(jwk)
        } else if let Some(b58) = &self.public_key_base58 {
            Ed25519PublicKey::from_base58(b58)
        } else {
            Err(KeyError::BadJwk(
                "no publicKeyMultibase, publicKeyJwk or publicKeyBase58",
            ))
        }
    }
}

/// An entry of a verification relationship: a reference or an embedded method.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum RelationshipEntry {
    /// A method id (absolute or relative).
    Reference(String),
    /// A method embedded in the relationship.
    Embedded(Box<VerificationMethod>),
}

/// A DID document (`DidDocumentEntity` on the wire).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DidDocument {
    /// `@context`.
    #[serde(rename = "@context", default)]
    pub context: Value,
    /// The DID this document describes.
    pub id: String,
    /// Declared verification methods.
    #[serde(rename = "verificationMethod", default)]
    pub verification_method: Vec<VerificationMethod>,
    /// Methods usable for `authentication` (absent or null: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication: Option<Vec<RelationshipEntry>>,
    /// Methods usable for `assertionMethod` (absent or null: none).
    #[serde(
        rename = "assertionMethod",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub assertion_method: Option<Vec<RelationshipEntry>>,
    /// Other members, kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Largest DID document accepted from a resolver, in bytes of JSON.
pub const MAX_DID_DOCUMENT_BYTES: usize = 256 * 1024;

impl DidDocument {
    /// Parses a DID document from JSON.
    pub fn from_json(json: Value) -> Result<Self, ResolveError> {
        serde_json::from_value(json).map_err(|e| ResolveError::InvalidDocument(e.to_string()))
    }

    /// Parses a DID document from bytes, refusing documents over [`MAX_DID_DOCUMENT_BYTES`].
    pub fn from_slice(bytes: &[u8]) -> Result<Self, ResolveError> {
        if bytes.len() > MAX_DID_DOCUMENT_BYTES {
            return Err(ResolveError::InvalidDocument(format!(
                "document is {} bytes, over the {MAX_DID_DOCUMENT_BYTES}-byte limit",
                bytes.len()
            )));
        }
        serde_json::from_slice(bytes).map_err(|e| ResolveError::InvalidDocument(e.to_string()))
    }

    /// A document for one key, listed under both `authentication` and `assertionMethod`.
    pub fn single_key(
        did: impl Into<String>,
        method_id: impl Into<String>,
        key: &Ed25519PublicKey,
    ) -> Self {
        let did = did.into();
        let method_id = method_id.into();
        Self {
            context: Value::Array(vec![
                "https://www.w3.org/ns/did/v1".into(),
                "https://w3id.org/security/multikey/v1".into(),
            ]),
            verification_method: vec![VerificationMethod::multikey(
                method_id.clone(),
                did.clone(),
                key,
            )],
            authentication: Some(vec![RelationshipEntry::Reference(method_id.clone())]),
            assertion_method: Some(vec![RelationshipEntry::Reference(method_id)]),
            id: did,
            extra: Map::new(),
        }
    }

    fn absolute(&self, id: &str) -> String {
        if id.starts_with('#') {
            format!("{}{}", self.id, id)
        } else {
            id.to_owned()
        }
    }

    /// Finds the key of `verification_method` and checks that the relationship matching
    /// `purpose` lists it.
    pub fn key_for(
        &self,
        verification_method: &str,
        purpose: &ProofPurpose,
    ) -> Result<ResolvedKey, ResolveError> {
        let (did, _) = split_did_url(verification_method)?;
        if did != self.id {
            return Err(ResolveError::InvalidDocument(format!(
                "document is for `{}`, not `{did}`",
                truncate(&self.id)
            )));
        }
        let relationship = match purpose {
            ProofPurpose::AssertionMethod => self.assertion_method.as_deref(),
            ProofPurpose::Authentication => self.authentication.as_deref(),
            ProofPurpose::Unknown(_) => None,
        };
        let not_authorized = || ResolveError::NotAuthorized {
            method: truncate(verification_method),
            purpose: truncate(purpose.as_str()),
        };
        let mut listed = None;
        for entry in relationship.unwrap_or_default() {
            match entry {
                RelationshipEntry::Reference(r) if self.absolute(r) == verification_method => {
                    listed = self
                        .verification_method
                        .iter()
                        .find(|m| self.absolute(&m.id) == verification_method);
                    if listed.is_none() {
                        return Err(ResolveError::MethodNotFound(truncate(verification_method)));
                    }
                    break;
                }
                RelationshipEntry::Embedded(m) if self.absolute(&m.id) == verification_method => {
                    listed = Some(m);
                    break;
                }
                _ => {}
            }
        }
        let method = match listed {
            Some(m) => m,
            None => {
                return Err(
                    if self
                        .verification_method
                        .iter()
                        .any(|m| self.absolute(&m.id) == verification_method)
                    {
                        not_authorized()
                    } else {
                        ResolveError::MethodNotFound(truncate(verification_method))
                    },
                );
            }
        };
        if !method.controller.is_empty() && method.controller != self.id {
            return Err(ResolveError::InvalidDocument(format!(
                "method `{}` is controlled by `{}`, not by the document's DID",
                truncate(verification_method),
                truncate(&method.controller)
            )));
        }
        let public_key = method.public_key().map_err(|source| ResolveError::BadKey {
            method: truncate(verification_method),
            source,
        })?;
        Ok(ResolvedKey {
            id: verification_method.to_owned(),
            controller: self.id.clone(),
            public_key,
        })
    }
}

impl KeyLookup for DidDocument {
    fn lookup(&self, vm: &str, purpose: &ProofPurpose) -> Result<ResolvedKey, ResolveError> {
        self.key_for(vm, purpose)
    }
}

pub(crate) fn truncate(s: &str) -> String {
    if s.len() <= 200 {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(200).collect();
        t.push('…');
        t
    }
}

/// Splits a DID URL into the DID and the fragment (`did:ex:1#k` -> (`did:ex:1`, `k`)).
pub fn split_did_url(url: &str) -> Result<(&str, Option<&str>), ResolveError> {
    let (did, fragment) = match url.split_once('#') {
        Some((d, f)) => (d, Some(f)),
        None => (url, None),
    };
    let did = did.split(['?', '/']).next().unwrap_or_default();
    let mut parts = did.splitn(3, ':');
    let ok = parts.next() == Some("did")
        && parts.next().is_some_and(|m| {
            !m.is_empty()
                && m.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && parts.next().is_some_and(|rest| !rest.is_empty());
    if !ok || url.len() > 2048 {
        return Err(ResolveError::InvalidDid(truncate(url)));
    }
    Ok((did, fragment))
}
