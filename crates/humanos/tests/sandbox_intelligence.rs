//! The sandbox's intelligence endpoints, through the client, held to the API description's words.
//!
//! The description documents which members are `null` and when ("Null when none are bounded.",
//! "Null if not registered.", ...): the sandbox must send `null` there, not `0` or `""`, and a
//! trust window must count only the given agent's events.

use humanos::HumanosClient;
use humanos::models::{
    ActionDto, CredentialDto, CredentialType, GenerateRequestDto, IntelligenceSnapshotQuery,
    IntelligenceWindowQuery, RevokeCredentialDto,
};
use humanos_sandbox::{Sandbox, SandboxHandle};
use humanos_signing::FixedClock;
use serde_json::{Value, json};

/// 2026-09-15T00:00:00Z: both sides share it, so the window below is deterministic.
const NOW_MS: u64 = 1_789_430_400_000;
const FROM: &str = "2026-09-01T00:00:00.000Z";
const TO: &str = "2026-10-01T00:00:00.000Z";
const OTHER_AGENT: &str = "did:key:z6MkOtherAgentOfTheSameOrganization";
const UNKNOWN_AGENT: &str = "did:key:z6MkAgentWithoutAnyMandate";

async fn start() -> (SandboxHandle, HumanosClient, String) {
    let sandbox = Sandbox::builder()
        .clock(FixedClock(NOW_MS))
        .build()
        .await
        .expect("sandbox");
    let client = HumanosClient::builder()
        .base_url(sandbox.base_url())
        .api_key(sandbox.api_key())
        .signature_secret(sandbox.signature_secret())
        .clock(FixedClock(NOW_MS))
        .build()
        .expect("client");
    let action = sandbox
        .define_action(json!({
            "name": "Purchase",
            "userParams": {"maxAmount": {"type": "number", "description": "Largest single purchase"}},
            "executionParams": {"amount": {"type": "number"}},
            "rules": [{"name": "amount_within_limit", "expression": "executionParams.amount <= userParams.maxAmount"}]
        }))
        .await
        .expect("action");
    (sandbox, client, action.id)
}

/// Requests an unbounded mandate (no `maxExecutions`, no `validUntil`), has it accepted and
/// returns its id.
async fn approved_mandate(
    client: &HumanosClient,
    sandbox: &SandboxHandle,
    action_id: &str,
    authorized_dids: &[&str],
) -> String {
    let mut dto = GenerateRequestDto::new(vec!["ada@example.com".into()]).credentials(vec![
        CredentialDto::new(CredentialType::Policy, "Purchase mandate")
            .action(ActionDto::new(action_id).user_param("maxAmount", 100)),
    ]);
    if !authorized_dids.is_empty() {
        dto = dto.authorized_dids(authorized_dids.iter().copied());
    }
    let request = client
        .requests()
        .create(dto)
        .await
        .expect("requests.create");
    let ids = sandbox.approve(&request.id).await.expect("approve");
    assert_eq!(ids.len(), 1);
    ids[0].clone()
}

/// The window's raw JSON body for `did` (decoded by the client too, so it must also decode).
async fn window(client: &HumanosClient, org: &str, did: &str) -> Value {
    let (_, body) = client
        .intelligence()
        .window(IntelligenceWindowQuery::new(org, did, FROM, TO))
        .send_with_body()
        .await
        .expect("intelligence.window");
    serde_json::from_slice(&body).expect("JSON body")
}

async fn snapshot(client: &HumanosClient, org: &str, did: &str) -> Value {
    let (_, body) = client
        .intelligence()
        .snapshot(IntelligenceSnapshotQuery::new(org, did))
        .send_with_body()
        .await
        .expect("intelligence.snapshot");
    serde_json::from_slice(&body).expect("JSON body")
}

fn assert_null(body: &Value, pointer: &str, why: &str) {
    assert_eq!(
        body.pointer(pointer),
        Some(&Value::Null),
        "{pointer} must be null ({why}): {body}"
    );
}

#[tokio::test]
async fn snapshot_sends_null_where_the_description_documents_null() {
    let (sandbox, client, action_id) = start().await;
    let org = sandbox.issuer_did().to_owned();
    approved_mandate(&client, &sandbox, &action_id, &[]).await;

    // The sandbox's agent holds one mandate with neither an execution cap nor an expiry.
    let body = snapshot(&client, &org, sandbox.agent_did()).await;
    assert_eq!(body["activeMandates"]["bounds"]["unbounded"], 1, "{body}");
    let bounds = "/activeMandates/bounds";
    assert_null(
        &body,
        &format!("{bounds}/executionsRemaining"),
        "BoundsBlock: Null when none are bounded",
    );
    assert_null(
        &body,
        &format!("{bounds}/nearestExpiry"),
        "BoundsBlock: Null when none expire",
    );
    assert!(body["kya"]["ageDays"].is_u64(), "registered: {body}");
    for member in ["method", "attestation", "expiresAt"] {
        assert_null(
            &body,
            &format!("/kya/{member}"),
            "KyaBlock: Not recorded yet; always null for now",
        );
    }

    // An agent with no mandate and no registration.
    let body = snapshot(&client, &org, UNKNOWN_AGENT).await;
    assert_null(&body, "/kya/ageDays", "KyaBlock: Null if not registered");
    assert_null(
        &body,
        "/activeMandates/consent/users/kycShare",
        "UsersBlock: Null when there are no users",
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn window_sends_null_where_the_description_documents_null() {
    let (sandbox, client, _) = start().await;
    let body = window(&client, sandbox.issuer_did(), sandbox.agent_did()).await;
    for (pointer, why) in [
        (
            "/usage/mandates/approvalRate",
            "MandateFunnelBlock: Null when nothing was requested",
        ),
        (
            "/usage/presentations/conversionRate",
            "PresentationsBlock: Null when there were no presentations",
        ),
        (
            "/usage/verifications/approvalRate",
            "VerificationsBlock: Null when the window has no verifications",
        ),
        (
            "/usage/verifiers/firstSeenShare",
            "VerifiersBlock: Null when the window has no verifiers",
        ),
        (
            "/usage/burnRate/executionsRemaining",
            "BurnRateBlock: Null when none are bounded",
        ),
        (
            "/usage/burnRate/projectedExhaustion",
            "BurnRateBlock: Null when unbounded or idle",
        ),
    ] {
        assert_null(&body, pointer, why);
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn window_counts_only_the_given_agents_events() {
    let (sandbox, client, action_id) = start().await;
    let org = sandbox.issuer_did().to_owned();
    // Two mandates: both authorize the sandbox's agent, one also authorizes OTHER_AGENT.
    approved_mandate(&client, &sandbox, &action_id, &[]).await;
    let shared = approved_mandate(&client, &sandbox, &action_id, &[OTHER_AGENT]).await;
    client
        .credentials()
        .revoke(
            &shared,
            RevokeCredentialDto::new().reason(RevokeCredentialDto::USER_INITIATED),
        )
        .await
        .expect("revoke");

    let approved = |body: &Value| body["usage"]["mandates"]["approved"].clone();
    let own = window(&client, &org, sandbox.agent_did()).await;
    assert_eq!(approved(&own), 2, "{own}");
    let other = window(&client, &org, OTHER_AGENT).await;
    assert_eq!(approved(&other), 1, "{other}");
    // IncidentsBlock.revocations: "Mandates revoked in the window, per reason."
    let revocations = json!({RevokeCredentialDto::USER_INITIATED: 1});
    assert_eq!(other["incidents"]["revocations"], revocations, "{other}");
    assert_eq!(own["incidents"]["revocations"], revocations, "{own}");
    let unknown = window(&client, &org, UNKNOWN_AGENT).await;
    assert_eq!(approved(&unknown), 0, "{unknown}");
    assert_eq!(unknown["usage"]["mandates"]["requested"], 0, "{unknown}");
    assert_eq!(unknown["incidents"]["revocations"], json!({}), "{unknown}");
    assert_null(
        &unknown,
        "/usage/mandates/approvalRate",
        "MandateFunnelBlock: Null when nothing was requested",
    );
    sandbox.shutdown().await;
}
