//! Verification of presentations (VP proof, embedded credentials, validity, status, rules).
//!
//! [`Verifier`] and its configuration live here; the request options, the outcomes, the
//! verified-signature cache, the proof checks and the presentation checks each have their
//! own module, as do the status list checks (the list formats are in [`crate::status`]).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use humanos_signing::{Clock, SystemClock};
use serde_json::{Map, Value};

use crate::did::{KeyLookup, truncate};
use crate::reason::Reason;
use crate::status::{DEFAULT_MAX_STATUS_LIST_BYTES, VerifiedStatusList};

mod cache;
mod options;
mod outcome;
mod presentation;
mod proof_check;
mod status_check;

use cache::SignatureCache;
use options::IssuerTrust;
pub use options::{FetchFuture, RuleCheck, StatusListFetcher, StatusPolicy, VerifyRequest};
pub use outcome::{VerifiedCredential, VerifiedPresentation, VerifyFailure};
use proof_check::{Kind, Transformed};

/// Verifies presentations and credentials secured with `eddsa-jcs-2022`.
///
/// Build it once (clock, skew, policies), then call
/// [`verify_presentation_with`](Self::verify_presentation_with) (synchronous, keys at hand)
/// or [`verify_presentation`](Self::verify_presentation) (async DID resolution).
#[derive(Clone)]
pub struct Verifier {
    clock: Arc<dyn Clock>,
    skew_ms: u64,
    status_policy: StatusPolicy,
    trusted_issuers: IssuerTrust,
    require_holder_binding: bool,
    max_status_list_bytes: usize,
    fetcher: Option<Arc<dyn StatusListFetcher>>,
    signature_cache: Option<Arc<SignatureCache>>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("skew_ms", &self.skew_ms)
            .field("status_policy", &self.status_policy)
            .field("trusted_issuers", &self.trusted_issuers)
            .field("require_holder_binding", &self.require_holder_binding)
            .field("max_status_list_bytes", &self.max_status_list_bytes)
            .field("fetcher", &self.fetcher.is_some())
            .field(
                "signature_cache",
                &self.signature_cache.as_ref().map(|c| c.capacity()),
            )
            .finish_non_exhaustive()
    }
}

impl Default for Verifier {
    fn default() -> Self {
        Self::new()
    }
}

impl Verifier {
    /// Secure by default: system clock, 60 s skew, **no trusted issuer** (every credential
    /// is denied with [`Reason::IssuerUntrusted`] until
    /// [`trusted_issuers`](Self::trusted_issuers) names one), **holder binding
    /// on** (see [`require_holder_binding`](Self::require_holder_binding)),
    /// [`StatusPolicy::Require`], 2 MiB status list cap, a 4,096-entry verified-signature
    /// cache.
    pub fn new() -> Self {
        Self {
            signature_cache: Some(Arc::new(SignatureCache::new(4_096))),
            clock: Arc::new(SystemClock),
            skew_ms: 60_000,
            status_policy: StatusPolicy::default(),
            trusted_issuers: IssuerTrust::Only(HashSet::new()),
            require_holder_binding: true,
            max_status_list_bytes: DEFAULT_MAX_STATUS_LIST_BYTES,
            fetcher: None,
        }
    }

    /// Uses another clock (`humanos_signing::FixedClock` in tests).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Tolerated clock difference for `validFrom` / `validUntil` / `created` / `expires`.
    pub fn skew(mut self, skew: std::time::Duration) -> Self {
        self.skew_ms = u64::try_from(skew.as_millis()).unwrap_or(u64::MAX);
        self
    }

    /// What to do without a status list (default [`StatusPolicy::Require`]).
    pub fn status_policy(mut self, policy: StatusPolicy) -> Self {
        self.status_policy = policy;
        self
    }

    /// Accepts credentials only from these issuer DIDs (replacing any set before). A
    /// verifier trusts no issuer until this is called.
    pub fn trusted_issuers<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        issuers: I,
    ) -> Self {
        self.trusted_issuers = IssuerTrust::Only(issuers.into_iter().map(Into::into).collect());
        self
    }

    /// Also accepts credentials from `did`, keeping the issuers trusted so far.
    pub fn trust_issuer(mut self, did: impl Into<String>) -> Self {
        if let IssuerTrust::Only(trusted) = &mut self.trusted_issuers {
            trusted.insert(did.into());
        }
        self
    }

    /// **Insecure opt-out**: accepts a credential from any issuer whose signature
    /// verifies. Anyone can mint a `did:key` and sign a mandate for themselves, so with
    /// this a self-issued mandate verifies. Meant for tools that inspect credentials, not
    /// for authorization decisions.
    pub fn danger_accept_any_issuer(mut self) -> Self {
        self.trusted_issuers = IssuerTrust::Any;
        self
    }

    /// Holder binding (on by default): the presentation must be signed by a DID that every
    /// embedded credential names as its subject (`credentialSubject.id`) or authorizes
    /// (`credentialSubject.mandate.context.authorizedDIDs`), and by its `holder` when it
    /// names one; otherwise [`Reason::HolderMismatch`]. Without it, anyone holding a copy
    /// of someone else's mandate could present it. `false` is an opt-out.
    pub fn require_holder_binding(mut self, yes: bool) -> Self {
        self.require_holder_binding = yes;
        self
    }

    /// Caps the decompressed size of a status list (default 2 MiB).
    pub fn max_status_list_bytes(mut self, max: usize) -> Self {
        self.max_status_list_bytes = max;
        self
    }

    /// Sizes the verified-signature cache (0 disables it). A hit skips only the Ed25519
    /// check of an identical (key, hash data, signature) triple; validity, status and rules
    /// are evaluated on every call. The cache also keeps up to 256 embedded credentials that
    /// verified (4 MiB of canonical JSON at most), so that one presented again, equal member
    /// for member, is not canonicalized again. Clones of a verifier share the cache.
    pub fn signature_cache(mut self, capacity: usize) -> Self {
        self.signature_cache = (capacity > 0).then(|| Arc::new(SignatureCache::new(capacity)));
        self
    }

    /// Fetches status lists that were not supplied (async path only).
    pub fn status_list_fetcher(mut self, fetcher: Arc<dyn StatusListFetcher>) -> Self {
        self.fetcher = Some(fetcher);
        self
    }

    fn now_ms(&self) -> i64 {
        i64::try_from(self.clock.now_unix_ms()).unwrap_or(i64::MAX)
    }

    fn skew_ms(&self) -> i64 {
        i64::try_from(self.skew_ms).unwrap_or(i64::MAX)
    }

    /// Verifies a status list credential (proof by `assertionMethod`, validity, subject,
    /// `encodedList` within the size cap) so it can be supplied to [`VerifyRequest`].
    pub fn verify_status_list(
        &self,
        credential: &Value,
        keys: &dyn KeyLookup,
    ) -> Result<VerifiedStatusList, VerifyFailure> {
        let unavailable = |m: String| VerifyFailure::new(Reason::StatusUnavailable, m);
        let key = self.check_proof(credential, keys, &Kind::StatusList)?;
        let obj = credential
            .as_object()
            .ok_or_else(|| unavailable("status list is not an object".into()))?;
        let issuer = issuer_of(obj)
            .ok_or_else(|| unavailable("status list credential has no issuer".into()))?;
        if key.controller != issuer {
            return Err(unavailable(format!(
                "status list is signed by `{}`, not by its issuer",
                truncate(&key.controller)
            )));
        }
        self.check_validity(obj, "status list credential")
            .map_err(|f| unavailable(f.message))?;
        status_check::list_from_credential(obj, issuer, self.max_status_list_bytes)
    }

    /// Verifies one credential on its own: proof (`assertionMethod`, signed by its
    /// issuer), trusted issuer, validity, status.
    pub fn verify_credential_with(
        &self,
        credential: &Value,
        keys: &dyn KeyLookup,
        status_lists: &HashMap<String, Arc<VerifiedStatusList>>,
    ) -> Result<VerifiedCredential, VerifyFailure> {
        self.verify_credential_as(credential, keys, status_lists, Transformed::Canonical)
            .map(|(verified, _)| verified)
    }

    /// [`verify_credential_with`](Self::verify_credential_with), with the credential's digest
    /// had as `transformed` says; also answers the public key its proof verified with.
    fn verify_credential_as(
        &self,
        credential: &Value,
        keys: &dyn KeyLookup,
        status_lists: &HashMap<String, Arc<VerifiedStatusList>>,
        transformed: Transformed<'_>,
    ) -> Result<(VerifiedCredential, [u8; 32]), VerifyFailure> {
        self.verify_credential_inner(credential, keys, status_lists, transformed)
            .map_err(|mut f| {
                // Only a failure names the credential: no copy of its id on the usual path.
                f.credential_id = credential
                    .get("id")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                f
            })
    }

    fn verify_credential_inner(
        &self,
        credential: &Value,
        keys: &dyn KeyLookup,
        status_lists: &HashMap<String, Arc<VerifiedStatusList>>,
        transformed: Transformed<'_>,
    ) -> Result<(VerifiedCredential, [u8; 32]), VerifyFailure> {
        let obj = credential.as_object().ok_or_else(|| {
            VerifyFailure::new(
                Reason::VpMalformed,
                "a verifiableCredential entry is not a JSON object",
            )
        })?;
        if obj.get("type").and_then(Value::as_str) == Some("EnvelopedVerifiableCredential") {
            return Err(VerifyFailure::new(
                Reason::VpMalformed,
                "enveloped credentials are not supported",
            ));
        }
        let issuer = issuer_of(obj)
            .ok_or_else(|| VerifyFailure::new(Reason::VpMalformed, "credential has no issuer"))?
            .to_owned();
        let key = self.check_proof_with(credential, keys, &Kind::Credential, transformed)?;
        if key.controller != issuer {
            return Err(VerifyFailure::new(
                Reason::CredentialSignerUnknown,
                format!(
                    "credential is signed by `{}`, not by its issuer `{}`",
                    truncate(&key.controller),
                    truncate(&issuer)
                ),
            ));
        }
        if let IssuerTrust::Only(trusted) = &self.trusted_issuers
            && !trusted.contains(&issuer)
        {
            let hint = if trusted.is_empty() {
                ": this verifier trusts no issuer yet (Verifier::trusted_issuers)"
            } else {
                ""
            };
            return Err(VerifyFailure::new(
                Reason::IssuerUntrusted,
                format!("issuer `{}` is not trusted{hint}", truncate(&issuer)),
            ));
        }
        self.check_validity(obj, "credential")?;
        let status_checked = status_check::check_entries(
            obj,
            &issuer,
            status_lists,
            self.status_policy,
            self.now_ms().saturating_sub(self.skew_ms()),
        )?;
        let public_key = *key.public_key.as_bytes();
        Ok((
            VerifiedCredential {
                id: obj.get("id").and_then(Value::as_str).map(str::to_owned),
                issuer,
                verification_method: key.id,
                status_checked,
            },
            public_key,
        ))
    }
}

fn issuer_of(obj: &Map<String, Value>) -> Option<&str> {
    match obj.get("issuer")? {
        Value::String(s) => Some(s),
        Value::Object(o) => o.get("id").and_then(Value::as_str),
        _ => None,
    }
}
