//! Verification of presentations (VP proof, embedded credentials, validity, status, rules).

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use humanos_signing::{Clock, SystemClock};
use serde_json::{Map, Value, json};

use crate::did::{
    DidResolver, KeyLookup, ResolveError, ResolvedDocuments, ResolvedKey, split_did_url, truncate,
};
use crate::proof::{ProofError, ProofPurpose, eddsa_jcs_2022, single_proof};
use crate::reason::Reason;
use crate::rules::{Rule, VerifyEvaluation, evaluate_rules, user_params_from_mandate};
use crate::status::{Bitstring, DEFAULT_MAX_STATUS_LIST_BYTES, StatusEntry, VerifiedStatusList};
use crate::time::parse_datetime_ms;

/// What to do with a credential's `credentialStatus` when no status list is at hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum StatusPolicy {
    /// Deny with [`Reason::StatusUnavailable`] when a list cannot be had (default): a
    /// credential whose revocation cannot be checked is not accepted.
    #[default]
    Require,
    /// Opt-out: check the bit when the list was supplied or could be fetched; otherwise
    /// carry on and report `status_checked: false` in the result.
    CheckIfAvailable,
    /// Opt-out: never look at `credentialStatus`.
    Skip,
}

/// Which issuers a [`Verifier`] accepts credentials from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum IssuerTrust {
    /// Only these DIDs (none until the caller names some).
    Only(HashSet<String>),
    /// Any issuer whose signature verifies ([`Verifier::danger_accept_any_issuer`]).
    Any,
}

/// The future returned by [`StatusListFetcher::fetch`].
pub type FetchFuture<'a> = Pin<Box<dyn Future<Output = Result<Value, ResolveError>> + Send + 'a>>;

/// Fetches status list credentials by URL (async, runtime-agnostic like
/// [`DidResolver`]). The fetched credential is verified before use.
pub trait StatusListFetcher: Send + Sync {
    /// Returns the status list credential at `url` as JSON.
    fn fetch<'a>(&'a self, url: &'a str) -> FetchFuture<'a>;
}

/// The CEL rule pre-check to run on the mandate of a presentation.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RuleCheck {
    /// The action the mandate must pin (`credentialSubject.mandate.action.id`), if known.
    pub action_id: Option<String>,
    /// The action's rules.
    pub rules: Vec<Rule>,
    /// Fields the action declares under `executionParams`, if known.
    pub declared_execution_params: Option<Vec<String>>,
    /// What the agent intends to do (`executionParams`).
    pub execution_params: Value,
}

impl RuleCheck {
    /// Rules and the agent's `executionParams`.
    pub fn new(rules: Vec<Rule>, execution_params: Value) -> Self {
        Self {
            action_id: None,
            rules,
            declared_execution_params: None,
            execution_params,
        }
    }

    /// Reads `rules` and the declared `executionParams` from an action definition (the
    /// `content` of an action version, or `definition` of `/intelligence/action`).
    pub fn from_action_definition(definition: &Value, execution_params: Value) -> Self {
        let rules = definition
            .get("rules")
            .map(Rule::parse_list)
            .unwrap_or_default();
        let declared = match definition.get("executionParams") {
            Some(Value::Object(o)) => Some(o.keys().cloned().collect()),
            Some(Value::Array(a)) => Some(
                a.iter()
                    .filter_map(|v| v.as_str().or_else(|| v.get("name").and_then(Value::as_str)))
                    .map(str::to_owned)
                    .collect(),
            ),
            _ => None,
        };
        Self {
            action_id: None,
            rules,
            declared_execution_params: declared,
            execution_params,
        }
    }

    /// Requires the mandate to pin this action.
    pub fn for_action(mut self, action_id: impl Into<String>) -> Self {
        self.action_id = Some(action_id.into());
        self
    }
}

/// Per-call expectations: audience binding, status lists at hand, rules.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct VerifyRequest {
    /// The audience this verifier expects in the VP's `proof.domain`.
    pub domain: Option<String>,
    /// The nonce this verifier expects in the VP's `proof.challenge`.
    pub challenge: Option<String>,
    /// Already verified status lists, by URL.
    pub status_lists: HashMap<String, Arc<VerifiedStatusList>>,
    /// The rule pre-check, if any.
    pub rules: Option<RuleCheck>,
}

impl VerifyRequest {
    /// No audience, no status lists, no rules.
    pub fn new() -> Self {
        Self::default()
    }

    /// Expects `proof.domain` to be (or contain) `domain`.
    pub fn domain(mut self, domain: impl Into<String>) -> Self {
        self.domain = Some(domain.into());
        self
    }

    /// Expects `proof.challenge` to equal `challenge`.
    pub fn challenge(mut self, challenge: impl Into<String>) -> Self {
        self.challenge = Some(challenge.into());
        self
    }

    /// Supplies a verified status list.
    pub fn status_list(mut self, list: impl Into<Arc<VerifiedStatusList>>) -> Self {
        let list = list.into();
        self.status_lists.insert(list.id.clone(), list);
        self
    }

    /// Runs the rule pre-check on the mandate.
    pub fn rules(mut self, rules: RuleCheck) -> Self {
        self.rules = Some(rules);
        self
    }
}

/// A denial: which check failed, in the API's vocabulary where it has a word.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{reason}: {message}")]
#[non_exhaustive]
pub struct VerifyFailure {
    /// The reason code.
    pub reason: Reason,
    /// A human-readable explanation (never contains key material).
    pub message: String,
    /// The credential being evaluated, when known.
    pub credential_id: Option<String>,
    /// Rule evaluations (non-empty only for rule denials).
    pub evaluations: Vec<VerifyEvaluation>,
}

impl VerifyFailure {
    fn new(reason: Reason, message: impl Into<String>) -> Self {
        Self {
            reason,
            message: message.into(),
            credential_id: None,
            evaluations: Vec::new(),
        }
    }

    /// The body the API would answer with (`VerifyDenyResponseEntity`, status 403). Local
    /// reasons are mapped to their [`api_equivalent`](Reason::api_equivalent) when
    /// `api_vocabulary_only` is set.
    pub fn to_deny_response(&self, api_vocabulary_only: bool) -> Value {
        let reason = if api_vocabulary_only {
            self.reason
                .api_equivalent()
                .unwrap_or_else(|| self.reason.clone())
        } else {
            self.reason.clone()
        };
        json!({
            "statusCode": 403,
            "message": self.message,
            "decision": "deny",
            "reason": reason.as_str(),
            "credentialId": self.credential_id.clone().unwrap_or_default(),
            "evaluations": self.evaluations,
        })
    }
}

/// Summary of one verified embedded credential.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifiedCredential {
    /// The credential's `id`, if any.
    pub id: Option<String>,
    /// The issuer DID.
    pub issuer: String,
    /// The verification method that signed it.
    pub verification_method: String,
    /// Whether every status entry was checked against a status list.
    pub status_checked: bool,
}

/// A presentation that passed every local check.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct VerifiedPresentation {
    /// The VP's `holder`, if any.
    pub holder: Option<String>,
    /// The verification method that signed the VP.
    pub verification_method: String,
    /// The embedded credentials, in order.
    pub credentials: Vec<VerifiedCredential>,
    /// Whether every status entry of every credential was checked.
    pub status_checked: bool,
    /// Whether the rule pre-check ran.
    pub rules_checked: bool,
    /// Rule evaluations (all `pass`).
    pub evaluations: Vec<VerifyEvaluation>,
}

impl VerifiedPresentation {
    /// The first credential's id (the mandate, for a Humanos VP).
    pub fn credential_id(&self) -> Option<&str> {
        self.credentials.first().and_then(|c| c.id.as_deref())
    }

    /// The body the API answers with on allow (`VerifyAllowResponseEntity`, status 201).
    pub fn to_allow_response(&self) -> Value {
        json!({
            "decision": "allow",
            "credentialId": self.credential_id().unwrap_or_default(),
            "evaluations": self.evaluations,
        })
    }
}

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

/// Remembers (public key, signed hash data, signature) triples that verified, so a mandate
/// presented again in a new VP skips its Ed25519 check. Only exact triples hit: any change
/// to the credential, its proof or the key misses. Bounded, oldest evicted first.
type FingerprintSet = (HashSet<[u8; 32]>, std::collections::VecDeque<[u8; 32]>);

struct SignatureCache {
    capacity: usize,
    inner: std::sync::Mutex<FingerprintSet>,
}

impl SignatureCache {
    fn fingerprint(key: &[u8; 32], hash_data: &[u8; 64], sig: &[u8; 64]) -> [u8; 32] {
        use sha2::Digest as _;
        let mut h = sha2::Sha256::new();
        h.update(key);
        h.update(hash_data);
        h.update(sig);
        h.finalize().into()
    }

    fn contains(&self, fp: &[u8; 32]) -> bool {
        self.inner.lock().map(|g| g.0.contains(fp)).unwrap_or(false)
    }

    fn insert(&self, fp: [u8; 32]) {
        let Ok(mut g) = self.inner.lock() else { return };
        let (set, order) = &mut *g;
        if set.insert(fp) {
            order.push_back(fp);
            while order.len() > self.capacity {
                if let Some(old) = order.pop_front() {
                    set.remove(&old);
                }
            }
        }
    }
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
                &self.signature_cache.as_ref().map(|c| c.capacity),
            )
            .finish_non_exhaustive()
    }
}

impl Default for Verifier {
    fn default() -> Self {
        Self::new()
    }
}

enum Kind {
    Presentation,
    Credential,
    StatusList,
}

impl Verifier {
    /// Secure by default: system clock, 60 s skew, **no trusted issuer** (every credential
    /// is denied with [`Reason::IssuerUntrusted`] until
    /// [`with_trusted_issuers`](Self::with_trusted_issuers) names one), **holder binding
    /// on** (see [`require_holder_binding`](Self::require_holder_binding)),
    /// [`StatusPolicy::Require`], 2 MiB status list cap, a 4,096-entry verified-signature
    /// cache.
    pub fn new() -> Self {
        Self {
            signature_cache: Some(Arc::new(SignatureCache {
                capacity: 4_096,
                inner: std::sync::Mutex::new(Default::default()),
            })),
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
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Tolerated clock difference for `validFrom` / `validUntil` / `created` / `expires`.
    pub fn with_skew(mut self, skew: std::time::Duration) -> Self {
        self.skew_ms = u64::try_from(skew.as_millis()).unwrap_or(u64::MAX);
        self
    }

    /// What to do without a status list (default [`StatusPolicy::Require`]).
    pub fn with_status_policy(mut self, policy: StatusPolicy) -> Self {
        self.status_policy = policy;
        self
    }

    /// Accepts credentials only from these issuer DIDs (replacing any set before). A
    /// verifier trusts no issuer until this is called.
    pub fn with_trusted_issuers<I: IntoIterator<Item = S>, S: Into<String>>(
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
    pub fn with_max_status_list_bytes(mut self, max: usize) -> Self {
        self.max_status_list_bytes = max;
        self
    }

    /// Sizes the verified-signature cache (0 disables it). A hit skips only the Ed25519
    /// check of an identical (key, hash data, signature) triple; canonicalization, validity,
    /// status and rules are evaluated on every call. Clones of a verifier share the cache.
    pub fn with_signature_cache(mut self, capacity: usize) -> Self {
        self.signature_cache = (capacity > 0).then(|| {
            Arc::new(SignatureCache {
                capacity,
                inner: std::sync::Mutex::new(Default::default()),
            })
        });
        self
    }

    /// Fetches status lists that were not supplied (async path only).
    pub fn with_status_list_fetcher(mut self, fetcher: Arc<dyn StatusListFetcher>) -> Self {
        self.fetcher = Some(fetcher);
        self
    }

    fn now_ms(&self) -> i64 {
        i64::try_from(self.clock.now_unix_ms()).unwrap_or(i64::MAX)
    }

    fn skew(&self) -> i64 {
        i64::try_from(self.skew_ms).unwrap_or(i64::MAX)
    }

    /// Checks one proof of `doc`: purpose, key, signature, `created` / `expires`.
    fn check_proof(
        &self,
        doc: &Value,
        keys: &dyn KeyLookup,
        kind: &Kind,
    ) -> Result<ResolvedKey, VerifyFailure> {
        let (purpose, sig_invalid, signer_unknown, what) = match kind {
            Kind::Presentation => (
                ProofPurpose::Authentication,
                Reason::VpSignatureInvalid,
                Reason::VpSignerUnknown,
                "presentation",
            ),
            Kind::Credential => (
                ProofPurpose::AssertionMethod,
                Reason::CredentialSignatureInvalid,
                Reason::CredentialSignerUnknown,
                "credential",
            ),
            Kind::StatusList => (
                ProofPurpose::AssertionMethod,
                Reason::StatusUnavailable,
                Reason::StatusUnavailable,
                "status list credential",
            ),
        };
        let fail = |r: &Reason, m: String| VerifyFailure::new(r.clone(), m);
        let obj = doc.as_object().ok_or_else(|| {
            VerifyFailure::new(
                Reason::VpMalformed,
                format!("the {what} is not a JSON object"),
            )
        })?;
        let proof = single_proof(obj).map_err(|e| fail(&sig_invalid, format!("{what}: {e}")))?;
        let ptype = proof
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let suite = proof
            .get("cryptosuite")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if ptype != crate::proof::DATA_INTEGRITY_PROOF || suite != crate::proof::EDDSA_JCS_2022 {
            let r = if matches!(kind, Kind::StatusList) {
                Reason::StatusUnavailable
            } else {
                Reason::UnsupportedCryptosuite
            };
            return Err(fail(
                &r,
                format!(
                    "{what} proof is `{}`/`{}`, only DataIntegrityProof/eddsa-jcs-2022 is supported",
                    truncate(ptype),
                    truncate(suite)
                ),
            ));
        }
        let got_purpose = proof
            .get("proofPurpose")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if got_purpose != purpose.as_str() {
            let r = if matches!(kind, Kind::StatusList) {
                Reason::StatusUnavailable
            } else {
                Reason::ProofPurposeMismatch
            };
            return Err(fail(
                &r,
                format!(
                    "{what} proof purpose is `{}`, expected `{}`",
                    truncate(got_purpose),
                    purpose.as_str()
                ),
            ));
        }
        let vm = proof
            .get("verificationMethod")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                fail(
                    &signer_unknown,
                    format!("{what} proof has no verificationMethod"),
                )
            })?;
        let key = keys
            .lookup(vm, &purpose)
            .map_err(|e| fail(&signer_unknown, format!("{what} signer: {e}")))?;
        let (hash_data, sig) = eddsa_jcs_2022::verification_input(doc).map_err(|e| match e {
            ProofError::Jcs(_) | ProofError::NotAnObject => {
                fail(&Reason::VpMalformed, format!("{what}: {e}"))
            }
            _ => fail(&sig_invalid, format!("{what}: {e}")),
        })?;
        let fp = self
            .signature_cache
            .as_ref()
            .map(|_| SignatureCache::fingerprint(key.public_key.as_bytes(), &hash_data, &sig));
        let cached = matches!((&self.signature_cache, &fp), (Some(c), Some(fp)) if c.contains(fp));
        if !cached {
            if !eddsa_jcs_2022::verify_hash(&hash_data, &sig, &key.public_key) {
                return Err(fail(
                    &sig_invalid,
                    format!("{what} signature does not verify"),
                ));
            }
            if let (Some(c), Some(fp)) = (&self.signature_cache, fp) {
                c.insert(fp);
            }
        }
        let now = self.now_ms();
        if let Some(created) = proof.get("created").and_then(Value::as_str) {
            // verification_input already checked that `created` parses.
            if parse_datetime_ms(created).is_some_and(|c| c > now.saturating_add(self.skew())) {
                return Err(fail(
                    &Reason::NotYetValid,
                    format!("{what} proof was created in the future ({created})"),
                ));
            }
        }
        if let Some(expires) = proof.get("expires") {
            match expires.as_str().and_then(parse_datetime_ms) {
                Some(e) if e < now.saturating_sub(self.skew()) => {
                    return Err(fail(
                        &Reason::Expired,
                        format!(
                            "{what} proof expired at {}",
                            truncate(expires.as_str().unwrap_or_default())
                        ),
                    ));
                }
                Some(_) => {}
                None => {
                    return Err(fail(
                        &Reason::VpMalformed,
                        format!("{what} proof `expires` is not a dateTime"),
                    ));
                }
            }
        }
        Ok(key)
    }

    fn check_validity(&self, cred: &Map<String, Value>, what: &str) -> Result<(), VerifyFailure> {
        let now = self.now_ms();
        let date = |names: [&str; 2]| -> Result<Option<(i64, &str)>, VerifyFailure> {
            for n in names {
                if let Some(v) = cred.get(n) {
                    if v.is_null() {
                        continue;
                    }
                    let s = v.as_str().unwrap_or_default();
                    return parse_datetime_ms(s).map(|ms| Some((ms, s))).ok_or_else(|| {
                        VerifyFailure::new(
                            Reason::VpMalformed,
                            format!("{what} `{n}` is not a dateTime"),
                        )
                    });
                }
            }
            Ok(None)
        };
        if let Some((from, s)) = date(["validFrom", "issuanceDate"])?
            && from > now.saturating_add(self.skew())
        {
            return Err(VerifyFailure::new(
                Reason::NotYetValid,
                format!("{what} is not valid before {}", truncate(s)),
            ));
        }
        if let Some((until, s)) = date(["validUntil", "expirationDate"])?
            && until < now.saturating_sub(self.skew())
        {
            return Err(VerifyFailure::new(
                Reason::Expired,
                format!("{what} expired at {}", truncate(s)),
            ));
        }
        Ok(())
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
        let id = obj
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| unavailable("status list credential has no id".into()))?;
        let subject = obj
            .get("credentialSubject")
            .and_then(Value::as_object)
            .ok_or_else(|| unavailable("status list credential has no credentialSubject".into()))?;
        let stype = subject
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if stype != "BitstringStatusList" && stype != "StatusList2021" {
            return Err(unavailable(format!(
                "credentialSubject type `{}` is not BitstringStatusList",
                truncate(stype)
            )));
        }
        let purpose = subject
            .get("statusPurpose")
            .and_then(Value::as_str)
            .ok_or_else(|| unavailable("status list has no statusPurpose".into()))?;
        let encoded = subject
            .get("encodedList")
            .and_then(Value::as_str)
            .ok_or_else(|| unavailable("status list has no encodedList".into()))?;
        let bits = Bitstring::decode(encoded, self.max_status_list_bytes)
            .map_err(|e| unavailable(e.to_string()))?;
        Ok(VerifiedStatusList {
            id: id.to_owned(),
            issuer: issuer.to_owned(),
            status_purpose: purpose.to_owned(),
            valid_until_ms: ["validUntil", "expirationDate"].iter().find_map(|n| {
                obj.get(*n)
                    .and_then(Value::as_str)
                    .and_then(parse_datetime_ms)
            }),
            bits,
        })
    }

    /// Verifies one credential on its own: proof (`assertionMethod`, signed by its
    /// issuer), trusted issuer, validity, status.
    pub fn verify_credential_with(
        &self,
        credential: &Value,
        keys: &dyn KeyLookup,
        status_lists: &HashMap<String, Arc<VerifiedStatusList>>,
    ) -> Result<VerifiedCredential, VerifyFailure> {
        let id = credential
            .get("id")
            .and_then(Value::as_str)
            .map(str::to_owned);
        self.verify_credential_inner(credential, keys, status_lists)
            .map_err(|mut f| {
                f.credential_id = id;
                f
            })
    }

    fn verify_credential_inner(
        &self,
        credential: &Value,
        keys: &dyn KeyLookup,
        status_lists: &HashMap<String, Arc<VerifiedStatusList>>,
    ) -> Result<VerifiedCredential, VerifyFailure> {
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
        let key = self.check_proof(credential, keys, &Kind::Credential)?;
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
                ": this verifier trusts no issuer yet (Verifier::with_trusted_issuers)"
            } else {
                ""
            };
            return Err(VerifyFailure::new(
                Reason::IssuerUntrusted,
                format!("issuer `{}` is not trusted{hint}", truncate(&issuer)),
            ));
        }
        self.check_validity(obj, "credential")?;
        let status_checked = self.check_status(obj, &issuer, status_lists)?;
        Ok(VerifiedCredential {
            id: obj.get("id").and_then(Value::as_str).map(str::to_owned),
            issuer,
            verification_method: key.id,
            status_checked,
        })
    }

    fn check_status(
        &self,
        cred: &Map<String, Value>,
        issuer: &str,
        lists: &HashMap<String, Arc<VerifiedStatusList>>,
    ) -> Result<bool, VerifyFailure> {
        if self.status_policy == StatusPolicy::Skip {
            return Ok(!cred.contains_key("credentialStatus"));
        }
        let unavailable = |m: String| VerifyFailure::new(Reason::StatusUnavailable, m);
        let entries = StatusEntry::from_credential(cred).map_err(|e| unavailable(e.to_string()))?;
        let mut all_checked = true;
        for entry in entries {
            let Some(list) = lists.get(&entry.status_list_credential) else {
                if self.status_policy == StatusPolicy::Require {
                    return Err(unavailable(format!(
                        "no status list `{}` was supplied or fetched",
                        truncate(&entry.status_list_credential)
                    )));
                }
                all_checked = false;
                continue;
            };
            if list.issuer != issuer {
                return Err(unavailable(format!(
                    "status list `{}` is not issued by the credential's issuer",
                    truncate(&list.id)
                )));
            }
            if list
                .valid_until_ms
                .is_some_and(|u| u < self.now_ms().saturating_sub(self.skew()))
            {
                return Err(unavailable(format!(
                    "status list `{}` has expired",
                    truncate(&list.id)
                )));
            }
            if list.status_purpose != entry.status_purpose {
                return Err(unavailable(format!(
                    "status entry purpose `{}` does not match the list's `{}`",
                    truncate(&entry.status_purpose),
                    truncate(&list.status_purpose)
                )));
            }
            let bit = list.bits.get(entry.status_list_index).ok_or_else(|| {
                unavailable(format!(
                    "statusListIndex {} is outside the status list",
                    entry.status_list_index
                ))
            })?;
            if bit {
                match entry.status_purpose.as_str() {
                    "revocation" => {
                        return Err(VerifyFailure::new(
                            Reason::CredentialRevoked,
                            "the credential has been revoked",
                        ));
                    }
                    "suspension" => {
                        return Err(VerifyFailure::new(
                            Reason::CredentialSuspended,
                            "the credential is suspended",
                        ));
                    }
                    _ => {}
                }
            }
        }
        Ok(all_checked)
    }

    /// Verifies a presentation with keys at hand, without any executor: the VP proof
    /// (`authentication`, domain and challenge when expected), every embedded credential
    /// (proof by `assertionMethod` from its issuer, validity, status), then the rules.
    pub fn verify_presentation_with(
        &self,
        vp: &Value,
        keys: &dyn KeyLookup,
        request: &VerifyRequest,
    ) -> Result<VerifiedPresentation, VerifyFailure> {
        let first_id = credentials_of(vp).ok().and_then(|c| {
            c.first()
                .and_then(|c| c.get("id"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
        self.verify_presentation_inner(vp, keys, request)
            .map_err(|mut f| {
                if f.credential_id.is_none() {
                    f.credential_id = first_id;
                }
                f
            })
    }

    fn verify_presentation_inner(
        &self,
        vp: &Value,
        keys: &dyn KeyLookup,
        request: &VerifyRequest,
    ) -> Result<VerifiedPresentation, VerifyFailure> {
        let obj = vp.as_object().ok_or_else(|| {
            VerifyFailure::new(Reason::VpMalformed, "the presentation is not a JSON object")
        })?;
        if !has_type(obj, "VerifiablePresentation") {
            return Err(VerifyFailure::new(
                Reason::VpMalformed,
                "`type` does not include VerifiablePresentation",
            ));
        }
        let credentials = credentials_of(vp)?;
        let key = self.check_proof(vp, keys, &Kind::Presentation)?;
        // check_proof succeeded, so the single proof object exists.
        let proof = single_proof(obj)
            .map_err(|e| VerifyFailure::new(Reason::VpMalformed, e.to_string()))?;
        if let Some(expected) = &request.domain {
            let ok = match proof.get("domain") {
                Some(Value::String(d)) => d == expected,
                Some(Value::Array(ds)) => ds.iter().any(|d| d.as_str() == Some(expected.as_str())),
                _ => false,
            };
            if !ok {
                return Err(VerifyFailure::new(
                    Reason::VpDomainMismatch,
                    format!("the presentation is not bound to `{}`", truncate(expected)),
                ));
            }
        }
        if let Some(expected) = &request.challenge
            && proof.get("challenge").and_then(Value::as_str) != Some(expected.as_str())
        {
            return Err(VerifyFailure::new(
                Reason::VpChallengeMismatch,
                "the presentation's challenge is not the expected one",
            ));
        }
        let holder = obj
            .get("holder")
            .and_then(|h| h.as_str().or_else(|| h.get("id").and_then(Value::as_str)));
        if self.require_holder_binding && holder != Some(key.controller.as_str()) {
            return Err(VerifyFailure::new(
                Reason::HolderMismatch,
                format!(
                    "the presentation is signed by `{}`, not by its holder",
                    truncate(&key.controller)
                ),
            ));
        }
        let mut verified = Vec::with_capacity(credentials.len());
        for c in credentials {
            let credential = self.verify_credential_with(c, keys, &request.status_lists)?;
            if self.require_holder_binding && !binds(c, &key.controller) {
                return Err(VerifyFailure {
                    credential_id: credential.id,
                    ..VerifyFailure::new(
                        Reason::HolderMismatch,
                        format!(
                            "the presentation is signed by `{}`, which the credential names \
                             neither as its subject nor among its authorizedDIDs",
                            truncate(&key.controller)
                        ),
                    )
                });
            }
            verified.push(credential);
        }
        let mut evaluations = Vec::new();
        let rules_checked = request.rules.is_some();
        if let Some(check) = &request.rules {
            let (mandate_id, evals) = run_rules(credentials, check)?;
            evaluations = evals;
            if evaluations.iter().any(|e| !e.passed()) {
                return Err(VerifyFailure {
                    reason: Reason::RuleFailed,
                    message: "at least one rule of the action did not pass".into(),
                    credential_id: mandate_id,
                    evaluations,
                });
            }
        }
        Ok(VerifiedPresentation {
            holder: holder.map(str::to_owned),
            verification_method: key.id,
            status_checked: verified.iter().all(|c| c.status_checked),
            credentials: verified,
            rules_checked,
            evaluations,
        })
    }

    /// Verifies a presentation, resolving every DID it needs through `resolver` (wrap it
    /// in a [`CachingResolver`](crate::did::CachingResolver)) and fetching missing status
    /// lists through the configured [`StatusListFetcher`], then runs the same checks as
    /// [`verify_presentation_with`](Self::verify_presentation_with).
    pub async fn verify_presentation(
        &self,
        vp: &Value,
        resolver: &dyn DidResolver,
        request: &VerifyRequest,
    ) -> Result<VerifiedPresentation, VerifyFailure> {
        let mut dids: Vec<String> = Vec::new();
        let mut push_did = |doc: &Value| {
            if let Some(vm) = doc
                .as_object()
                .and_then(|o| single_proof(o).ok())
                .and_then(|p| p.get("verificationMethod"))
                .and_then(Value::as_str)
                && let Ok((did, _)) = split_did_url(vm)
                && !dids.iter().any(|d| d == did)
            {
                dids.push(did.to_owned());
            }
        };
        push_did(vp);
        let creds = credentials_of(vp).unwrap_or_default();
        for c in creds {
            push_did(c);
        }
        let mut fetched = Vec::new();
        if let (Some(fetcher), false) = (&self.fetcher, self.status_policy == StatusPolicy::Skip) {
            for c in creds {
                let entries = c
                    .as_object()
                    .map(StatusEntry::from_credential)
                    .and_then(Result::ok)
                    .unwrap_or_default();
                for e in entries {
                    let url = e.status_list_credential;
                    if request.status_lists.contains_key(&url)
                        || fetched.iter().any(|(u, _)| u == &url)
                    {
                        continue;
                    }
                    if let Ok(list) = fetcher.fetch(&url).await {
                        push_did(&list);
                        fetched.push((url, list));
                    }
                }
            }
        }
        let mut docs = ResolvedDocuments::default();
        for did in dids {
            let r = resolver.resolve(&did).await.and_then(|d| {
                if d.id == did {
                    Ok(d)
                } else {
                    Err(ResolveError::InvalidDocument(format!(
                        "resolver answered for `{}`",
                        truncate(&d.id)
                    )))
                }
            });
            docs.docs.insert(did, r);
        }
        if fetched.is_empty() {
            return self.verify_presentation_with(vp, &docs, request);
        }
        let mut request = request.clone();
        for (url, list) in fetched {
            // An invalid fetched list counts as unavailable; under `Require` that denies.
            if let Ok(v) = self.verify_status_list(&list, &docs)
                && v.id == url
            {
                request.status_lists.insert(url, Arc::new(v));
            }
        }
        self.verify_presentation_with(vp, &docs, &request)
    }
}

fn run_rules(
    credentials: &[Value],
    check: &RuleCheck,
) -> Result<(Option<String>, Vec<VerifyEvaluation>), VerifyFailure> {
    let mandate = credentials
        .iter()
        .find(|c| c.pointer("/credentialSubject/mandate").is_some())
        .ok_or_else(|| {
            VerifyFailure::new(
                Reason::ActionNotFound,
                "the presentation carries no mandate",
            )
        })?;
    let mandate_id = mandate.get("id").and_then(Value::as_str).map(str::to_owned);
    let with_id = |mut f: VerifyFailure| {
        f.credential_id.clone_from(&mandate_id);
        f
    };
    if let Some(action) = &check.action_id {
        let pinned = mandate
            .pointer("/credentialSubject/mandate/action/id")
            .and_then(Value::as_str);
        if pinned != Some(action.as_str()) {
            return Err(with_id(VerifyFailure::new(
                Reason::ActionNotFound,
                format!("the mandate does not pin action `{}`", truncate(action)),
            )));
        }
    }
    let params = check.execution_params.as_object().ok_or_else(|| {
        with_id(VerifyFailure::new(
            Reason::ExecutionParamsInvalid,
            "executionParams must be a JSON object",
        ))
    })?;
    if let Some(declared) = &check.declared_execution_params {
        if let Some(extra) = params.keys().find(|k| !declared.contains(k)) {
            return Err(with_id(VerifyFailure::new(
                Reason::ExecutionParamsInvalid,
                format!("executionParams has undeclared field `{}`", truncate(extra)),
            )));
        }
        if let Some(missing) = declared.iter().find(|k| !params.contains_key(*k)) {
            return Err(with_id(VerifyFailure::new(
                Reason::ExecutionParamsInvalid,
                format!(
                    "executionParams lacks declared field `{}`",
                    truncate(missing)
                ),
            )));
        }
    }
    let user = user_params_from_mandate(mandate);
    Ok((
        mandate_id,
        evaluate_rules(&check.rules, &user, &check.execution_params),
    ))
}

/// Whether `credential` names `did` as a subject (`credentialSubject.id`, one subject or
/// several) or among its mandate's `context.authorizedDIDs`: the DIDs the API lets create
/// presentations of it.
fn binds(credential: &Value, did: &str) -> bool {
    let subjects = match credential.get("credentialSubject") {
        Some(Value::Array(a)) => a.as_slice(),
        Some(v) => std::slice::from_ref(v),
        None => &[],
    };
    subjects.iter().any(|s| {
        s.get("id").and_then(Value::as_str) == Some(did)
            || s.pointer("/mandate/context/authorizedDIDs")
                .and_then(Value::as_array)
                .is_some_and(|a| a.iter().any(|d| d.as_str() == Some(did)))
    })
}

fn issuer_of(obj: &Map<String, Value>) -> Option<&str> {
    match obj.get("issuer")? {
        Value::String(s) => Some(s),
        Value::Object(o) => o.get("id").and_then(Value::as_str),
        _ => None,
    }
}

fn has_type(obj: &Map<String, Value>, t: &str) -> bool {
    match obj.get("type") {
        Some(Value::String(s)) => s == t,
        Some(Value::Array(a)) => a.iter().any(|v| v.as_str() == Some(t)),
        _ => false,
    }
}

fn credentials_of(vp: &Value) -> Result<&[Value], VerifyFailure> {
    let creds = match vp.get("verifiableCredential") {
        Some(Value::Array(a)) => a.as_slice(),
        Some(v @ Value::Object(_)) => std::slice::from_ref(v),
        _ => &[],
    };
    if creds.is_empty() {
        return Err(VerifyFailure::new(
            Reason::VpMalformed,
            "the presentation carries no verifiableCredential",
        ));
    }
    Ok(creds)
}
