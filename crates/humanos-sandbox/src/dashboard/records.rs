//! The request page (subjects, decisions, approval links, mandates) and the mandate page (the
//! W3C credential, the verified event chain, presentations and verifications, revoke).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::home::{MANDATE_HEAD, mandate_row};
use super::layout::{St, action_button, badge, layout, pretty, seg};
use crate::context::Context;
use crate::domain::mandate;
use crate::records::{
    ACTION, ActionRec, CREDENTIAL, CredentialRec, CredentialStatus, REQUEST, RequestRec,
};
use crate::util::{self, html};

fn not_found(what: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        layout(
            "Not found",
            "",
            &format!("<p id=\"error\">{}</p>", html(what)),
        ),
    )
        .into_response()
}

/// `GET /admin/requests/{id}` (the dashboard's request page).
pub(crate) async fn request_page(State(s): St, Path(id): Path<String>) -> Response {
    let Ok(Some(r)) = s.store.get::<RequestRec>(REQUEST, &id) else {
        return not_found("This request does not exist.");
    };
    let subjects: String = r
        .subjects
        .iter()
        .map(|x| {
            let link = s.approval_link(&r.id, &x.contact);
            let open = if x.decision.is_none() && r.canceled_at.is_none() {
                format!(
                    "<a class=\"approval-link\" href=\"{}\">Open the approval page</a>",
                    html(&link)
                )
            } else {
                String::new()
            };
            format!(
                "<tr class=\"subject\"><td>{}</td><td class=\"decision\">{}</td><td>{}</td>\
                 <td><code class=\"otp\">{}</code></td><td>{open}</td></tr>",
                html(&x.contact),
                badge(x.decision.as_deref().unwrap_or("pending")),
                html(x.decided_at.as_deref().unwrap_or("–")),
                html(&x.otp),
            )
        })
        .collect();
    let mandates: String = r
        .subjects
        .iter()
        .flat_map(|x| &x.credential_ids)
        .filter_map(|cid| s.store.get::<CredentialRec>(CREDENTIAL, cid).ok().flatten())
        .map(|c| mandate_row(&c))
        .collect();
    let canceled = r
        .canceled_at
        .as_deref()
        .map(|at| format!("<p>{} at {}</p>", badge("canceled"), html(at)))
        .unwrap_or_default();
    let body = format!(
        "<p><code id=\"request-id\">{}</code> {} <span class=\"muted\">created {}, security level {}</span></p>{canceled}\
         <section id=\"subjects\" data-live><h2>Subjects</h2><p class=\"muted\">Play the user: open the \
         approval page and type the security code (the real service emails it).</p><table><tr><th>Contact</th>\
         <th>Decision</th><th>Decided at</th><th>Security code</th><th></th></tr>{subjects}</table></section>\
         <section id=\"request-mandates\" data-live><h2>Mandates</h2><table>{MANDATE_HEAD}{mandates}</table></section>",
        html(&r.id),
        html(r.name.as_deref().unwrap_or("")),
        html(&r.created_at),
        html(&r.security_level),
    );
    layout("Request", "", &body).into_response()
}

/// `GET /admin/credentials/{id}` (the dashboard's mandate page).
pub(crate) async fn credential_page(State(s): St, Path(id): Path<String>) -> Response {
    let Ok(Some(c)) = s.store.get::<CredentialRec>(CREDENTIAL, &id) else {
        return not_found("This mandate does not exist.");
    };
    let body = format!(
        "{}{}{}<section id=\"credential-json\"><h2>W3C credential</h2>{}</section>",
        summary(&s, &c),
        presentations(&s, &c.id),
        chain(&s, &c.id),
        c.w3c
            .as_ref()
            .map(|w| pretty(&Value::Object(w.clone())))
            .unwrap_or_else(|| "<p class=\"muted\">Not issued yet (draft).</p>".to_owned()),
    );
    layout("Mandate", "", &body).into_response()
}

fn summary(s: &Context, c: &CredentialRec) -> String {
    let action = c.action.as_ref().map(|pin| {
        let name = s
            .store
            .get::<ActionRec>(ACTION, &pin.id)
            .ok()
            .flatten()
            .map_or_else(|| pin.id.clone(), |a| a.name);
        format!(
            "<tr><th>Action</th><td>{} (version {})</td></tr><tr><th>User parameters</th><td>{}</td></tr>",
            html(&name),
            pin.version,
            pretty(&Value::Object(pin.user_params.clone()))
        )
    });
    let revoke = if c.status == CredentialStatus::Active {
        action_button(
            "revoke",
            "POST",
            &format!("/admin/credentials/{}/revoke", seg(&c.id)),
            "Revoke",
        )
    } else {
        String::new()
    };
    let executions = match (c.executions_remaining, c.max_executions) {
        (Some(left), Some(max)) => format!("{left} of {max}"),
        _ => "unlimited".to_owned(),
    };
    format!(
        "<section id=\"summary\" data-live><h2><code id=\"credential-id\">{}</code></h2><table>\
         <tr><th>Name</th><td>{}</td></tr>\
         <tr><th>Status</th><td id=\"status\">{} {}</td></tr>\
         <tr><th>Request</th><td><a href=\"/admin/requests/{}\"><code>{}</code></a></td></tr>\
         <tr><th>Executions left</th><td>{}</td></tr>\
         <tr><th>Valid</th><td>{}</td></tr>{}</table><p>{revoke}</p></section>",
        html(&c.id),
        html(&c.name),
        badge(c.status.as_str()),
        html(c.inactive_reason.as_deref().unwrap_or("")),
        seg(&c.request_id),
        html(&c.request_id),
        html(&executions),
        html(&match (&c.valid_from, &c.valid_until) {
            (None, None) => "no time limit".to_owned(),
            (from, until) => format!(
                "{} – {}",
                from.as_deref().unwrap_or("…"),
                until.as_deref().unwrap_or("…")
            ),
        }),
        action.unwrap_or_default(),
    )
}

fn yes_no(ok: bool) -> String {
    badge(if ok { "ok" } else { "fail" })
}

fn chain(s: &Context, id: &str) -> String {
    let Ok((events, ok)) = mandate::audit(s, id) else {
        return "<section id=\"events\"><p id=\"error\">The event chain cannot be read.</p></section>"
            .to_owned();
    };
    let rows: String = events
        .iter()
        .map(|e| {
            format!(
                "<tr class=\"event\"><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                html(e.event.as_ref()),
                html(&e.valid_from),
                html(&e.actor),
                yes_no(e.signature_valid),
                yes_no(e.content_bound),
                yes_no(e.chain_link_valid.unwrap_or(false)),
            )
        })
        .collect();
    let verdict = if ok {
        "<span class=\"badge ok\" id=\"chain-result\">chain verifies</span>"
    } else {
        "<span class=\"badge fail\" id=\"chain-result\">chain does not verify</span>"
    };
    format!(
        "<section id=\"events\" data-live><h2>Event chain {verdict}</h2><table><tr><th>Event</th><th>At</th>\
         <th>Actor</th><th>Signature</th><th>Content bound</th><th>Linked</th></tr>{rows}</table></section>"
    )
}

/// Presentations issued and verifications, from the event contents.
fn presentations(s: &Context, id: &str) -> String {
    let rows: String = s
        .store
        .events(id)
        .unwrap_or_default()
        .iter()
        .filter_map(|row| serde_json::from_str::<Value>(row).ok())
        .filter_map(|row| {
            let event = row.pointer("/signed/credentialSubject/event")?.as_str()?.to_owned();
            let at = util::iso(row.get("at").and_then(Value::as_u64).unwrap_or(0));
            let content = row.get("content").cloned().unwrap_or(Value::Null);
            let detail = match event.as_str() {
                "VP_CREATED" => format!(
                    "{} target verifier {}",
                    badge("presentation"),
                    html(content.get("targetVerifier").and_then(Value::as_str).unwrap_or("–"))
                ),
                "VERIFICATION_APPROVED" => format!("{} {}", badge("allow"), evaluations(&content)),
                "VERIFICATION_DENIED" => format!(
                    "{} {} {}",
                    badge("deny"),
                    html(content.get("reason").and_then(Value::as_str).unwrap_or("")),
                    evaluations(&content)
                ),
                _ => return None,
            };
            let params = content
                .get("executionParams")
                .filter(|p| !p.is_null())
                .map(|p| format!("<code>{}</code>", html(&p.to_string())))
                .unwrap_or_default();
            Some(format!(
                "<tr class=\"verification\"><td>{}</td><td>{}</td><td>{detail}</td><td>{params}</td></tr>",
                html(&event),
                html(&at)
            ))
        })
        .collect();
    format!(
        "<section id=\"presentations\" data-live><h2>Presentations and verifications</h2><table><tr>\
         <th>Event</th><th>At</th><th>Outcome</th><th>Execution parameters</th></tr>{rows}</table></section>"
    )
}

fn evaluations(content: &Value) -> String {
    let items: String = content
        .get("evaluations")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|e| {
                    let field = |k: &str| e.get(k).and_then(Value::as_str).unwrap_or("");
                    format!(
                        "<li>{} {} <span class=\"muted\">{}</span></li>",
                        html(field("rule")),
                        badge(field("result")),
                        html(field("reason"))
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    format!("<ul>{items}</ul>")
}

/// `GET /admin/actions/{id}` (the dashboard's action page): every version's definition and the
/// mandates that pin the action.
pub(crate) async fn action_page(State(s): St, Path(id): Path<String>) -> Response {
    let Ok(Some(a)) = s.store.get::<ActionRec>(ACTION, &id) else {
        return not_found("This action does not exist.");
    };
    let versions: String = a
        .versions
        .iter()
        .rev()
        .map(|v| {
            format!(
                "<h3>Version {} <span class=\"muted\">{} · <code>{}</code></span></h3>{}",
                v.version,
                html(&v.created_at),
                html(&v.digest_sri),
                pretty(&Value::Object(v.content.clone()))
            )
        })
        .collect();
    let mandates: String = s
        .store
        .list::<CredentialRec>(CREDENTIAL)
        .unwrap_or_default()
        .iter()
        .filter(|c| c.action.as_ref().is_some_and(|p| p.id == a.id))
        .map(mandate_row)
        .collect();
    let body = format!(
        "<p><code id=\"action-id\">{}</code> {}</p><section id=\"action-mandates\" data-live><h2>Mandates</h2>\
         <table>{MANDATE_HEAD}{mandates}</table></section><section><h2>Versions</h2>{versions}</section>",
        html(&a.id),
        html(&a.name),
    );
    layout("Action", "", &body).into_response()
}
