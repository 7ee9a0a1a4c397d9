use bytes::Bytes;
use http::Method;
use humanos_models::{
    ChainAuditEntity, CreatePresentationDto, CredentialEntity, PresentationEntity,
    RevokeCredentialDto, RevokeCredentialEntity, VerifyAllowResponseEntity,
    VerifyDenyResponseEntity, VerifyEvaluationEntity, VerifyPresentationDto,
};
use reqwest::header;

use super::handler;
use crate::Result;
use crate::call::{Answer, Call, decode_json};
use crate::query::segment;

handler! {
    /// Credentials and mandates (`client.credentials` in the official SDK); see
    /// [`HumanosClient::credentials`](crate::HumanosClient::credentials).
    CredentialsHandler
}

impl CredentialsHandler<'_> {
    /// `GET /credential/{credentialId}`: a credential (`urn:via:credential:<uuid>`) with its
    /// full W3C credential and the latest grantor decisions. `400` (malformed URN), `404`.
    pub fn detail(&self, credential_id: &str) -> Call<CredentialEntity> {
        Call::new(
            self.client,
            "credentials.detail",
            Method::GET,
            format!("/credential/{}", segment(credential_id)),
            decode_json,
        )
    }

    /// `GET /credential/evidence/{evidenceId}`: the raw content of an evidence file
    /// (`urn:via:evidence:<uuid>`), with its content type.
    pub fn evidence(&self, evidence_id: &str) -> Call<EvidenceFile> {
        Call::new(
            self.client,
            "credentials.evidence",
            Method::GET,
            format!("/credential/evidence/{}", segment(evidence_id)),
            decode_evidence,
        )
    }

    /// `GET /credential/{credentialId}/events`: walks a v0.2 credential's event chain and
    /// re-verifies every event (tamper evidence; `ok` is true only if all verify).
    pub fn audit_events(&self, credential_id: &str) -> Call<ChainAuditEntity> {
        Call::new(
            self.client,
            "credentials.audit_events",
            Method::GET,
            format!("/credential/{}/events", segment(credential_id)),
            decode_json,
        )
    }

    /// `POST /credential/vp/{vcId}`: a fresh, short-lived Verifiable Presentation of the
    /// mandate `vc_id`, optionally bound to a verifier (`target_verifier`). Issue one per
    /// verification and hand it to [`verify`](Self::verify) with
    /// [`VerifyPresentationDto::from_presentation`]. A revoked mandate answers
    /// `400`/`403` ([`Error::Api`](crate::Error::Api) with `credential_revoked`).
    pub fn issue_vp(
        &self,
        vc_id: &str,
        request: CreatePresentationDto,
    ) -> Call<PresentationEntity> {
        Call::new(
            self.client,
            "credentials.issue_vp",
            Method::POST,
            format!("/credential/vp/{}", segment(vc_id)),
            decode_json,
        )
        .with_body(&request)
    }

    /// `POST /credential/verify`: evaluates a presentation against the agent's
    /// `executionParams`.
    ///
    /// Both outcomes are answers, not errors: `201` is [`Verdict::Allow`], `403` with the
    /// denial body is [`Verdict::Deny`] (reason and failing evaluations). Only other statuses
    /// (`400`, `404`, a `403` that is not a denial, `5xx`) are errors.
    ///
    /// Build the body with [`VerifyPresentationDto::from_presentation`] from what
    /// [`issue_vp`](Self::issue_vp) returned: it sends `presentationEncoded`, the opaque form
    /// the API recommends, which no re-serialization can break.
    ///
    /// ```no_run
    /// # async fn run(client: humanos::HumanosClient, vp: humanos::models::PresentationEntity) -> Result<(), humanos::Error> {
    /// use humanos::Verdict;
    /// use humanos::models::VerifyPresentationDto;
    ///
    /// let body = VerifyPresentationDto::from_presentation(&vp)
    ///     .execution_param("amount", 5000)
    ///     .execution_param("category", "BOOKS");
    /// match client.credentials().verify(body).await? {
    ///     Verdict::Allow(allow) => println!("allowed by {}", allow.credential_id),
    ///     Verdict::Deny(deny) => println!("denied: {} {:?}", deny.reason, deny.evaluations),
    /// }
    /// # Ok(()) }
    /// ```
    pub fn verify(&self, request: VerifyPresentationDto) -> Call<Verdict> {
        Call::new(
            self.client,
            "credentials.verify",
            Method::POST,
            "/credential/verify".into(),
            decode_verdict,
        )
        .with_body(&request)
    }

    /// `DELETE /credential/revoke/{credentialId}`: permanently revokes a mandate, with an
    /// optional `reason` (`RevokeCredentialDto::new()` for none;
    /// [`RevokeCredentialDto::USER_INITIATED`] and friends are the recommended values). Later
    /// `issue_vp` and `verify` calls are denied with `credential_revoked`. `409` when already
    /// revoked.
    pub fn revoke(
        &self,
        credential_id: &str,
        request: RevokeCredentialDto,
    ) -> Call<RevokeCredentialEntity> {
        Call::new(
            self.client,
            "credentials.revoke",
            Method::DELETE,
            format!("/credential/revoke/{}", segment(credential_id)),
            decode_json,
        )
        .with_body(&request)
    }
}

/// The outcome of [`CredentialsHandler::verify`]: the agent may act, or may not.
///
/// Deliberately exhaustive: a verification has exactly these two outcomes, so a `match` needs
/// no catch-all arm that could silently allow.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// `201`: every check passed.
    Allow(VerifyAllowResponseEntity),
    /// `403`: a check failed; `reason` says which (`rule_failed`, `credential_revoked`,
    /// `expired`, ...) and `evaluations` lists the rules.
    Deny(VerifyDenyResponseEntity),
}

impl Verdict {
    /// Whether the agent may act.
    pub fn is_allowed(&self) -> bool {
        matches!(self, Verdict::Allow(_))
    }

    /// The URN of the evaluated credential.
    pub fn credential_id(&self) -> &str {
        match self {
            Verdict::Allow(a) => &a.credential_id,
            Verdict::Deny(d) => &d.credential_id,
        }
    }

    /// The per-rule evaluations.
    pub fn evaluations(&self) -> &[VerifyEvaluationEntity] {
        match self {
            Verdict::Allow(a) => &a.evaluations,
            Verdict::Deny(d) => &d.evaluations,
        }
    }

    /// The denial reason (`None` when allowed).
    pub fn deny_reason(&self) -> Option<&str> {
        match self {
            Verdict::Allow(_) => None,
            Verdict::Deny(d) => Some(&d.reason),
        }
    }
}

fn decode_verdict(answer: Answer) -> Result<Verdict> {
    if answer.is_success() {
        return answer.json().map(Verdict::Allow);
    }
    if answer.status == 403 {
        // A denial has `decision`, `reason` and `evaluations`; any other 403 (a bad API key,
        // a forbidden verifier) is the plain error body and stays an error.
        if let Ok(deny) = serde_json::from_slice::<VerifyDenyResponseEntity>(&answer.body) {
            return Ok(Verdict::Deny(deny));
        }
    }
    Err(answer.into_error())
}

/// The content of an evidence file, as served.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EvidenceFile {
    /// The body, byte for byte (for example a base64-encoded file or JSON).
    pub bytes: Bytes,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
}

impl EvidenceFile {
    /// The body as UTF-8 text, when it is.
    pub fn text(&self) -> Option<&str> {
        std::str::from_utf8(&self.bytes).ok()
    }
}

fn decode_evidence(answer: Answer) -> Result<EvidenceFile> {
    if !answer.is_success() {
        return Err(answer.into_error());
    }
    let content_type = answer
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    Ok(EvidenceFile {
        bytes: answer.body,
        content_type,
    })
}
