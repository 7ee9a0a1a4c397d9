//! [`MandateGate`]: which tools are mandate-protected, how a call's arguments become the
//! [`Action`] to authorize, and the policies (pre-check, fail closed, asking the user).

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use humanos::enforce::{AuthorizePolicy, Grant, Undecided, Unmapped};
use humanos::models::{GenerateRequestDto, JsonObject};
use humanos::{Action, DecidedBy, HumanosClient};

use crate::approval::RequestFn;
use crate::service::Gated;

/// The arguments of a `tools/call` (`params.arguments`; an empty object when absent).
pub type ToolArguments = JsonObject;

type ActionFn = dyn Fn(&ToolArguments) -> Result<Action, Unmapped> + Send + Sync;

/// How long a URL elicitation waits for the user by default: 10 minutes.
pub const DEFAULT_ELICITATION_TIMEOUT: Duration = Duration::from_secs(600);

/// What the handler of a protected tool receives, in the request context's extensions: read it
/// with rmcp's `Extension<Authorized>` extractor (or `context.extensions.get::<Authorized>()`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Authorized {
    /// The mandate that authorized the call.
    pub mandate_id: String,
    /// The action and execution parameters that were authorized: act on these.
    pub action: Action,
    /// Allowed by the API (with the per-rule evaluations), or let through undecided under
    /// [`Undecided::FailOpen`].
    pub grant: Grant,
    /// Who decided: always the API for an allow.
    pub decided_by: DecidedBy,
}

/// The mandate gate for an MCP server: the tools it protects, each with a function from the
/// call's arguments to the [`Action`] and its `executionParams`. Build it once; clones share
/// it. [`serve`](Self::serve) wraps a server handler.
///
/// ```no_run
/// # fn run(client: humanos::HumanosClient) {
/// use humanos::Action;
/// use humanos::enforce::Unmapped;
/// use humanos_mcp::MandateGate;
///
/// let gate = MandateGate::new(client).protect("buy_book", |args| {
///     let price = args
///         .get("price_eur")
///         .and_then(|p| p.as_u64())
///         .ok_or_else(|| Unmapped::new("price_eur (whole euros) is required"))?;
///     Ok(Action::new("urn:via:action:7d0c6f1e").param("amount", price))
/// });
/// # let _ = gate; }
/// ```
#[derive(Clone)]
pub struct MandateGate {
    pub(crate) client: HumanosClient,
    tools: HashMap<String, Arc<ActionFn>>,
    pub(crate) policy: AuthorizePolicy,
    pub(crate) request: Option<Arc<RequestFn>>,
    pub(crate) elicitation_timeout: Duration,
}

impl fmt::Debug for MandateGate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut tools: Vec<&str> = self.tools.keys().map(String::as_str).collect();
        tools.sort_unstable();
        let mut d = f.debug_struct("MandateGate");
        d.field("client", &self.client)
            .field("tools", &tools)
            .field("policy", &self.policy)
            .field("asks_for_mandates", &self.request.is_some())
            .field("elicitation_timeout", &self.elicitation_timeout);
        d.finish()
    }
}

impl MandateGate {
    /// A gate that authorizes through `client`, protecting no tool yet. Fails closed; without
    /// [`request_mandates`](Self::request_mandates) a call without a mandate is refused.
    pub fn new(client: HumanosClient) -> Self {
        Self {
            client,
            tools: HashMap::new(),
            policy: AuthorizePolicy::new(),
            request: None,
            elicitation_timeout: DEFAULT_ELICITATION_TIMEOUT,
        }
    }

    /// Protects tool `name`: each call runs only when the mandate it names allows what
    /// `action` makes of its arguments. An [`Unmapped`] refuses the call with its message.
    pub fn protect(
        mut self,
        name: impl Into<String>,
        action: impl Fn(&ToolArguments) -> Result<Action, Unmapped> + Send + Sync + 'static,
    ) -> Self {
        self.tools.insert(name.into(), Arc::new(action));
        self
    }

    /// What to do when nobody could decide (default [`Undecided::FailClosed`]: a tool error).
    pub fn undecided(mut self, policy: Undecided) -> Self {
        self.policy = self.policy.undecided(policy);
        self
    }

    /// Binds each presentation to this verifier domain (`targetVerifier`).
    pub fn target_verifier(mut self, domain: impl Into<String>) -> Self {
        self.policy = self.policy.target_verifier(domain);
        self
    }

    /// Pre-checks each presentation locally (feature `precheck`): out-of-bounds calls are
    /// denied without an online verification.
    #[cfg(feature = "precheck")]
    pub fn precheck(mut self, check: humanos::LocalCheck) -> Self {
        self.policy = self.policy.precheck(check);
        self
    }

    /// Asks the user from inside the session: a call without a mandate (or with a revoked or
    /// expired one) creates the mandate request `request` builds for the action (who approves,
    /// the action and its `userParams`), and the client is shown the approval link (URL
    /// elicitation where it declared it, a tool error carrying the link otherwise). See
    /// docs/mcp.md.
    pub fn request_mandates(
        mut self,
        request: impl Fn(&Action) -> GenerateRequestDto + Send + Sync + 'static,
    ) -> Self {
        self.request = Some(Arc::new(request));
        self
    }

    /// How long a URL elicitation waits for the user (default
    /// [`DEFAULT_ELICITATION_TIMEOUT`]); then the call answers with the link.
    pub fn elicitation_timeout(mut self, timeout: Duration) -> Self {
        self.elicitation_timeout = timeout;
        self
    }

    /// Whether tool `name` is protected.
    pub fn protects(&self, name: &str) -> bool {
        self.tools.contains_key(name)
    }

    /// The action a call of `tool` with `arguments` would take (`None`: not protected).
    pub(crate) fn action(
        &self,
        tool: &str,
        arguments: &ToolArguments,
    ) -> Option<Result<Action, Unmapped>> {
        self.tools.get(tool).map(|f| f(arguments))
    }

    /// Wraps `handler`: protected tools are authorized before it sees them, everything else
    /// goes straight through. Each call of `serve` starts a session of its own (what the user
    /// approved from inside it stays in it): call it once per connection, in the service
    /// factory of the Streamable HTTP transport.
    pub fn serve<H>(&self, handler: H) -> Gated<H> {
        Gated::new(handler, self.clone())
    }
}
