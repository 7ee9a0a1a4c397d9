//! `did:web` resolution and status-list fetching over HTTPS (feature `did-web`).

use reqwest::Client;
use serde_json::Value;

use crate::did::{
    DidDocument, DidResolver, MAX_DID_DOCUMENT_BYTES, ResolveError, ResolveFuture, split_did_url,
};
use crate::verify::{FetchFuture, StatusListFetcher};

/// Largest status list credential fetched, in bytes.
pub const MAX_STATUS_LIST_CREDENTIAL_BYTES: usize = 4 * 1024 * 1024;

/// Resolves `did:web` DIDs by fetching `https://<host>/.well-known/did.json` (or
/// `https://<host>/<path>/did.json`), and fetches status list credentials. Wrap it in a
/// [`CachingResolver`](crate::did::CachingResolver).
#[derive(Debug, Clone)]
pub struct DidWebResolver {
    client: Client,
}

impl DidWebResolver {
    /// Uses `client` (configure timeouts on it; redirects are followed as it is set up).
    pub fn new(client: Client) -> Self {
        Self { client }
    }

    /// The HTTPS URL of a `did:web` DID's document.
    pub fn document_url(did: &str) -> Result<String, ResolveError> {
        let (did, _) = split_did_url(did)?;
        let rest = did
            .strip_prefix("did:web:")
            .ok_or_else(|| ResolveError::UnsupportedMethod(did.to_owned()))?;
        let mut parts = rest.split(':');
        let host = parts
            .next()
            .unwrap_or_default()
            .replace("%3A", ":")
            .replace("%3a", ":");
        let valid = |s: &str| {
            !s.is_empty()
                && s != "."
                && s != ".."
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b))
        };
        if !valid(&host.replace(':', "")) {
            return Err(ResolveError::InvalidDid(did.to_owned()));
        }
        let path: Vec<&str> = parts.collect();
        if path.iter().any(|p| !valid(p)) {
            return Err(ResolveError::InvalidDid(did.to_owned()));
        }
        Ok(if path.is_empty() {
            format!("https://{host}/.well-known/did.json")
        } else {
            format!("https://{host}/{}/did.json", path.join("/"))
        })
    }

    async fn get_limited(&self, url: &str, limit: usize) -> Result<Vec<u8>, ResolveError> {
        let mut resp = self
            .client
            .get(url)
            .header("accept", "application/did+json, application/json")
            .send()
            .await
            .map_err(|e| ResolveError::Transport(e.without_url().to_string()))?;
        if resp.status() == reqwest::StatusCode::NOT_FOUND {
            return Err(ResolveError::NotFound(url.to_owned()));
        }
        if !resp.status().is_success() {
            return Err(ResolveError::Transport(format!(
                "{url} answered {}",
                resp.status()
            )));
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| ResolveError::Transport(e.without_url().to_string()))?
        {
            if body.len() + chunk.len() > limit {
                return Err(ResolveError::Transport(format!(
                    "{url}: response over {limit} bytes"
                )));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

impl DidResolver for DidWebResolver {
    fn resolve<'a>(&'a self, did: &'a str) -> ResolveFuture<'a> {
        Box::pin(async move {
            let url = Self::document_url(did)?;
            let body = self.get_limited(&url, MAX_DID_DOCUMENT_BYTES).await?;
            let doc = DidDocument::from_slice(&body)?;
            if doc.id != did {
                return Err(ResolveError::InvalidDocument(format!(
                    "{url} describes another DID"
                )));
            }
            Ok(doc)
        })
    }
}

impl StatusListFetcher for DidWebResolver {
    fn fetch<'a>(&'a self, url: &'a str) -> FetchFuture<'a> {
        Box::pin(async move {
            if !url.starts_with("https://") {
                return Err(ResolveError::Transport(
                    "status lists are fetched over https only".into(),
                ));
            }
            let body = self
                .get_limited(url, MAX_STATUS_LIST_CREDENTIAL_BYTES)
                .await?;
            serde_json::from_slice::<Value>(&body)
                .map_err(|e| ResolveError::InvalidDocument(e.to_string()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_urls() {
        assert_eq!(
            DidWebResolver::document_url("did:web:w3c-ccg.github.io").unwrap(),
            "https://w3c-ccg.github.io/.well-known/did.json"
        );
        assert_eq!(
            DidWebResolver::document_url("did:web:w3c-ccg.github.io:user:alice#k").unwrap(),
            "https://w3c-ccg.github.io/user/alice/did.json"
        );
        assert_eq!(
            DidWebResolver::document_url("did:web:example.com%3A3000").unwrap(),
            "https://example.com:3000/.well-known/did.json"
        );
        for bad in [
            "did:web:",
            "did:web:host:..",
            "did:key:z6Mk",
            "did:web:ex.com:a@b",
        ] {
            assert!(DidWebResolver::document_url(bad).is_err(), "{bad}");
        }
    }
}
