//! [`HumanosTools`]: an MCP server for Humanos itself, the tools an agent uses to ask for a
//! mandate, follow its request, list its mandates and check an action before taking it. The
//! `humanos mcp` command serves it. The API credentials stay in the [`HumanosClient`]: no tool
//! takes or returns them, and error texts carry only the API's status and message.

use humanos::models::{
    ActionDto, CredentialDto, CredentialType, GenerateRequestDto, JsonObject, RequestQuery,
};
use humanos::{Action, AuthorizeError, HumanosClient, Verdict};
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, Implementation, ServerCapabilities, ServerConfig};
use rmcp::schemars::JsonSchema;
use rmcp::{ErrorData, ServerHandler, tool, tool_handler, tool_router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::answer;

/// Arguments of `request_mandate`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct RequestMandate {
    /// The action the mandate is for (`urn:via:action:<uuid>`).
    pub action_id: String,
    /// The user who approves: an email address or a phone number.
    pub contact: String,
    /// The limits the user approves (the action's `userParams`, e.g. `{"maxAmount": 20}`).
    #[serde(default)]
    pub user_params: JsonObject,
    /// A name for the mandate, shown to the user.
    #[serde(default)]
    pub name: Option<String>,
}

/// Arguments of `request_status`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct RequestStatus {
    /// The request id `request_mandate` returned.
    pub request_id: String,
}

/// Arguments of `list_mandates`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct ListMandates {
    /// Only the requests of this user (contact or id).
    #[serde(default)]
    pub subject: Option<String>,
}

/// Arguments of `authorize`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct AuthorizeAction {
    /// The mandate to act under (`urn:via:credential:<uuid>`).
    pub mandate_id: String,
    /// The action about to be taken.
    pub action_id: String,
    /// Its `executionParams` (e.g. `{"amount": 12}`).
    #[serde(default)]
    pub execution_params: JsonObject,
}

/// The Humanos MCP server: `request_mandate`, `request_status`, `list_mandates`, `authorize`.
///
/// ```no_run
/// # async fn run(client: humanos::HumanosClient) -> std::io::Result<()> {
/// humanos_mcp::serve_stdio(humanos_mcp::HumanosTools::new(client)).await
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct HumanosTools {
    client: HumanosClient,
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl HumanosTools {
    /// The server, calling the API through `client`.
    pub fn new(client: HumanosClient) -> Self {
        Self {
            client,
            tool_router: Self::tool_router(),
        }
    }

    /// Creates the request; the user approves it at the returned link (or from the message
    /// Humanos sends).
    #[tool(
        description = "Ask a user to approve a mandate for an action (with its limits). Returns the request id, the mandate id it will issue and the approval link to show the user."
    )]
    async fn request_mandate(
        &self,
        Parameters(args): Parameters<RequestMandate>,
    ) -> Result<CallToolResult, ErrorData> {
        let name = args.name.unwrap_or_else(|| "Agent mandate".to_owned());
        let request = GenerateRequestDto::new(vec![args.contact.into()]).credentials(vec![
            CredentialDto::new(CredentialType::Policy, name)
                .scope("agent.execute")
                .action(ActionDto::new(args.action_id).user_params(args.user_params)),
        ]);
        Ok(match self.client.requests().create(request).await {
            Ok(created) => CallToolResult::structured(json!({
                "requestId": created.id,
                "mandateIds": created.credentials.iter().map(|c| &c.id).collect::<Vec<_>>(),
                "approvalUrl": created.subjects.iter().find_map(|s| s.link.as_deref()),
            })),
            Err(error) => api_failure(&error),
        })
    }

    /// The state of each mandate of a request.
    #[tool(
        description = "Check whether the user approved a mandate request: each mandate's status (DRAFT = waiting, ACTIVE = approved, INACTIVE = rejected, revoked or expired)."
    )]
    async fn request_status(
        &self,
        Parameters(args): Parameters<RequestStatus>,
    ) -> Result<CallToolResult, ErrorData> {
        Ok(
            match self.client.requests().detail(&args.request_id).await {
                Ok(detail) => CallToolResult::structured(json!({
                    "requestId": detail.id,
                    "canceled": detail.canceled_at.is_some(),
                    "mandates": detail.credentials.iter().map(|c| json!({
                        "id": c.id, "name": c.name, "status": c.status.as_str(),
                        "executionsRemaining": c.executions_remaining,
                    })).collect::<Vec<_>>(),
                })),
                Err(error) => api_failure(&error),
            },
        )
    }

    /// The mandates of the newest requests.
    #[tool(description = "List the mandates of the newest requests (one page), with their status.")]
    async fn list_mandates(
        &self,
        Parameters(args): Parameters<ListMandates>,
    ) -> Result<CallToolResult, ErrorData> {
        let mut query = RequestQuery::new();
        query.subject = args.subject;
        Ok(match self.client.requests().list(query).await {
            Ok(page) => {
                let mandates: Vec<Value> = page
                    .items
                    .iter()
                    .flat_map(|r| {
                        r.credentials.iter().map(|c| {
                            json!({"id": c.id, "name": c.name, "status": c.status.as_str(), "requestId": r.id})
                        })
                    })
                    .collect();
                CallToolResult::structured(json!({"mandates": mandates}))
            }
            Err(error) => api_failure(&error),
        })
    }

    /// `authorize`: allow or deny, with each rule's result.
    #[tool(
        description = "Check whether a mandate allows an action with these executionParams, before taking it. Answers allow or deny with the reason and each rule's result."
    )]
    async fn authorize(
        &self,
        Parameters(args): Parameters<AuthorizeAction>,
    ) -> Result<CallToolResult, ErrorData> {
        let action = Action::new(args.action_id).params(args.execution_params);
        Ok(
            match self.client.authorize(&args.mandate_id, action).await {
                Ok(decision) => {
                    let decided_by = decision.decided_by.as_str();
                    match decision.verdict {
                        Verdict::Allow(allow) => CallToolResult::structured(json!({
                            "decision": "allow", "decidedBy": decided_by, "evaluations": allow.evaluations,
                        })),
                        Verdict::Deny(deny) => CallToolResult::structured(json!({
                            "decision": "deny", "decidedBy": decided_by, "reason": deny.reason,
                            "message": deny.message, "evaluations": deny.evaluations,
                        })),
                    }
                }
                Err(AuthorizeError::Undecided(_)) => answer::undecided(),
                Err(error) => api_failure(error.error()),
            },
        )
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for HumanosTools {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("humanos", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "Humanos: ask the user for a mandate (request_mandate), follow it \
                 (request_status, list_mandates) and check an action against it (authorize) \
                 before taking it.",
            )
    }
}

/// A tool error for a failed API call: the status and the API's message, nothing else (no
/// URL, key or signature).
fn api_failure(error: &humanos::Error) -> CallToolResult {
    match error {
        humanos::Error::Api {
            status, message, ..
        } => answer::error(
            *status,
            "Humanos API error",
            &format!(
                "the Humanos API answered {status}: {}",
                message.as_deref().unwrap_or("no message")
            ),
        ),
        _ => answer::error(
            503,
            "Service Unavailable",
            "the Humanos API could not be reached; try again later",
        ),
    }
}
