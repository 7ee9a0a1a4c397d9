//! `client.did()`: resolve.

use super::support::Reply;
use super::support::samples::instance;
use super::{same, server};

#[tokio::test]
async fn did_resolve_sends_the_did_as_one_encoded_segment() {
    let (server, client) = server().await;
    let body = instance("DidDocumentEntity");
    server.push(Reply::json(200, &body));
    let document = client
        .did()
        .resolve("did:web:humanos.tech:org:7d0c")
        .await
        .unwrap();
    same(&document, &body);
    let got = server.only();
    assert_eq!(
        got.raw_path,
        "/did/resolve/did%3Aweb%3Ahumanos.tech%3Aorg%3A7d0c"
    );
    server.assert_clean();
}
