//! Humanos mandates for [Model Context Protocol](https://modelcontextprotocol.io) tools, on the
//! official Rust MCP SDK ([`rmcp`]).
//!
//! - [`MandateGate`]: mark a tool as mandate-protected, with a function from its arguments to
//!   the [`Action`](humanos::Action) and its `executionParams`. Each call is
//!   [`authorize`](humanos::HumanosClient::authorize)d (presentation, optional local pre-check,
//!   online verification) before the tool runs; a denial is a tool error (`isError: true`)
//!   naming the failing rules, an undecided call fails closed, and the handler receives the
//!   verdict ([`Authorized`]). A call without a mandate can ask the user from inside the
//!   session ([`MandateGate::request_mandates`]): URL elicitation, or the approval link.
//! - [`HumanosTools`]: an MCP server for Humanos itself (`humanos mcp`).
//!
//! The mandate travels in the `tools/call` request's `_meta` as `"humanos/mandate"`
//! ([`MANDATE_META`], every transport), or in a `Humanos-Mandate` header on Streamable HTTP.
//! The crate follows MCP revision **2025-11-25** ([`PROTOCOL_VERSION`]). See docs/mcp.md.
//!
//! ```no_run
//! use humanos::{Action, HumanosClient};
//! use humanos::enforce::Unmapped;
//! use humanos_mcp::{Authorized, MandateGate};
//! use rmcp::handler::server::router::tool::ToolRouter;
//! use rmcp::handler::server::tool::Extension;
//! use rmcp::handler::server::wrapper::Parameters;
//! use rmcp::schemars::{self, JsonSchema};
//! use rmcp::{ServerHandler, tool, tool_handler, tool_router};
//!
//! #[derive(serde::Deserialize, JsonSchema)]
//! #[schemars(crate = "rmcp::schemars")]
//! struct Buy {
//!     title: String,
//!     price_eur: u64,
//! }
//!
//! #[derive(Clone)]
//! struct Shop {
//!     tool_router: ToolRouter<Self>,
//! }
//!
//! #[tool_router]
//! impl Shop {
//!     #[tool(description = "Buy a book")]
//!     async fn buy_book(
//!         &self,
//!         Parameters(buy): Parameters<Buy>,
//!         Extension(authorized): Extension<Authorized>,
//!     ) -> String {
//!         format!("bought {} under {}", buy.title, authorized.mandate_id)
//!     }
//! }
//!
//! #[tool_handler]
//! impl ServerHandler for Shop {}
//!
//! # async fn run(client: HumanosClient) -> std::io::Result<()> {
//! let gate = MandateGate::new(client).protect("buy_book", |args| {
//!     let price = args
//!         .get("price_eur")
//!         .and_then(|p| p.as_u64())
//!         .ok_or_else(|| Unmapped::new("price_eur (whole euros) is required"))?;
//!     Ok(Action::new("urn:via:action:7d0c6f1e").param("amount", price))
//! });
//! let shop = Shop { tool_router: Shop::tool_router() };
//! humanos_mcp::serve_stdio(gate.serve(shop)).await
//! # }
//! ```

#![cfg_attr(docsrs, feature(doc_cfg))]

mod answer;
mod approval;
mod carrier;
mod decide;
mod delegate;
mod gate;
mod serve;
mod service;
mod tools;

pub use carrier::{CarrierError, MANDATE_META, MANDATE_RESULT_META};
pub use gate::{Authorized, DEFAULT_ELICITATION_TIMEOUT, MandateGate, ToolArguments};
pub use serve::serve_stdio;
#[cfg(feature = "http")]
pub use serve::{HTTP_PATH, http_router, serve_http};
pub use service::Gated;
pub use tools::{AuthorizeAction, HumanosTools, ListMandates, RequestMandate, RequestStatus};

/// The MCP revision this crate follows: 2025-11-25, the newest with the `initialize` handshake
/// and server-to-client requests (`elicitation/create` with `mode: "url"`). A gated server
/// negotiates no later revision.
pub const PROTOCOL_VERSION: rmcp::model::ProtocolVersion =
    rmcp::model::ProtocolVersion::V_2025_11_25;

pub use rmcp;
