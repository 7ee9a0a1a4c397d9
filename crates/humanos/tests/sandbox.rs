//! End to end: the client against `humanos-sandbox` on 127.0.0.1, every one of the 21 endpoints.
//!
//! The sandbox checks each request's API key, timestamp window and HMAC signature over the
//! bytes it received (401 otherwise), and answers with the reference's bodies and statuses, so
//! these tests exercise the client's signing, encoding and decoding for real, not against a
//! double that accepts anything.

use humanos::models::{
    ActionDto, ActionQuery, CreatePresentationDto, CreateSubjectDto, CredentialDto,
    CredentialStatus, CredentialType, GenerateRequestDto, IntelligenceActionQuery,
    IntelligenceSnapshotQuery, IntelligenceWindowQuery, RequestEntity, RequestQuery, ResourceQuery,
    RevokeCredentialDto, SecurityLevel, SubjectQuery, VerifyPresentationDto,
};
use humanos::{Error, HumanosClient, Verdict};
use humanos_sandbox::{DefinedAction, Sandbox, SandboxHandle};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

fn client_for(sandbox: &SandboxHandle) -> HumanosClient {
    HumanosClient::builder()
        .base_url(sandbox.base_url())
        .api_key(sandbox.api_key())
        .signature_secret(sandbox.signature_secret())
        .build()
        .expect("client")
}

fn purchase_action() -> Value {
    json!({
        "name": "Purchase",
        "userParams": {
            "maxAmount": {"type": "number", "description": "Largest single purchase"},
            "allowedCategories": {"type": "array<string>"}
        },
        "executionParams": {"amount": {"type": "number"}, "category": {"type": "string"}},
        "rules": [
            {"name": "amount_within_limit", "expression": "executionParams.amount <= userParams.maxAmount"},
            {"name": "category_allowed", "expression": "executionParams.category in userParams.allowedCategories"}
        ]
    })
}

fn mandate_request(action_id: &str, contact: &str) -> GenerateRequestDto {
    GenerateRequestDto::new(vec![contact.into()])
        .security_level(SecurityLevel::Contact)
        .credentials(vec![
            CredentialDto::new(CredentialType::Policy, "Action mandate — café")
                .scope("agent.execute")
                .action(
                    ActionDto::new(action_id)
                        .user_param("maxAmount", 10000)
                        .user_param("allowedCategories", json!(["BOOKS", "OFFICE"])),
                ),
        ])
}

/// Requests a mandate and has the sandbox accept it; returns (request id, mandate id).
async fn approved_mandate(
    client: &HumanosClient,
    sandbox: &SandboxHandle,
    action_id: &str,
) -> (String, String) {
    let request = client
        .requests()
        .create(mandate_request(action_id, "ada@example.com"))
        .await
        .expect("requests.create");
    let ids = sandbox.approve(&request.id).await.expect("approve");
    assert_eq!(ids.len(), 1);
    (request.id, ids[0].clone())
}

#[tokio::test]
async fn the_lifecycle_through_every_credential_endpoint() {
    let sandbox = Sandbox::start_ephemeral().await.expect("sandbox");
    let client = client_for(&sandbox);
    let action = sandbox
        .define_action(purchase_action())
        .await
        .expect("action");
    let (request_id, mandate_id) = approved_mandate(&client, &sandbox, &action.id).await;

    request_detail_shows_the_active_mandate(&client, &request_id, &mandate_id).await;
    credential_detail_and_evidence(&client, &mandate_id).await;
    verify_allows_in_bounds_and_denies_out_of_bounds(&client, &mandate_id).await;
    an_integer_float_is_signed_as_sent(&client, &mandate_id).await;

    // credentials.audit_events: the chain recorded issue, accept and the verifications.
    let audit = client
        .credentials()
        .audit_events(&mandate_id)
        .await
        .expect("audit_events");
    assert_eq!(audit.credential_urn, mandate_id);
    assert!(audit.events.len() >= 2, "{audit:?}");

    revoke_denies_earlier_presentations_and_refuses_new_ones(&client, &mandate_id).await;

    // did.resolve: the sandbox issuer's DID document.
    let did = client
        .did()
        .resolve(sandbox.issuer_did())
        .await
        .expect("did.resolve");
    assert_eq!(did.id, sandbox.issuer_did());

    sandbox.shutdown().await;
}

/// requests.detail shows the active mandate.
async fn request_detail_shows_the_active_mandate(
    client: &HumanosClient,
    request_id: &str,
    mandate_id: &str,
) {
    let detail = client.requests().detail(request_id).await.expect("detail");
    assert_eq!(detail.id, request_id);
    let credential = detail
        .credentials
        .iter()
        .find(|c| c.id == mandate_id)
        .expect("mandate in the request");
    assert_eq!(credential.status, CredentialStatus::Active);
}

/// credentials.detail: the signed W3C credential, with its evidence.
async fn credential_detail_and_evidence(client: &HumanosClient, mandate_id: &str) {
    let credential = client
        .credentials()
        .detail(mandate_id)
        .await
        .expect("credentials.detail");
    assert_eq!(credential.id, mandate_id);
    let w3c = serde_json::to_value(&credential).expect("encode");
    assert_eq!(
        w3c["w3cCredential"]["proof"]["cryptosuite"], "eddsa-jcs-2022",
        "{w3c}"
    );
    let evidence_id = w3c["w3cCredential"]["evidence"][0]["id"]
        .as_str()
        .expect("evidence id")
        .to_owned();

    // credentials.evidence: bytes and content type.
    let evidence = client
        .credentials()
        .evidence(&evidence_id)
        .await
        .expect("credentials.evidence");
    let text = evidence.text().expect("UTF-8 evidence");
    assert!(text.contains(mandate_id), "{text}");
    assert!(evidence.content_type.is_some());
}

/// issue_vp + verify: allow in bounds, deny out of bounds with both rules failing.
async fn verify_allows_in_bounds_and_denies_out_of_bounds(
    client: &HumanosClient,
    mandate_id: &str,
) {
    let vp = client
        .credentials()
        .issue_vp(mandate_id, CreatePresentationDto::new())
        .await
        .expect("issue_vp");
    assert!(!vp.presentation_encoded.is_empty());
    let allow = client
        .credentials()
        .verify(
            VerifyPresentationDto::from_presentation(&vp)
                .execution_param("amount", 5000)
                .execution_param("category", "BOOKS"),
        )
        .await
        .expect("verify");
    assert!(matches!(allow, Verdict::Allow(_)), "{allow:?}");
    assert_eq!(allow.credential_id(), mandate_id);
    assert_eq!(allow.evaluations().len(), 2);

    let second = client
        .credentials()
        .issue_vp(mandate_id, CreatePresentationDto::new())
        .await
        .expect("issue_vp");
    let deny = client
        .credentials()
        .verify(
            VerifyPresentationDto::from_presentation(&second)
                .execution_param("amount", 50000)
                .execution_param("category", "FLIGHTS"),
        )
        .await
        .expect("a deny is a verdict, not an error");
    assert_eq!(deny.deny_reason(), Some("rule_failed"), "{deny:?}");
    assert!(
        deny.evaluations()
            .iter()
            .all(|e| e.result.to_string() == "fail")
    );
}

/// A float that is an integer on the wire (5000.0 -> 5000): signed over the bytes sent.
async fn an_integer_float_is_signed_as_sent(client: &HumanosClient, mandate_id: &str) {
    let third = client
        .credentials()
        .issue_vp(mandate_id, CreatePresentationDto::new())
        .await
        .expect("issue_vp");
    let float = client
        .credentials()
        .verify(
            VerifyPresentationDto::from_presentation(&third)
                .execution_param("amount", 5000.0)
                .execution_param("category", "OFFICE"),
        )
        .await
        .expect("verify");
    assert!(float.is_allowed(), "{float:?}");
}

/// revoke, then: the presentation issued before is denied as revoked; issuing fails.
async fn revoke_denies_earlier_presentations_and_refuses_new_ones(
    client: &HumanosClient,
    mandate_id: &str,
) {
    let spare = client
        .credentials()
        .issue_vp(mandate_id, CreatePresentationDto::new())
        .await
        .expect("issue_vp");
    let revoked = client
        .credentials()
        .revoke(
            mandate_id,
            RevokeCredentialDto::new().reason(RevokeCredentialDto::USER_INITIATED),
        )
        .await
        .expect("revoke");
    assert_eq!(revoked.credential_id, mandate_id);
    let after = client
        .credentials()
        .verify(
            VerifyPresentationDto::from_presentation(&spare)
                .execution_param("amount", 1)
                .execution_param("category", "BOOKS"),
        )
        .await
        .expect("verify after revoke");
    assert_eq!(after.deny_reason(), Some("credential_revoked"), "{after:?}");
    match client
        .credentials()
        .issue_vp(mandate_id, CreatePresentationDto::new())
        .await
    {
        Err(Error::Api { status, code, .. }) => {
            assert_eq!(status, 403);
            assert_eq!(code.as_deref(), Some("credential_revoked"));
        }
        other => panic!("issue_vp after revoke: {other:?}"),
    }
}

#[tokio::test]
async fn requests_users_actions_approvals_and_intelligence() {
    let (sandbox, ahead_ms) = sandbox_with_a_clock_ahead_on_demand().await;
    let client = client_for(&sandbox);
    let action = sandbox
        .define_action(purchase_action())
        .await
        .expect("action");

    let all = requests_list_streams_every_page(&client, &action).await;
    requests_resend_otp_and_cancel(&client, &all, &ahead_ms).await;
    users_create_and_detail(&client).await;
    actions_list_and_versions(&client, &sandbox, &action).await;
    approvals_answer(&client).await;
    intelligence_answers(&client, &sandbox, &action).await;

    sandbox.shutdown().await;
}

/// The sandbox's clock runs ahead on demand: OTP resends are rate limited to one per 30 s.
async fn sandbox_with_a_clock_ahead_on_demand() -> (SandboxHandle, Arc<AtomicU64>) {
    let ahead_ms = Arc::new(AtomicU64::new(0));
    let clock = {
        let ahead_ms = ahead_ms.clone();
        move || {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as u64);
            now + ahead_ms.load(Ordering::Relaxed)
        }
    };
    let sandbox = Sandbox::builder()
        .clock(clock)
        .build()
        .await
        .expect("sandbox");
    (sandbox, ahead_ms)
}

/// requests.list streams every page (pageSize is 5 to 100).
async fn requests_list_streams_every_page(
    client: &HumanosClient,
    action: &DefinedAction,
) -> Vec<RequestEntity> {
    for n in 0..12 {
        client
            .requests()
            .create(mandate_request(&action.id, &format!("user{n}@example.com")))
            .await
            .expect("create");
    }
    let first = client
        .requests()
        .list(RequestQuery::new().page_size(5))
        .await
        .expect("list");
    assert_eq!(first.items.len(), 5);
    assert!(first.has_next());
    let all = client
        .requests()
        .list(RequestQuery::new().page_size(5))
        .collect_all()
        .await
        .expect("every page");
    assert_eq!(all.len(), 12);
    all
}

/// requests.resend_otp and requests.cancel.
async fn requests_resend_otp_and_cancel(
    client: &HumanosClient,
    all: &[RequestEntity],
    ahead_ms: &AtomicU64,
) {
    let id = all[0].id.clone();
    let contact = format!("user{}@example.com", 4);
    let target = all
        .iter()
        .find(|r| {
            serde_json::to_string(r)
                .map(|s| s.contains(&contact))
                .unwrap_or(false)
        })
        .map(|r| r.id.clone())
        .unwrap_or(id);
    ahead_ms.store(31_000, Ordering::Relaxed);
    client
        .requests()
        .resend_otp(&target, SubjectQuery::new().contact(&contact))
        .await
        .expect("resend_otp");
    client.requests().cancel(&target).await.expect("cancel");
    let canceled = client.requests().detail(&target).await.expect("detail");
    assert!(canceled.canceled_at.is_some());
    match client.requests().detail("66f0c0ffee66f0c0ffee66f0").await {
        Err(Error::Api { status, .. }) => assert_eq!(status, 404),
        other => panic!("unknown request: {other:?}"),
    }
}

/// users.create and users.detail.
async fn users_create_and_detail(client: &HumanosClient) {
    let created = client
        .users()
        .create([
            CreateSubjectDto::new("grace@example.com").internal_id("crm-1"),
            CreateSubjectDto::new("+351912345678"),
        ])
        .await
        .expect("users.create");
    assert_eq!(created.len(), 2);
    let user = client
        .users()
        .detail(SubjectQuery::new().internal_id("crm-1"))
        .await
        .expect("users.detail");
    assert_eq!(user.internal_id.as_deref(), Some("crm-1"));
}

/// actions.list and actions.versions (a second version of the same action).
async fn actions_list_and_versions(
    client: &HumanosClient,
    sandbox: &SandboxHandle,
    action: &DefinedAction,
) {
    let mut v2 = purchase_action();
    v2["id"] = action.id.clone().into();
    v2["description"] = "Buy things, now with a description".into(); // unchanged content is no new version
    let republished = sandbox.define_action(v2).await.expect("v2");
    assert_eq!(republished.version, action.version + 1);
    let actions = client
        .actions()
        .list(ActionQuery::new())
        .collect_all()
        .await
        .expect("actions.list");
    assert!(actions.iter().any(|a| a.id == action.id));
    let versions = client
        .actions()
        .versions(&action.id, ActionQuery::new())
        .collect_all()
        .await
        .expect("actions.versions");
    assert_eq!(versions.len(), 2);
}

/// approval.list and approval.workflows answer (the sandbox has no documents or groups).
async fn approvals_answer(client: &HumanosClient) {
    client
        .approval()
        .list(ResourceQuery::new())
        .await
        .expect("approval.list");
    client
        .approval()
        .workflows(ResourceQuery::new())
        .await
        .expect("approval.workflows");
}

/// intelligence: action, snapshot, window for the sandbox's organization.
async fn intelligence_answers(
    client: &HumanosClient,
    sandbox: &SandboxHandle,
    action: &DefinedAction,
) {
    let org = sandbox.issuer_did().to_owned();
    let intel = client
        .intelligence()
        .action(IntelligenceActionQuery::new(&org, &action.version_urn))
        .await
        .expect("intelligence.action");
    assert_eq!(intel.urn, action.version_urn);
    client
        .intelligence()
        .snapshot(IntelligenceSnapshotQuery::new(&org, sandbox.agent_did()))
        .await
        .expect("intelligence.snapshot");
    client
        .intelligence()
        .window(IntelligenceWindowQuery::new(
            &org,
            sandbox.agent_did(),
            "2026-01-01T00:00:00Z",
            "2026-12-31T00:00:00Z",
        ))
        .await
        .expect("intelligence.window");
}

#[tokio::test]
async fn wrong_credentials_and_versions_are_refused_by_the_server() {
    let sandbox = Sandbox::start_ephemeral().await.expect("sandbox");

    let wrong_secret = HumanosClient::builder()
        .base_url(sandbox.base_url())
        .api_key(sandbox.api_key())
        .signature_secret("not-the-secret")
        .build()
        .expect("client");
    match wrong_secret.actions().list(ActionQuery::new()).await {
        Err(Error::Api { status, .. }) => assert_eq!(status, 401),
        other => panic!("wrong secret: {other:?}"),
    }

    // A per-call api-version replaces the default (one header), so the server accepts it.
    let client = client_for(&sandbox);
    client
        .actions()
        .list(ActionQuery::new())
        .api_version(humanos_sandbox::API_VERSION)
        .await
        .expect("a per-call api-version is sent once");

    sandbox.shutdown().await;
}

/// Fetches the sandbox's status list over plain HTTP (it is public, like a real one).
#[cfg(feature = "vc")]
struct PlainFetch;

#[cfg(feature = "vc")]
impl humanos_vc::StatusListFetcher for PlainFetch {
    fn fetch<'a>(&'a self, url: &'a str) -> humanos_vc::verify::FetchFuture<'a> {
        Box::pin(async move {
            let transport =
                |e: reqwest::Error| humanos_vc::did::ResolveError::Transport(e.to_string());
            reqwest::get(url)
                .await
                .map_err(transport)?
                .json()
                .await
                .map_err(transport)
        })
    }
}

/// The client's local verifier trusts Humanos' issuer and nothing else: a sandbox
/// presentation is denied until the sandbox's issuer is trusted explicitly, the way a
/// user of the sandbox does it; then it verifies with holder binding and the status list.
#[cfg(feature = "vc")]
#[tokio::test]
async fn a_sandbox_presentation_verifies_locally_once_its_issuer_is_trusted() {
    use humanos_vc::{Reason, VerifyRequest};

    let sandbox = Sandbox::start_ephemeral().await.expect("sandbox");
    let client = client_for(&sandbox);
    let action = sandbox
        .define_action(purchase_action())
        .await
        .expect("action");
    let (_, mandate_id) = approved_mandate(&client, &sandbox, &action.id).await;
    let issued = client
        .credentials()
        .issue_vp(&mandate_id, CreatePresentationDto::new())
        .await
        .expect("issue_vp");
    let vp = Value::Object(issued.presentation.clone());
    let request = VerifyRequest::new();

    let denied = client
        .verifier()
        .verify_presentation(&vp, &client, &request)
        .await
        .expect_err("the sandbox's issuer is not Humanos'");
    assert_eq!(denied.reason, Reason::IssuerUntrusted, "{denied}");

    let trusting = client.verifier().trust_issuer(sandbox.issuer_did());
    let no_list = trusting
        .verify_presentation(&vp, &client, &request)
        .await
        .expect_err("no status list at hand");
    assert_eq!(no_list.reason, Reason::StatusUnavailable, "{no_list}");

    let ok = trusting
        .status_list_fetcher(Arc::new(PlainFetch))
        .verify_presentation(&vp, &client, &request)
        .await
        .expect("verifies");
    assert!(ok.status_checked);
    assert_eq!(ok.credential_id(), Some(mandate_id.as_str()));
}
