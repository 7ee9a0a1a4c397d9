//! The sandbox-only admin API (`/admin/...`): actions, deciding for a user, OTPs, simulated
//! events, webhook endpoints and deliveries. Every route is behind [`guard::require_admin`].

pub(crate) mod guard;

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use humanos_models::JsonObject;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api;
use crate::state::{
    ACTION, ActionRec, ApiError, ApiResult, AppState, REQUEST, RequestRec, VersionRec,
};
use crate::store::DeliveryRow;
use crate::util;
use crate::webhooks;

type St = State<Arc<AppState>>;

/// The definition of an action, as read from the actions file or `POST /admin/actions`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ActionDefinition {
    id: Option<String>,
    name: String,
    description: Option<String>,
    #[serde(flatten)]
    rest: JsonObject,
}

/// Publishes an action (a new action, or a new version when `id` or `name` exists).
pub(crate) fn define_action(s: &AppState, def: Value) -> ApiResult<Value> {
    let def: ActionDefinition = serde_json::from_value(def)
        .map_err(|e| ApiError::bad_request(format!("invalid action definition: {e}")))?;
    for key in ["userParams", "executionParams"] {
        if let Some(v) = def.rest.get(key)
            && !v.is_object()
        {
            return Err(ApiError::bad_request(format!(
                "{key} must be an object of parameter declarations"
            )));
        }
    }
    if let Some(rules) = def.rest.get("rules")
        && humanos_vc::rules::Rule::parse_list(rules).is_empty()
        && !rules.as_array().is_some_and(Vec::is_empty)
    {
        return Err(ApiError::bad_request(
            "rules must be a list of CEL expressions or {name, expression} objects",
        ));
    }
    let actions: Vec<ActionRec> = s.store.list(ACTION)?;
    let existing = actions.into_iter().find(|a| {
        def.id.as_deref() == Some(a.id.as_str()) || (def.id.is_none() && a.name == def.name)
    });
    let now = s.now_iso();
    let mut content = JsonObject::new();
    content.insert("name".into(), def.name.clone().into());
    if let Some(d) = &def.description {
        content.insert("description".into(), d.clone().into());
    }
    for (k, v) in &def.rest {
        content.insert(k.clone(), v.clone());
    }
    let digest = crate::mandate::digest_sri(&Value::Object(content.clone()));
    let mut action = existing.unwrap_or_else(|| ActionRec {
        id: def
            .id
            .clone()
            .unwrap_or_else(|| format!("urn:via:action:{}", util::uuid())),
        name: def.name.clone(),
        description: def.description.clone(),
        created_at: now.clone(),
        updated_at: now.clone(),
        versions: Vec::new(),
    });
    if action
        .versions
        .last()
        .is_some_and(|v| v.digest_sri == digest)
    {
        return Ok(
            json!({"id": action.id, "version": action.versions.len(), "digestSRI": digest, "unchanged": true}),
        );
    }
    let version = action.versions.len() as u64 + 1;
    action.name = def.name;
    action.description = def.description;
    action.updated_at = now.clone();
    action.versions.push(VersionRec {
        id: format!("{}:v{version}", action.id),
        version,
        content,
        digest_sri: digest.clone(),
        created_at: now,
    });
    s.store.put(ACTION, &action.id, &action)?;
    tracing::info!(action = %action.id, version, name = %action.name, "action published");
    Ok(json!({"id": action.id, "version": version, "digestSRI": digest}))
}

pub(crate) async fn define_actions(State(s): St, Json(def): Json<Value>) -> ApiResult<Response> {
    let _w = s.write.lock().await;
    let out = match def {
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|d| define_action(&s, d))
                .collect::<ApiResult<_>>()?,
        ),
        d => define_action(&s, d)?,
    };
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

#[derive(Deserialize, Default)]
pub(crate) struct SubjectSel {
    contact: Option<String>,
}

fn credentials_json(r: &RequestRec, contact: Option<&str>) -> Value {
    let ids: Vec<&String> = r
        .subjects
        .iter()
        .filter(|x| contact.is_none_or(|c| x.contact.eq_ignore_ascii_case(c)))
        .flat_map(|x| &x.credential_ids)
        .collect();
    json!({"requestId": r.id, "credentialIds": ids})
}

pub(crate) async fn decide(
    State(s): St,
    Path((id, decision)): Path<(String, String)>,
    body: Option<Json<SubjectSel>>,
) -> ApiResult<Json<Value>> {
    let accept = match decision.as_str() {
        "approve" | "accept" => true,
        "reject" => false,
        _ => {
            return Err(ApiError::not_found(
                "unknown decision: use approve or reject",
            ));
        }
    };
    let sel = body.map(|b| b.0).unwrap_or_default();
    let _w = s.write.lock().await;
    let r = api::decide(&s, &id, sel.contact.as_deref(), accept, "admin")?;
    Ok(Json(credentials_json(&r, sel.contact.as_deref())))
}

pub(crate) async fn otp(State(s): St, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let r: RequestRec = s
        .store
        .get(REQUEST, &id)?
        .ok_or_else(|| ApiError::not_found("Request not found"))?;
    Ok(Json(
        json!({"requestId": r.id, "subjects": r.subjects.iter().map(|x| json!({"contact": x.contact, "otp": x.otp, "link": api::approval_link(&s, &r.id, &x.contact)})).collect::<Vec<_>>()}),
    ))
}

pub(crate) async fn identity(State(s): St, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let r: RequestRec = s
        .store
        .get(REQUEST, &id)?
        .ok_or_else(|| ApiError::not_found("Request not found"))?;
    let mut n = 0;
    for sub in &r.subjects {
        let mut ev = humanos_webhooks::sample::identity(&r.id);
        if let Some(o) = ev.as_object_mut() {
            o.insert("issuerDid".into(), s.issuer.did().into());
            o.insert("api_version".into(), r.api_version.clone().into());
            o.insert(
                "user".into(),
                json!({"contact": sub.contact, "id": sub.user_id, "internalId": null}),
            );
        }
        n += webhooks::emit(&s, &ev)?;
    }
    Ok(Json(json!({"queued": n})))
}

pub(crate) async fn test_event(State(s): St) -> ApiResult<Response> {
    let request_id = format!("req_test_{}", util::uuid().replace('-', ""));
    let event = api::typed::<humanos_models::TestEvent>(json!({
        "eventType": "test",
        "requestId": request_id,
        "issuerDid": s.issuer.did(),
        "user": {"contact": "test@humanos.local", "id": "usr_test", "internalId": null},
        "api_version": crate::state::API_VERSION,
        "message": "This is a test event from Humanos",
    }))?;
    let n = webhooks::emit(&s, &event)?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({"queued": n, "requestId": request_id})),
    )
        .into_response())
}

#[derive(Deserialize)]
pub(crate) struct Endpoint {
    url: String,
}

pub(crate) async fn add_endpoint(State(s): St, Json(e): Json<Endpoint>) -> ApiResult<Response> {
    if url::Url::parse(&e.url)
        .map(|u| !matches!(u.scheme(), "http" | "https"))
        .unwrap_or(true)
    {
        return Err(ApiError::bad_request("url must be an http(s) URL"));
    }
    let mut urls = s.webhook_urls.write().unwrap_or_else(|p| p.into_inner());
    if !urls.contains(&e.url) {
        urls.push(e.url.clone());
    }
    Ok((StatusCode::CREATED, Json(json!({"endpoints": *urls}))).into_response())
}

/// `DELETE /admin/webhooks/endpoints`: removes an endpoint; its pending deliveries are
/// dead-lettered (`lastError: "endpoint removed"`).
pub(crate) async fn remove_endpoint(
    State(s): St,
    Json(e): Json<Endpoint>,
) -> ApiResult<Json<Value>> {
    let urls = {
        let mut urls = s.webhook_urls.write().unwrap_or_else(|p| p.into_inner());
        let before = urls.len();
        urls.retain(|u| *u != e.url);
        if urls.len() == before {
            return Err(ApiError::not_found("no such webhook endpoint"));
        }
        urls.clone()
    };
    let abandoned = s.store.abandon(&e.url, s.now_ms())?;
    Ok(Json(json!({"endpoints": urls, "abandoned": abandoned})))
}

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
pub(crate) fn delivery_json(s: &AppState, d: &DeliveryRow, detail: bool) -> ApiResult<Value> {
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

/// `GET /admin/webhooks`: endpoints, the retry policy and the newest 1000 deliveries, oldest
/// first.
pub(crate) async fn webhooks_list(State(s): St) -> ApiResult<Json<Value>> {
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
        .map(|d| delivery_json(&s, d, false))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(Json(json!({
        "endpoints": urls,
        "maxAttempts": s.webhook_max_attempts,
        "deliveries": deliveries,
    })))
}

fn find_delivery(s: &AppState, id: i64) -> ApiResult<DeliveryRow> {
    s.store
        .delivery_rows(Some(id), 1)?
        .pop()
        .ok_or_else(|| ApiError::not_found("Delivery not found"))
}

/// `GET /admin/webhooks/deliveries/{id}`: one delivery with its attempts and decrypted event.
pub(crate) async fn delivery(State(s): St, Path(id): Path<i64>) -> ApiResult<Json<Value>> {
    Ok(Json(delivery_json(&s, &find_delivery(&s, id)?, true)?))
}

/// `POST /admin/webhooks/deliveries/{id}/resend`: queues it again now, with a fresh budget.
pub(crate) async fn resend(State(s): St, Path(id): Path<i64>) -> ApiResult<Response> {
    if !s.store.resend(id, s.now_ms())? {
        return Err(ApiError::not_found("Delivery not found"));
    }
    s.wake_webhooks.notify_one();
    let d = delivery_json(&s, &find_delivery(&s, id)?, false)?;
    Ok((StatusCode::ACCEPTED, Json(d)).into_response())
}

/// `GET /admin`: where the sandbox is and who it is.
pub(crate) fn info_json(s: &AppState) -> Value {
    json!({
        "baseUrl": s.base_url,
        "apiVersion": crate::state::API_VERSION,
        "issuerDid": s.issuer.did(),
        "agentDid": s.agent.did(),
        "statusList": s.status_list_url(),
        "humancodeAppId": s.humancode.app_id(),
        "webhookMaxAttempts": s.webhook_max_attempts,
    })
}

pub(crate) async fn info(State(s): St) -> Json<Value> {
    Json(info_json(&s))
}

#[derive(Deserialize, Default)]
pub(crate) struct RevokeBody {
    reason: Option<String>,
}

/// `POST /admin/credentials/{id}/revoke`: revokes as `DELETE /credential/revoke/{id}` does
/// (`{"reason": ...}` optional, default `admin`).
pub(crate) async fn revoke(
    State(s): St,
    Path(id): Path<String>,
    body: Option<Json<RevokeBody>>,
) -> ApiResult<Json<humanos_models::RevokeCredentialEntity>> {
    let reason = body
        .and_then(|b| b.0.reason)
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| "admin".to_owned());
    if reason.chars().count() > 200 {
        return Err(ApiError::validation(vec![
            "reason must be shorter than or equal to 200 characters".into(),
        ]));
    }
    let _w = s.write.lock().await;
    Ok(Json(api::revoke_credential(&s, &id, reason)?))
}
