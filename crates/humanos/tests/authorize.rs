//! `authorize` against the in-process sandbox: who decides, how outcomes are sorted, and the
//! `humanos.authorize` span.

mod support;

use humanos::models::{
    ActionDto, CredentialDto, CredentialType, EventType, GenerateRequestDto, RevokeCredentialDto,
    SecurityLevel,
};
use humanos::{Action, AuthorizeError, DecidedBy, HumanosClient, Verdict};
use humanos_sandbox::{Sandbox, SandboxHandle};
use serde_json::json;
use support::capture::Capture;

struct Setup {
    sandbox: SandboxHandle,
    client: HumanosClient,
    action_id: String,
    mandate_id: String,
}

async fn setup() -> Setup {
    let sandbox = Sandbox::start_ephemeral().await.unwrap();
    let client = HumanosClient::builder()
        .base_url(sandbox.base_url())
        .api_key(sandbox.api_key())
        .signature_secret(sandbox.signature_secret())
        .build()
        .unwrap();
    let action_id = sandbox
        .define_action(json!({
            "name": "Buy a book",
            "userParams": {"maxAmount": {"type": "number"}},
            "executionParams": {"amount": {"type": "number"}},
            "rules": [{"name": "amount_within_limit", "expression": "executionParams.amount <= userParams.maxAmount"}]
        }))
        .await
        .unwrap()
        .id;
    let request = client
        .requests()
        .create(
            GenerateRequestDto::new(vec!["ana@example.com".into()])
                .security_level(SecurityLevel::Contact)
                .credentials(vec![
                    CredentialDto::new(CredentialType::Policy, "Books")
                        .action(ActionDto::new(&action_id).user_param("maxAmount", 20)),
                ]),
        )
        .await
        .unwrap();
    let mandate_id = sandbox.approve(&request.id).await.unwrap().remove(0);
    Setup {
        sandbox,
        client,
        action_id,
        mandate_id,
    }
}

/// Online verifications on the mandate's signed event chain.
async fn verifications(s: &Setup) -> usize {
    let chain = s
        .client
        .credentials()
        .audit_events(&s.mandate_id)
        .await
        .unwrap();
    chain
        .events
        .iter()
        .filter(|e| {
            matches!(
                e.event,
                EventType::VerificationApproved | EventType::VerificationDenied
            )
        })
        .count()
}

#[tokio::test]
async fn the_api_allows_and_denies_naming_the_rule() {
    let s = setup().await;
    let allow = s
        .client
        .authorize(&s.mandate_id, Action::new(&s.action_id).param("amount", 12))
        .await
        .unwrap();
    assert_eq!(allow.decided_by, DecidedBy::Api);
    assert!(allow.is_allowed());

    let deny = s
        .client
        .authorize(&s.mandate_id, Action::new(&s.action_id).param("amount", 35))
        .await
        .unwrap();
    assert_eq!(deny.decided_by, DecidedBy::Api);
    let Verdict::Deny(body) = deny.verdict else {
        panic!("allowed above the limit")
    };
    assert_eq!(body.reason, "rule_failed");
    assert_eq!(body.evaluations[0].rule, "amount_within_limit");
    assert_eq!(body.evaluations[0].result.as_str(), "fail");
    assert_eq!(verifications(&s).await, 2);
}

#[tokio::test]
async fn a_mandate_for_another_action_is_denied_without_verifying() {
    let s = setup().await;
    let other = s
        .sandbox
        .define_action(json!({"name": "Delete the account", "rules": []}))
        .await
        .unwrap()
        .id;
    let decision = s
        .client
        .authorize(&s.mandate_id, Action::new(&other))
        .await
        .unwrap();
    assert_eq!(decision.decided_by, DecidedBy::Local);
    assert_eq!(decision.verdict.deny_reason(), Some("action_not_found"));
    assert_eq!(verifications(&s).await, 0);
}

#[tokio::test]
async fn revoked_is_a_denial_unknown_is_refused_unreachable_is_undecided() {
    let s = setup().await;
    s.client
        .credentials()
        .revoke(&s.mandate_id, RevokeCredentialDto::new())
        .await
        .unwrap();
    let revoked = s
        .client
        .authorize(&s.mandate_id, Action::new(&s.action_id).param("amount", 1))
        .await
        .unwrap();
    assert_eq!(revoked.verdict.deny_reason(), Some("credential_revoked"));
    assert_eq!(revoked.verdict.credential_id(), s.mandate_id);

    let unknown = s
        .client
        .authorize(
            "urn:via:credential:00000000-0000-4000-8000-000000000000",
            Action::new(&s.action_id),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&unknown, AuthorizeError::Refused(e) if e.status() == Some(404)),
        "{unknown:?}"
    );

    let client = s.client.clone();
    s.sandbox.shutdown().await;
    let down = client
        .authorize(&s.mandate_id, Action::new(&s.action_id))
        .await
        .unwrap_err();
    assert!(down.is_undecided(), "{down:?}");
}

#[tokio::test]
async fn one_span_carries_the_decision_and_the_reason() {
    let s = setup().await;
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    s.client
        .authorize(&s.mandate_id, Action::new(&s.action_id).param("amount", 35))
        .await
        .unwrap();
    let text = capture.text();
    for expected in [
        format!("humanos.authorize.mandate_id={}", s.mandate_id),
        format!("humanos.authorize.action={}", s.action_id),
        "humanos.authorize.decision=\"deny\"".to_owned(),
        "humanos.authorize.reason=\"rule_failed\"".to_owned(),
        "humanos.authorize.decided_by=\"api\"".to_owned(),
    ] {
        assert!(text.contains(&expected), "{expected} missing from:\n{text}");
    }
    assert!(!text.contains(s.sandbox.signature_secret()));
}
