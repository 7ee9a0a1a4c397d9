//! The HumanCode emulator: `get_id`, `vcode/verify`, `get_show_id` with the real checks
//! (app_id 10002, HMAC 10001, fields 10006, sessions and vcodes with their lifetimes 10010,
//! 10011, 10012, 10020), and the REGISTRATION / VERIFICATION pages with a "Scan palm" button
//! that succeeds or fails and redirects to `callback_url` with `session_id`, `vcode` and
//! `error_code`.
//!
//! The sandbox serves it on its own port beside the Humanos API (the paths do not collide);
//! [`Emulator::start`] runs it alone, as the `humancode` crate's tests do. Tests can queue
//! scripted answers ([`Scripted`]), force the next page outcome, move the clock, and read back
//! every received request.

mod api;
mod pages;
mod shared;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};

pub use shared::{PageMode, Received, SESSION_TTL_MS, Scripted, Shared, VCODE_TTL_MS};

/// The emulator's routes (API and pages), for mounting in a larger router.
pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/api/session/v2/get_id", post(api::api))
        .route("/api/vcode/v2/verify", post(api::api))
        .route("/api/vcode/v2/get_show_id", post(api::api))
        .route("/registration/index.html", get(pages::page))
        .route("/verification/index.html", get(pages::page))
        .route("/humancode/scan", get(pages::scan_action))
        .with_state(shared)
}

/// A standalone emulator on 127.0.0.1.
#[derive(Debug)]
pub struct Emulator {
    /// The bound address.
    pub addr: SocketAddr,
    /// The state, for scripting.
    pub shared: Arc<Shared>,
}

impl Emulator {
    /// Starts an emulator on 127.0.0.1:`port` (0 for any) in the current tokio runtime, with
    /// pages that act as an immediate successful scan ([`PageMode::AutoScan`]).
    pub async fn start(app_id: &str, app_key: &str, port: u16) -> std::io::Result<Emulator> {
        Self::start_with_mode(app_id, app_key, port, PageMode::AutoScan).await
    }

    /// Starts an emulator with pages in `mode`.
    pub async fn start_with_mode(
        app_id: &str,
        app_key: &str,
        port: u16,
        mode: PageMode,
    ) -> std::io::Result<Emulator> {
        let shared = Shared::new(app_id, app_key, mode);
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let app = router(shared.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Emulator { addr, shared })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// See [`Shared::script`].
    pub fn script(&self, answer: Scripted) {
        self.shared.script(answer);
    }

    /// See [`Shared::next_page_outcome`].
    pub fn next_page_outcome(&self, code: i64) {
        self.shared.next_page_outcome(code);
    }

    /// See [`Shared::advance`].
    pub fn advance(&self, by: Duration) {
        self.shared.advance(by);
    }

    /// See [`Shared::scan`].
    pub fn scan(&self, session_id: &str, human_id: Option<&str>) -> Option<String> {
        self.shared.scan(session_id, human_id)
    }

    /// See [`Shared::received`].
    pub fn received(&self) -> Vec<Received> {
        self.shared.received()
    }
}
