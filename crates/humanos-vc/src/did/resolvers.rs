//! Key lookups with the keys at hand: `did:key`, a static set of documents, and the
//! documents the async path resolved ahead of a verification.

use std::collections::HashMap;

use super::{
    DidDocument, DidResolver, KeyLookup, ResolveError, ResolveFuture, ResolvedKey, split_did_url,
    truncate,
};
use crate::keys::Ed25519PublicKey;
use crate::proof::ProofPurpose;

/// Resolves `did:key` identifiers (Ed25519 only) without any I/O.
#[derive(Debug, Clone, Copy, Default)]
pub struct DidKeyResolver;

impl DidKeyResolver {
    /// The DID document of a `did:key` DID.
    pub fn document(did: &str) -> Result<DidDocument, ResolveError> {
        let (did, _) = split_did_url(did)?;
        let mb = did
            .strip_prefix("did:key:")
            .ok_or_else(|| ResolveError::UnsupportedMethod(truncate(did)))?;
        let key = Ed25519PublicKey::from_multibase(mb).map_err(|source| ResolveError::BadKey {
            method: truncate(did),
            source,
        })?;
        Ok(DidDocument::single_key(did, format!("{did}#{mb}"), &key))
    }
}

impl KeyLookup for DidKeyResolver {
    fn lookup(&self, vm: &str, purpose: &ProofPurpose) -> Result<ResolvedKey, ResolveError> {
        Self::document(vm)?.key_for(vm, purpose)
    }
}

impl DidResolver for DidKeyResolver {
    fn resolve<'a>(&'a self, did: &'a str) -> ResolveFuture<'a> {
        Box::pin(std::future::ready(Self::document(did)))
    }
}

/// Keys and documents held in memory: the synchronous path for callers that already know
/// the issuer's and holder's keys. Resolves `did:key` too unless [`did_key(false)`]
/// is called.
///
/// [`did_key(false)`]: StaticResolver::did_key
#[derive(Debug, Clone)]
pub struct StaticResolver {
    documents: HashMap<String, DidDocument>,
    keys: HashMap<String, (Vec<ProofPurpose>, ResolvedKey)>,
    did_key: bool,
}

impl Default for StaticResolver {
    fn default() -> Self {
        Self::new()
    }
}

impl StaticResolver {
    /// An empty resolver that still resolves `did:key`.
    pub fn new() -> Self {
        Self {
            documents: HashMap::new(),
            keys: HashMap::new(),
            did_key: true,
        }
    }

    /// Whether `did:key` DIDs are resolved from the DID itself (default `true`); with `false`
    /// only what was added is known.
    pub fn did_key(mut self, resolve: bool) -> Self {
        self.did_key = resolve;
        self
    }

    /// Adds a whole DID document.
    pub fn document(mut self, doc: DidDocument) -> Self {
        self.insert_document(doc);
        self
    }

    /// Adds a whole DID document.
    pub fn insert_document(&mut self, doc: DidDocument) {
        self.documents.insert(doc.id.clone(), doc);
    }

    /// Adds one verification method, usable for both `authentication` and
    /// `assertionMethod`. `method_id` must be an absolute DID URL.
    pub fn key(
        mut self,
        method_id: impl Into<String>,
        key: Ed25519PublicKey,
    ) -> Result<Self, ResolveError> {
        self.insert_key(
            method_id,
            key,
            &[ProofPurpose::Authentication, ProofPurpose::AssertionMethod],
        )?;
        Ok(self)
    }

    /// Adds one verification method usable for the given purposes.
    pub fn insert_key(
        &mut self,
        method_id: impl Into<String>,
        key: Ed25519PublicKey,
        purposes: &[ProofPurpose],
    ) -> Result<(), ResolveError> {
        let id = method_id.into();
        let (did, _) = split_did_url(&id)?;
        let resolved = ResolvedKey {
            controller: did.to_owned(),
            id: id.clone(),
            public_key: key,
        };
        self.keys.insert(id, (purposes.to_vec(), resolved));
        Ok(())
    }

    fn document_for(&self, did: &str) -> Result<DidDocument, ResolveError> {
        if let Some(doc) = self.documents.get(did) {
            return Ok(doc.clone());
        }
        if self.did_key && did.starts_with("did:key:") {
            return DidKeyResolver::document(did);
        }
        Err(ResolveError::NotFound(truncate(did)))
    }
}

impl KeyLookup for StaticResolver {
    fn lookup(&self, vm: &str, purpose: &ProofPurpose) -> Result<ResolvedKey, ResolveError> {
        if let Some((purposes, key)) = self.keys.get(vm) {
            return if purposes.contains(purpose) {
                Ok(key.clone())
            } else {
                Err(ResolveError::NotAuthorized {
                    method: truncate(vm),
                    purpose: truncate(purpose.as_str()),
                })
            };
        }
        let (did, _) = split_did_url(vm)?;
        if let Some(doc) = self.documents.get(did) {
            return doc.key_for(vm, purpose);
        }
        if self.did_key && did.starts_with("did:key:") {
            return DidKeyResolver.lookup(vm, purpose);
        }
        Err(ResolveError::NotFound(truncate(did)))
    }
}

impl DidResolver for StaticResolver {
    fn resolve<'a>(&'a self, did: &'a str) -> ResolveFuture<'a> {
        Box::pin(std::future::ready(self.document_for(did)))
    }
}

/// Documents resolved ahead of a verification (what the async path hands to the sync one).
#[derive(Debug, Default)]
pub(crate) struct ResolvedDocuments {
    pub(crate) docs: HashMap<String, Result<DidDocument, ResolveError>>,
}

impl KeyLookup for ResolvedDocuments {
    fn lookup(&self, vm: &str, purpose: &ProofPurpose) -> Result<ResolvedKey, ResolveError> {
        let (did, _) = split_did_url(vm)?;
        match self.docs.get(did) {
            Some(Ok(doc)) => doc.key_for(vm, purpose),
            Some(Err(e)) => Err(e.clone()),
            None => Err(ResolveError::NotFound(truncate(did))),
        }
    }
}
