//! Who may use the admin routes and the dashboard: the per-run admin token and the `Host`
//! values the sandbox answers to (checked by `http::guard`).

use sha2::{Digest, Sha256};

use crate::util;

/// The header that carries the admin token.
pub const ADMIN_TOKEN_HEADER: &str = "x-sandbox-admin-token";
/// The cookie the dashboard sets once opened with `?token=`.
pub(crate) const ADMIN_COOKIE: &str = "humanos_sandbox_admin";

/// A fresh per-run admin token.
pub(crate) fn new_token() -> String {
    format!("sat_{}", util::random_token(32))
}

/// What the guard accepts: the token and the `Host` values the sandbox answers to.
pub(crate) struct AdminGuard {
    token: String,
    hosts: Vec<String>,
    origins: Vec<String>,
}

impl AdminGuard {
    /// `hosts` are `host[:port]` authorities, compared case-insensitively.
    pub(crate) fn new(token: String, hosts: Vec<String>) -> Self {
        let hosts: Vec<String> = hosts.into_iter().map(|h| h.to_ascii_lowercase()).collect();
        let origins = hosts
            .iter()
            .flat_map(|h| [format!("http://{h}"), format!("https://{h}")])
            .collect();
        Self {
            token,
            hosts,
            origins,
        }
    }

    /// The `http(s)://host` origins of the sandbox's own pages.
    pub(crate) fn origins(&self) -> &[String] {
        &self.origins
    }

    /// The admin token.
    pub(crate) fn token(&self) -> &str {
        &self.token
    }

    pub(crate) fn host_allowed(&self, host: &str) -> bool {
        self.hosts.iter().any(|h| h.eq_ignore_ascii_case(host))
    }

    pub(crate) fn token_matches(&self, candidate: &str) -> bool {
        // Hashing first makes the comparison independent of where the strings differ.
        Sha256::digest(candidate.as_bytes()) == Sha256::digest(self.token.as_bytes())
    }

    /// The cookie that `?token=` sets: HttpOnly, SameSite=Strict, the whole site.
    pub(crate) fn cookie(&self) -> String {
        format!(
            "{ADMIN_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict",
            self.token
        )
    }
}

/// The authorities a sandbox bound at `addr` and reached at `base_url` answers to: the bound
/// address, the loopback names on its port, and the public URL's authority.
pub(crate) fn allowed_hosts(addr: std::net::SocketAddr, base_url: &str) -> Vec<String> {
    let port = addr.port();
    let mut hosts = vec![
        addr.to_string(),
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
    ];
    if let Ok(u) = url::Url::parse(base_url)
        && let Some(h) = u.host_str()
    {
        hosts.push(match u.port() {
            Some(p) => format!("{h}:{p}"),
            None => h.to_owned(),
        });
        if let Some(p) = u.port_or_known_default() {
            hosts.push(format!("{h}:{p}"));
        }
    }
    hosts.dedup();
    hosts
}
