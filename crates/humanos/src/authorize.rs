//! `authorize`: from a mandate and the action an agent is about to take to a decision, in one
//! call (issue a presentation, optionally pre-check it locally, verify it online).

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;

use humanos_models::{
    CreatePresentationDto, PresentationEntity, VerifyDecision, VerifyDenyResponseEntity,
    VerifyPresentationDto,
};
use serde_json::Value;
use tracing::Instrument;

use crate::action::{Action, mandate_action};
use crate::{Error, HumanosClient, Verdict};

/// Who answered an [`Authorization`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecidedBy {
    /// The API: `POST /credential/verify`, or `POST /credential/vp/{id}` refusing to present a
    /// revoked, expired or not yet valid mandate.
    Api,
    /// This process, without a verification call: the mandate does not pin the action, or the
    /// local pre-check (`LocalCheck`, feature `precheck`) denied.
    Local,
}

impl DecidedBy {
    /// `api` or `local` (the value of the span field).
    pub fn as_str(self) -> &'static str {
        match self {
            DecidedBy::Api => "api",
            DecidedBy::Local => "local",
        }
    }
}

/// A decision: the [`Verdict`] (allow or deny, with the per-rule evaluations) and who made it.
///
/// A denial is a value, not an error: match on [`verdict`](Self::verdict).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Authorization {
    /// Allow or deny, with the reason and the evaluations.
    pub verdict: Verdict,
    /// Whether the API or this process decided. An allow is always the API's.
    pub decided_by: DecidedBy,
}

impl Authorization {
    /// Whether the agent may act.
    pub fn is_allowed(&self) -> bool {
        self.verdict.is_allowed()
    }
}

/// Why [`authorize`](HumanosClient::authorize) gave no decision.
///
/// Denials are not errors. An error means the API did not say whether the agent may act, so
/// the caller chooses: fail closed (refuse, the safe default) or, for low-stakes actions,
/// fail open.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthorizeError {
    /// Could not decide: a transport error, a timeout, `408`, `429`, `5xx`, `401` (this
    /// service's own API credentials or clock were refused), an answer that does not decode.
    /// Trying again later may succeed ([`Error::is_retryable`] tells which).
    #[error("could not decide: {0}")]
    Undecided(#[source] Error),
    /// The API refused the request without a verdict: the mandate does not exist (`404`), is
    /// not yet accepted (`400`), or this service may not present it (`403` without a denial
    /// reason). The agent named a mandate that cannot authorize anything here.
    #[error("the API refused to present or verify the mandate: {0}")]
    Refused(#[source] Error),
}

impl AuthorizeError {
    /// Whether this is [`AuthorizeError::Undecided`]: the API's answer is unknown.
    pub fn is_undecided(&self) -> bool {
        matches!(self, AuthorizeError::Undecided(_))
    }

    /// The client error underneath.
    pub fn error(&self) -> &Error {
        match self {
            AuthorizeError::Undecided(e) | AuthorizeError::Refused(e) => e,
        }
    }

    /// Sorts a client error: a refusal (a final `4xx` about the mandate) or undecided.
    fn classify(error: Error) -> Self {
        match error.status() {
            Some(401 | 407 | 408 | 429) | None => AuthorizeError::Undecided(error),
            Some(status) if (400..500).contains(&status) => AuthorizeError::Refused(error),
            Some(_) => AuthorizeError::Undecided(error),
        }
    }

    /// The `span` field value.
    fn kind(&self) -> &'static str {
        match self {
            AuthorizeError::Undecided(_) => "undecided",
            AuthorizeError::Refused(_) => "refused",
        }
    }
}

/// One authorization, ready to run: await it. Returned by [`HumanosClient::authorize`].
///
/// Holds a clone of the client, so it is `'static` and `Send`.
#[must_use = "an authorization does nothing until it is awaited"]
pub struct Authorize {
    client: HumanosClient,
    mandate_id: String,
    action: Action,
    target_verifier: Option<String>,
    #[cfg(feature = "precheck")]
    precheck: Option<crate::LocalCheck>,
}

impl fmt::Debug for Authorize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Authorize");
        d.field("mandate_id", &self.mandate_id)
            .field("action", &self.action.id)
            .field("target_verifier", &self.target_verifier);
        #[cfg(feature = "precheck")]
        d.field("precheck", &self.precheck.is_some());
        d.finish_non_exhaustive()
    }
}

impl HumanosClient {
    /// Decides whether the agent holding mandate `mandate_id` may take `action`, in one call:
    ///
    /// 1. `POST /credential/vp/{mandate_id}` issues a fresh presentation. A revoked, expired or
    ///    not yet valid mandate is refused here with a reason: that is a
    ///    [`Verdict::Deny`] with that reason, not an error.
    /// 2. The mandate must pin `action.id`; otherwise [`Verdict::Deny`] with
    ///    `action_not_found`, decided locally.
    /// 3. With `precheck` (feature `precheck`), the presentation is
    ///    verified locally (proofs, validity, status list, the action's CEL rules); a local
    ///    denial answers without calling `verify`, so it spends no execution and leaves no
    ///    `VERIFICATION_DENIED` event.
    /// 4. `POST /credential/verify` with the presentation and `action.execution_params`
    ///    answers allow (`201`) or deny (`403`, with the reason and the evaluations).
    ///
    /// Each call runs in one `info` span `humanos.authorize` with the fields `mandate_id`,
    /// `action`, `decision` (`allow`, `deny`, `undecided`, `refused`), `reason` and
    /// `decided_by` (`api`, `local`); the API calls are its children. No key, signature or
    /// presentation is recorded.
    ///
    /// ```no_run
    /// # async fn run(client: humanos::HumanosClient) -> Result<(), humanos::AuthorizeError> {
    /// use humanos::{Action, Verdict};
    ///
    /// let action = Action::new("urn:via:action:7d0c6f1e").param("amount", 12);
    /// let decision = client.authorize("urn:via:credential:5b1e", action).await?;
    /// match decision.verdict {
    ///     Verdict::Allow(_) => println!("go ahead"),
    ///     Verdict::Deny(deny) => println!("denied: {} {:?}", deny.reason, deny.evaluations),
    /// }
    /// # Ok(()) }
    /// ```
    pub fn authorize(&self, mandate_id: impl Into<String>, action: Action) -> Authorize {
        Authorize {
            client: self.clone(),
            mandate_id: mandate_id.into(),
            action,
            target_verifier: None,
            #[cfg(feature = "precheck")]
            precheck: None,
        }
    }
}

impl Authorize {
    /// Binds the presentation to this verifier's domain (`targetVerifier` of the VP request;
    /// the local pre-check then expects it in `proof.domain`).
    pub fn target_verifier(mut self, domain: impl Into<String>) -> Self {
        self.target_verifier = Some(domain.into());
        self
    }

    /// Verifies the presentation locally first (feature `precheck`); a local denial answers
    /// without the online `verify`. Build the [`LocalCheck`](crate::LocalCheck) once and share
    /// it: it caches DID documents, action definitions and status lists.
    #[cfg(feature = "precheck")]
    pub fn precheck(mut self, check: &crate::LocalCheck) -> Self {
        self.precheck = Some(check.clone());
        self
    }

    async fn run(self) -> Result<Authorization, AuthorizeError> {
        let credentials = self.client.credentials();
        let mut body = CreatePresentationDto::new();
        body.target_verifier = self.target_verifier.clone();
        let vp = match credentials.issue_vp(&self.mandate_id, body).await {
            Ok(vp) => vp,
            Err(error) => return refusal_with_reason(error, &self.mandate_id),
        };
        if let Some(deny) = action_mismatch(&vp, &self.action.id, &self.mandate_id) {
            return Ok(Authorization {
                verdict: Verdict::Deny(deny),
                decided_by: DecidedBy::Local,
            });
        }
        #[cfg(feature = "precheck")]
        if let Some(check) = &self.precheck {
            let local = check
                .check(&vp, &self.action, self.target_verifier.as_deref())
                .await;
            if let crate::precheck::Local::Deny(deny) = local {
                return Ok(Authorization {
                    verdict: Verdict::Deny(*deny),
                    decided_by: DecidedBy::Local,
                });
            }
        }
        let verdict = credentials
            .verify(
                VerifyPresentationDto::from_presentation(&vp)
                    .execution_params(self.action.execution_params),
            )
            .await
            .map_err(AuthorizeError::classify)?;
        Ok(Authorization {
            verdict,
            decided_by: DecidedBy::Api,
        })
    }
}

impl IntoFuture for Authorize {
    type Output = Result<Authorization, AuthorizeError>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        let span = tracing::info_span!(
            "humanos.authorize",
            mandate_id = %self.mandate_id,
            action = %self.action.id,
            decision = tracing::field::Empty,
            reason = tracing::field::Empty,
            decided_by = tracing::field::Empty,
        );
        let fields = span.clone();
        Box::pin(
            async move {
                let outcome = self.run().await;
                match &outcome {
                    Ok(decision) => {
                        let (name, reason) = match &decision.verdict {
                            Verdict::Allow(_) => ("allow", ""),
                            Verdict::Deny(deny) => ("deny", deny.reason.as_str()),
                        };
                        fields.record("decision", name);
                        fields.record("reason", reason);
                        fields.record("decided_by", decision.decided_by.as_str());
                        tracing::info!(decision = name, reason, "mandate authorization");
                    }
                    Err(error) => {
                        fields.record("decision", error.kind());
                        fields.record("reason", tracing::field::display(error.error()));
                        tracing::warn!(%error, "mandate authorization gave no decision");
                    }
                }
                outcome
            }
            .instrument(span),
        )
    }
}

/// A refusal of `POST /credential/vp` that names a reason (`credential_revoked`, `expired`,
/// `not_yet_valid`: the API description says later `/vp` calls of a revoked mandate are "denied
/// with reason credential_revoked") is a denial; anything else is sorted by
/// [`AuthorizeError::classify`].
fn refusal_with_reason(error: Error, mandate_id: &str) -> Result<Authorization, AuthorizeError> {
    let reason = match &error {
        Error::Api {
            status: 400 | 403,
            parsed: Some(body),
            ..
        } => body
            .additional_properties
            .get("reason")
            .and_then(Value::as_str)
            .filter(|r| !r.is_empty()),
        _ => None,
    };
    let Some(reason) = reason else {
        return Err(AuthorizeError::classify(error));
    };
    let message = match &error {
        Error::Api {
            message: Some(m), ..
        } => m.clone(),
        _ => reason.to_owned(),
    };
    Ok(Authorization {
        verdict: Verdict::Deny(deny(reason, message, mandate_id)),
        decided_by: DecidedBy::Api,
    })
}

/// A `VerifyDenyResponseEntity` without evaluations.
pub(crate) fn deny(reason: &str, message: String, credential_id: &str) -> VerifyDenyResponseEntity {
    VerifyDenyResponseEntity::new(
        403,
        message,
        VerifyDecision::Deny,
        reason,
        credential_id,
        Vec::new(),
    )
}

/// The action the presentation's mandate pins (`credentialSubject.mandate.action.id` of its
/// first credential). The verify call checks this very presentation's proofs, so what is read
/// here is what an allow vouches for.
fn pinned_action(vp: &PresentationEntity) -> Option<&str> {
    mandate_action(vp)?.get("id")?.as_str()
}

/// A local denial when the mandate does not pin `action_id`: `verify` evaluates the rules of
/// the mandate's own action, so without this check a mandate for a harmless action would
/// authorize any other.
fn action_mismatch(
    vp: &PresentationEntity,
    action_id: &str,
    mandate_id: &str,
) -> Option<VerifyDenyResponseEntity> {
    match pinned_action(vp) {
        Some(pinned) if pinned == action_id => None,
        Some(pinned) => Some(deny(
            "action_not_found",
            format!("the mandate pins action `{pinned}`, not `{action_id}`"),
            mandate_id,
        )),
        None => Some(deny(
            "action_not_found",
            format!("the mandate pins no action; `{action_id}` was requested"),
            mandate_id,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use serde_json::json;

    fn api(status: u16, body: &'static str) -> Error {
        Error::api(status, Bytes::from_static(body.as_bytes()), None)
    }

    #[test]
    fn reasoned_vp_refusals_are_denials() {
        let e = api(
            403,
            r#"{"statusCode":403,"message":"credential_revoked: the credential has been revoked","error":"Forbidden","reason":"credential_revoked"}"#,
        );
        let a = refusal_with_reason(e, "urn:via:credential:1").unwrap();
        assert_eq!(a.decided_by, DecidedBy::Api);
        let Verdict::Deny(d) = a.verdict else {
            panic!("not a denial")
        };
        assert_eq!(d.reason, "credential_revoked");
        assert_eq!(d.credential_id, "urn:via:credential:1");
    }

    #[test]
    fn other_errors_are_sorted() {
        let refused = |s, b| refusal_with_reason(api(s, b), "m").unwrap_err();
        assert!(matches!(
            refused(
                404,
                r#"{"statusCode":404,"message":"no","error":"Not Found"}"#
            ),
            AuthorizeError::Refused(_)
        ));
        assert!(matches!(
            refused(
                403,
                r#"{"statusCode":403,"message":"no","error":"Forbidden"}"#
            ),
            AuthorizeError::Refused(_)
        ));
        for status in [401, 408, 429, 500, 502, 503] {
            assert!(refused(status, "{}").is_undecided(), "{status}");
        }
    }

    #[test]
    fn the_mandate_must_pin_the_action() {
        let vp = |pin: Value| {
            PresentationEntity::new(String::new()).presentation(
                json!({"verifiableCredential": [{"credentialSubject": {"mandate": pin}}]})
                    .as_object()
                    .cloned()
                    .unwrap(),
            )
        };
        let ok = vp(json!({"action": {"id": "urn:via:action:a"}}));
        assert!(action_mismatch(&ok, "urn:via:action:a", "m").is_none());
        let other = action_mismatch(&ok, "urn:via:action:b", "m").unwrap();
        assert_eq!(other.reason, "action_not_found");
        assert!(action_mismatch(&vp(json!({})), "urn:via:action:a", "m").is_some());
    }
}
