//! The sandbox answers only what the API description documents: every enum-typed member of
//! every answer of a full lifecycle (both decisions, presentations, allowed and denied
//! verifications, revocation, a refused presentation after it, exhaustion, cancellation, every
//! read endpoint) and of every webhook payload it seals holds one of the values the description
//! lists (`spec/`, read by the test itself: `support::spec`). And the members whose shape the
//! description fixes beyond enums: `inactiveAt` once a credential is inactive, the one action
//! URN form (a version's) wherever the listing hands it out.

mod support;

use humanos_sandbox::{Sandbox, SandboxHandle};
use serde_json::{Value, json};
use support::{Client, admin_get, purchase_action, spec};

const ANA: &str = "ana@example.com";
const BO: &str = "bo@example.com";

/// A request for `cred` to `contacts`: its id.
async fn request(c: &Client, contacts: &[&str], cred: Value) -> String {
    let users: Vec<Value> = contacts.iter().map(|c| json!({"contact": c})).collect();
    let (status, req) = c
        .call(
            "POST",
            "/request",
            Some(&json!({"users": users, "credentials": [cred]})),
        )
        .await;
    assert_eq!(status, 201, "{req}");
    req["id"].as_str().unwrap().to_owned()
}

fn mandate(action_id: &str, max: Option<u64>) -> Value {
    let mut cred = json!({"type": "POLICY", "name": "Purchase mandate", "action": {"id": action_id, "userParams": {"maxAmount": 100, "allowedCategories": ["BOOKS"]}}});
    if let Some(m) = max {
        cred["maxExecutions"] = m.into();
    }
    cred
}

async fn present(c: &Client, id: &str) -> (u16, Value) {
    c.call("POST", &format!("/credential/vp/{id}"), Some(&json!({})))
        .await
}

async fn verify(c: &Client, vp: &Value, amount: u64) -> (u16, Value) {
    c.call("POST", "/credential/verify", Some(&json!({"presentationEncoded": vp["presentationEncoded"], "executionParams": {"amount": amount, "category": "BOOKS"}})))
        .await
}

/// The date `days` from today (UTC), `YYYY-MM-DD`.
fn day(days: i64) -> String {
    let d = time::OffsetDateTime::now_utc() + time::Duration::days(days);
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// The reads: every GET of the API on what exists.
async fn read_everything(c: &Client, sb: &SandboxHandle, request_id: &str, ids: &[String]) {
    let org = sb.issuer_did();
    let (_, actions) = c.call("GET", "/actions", None).await;
    let action = &actions["data"][0];
    let urn = action["versions"][0]["id"].as_str().unwrap();
    for path in [
        "/request".to_owned(),
        format!("/request/{request_id}"),
        format!("/actions/version/{}", action["id"].as_str().unwrap()),
        "/approvals".to_owned(),
        "/approvals/workflow".to_owned(),
        format!("/user?contact={ANA}"),
        format!("/did/resolve/{}", sb.agent_did()),
        format!("/intelligence/action?orgDid={org}&urn={urn}"),
        format!("/intelligence/snapshot?orgDid={org}&did={}", sb.agent_did()),
        format!(
            "/intelligence/window?orgDid={org}&did={}&from={}&to={}",
            sb.agent_did(),
            day(-1),
            day(1)
        ),
    ] {
        let (status, body) = c.call("GET", &path, None).await;
        assert_eq!(status, 200, "GET {path}: {body}");
    }
    for id in ids {
        for path in [
            format!("/credential/{id}"),
            format!("/credential/{id}/events"),
        ] {
            let (status, body) = c.call("GET", &path, None).await;
            assert_eq!(status, 200, "GET {path}: {body}");
        }
    }
}

/// Every webhook payload sealed so far (the admin API shows the event it sealed).
async fn sealed_events(sb: &SandboxHandle) -> Vec<Value> {
    let listing = admin_get(sb, "/admin/webhooks").await;
    let mut out = Vec::new();
    for d in listing["deliveries"].as_array().unwrap() {
        let detail = admin_get(sb, &format!("/admin/webhooks/deliveries/{}", d["id"])).await;
        out.push(detail["event"].clone());
    }
    out
}

#[tokio::test]
async fn every_enum_member_of_every_answer_and_payload_is_documented() {
    let receiver = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/hook", receiver.local_addr().unwrap());
    let sb = Sandbox::builder()
        .webhook_endpoint(hook)
        .build()
        .await
        .unwrap();
    let c = Client::new(&sb);
    let action = sb.define_action(purchase_action()).await.unwrap();

    // Two contacts: Ana accepts a bounded mandate, Bo rejects.
    let request_id = request(&c, &[ANA, BO], mandate(&action.id, Some(2))).await;
    let ana = sb.approve(&request_id).await.unwrap();
    let bo = sb.reject(&request_id).await.unwrap();
    let (status, vp) = present(&c, &ana[0]).await;
    assert_eq!(status, 201, "{vp}");
    assert_eq!(verify(&c, &vp, 50).await.0, 201);
    assert_eq!(verify(&c, &vp, 500).await.0, 403);
    let (status, revoked) = c
        .call(
            "DELETE",
            &format!("/credential/revoke/{}", ana[0]),
            Some(&json!({"reason": "user_initiated"})),
        )
        .await;
    assert_eq!(status, 200, "{revoked}");
    // Refused after revoke: no event the description does not list in the chain.
    assert_eq!(present(&c, &ana[0]).await.0, 403);
    assert_eq!(verify(&c, &vp, 50).await.0, 403);

    // A one-use mandate, exhausted; a request canceled before anyone decided.
    let once = request(&c, &[ANA], mandate(&action.id, Some(1))).await;
    let exhausted = sb.approve(&once).await.unwrap();
    let (_, vp) = present(&c, &exhausted[0]).await;
    assert_eq!(verify(&c, &vp, 1).await.0, 201);
    let canceled = request(&c, &[BO], mandate(&action.id, None)).await;
    assert_eq!(
        c.call("DELETE", &format!("/request/{canceled}"), None)
            .await
            .0,
        201
    );
    sb.send_test_event().unwrap();
    sb.admin_client()
        .post(format!(
            "{}/admin/requests/{request_id}/identity",
            sb.base_url()
        ))
        .send()
        .await
        .unwrap();

    let ids = [ana, bo, exhausted].concat();
    read_everything(&c, &sb, &request_id, &ids).await;

    let mut failures = c.undocumented();
    let events = sealed_events(&sb).await;
    let types: Vec<&str> = events
        .iter()
        .filter_map(|e| e["eventType"].as_str())
        .collect();
    for expected in ["credential", "test", "identity"] {
        assert!(
            types.contains(&expected),
            "no {expected} event among {types:?}"
        );
    }
    for event in &events {
        let kind = event["eventType"].as_str().unwrap_or_default();
        match spec::event_schema(kind) {
            Some(schema) => failures.extend(
                spec::undocumented_values(&schema, event)
                    .into_iter()
                    .map(|f| format!("webhook {kind} ({schema}) {f}")),
            ),
            None => failures.push(format!("webhook eventType {kind:?} is not documented")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} undocumented values:\n{}",
        failures.len(),
        failures.join("\n")
    );
    sb.shutdown().await;
}

/// The walk itself catches an undocumented value: an event kind in a chain, a status, a
/// webhook's decision action.
#[test]
fn the_walk_refuses_values_the_description_does_not_list() {
    let chain = json!({"credentialUrn": "urn:via:credential:1", "ok": true, "eventCount": 1, "events": [
        {"urn": "urn:via:event:1", "event": "VP_DENIED", "actor": "did:key:z", "issuer": "did:key:z",
         "validFrom": "2026-01-01T00:00:00.000Z", "contentBound": false, "signatureValid": true, "chainLinkValid": true}]});
    let found = spec::undocumented_values("ChainAuditEntity", &chain);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("$.events[0].event"), "{found:?}");
    let credential = json!({"id": "urn:via:credential:1", "resourceType": "JSON", "status": "REVOKED",
        "executionsRemaining": null, "w3cCredential": {}, "decisions": []});
    assert_eq!(
        spec::undocumented_values("CredentialEntity", &credential).len(),
        1
    );
    let ok = json!({"id": "urn:via:credential:1", "resourceType": "JSON", "status": "ACTIVE",
        "executionsRemaining": null, "w3cCredential": {}, "decisions": []});
    assert!(spec::undocumented_values("CredentialEntity", &ok).is_empty());
}

#[tokio::test]
async fn inactive_at_is_sent_once_a_credential_stops_being_usable() {
    let sb = Sandbox::start_ephemeral().await.unwrap();
    let c = Client::new(&sb);
    let action = sb.define_action(purchase_action()).await.unwrap();
    let inactive_at = |cred: &Value| cred["inactiveAt"].clone();

    let r = request(&c, &[ANA, BO], mandate(&action.id, Some(1))).await;
    let ana = sb.approve(&r).await.unwrap().remove(0);
    let bo = sb.reject(&r).await.unwrap().remove(0);
    let (_, active) = c.call("GET", &format!("/credential/{ana}"), None).await;
    assert_eq!(inactive_at(&active), Value::Null, "ACTIVE: {active}");
    let (_, rejected) = c.call("GET", &format!("/credential/{bo}"), None).await;
    assert_eq!(inactive_at(&rejected)["reason"], "rejected", "{rejected}");

    let (_, vp) = present(&c, &ana).await;
    assert_eq!(verify(&c, &vp, 1).await.0, 201);
    let (_, exhausted) = c.call("GET", &format!("/credential/{ana}"), None).await;
    assert_eq!(exhausted["status"], "INACTIVE");
    assert_eq!(exhausted["executionsRemaining"], 0);
    assert_eq!(inactive_at(&exhausted)["reason"], "exhausted:maxExecutions");
    assert!(
        inactive_at(&exhausted)["at"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );

    let r = request(&c, &[ANA], mandate(&action.id, None)).await;
    let id = sb.approve(&r).await.unwrap().remove(0);
    let (_, revoked) = c
        .call(
            "DELETE",
            &format!("/credential/revoke/{id}"),
            Some(&json!({"reason": "user_initiated"})),
        )
        .await;
    let (_, cred) = c.call("GET", &format!("/credential/{id}"), None).await;
    assert_eq!(inactive_at(&cred)["at"], revoked["revokedAt"], "{cred}");
    assert_eq!(inactive_at(&cred)["reason"], "revoked:user_initiated");
    // Unlimited: executionsRemaining stays the documented null.
    assert_eq!(cred["executionsRemaining"], Value::Null);

    let mut expiring = mandate(&action.id, None);
    expiring["validUntil"] = "2000-01-01T00:00:00.000Z".into();
    let r = request(&c, &[ANA], expiring).await;
    let id = sb.approve(&r).await.unwrap().remove(0);
    let (_, expired) = c.call("GET", &format!("/credential/{id}"), None).await;
    assert_eq!(expired["status"], "INACTIVE", "{expired}");
    assert_eq!(
        inactive_at(&expired),
        json!({"at": "2000-01-01T00:00:00.000Z", "reason": "expired"})
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn the_listing_hands_out_one_action_urn_form_and_it_resolves() {
    let sb = Sandbox::start_ephemeral().await.unwrap();
    let c = Client::new(&sb);
    let defined = sb.define_action(purchase_action()).await.unwrap();
    let (_, actions) = c.call("GET", "/actions", None).await;
    let action = &actions["data"][0];
    let (id, urn) = (
        action["id"].as_str().unwrap(),
        action["versions"][0]["id"].as_str().unwrap(),
    );
    assert_eq!(id, defined.id);
    assert_eq!(urn, defined.version_urn);
    assert!(
        !id.starts_with("urn:"),
        "an action id is an opaque id: {id}"
    );
    assert_eq!(urn, format!("urn:via:action:{id}:v1"));

    let org = sb.issuer_did();
    let (status, resolved) = c
        .call(
            "GET",
            &format!("/intelligence/action?orgDid={org}&urn={urn}"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{resolved}");
    assert_eq!(
        (resolved["urn"].as_str(), &resolved["version"]),
        (Some(urn), &json!(1))
    );
    let (status, _) = c
        .call(
            "GET",
            &format!("/intelligence/action?orgDid={org}&urn={id}"),
            None,
        )
        .await;
    assert_eq!(status, 404, "an action id is not a version URN");

    // ActionDto.id takes the action id; a version URN there is refused, naming the id.
    let (status, refused) = c
        .call(
            "POST",
            "/request",
            Some(&json!({"users": [{"contact": ANA}], "credentials": [mandate(urn, None)]})),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        refused["message"].as_str().unwrap().contains(id),
        "{refused}"
    );
    let r = request(&c, &[ANA], mandate(id, None)).await;
    sb.approve(&r).await.unwrap();

    // The snapshot keys its per-action figures by the same URN.
    let (_, snapshot) = c
        .call(
            "GET",
            &format!("/intelligence/snapshot?orgDid={org}&did={}", sb.agent_did()),
            None,
        )
        .await;
    assert_eq!(snapshot["activeMandates"]["actions"][urn], 1, "{snapshot}");
    sb.shutdown().await;
}
