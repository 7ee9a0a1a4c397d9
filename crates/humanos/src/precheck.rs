//! The local pre-check of [`authorize`](crate::HumanosClient::authorize) (feature `precheck`):
//! `humanos-vc` verifies the fresh presentation before the online `verify` is spent on it.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use humanos_models::{ActionQuery, PresentationEntity, VerifyDenyResponseEntity};
use humanos_vc::did::{CachingResolver, DidKeyResolver, DidResolver, ResolveError, ResolveFuture};
use humanos_vc::rules::EvaluationResult;
use humanos_vc::verify::FetchFuture;
use humanos_vc::{Reason, RuleCheck, StatusListFetcher, Verifier, VerifyFailure, VerifyRequest};
use serde_json::Value;

use crate::HumanosClient;
use crate::action::{Action, mandate_action};

/// How long DID documents and status lists are kept by default.
const DEFAULT_DID_TTL: Duration = Duration::from_secs(300);
const DEFAULT_STATUS_TTL: Duration = Duration::from_secs(30);
/// Largest status list credential fetched (a 16 KiB list is about 22 KB of JSON).
const MAX_STATUS_LIST_BYTES: usize = 1024 * 1024;

/// The outcome of the local pre-check.
pub(crate) enum Local {
    /// Every local check passed: the online verify decides.
    Pass,
    /// A check failed that the API would fail too: deny without the online verify.
    Deny(Box<VerifyDenyResponseEntity>),
    /// The local checks could not conclude (a DID or status list out of reach, a rule the
    /// local CEL could not evaluate): the online verify decides.
    Inconclusive,
}

/// Verifies presentations locally before [`authorize`](crate::HumanosClient::authorize)
/// calls `POST /credential/verify` (feature `precheck`): proofs and keys, validity window,
/// revocation status, and the action's CEL rules against the execution parameters.
///
/// Build it once per client and share it (clones share every cache):
///
/// - **Keys**: `did:key` DIDs are read from the DID itself; others are resolved through
///   `GET /did/resolve/{did}` and kept 5 minutes.
/// - **Status lists**: fetched from the credential's `statusListCredential` when it is on the
///   client's base URL (no other host is ever contacted), kept 30 seconds. A list that cannot
///   be had leaves revocation to the API.
/// - **Rules**: the published version of the action the mandate pins (matched by its
///   `digestSRI`, through `GET /actions/version/{id}`), fetched once per version; or the
///   definition you give [`action_definition`](Self::action_definition).
///
/// It can only deny early. An allow always comes from the API, which alone knows execution
/// counts and the freshest revocations. A local failure that may be local (a DID resolution or
/// status list out of reach, a rule that errors instead of failing) is not a denial: the
/// online verify decides.
///
/// ```no_run
/// # async fn run(client: humanos::HumanosClient) -> Result<(), humanos::AuthorizeError> {
/// use humanos::{Action, LocalCheck};
///
/// let local = LocalCheck::new(&client); // once, at start-up
/// let action = Action::new("urn:via:action:7d0c6f1e").param("amount", 5000);
/// let decision = client
///     .authorize("urn:via:credential:5b1e", action)
///     .precheck(&local)
///     .await?;
/// # let _ = decision; Ok(()) }
/// ```
#[derive(Clone)]
pub struct LocalCheck {
    client: HumanosClient,
    verifier: Verifier,
    resolver: Arc<CachingResolver<Keys>>,
    status_lists: Arc<StatusLists>,
    /// Rule checks by `"<action id> <digestSRI>"` (fetched) or by action id (supplied).
    actions: Arc<Mutex<HashMap<String, RuleCheck>>>,
}

impl fmt::Debug for LocalCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalCheck")
            .field("verifier", &self.verifier)
            .field("status_list_ttl", &self.status_lists.ttl)
            .finish_non_exhaustive()
    }
}

impl LocalCheck {
    /// A pre-check resolving keys, status lists and action definitions through `client`,
    /// verifying with [`HumanosClient::verifier`] (Humanos' issuer only, holder binding, a
    /// status list required: a list out of reach leaves the decision to the API).
    pub fn new(client: &HumanosClient) -> Self {
        let status_lists = Arc::new(StatusLists {
            client: client.clone(),
            ttl: DEFAULT_STATUS_TTL,
            cache: Mutex::new(HashMap::new()),
        });
        Self {
            client: client.clone(),
            verifier: client.verifier().status_list_fetcher(status_lists.clone()),
            resolver: Arc::new(CachingResolver::new(
                Keys {
                    client: client.clone(),
                },
                DEFAULT_DID_TTL,
            )),
            status_lists,
            actions: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// Verifies with `verifier` (clock, skew, trusted issuers, status policy): start from
    /// [`HumanosClient::verifier`] and add the issuers you rely on, such as a local sandbox's
    /// (`client.verifier().trust_issuer(sandbox.issuer_did())`). The status list fetcher of
    /// this pre-check is attached to it.
    pub fn verifier(mut self, verifier: Verifier) -> Self {
        self.verifier = verifier.status_list_fetcher(self.status_lists.clone());
        self
    }

    /// How long a fetched status list is used before it is fetched again (default 30 s). The
    /// longer, the later a revocation is seen locally; the API always sees it at once.
    pub fn status_list_ttl(mut self, ttl: Duration) -> Self {
        let lists = StatusLists {
            client: self.client.clone(),
            ttl,
            cache: Mutex::new(HashMap::new()),
        };
        self.status_lists = Arc::new(lists);
        self.verifier = self.verifier.status_list_fetcher(self.status_lists.clone());
        self
    }

    /// Evaluates the rules of `definition` (an action version's `content`: `rules`,
    /// `executionParams`) for `action_id`, instead of fetching the published version.
    pub fn action_definition(self, action_id: impl Into<String>, definition: &Value) -> Self {
        let check = RuleCheck::from_action_definition(definition, Value::Null);
        if let Ok(mut actions) = self.actions.lock() {
            actions.insert(action_id.into(), check);
        }
        self
    }

    /// Verifies `vp` locally for `action`.
    pub(crate) async fn check(
        &self,
        vp: &PresentationEntity,
        action: &Action,
        domain: Option<&str>,
    ) -> Local {
        let mut request = VerifyRequest::new();
        if let Some(domain) = domain {
            request = request.domain(domain);
        }
        if let Some(mut check) = self.rules_for(vp, &action.id).await {
            check.execution_params = Value::Object(action.execution_params.clone());
            request = request.rules(check.action_id(action.id.clone()));
        }
        let resolver = Tracked {
            inner: &self.resolver,
            unreachable: AtomicBool::new(false),
        };
        let presentation = Value::Object(vp.presentation.clone());
        match self
            .verifier
            .verify_presentation(&presentation, &resolver, &request)
            .await
        {
            Ok(_) => Local::Pass,
            Err(failure)
                if may_be_local(&failure, resolver.unreachable.load(Ordering::Relaxed)) =>
            {
                tracing::debug!(reason = %failure.reason, "local pre-check inconclusive");
                Local::Inconclusive
            }
            Err(failure) => {
                match serde_json::from_value::<VerifyDenyResponseEntity>(
                    failure.to_deny_response(true),
                ) {
                    Ok(deny) => Local::Deny(Box::new(deny)),
                    Err(_) => Local::Inconclusive,
                }
            }
        }
    }

    /// The rules of the action version the mandate pins, fetched once per version.
    async fn rules_for(&self, vp: &PresentationEntity, action_id: &str) -> Option<RuleCheck> {
        let lookup = |key: &str| self.actions.lock().ok()?.get(key).cloned();
        if let Some(check) = lookup(action_id) {
            return Some(check);
        }
        let digest = mandate_action(vp)?.get("digestSRI")?.as_str()?;
        let key = format!("{action_id} {digest}");
        if let Some(check) = lookup(&key) {
            return Some(check);
        }
        let versions = self
            .client
            .actions()
            .versions(action_id, ActionQuery::new())
            .await
            .ok()?;
        let content = versions
            .items
            .into_iter()
            .find(|v| v.digest_sri.as_deref() == Some(digest))?
            .content?;
        let check = RuleCheck::from_action_definition(&Value::Object(content), Value::Null);
        if let Ok(mut actions) = self.actions.lock() {
            actions.insert(key, check.clone());
        }
        Some(check)
    }
}

/// Whether a local failure may be this process's rather than the presentation's.
fn may_be_local(failure: &VerifyFailure, resolver_unreachable: bool) -> bool {
    match failure.reason {
        Reason::StatusUnavailable | Reason::VpMalformed | Reason::Unknown(_) => true,
        Reason::VpSignerUnknown | Reason::CredentialSignerUnknown => resolver_unreachable,
        // A rule the local CEL cannot evaluate may be one the API's environment can.
        Reason::RuleFailed => failure
            .evaluations
            .iter()
            .any(|e| e.result == EvaluationResult::Error),
        _ => false,
    }
}

/// `did:key` from the DID itself, any other method through the API.
struct Keys {
    client: HumanosClient,
}

impl DidResolver for Keys {
    fn resolve<'a>(&'a self, did: &'a str) -> ResolveFuture<'a> {
        if did.starts_with("did:key:") {
            DidKeyResolver.resolve(did)
        } else {
            self.client.resolve(did)
        }
    }
}

/// Remembers, for one verification, whether a DID could not be resolved for a reason of ours.
struct Tracked<'a> {
    inner: &'a CachingResolver<Keys>,
    unreachable: AtomicBool,
}

impl DidResolver for Tracked<'_> {
    fn resolve<'a>(&'a self, did: &'a str) -> ResolveFuture<'a> {
        Box::pin(async move {
            let result = self.inner.resolve(did).await;
            if matches!(result, Err(ResolveError::Transport(_))) {
                self.unreachable.store(true, Ordering::Relaxed);
            }
            result
        })
    }
}

/// Status list credentials from the client's own origin, kept for `ttl`.
struct StatusLists {
    client: HumanosClient,
    ttl: Duration,
    cache: Mutex<HashMap<String, (Instant, Arc<Value>)>>,
}

impl StatusLists {
    fn cached(&self, url: &str) -> Option<Value> {
        let cache = self.cache.lock().ok()?;
        let (at, list) = cache.get(url)?;
        (at.elapsed() < self.ttl).then(|| (**list).clone())
    }

    async fn download(&self, url: &str) -> Result<Value, ResolveError> {
        let unreachable = |e: &dyn fmt::Display| ResolveError::Transport(e.to_string());
        let inner = &self.client.inner;
        let mut response = inner
            .http
            .get(url)
            .timeout(inner.timeouts.attempt())
            .send()
            .await
            .map_err(|e| unreachable(&e.without_url()))?;
        if !response.status().is_success() {
            return Err(ResolveError::Transport(format!(
                "status list answered {}",
                response.status().as_u16()
            )));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| unreachable(&e.without_url()))?
        {
            if body.len() + chunk.len() > MAX_STATUS_LIST_BYTES {
                return Err(ResolveError::Transport("status list too large".into()));
            }
            body.extend_from_slice(&chunk);
        }
        serde_json::from_slice(&body).map_err(|e| ResolveError::InvalidDocument(e.to_string()))
    }
}

impl StatusListFetcher for StatusLists {
    fn fetch<'a>(&'a self, url: &'a str) -> FetchFuture<'a> {
        Box::pin(async move {
            let base = self.client.base_url();
            let same_origin = url
                .strip_prefix(base)
                .is_some_and(|rest| rest.starts_with('/'));
            if !same_origin {
                return Err(ResolveError::UnsupportedMethod(format!(
                    "status list outside {base}"
                )));
            }
            if let Some(list) = self.cached(url) {
                return Ok(list);
            }
            let list = self.download(url).await?;
            if let Ok(mut cache) = self.cache.lock() {
                cache.insert(url.to_owned(), (Instant::now(), Arc::new(list.clone())));
            }
            Ok(list)
        })
    }
}
