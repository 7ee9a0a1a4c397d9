//! The six-step integration walkthrough of the official SDK's README, in Rust: define an
//! action, request a mandate, the user approves, issue a presentation, verify it (in bounds:
//! allow; out of bounds: deny), revoke the mandate, and see it denied as revoked.
//!
//! ```sh
//! # No configuration: runs against a local sandbox started in this process on 127.0.0.1.
//! cargo run --example walkthrough
//!
//! # Against Humanos (or a sandbox started with `humanos sandbox`):
//! export HUMANOS_API_KEY=<your-api-key>
//! export HUMANOS_SIGNATURE_SECRET=<your-signature-secret>
//! cargo run --example walkthrough -- --action-id <action id> --contact user@example.com
//! # Already have an approved mandate? Skip steps 1 to 3:
//! cargo run --example walkthrough -- --mandate-id urn:via:credential:<id>
//! ```
//!
//! Options (each also readable from the environment variable in brackets):
//!
//! - `--action-id` (`HUMANOS_ACTION_ID`): the published action of step 1.
//! - `--contact` (`HUMANOS_CONTACT`): email or phone of the user who approves in step 3.
//! - `--mandate-id` (`HUMANOS_MANDATE_ID`): an already issued mandate; skips steps 1 to 3.
//! - `--keep`: do not revoke the mandate in step 6.
//!
//! Against a server, step 3 happens in the user's inbox: this program polls
//! `requests().detail(..)` every five seconds (for up to ten minutes) until the mandate is
//! active. In production you would receive the `credential` webhook instead (see the
//! `axum_webhook` example). Against the embedded sandbox, the sandbox stands in for the user
//! and accepts (its approval page is printed, for a look in a browser).

use std::process::ExitCode;
use std::time::{Duration, Instant};

use humanos::models::{
    ActionDto, CreatePresentationDto, CredentialDto, CredentialStatus, CredentialType,
    GenerateRequestDto, PresentationEntity, RevokeCredentialDto, SecurityLevel,
    VerifyPresentationDto,
};
use humanos::{ENV_API_KEY, ENV_SIGNATURE_SECRET, Error, HumanosClient, Verdict};
use humanos_sandbox::{Sandbox, SandboxHandle};
use serde_json::json;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Command-line options, each with an environment fallback.
struct Options {
    action_id: Option<String>,
    contact: Option<String>,
    mandate_id: Option<String>,
    keep: bool,
}

impl Options {
    fn parse() -> std::result::Result<Self, String> {
        let mut options = Options {
            action_id: std::env::var("HUMANOS_ACTION_ID").ok(),
            contact: std::env::var("HUMANOS_CONTACT").ok(),
            mandate_id: std::env::var("HUMANOS_MANDATE_ID").ok(),
            keep: false,
        };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
            match arg.as_str() {
                "--action-id" => options.action_id = Some(value("--action-id")?),
                "--contact" => options.contact = Some(value("--contact")?),
                "--mandate-id" => options.mandate_id = Some(value("--mandate-id")?),
                "--keep" => options.keep = true,
                other => return Err(format!("unknown argument `{other}`")),
            }
        }
        Ok(options)
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();

    let options = match Options::parse() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let result = if std::env::var_os(ENV_API_KEY).is_none()
        && std::env::var_os(ENV_SIGNATURE_SECRET).is_none()
    {
        run_against_sandbox(options).await
    } else {
        match HumanosClient::from_env() {
            Ok(client) => run(&client, None, options).await,
            Err(error) => {
                eprintln!("{error}\n");
                eprintln!("To run against the Humanos API, set both:");
                eprintln!("  {ENV_API_KEY}=<API Key from Settings -> API Keys>");
                eprintln!("  {ENV_SIGNATURE_SECRET}=<Signature Secret from the same page>");
                eprintln!("  HUMANOS_BASE_URL=<optional, default https://api.humanos.id>");
                eprintln!("Unset both to run against an embedded local sandbox.");
                return ExitCode::from(2);
            }
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("walkthrough failed: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Starts a sandbox on an ephemeral 127.0.0.1 port and runs the walkthrough against it with
/// the credentials it generated.
async fn run_against_sandbox(options: Options) -> Result<()> {
    let sandbox = Sandbox::start_ephemeral().await?;
    println!(
        "No {ENV_API_KEY} set: running against a local sandbox at {} (see docs/sandbox.md).\n",
        sandbox.base_url()
    );
    let client = HumanosClient::builder()
        .base_url(sandbox.base_url())
        .api_key(sandbox.api_key())
        .signature_secret(sandbox.signature_secret())
        .build()?;
    let result = run(&client, Some(&sandbox), options).await;
    sandbox.shutdown().await;
    result
}

async fn run(
    client: &HumanosClient,
    sandbox: Option<&SandboxHandle>,
    options: Options,
) -> Result<()> {
    let mandate_id = match options.mandate_id {
        Some(mandate_id) => {
            println!("Using mandate {mandate_id}: skipping steps 1 to 3.");
            mandate_id
        }
        None => {
            let action_id = step1_define_action(sandbox, options.action_id).await?;
            let contact = match (options.contact, sandbox) {
                (Some(contact), _) => contact,
                (None, Some(_)) => "ada@example.com".to_owned(),
                (None, None) => {
                    return Err(
                        "pass --contact <email or phone> (the user who approves the mandate)"
                            .into(),
                    );
                }
            };
            let request_id = step2_issue_mandate_request(client, &action_id, &contact).await?;
            step3_wait_for_approval(client, sandbox, &request_id).await?
        }
    };
    let vp = step4_issue_vp(client, &mandate_id).await?;
    let spare = step5_verify(client, &vp).await?;
    if options.keep {
        println!("\nStep 6 skipped (--keep): mandate {mandate_id} stays active.");
    } else {
        step6_revoke(client, &mandate_id, &spare).await?;
    }
    println!("\nDone.");
    Ok(())
}

/// Step 1: define an action. With Humanos this happens in the dashboard; the sandbox takes
/// the same definition through its admin API.
async fn step1_define_action(
    sandbox: Option<&SandboxHandle>,
    action_id: Option<String>,
) -> Result<String> {
    println!("Step 1: define an action.");
    println!("  executionParams: amount (number), category (string)");
    println!("  userParams:      maxAmount (number), allowedCategories (array<string>)");
    println!("  rules:           executionParams.amount <= userParams.maxAmount");
    println!("                   executionParams.category in userParams.allowedCategories");
    let action_id = match (action_id, sandbox) {
        (Some(action_id), _) => action_id,
        (None, Some(sandbox)) => {
            let action = sandbox.define_action(purchase_action()).await?;
            println!("  Published in the sandbox as version {}.", action.version);
            action.id
        }
        (None, None) => {
            println!("  Publish it in the dashboard and copy its ID.");
            return Err(
                "pass --action-id <action id> (the `id` of GET /actions, from step 1)".into(),
            );
        }
    };
    println!("  Using action {action_id}");
    Ok(action_id)
}

/// The action of step 1, as the sandbox's admin API takes it.
fn purchase_action() -> serde_json::Value {
    json!({
        "name": "Purchase",
        "description": "Buy things on the user's behalf",
        "userParams": {
            "maxAmount": {"type": "number", "description": "Largest single purchase"},
            "allowedCategories": {"type": "array<string>", "description": "Categories the agent may buy"}
        },
        "executionParams": {
            "amount": {"type": "number"},
            "category": {"type": "string"}
        },
        "rules": [
            {"name": "amount_within_limit", "expression": "executionParams.amount <= userParams.maxAmount"},
            {"name": "category_allowed", "expression": "executionParams.category in userParams.allowedCategories"}
        ]
    })
}

/// Step 2: ask Humanos to issue a mandate to the user.
async fn step2_issue_mandate_request(
    client: &HumanosClient,
    action_id: &str,
    contact: &str,
) -> Result<String> {
    println!("\nStep 2: issue a mandate request to {contact}.");
    let request = client
        .requests()
        .create(
            GenerateRequestDto::new(vec![contact.into()])
                .security_level(SecurityLevel::Contact)
                .credentials(vec![
                    CredentialDto::new(CredentialType::Policy, "Action mandate") // shown to the user
                        .scope("agent.execute")
                        .action(
                            ActionDto::new(action_id)
                                .user_param("maxAmount", 10000)
                                .user_param("allowedCategories", json!(["BOOKS", "OFFICE"])),
                        ),
                ]),
        )
        .await?;
    println!("  Request ID: {}", request.id);
    Ok(request.id)
}

/// Step 3: the user approves (or rejects) in the email or SMS they received. Polls the request
/// until its mandate is active. The sandbox stands in for the user.
async fn step3_wait_for_approval(
    client: &HumanosClient,
    sandbox: Option<&SandboxHandle>,
    request_id: &str,
) -> Result<String> {
    match sandbox {
        Some(sandbox) => {
            println!("\nStep 3: the user approves.");
            println!(
                "  (the sandbox's approval page: {}/approve/{request_id})",
                sandbox.base_url()
            );
            sandbox.approve(request_id).await?;
            println!("  The sandbox accepted on the user's behalf.");
        }
        None => println!(
            "\nStep 3: waiting for the user to approve (check the inbox of the contact)..."
        ),
    }
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let request = client.requests().detail(request_id).await?;
        if request.canceled_at.is_some() {
            return Err("the request was canceled".into());
        }
        if let Some(mandate) = request
            .credentials
            .iter()
            .find(|c| c.status == CredentialStatus::Active)
        {
            println!("  Approved: mandate {}", mandate.id);
            println!("  Persist it on your rule record (rule_id -> mandate_id).");
            return Ok(mandate.id.clone());
        }
        if !request.credentials.is_empty()
            && request
                .credentials
                .iter()
                .all(|c| c.status == CredentialStatus::Inactive)
        {
            return Err("the user rejected the request (or it expired): no mandate".into());
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "no decision after ten minutes; rerun with --mandate-id once request {request_id} is approved"
            )
            .into());
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
}

/// Step 4: the agent asks for a fresh, short-lived Verifiable Presentation of the mandate.
async fn step4_issue_vp(client: &HumanosClient, mandate_id: &str) -> Result<PresentationEntity> {
    println!("\nStep 4: issue a VP from mandate {mandate_id}.");
    let vp = client
        .credentials()
        .issue_vp(
            mandate_id,
            CreatePresentationDto::new(), // .target_verifier("did:web:your-verifier.example")
        )
        .await?;
    println!(
        "  VP issued ({} bytes encoded).",
        vp.presentation_encoded.len()
    );
    Ok(vp)
}

/// Step 5: Humanos verifies the VP against the agent's executionParams: once in bounds (allow),
/// once out of bounds (deny, naming the failing rules). A fresh VP is issued for the second
/// check, as VPs are single-purpose. Returns a third, unused presentation for step 6.
async fn step5_verify(
    client: &HumanosClient,
    vp: &PresentationEntity,
) -> Result<PresentationEntity> {
    println!("\nStep 5: verify the VP.");
    let in_bounds = client
        .credentials()
        .verify(
            VerifyPresentationDto::from_presentation(vp) // sends presentationEncoded
                .execution_param("amount", 5000)
                .execution_param("category", "BOOKS"),
        )
        .await?;
    report("in bounds  {amount: 5000, category: BOOKS}", &in_bounds);

    let mandate_id = in_bounds.credential_id().to_owned();
    let fresh = client
        .credentials()
        .issue_vp(&mandate_id, CreatePresentationDto::new())
        .await?;
    let out_of_bounds = client
        .credentials()
        .verify(
            VerifyPresentationDto::from_presentation(&fresh)
                .execution_param("amount", 50000)
                .execution_param("category", "FLIGHTS"),
        )
        .await?;
    report(
        "out of bounds {amount: 50000, category: FLIGHTS}",
        &out_of_bounds,
    );
    if !matches!(in_bounds, Verdict::Allow(_)) || !matches!(out_of_bounds, Verdict::Deny(_)) {
        return Err("unexpected verdicts: expected allow, then deny".into());
    }
    let spare = client
        .credentials()
        .issue_vp(&mandate_id, CreatePresentationDto::new())
        .await?;
    Ok(spare)
}

fn report(case: &str, verdict: &Verdict) {
    match verdict {
        Verdict::Allow(_) => println!("  {case}: allow"),
        Verdict::Deny(deny) => println!("  {case}: deny ({})", deny.reason),
    }
    for evaluation in verdict.evaluations() {
        println!(
            "    rule {:<50} {}{}",
            evaluation.rule,
            evaluation.result,
            evaluation
                .reason
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        );
    }
}

/// Step 6: revoke the mandate. A presentation issued before the revocation is now denied with
/// `credential_revoked`, and issuing new ones fails.
async fn step6_revoke(
    client: &HumanosClient,
    mandate_id: &str,
    issued_before: &PresentationEntity,
) -> Result<()> {
    println!("\nStep 6: revoke mandate {mandate_id}.");
    let revoked = client
        .credentials()
        .revoke(
            mandate_id,
            RevokeCredentialDto::new().reason(RevokeCredentialDto::USER_INITIATED),
        )
        .await?;
    println!(
        "  {} is {} since {}",
        revoked.credential_id, revoked.status, revoked.revoked_at
    );
    let after = client
        .credentials()
        .verify(
            VerifyPresentationDto::from_presentation(issued_before)
                .execution_param("amount", 5000)
                .execution_param("category", "BOOKS"),
        )
        .await?;
    report("in bounds, after revoke", &after);
    if !matches!(after, Verdict::Deny(_)) {
        return Err("a presentation of a revoked mandate was allowed".into());
    }
    match client
        .credentials()
        .issue_vp(mandate_id, CreatePresentationDto::new())
        .await
    {
        Err(Error::Api { status, code, .. }) => println!(
            "  issue_vp after revoke: {status} {} (expected)",
            code.unwrap_or_default()
        ),
        Err(other) => return Err(other.into()),
        Ok(_) => return Err("issue_vp still succeeded after revoke".into()),
    }
    Ok(())
}
