//! A mandate verified before, presented again in fresh presentations: the verifier keeps it
//! (its canonical bytes, hash data and signature) and skips its canonicalization when it comes
//! back equal member for member. Every answer must be the one a verifier that never saw it
//! gives, whatever was changed.

use humanos_signing::FixedClock;
use humanos_vc::did::StaticResolver;
use humanos_vc::{Reason, Verifier, VerifyRequest};
use serde_json::{Map, Value, json};

use super::list_for;
use crate::common::*;

/// A verified credential's id, issuer, verification method and whether its status was checked.
type Credential = (Option<String>, String, String, bool);

/// The answer, as comparable data: the credentials verified, or the reason and message.
fn answer(
    v: &Verifier,
    vp: &Value,
    keys: &StaticResolver,
    req: &VerifyRequest,
) -> Result<Vec<Credential>, (Reason, String)> {
    v.verify_presentation_with(vp, keys, req)
        .map(|ok| {
            ok.credentials
                .into_iter()
                .map(|c| (c.id, c.issuer, c.verification_method, c.status_checked))
                .collect()
        })
        .map_err(|f| (f.reason, f.message))
}

/// A verifier that has verified the fixture mandate (in a presentation of its own).
fn warm() -> Verifier {
    let v = verifier();
    v.verify_presentation_with(&vp(), &keys(), &VerifyRequest::new())
        .unwrap();
    v
}

/// Every way of changing one thing in `value`: each leaf changed, each member removed, a
/// member added, each object's members reversed; with what each change is.
fn mutations(value: &Value, path: &str, out: &mut Vec<(String, Value)>) {
    let mut push = |what: String, v: Value| out.push((what, v));
    match value {
        Value::Null => push(format!("{path}: null -> 0"), json!(0)),
        Value::Bool(b) => push(format!("{path}: flipped"), json!(!b)),
        Value::Number(n) => {
            push(
                format!("{path}: +1"),
                json!(n.as_f64().unwrap_or(0.0) + 1.0),
            );
            // The same number written as a float: the same JCS, so the same signature.
            if let Some(f) = n.as_f64().and_then(serde_json::Number::from_f64) {
                push(format!("{path}: as a float"), Value::Number(f));
            }
        }
        Value::String(s) => {
            push(format!("{path}: appended"), json!(format!("{s}x")));
            push(format!("{path}: as an array"), json!([s]));
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let mut inner = Vec::new();
                mutations(item, &format!("{path}/{i}"), &mut inner);
                for (what, changed) in inner {
                    let mut a = items.clone();
                    a[i] = changed;
                    push(what, Value::Array(a));
                }
                let mut a = items.clone();
                a.remove(i);
                push(format!("{path}/{i}: removed"), Value::Array(a));
            }
            let mut a = items.clone();
            a.push(json!("extra"));
            push(format!("{path}: one more item"), Value::Array(a));
        }
        Value::Object(members) => {
            for (k, v) in members {
                let mut inner = Vec::new();
                mutations(v, &format!("{path}/{k}"), &mut inner);
                for (what, changed) in inner {
                    let mut m = members.clone();
                    m.insert(k.clone(), changed);
                    push(what, Value::Object(m));
                }
                let mut m = members.clone();
                m.shift_remove(k);
                push(format!("{path}/{k}: removed"), Value::Object(m));
            }
            let mut m = members.clone();
            m.insert("zzExtra".into(), json!(1));
            push(format!("{path}: one more member"), Value::Object(m));
            let reversed: Map<String, Value> = members
                .iter()
                .rev()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            push(format!("{path}: members reversed"), Value::Object(reversed));
        }
    }
}

#[test]
fn a_known_mandate_changed_anywhere_gets_the_answer_of_a_verifier_that_never_saw_it() {
    let warm = warm();
    let mut all = Vec::new();
    mutations(&mandate(), "", &mut all);
    assert!(all.len() > 100, "{} mutations", all.len());
    let req = VerifyRequest::new();
    let mut accepted = Vec::new();
    for (what, changed) in &all {
        let vp = vp_of(vec![changed.clone()], &holder(), None, None);
        let known = answer(&warm, &vp, &keys(), &req);
        let never_seen = answer(&verifier(), &vp, &keys(), &req);
        assert_eq!(known, never_seen, "{what}");
        if known.is_ok() {
            accepted.push(what.as_str());
        }
    }
    // What still verifies is what RFC 8785 writes the same (member order, numbers written as
    // floats) and one more `@context` item after those the proof names: eddsa-jcs-2022 checks
    // that the proof's `@context` starts the document's, then hashes the document with the
    // proof's in its place (Verify Proof, step 4). Every other change breaks the issuer's
    // signature or the proof.
    for what in &accepted {
        assert!(
            what.ends_with("members reversed")
                || what.ends_with("as a float")
                || *what == "/@context: one more item",
            "accepted: {what}"
        );
    }
    assert!(accepted.iter().any(|w| w.ends_with("members reversed")));
    // The original is still known and still verifies.
    let again = vp_of(vec![mandate()], &holder(), None, None);
    assert!(answer(&warm, &again, &keys(), &req).is_ok());
}

#[test]
fn a_known_mandate_is_denied_when_its_issuer_key_is_another_one() {
    let warm = warm();
    let vp = vp_of(vec![mandate()], &holder(), None, None);
    // The issuer's verification method now resolves to another key.
    let keys = StaticResolver::new()
        .did_key(false)
        .key(
            issuer().verification_method(),
            stranger().key().public_key(),
        )
        .and_then(|k| k.key(holder().verification_method(), holder().key().public_key()))
        .unwrap();
    let req = VerifyRequest::new();
    let known = answer(&warm, &vp, &keys, &req);
    assert_eq!(known, answer(&verifier(), &vp, &keys, &req));
    assert_eq!(known.unwrap_err().0, Reason::CredentialSignatureInvalid);
}

#[test]
fn a_known_mandate_is_still_checked_for_time_status_trust_and_binding() {
    let warm = warm();
    let vp = vp_of(vec![mandate()], &holder(), None, None);
    let req = VerifyRequest::new();
    // Past its validUntil (2026-12-31T23:59:59Z), on a clone sharing the cache.
    let later = warm
        .clone()
        .clock(FixedClock(1_798_761_600_000 + 86_400_000));
    assert_eq!(
        answer(&later, &vp, &keys(), &req).unwrap_err().0,
        Reason::Expired
    );
    // Revoked since.
    let revoked = req.clone().status_list(list_for(&status_list(
        "revocation",
        &[STATUS_INDEX],
        &issuer(),
    )));
    assert_eq!(
        answer(&warm, &vp, &keys(), &revoked).unwrap_err().0,
        Reason::CredentialRevoked
    );
    // Its issuer no longer trusted.
    let untrusting = warm.clone().trusted_issuers([stranger().did()]);
    assert_eq!(
        answer(&untrusting, &vp, &keys(), &req).unwrap_err().0,
        Reason::IssuerUntrusted
    );
    // Presented by someone it does not name.
    let by_stranger = vp_of(vec![mandate()], &stranger(), None, None);
    assert_eq!(
        answer(&warm, &by_stranger, &keys(), &req),
        answer(&verifier(), &by_stranger, &keys(), &req)
    );
    assert_eq!(
        answer(&warm, &by_stranger, &keys(), &req).unwrap_err().0,
        Reason::HolderMismatch
    );
    // And with none of that, it verifies.
    assert!(answer(&warm, &vp, &keys(), &req).is_ok());
}

#[test]
fn many_known_mandates_evict_the_oldest_and_keep_answering() {
    let v = verifier();
    let req = VerifyRequest::new();
    let mandates: Vec<Value> = (0..300)
        .map(|i| {
            let mut m = mandate_unsigned();
            m["id"] = json!(format!("urn:via:credential:{i}"));
            sign_mandate(&m)
        })
        .collect();
    for m in mandates.iter().chain(&mandates) {
        let vp = vp_of(vec![m.clone()], &holder(), None, None);
        assert!(answer(&v, &vp, &keys(), &req).is_ok());
        let mut changed = m.clone();
        changed["validFrom"] = json!("2026-05-01T00:00:01Z");
        let vp = vp_of(vec![changed], &holder(), None, None);
        assert_eq!(
            answer(&v, &vp, &keys(), &req).unwrap_err().0,
            Reason::CredentialSignatureInvalid
        );
    }
}
