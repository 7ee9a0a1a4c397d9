//! Hostile presentations and rules: typed failures, never a panic.

use humanos_vc::did::{DidDocument, StaticResolver};
use humanos_vc::rules::{EvaluationResult, Rule};
use humanos_vc::{Ed25519SigningKey, Reason, RuleCheck, Signer, Verifier};
use serde_json::{Value, json};

use super::{bound, list_for};
use crate::common::*;

#[test]
fn hostile_inputs_never_panic() {
    let v = verifier();
    let k = keys();
    let base = vp();
    let cases = hostile_presentations(&base);
    let list = list_for(&status_list("revocation", &[], &issuer()));
    for vp in cases {
        let r = v.verify_presentation_with(&vp, &k, &bound().status_list(list.clone()));
        assert!(r.is_err(), "{vp}");
    }
    pathological_rules_evaluate_to_errors(&v, &k, &base);
    let _ = Signer::did_key(Ed25519SigningKey::generate().unwrap());
    let _ = DidDocument::from_slice(&vec![b' '; 300 * 1024]).unwrap_err();
}

/// `base` with one field at a time replaced by something hostile (wrong types, truncated and
/// huge DIDs, impossible dates, out-of-range status entries, an enveloped credential).
fn hostile_presentations(base: &Value) -> Vec<Value> {
    let mut cases = Vec::new();
    for (ptr, val) in [
        ("/proof/verificationMethod", json!(42)),
        ("/proof/verificationMethod", json!("did:")),
        ("/proof/verificationMethod", json!("did:key:z")),
        (
            "/proof/verificationMethod",
            json!("did:key:zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"),
        ),
        (
            "/proof/verificationMethod",
            json!(format!("did:key:{}", "z".repeat(100_000))),
        ),
        ("/proof/created", json!("9999-99-99T99:99:99Z")),
        ("/proof/expires", json!(17)),
        ("/proof/domain", json!({"x": 1})),
        ("/proof/proofValue", json!("z".repeat(10_000))),
        ("/verifiableCredential/0/proof", json!([1, 2])),
        ("/verifiableCredential/0/issuer", json!({"id": 5})),
        (
            "/verifiableCredential/0/credentialStatus",
            json!({"type": "BitstringStatusListEntry", "statusListIndex": "-1"}),
        ),
        ("/verifiableCredential/0/credentialStatus", json!([null])),
        (
            "/verifiableCredential/0/credentialStatus/statusSize",
            json!(8),
        ),
        ("/verifiableCredential/0/validFrom", json!(1.5e308)),
        (
            "/verifiableCredential/0",
            json!({"type": "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt,eyJ"}),
        ),
    ] {
        let mut vp = base.clone();
        let (parent, last) = ptr.rsplit_once('/').unwrap();
        match vp.pointer_mut(parent).unwrap() {
            Value::Object(o) => {
                o.insert(last.to_owned(), val);
            }
            Value::Array(a) => a[last.parse::<usize>().unwrap()] = val,
            _ => unreachable!(),
        }
        cases.push(vp);
    }
    cases
}

/// Deeply nested JSON in a rule's input and pathological rules: each rule evaluates to an
/// error (or a non-pass), the presentation is refused as `rule_failed`.
fn pathological_rules_evaluate_to_errors(v: &Verifier, k: &StaticResolver, base: &Value) {
    let mut deep = json!(1);
    for _ in 0..200 {
        deep = json!([deep]);
    }
    let check = RuleCheck::new(
        vec![
            Rule::new("(".repeat(100) + "1" + &")".repeat(100)),
            Rule::new("x".repeat(10_000)),
            Rule::new("executionParams.d[0] == 1"),
        ],
        json!({"d": deep}),
    );
    let f = v
        .verify_presentation_with(base, k, &bound().rules(check))
        .unwrap_err();
    assert_eq!(f.reason, Reason::RuleFailed);
    assert_eq!(
        f.evaluations[0].result,
        EvaluationResult::Error,
        "{:?}",
        f.evaluations
    );
    assert_eq!(
        f.evaluations[1].result,
        EvaluationResult::Error,
        "{:?}",
        f.evaluations
    );
    assert_ne!(
        f.evaluations[2].result,
        EvaluationResult::Pass,
        "{:?}",
        f.evaluations
    );
}
