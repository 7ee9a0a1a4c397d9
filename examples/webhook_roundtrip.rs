//! Seals a realistic `credential` delivery exactly as Humanos does, then opens it the way a
//! webhook endpoint does, and prints each step.
//!
//! Run: `cargo run --example webhook_roundtrip`
//!
//! With `HUMANOS_WEBHOOK_SIGNATURE_SECRET`, `HUMANOS_WEBHOOK_ENCRYPTION_SECRET` and
//! `HUMANOS_WEBHOOK_ENCRYPTION_SALT` set it uses your secrets; otherwise demo values.

use std::error::Error;

use humanos_webhooks::{WebhookConfig, WebhookEvent};

fn main() -> Result<(), Box<dyn Error>> {
    let config = match WebhookConfig::from_env() {
        Ok(config) => config,
        Err(_) => {
            println!("(no HUMANOS_WEBHOOK_* variables set: using demo secrets)");
            WebhookConfig::new(
                "whsec_demo",
                "ZGVtby1lbmNyeXB0aW9uLXNlY3JldA==",
                "demo-salt",
            )?
        }
    };

    // 1. What Humanos sends when a user accepts a mandate request.
    let event = humanos_webhooks::sample::credential("req_01JDEMO");
    let delivery = config.seal(&event)?;
    println!("1. sealed delivery");
    for (name, value) in delivery.headers() {
        println!("   {name}: {value}");
    }
    let body = String::from_utf8_lossy(&delivery.body);
    println!(
        "   body ({} bytes): {}…",
        body.len(),
        &body[..body.len().min(96)]
    );

    // 2. What your endpoint does with the raw body and headers.
    let opened = config.process(&delivery.headers(), &delivery.body)?;
    println!(
        "2. verified and decrypted: {} event for request {}",
        opened.event_type(),
        opened.request_id().unwrap_or("?")
    );
    match &opened {
        WebhookEvent::Credential(credential) => {
            println!(
                "   decision: {}",
                serde_json::to_string(&credential.decision)?
            );
            println!("   mandate id: {}", credential.credential.id);
        }
        other => println!("   unexpected event {}", other.event_type()),
    }
    let plaintext = config.open(&delivery.headers(), &delivery.body)?;
    if let Some(key) = humanos_webhooks::IdempotencyKey::from_plaintext(&plaintext) {
        println!("   idempotency key: {key} ({})", key.as_str());
    }
    println!("3. event JSON:\n{}", serde_json::to_string_pretty(&opened)?);

    // 3. A tampered delivery is refused with the precise reason.
    let mut tampered = delivery.body.clone();
    tampered[10] ^= 1;
    let err = config.process(&delivery.headers(), &tampered).unwrap_err();
    println!(
        "4. tampered copy refused: {err} (answer HTTP {})",
        err.status()
    );
    Ok(())
}
