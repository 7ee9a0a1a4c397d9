//! The mandate-enforcement scenarios both adapters run over real HTTP on 127.0.0.1 in their
//! `tests/enforce.rs` (feature `enforce`), against an in-process `humanos-sandbox`.
//!
//! Each adapter serves [`ROUTE`] behind its layer or middleware, with a handler that answers
//! [`handler_body`] of what its `Mandate` extractor gave, and passes a function that starts such
//! a server for an [`Enforcer`] and returns its base URL. The sandbox is the authority: rules are
//! evaluated by its `POST /credential/verify`, and every online verification leaves a
//! `VERIFICATION_APPROVED` / `VERIFICATION_DENIED` event on the mandate's signed chain, which
//! [`Fixture::online_verifications`] counts through `GET /credential/{id}/events`.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use humanos::enforce::{Authorized, Enforcer, Grant, Undecided, Unmapped};
use humanos::models::{
    ActionDto, CredentialDto, CredentialType, EventType, GenerateRequestDto, RevokeCredentialDto,
    SecurityLevel,
};
use humanos::{Action, HumanosClient, LocalCheck};
use humanos_sandbox::{Sandbox, SandboxBuilder, SandboxHandle};
use serde_json::{Value, json};

/// The protected route: `POST /books/buy?price_eur=<whole euros>`.
pub const ROUTE: &str = "/books/buy";

/// The mandate's spending limit, in euros.
pub const LIMIT_EUR: u64 = 20;

/// The name of the action's one rule, which a denial must name.
pub const RULE: &str = "amount_within_limit";

/// A sandbox with a "buy a book" action and an approved mandate of [`LIMIT_EUR`].
pub struct Fixture {
    sandbox: Option<SandboxHandle>,
    /// A client of the sandbox.
    pub client: HumanosClient,
    /// The action's URN.
    pub action_id: String,
    /// The approved mandate's URN.
    pub mandate_id: String,
    /// The DID the sandbox issues mandates with (the pre-check must trust it).
    pub issuer_did: String,
}

impl Fixture {
    /// Starts the sandbox, publishes the action, requests and approves the mandate.
    pub async fn start() -> Self {
        Self::start_with(Sandbox::builder()).await
    }

    /// [`start`](Self::start) with a configured sandbox; the client talks to its bound
    /// address (not to its public URL, when one is set).
    pub async fn start_with(builder: SandboxBuilder) -> Self {
        let sandbox = builder.build().await.expect("sandbox");
        let client = HumanosClient::builder()
            .base_url(format!("http://{}", sandbox.addr()))
            .api_key(sandbox.api_key())
            .signature_secret(sandbox.signature_secret())
            .build()
            .expect("client");
        let action_id = sandbox
            .define_action(json!({
                "name": "Buy a book",
                "userParams": {"maxAmount": {"type": "number", "description": "Largest purchase, EUR"}},
                "executionParams": {"amount": {"type": "number"}},
                "rules": [{"name": RULE, "expression": "executionParams.amount <= userParams.maxAmount"}]
            }))
            .await
            .expect("action")
            .id;
        let request = client
            .requests()
            .create(
                GenerateRequestDto::new(vec!["ana@example.com".into()])
                    .security_level(SecurityLevel::Contact)
                    .credentials(vec![
                        CredentialDto::new(CredentialType::Policy, "Book budget")
                            .scope("agent.execute")
                            .action(ActionDto::new(&action_id).user_param("maxAmount", LIMIT_EUR)),
                    ]),
            )
            .await
            .expect("request");
        let mandate_id = sandbox
            .approve(&request.id)
            .await
            .expect("approve")
            .into_iter()
            .next()
            .expect("a mandate");
        Self {
            issuer_did: sandbox.issuer_did().to_owned(),
            sandbox: Some(sandbox),
            client,
            action_id,
            mandate_id,
        }
    }

    /// An enforcer reading `price_eur` from the query as the action's `amount`.
    pub fn enforcer(&self) -> Enforcer {
        self.enforcer_for(self.client.clone())
    }

    /// [`enforcer`](Self::enforcer) calling the API through `client`.
    pub fn enforcer_for(&self, client: HumanosClient) -> Enforcer {
        let action_id = self.action_id.clone();
        Enforcer::new(client, move |request| {
            let price = request
                .query_param("price_eur")
                .and_then(|p| p.parse::<u64>().ok())
                .ok_or_else(|| Unmapped::new("price_eur (whole euros) is required"))?;
            Ok(Action::new(action_id.clone()).param("amount", price))
        })
    }

    /// A pre-check through `client` that trusts the sandbox's issuer.
    pub fn local_check(&self, client: &HumanosClient) -> LocalCheck {
        LocalCheck::new(client).verifier(client.verifier().trust_issuer(self.issuer_did.clone()))
    }

    /// A client of the sandbox at `base_url` (the sandbox's own address, or a proxy).
    pub fn client_at(&self, base_url: &str) -> HumanosClient {
        let sandbox = self.sandbox.as_ref().expect("the sandbox is running");
        HumanosClient::builder()
            .base_url(base_url)
            .api_key(sandbox.api_key())
            .signature_secret(sandbox.signature_secret())
            .build()
            .expect("client")
    }

    /// The sandbox's own address (not its public URL).
    pub fn sandbox_addr(&self) -> std::net::SocketAddr {
        self.sandbox
            .as_ref()
            .expect("the sandbox is running")
            .addr()
    }

    /// Online verifications the sandbox recorded for the mandate.
    pub async fn online_verifications(&self) -> usize {
        let chain = self
            .client
            .credentials()
            .audit_events(&self.mandate_id)
            .await
            .expect("audit events");
        chain
            .events
            .iter()
            .filter(|e| {
                matches!(
                    e.event,
                    EventType::VerificationApproved | EventType::VerificationDenied
                )
            })
            .count()
    }

    /// Revokes the mandate.
    pub async fn revoke(&self) {
        self.client
            .credentials()
            .revoke(&self.mandate_id, RevokeCredentialDto::new())
            .await
            .expect("revoke");
    }

    /// Stops the sandbox: the API is unreachable from now on.
    pub async fn stop_sandbox(&mut self) {
        if let Some(sandbox) = self.sandbox.take() {
            sandbox.shutdown().await;
        }
    }
}

/// What the handler of [`ROUTE`] answers (200) for what the extractor gave it.
pub fn handler_body(authorized: &Authorized) -> Value {
    let grant = match &authorized.grant {
        Grant::Allowed(allow) => json!({"allowed": allow}),
        Grant::FailedOpen { .. } => json!("failed_open"),
        _ => json!("unknown"),
    };
    json!({
        "mandate": authorized.mandate_id,
        "amount": authorized.action.execution_params["amount"],
        "grant": grant,
    })
}

/// `POST {gateway}/books/buy?price_eur={price}` naming `mandate` (if any): status, body,
/// `WWW-Authenticate`.
pub async fn buy(
    gateway: &str,
    mandate: Option<&str>,
    query: &str,
) -> (u16, Value, Option<String>) {
    let mut request = reqwest::Client::new().post(format!("{gateway}{ROUTE}?{query}"));
    if let Some(mandate) = mandate {
        request = request.header("Humanos-Mandate", mandate);
    }
    let response = request.send().await.expect("gateway reachable");
    let status = response.status().as_u16();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body, challenge)
}

fn price(eur: u64) -> String {
    format!("price_eur={eur}")
}

/// Asserts a 403 carrying the API's deny shape with `reason`.
fn assert_denied(status: u16, body: &Value, reason: &str, mandate_id: &str) {
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["decision"], "deny", "{body}");
    assert_eq!(body["statusCode"], 403, "{body}");
    assert_eq!(body["reason"], reason, "{body}");
    assert_eq!(body["credentialId"], mandate_id, "{body}");
}

/// Asserts that the evaluations of `body` name the limit rule as failed.
fn assert_names_the_rule(body: &Value) {
    let evaluations = body["evaluations"].as_array().expect("evaluations");
    assert!(
        evaluations
            .iter()
            .any(|e| e["rule"] == RULE && e["result"] == "fail"),
        "{body}"
    );
}

/// Online enforcement (no pre-check): the header is required (401), the action function may
/// refuse (400), within the limit is allowed (200, the API's allow in the handler), above it
/// denied by the API naming the rule (403, one online verification), and after revocation
/// denied `credential_revoked`.
pub async fn allow_deny_by_rule_and_after_revoke<S, F>(serve: S)
where
    S: Fn(Enforcer) -> F,
    F: Future<Output = String>,
{
    let fixture = Fixture::start().await;
    let gateway = serve(fixture.enforcer()).await;
    let mandate = Some(fixture.mandate_id.as_str());

    let (status, body, challenge) = buy(&gateway, None, &price(12)).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(challenge.as_deref(), Some("Humanos-Mandate"));

    let (status, body, _) = buy(&gateway, mandate, "price_eur=twelve").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["message"], "price_eur (whole euros) is required");

    let (status, body, _) = buy(&gateway, mandate, &price(12)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["amount"], 12);
    assert_eq!(body["grant"]["allowed"]["decision"], "allow", "{body}");
    assert_eq!(fixture.online_verifications().await, 1);

    let (status, body, _) = buy(&gateway, mandate, &price(35)).await;
    assert_denied(status, &body, "rule_failed", &fixture.mandate_id);
    assert_names_the_rule(&body);
    assert_eq!(fixture.online_verifications().await, 2, "the API decided");

    fixture.revoke().await;
    let (status, body, _) = buy(&gateway, mandate, &price(12)).await;
    assert_denied(status, &body, "credential_revoked", &fixture.mandate_id);
}

/// With the local pre-check, an out-of-bounds request is denied naming the rule without an
/// online verification (no new event on the mandate's chain); an in-bounds one still goes to
/// the API.
pub async fn local_deny_spends_no_online_verification<S, F>(serve: S)
where
    S: Fn(Enforcer) -> F,
    F: Future<Output = String>,
{
    let fixture = Fixture::start().await;
    let local = fixture.local_check(&fixture.client);
    let gateway = serve(fixture.enforcer().precheck(local)).await;
    let mandate = Some(fixture.mandate_id.as_str());

    let (status, body, _) = buy(&gateway, mandate, &price(12)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(fixture.online_verifications().await, 1);

    for eur in [35, 21, 1000] {
        let (status, body, _) = buy(&gateway, mandate, &price(eur)).await;
        assert_denied(status, &body, "rule_failed", &fixture.mandate_id);
        assert_names_the_rule(&body);
    }
    assert_eq!(
        fixture.online_verifications().await,
        1,
        "local denials must not call POST /credential/verify"
    );

    let (status, body, _) = buy(&gateway, mandate, &price(LIMIT_EUR)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(fixture.online_verifications().await, 2);
}

/// With the API unreachable, a fail-closed enforcer answers 503 and a fail-open one runs the
/// handler with [`Grant::FailedOpen`].
pub async fn outage_is_503_or_fails_open<S, F>(serve: S)
where
    S: Fn(Enforcer) -> F,
    F: Future<Output = String>,
{
    let mut fixture = Fixture::start().await;
    let closed = serve(fixture.enforcer()).await;
    let open = serve(fixture.enforcer().undecided(Undecided::FailOpen)).await;
    let mandate_id = fixture.mandate_id.clone();
    let mandate = Some(mandate_id.as_str());
    let (status, _, _) = buy(&closed, mandate, &price(12)).await;
    assert_eq!(status, 200, "the sandbox is up");

    fixture.stop_sandbox().await;
    let (status, body, _) = buy(&closed, mandate, &price(12)).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"], "Service Unavailable", "{body}");
    let (status, body, _) = buy(&open, mandate, &price(12)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["grant"], "failed_open", "{body}");
}

/// A body over the enforcer's limit is answered 413 before anything is authorized.
pub async fn body_over_the_limit_is_413<S, F>(serve: S)
where
    S: Fn(Enforcer) -> F,
    F: Future<Output = String>,
{
    let fixture = Fixture::start().await;
    let gateway = serve(fixture.enforcer().body_limit(16)).await;
    let response = reqwest::Client::new()
        .post(format!("{gateway}{ROUTE}?price_eur=1"))
        .header("Humanos-Mandate", &fixture.mandate_id)
        .body(vec![b'x'; 17])
        .send()
        .await
        .expect("gateway reachable");
    assert_eq!(response.status().as_u16(), 413);
    assert_eq!(fixture.online_verifications().await, 0);
}

/// `POST {ROUTE}?price_eur=1` written by hand to `gateway`, naming the fixture's mandate, with
/// `framing` (a `content-length` or `transfer-encoding` header line, without its CRLF).
fn raw_head(gateway: &str, mandate_id: &str, framing: &str) -> (SocketAddr, String) {
    let addr: SocketAddr = gateway
        .trim_start_matches("http://")
        .parse()
        .expect("gateway address");
    let head = format!(
        "POST {ROUTE}?price_eur=1 HTTP/1.1\r\nhost: {addr}\r\nhumanos-mandate: {mandate_id}\r\n\
         {framing}\r\n\r\n"
    );
    (addr, head)
}

/// A 100 MiB body, announced by `content-length` or chunked, is answered 413 before it has all
/// been sent, and nothing is authorized.
pub async fn huge_body_is_413<S, F>(serve: S)
where
    S: Fn(Enforcer) -> F,
    F: Future<Output = String>,
{
    let fixture = Fixture::start().await;
    let gateway = serve(fixture.enforcer()).await;
    let total: u64 = 100 * 1024 * 1024;
    for chunked in [false, true] {
        let framing = if chunked {
            "transfer-encoding: chunked".to_owned()
        } else {
            format!("content-length: {total}")
        };
        let (addr, head) = raw_head(&gateway, &fixture.mandate_id, &framing);
        let (answer, sent) =
            crate::exchange(addr, head, move |w, c| crate::flood(w, c, total, chunked)).await;
        assert_eq!(answer, crate::Answer::Status(413), "chunked: {chunked}");
        assert!(
            sent < total,
            "chunked: {chunked}: the whole body was sent first"
        );
    }
    assert_eq!(fixture.online_verifications().await, 0);
}

/// A body dribbled one byte every 50 ms, announced or chunked, is answered 408 at the
/// enforcer's read timeout (300 ms) before it has all been sent, and nothing is authorized.
pub async fn slow_body_is_408<S, F>(serve: S)
where
    S: Fn(Enforcer) -> F,
    F: Future<Output = String>,
{
    let fixture = Fixture::start().await;
    let enforcer = fixture.enforcer().read_timeout(Duration::from_millis(300));
    let gateway = serve(enforcer).await;
    let body = vec![b'x'; 100];
    for chunked in [false, true] {
        let framing = if chunked {
            "transfer-encoding: chunked".to_owned()
        } else {
            format!("content-length: {}", body.len())
        };
        let (addr, head) = raw_head(&gateway, &fixture.mandate_id, &framing);
        let body = body.clone();
        let (answer, sent) = crate::exchange(addr, head, move |w, c| {
            crate::dribble(w, c, body, 1, Duration::from_millis(50), chunked)
        })
        .await;
        assert_eq!(answer, crate::Answer::Status(408), "chunked: {chunked}");
        assert!(
            sent < 100,
            "chunked: {chunked}: answered only after the whole body"
        );
    }
    assert_eq!(fixture.online_verifications().await, 0);
}

/// Behind a length limit in front of the enforcement point (the framework's or a middleware's,
/// which cuts the body stream), a body over that limit is answered 413, as over the enforcer's
/// own, and nothing is authorized. `serve` starts the route behind such a limit (under 1 KiB).
pub async fn body_cut_in_front_is_413<S, F>(serve: S)
where
    S: Fn(Enforcer) -> F,
    F: Future<Output = String>,
{
    let fixture = Fixture::start().await;
    let gateway = serve(fixture.enforcer()).await;
    let response = reqwest::Client::new()
        .post(format!("{gateway}{ROUTE}?price_eur=1"))
        .header("Humanos-Mandate", &fixture.mandate_id)
        .body(vec![b'x'; 1024])
        .send()
        .await
        .expect("gateway reachable");
    assert_eq!(response.status().as_u16(), 413);
    assert_eq!(fixture.online_verifications().await, 0);
}

/// The scenarios of this module as the test functions of an adapter's `tests/enforce.rs`, one
/// per scenario, each given `serve` (a function from an [`Enforcer`] to the base URL of a server
/// with [`ROUTE`] behind it): `enforce_scenarios!(tokio::test, serve);` or
/// `enforce_scenarios!(actix_web::test, serve);`.
#[macro_export]
macro_rules! enforce_scenarios {
    ($test:meta, $serve:expr) => {
        $crate::enforce_scenarios!(
            @each $test, $serve,
            allow_deny_by_rule_and_after_revoke,
            local_deny_spends_no_online_verification,
            outage_is_503_or_fails_open,
            body_over_the_limit_is_413,
            huge_body_is_413,
            slow_body_is_408,
        );
    };
    (@each $test:meta, $serve:expr, $($name:ident,)*) => {
        $(
            #[$test]
            async fn $name() {
                $crate::enforce::$name($serve).await;
            }
        )*
    };
}

/// A route reached without the layer or middleware answers 500: a missing layer must not look
/// like a permission. `gateway` serves [`ROUTE`] with the `Mandate` extractor and no layer.
pub async fn unguarded_route_is_500(gateway: &str) {
    let status = reqwest::Client::new()
        .post(format!("{gateway}{ROUTE}?price_eur=1"))
        .header("Humanos-Mandate", "urn:via:credential:x")
        .send()
        .await
        .expect("gateway reachable")
        .status();
    assert_eq!(status, 500);
}
