//! The sandbox-only admin API (`/admin/...`): actions, deciding for a user, OTPs, simulated
//! events, webhook endpoints and deliveries. Every route is behind the admin guard
//! (`http::guard::require_admin`).

pub(crate) mod views;

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::context::{API_VERSION, Context};
use crate::domain::actions::define_action;
use crate::domain::credentials::revoke_credential;
use crate::domain::decision::{self, Decided};
use crate::domain::entities::typed;
use crate::domain::error::DomainResult;
use crate::domain::webhooks;
use crate::http::error::{ApiError, ApiResult};
use crate::records::{REQUEST, RequestRec};
use crate::store::DeliveryRow;
use crate::util;

type St = State<Arc<Context>>;

pub(crate) async fn define_actions(State(s): St, Json(def): Json<Value>) -> ApiResult<Response> {
    let _w = s.write.lock().await;
    let out = match def {
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|d| define_action(&s, d))
                .collect::<DomainResult<_>>()?,
        ),
        d => define_action(&s, d)?,
    };
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

#[derive(Deserialize, Default)]
pub(crate) struct SubjectSel {
    contact: Option<String>,
}

/// What one subject's decision did, as the admin API answers it.
fn decided_json(d: &Decided) -> Value {
    json!({
        "contact": d.contact,
        "decision": if d.accept { "accept" } else { "reject" },
        "credentialIds": d.credential_ids,
    })
}

/// `?all=true` (every undecided subject), `?all=false` or nothing (one subject).
fn all_subjects(raw: Option<&str>) -> ApiResult<bool> {
    match util::parse_query(raw).iter().find(|(k, _)| k == "all") {
        None => Ok(false),
        Some((_, v)) if v == "true" => Ok(true),
        Some((_, v)) if v == "false" => Ok(false),
        Some(_) => Err(ApiError::validation(vec![
            "all must be a boolean value".into(),
        ])),
    }
}

/// `POST /admin/requests/{id}/approve` (or `/reject`): decides for the subject with
/// `{"contact": ...}`, else for the first undecided one, and answers what it did:
/// `{requestId, contact, decision, credentialIds}` with that subject's credentials only. With
/// `?all=true` (and no contact), decides for every undecided subject:
/// `{requestId, decisions: [{contact, decision, credentialIds}], credentialIds: [all of them]}`.
pub(crate) async fn decide(
    State(s): St,
    Path((id, decision)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
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
    let all = all_subjects(raw.as_deref())?;
    let sel = body.map(|b| b.0).unwrap_or_default();
    if all && sel.contact.is_some() {
        return Err(ApiError::bad_request(
            "all=true decides for every undecided subject: send it without a contact",
        ));
    }
    let _w = s.write.lock().await;
    if all {
        let decided = decision::decide_all(&s, &id, accept, "admin")?;
        let ids: Vec<&String> = decided.iter().flat_map(|d| &d.credential_ids).collect();
        let decisions: Vec<Value> = decided.iter().map(decided_json).collect();
        return Ok(Json(
            json!({"requestId": id, "decisions": decisions, "credentialIds": ids}),
        ));
    }
    let decided = decision::decide(&s, &id, sel.contact.as_deref(), accept, "admin")?;
    let mut out = decided_json(&decided);
    if let Some(o) = out.as_object_mut() {
        o.insert("requestId".into(), decided.request_id.clone().into());
    }
    Ok(Json(out))
}

pub(crate) async fn otp(State(s): St, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let r: RequestRec = s
        .store
        .get(REQUEST, &id)?
        .ok_or_else(|| ApiError::not_found("Request not found"))?;
    Ok(Json(
        json!({"requestId": r.id, "subjects": r.subjects.iter().map(|x| json!({"contact": x.contact, "otp": x.otp, "link": s.approval_link(&r.id, &x.contact)})).collect::<Vec<_>>()}),
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
    let event = typed::<humanos_models::TestEvent>(json!({
        "eventType": "test",
        "requestId": request_id,
        "issuerDid": s.issuer.did(),
        "user": {"contact": "test@humanos.local", "id": "usr_test", "internalId": null},
        "api_version": API_VERSION,
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

fn find_delivery(s: &Context, id: i64) -> ApiResult<DeliveryRow> {
    s.store
        .delivery_rows(Some(id), 1)?
        .pop()
        .ok_or_else(|| ApiError::not_found("Delivery not found"))
}

/// `GET /admin/webhooks/deliveries/{id}`: one delivery with its attempts and decrypted event.
pub(crate) async fn delivery(State(s): St, Path(id): Path<i64>) -> ApiResult<Json<Value>> {
    Ok(Json(views::delivery_json(
        &s,
        &find_delivery(&s, id)?,
        true,
    )?))
}

/// `POST /admin/webhooks/deliveries/{id}/resend`: queues it again now, with a fresh budget.
pub(crate) async fn resend(State(s): St, Path(id): Path<i64>) -> ApiResult<Response> {
    if !s.store.resend(id, s.now_ms())? {
        return Err(ApiError::not_found("Delivery not found"));
    }
    s.wake_webhooks.notify_one();
    let d = views::delivery_json(&s, &find_delivery(&s, id)?, false)?;
    Ok((StatusCode::ACCEPTED, Json(d)).into_response())
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
    let _w = s.write.lock().await;
    Ok(Json(revoke_credential(&s, &id, reason)?))
}
