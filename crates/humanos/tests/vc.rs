//! `humanos_vc::did::DidResolver` over `GET /did/resolve/{did}` (feature `vc`).
#![cfg(feature = "vc")]

mod support;

use humanos_vc::did::{DidResolver, ResolveError};
use serde_json::json;
use support::{Reply, TestServer};

const DID: &str = "did:web:humanos.tech:org:7d0c6f1e";

#[tokio::test]
async fn the_client_resolves_dids_for_local_verification() {
    let server = TestServer::start().await;
    server.push(Reply::json(
        200,
        &json!({
            "@context": ["https://www.w3.org/ns/did/v1"],
            "id": DID,
            "verificationMethod": [],
            "assertionMethod": []
        }),
    ));
    server.push(Reply::error(404, "DID not found", "Not Found"));
    server.push(Reply::json(
        200,
        &json!({"@context": [], "id": "did:web:elsewhere", "verificationMethod": []}),
    ));
    let client = server.client();
    let resolver: &dyn DidResolver = &client;

    let document = resolver.resolve(DID).await.unwrap();
    assert_eq!(document.id, DID);
    assert!(matches!(resolver.resolve(DID).await, Err(ResolveError::NotFound(d)) if d == DID));
    assert!(matches!(
        resolver.resolve(DID).await,
        Err(ResolveError::InvalidDocument(_))
    ));

    let got = server.received();
    assert_eq!(
        got[0].raw_path,
        "/did/resolve/did%3Aweb%3Ahumanos.tech%3Aorg%3A7d0c6f1e"
    );
    server.assert_clean();
}
