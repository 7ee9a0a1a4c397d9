//! The six-step lifecycle against a sandbox on 127.0.0.1, through signed HTTP calls.

mod support;

use humanos_sandbox::Sandbox;
use serde_json::{Value, json};
use support::{Client, purchase_action};

async fn mandate(c: &Client, sb: &humanos_sandbox::SandboxHandle, max: Option<u64>) -> String {
    let action = sb.define_action(purchase_action()).await.unwrap();
    let mut cred = json!({
        "scope": "agent.execute", "type": "POLICY", "name": "Action mandate",
        "action": {"id": action.id, "userParams": {"maxAmount": 10000, "allowedCategories": ["BOOKS", "OFFICE"]}}
    });
    if let Some(m) = max {
        cred["maxExecutions"] = m.into();
    }
    let (st, req) = c
        .call("POST", "/request", Some(&json!({"users": [{"contact": "ana@example.com"}], "securityLevel": "CONTACT", "credentials": [cred]})))
        .await;
    assert_eq!(st, 201, "{req}");
    let request_id = req["id"].as_str().unwrap();
    let ids = sb.approve(request_id).await.unwrap();
    assert_eq!(ids.len(), 1);
    ids[0].clone()
}

#[tokio::test]
async fn six_steps_allow_deny_revoke() {
    let sb = Sandbox::start_ephemeral().await.unwrap();
    let c = Client::new(&sb);
    let id = mandate(&c, &sb, None).await;
    assert_issued_and_active(&c, &id).await;
    let vp = present(&c, &id).await;
    let encoded = vp["presentationEncoded"].as_str().unwrap().to_owned();
    verify_allows_within_the_rules(&c, &vp, &encoded).await;
    verify_denies_outside_the_rules(&c, &encoded).await;
    verify_denies_undeclared_params_and_tampering(&c, &vp, &encoded).await;
    revoke_once(&c, &id).await;
    revoked_mandate_is_refused(&c, &id, &encoded).await;
    event_chain_records_it_all(&c, &id).await;
    c.assert_documented();
    sb.shutdown().await;
}

async fn assert_issued_and_active(c: &Client, id: &str) {
    let (st, cred) = c.call("GET", &format!("/credential/{id}"), None).await;
    assert_eq!(st, 200);
    assert_eq!(cred["status"], "ACTIVE");
    assert_eq!(
        cred["w3cCredential"]["proof"]["cryptosuite"],
        "eddsa-jcs-2022"
    );
}

async fn present(c: &Client, id: &str) -> Value {
    let (st, vp) = c
        .call("POST", &format!("/credential/vp/{id}"), Some(&json!({})))
        .await;
    assert_eq!(st, 201, "{vp}");
    vp
}

async fn verify_allows_within_the_rules(c: &Client, vp: &Value, encoded: &str) {
    let (st, allow) = c
        .call("POST", "/credential/verify", Some(&json!({"presentationEncoded": encoded, "executionParams": {"amount": 5000, "category": "BOOKS"}})))
        .await;
    assert_eq!(st, 201, "{allow}");
    assert_eq!(allow["decision"], "allow");
    assert_eq!(allow["evaluations"].as_array().unwrap().len(), 2);

    // The presentation object works too.
    let (st, _) = c
        .call("POST", "/credential/verify", Some(&json!({"presentation": vp["presentation"], "executionParams": {"amount": 1, "category": "OFFICE"}})))
        .await;
    assert_eq!(st, 201);
}

async fn verify_denies_outside_the_rules(c: &Client, encoded: &str) {
    let (st, deny) = c
        .call("POST", "/credential/verify", Some(&json!({"presentationEncoded": encoded, "executionParams": {"amount": 50000, "category": "FLIGHTS"}})))
        .await;
    assert_eq!(st, 403, "{deny}");
    assert_eq!(deny["decision"], "deny");
    assert_eq!(deny["reason"], "rule_failed");
    assert_eq!(deny["statusCode"], 403);
    let results: Vec<&str> = deny["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["result"].as_str().unwrap())
        .collect();
    assert_eq!(results, ["fail", "fail"]);
}

async fn verify_denies_undeclared_params_and_tampering(c: &Client, vp: &Value, encoded: &str) {
    // Undeclared execution params.
    let (st, bad) = c
        .call(
            "POST",
            "/credential/verify",
            Some(&json!({"presentationEncoded": encoded, "executionParams": {"amount": 1}})),
        )
        .await;
    assert_eq!(
        (st, bad["reason"].as_str()),
        (403, Some("execution_params_invalid"))
    );

    // A tampered presentation.
    let mut tampered = vp["presentation"].clone();
    tampered["verifiableCredential"][0]["credentialSubject"]["mandate"]["userParams"]["maxAmount"]
        ["value"] = json!(1_000_000);
    let (st, t) = c
        .call("POST", "/credential/verify", Some(&json!({"presentation": tampered, "executionParams": {"amount": 5000, "category": "BOOKS"}})))
        .await;
    assert_eq!(
        (st, t["reason"].as_str()),
        (403, Some("vp_signature_invalid")),
        "{t}"
    );
}

/// Revokes, then finds that a second revocation conflicts.
async fn revoke_once(c: &Client, id: &str) {
    let (st, rev) = c
        .call(
            "DELETE",
            &format!("/credential/revoke/{id}"),
            Some(&json!({"reason": "user_initiated"})),
        )
        .await;
    assert_eq!(st, 200, "{rev}");
    assert_eq!(rev["status"], "INACTIVE");
    let (st, again) = c
        .call(
            "DELETE",
            &format!("/credential/revoke/{id}"),
            Some(&json!({})),
        )
        .await;
    assert_eq!(st, 409, "{again}");
}

/// Neither a new presentation nor the one made before revocation is accepted.
async fn revoked_mandate_is_refused(c: &Client, id: &str, encoded: &str) {
    let (st, err) = c
        .call("POST", &format!("/credential/vp/{id}"), Some(&json!({})))
        .await;
    assert_eq!(st, 403, "{err}");
    assert_eq!(err["reason"], "credential_revoked");

    let (st, deny) = c
        .call("POST", "/credential/verify", Some(&json!({"presentationEncoded": encoded, "executionParams": {"amount": 5000, "category": "BOOKS"}})))
        .await;
    assert_eq!(
        (st, deny["reason"].as_str()),
        (403, Some("credential_revoked")),
        "{deny}"
    );
}

async fn event_chain_records_it_all(c: &Client, id: &str) {
    let (st, events) = c
        .call("GET", &format!("/credential/{id}/events"), None)
        .await;
    assert_eq!(st, 200);
    assert_eq!(events["ok"], true, "{events}");
    let kinds: Vec<&str> = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.first(), Some(&"ISSUE"));
    assert!(
        kinds.contains(&"VERIFICATION_APPROVED")
            && kinds.contains(&"VERIFICATION_DENIED")
            && kinds.contains(&"REVOKE"),
        "{kinds:?}"
    );
}

#[tokio::test]
async fn max_executions_exhausts_the_mandate() {
    let sb = Sandbox::start_ephemeral().await.unwrap();
    let c = Client::new(&sb);
    let id = mandate(&c, &sb, Some(2)).await;
    let (_, vp) = c
        .call(
            "POST",
            &format!("/credential/vp/{id}"),
            Some(&json!({"targetVerifier": "shop.example"})),
        )
        .await;
    assert_eq!(vp["presentation"]["proof"]["domain"], "shop.example");
    let body = json!({"presentationEncoded": vp["presentationEncoded"], "executionParams": {"amount": 1, "category": "BOOKS"}});
    for left in [1, 0] {
        let (st, _) = c.call("POST", "/credential/verify", Some(&body)).await;
        assert_eq!(st, 201);
        let (_, cred) = c.call("GET", &format!("/credential/{id}"), None).await;
        assert_eq!(cred["executionsRemaining"], left);
    }
    let (st, deny) = c.call("POST", "/credential/verify", Some(&body)).await;
    assert_eq!(
        (st, deny["reason"].as_str()),
        (403, Some("credential_revoked"))
    );
    c.assert_documented();
}

#[tokio::test]
async fn authentication_failures_say_why() {
    let sb = Sandbox::start_ephemeral().await.unwrap();
    let get = Get {
        http: reqwest::Client::new(),
        url: format!("{}/request", sb.base_url()),
    };
    missing_or_unknown_api_key(&get).await;
    let auth = ("authorization", format!("Bearer {}", sb.api_key()));
    let h = unsigned_stale_or_forged_signature(&get, &sb, &auth).await;
    api_version_headers(&get, &auth, &h).await;
}

/// `GET /request` with chosen headers.
struct Get {
    http: reqwest::Client,
    url: String,
}

impl Get {
    async fn send(&self, h: Vec<(&'static str, String)>) -> reqwest::Result<reqwest::Response> {
        let mut r = self.http.get(&self.url);
        for (k, v) in h {
            r = r.header(k, v);
        }
        r.send().await
    }
}

/// The status and JSON body of a response.
async fn body(r: reqwest::Response) -> (u16, Value) {
    (r.status().as_u16(), r.json::<Value>().await.unwrap())
}

async fn missing_or_unknown_api_key(get: &Get) {
    let (st, b) = body(get.send(vec![]).await.unwrap()).await;
    assert_eq!(st, 401);
    assert_eq!(b["error"], "Unauthorized");
    assert!(b["message"].as_str().unwrap().contains("Authorization"));

    let (st, b) = body(
        get.send(vec![("authorization", "Bearer nope".into())])
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((st, b["message"].as_str()), (401, Some("Invalid API key")));
}

/// With a valid key: no timestamp, a timestamp out of the window and a wrong signature are
/// refused, each saying so; a right one passes. Returns the passing headers.
async fn unsigned_stale_or_forged_signature(
    get: &Get,
    sb: &humanos_sandbox::SandboxHandle,
    auth: &(&'static str, String),
) -> humanos_signing::SignedHeaders {
    let (st, b) = body(get.send(vec![auth.clone()]).await.unwrap()).await;
    assert!(st == 401 && b["message"].as_str().unwrap().contains("X-Timestamp"));

    let signer = humanos_signing::RequestSigner::new(sb.api_key(), sb.signature_secret());
    let old = humanos_signing::SystemClock.now_unix_ms_for_test() - 10 * 60 * 1000;
    let h = signer.sign(old, b"");
    let (st, b) = body(
        get.send(vec![
            auth.clone(),
            ("x-timestamp", h.timestamp().into()),
            ("x-signature", h.signature().into()),
        ])
        .await
        .unwrap(),
    )
    .await;
    assert!(
        st == 401 && b["message"].as_str().unwrap().contains("window"),
        "{b}"
    );

    let h = signer.sign_now(b"");
    let (st, b) = body(
        get.send(vec![
            auth.clone(),
            ("x-timestamp", h.timestamp().into()),
            ("x-signature", "0".repeat(64)),
        ])
        .await
        .unwrap(),
    )
    .await;
    assert!(
        st == 401
            && b["message"]
                .as_str()
                .unwrap()
                .contains("X-Signature does not match"),
        "{b}"
    );

    let (st, _) = body(
        get.send(vec![
            auth.clone(),
            ("x-timestamp", h.timestamp().into()),
            ("x-signature", h.signature().into()),
        ])
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(st, 200);
    h
}

async fn api_version_headers(
    get: &Get,
    auth: &(&'static str, String),
    h: &humanos_signing::SignedHeaders,
) {
    // Two conflicting api-version headers: 400 saying so.
    let r = get
        .http
        .get(&get.url)
        .header(auth.0, auth.1.clone())
        .header("x-timestamp", h.timestamp())
        .header("x-signature", h.signature())
        .header("api-version", "2026-09-01")
        .header("api-version", "2025-12-01")
        .send()
        .await
        .unwrap();
    let (st, b) = body(r).await;
    assert!(st == 400 && b["message"].as_str().unwrap().contains("api-version"));

    // An unknown version is answered, with a warning.
    let r = get
        .http
        .get(&get.url)
        .header(auth.0, auth.1.clone())
        .header("x-timestamp", h.timestamp())
        .header("x-signature", h.signature())
        .header("api-version", "2099-01-01")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().get("warning").is_some());
}

trait NowForTest {
    fn now_unix_ms_for_test(&self) -> u64;
}
impl NowForTest for humanos_signing::SystemClock {
    fn now_unix_ms_for_test(&self) -> u64 {
        use humanos_signing::Clock;
        self.now_unix_ms()
    }
}

#[tokio::test]
async fn signatures_over_raw_bytes_the_service_reencodes_differently_are_refused() {
    // The service signs nothing but JSON.stringify(JSON.parse(body)): a client that signs the
    // bytes it sends fails there whenever those bytes re-serialize differently.
    let sb = Sandbox::start_ephemeral().await.unwrap();
    let signer = humanos_signing::RequestSigner::new(sb.api_key(), sb.signature_secret());
    let http = reqwest::Client::new();
    let post = |signed: &[u8], sent: &[u8]| {
        let h = signer.sign_now(signed);
        http.post(format!("{}/user", sb.base_url()))
            .header("authorization", h.authorization())
            .header("x-timestamp", h.timestamp())
            .header("x-signature", h.signature())
            .header("content-type", "application/json")
            .body(sent.to_vec())
            .send()
    };
    let bodies: [&[u8]; 4] = [
        br#"[{"contact": "bo@example.com"}]"#,
        br#"[{"contact":"bo@example.com","score":5000.0}]"#,
        br#"[{"contact":"bo@example.com","score":1E3}]"#,
        br#"[{"contact":"bo@example.com","extra":{"b":1,"1":2}}]"#,
    ];
    for body in bodies {
        let text = String::from_utf8_lossy(body);
        let raw = post(body, body).await.unwrap();
        assert_eq!(raw.status(), 401, "{text} signed as sent");
        let message = raw.json::<Value>().await.unwrap()["message"].to_string();
        assert!(message.contains("X-Signature does not match"), "{message}");
        let reencoded = humanos_signing::wire_json::reencode(body).unwrap();
        let ok = post(&reencoded, body).await.unwrap();
        assert_ne!(
            ok.status(),
            401,
            "{text} signed as the service re-serializes it"
        );
    }
    // A body that is not JSON cannot be re-serialized: refused before the signature, as the
    // service's JSON body parser refuses it.
    let r = post(b"{not json", b"{not json").await.unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn state_survives_a_restart_with_a_database_file() {
    let dir = std::env::temp_dir().join(format!("sandbox-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("state.db");
    let _ = std::fs::remove_file(&db);
    let sb = Sandbox::builder().database(&db).build().await.unwrap();
    let c = Client::new(&sb);
    let id = mandate(&c, &sb, None).await;
    let (key, issuer) = (sb.api_key().to_owned(), sb.issuer_did().to_owned());
    let (_, vp) = c
        .call("POST", &format!("/credential/vp/{id}"), Some(&json!({})))
        .await;
    sb.shutdown().await;

    let sb = Sandbox::builder().database(&db).build().await.unwrap();
    assert_eq!(
        (sb.api_key(), sb.issuer_did()),
        (key.as_str(), issuer.as_str())
    );
    let c = Client::new(&sb);
    let (st, cred) = c.call("GET", &format!("/credential/{id}"), None).await;
    assert_eq!((st, cred["status"].as_str()), (200, Some("ACTIVE")));
    let (st, allow) = c
        .call("POST", "/credential/verify", Some(&json!({"presentationEncoded": vp["presentationEncoded"], "executionParams": {"amount": 5, "category": "BOOKS"}})))
        .await;
    assert_eq!(st, 201, "{allow}");
    sb.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
