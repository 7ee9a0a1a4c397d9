//! The home page: where the sandbox is, and every request, mandate and action.

use axum::extract::State;
use axum::response::Html;

use super::layout::{badge, layout, seg};
use crate::context::{API_VERSION, Context};
use crate::records::{ACTION, ActionRec, CREDENTIAL, CredentialRec, REQUEST, RequestRec};
use crate::state::AppState;
use crate::util::html;

/// How many of the newest requests and mandates the home page lists.
const SHOWN: usize = 100;

/// `GET /admin` (browsers) and `GET /`.
pub(crate) async fn home(State(state): State<AppState>) -> Html<String> {
    let s = &state.ctx;
    let body = format!(
        "{}{}{}{}",
        sandbox_section(&state),
        requests_section(s),
        mandates_section(s),
        actions_section(s)
    );
    layout("Dashboard", "home", &body)
}

fn sandbox_section(state: &AppState) -> String {
    let (s, env) = (&state.ctx, state.env_lines());
    format!(
        "<section id=\"sandbox\"><h2>Sandbox</h2><table>\
         <tr><th>Base URL</th><td><code id=\"base-url\">{}</code></td></tr>\
         <tr><th>Issuer DID</th><td><code id=\"issuer-did\">{}</code></td></tr>\
         <tr><th>Agent DID</th><td><code>{}</code></td></tr>\
         <tr><th>API version</th><td><code>{}</code></td></tr></table>\
         <details id=\"env\"><summary>Environment lines to copy</summary><pre>{}</pre></details></section>",
        html(&s.base_url),
        html(s.issuer.did()),
        html(s.agent.did()),
        API_VERSION,
        html(&env),
    )
}

fn requests_section(s: &Context) -> String {
    let requests: Vec<RequestRec> = s.store.list(REQUEST).unwrap_or_default();
    let rows: String = requests
        .iter()
        .rev()
        .take(SHOWN)
        .map(|r| {
            let subjects: String = r
                .subjects
                .iter()
                .map(|x| {
                    format!(
                        "{} {}<br>",
                        html(&x.contact),
                        badge(x.decision.as_deref().unwrap_or("pending"))
                    )
                })
                .collect();
            let state = if r.canceled_at.is_some() {
                badge("canceled")
            } else {
                String::new()
            };
            format!(
                "<tr class=\"request\"><td><a href=\"/admin/requests/{}\"><code>{}</code></a> {state}</td>\
                 <td>{}</td><td>{subjects}</td><td>{}</td></tr>",
                seg(&r.id),
                html(&r.id),
                html(r.name.as_deref().unwrap_or("")),
                html(&r.created_at),
            )
        })
        .collect();
    format!(
        "<section id=\"requests\" data-live><h2>Requests ({})</h2><table><tr><th>Request</th><th>Name</th>\
         <th>Subjects and decisions</th><th>Created</th></tr>{rows}</table></section>",
        requests.len()
    )
}

/// One mandate's row: shared by the home page and the request page.
pub(super) fn mandate_row(c: &CredentialRec) -> String {
    let executions = match (c.executions_remaining, c.max_executions) {
        (Some(left), Some(max)) => format!("{left} of {max}"),
        (None, Some(max)) => format!("{max} of {max}"),
        _ => "unlimited".to_owned(),
    };
    format!(
        "<tr class=\"mandate\"><td><a href=\"/admin/credentials/{}\"><code>{}</code></a></td><td>{}</td>\
         <td class=\"status\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        seg(&c.id),
        html(&c.id),
        html(&c.name),
        badge(c.status.as_str()),
        html(&executions),
        html(c.valid_until.as_deref().unwrap_or("–")),
        html(c.inactive_reason.as_deref().unwrap_or("")),
    )
}

pub(super) const MANDATE_HEAD: &str = "<tr><th>Mandate</th><th>Name</th><th>Status</th>\
     <th>Executions left</th><th>Expires</th><th>Inactive because</th></tr>";

fn mandates_section(s: &Context) -> String {
    let creds: Vec<CredentialRec> = s.store.list(CREDENTIAL).unwrap_or_default();
    let rows: String = creds.iter().rev().take(SHOWN).map(mandate_row).collect();
    format!(
        "<section id=\"mandates\" data-live><h2>Mandates ({})</h2><table>{MANDATE_HEAD}{rows}</table></section>",
        creds.len()
    )
}

fn actions_section(s: &Context) -> String {
    let actions: Vec<ActionRec> = s.store.list(ACTION).unwrap_or_default();
    let rows: String = actions
        .iter()
        .map(|a| {
            let versions: Vec<String> = a
                .versions
                .iter()
                .map(|v| format!("v{} ({})", v.version, html(&v.created_at)))
                .collect();
            format!(
                "<tr class=\"action\"><td><a href=\"/admin/actions/{}\"><code>{}</code></a></td><td>{}</td><td>{}</td></tr>",
                seg(&a.id),
                html(&a.id),
                html(&a.name),
                versions.join(", ")
            )
        })
        .collect();
    format!(
        "<section id=\"actions\" data-live><h2>Actions ({})</h2><table><tr><th>Action</th><th>Name</th>\
         <th>Versions</th></tr>{rows}</table></section>",
        actions.len()
    )
}
