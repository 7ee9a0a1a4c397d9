//! The hosted approval page and the sandbox-only admin endpoints.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use humanos_models::JsonObject;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api;
use crate::state::{
    ACTION, ActionRec, ApiError, ApiResult, AppState, CREDENTIAL, CredentialRec, REQUEST,
    RequestRec, VersionRec,
};
use crate::util::{self, html};
use crate::webhooks;

type St = State<Arc<AppState>>;

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}\
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}\
button{font-size:1rem;padding:.5rem 1rem;margin:.3rem}.note{color:#666}";

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title>\
         <style>{STYLE}</style></head><body><h1>{t}</h1>{body}</body></html>",
        t = html(title)
    ))
}

fn error_page(status: StatusCode, message: &str) -> Response {
    (
        status,
        page(
            "Humanos sandbox",
            &format!("<p id=\"error\">{}</p>", html(message)),
        ),
    )
        .into_response()
}

/// `GET /approve/{requestId}?contact=...`: the hosted approval page.
pub(crate) async fn approval_page(
    State(s): St,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = util::parse_query(raw.as_deref());
    let contact = q
        .iter()
        .find(|(k, _)| k == "contact")
        .map(|(_, v)| v.clone());
    let Ok(Some(r)) = s.store.get::<RequestRec>(REQUEST, &id) else {
        return error_page(StatusCode::NOT_FOUND, "This request does not exist.");
    };
    let sub = match &contact {
        Some(c) => r
            .subjects
            .iter()
            .find(|x| x.contact.eq_ignore_ascii_case(c)),
        None => r
            .subjects
            .iter()
            .find(|x| x.decision.is_none())
            .or(r.subjects.first()),
    };
    let Some(sub) = sub else {
        return error_page(StatusCode::NOT_FOUND, "No such subject in this request.");
    };
    if r.canceled_at.is_some() {
        return error_page(StatusCode::GONE, "This request was canceled.");
    }
    if let Some(d) = &sub.decision {
        return error_page(
            StatusCode::CONFLICT,
            &format!("You already answered this request ({d})."),
        );
    }
    let mut creds = String::new();
    for cid in &sub.credential_ids {
        let Ok(Some(c)) = s.store.get::<CredentialRec>(CREDENTIAL, cid) else {
            continue;
        };
        creds += &format!("<h2>{}</h2>", html(&c.name));
        if let Some(d) = &c.description {
            creds += &format!("<p>{}</p>", html(d));
        }
        if let Some(pin) = &c.action {
            let action: Option<ActionRec> = s.store.get(ACTION, &pin.id).ok().flatten();
            let name = action
                .as_ref()
                .map(|a| a.name.clone())
                .unwrap_or_else(|| pin.id.clone());
            creds += &format!(
                "<p>Action: <strong>{}</strong> (version {})</p><table><tr><th>Parameter</th><th>Value you approve</th></tr>",
                html(&name),
                pin.version
            );
            for (k, v) in &pin.user_params {
                creds += &format!(
                    "<tr><td>{}</td><td class=\"user-param\">{}</td></tr>",
                    html(k),
                    html(&v.to_string())
                );
            }
            creds += "</table>";
            if let Some(max) = c.max_executions {
                creds += &format!("<p>Usable at most {max} time(s).</p>");
            }
        }
    }
    let body = format!(
        "<p>Request <code>{rid}</code>{name} for <strong>{contact}</strong>.</p>{creds}\
         <form method=\"post\" action=\"/approve/{rid_enc}\">\
         <input type=\"hidden\" name=\"contact\" value=\"{contact}\">\
         <p><label>Security code <input id=\"otp\" name=\"otp\" inputmode=\"numeric\" autocomplete=\"one-time-code\" maxlength=\"6\"></label></p>\
         <p class=\"note\">Sandbox: the code is printed in the server log instead of being emailed.</p>\
         <button id=\"accept\" type=\"submit\" name=\"decision\" value=\"accept\">Accept</button>\
         <button id=\"reject\" type=\"submit\" name=\"decision\" value=\"reject\">Reject</button></form>",
        rid = html(&r.id),
        rid_enc = html(&::humancode::encode_uri_component(&r.id)),
        name = r
            .name
            .as_deref()
            .map(|n| format!(" &ldquo;{}&rdquo;", html(n)))
            .unwrap_or_default(),
        contact = html(&sub.contact),
    );
    page("Review and decide", &body).into_response()
}

#[derive(Deserialize)]
pub(crate) struct DecisionForm {
    contact: String,
    otp: Option<String>,
    decision: String,
}

/// `POST /approve/{requestId}`: checks the OTP and applies the decision.
pub(crate) async fn approval_submit(
    State(s): St,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<DecisionForm>,
) -> Response {
    let _w = s.write.lock().await;
    let Ok(Some(r)) = s.store.get::<RequestRec>(REQUEST, &id) else {
        return error_page(StatusCode::NOT_FOUND, "This request does not exist.");
    };
    let Some(sub) = r
        .subjects
        .iter()
        .find(|x| x.contact.eq_ignore_ascii_case(&form.contact))
    else {
        return error_page(StatusCode::NOT_FOUND, "No such subject in this request.");
    };
    if sub.otp_failures >= 3 {
        return error_page(
            StatusCode::FORBIDDEN,
            "Too many wrong codes. Ask for a new code (PATCH /request/resend).",
        );
    }
    if form.otp.as_deref().map(str::trim) != Some(sub.otp.as_str()) {
        let failures = api::otp_failure(&s, &id, &form.contact).unwrap_or(0);
        tracing::warn!(request_id = %id, contact = %form.contact, failures, "wrong OTP on the approval page");
        let left = 3u32.saturating_sub(failures);
        return error_page(
            StatusCode::UNAUTHORIZED,
            &format!("Wrong security code. {left} attempt(s) left."),
        );
    }
    let accept = form.decision == "accept";
    match api::decide(&s, &id, Some(&form.contact), accept, "hosted") {
        Ok(r) => {
            let ids: Vec<String> = r
                .subjects
                .iter()
                .find(|x| x.contact.eq_ignore_ascii_case(&form.contact))
                .map(|x| x.credential_ids.clone())
                .unwrap_or_default();
            let list: String = ids
                .iter()
                .map(|i| format!("<li><code class=\"credential\">{}</code></li>", html(i)))
                .collect();
            let body = if accept {
                format!("<p id=\"result\">Accepted. Mandate issued:</p><ul>{list}</ul>")
            } else {
                "<p id=\"result\">Rejected. No mandate was issued.</p>".to_owned()
            };
            page(if accept { "Accepted" } else { "Rejected" }, &body).into_response()
        }
        Err(e) => error_page(e.status, &format!("{:?}", e.message)),
    }
}

// ---------------------------------------------------------------- admin

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

pub(crate) async fn admin_define_action(
    State(s): St,
    Json(def): Json<Value>,
) -> ApiResult<Response> {
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

pub(crate) async fn admin_decide(
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

pub(crate) async fn admin_otp(State(s): St, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let r: RequestRec = s
        .store
        .get(REQUEST, &id)?
        .ok_or_else(|| ApiError::not_found("Request not found"))?;
    Ok(Json(
        json!({"requestId": r.id, "subjects": r.subjects.iter().map(|x| json!({"contact": x.contact, "otp": x.otp, "link": api::approval_link(&s, &r.id, &x.contact)})).collect::<Vec<_>>()}),
    ))
}

pub(crate) async fn admin_identity(State(s): St, Path(id): Path<String>) -> ApiResult<Json<Value>> {
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

pub(crate) async fn admin_test_event(State(s): St) -> ApiResult<Response> {
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

pub(crate) async fn admin_add_endpoint(
    State(s): St,
    Json(e): Json<Endpoint>,
) -> ApiResult<Response> {
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

pub(crate) async fn admin_webhooks(State(s): St) -> ApiResult<Json<Value>> {
    let urls = s
        .webhook_urls
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let deliveries: Vec<Value> = s
        .store
        .deliveries()?
        .into_iter()
        .map(|(id, url, event, attempts, delivered, err)| {
            let t = serde_json::from_str::<Value>(&event).ok().and_then(|e| e.get("eventType").cloned());
            json!({"id": id, "url": url, "eventType": t, "attempts": attempts, "deliveredAt": delivered.map(|d| util::iso(d.max(0) as u64)), "lastError": err})
        })
        .collect();
    Ok(Json(json!({"endpoints": urls, "deliveries": deliveries})))
}

pub(crate) async fn admin_info(State(s): St) -> Json<Value> {
    Json(json!({
        "baseUrl": s.base_url,
        "apiVersion": crate::state::API_VERSION,
        "issuerDid": s.issuer.did(),
        "agentDid": s.agent.did(),
        "statusList": s.status_list_url(),
        "humancodeAppId": s.humancode.app_id(),
    }))
}

pub(crate) async fn index(State(s): St) -> Html<String> {
    let requests: Vec<RequestRec> = s.store.list(REQUEST).unwrap_or_default();
    let rows: String = requests
        .iter()
        .rev()
        .take(50)
        .map(|r| {
            let links: String = r
                .subjects
                .iter()
                .map(|x| {
                    format!(
                        "<a href=\"{}\">{}</a> ({}) ",
                        html(&api::approval_link(&s, &r.id, &x.contact)),
                        html(&x.contact),
                        html(x.decision.as_deref().unwrap_or("pending"))
                    )
                })
                .collect();
            format!(
                "<tr><td><code>{}</code></td><td>{}</td><td>{links}</td></tr>",
                html(&r.id),
                html(&r.created_at)
            )
        })
        .collect();
    page(
        "Humanos sandbox",
        &format!(
            "<p>API at <code>{}</code>. Issuer <code>{}</code>.</p><table><tr><th>Request</th><th>Created</th><th>Subjects</th></tr>{rows}</table>",
            html(&s.base_url),
            html(s.issuer.did())
        ),
    )
}
