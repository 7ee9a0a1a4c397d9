//! The hosted approval page: the user's, unauthenticated.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use crate::context::Context;
use crate::domain::decision;
use crate::http::error::ApiError;
use crate::records::{
    ACTION, ActionRec, CREDENTIAL, CredentialRec, REQUEST, RequestRec, SubjectRec,
};
use crate::util::{self, html};

type St = State<Arc<Context>>;

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
    let Some(sub) = page_subject(&r, contact.as_deref()) else {
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
    let creds: String = sub
        .credential_ids
        .iter()
        .filter_map(|cid| s.store.get::<CredentialRec>(CREDENTIAL, cid).ok().flatten())
        .map(|c| credential_html(&s, &c))
        .collect();
    page("Review and decide", &decision_form(&r, sub, &creds)).into_response()
}

/// The subject the page is for: the one with `contact`, else the first undecided one, else
/// the first.
fn page_subject<'r>(r: &'r RequestRec, contact: Option<&str>) -> Option<&'r SubjectRec> {
    match contact {
        Some(c) => r
            .subjects
            .iter()
            .find(|x| x.contact.eq_ignore_ascii_case(c)),
        None => r
            .subjects
            .iter()
            .find(|x| x.decision.is_none())
            .or(r.subjects.first()),
    }
}

/// One mandate to approve: its name, description, and the action with the user parameters.
fn credential_html(s: &Context, c: &CredentialRec) -> String {
    let mut out = format!("<h2>{}</h2>", html(&c.name));
    if let Some(d) = &c.description {
        out += &format!("<p>{}</p>", html(d));
    }
    if let Some(pin) = &c.action {
        let action: Option<ActionRec> = s.store.get(ACTION, &pin.id).ok().flatten();
        let name = action
            .as_ref()
            .map(|a| a.name.clone())
            .unwrap_or_else(|| pin.id.clone());
        out += &format!(
            "<p>Action: <strong>{}</strong> (version {})</p><table><tr><th>Parameter</th><th>Value you approve</th></tr>",
            html(&name),
            pin.version
        );
        for (k, v) in &pin.user_params {
            out += &format!(
                "<tr><td>{}</td><td class=\"user-param\">{}</td></tr>",
                html(k),
                html(&v.to_string())
            );
        }
        out += "</table>";
        if let Some(max) = c.max_executions {
            out += &format!("<p>Usable at most {max} time(s).</p>");
        }
    }
    out
}

/// The page body: what is asked of whom, the mandates, the code field and the two buttons.
fn decision_form(r: &RequestRec, sub: &SubjectRec, creds: &str) -> String {
    format!(
        "<p>Request <code>{rid}</code>{name} for <strong>{contact}</strong>.</p>{creds}\
         <form method=\"post\" action=\"/approve/{rid_enc}\">\
         <input type=\"hidden\" name=\"contact\" value=\"{contact}\">\
         <p><label>Security code <input id=\"otp\" name=\"otp\" inputmode=\"numeric\" autocomplete=\"one-time-code\" maxlength=\"6\"></label></p>\
         <p class=\"note\">Sandbox: the code is printed in the server log instead of being emailed.</p>\
         <button id=\"accept\" type=\"submit\" name=\"decision\" value=\"accept\">Accept</button>\
         <button id=\"reject\" type=\"submit\" name=\"decision\" value=\"reject\">Reject</button></form>",
        rid = html(&r.id),
        rid_enc = html(&humancode::encode_uri_component(&r.id)),
        name = r
            .name
            .as_deref()
            .map(|n| format!(" &ldquo;{}&rdquo;", html(n)))
            .unwrap_or_default(),
        contact = html(&sub.contact),
    )
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
        let failures = decision::otp_failure(&s, &id, &form.contact).unwrap_or(0);
        tracing::warn!(request_id = %id, contact = %form.contact, failures, "wrong OTP on the approval page");
        let left = 3u32.saturating_sub(failures);
        return error_page(
            StatusCode::UNAUTHORIZED,
            &format!("Wrong security code. {left} attempt(s) left."),
        );
    }
    let accept = form.decision == "accept";
    match decision::decide(&s, &id, Some(&form.contact), accept, "hosted") {
        Ok(decided) => {
            let list: String = decided
                .credential_ids
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
        Err(e) => {
            let e = ApiError::from(e);
            error_page(e.status, &e.text())
        }
    }
}
