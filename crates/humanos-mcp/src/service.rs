//! [`Gated`]: an rmcp server handler whose protected tools run only when authorized. It wraps
//! the server's handler as a tower layer wraps a route: every request but a protected
//! `tools/call` goes straight to the handler (`delegate.rs`).

use std::borrow::Cow;
use std::sync::Arc;

use rmcp::model::{CallToolRequestParams, CallToolResponse, JsonObject, ProtocolVersion};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::Value;

use crate::MandateGate;
use crate::answer;
use crate::approval::Session;
use crate::carrier::{MANDATE_RESULT_META, carried_mandate};
use crate::decide::{Caller, Outcome};

/// A server handler behind a [`MandateGate`] (made by [`MandateGate::serve`]). It is a
/// [`ServerHandler`] itself: serve it as you would the handler, over stdio
/// ([`serve_stdio`](crate::serve_stdio)) or from the service factory of rmcp's Streamable
/// HTTP transport ([`http_router`](crate::http_router)).
#[derive(Debug)]
pub struct Gated<H> {
    inner: H,
    gate: MandateGate,
    session: Arc<Session>,
}

impl<H> Gated<H> {
    pub(crate) fn new(inner: H, gate: MandateGate) -> Self {
        Self {
            inner,
            gate,
            session: Session::new(),
        }
    }

    /// The wrapped handler.
    pub fn inner(&self) -> &H {
        &self.inner
    }
}

impl<H: ServerHandler> Gated<H> {
    /// `tools/call`: a protected tool is decided first; the handler runs only when allowed,
    /// with the [`Authorized`](crate::Authorized) in the request context's extensions.
    pub(crate) async fn call_protected(
        &self,
        request: CallToolRequestParams,
        mut context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let empty = JsonObject::new();
        let arguments = request.arguments.as_ref().unwrap_or(&empty);
        let Some(action) = self.gate.action(&request.name, arguments) else {
            return self.inner.call_tool(request, context).await;
        };
        let carried = match (action, carried_mandate(&context)) {
            (Err(unmapped), _) => return Ok(answer::unmapped(&unmapped.to_string()).into()),
            (_, Err(carrier)) => {
                return Ok(answer::error(400, "Bad Request", &carrier.to_string()).into());
            }
            (Ok(action), Ok(carried)) => (action, carried),
        };
        let (action, named) = carried;
        let caller = Caller {
            peer: &context.peer,
            protocol: context.protocol_version(),
            session: &self.session,
        };
        match self.gate.decide(&caller, named.clone(), action).await {
            Outcome::Answer(answer) => Ok(answer.into()),
            Outcome::Proceed(authorized) => {
                let used = (named.as_deref() != Some(authorized.mandate_id.as_str()))
                    .then(|| authorized.mandate_id.clone());
                context.extensions.insert(authorized);
                let response = self.inner.call_tool(request, context).await?;
                Ok(with_mandate(response, used))
            }
        }
    }

    /// The handler's versions up to [`PROTOCOL_VERSION`](crate::PROTOCOL_VERSION)
    /// (2025-11-25), the newest revision with server-to-client requests, which URL elicitation
    /// needs.
    pub(crate) fn protocol_versions(&self) -> Cow<'static, [ProtocolVersion]> {
        let known = ProtocolVersion::known_up_to(&crate::PROTOCOL_VERSION);
        let versions: Vec<ProtocolVersion> = self
            .inner
            .supported_protocol_versions()
            .iter()
            .filter(|v| known.contains(v))
            .cloned()
            .collect();
        Cow::Owned(versions)
    }
}

/// Hands back the mandate the gate used when the call did not name it (approved from inside
/// the session), in the result's `_meta`.
fn with_mandate(mut response: CallToolResponse, used: Option<String>) -> CallToolResponse {
    if let (CallToolResponse::Complete(result), Some(mandate)) = (&mut response, used) {
        result
            .meta
            .get_or_insert_with(Default::default)
            .insert(MANDATE_RESULT_META.to_owned(), Value::String(mandate));
    }
    response
}
