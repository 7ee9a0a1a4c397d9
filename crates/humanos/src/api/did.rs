use http::Method;
use humanos_models::DidDocumentEntity;

use super::handler;
use crate::call::{Call, decode_json};
use crate::query::segment;

handler! {
    /// DID resolution (`client.did` in the official SDK); see
    /// [`HumanosClient::did`](crate::HumanosClient::did).
    DidHandler
}

impl DidHandler<'_> {
    /// `GET /did/resolve/{did}`: the W3C DID document of an active Humanos DID
    /// (`did:web:humanos.tech:org:<uuid>`, `did:web:humanos.tech:user:<uuid>`). The DID is
    /// percent-encoded into one path segment. Unknown or inactive DIDs answer `404`.
    pub fn resolve(&self, did: &str) -> Call<DidDocumentEntity> {
        self.resolve_as(did)
    }

    /// Like [`resolve`](Self::resolve), decoded as any type (for example
    /// `serde_json::Value`, to keep the document exactly as served).
    pub fn resolve_as<T: serde::de::DeserializeOwned>(&self, did: &str) -> Call<T> {
        Call::new(
            self.client,
            "did.resolve",
            Method::GET,
            format!("/did/resolve/{}", segment(did)),
            decode_json::<T>,
        )
    }
}
