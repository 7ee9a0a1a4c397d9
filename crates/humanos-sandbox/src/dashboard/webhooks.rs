//! The webhooks page: endpoints (add, remove, send a test event) and every delivery with its
//! attempts, next retry, final state, a resend button and the decrypted payload on demand.

use axum::extract::State;
use axum::response::Html;
use serde_json::json;

use super::layout::{St, action_button, badge, layout, seg, when};
use crate::admin::views::delivery_state;
use crate::context::Context;
use crate::store::DeliveryRow;
use crate::util::html;

/// How many of the newest deliveries the page lists.
const SHOWN: usize = 200;

pub(super) async fn page(State(s): St) -> Html<String> {
    let body = format!("{}{}", endpoints(&s), deliveries(&s));
    layout("Webhooks", "webhooks", &body)
}

fn endpoints(s: &Context) -> String {
    let urls = s
        .webhook_urls
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let rows: String = urls
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let body = json!({ "url": u }).to_string();
            format!(
                "<tr class=\"endpoint\"><td><code>{}</code></td><td><button id=\"remove-{i}\" \
                 data-action=\"DELETE /admin/webhooks/endpoints\" data-body=\"{}\">Remove</button></td></tr>",
                html(u),
                html(&body)
            )
        })
        .collect();
    format!(
        "<section><h2>Endpoints</h2><div id=\"endpoints\" data-live><table>{rows}</table>\
         <p class=\"muted\">Deliveries are retried with backoff up to {} attempts, then dead-lettered. \
         Redirects are not followed.</p></div>\
         <form id=\"add-endpoint\" data-action=\"POST /admin/webhooks/endpoints\">\
         <input id=\"endpoint-url\" name=\"url\" type=\"url\" placeholder=\"http://127.0.0.1:3000/webhooks/humanos\" required> \
         <button id=\"add\" type=\"submit\">Add endpoint</button></form>\
         <p>{}</p></section>",
        s.webhook_max_attempts,
        action_button(
            "send-test",
            "POST",
            "/admin/webhooks/test",
            "Send test event"
        ),
    )
}

fn deliveries(s: &Context) -> String {
    let rows: String = s
        .store
        .delivery_rows(None, SHOWN)
        .unwrap_or_default()
        .iter()
        .map(|d| delivery_row(s, d))
        .collect();
    format!(
        "<section id=\"deliveries\" data-live><h2>Deliveries</h2><table><tr><th>#</th><th>Event</th>\
         <th>Endpoint</th><th>State</th><th>Attempts</th><th>Next retry</th><th></th></tr>{rows}</table></section>"
    )
}

fn delivery_row(s: &Context, d: &DeliveryRow) -> String {
    let event: serde_json::Value = serde_json::from_str(&d.event).unwrap_or_default();
    let field = |k: &str| {
        event
            .get(k)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_owned()
    };
    let request_id = field("requestId");
    let request = if request_id.is_empty() || request_id.starts_with("req_test_") {
        html(&request_id)
    } else {
        format!(
            "<a href=\"/admin/requests/{}\"><code>{}</code></a>",
            seg(&request_id),
            html(&request_id)
        )
    };
    let attempts: String = s
        .store
        .attempts(d.id)
        .unwrap_or_default()
        .iter()
        .map(|a| {
            let (class, outcome) = match (a.status, &a.error) {
                (Some(code), None) => ("ok", format!("HTTP {code}")),
                (_, Some(e)) => ("fail", e.clone()),
                (None, None) => ("fail", "no answer".to_owned()),
            };
            format!(
                "<span class=\"attempt {class}\" title=\"{t}\">{t} · {} · {} ms</span>",
                html(&outcome),
                a.latency_ms,
                t = html(&crate::util::iso(a.at_ms)),
            )
        })
        .collect();
    let state = delivery_state(d);
    let next = if state == "pending" {
        when(Some(d.next_ms))
    } else {
        String::new()
    };
    format!(
        "<tr class=\"delivery\" id=\"delivery-{id}\" data-state=\"{state}\"><td>{id}</td>\
         <td><strong class=\"event-type\">{}</strong><br>{request}</td><td><code>{}</code></td>\
         <td class=\"state\">{}</td><td class=\"attempts\">{attempts}</td><td>{}</td>\
         <td>{}<details id=\"payload-{id}\" data-src=\"/admin/webhooks/deliveries/{id}\">\
         <summary>Payload</summary><pre></pre></details></td></tr>",
        html(&field("eventType")),
        html(&d.url),
        badge(state),
        html(&next),
        action_button(
            &format!("resend-{}", d.id),
            "POST",
            &format!("/admin/webhooks/deliveries/{}/resend", d.id),
            "Resend"
        ),
        id = d.id,
    )
}
