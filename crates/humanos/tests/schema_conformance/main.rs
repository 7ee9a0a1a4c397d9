//! Decoding proven against the API description, not against our own types.
//!
//! For every documented answer of every endpoint of `spec/humanos-api-2026-09-01.json` (read
//! at test time), thousands of random instances generated from the description alone
//! (`generate.rs`) are served by a local 127.0.0.1 server with the endpoint's documented
//! status and decoded by the `humanos` client; the four `/_webhooks/*` payloads are sealed as
//! Humanos does and opened with `humanos_webhooks`. Each must decode, and re-encoding the result
//! must give back what the SDK promises to keep: every documented member, unknown enum values
//! verbatim, unknown members where the schema keeps them.
//!
//! Seeded and reproducible: `HUMANOS_SCHEMA_SEED` (decimal or `0x` hex) replaces the default
//! seed, `HUMANOS_SCHEMA_INSTANCES` the number of instances per answer. A failure names the
//! endpoint, status, schema, JSON path, the run's seed and the instance's seed.

#[path = "../support/mod.rs"]
mod support;

mod generate;

use generate::{Generator, Instance, Spec, instance_seed, member_at};
use humanos::models::{
    ActionQuery, CreatePresentationDto, CreateSubjectDto, GenerateRequestDto,
    IntelligenceActionQuery, IntelligenceSnapshotQuery, IntelligenceWindowQuery, RequestQuery,
    ResourceQuery, RevokeCredentialDto, SubjectQuery, VerifyPresentationDto,
};
use humanos::{Error, HumanosClient, Verdict};
use humanos_signing::FixedClock;
use humanos_webhooks::{WebhookConfig, WebhookEvent};
use serde::Serialize;
use serde_json::{Value, json};
use support::{Reply, TestServer};

const DEFAULT_SEED: u64 = 0x2026_0901_5EED;
/// Instances per documented answer (endpoint × status) and per webhook payload.
const DEFAULT_INSTANCES: usize = 48;
const WEBHOOK_INSTANCES: usize = 250;

fn env_number(name: &str) -> Option<u64> {
    let text = std::env::var(name).ok()?;
    let parsed = match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse(),
    };
    Some(parsed.unwrap_or_else(|e| panic!("{name}={text}: {e}")))
}

fn seed() -> u64 {
    env_number("HUMANOS_SCHEMA_SEED").unwrap_or(DEFAULT_SEED)
}

fn instances() -> usize {
    env_number("HUMANOS_SCHEMA_INSTANCES").map_or(DEFAULT_INSTANCES, |n| n as usize)
}

fn encode<T: Serialize>(value: T) -> Value {
    serde_json::to_value(value).expect("a decoded value encodes")
}

/// The first JSON path where `got` differs from `want`, and how, if anywhere.
fn first_difference(got: &Value, want: &Value, path: &str) -> Option<(String, String)> {
    match (got, want) {
        (Value::Object(g), Value::Object(w)) => {
            for (k, wv) in w {
                let here = format!("{path}.{k}");
                match g.get(k) {
                    None => return Some((here, format!("missing, expected {wv}"))),
                    Some(gv) => {
                        if let Some(d) = first_difference(gv, wv, &here) {
                            return Some(d);
                        }
                    }
                }
            }
            g.keys().find(|k| !w.contains_key(*k)).map(|k| {
                (
                    format!("{path}.{k}"),
                    format!("not sent, decoded as {}", g[k]),
                )
            })
        }
        (Value::Array(g), Value::Array(w)) if g.len() == w.len() => g
            .iter()
            .zip(w)
            .enumerate()
            .find_map(|(i, (gv, wv))| first_difference(gv, wv, &format!("{path}[{i}]"))),
        _ if got == want => None,
        _ => Some((
            path.to_owned(),
            format!("expected {want}, decoded as {got}"),
        )),
    }
}

/// What one call decoded, as JSON; `Err` carries the client's error.
async fn call(c: &HumanosClient, endpoint: &str) -> Result<Value, Error> {
    match endpoint.split_once('.').map(|(api, _)| api) {
        Some("CredentialsApi") => credentials_call(c, endpoint).await,
        Some("IntelligenceApi") => intelligence_call(c, endpoint).await,
        Some("RequestsApi") => requests_call(c, endpoint).await,
        _ => other_call(c, endpoint).await,
    }
}

/// The credentials endpoints.
async fn credentials_call(c: &HumanosClient, endpoint: &str) -> Result<Value, Error> {
    let id = "urn:via:credential:1";
    Ok(match endpoint {
        "CredentialsApi.audit_events" => encode(c.credentials().audit_events(id).await?),
        "CredentialsApi.detail" => encode(c.credentials().detail(id).await?),
        "CredentialsApi.evidence" => {
            let evidence = c.credentials().evidence(id).await?;
            json!(evidence.text().expect("a text body"))
        }
        "CredentialsApi.issue_vp" => encode(
            c.credentials()
                .issue_vp(id, CreatePresentationDto::new())
                .await?,
        ),
        "CredentialsApi.revoke" => encode(
            c.credentials()
                .revoke(id, RevokeCredentialDto::new())
                .await?,
        ),
        "CredentialsApi.verify" => {
            match c
                .credentials()
                .verify(VerifyPresentationDto::new().presentation_encoded("e30"))
                .await?
            {
                Verdict::Allow(allow) => encode(allow),
                Verdict::Deny(deny) => encode(deny),
            }
        }
        other => panic!("no client call for endpoint {other}: add it to `call`"),
    })
}

/// The intelligence endpoints.
async fn intelligence_call(c: &HumanosClient, endpoint: &str) -> Result<Value, Error> {
    Ok(match endpoint {
        "IntelligenceApi.action" => encode(
            c.intelligence()
                .action(IntelligenceActionQuery::new(
                    "did:web:o",
                    "urn:via:action:1",
                ))
                .await?,
        ),
        "IntelligenceApi.snapshot" => encode(
            c.intelligence()
                .snapshot(IntelligenceSnapshotQuery::new("did:web:o", "did:key:a"))
                .await?,
        ),
        "IntelligenceApi.window" => encode(
            c.intelligence()
                .window(IntelligenceWindowQuery::new(
                    "did:web:o",
                    "did:key:a",
                    "2026-09-01T00:00:00Z",
                    "2026-09-02T00:00:00Z",
                ))
                .await?,
        ),
        other => panic!("no client call for endpoint {other}: add it to `call`"),
    })
}

/// The requests endpoints; a page keeps its items (`data`).
async fn requests_call(c: &HumanosClient, endpoint: &str) -> Result<Value, Error> {
    Ok(match endpoint {
        "RequestsApi.list" => {
            json!({"data": encode(c.requests().list(RequestQuery::new()).await?.items)})
        }
        "RequestsApi.cancel" => encode(c.requests().cancel("r1").await?),
        "RequestsApi.create" => encode(
            c.requests()
                .create(GenerateRequestDto::new(vec!["ada@example.com".into()]))
                .await?,
        ),
        "RequestsApi.detail" => encode(c.requests().detail("r1").await?),
        "RequestsApi.resend_otp" => encode(
            c.requests()
                .resend_otp("r1", SubjectQuery::new().contact("ada@example.com"))
                .await?,
        ),
        other => panic!("no client call for endpoint {other}: add it to `call`"),
    })
}

/// The actions, approval, DID and user endpoints; a page keeps its items (`data`).
async fn other_call(c: &HumanosClient, endpoint: &str) -> Result<Value, Error> {
    let id = "urn:via:credential:1";
    Ok(match endpoint {
        // Pages keep the items (`data`); `totalPages` becomes `Page::total_pages`.
        "ActionsApi.list" => {
            json!({"data": encode(c.actions().list(ActionQuery::new()).await?.items)})
        }
        "ActionsApi.versions" => {
            json!({"data": encode(c.actions().versions(id, ActionQuery::new()).await?.items)})
        }
        "ApprovalApi.list" => {
            json!({"data": encode(c.approval().list(ResourceQuery::new()).await?.items)})
        }
        "ApprovalApi.workflows" => {
            json!({"data": encode(c.approval().workflows(ResourceQuery::new()).await?.items)})
        }
        "DIDApi.resolve" => encode(c.did().resolve("did:web:humanos.id").await?),
        "UserApi.create" => encode(
            c.users()
                .create(vec![CreateSubjectDto::new("ada@example.com")])
                .await?,
        ),
        "UserApi.detail" => encode(
            c.users()
                .detail(SubjectQuery::new().contact("ada@example.com"))
                .await?,
        ),
        other => panic!("no client call for endpoint {other}: add it to `call`"),
    })
}

/// The documented answers of the callable endpoints: (endpoint, status, schema).
fn documented_answers(spec: &Spec) -> Vec<(String, u16, String)> {
    let mut answers = Vec::new();
    for e in &spec.endpoints {
        let path = e["path"].as_str().unwrap_or_default();
        if path.starts_with("/_webhooks/") {
            continue;
        }
        let endpoint = format!(
            "{}.{}",
            e["api"].as_str().unwrap_or_default(),
            e["method_name"].as_str().unwrap_or_default()
        );
        for (status, schema) in e["responses"].as_object().into_iter().flatten() {
            // `null`: the description documents the status without a body schema.
            let Some(schema) = schema.as_str() else {
                continue;
            };
            let status: u16 = status.parse().expect("a numeric status");
            answers.push((endpoint.clone(), status, schema.to_owned()));
        }
    }
    answers
}

fn generate_answer(generator: &mut Generator<'_>, schema: &str) -> Instance {
    if schema == "str" {
        let text = generator.text();
        return Instance {
            wire: json!(text),
            expected: json!(text),
        };
    }
    match schema
        .strip_prefix("List[")
        .and_then(|s| s.strip_suffix(']'))
    {
        Some(item) => generator.list_of(item),
        None => generator.schema(schema),
    }
}

/// Checks one answer the client decoded (or refused) against the instance it was sent.
fn check_answer(
    endpoint: &str,
    status: u16,
    instance: &Instance,
    outcome: Result<Value, Error>,
) -> Result<(), (String, String)> {
    let paged = instance.wire.get("totalPages").is_some() && outcome.is_ok();
    let expected = if paged {
        json!({"data": instance.expected["data"]})
    } else {
        instance.expected.clone()
    };
    let decoded = match outcome {
        Ok(decoded) => decoded,
        // An error status is the client's `Error::Api`, with the documented body parsed.
        Err(Error::Api {
            status: got,
            parsed: Some(parsed),
            ..
        }) if got == status && status >= 400 => encode(parsed),
        // The client parses an error body only when it has one of the three documented members
        // (so a proxy's JSON is not taken for the API's); the raw body must still decode.
        Err(Error::Api {
            status: got,
            parsed: None,
            body,
            ..
        }) if got == status && status >= 400 => {
            let body: humanos::models::ApiErrorBody =
                serde_json::from_slice(&body).map_err(|e| {
                    (
                        "$".to_owned(),
                        format!("the error body does not decode: {e}"),
                    )
                })?;
            if body.status_code.is_some() || body.message.is_some() || body.error.is_some() {
                return Err((
                    "$".to_owned(),
                    "the client did not parse a documented error body".to_owned(),
                ));
            }
            encode(body)
        }
        Err(Error::Decode { path, message, .. }) => {
            return Err((path, format!("does not decode: {message}")));
        }
        Err(other) => return Err(("$".to_owned(), format!("the client failed: {other}"))),
    };
    match first_difference(&decoded, &expected, "$") {
        None => Ok(()),
        Some((path, difference)) => Err((
            path,
            format!("{endpoint} {status}: decoded, but not kept whole: {difference}"),
        )),
    }
}

#[tokio::test]
async fn every_documented_answer_decodes_through_the_client() {
    let spec = Spec::load();
    let (seed, per_answer) = (seed(), instances());
    let server = TestServer::start().await;
    let client = server.client();
    let answers = documented_answers(&spec);
    let mut failures = Vec::new();
    let mut count = 0;
    for (endpoint, status, schema) in &answers {
        let label = format!("{endpoint} {status}");
        for i in 0..per_answer {
            let instance_seed = instance_seed(seed, &label, i);
            let instance = generate_answer(&mut Generator::new(&spec, instance_seed), schema);
            let reply = match &instance.wire {
                Value::String(text) => Reply::raw(*status, "text/plain", text.clone()),
                body => Reply::json(*status, body),
            };
            server.push(reply);
            count += 1;
            let outcome = call(&client, endpoint).await;
            if let Err((path, e)) = check_answer(endpoint, *status, &instance, outcome) {
                let item = schema.trim_start_matches("List[").trim_end_matches(']');
                failures.push(format!(
                    "{endpoint} {status} ({schema}) at `{path}` ({}), seed {seed:#x}, instance seed {instance_seed:#x}: {e}\n    sent {}",
                    member_at(&spec, item, &path),
                    instance.wire
                ));
            }
        }
    }
    server.assert_clean();
    println!(
        "{count} instances of {} documented answers of {} endpoints, seed {seed:#x}",
        answers.len(),
        spec.endpoints.len() - 4
    );
    assert!(
        failures.is_empty(),
        "{} of {count} instances failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(answers.len(), 54, "documented answers with a schema");
}

/// The webhook payload schemas, from the `/_webhooks/*` endpoints: (endpoint, schema).
fn webhook_payloads(spec: &Spec) -> Vec<(String, String)> {
    spec.endpoints
        .iter()
        .filter(|e| {
            e["path"]
                .as_str()
                .is_some_and(|p| p.starts_with("/_webhooks/"))
        })
        .map(|e| {
            let body = e["body_param"].as_str().expect("a webhook body parameter");
            let annotation = e["params"][body]["annotation"].as_str().unwrap_or_default();
            // "<class 'CredentialEvent'>"
            let schema = annotation
                .split('\'')
                .nth(1)
                .expect("the payload's schema name");
            (
                e["path"].as_str().unwrap_or_default().to_owned(),
                schema.to_owned(),
            )
        })
        .collect()
}

#[test]
fn every_documented_webhook_payload_decodes_into_its_typed_event() {
    let spec = Spec::load();
    let seed = seed();
    let now = 1_789_430_400_000;
    let config = WebhookConfig::builder()
        .signature_secret("whsec_schema_conformance")
        .encryption_secret("dGVzdC1lbmNyeXB0aW9uLXNlY3JldC0zMi1ieXRlcyE=")
        .encryption_salt("schema-salt")
        .clock(FixedClock(now))
        .build()
        .expect("webhook config");
    let payloads = webhook_payloads(&spec);
    assert_eq!(payloads.len(), 4);
    let mut failures = Vec::new();
    let mut count = 0;
    for (path, schema) in &payloads {
        for i in 0..WEBHOOK_INSTANCES {
            let instance_seed = instance_seed(seed, path, i);
            let mut generator = Generator::new(&spec, instance_seed);
            generator.root_event_type_fixed = true;
            let instance = generator.schema(schema);
            count += 1;
            let delivery = config
                .seal_plaintext(instance.wire.to_string().as_bytes(), now)
                .expect("seal");
            let result = match config.process(&delivery.headers(), &delivery.body) {
                Err(e) => Err(format!("does not decode: {e}")),
                Ok(event) => {
                    let typed = matches!(
                        (&event, schema.as_str()),
                        (WebhookEvent::Credential(_), "CredentialEvent")
                            | (WebhookEvent::Identity(_), "IdentityEvent")
                            | (WebhookEvent::OtpFailed(_), "OtpFailedEvent")
                            | (WebhookEvent::Test(_), "TestEvent")
                    );
                    if typed {
                        first_difference(&encode(&event), &instance.expected, "$").map_or(
                            Ok(()),
                            |(at, d)| {
                                Err(format!(
                                    "at `{at}` ({}): decoded, but not kept whole: {d}",
                                    member_at(&spec, schema, &at)
                                ))
                            },
                        )
                    } else {
                        Err(format!("decoded as another variant: {event:?}"))
                    }
                }
            };
            if let Err(e) = result {
                failures.push(format!(
                    "{path} ({schema}), seed {seed:#x}, instance seed {instance_seed:#x}: {e}\n    sent {}",
                    instance.wire
                ));
            }
        }
    }
    println!("{count} webhook payload instances, seed {seed:#x}");
    assert!(
        failures.is_empty(),
        "{} of {count} instances failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The generator itself is deterministic: the same seed gives the same instances.
#[test]
fn instances_are_reproducible_from_their_seed() {
    let spec = Spec::load();
    for name in [
        "IntelligenceWindowEntity",
        "CredentialEntity",
        "CredentialEvent",
    ] {
        let a = Generator::new(&spec, 42).schema(name);
        let b = Generator::new(&spec, 42).schema(name);
        assert_eq!(a.wire, b.wire, "{name}");
        assert_eq!(a.expected, b.expected, "{name}");
    }
}

/// The generator produces every kind of variation the check promises, so a green run means
/// something: `null`s, unknown enum values, unknown members, floats, optional members present
/// and absent.
#[test]
fn the_generator_produces_every_kind_of_variation() {
    let spec = Spec::load();
    let mut texts = Vec::new();
    let mut with_name = 0;
    for i in 0..200 {
        let instance =
            Generator::new(&spec, instance_seed(seed(), "variation", i)).schema("CredentialEntity");
        with_name += usize::from(instance.wire.get("name").is_some());
        texts.push(instance.wire.to_string());
    }
    let all = texts.join("\n");
    for needle in [
        ":null",
        "FUTURE_VALUE_",
        "addedLater",
        "12.5",
        "9007199254740993",
    ] {
        assert!(all.contains(needle), "no instance has {needle}");
    }
    assert!(
        (1..200).contains(&with_name),
        "the optional `name` must be both present and absent ({with_name}/200)"
    );
}

/// Failure messages name the schema member under a JSON path.
#[test]
fn a_json_path_is_named_as_a_schema_member() {
    let spec = Spec::load();
    for (root, path, member) in [
        (
            "IntelligenceWindowEntity",
            "usage.verifications.approvalRate",
            "VerificationsBlock.approvalRate",
        ),
        ("RequestsEntity", "$.data[1].name", "RequestEntity.name"),
        (
            "CreateSubjectEntity",
            "[0].status",
            "CreateSubjectEntity.status",
        ),
    ] {
        assert_eq!(member_at(&spec, root, path), member, "{root} {path}");
    }
}
