//! The tool results the gate answers with instead of running the tool. Each is an MCP tool
//! error (`isError: true`) whose text the model can read and explain, and whose
//! `structuredContent` has the API's own shapes: the `VerifyDenyResponseEntity` of a denial
//! (`reason`, `evaluations` naming each rule), `{"statusCode","message","error"}` otherwise.
//! None carries a secret or the cause of an outage (that is logged, in the
//! `humanos.authorize` span).

use humanos::models::VerifyDenyResponseEntity;
use rmcp::model::{CallToolResult, ContentBlock};
use serde_json::{Value, json};

use crate::approval::Pending;
use crate::decide::Why;

/// A tool error with `text` for the model and `structured` for programs.
fn tool_error(text: String, structured: Value) -> CallToolResult {
    let mut result = CallToolResult::error(vec![ContentBlock::text(text)]);
    result.structured_content = Some(structured);
    result
}

/// The API's error shape, as the HTTP enforcement point answers.
pub(crate) fn error(status: u16, error: &str, message: &str) -> CallToolResult {
    tool_error(
        message.to_owned(),
        json!({"statusCode": status, "message": message, "error": error}),
    )
}

/// A denial: the reason and each rule's result in the text, the API's body as structured
/// content.
pub(crate) fn denied(deny: &VerifyDenyResponseEntity) -> CallToolResult {
    let rules: Vec<String> = deny
        .evaluations
        .iter()
        .map(|e| format!("{}: {}", e.rule, e.result.as_str()))
        .collect();
    let rules = if rules.is_empty() {
        String::new()
    } else {
        format!(" Rules: {}.", rules.join(", "))
    };
    let text = format!(
        "Denied by the user's mandate ({}): {}.{rules} Do not retry this call unchanged.",
        deny.reason, deny.message
    );
    tool_error(
        text,
        serde_json::to_value(deny).unwrap_or_else(|_| json!({"reason": deny.reason})),
    )
}

/// No mandate, and no way to ask for one.
pub(crate) fn mandate_required() -> CallToolResult {
    error(
        401,
        "Unauthorized",
        "this tool needs a mandate: name it in the request's `_meta` as \"humanos/mandate\"",
    )
}

/// The arguments do not describe an action the tool knows.
pub(crate) fn unmapped(message: &str) -> CallToolResult {
    error(400, "Bad Request", message)
}

/// The API's answer is unknown, and the gate fails closed.
pub(crate) fn undecided() -> CallToolResult {
    error(
        503,
        "Service Unavailable",
        "the mandate could not be verified now; try again later",
    )
}

/// The mandate exists in no usable form (unknown, not accepted, not presentable here).
pub(crate) fn refused(api_message: Option<&str>) -> CallToolResult {
    let message = match api_message {
        Some(m) => format!("the mandate cannot be used: {m}"),
        None => "the mandate cannot be used".to_owned(),
    };
    error(403, "Forbidden", &message)
}

/// The user has to approve a mandate first: where, and what to do after.
pub(crate) fn approval_needed(pending: &Pending, why: &Why) -> CallToolResult {
    let how = match &pending.link {
        Some(link) => format!("Ask the user to open {link} and approve it"),
        None => "The user was sent the request to approve".to_owned(),
    };
    let message = format!(
        "{} The mandate request {} waits for the user's approval. {how}, then call this tool again.",
        why.text(),
        pending.request_id
    );
    tool_error(
        message.clone(),
        json!({
            "statusCode": 401,
            "error": "Mandate Required",
            "message": message,
            "requestId": pending.request_id,
            "approvalUrl": pending.link,
            "reason": why.0,
        }),
    )
}

/// The user declined or dismissed the approval.
pub(crate) fn declined(pending: &Pending) -> CallToolResult {
    tool_error(
        "The user did not approve the mandate request; the tool did not run.".to_owned(),
        json!({
            "statusCode": 403,
            "error": "Forbidden",
            "message": "the user did not approve the mandate request",
            "requestId": pending.request_id,
        }),
    )
}
