//! Serving an MCP server over stdio or Streamable HTTP, for the example, the CLI and servers
//! that need nothing more.

use rmcp::service::Service;
use rmcp::{RoleServer, ServiceExt};

/// Serves `service` over this process's standard input and output until the client closes
/// them.
///
/// # Errors
/// The connection could not start (the client did not initialize) or broke.
pub async fn serve_stdio<S: Service<RoleServer>>(service: S) -> std::io::Result<()> {
    let running = service
        .serve(rmcp::transport::stdio())
        .await
        .map_err(std::io::Error::other)?;
    running.waiting().await.map_err(std::io::Error::other)?;
    Ok(())
}

/// The path [`http_router`] serves the MCP endpoint at: `/mcp`.
#[cfg(feature = "http")]
pub const HTTP_PATH: &str = "/mcp";

/// An axum router serving the MCP endpoint at [`HTTP_PATH`] (Streamable HTTP, one session per
/// client: `factory` is called once per session, so give each a gate session of its own with
/// [`MandateGate::serve`](crate::MandateGate::serve)). Only loopback `Host`s are accepted
/// (rmcp's DNS-rebinding guard); serve it behind your own host list otherwise.
#[cfg(feature = "http")]
pub fn http_router<S, F>(factory: F) -> axum::Router
where
    S: rmcp::ServerHandler + Send + 'static,
    F: Fn() -> S + Send + Sync + 'static,
{
    use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
    use rmcp::transport::streamable_http_server::{
        StreamableHttpServerConfig, StreamableHttpService,
    };
    let service = StreamableHttpService::new(
        move || Ok(factory()),
        LocalSessionManager::default().into(),
        StreamableHttpServerConfig::default(),
    );
    axum::Router::new().nest_service(HTTP_PATH, service)
}

/// Serves [`http_router`] on `listener` until the process ends.
///
/// # Errors
/// The listener failed.
#[cfg(feature = "http")]
pub async fn serve_http<S, F>(listener: tokio::net::TcpListener, factory: F) -> std::io::Result<()>
where
    S: rmcp::ServerHandler + Send + 'static,
    F: Fn() -> S + Send + Sync + 'static,
{
    axum::serve(listener, http_router(factory)).await
}
