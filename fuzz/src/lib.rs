//! The fuzz targets' bodies, shared by the libFuzzer binaries (`fuzz_targets/`) and the smoke
//! test that `.ci/run` runs on the stable toolchain (`tests/smoke.rs`).
//!
//! Each function takes arbitrary bytes, must never panic on them, and asserts the property its
//! doc comment states.

use std::sync::OnceLock;

use humanos_models as m;
use humanos_signing::{BodyRule, FixedClock, timestamped_signature, wire_json};
use humanos_vc::did::StaticResolver;
use humanos_vc::{Ed25519SigningKey, Signer, Verifier, VerifyRequest, issue, jcs};
use humanos_webhooks::{WebhookConfig, WebhookEvent, WebhookPayload};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Value, json};

/// The fixed "now" of every target, so timestamps are deterministic.
pub const NOW: u64 = 1_767_225_600_000;
const WEBHOOK_SECRET: &str = "whsec_fuzz";

/// The webhook configuration every target uses (key derived once).
pub fn webhook_config() -> &'static WebhookConfig {
    static CONFIG: OnceLock<WebhookConfig> = OnceLock::new();
    CONFIG.get_or_init(|| {
        WebhookConfig::builder()
            .signature_secret(WEBHOOK_SECRET)
            .encryption_secret("ZnV6ei1lbmNyeXB0aW9uLXNlY3JldA==")
            .encryption_salt("fuzz-salt")
            .clock(FixedClock(NOW))
            .build()
            .expect("config")
    })
}

/// `process_webhook` on arbitrary headers and body. The input is split into a header block and a
/// body; the first byte chooses whether the body is re-signed with the right secret, so the
/// fuzzer explores the envelope, decryption and decoding paths behind the HMAC too. Every
/// refusal has a code, and is a 400 or 401 unless the delivery was authentic (a 500 then).
pub fn webhook_process(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else { return };
    // Header block up to the first 0xff byte: lines of `name:value` separated by '\n'.
    let (head, body) = match rest.iter().position(|&b| b == 0xff) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &[][..]),
    };
    let mut headers: Vec<(String, Vec<u8>)> = head
        .split(|&b| b == b'\n')
        .filter_map(|line| {
            let i = line.iter().position(|&b| b == b':')?;
            Some((String::from_utf8_lossy(&line[..i]).into_owned(), line[i + 1..].to_vec()))
        })
        .collect();
    if mode & 1 == 1 {
        let sig = timestamped_signature(WEBHOOK_SECRET.as_bytes(), NOW, body, BodyRule::Webhook);
        headers.retain(|(k, _)| {
            !k.eq_ignore_ascii_case("x-signature") && !k.eq_ignore_ascii_case("x-timestamp")
        });
        headers.push(("x-signature".into(), sig.into_bytes()));
        headers.push(("x-timestamp".into(), NOW.to_string().into_bytes()));
    }
    if let Err(err) = webhook_config().process(&headers, body) {
        // A 5xx (retry me) only for an authentic delivery that cannot be opened: anything else
        // is refused with a 4xx.
        let authentic = mode & 1 == 1;
        assert!(
            matches!(err.status(), 400 | 401) || (authentic && err.status() == 500),
            "{} for {}",
            err.status(),
            err.code()
        );
        assert!(!err.code().is_empty());
    }
}

/// The plaintext side: arbitrary bytes sealed with the right key, opened again and decoded into
/// a typed event. Opens to the same bytes; a decoded event re-encodes and decodes equal.
pub fn webhook_decrypt(plaintext: &[u8]) {
    let config = webhook_config();
    let sealed = config.seal_plaintext(plaintext, NOW).expect("seal");
    let opened = config
        .open(&sealed.headers(), &sealed.body)
        .expect("a sealed delivery opens");
    assert_eq!(opened, plaintext);
    if let Ok(event) = WebhookEvent::from_plaintext(plaintext) {
        let again = serde_json::to_vec(&event).expect("serialize");
        assert_eq!(WebhookEvent::from_plaintext(&again).ok(), Some(event));
    }
}

/// The wire-JSON encoder: for any JSON document the output parses back to the same value and is
/// a fixed point of `reencode` (what a JavaScript server reconstructs); non-JSON is refused.
/// The JCS writer built on it gives `serde_jcs`'s bytes and is a fixed point of itself.
pub fn wire_json(data: &[u8]) {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        assert!(wire_json::reencode(data).is_err());
        return;
    };
    let canonical = humanos_signing::jcs::to_vec(&value).expect("a parsed Value canonicalizes");
    assert_eq!(
        canonical,
        serde_jcs::to_vec(&value).expect("serde_jcs"),
        "differs from serde_jcs"
    );
    let reparsed: Value = serde_json::from_slice(&canonical).expect("JCS output is JSON");
    assert_eq!(
        humanos_signing::jcs::to_vec(&reparsed).expect("again"),
        canonical,
        "JCS is not a fixed point"
    );
    match wire_json::value_to_vec(&value) {
        Ok(out) => {
            let back: Value = serde_json::from_slice(&out).expect("output is JSON");
            assert!(same_in_javascript(&value, &back), "value changed");
            assert_eq!(wire_json::reencode(&out).expect("reencode"), out, "not wire-stable");
        }
        Err(wire_json::WireJsonError::UnsafeInteger(_)) => {}
        Err(other) => panic!("unexpected error {other}"),
    }
    if let Ok(once) = wire_json::reencode(data) {
        assert_eq!(wire_json::reencode(&once).expect("twice"), once);
    }
}

/// Equality as JavaScript sees it: numbers compared as doubles, object members by key (array-index
/// keys move first in JavaScript, so order may differ).
fn same_in_javascript(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_in_javascript(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same_in_javascript(v, w)))
        }
        _ => a == b,
    }
}

fn round_trip<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(data: &[u8]) {
    if let Ok(value) = serde_json::from_slice::<T>(data) {
        let out = serde_json::to_vec(&value).expect("serialize");
        let again: T = serde_json::from_slice(&out).expect("re-decode");
        assert_eq!(again, value);
    }
}

/// Model deserialization of arbitrary JSON into ten types (the first byte picks one): whatever
/// decodes re-encodes and decodes equal.
pub fn models(data: &[u8]) {
    let Some((&which, data)) = data.split_first() else { return };
    match which % 10 {
        0 => round_trip::<m::WebhookCallEvent>(data),
        1 => round_trip::<m::CredentialEntity>(data),
        2 => round_trip::<m::PresentationEntity>(data),
        3 => round_trip::<m::VerifyDenyResponseEntity>(data),
        4 => round_trip::<m::VerifyAllowResponseEntity>(data),
        5 => round_trip::<m::RequestDetailEntity>(data),
        6 => round_trip::<m::DidDocumentEntity>(data),
        7 => round_trip::<m::ApiErrorBody>(data),
        8 => round_trip::<m::GenerateRequestDto>(data),
        _ => round_trip::<m::ViaMandateCredential>(data),
    }
}

/// The HumanCode callback parser on arbitrary query strings and URLs.
pub fn humancode_callback(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = humancode::Callback::from_query(text);
    let _ = humancode::Callback::from_url(text);
}

struct SignedPresentation {
    bytes: Vec<u8>,
    canonical: Vec<u8>,
    verifier: Verifier,
}

/// A valid presentation carrying one mandate, signed with fixed keys.
fn signed_presentation() -> &'static SignedPresentation {
    static FIXTURE: OnceLock<SignedPresentation> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let issuer = Signer::did_key(Ed25519SigningKey::from_bytes(&[7; 32]));
        let holder = Signer::did_key(Ed25519SigningKey::from_bytes(&[9; 32]));
        let mandate = issuer
            .sign_credential(
                &json!({
                    "@context": ["https://www.w3.org/ns/credentials/v2"],
                    "id": "urn:via:credential:fuzz",
                    "type": ["VerifiableCredential", "ViaMandateCredential"],
                    "issuer": issuer.did(),
                    "validFrom": "2025-12-01T00:00:00Z",
                    "validUntil": "2026-12-01T00:00:00Z",
                    "credentialSubject": {"id": holder.did(), "mandate": {"scope": "agent.execute",
                        "grantor": "did:example:alice", "context": {"authorizedDIDs": [holder.did()]},
                        "userParams": {"maxAmount": {"description": "Cap", "value": 10000}}}}
                }),
                NOW,
            )
            .expect("sign mandate");
        let vp = holder
            .sign_presentation(&issue::presentation(holder.did(), vec![mandate]), NOW, None, None)
            .expect("sign vp");
        SignedPresentation {
            bytes: serde_json::to_vec(&vp).expect("bytes"),
            canonical: jcs::canonicalize(&vp).expect("jcs"),
            verifier: Verifier::new().clock(FixedClock(NOW)).trusted_issuers([issuer.did()]),
        }
    })
}

/// The `eddsa-jcs-2022` presentation verifier on a valid signed presentation with the input's
/// byte edits applied (each 3 bytes: a 16-bit position and a new byte). Nothing is accepted
/// unless it canonicalizes (JCS) to the document that was signed, once each secured document's
/// `@context` is replaced by its proof's, as Verify Proof (§3.3.2) does before hashing (so
/// `"@context": "X"` for a signed `["X"]` is the same document).
pub fn vc_verify(edits: &[u8]) {
    let fixture = signed_presentation();
    let mut bytes = fixture.bytes.clone();
    for edit in edits.chunks_exact(3) {
        let at = usize::from(u16::from_le_bytes([edit[0], edit[1]])) % bytes.len();
        bytes[at] = edit[2];
    }
    let Ok(vp) = serde_json::from_slice::<Value>(&bytes) else { return };
    let result =
        fixture.verifier.verify_presentation_with(&vp, &StaticResolver::new(), &VerifyRequest::new());
    if result.is_ok() {
        assert_eq!(
            jcs::canonicalize(&as_hashed(vp)).ok().as_deref(),
            Some(fixture.canonical.as_slice()),
            "accepted a changed presentation"
        );
    }
}

/// `vp` as Verify Proof hashes it: in the presentation and in each credential, `@context`
/// replaced by the proof's `@context` when the proof has one.
fn as_hashed(mut vp: Value) -> Value {
    fn replace_context(doc: &mut Value) {
        if let Some(ctx) = doc.pointer("/proof/@context").cloned() {
            doc["@context"] = ctx;
        }
    }
    replace_context(&mut vp);
    match vp.get_mut("verifiableCredential") {
        Some(Value::Array(credentials)) => credentials.iter_mut().for_each(replace_context),
        Some(credential @ Value::Object(_)) => replace_context(credential),
        _ => {}
    }
    vp
}

/// The HumanCode signer the `humancode_response` target decodes answers for (fixed clock).
fn humancode_signer() -> &'static humancode::AppSigner {
    static SIGNER: OnceLock<humancode::AppSigner> = OnceLock::new();
    SIGNER.get_or_init(|| {
        let credentials = humancode::Credentials::new("a_fuzz", "fuzz-app-key").expect("credentials");
        humancode::AppSigner::new(credentials).with_clock(FixedClock(NOW))
    })
}

/// An error's text stays bounded whatever the answer was: the body snippet and the reason are
/// each at most `SNIPPET_MAX_CHARS` characters of the input, a control character escaped to at
/// most 6 (`\u{7f}`).
fn bounded<T>(result: Result<T, humancode::Error>) {
    if let Err(err) = result {
        let text = err.to_string();
        let limit = 2 * 6 * humancode::SNIPPET_MAX_CHARS + 128;
        assert!(text.chars().count() <= limit, "{} chars", text.chars().count());
    }
}

/// HumanCode's answer decoding (`SignedRequest::decode`) on an arbitrary status and body: the
/// first byte picks the API (session, vcode, show-id), the second the status (200 when even).
/// Never panics; an error's message stays bounded.
pub fn humancode_response(data: &[u8]) {
    type Requests = (
        humancode::SignedRequest<humancode::Session>,
        humancode::SignedRequest<humancode::HumanId>,
        humancode::SignedRequest<humancode::ShowId>,
    );
    // Signed once: the target is the decoding, not the signing.
    static REQUESTS: OnceLock<Requests> = OnceLock::new();
    let (session, vcode, show_id) = REQUESTS.get_or_init(|| {
        let signer = humancode_signer();
        (
            signer.session_request().expect("session"),
            signer.vcode_request("s_fuzz", "12345678").expect("vcode"),
            signer.show_id_request("h_fuzz").expect("show id"),
        )
    });
    let [which, status, body @ ..] = data else { return };
    let status = if status % 2 == 0 { 200 } else { 100 + u16::from(*status) * 2 };
    match which % 3 {
        0 => bounded(session.decode(status, body)),
        1 => bounded(vcode.decode(status, body)),
        _ => bounded(show_id.decode(status, body)),
    }
}

/// `Bitstring::decode` on arbitrary text under a 64 KiB cap: never more than the cap; what
/// decodes encodes to a list that decodes to the same bits; `get` past the end is `None`.
pub fn bitstring(data: &[u8]) {
    use humanos_vc::status::Bitstring;
    const CAP: usize = 64 * 1024;
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(bits) = Bitstring::decode(text, CAP) {
        assert!(bits.len() <= CAP as u64 * 8);
        let again = Bitstring::decode(&bits.encode(), CAP).expect("an encoded list decodes");
        assert_eq!(again, bits);
        assert_eq!(bits.get(bits.len()), None);
    }
}

/// A DID document (`DidDocument::from_json`) from arbitrary JSON, then a lookup of every string
/// in the input as a verification method, for both proof purposes; the first byte sends the
/// text to the `did:key` resolver instead. Never panics; a key found is the document's.
pub fn did_document(data: &[u8]) {
    use humanos_vc::ProofPurpose;
    use humanos_vc::did::{DidDocument, DidKeyResolver, KeyLookup};
    let Some((&mode, data)) = data.split_first() else { return };
    if mode % 4 == 0 {
        if let Ok(text) = std::str::from_utf8(data) {
            for purpose in [ProofPurpose::AssertionMethod, ProofPurpose::Authentication] {
                let _ = DidKeyResolver.lookup(text, &purpose);
            }
        }
        return;
    }
    let Ok(json) = serde_json::from_slice::<Value>(data) else { return };
    let mut strings = Vec::new();
    collect_strings(&json, &mut strings, 0);
    let Ok(doc) = DidDocument::from_json(json) else { return };
    strings.push(format!("{}#key-1", doc.id));
    for vm in &strings {
        for purpose in [ProofPurpose::AssertionMethod, ProofPurpose::Authentication] {
            if let Ok(key) = doc.lookup(vm, &purpose) {
                assert_eq!(key.controller, doc.id, "a key of another controller");
            }
        }
    }
}

fn collect_strings(v: &Value, out: &mut Vec<String>, depth: usize) {
    if depth > 16 || out.len() > 64 {
        return;
    }
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out, depth + 1)),
        Value::Object(o) => o.values().for_each(|x| collect_strings(x, out, depth + 1)),
        _ => {}
    }
}

/// An action rule of arbitrary text, compiled and evaluated with sample parameters: never
/// panics nor overflows the stack; a rule past `MAX_RULE_DEPTH` is an `error` evaluation.
pub fn cel_rules(data: &[u8]) {
    use humanos_vc::rules::{EvaluationResult, MAX_RULE_DEPTH, Rule, evaluate_rules, nesting_estimate};
    static PARAMS: OnceLock<(serde_json::Map<String, Value>, Value)> = OnceLock::new();
    let (user, exec) = PARAMS.get_or_init(|| {
        let user = json!({"maxAmount": 10000, "allowedCategories": ["BOOKS", "OFFICE"], "ratio": 0.5});
        let exec = json!({"amount": 5000, "category": "BOOKS", "items": [1, 2, 3], "at": "2026-01-01T00:00:00Z"});
        (user.as_object().cloned().unwrap_or_default(), exec)
    });
    let Ok(expr) = std::str::from_utf8(data) else { return };
    let evaluation = evaluate_rules(&[Rule::new(expr)], user, exec).remove(0);
    if nesting_estimate(expr) > MAX_RULE_DEPTH {
        assert_eq!(evaluation.result, EvaluationResult::Error);
    }
}

/// An error answer's body to `ApiErrorBody::from_response_body`: whatever it accepts has a
/// documented member, re-encodes and parses equal, and its `code()` is one of its own strings.
pub fn api_error_body(data: &[u8]) {
    let Some(body) = m::ApiErrorBody::from_response_body(data) else { return };
    assert!(body.status_code.is_some() || body.message.is_some() || body.error.is_some());
    let again = serde_json::to_vec(&body).expect("an error body serializes");
    assert_eq!(m::ApiErrorBody::from_response_body(&again).as_ref(), Some(&body));
    if let Some(code) = body.code() {
        let member = |name: &str| body.additional_properties.get(name).and_then(Value::as_str);
        assert!(
            [member("code"), member("reason"), body.error.as_deref()].contains(&Some(code)),
            "code {code:?} is not one of the body's members"
        );
    }
}

/// A `Retry-After` value (arbitrary text) to `humanos_models::retry_after`: delay-seconds give
/// exactly that many seconds (saturating), anything else accepted is an HTTP date no later than
/// the year 9999, and adding the delay to an elapsed time saturates instead of overflowing.
pub fn retry_after(data: &[u8]) {
    use std::time::{Duration, SystemTime};
    let Ok(value) = std::str::from_utf8(data) else { return };
    let now = SystemTime::UNIX_EPOCH + Duration::from_millis(NOW);
    let Some(delay) = m::retry_after(value, now) else { return };
    let trimmed = value.trim_matches([' ', '\t']);
    if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit()) {
        let seconds = trimmed.parse::<u128>().map_or(u64::MAX, |s| u64::try_from(s).unwrap_or(u64::MAX));
        assert_eq!(delay, Duration::from_secs(seconds));
    } else {
        // 9999-12-31T23:59:59Z, the last instant an HTTP date can name.
        assert!(delay.as_secs() <= 253_402_300_799 - NOW / 1000, "{value:?} gave {delay:?}");
    }
    let _ = Duration::from_secs(3600).saturating_add(delay);
}

/// `BodyCollector`, as both adapters feed it, on a fuzzer-chosen limit, `Content-Length` claim
/// and chunking (chunks may repeat, so bodies reach past the 64 KiB first-buffer cap): the body
/// is refused exactly at the first chunk that takes it past the limit, otherwise it is the
/// concatenation of the chunks, and a body of one chunk is that chunk, not a copy.
pub fn body_reading(data: &[u8]) {
    use humanos_webhooks::body::{BodyCollector, BodyTooLarge};
    let [l0, l1, flags, rest @ ..] = data else { return };
    let limit = usize::from(u16::from_le_bytes([*l0, *l1])) * 4;
    let (declared, mut rest) = match rest.split_first_chunk::<8>() {
        Some((claim, tail)) if flags & 1 == 1 => (Some(u64::from_le_bytes(*claim)), tail),
        _ => (None, rest),
    };
    let mut collector = BodyCollector::new(limit, declared);
    let mut expected: Vec<u8> = Vec::new();
    let mut pushed: Vec<bytes::Bytes> = Vec::new();
    while let [len, repeat, tail @ ..] = rest {
        let (part, tail) = tail.split_at(usize::from(*len).min(tail.len()));
        rest = tail;
        let chunk = bytes::Bytes::from(part.repeat(usize::from(*repeat)));
        let total = expected.len() + chunk.len();
        match collector.push(chunk.clone()) {
            Ok(()) => assert!(total <= limit, "{total} bytes accepted under a {limit}-byte limit"),
            Err(err) => {
                assert_eq!(err, BodyTooLarge { limit });
                assert!(total > limit, "{total} bytes refused under a {limit}-byte limit");
                return;
            }
        }
        expected.extend_from_slice(&chunk);
        pushed.push(chunk);
        assert_eq!(collector.len(), expected.len());
    }
    let body = collector.finish();
    assert_eq!(&body[..], &expected[..]);
    if let [only] = &pushed[..] {
        assert_eq!(body.as_ptr(), only.as_ptr(), "a single chunk was copied");
    }
}
