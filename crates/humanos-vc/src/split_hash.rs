//! The transformed-document digests of a presentation and of its embedded credentials, with
//! each credential canonicalized once.
//!
//! `eddsa-jcs-2022` hashes the JCS (RFC 8785) of a document without its `proof`. For a
//! presentation, that document contains every embedded credential *with* its proof; each
//! credential's own proof then hashes the same credential *without* it. Canonicalized
//! separately, each credential is written twice. JCS writes an object's members sorted by name
//! and nothing else, so both forms are made of the same two runs of members (those sorting
//! before `proof`, and after it), with `"proof":<its JCS>` between them or not: this module
//! writes each run once and feeds the pieces to both hashes. The bytes hashed are exactly those
//! [`jcs::canonicalize_object`] writes (`tests` compares them on hostile documents).
//!
//! A credential the caller recognizes (one verified before, equal member for member) is not
//! written at all: its canonical bytes with its proof, kept from then, go to the presentation's
//! hash as they are.

use std::cmp::Ordering;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::jcs::{self, JcsError};
use crate::proof::single_proof;

/// A credential recognized as one canonicalized before.
pub(crate) trait KnownBytes {
    /// Its JCS, with its proof (what the presentation's transformed document contains).
    fn canonical(&self) -> &[u8];
}

/// How an embedded credential's own transformed-document digest is had.
pub(crate) enum CredentialDigest<K> {
    /// Compute it the ordinary way (not an object with a proof sharing its `@context`).
    Unshared,
    /// Its digest, and its JCS with its proof when the caller asked to keep it.
    Own {
        /// SHA-256 of the JCS of the credential without its proof.
        digest: [u8; 32],
        /// The JCS of the credential with its proof.
        canonical: Option<Vec<u8>>,
    },
    /// Recognized by the caller; its canonical bytes were hashed from there.
    Known(K),
}

/// The presentation's transformed-document digest, and for each embedded credential (in
/// order) how its own is had.
pub(crate) struct PresentationDigests<K> {
    pub(crate) presentation: [u8; 32],
    pub(crate) credentials: Vec<CredentialDigest<K>>,
}

/// What [`presentation_digests`] asks of its caller about each embedded credential.
pub(crate) struct Recognize<'r, K> {
    /// A credential verified before, if `item` is one (equal to it in every member).
    pub(crate) known: &'r dyn Fn(&Value) -> Option<K>,
    /// Whether to keep the canonical bytes of the credentials not recognized.
    pub(crate) keep: bool,
}

/// The digests for the presentation whose unsecured members are `members` (its members
/// without `proof`, with the proof's `@context`, as [`view`] gives them).
///
/// [`view`]: crate::proof::view
pub(crate) fn presentation_digests<'a, K: KnownBytes>(
    members: impl Iterator<Item = (&'a str, &'a Value)>,
    recognize: Option<&Recognize<'_, K>>,
) -> Result<PresentationDigests<K>, JcsError> {
    const VC: &str = "verifiableCredential";
    let members: Vec<_> = members.collect();
    let vc = members.iter().find(|(k, _)| *k == VC).map(|(_, v)| *v);
    let (before, after) = runs(members.iter().copied(), VC)?;
    let mut hasher = Sha256::new();
    let mut credentials = Vec::new();
    let mut one = |item: &Value, hasher: &mut Sha256| -> Result<(), JcsError> {
        if let Some(k) = recognize.and_then(|r| (r.known)(item)) {
            hasher.update(k.canonical());
            credentials.push(CredentialDigest::Known(k));
        } else {
            let keep = recognize.is_some_and(|r| r.keep);
            credentials.push(credential(item, hasher, keep)?);
        }
        Ok(())
    };
    hasher.update(b"{");
    hasher.update(&before);
    if let Some(vc) = vc {
        if !before.is_empty() {
            hasher.update(b",");
        }
        hasher.update(br#""verifiableCredential":"#);
        match vc {
            Value::Array(items) => {
                hasher.update(b"[");
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        hasher.update(b",");
                    }
                    one(item, &mut hasher)?;
                }
                hasher.update(b"]");
            }
            single => one(single, &mut hasher)?,
        }
        if !after.is_empty() {
            hasher.update(b",");
        }
    } else if !before.is_empty() && !after.is_empty() {
        hasher.update(b",");
    }
    hasher.update(&after);
    hasher.update(b"}");
    Ok(PresentationDigests {
        presentation: hasher.finalize().into(),
        credentials,
    })
}

/// Feeds the JCS of `item` (with its proof) to `hasher`, and returns the digest of the item
/// without its proof when that is its transformed document, with the JCS fed if `keep`.
fn credential<K>(
    item: &Value,
    hasher: &mut Sha256,
    keep: bool,
) -> Result<CredentialDigest<K>, JcsError> {
    let Some((cred, proof)) = item
        .as_object()
        .and_then(|c| c.get("proof").map(|proof| (c, proof)))
    else {
        hasher.update(jcs::canonicalize(item)?);
        return Ok(CredentialDigest::Unshared);
    };
    let (before, after) = runs(cred.iter().map(|(k, v)| (k.as_str(), v)), "proof")?;
    let proof = jcs::canonicalize(proof)?;
    let shared = shares_context(cred);
    let mut kept =
        (keep && shared).then(|| Vec::with_capacity(before.len() + proof.len() + after.len() + 12));
    let mut with_proof = |parts: &[&[u8]]| {
        for p in parts {
            hasher.update(p);
            if let Some(kept) = &mut kept {
                kept.extend_from_slice(p);
            }
        }
    };
    with_proof(&[b"{", &before]);
    if !before.is_empty() {
        with_proof(&[b","]);
    }
    with_proof(&[br#""proof":"#, &proof]);
    if !after.is_empty() {
        with_proof(&[b",", &after]);
    }
    with_proof(&[b"}"]);
    if !shared {
        return Ok(CredentialDigest::Unshared);
    }
    let mut own = Sha256::new();
    own.update(b"{");
    own.update(&before);
    if !before.is_empty() && !after.is_empty() {
        own.update(b",");
    }
    own.update(&after);
    own.update(b"}");
    Ok(CredentialDigest::Own {
        digest: own.finalize().into(),
        canonical: kept,
    })
}

/// Whether the credential's transformed document is its members without `proof`: its proof
/// has no `@context`, or the credential's own (a different one replaces the credential's in
/// the transformed document). A proof that is not single gives `false` (its check fails
/// before any digest is used).
fn shares_context(cred: &Map<String, Value>) -> bool {
    match single_proof(cred) {
        Ok(proof) => match proof.get("@context") {
            None => true,
            Some(ctx) => cred.get("@context") == Some(ctx),
        },
        Err(_) => false,
    }
}

/// The JCS of the object of `members` other than `name`, in two runs without braces: the
/// members that sort before `name` and those after it.
fn runs<'a>(
    members: impl Iterator<Item = (&'a str, &'a Value)>,
    name: &str,
) -> Result<(Vec<u8>, Vec<u8>), JcsError> {
    let (mut before, mut after) = (Vec::new(), Vec::new());
    for (k, v) in members {
        match utf16_cmp(k, name) {
            Ordering::Less => before.push((k, v)),
            Ordering::Greater => after.push((k, v)),
            Ordering::Equal => {}
        }
    }
    let inner = |members: Vec<(&'a str, &'a Value)>| -> Result<Vec<u8>, JcsError> {
        let bytes = jcs::canonicalize_object(members)?;
        // `{…}`: keep what is between the braces.
        Ok(bytes
            .get(1..bytes.len().saturating_sub(1))
            .unwrap_or_default()
            .to_vec())
    };
    Ok((inner(before)?, inner(after)?))
}

/// RFC 8785's member order: by UTF-16 code units.
fn utf16_cmp(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::proof::view;

    fn digest(members: impl Iterator<Item = (&'static str, &'static Value)>) -> [u8; 32] {
        Sha256::digest(jcs::canonicalize_object(members).unwrap()).into()
    }

    impl KnownBytes for Vec<u8> {
        fn canonical(&self) -> &[u8] {
            self
        }
    }

    fn items(obj: &Map<String, Value>) -> Vec<&Value> {
        match obj.get("verifiableCredential") {
            Some(Value::Array(items)) => items.iter().collect(),
            Some(single) => vec![single],
            None => vec![],
        }
    }

    fn check(vp: Value) {
        let vp: &'static Value = Box::leak(Box::new(vp));
        let obj = vp.as_object().unwrap();
        let whole = digest(view(obj, "proof", None));
        // Not recognizing, keeping nothing, keeping the bytes: the same digests.
        let never = |_: &Value| None::<Vec<u8>>;
        for recognize in [
            None,
            Some(Recognize {
                known: &never,
                keep: false,
            }),
            Some(Recognize {
                known: &never,
                keep: true,
            }),
        ] {
            let keep = recognize.as_ref().is_some_and(|r| r.keep);
            let got = presentation_digests(view(obj, "proof", None), recognize.as_ref()).unwrap();
            assert_eq!(got.presentation, whole, "{vp}");
            assert_eq!(got.credentials.len(), items(obj).len());
            for (item, own) in items(obj).iter().zip(&got.credentials) {
                let cred = item.as_object();
                let shared = cred.is_some_and(|c| c.contains_key("proof") && shares_context(c));
                match (own, cred) {
                    (
                        CredentialDigest::Own {
                            digest: d,
                            canonical,
                        },
                        Some(cred),
                    ) => {
                        assert!(shared, "{item}");
                        assert_eq!(*d, digest(view(cred, "proof", None)), "{item}");
                        // What is kept is the credential's whole-document canonicalization.
                        let expected = keep.then(|| jcs::canonicalize(item).unwrap());
                        assert_eq!(canonical, &expected, "{item}");
                    }
                    (CredentialDigest::Unshared, _) => assert!(!shared, "{item}"),
                    _ => panic!("unexpected digest for {item}"),
                }
            }
        }
        // Every credential recognized, with its whole-document canonicalization as its bytes:
        // the presentation's digest is the same again.
        let all = |item: &Value| Some(jcs::canonicalize(item).unwrap());
        let recognize = Recognize {
            known: &all,
            keep: true,
        };
        let got = presentation_digests(view(obj, "proof", None), Some(&recognize)).unwrap();
        assert_eq!(got.presentation, whole, "{vp}");
        assert!(
            got.credentials
                .iter()
                .all(|c| matches!(c, CredentialDigest::Known(_)))
        );
    }

    #[test]
    fn the_pieces_hash_as_the_whole_documents() {
        let proof = json!({"type": "DataIntegrityProof", "proofValue": "z1"});
        let cred = |extra: Value| {
            let mut c =
                json!({"@context": ["a"], "id": "urn:c", "issuer": "did:x", "proof": proof});
            c.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            c
        };
        // Names sorting around "proof" and "verifiableCredential" in UTF-16 order (U+FB33
        // sorts after U+1F600 there, before it in UTF-8), escapes, numbers JCS rewrites.
        let odd = json!({"proo": 1, "proof0": 2, "prooF": 3, "pr\u{fb33}": 4, "pr\u{1f600}": 5,
                         "\"q": "\u{2028}", "n": 1.0e21, "m": 4.50});
        check(
            json!({"type": "VerifiablePresentation", "verifiableCredential": [cred(odd.clone())]}),
        );
        check(json!({"verifiableCredential": cred(json!({}))}));
        check(
            json!({"verifiableCredential": [cred(json!({})), "a string", 7, {"no": "proof"}, cred(odd)]}),
        );
        check(json!({"verifiableCredential": []}));
        check(json!({"verifiableCredentiaL": [], "verifiableCredential0": 1, "holder": "h"}));
        check(json!({"a": 1, "verifiableCredential": [{"proof": proof}]}));
        check(json!({"zz": 1, "verifiableCredential": [{"proof": [proof, proof]}]}));
        check(
            json!({"verifiableCredential": [{"zz": 1, "proof": {"@context": ["b"]}, "@context": ["a"]}]}),
        );
        check(json!({"verifiableCredential": [{"proof": {"@context": ["a"]}, "@context": ["a"]}]}));
        check(json!({}));
    }
}
