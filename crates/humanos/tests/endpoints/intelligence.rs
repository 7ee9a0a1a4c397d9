//! `client.intelligence()`: action, snapshot, window.

use humanos::models::{
    IntelligenceActionQuery, IntelligenceSnapshotQuery, IntelligenceWindowQuery,
};

use super::support::Reply;
use super::support::samples::instance;
use super::{query, same, server};

#[tokio::test]
async fn intelligence_action() {
    let (server, client) = server().await;
    let body = instance("IntelligenceActionEntity");
    server.push(Reply::json(200, &body));
    let action = client
        .intelligence()
        .action(IntelligenceActionQuery::new(
            "did:web:humanos.tech:org:1",
            "urn:via:action:1:v2",
        ))
        .await
        .unwrap();
    same(&action, &body);
    let got = server.only();
    assert_eq!(got.path, "/intelligence/action");
    assert_eq!(
        got.query,
        query(&[
            ("orgDid", "did:web:humanos.tech:org:1"),
            ("urn", "urn:via:action:1:v2")
        ])
    );
    server.assert_clean();
}

#[tokio::test]
async fn intelligence_snapshot() {
    let (server, client) = server().await;
    let body = instance("IntelligenceSnapshotEntity");
    server.push(Reply::json(200, &body));
    let snapshot = client
        .intelligence()
        .snapshot(
            IntelligenceSnapshotQuery::new("did:web:o", "did:web:agent").at("2026-09-01T00:00:00Z"),
        )
        .await
        .unwrap();
    same(&snapshot, &body);
    let got = server.only();
    assert_eq!(got.path, "/intelligence/snapshot");
    assert_eq!(
        got.query,
        query(&[
            ("orgDid", "did:web:o"),
            ("did", "did:web:agent"),
            ("at", "2026-09-01T00:00:00Z")
        ])
    );
    server.assert_clean();
}

#[tokio::test]
async fn intelligence_window() {
    let (server, client) = server().await;
    let body = instance("IntelligenceWindowEntity");
    server.push(Reply::json(200, &body));
    let window = client
        .intelligence()
        .window(IntelligenceWindowQuery::new(
            "did:web:o",
            "did:web:agent",
            "2026-08-01T00:00:00Z",
            "2026-09-01T00:00:00Z",
        ))
        .await
        .unwrap();
    same(&window, &body);
    let got = server.only();
    assert_eq!(got.path, "/intelligence/window");
    assert_eq!(
        got.query,
        query(&[
            ("orgDid", "did:web:o"),
            ("did", "did:web:agent"),
            ("from", "2026-08-01T00:00:00Z"),
            ("to", "2026-09-01T00:00:00Z")
        ])
    );
    server.assert_clean();
}
