//! The admin API's JSON views of the sandbox and its webhook deliveries (the dashboard answers
//! them to tools too).

use serde_json::{Value, json};

use crate::context::{API_VERSION, Context};
use crate::domain::error::DomainResult;
use crate::store::DeliveryRow;
use crate::util;

/// The state a delivery is in: `pending` (next attempt due at `nextAttemptAt`), `delivered`
/// or `dead` (dead-lettered: no attempts left, or its endpoint was removed).
pub(crate) fn delivery_state(d: &DeliveryRow) -> &'static str {
    match (d.delivered_ms, d.dead_ms) {
        (Some(_), _) => "delivered",
        (None, Some(_)) => "dead",
        (None, None) => "pending",
    }
}

/// The JSON of a delivery; with `detail`, its attempts and the decrypted event.
pub(crate) fn delivery_json(s: &Context, d: &DeliveryRow, detail: bool) -> DomainResult<Value> {
    let event = serde_json::from_str::<Value>(&d.event).unwrap_or(Value::Null);
    let pending = d.delivered_ms.is_none() && d.dead_ms.is_none();
    let mut out = json!({
        "id": d.id,
        "url": d.url,
        "eventType": event.get("eventType"),
        "requestId": event.get("requestId"),
        "state": delivery_state(d),
        "attempts": d.attempts,
        "createdAt": d.created_ms.map(util::iso),
        "nextAttemptAt": pending.then(|| util::iso(d.next_ms)),
        "deliveredAt": d.delivered_ms.map(util::iso),
        "deadLetteredAt": d.dead_ms.map(util::iso),
        "lastError": d.last_error,
    });
    if detail && let Some(o) = out.as_object_mut() {
        let attempts: Vec<Value> = s
            .store
            .attempts(d.id)?
            .into_iter()
            .map(|a| json!({"at": util::iso(a.at_ms), "status": a.status, "error": a.error, "latencyMs": a.latency_ms}))
            .collect();
        o.insert("attemptLog".into(), attempts.into());
        o.insert("event".into(), event);
    }
    Ok(out)
}

/// `GET /admin`: where the sandbox is and who it is.
pub(crate) fn info_json(s: &Context) -> Value {
    json!({
        "baseUrl": s.base_url,
        "apiVersion": API_VERSION,
        "issuerDid": s.issuer.did(),
        "agentDid": s.agent.did(),
        "statusList": s.status_list_url(),
        "humancodeAppId": s.humancode.app_id(),
        "webhookMaxAttempts": s.webhook_max_attempts,
    })
}

/// `GET /admin/webhooks`: endpoints, the retry policy and the newest 1000 deliveries, oldest
/// first.
pub(crate) fn webhooks_json(s: &Context) -> DomainResult<Value> {
    let urls = s
        .webhook_urls
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let deliveries = s
        .store
        .delivery_rows(None, 1000)?
        .iter()
        .rev()
        .map(|d| delivery_json(s, d, false))
        .collect::<DomainResult<Vec<_>>>()?;
    Ok(json!({
        "endpoints": urls,
        "maxAttempts": s.webhook_max_attempts,
        "deliveries": deliveries,
    }))
}
