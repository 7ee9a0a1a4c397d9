//! The README's tour, from outside the workspace and against the packaged crates: a webhook
//! route with `humanos-axum`, the six steps with `humanos`, and a HumanCode session, all against
//! an in-process `humanos-sandbox` on 127.0.0.1. Built and run by `scripts/consumer`; any failure
//! exits non-zero.

use std::time::Duration;

use axum::Router;
use axum::routing::post;
use humancode::{Callback, CallbackUrl, HumanCodeClient};
use humanos::models::{
    ActionDto, CreatePresentationDto, CredentialDto, CredentialStatus, CredentialType,
    DeliveryActionType, GenerateRequestDto, RevokeCredentialDto, VerifyPresentationDto,
};
use humanos::{HumanosClient, Verdict};
use humanos_axum::{WebhookState, webhook_handler};
use humanos_sandbox::{Sandbox, SandboxHandle};
use humanos_webhooks::WebhookEvent;
use serde_json::json;
use tokio::sync::mpsc;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

#[tokio::main]
async fn main() -> Result<()> {
    // The receiver listens first, so that the sandbox can be told where to deliver.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let sandbox = Sandbox::builder()
        .webhook_endpoint(format!(
            "http://{}/webhooks/humanos",
            listener.local_addr()?
        ))
        .webhook_retry_base(Duration::from_millis(100))
        .build()
        .await?;
    let mut accepted = serve_webhooks(listener, &sandbox)?;

    let client = HumanosClient::builder()
        .base_url(sandbox.base_url())
        .api_key(sandbox.api_key())
        .signature_secret(sandbox.signature_secret())
        .build()?;
    let mandate_id = six_steps(&client, &sandbox).await?;
    let delivered = tokio::time::timeout(Duration::from_secs(20), accepted.recv())
        .await?
        .ok_or("the webhook receiver stopped")?;
    if delivered != mandate_id {
        return Err(format!("webhook named {delivered}, the API {mandate_id}").into());
    }
    println!("webhook: credential accepted, mandate {delivered}");

    humancode_session(&sandbox).await?;
    sandbox.shutdown().await;
    println!("consumer: the tour ran against the packaged crates");
    Ok(())
}

/// `POST /webhooks/humanos` with `humanos-axum`: each accepted mandate's id goes to the channel.
fn serve_webhooks(
    listener: tokio::net::TcpListener,
    sandbox: &SandboxHandle,
) -> Result<mpsc::UnboundedReceiver<String>> {
    let (tx, rx) = mpsc::unbounded_channel();
    let state = WebhookState::new(sandbox.webhook_secrets().config()?).with_in_memory_dedup(1000);
    let on_event = move |event: WebhookEvent| {
        let tx = tx.clone();
        async move {
            if let WebhookEvent::Credential(event) = event {
                if event.decision.action == DeliveryActionType::Accept {
                    tx.send(event.credential.id.clone())
                        .map_err(|e| e.to_string())?;
                }
            }
            Ok::<(), String>(())
        }
    };
    let app = Router::new().route("/webhooks/humanos", post(webhook_handler(state, on_event)));
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(rx)
}

/// The official README's six steps: define an action, request a mandate, the user approves,
/// issue a presentation, verify it (allow, then deny out of bounds), revoke. Returns the
/// mandate's id.
async fn six_steps(client: &HumanosClient, sandbox: &SandboxHandle) -> Result<String> {
    let action = sandbox
        .define_action(json!({
            "name": "Purchase",
            "userParams": {"maxAmount": {"type": "number"}},
            "executionParams": {"amount": {"type": "number"}},
            "rules": [{"name": "amount_within_limit",
                       "expression": "executionParams.amount <= userParams.maxAmount"}]
        }))
        .await?;
    let request = client
        .requests()
        .create(
            GenerateRequestDto::new(vec!["ada@example.com".into()]).credentials(vec![
                CredentialDto::new(CredentialType::Policy, "Action mandate")
                    .action(ActionDto::new(&action.id).user_param("maxAmount", 10000)),
            ]),
        )
        .await?;
    sandbox.approve(&request.id).await?;
    let detail = client.requests().detail(&request.id).await?;
    let mandate_id = detail
        .credentials
        .iter()
        .find(|c| c.status == CredentialStatus::Active)
        .map(|c| c.id.clone())
        .ok_or("no active mandate after approval")?;

    let id = mandate_id.as_str();
    let verify = |amount: u32| async move {
        let vp = client
            .credentials()
            .issue_vp(id, CreatePresentationDto::new())
            .await?;
        let check = VerifyPresentationDto::from_presentation(&vp).execution_param("amount", amount);
        client.credentials().verify(check).await
    };
    let allow = verify(5000).await?;
    let deny = verify(50000).await?;
    if !matches!(allow, Verdict::Allow(_)) || !matches!(deny, Verdict::Deny(_)) {
        return Err(format!("expected allow then deny, got {allow:?} then {deny:?}").into());
    }
    let spare = client
        .credentials()
        .issue_vp(&mandate_id, CreatePresentationDto::new())
        .await?;
    client
        .credentials()
        .revoke(
            &mandate_id,
            RevokeCredentialDto::new().reason(RevokeCredentialDto::USER_INITIATED),
        )
        .await?;
    let after = client
        .credentials()
        .verify(VerifyPresentationDto::from_presentation(&spare).execution_param("amount", 1))
        .await?;
    if !matches!(after, Verdict::Deny(_)) {
        return Err("a presentation of a revoked mandate was allowed".into());
    }
    println!("six steps: allow in bounds, deny out of bounds, deny after revoke");
    Ok(mandate_id)
}

/// A HumanCode session against the sandbox's emulator: session, palm page, "Scan palm" (the
/// page's form, submitted as a browser would, up to the callback redirect), callback, vcode,
/// human_id.
async fn humancode_session(sandbox: &SandboxHandle) -> Result<()> {
    let client = HumanCodeClient::builder()
        .app_id(sandbox.humancode_app_id())
        .app_key(sandbox.humancode_app_key())
        .base_url(sandbox.base_url())
        .build()?;
    let callback_url = "http://127.0.0.1:3000/humancode/callback";
    let session = client.create_session().await?;
    let page = client.registration_url(&session.session_id, &CallbackUrl::parse(callback_url)?)?;
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let html = browser
        .get(&page)
        .send()
        .await?
        .error_for_status()?
        .text()
        .await?;
    if !html.contains(r#"action="/humancode/scan""#) {
        return Err(format!("not the palm page: {html}").into());
    }
    let scan = format!("{}/humancode/scan", sandbox.base_url());
    let answer = browser
        .get(scan)
        .query(&[
            ("session_id", session.session_id.as_str()),
            ("callback_url", callback_url),
            ("mode", "registration"),
            ("outcome", "success"),
        ])
        .send()
        .await?;
    let location = answer
        .headers()
        .get("location")
        .ok_or_else(|| format!("the scan answered {} without a redirect", answer.status()))?
        .to_str()?
        .to_owned();
    let callback = Callback::from_url(&location)?;
    if callback.session_id != session.session_id {
        return Err("the callback is about another session".into());
    }
    let vcode = callback
        .outcome
        .vcode()
        .ok_or_else(|| format!("the scan failed: {:?}", callback.outcome))?;
    let human_id = client.verify_vcode(&callback.session_id, vcode).await?;
    println!("humancode: human_id {human_id:?}");
    Ok(())
}
