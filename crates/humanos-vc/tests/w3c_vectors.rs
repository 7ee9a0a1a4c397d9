//! The W3C eddsa-jcs-2022 test vectors (see tests/vectors/README.md for their provenance).

use humanos_vc::did::{DidKeyResolver, KeyLookup};
use humanos_vc::proof::eddsa_jcs_2022 as suite;
use humanos_vc::{
    Ed25519PublicKey, Ed25519SigningKey, ProofError, ProofOptions, ProofPurpose, add_proof,
};
use serde_json::Value;

fn text(path: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/vectors/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn json(path: &str) -> Value {
    serde_json::from_str(&text(path)).unwrap()
}

fn hex(path: &str) -> Vec<u8> {
    hex::decode(text(path).trim()).unwrap()
}

fn key_pair() -> (Ed25519SigningKey, Ed25519PublicKey) {
    let kp = json("rec-b3/key-pair.json");
    let sk = Ed25519SigningKey::from_multibase(kp["secretKeyMultibase"].as_str().unwrap()).unwrap();
    let pk = Ed25519PublicKey::from_multibase(kp["publicKeyMultibase"].as_str().unwrap()).unwrap();
    (sk, pk)
}

fn options_from(proof_options: &Value) -> ProofOptions {
    let o = proof_options.as_object().unwrap();
    ProofOptions::new(
        o["verificationMethod"].as_str().unwrap(),
        ProofPurpose::parse(o["proofPurpose"].as_str().unwrap()),
    )
    .created(o["created"].as_str().unwrap())
}

#[test]
fn rec_secret_key_derives_the_published_public_key() {
    let (sk, pk) = key_pair();
    assert_eq!(sk.public_key(), pk);
    assert_eq!(
        pk.to_multibase(),
        "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    );
}

#[test]
fn rec_intermediate_values() {
    let unsigned = json("rec-b3/unsigned.json");
    let canonical = suite::transform(&unsigned).unwrap();
    assert_eq!(
        String::from_utf8(canonical.clone()).unwrap(),
        text("rec-b3/canonical-document.txt")
    );
    let options = json("rec-b3/proof-options.json");
    let config = suite::proof_configuration(options.as_object().unwrap()).unwrap();
    assert_eq!(
        String::from_utf8(config.clone()).unwrap(),
        text("rec-b3/canonical-proof-options.txt")
    );
    let hash_data = suite::hash(&canonical, &config);
    assert_eq!(
        &hash_data[..32],
        hex("rec-b3/proof-options-hash.txt").as_slice()
    );
    assert_eq!(&hash_data[32..], hex("rec-b3/document-hash.txt").as_slice());
    assert_eq!(
        hash_data.as_slice(),
        hex("rec-b3/combined-hash.txt").as_slice()
    );
    let (sk, _) = key_pair();
    let sig = suite::serialize_proof(&hash_data, &sk);
    assert_eq!(sig.as_slice(), hex("rec-b3/signature-hex.txt").as_slice());
    assert_eq!(
        suite::encode_proof_value(&sig),
        text("rec-b3/proof-value.txt").trim()
    );
}

#[test]
fn rec_sign_reproduces_the_published_signed_credential() {
    let (sk, _) = key_pair();
    let signed = add_proof(
        &json("rec-b3/unsigned.json"),
        &options_from(&json("rec-b3/proof-options.json")),
        &sk,
    )
    .unwrap();
    assert_eq!(signed, json("rec-b3/signed.json"));
    assert_eq!(
        signed["proof"]["proofValue"],
        text("rec-b3/proof-value.txt").trim()
    );
}

#[test]
fn rec_verify_accepts_the_published_signed_credential() {
    let signed = json("rec-b3/signed.json");
    let (_, pk) = key_pair();
    suite::verify_proof(&signed, &pk).unwrap();
    // The same through did:key resolution of the proof's verificationMethod.
    let vm = signed["proof"]["verificationMethod"].as_str().unwrap();
    let key = DidKeyResolver
        .lookup(vm, &ProofPurpose::AssertionMethod)
        .unwrap();
    suite::verify_proof(&signed, &key.public_key).unwrap();
}

#[test]
fn editors_draft_vector_sign_and_verify() {
    let signed = json("editors-draft/signedJCS.json");
    let (sk, pk) = key_pair();
    let mut unsigned = signed.as_object().unwrap().clone();
    unsigned.remove("proof");
    let unsigned = Value::Object(unsigned);
    assert_eq!(
        suite::transform(&unsigned).map(|c| sha256(&c)).unwrap(),
        hex("editors-draft/docHashJCS.txt")
    );
    let config = suite::proof_configuration(
        json("editors-draft/proofConfigJCS.json")
            .as_object()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(sha256(&config), hex("editors-draft/proofHashJCS.txt"));
    let re = add_proof(
        &unsigned,
        &options_from(&json("editors-draft/proofConfigJCS.json")),
        &sk,
    )
    .unwrap();
    assert_eq!(re, signed);
    let hash_data = suite::hash(&suite::transform(&unsigned).unwrap(), &config);
    assert_eq!(
        suite::serialize_proof(&hash_data, &sk).as_slice(),
        hex("editors-draft/sigHexJCS.txt").as_slice()
    );
    suite::verify_proof(&signed, &pk).unwrap();
}

fn sha256(b: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(b).to_vec()
}

/// Every string leaf of the document and of its proof, changed by one character, and every
/// byte of the signature flipped: all must be rejected.
#[test]
fn any_changed_byte_is_rejected() {
    let (_, pk) = key_pair();
    for path in ["rec-b3/signed.json", "editors-draft/signedJCS.json"] {
        let signed = json(path);
        suite::verify_proof(&signed, &pk).unwrap();
        let mut mutated = 0;
        for pointer in string_pointers(&signed, String::new()) {
            if pointer == "/proof/proofValue" {
                continue;
            }
            let mut doc = signed.clone();
            let s = doc.pointer_mut(&pointer).unwrap();
            let mut t = s.as_str().unwrap().to_owned();
            let last = t.pop().unwrap_or('a');
            t.push(if last == 'x' { 'y' } else { 'x' });
            *s = Value::String(t);
            assert!(
                suite::verify_proof(&doc, &pk).is_err(),
                "{path}: change at {pointer} accepted"
            );
            mutated += 1;
        }
        assert!(mutated >= 15, "{path}: only {mutated} leaves");
        // Signature bytes.
        let pv = signed["proof"]["proofValue"].as_str().unwrap();
        let sig = suite::decode_proof_value(pv).unwrap();
        for i in 0..64 {
            for bit in [0x01u8, 0x80] {
                let mut s = sig;
                s[i] ^= bit;
                let mut doc = signed.clone();
                doc["proof"]["proofValue"] = Value::String(suite::encode_proof_value(&s));
                assert_eq!(
                    suite::verify_proof(&doc, &pk),
                    Err(ProofError::SignatureInvalid),
                    "{path}: sig byte {i}"
                );
            }
        }
        // Added or removed members.
        let mut doc = signed.clone();
        doc.as_object_mut()
            .unwrap()
            .insert("extra".into(), Value::Bool(true));
        assert!(suite::verify_proof(&doc, &pk).is_err());
        let mut doc = signed.clone();
        doc["proof"].as_object_mut().unwrap().remove("created");
        assert!(suite::verify_proof(&doc, &pk).is_err());
        let mut doc = signed.clone();
        doc["proof"]
            .as_object_mut()
            .unwrap()
            .insert("domain".into(), "x".into());
        assert!(suite::verify_proof(&doc, &pk).is_err());
    }
}

#[test]
fn malformed_proofs_are_errors_not_panics() {
    let (_, pk) = key_pair();
    let signed = json("rec-b3/signed.json");
    let cases: Vec<(&str, Value)> = vec![
        ("/proof/proofValue", Value::String("".into())),
        ("/proof/proofValue", Value::String("u2HnF".into())),
        ("/proof/proofValue", Value::String("z0OIl".into())),
        ("/proof/proofValue", Value::String("z2HnFSSPPBzR".into())),
        (
            "/proof/proofValue",
            Value::String(format!("z{}", "2".repeat(100))),
        ),
        (
            "/proof/proofValue",
            Value::String(format!("z{}", "2".repeat(100_000))),
        ),
        ("/proof/proofValue", Value::Null),
        (
            "/proof/cryptosuite",
            Value::String("eddsa-rdfc-2022".into()),
        ),
        ("/proof/type", Value::String("Ed25519Signature2020".into())),
        ("/proof/created", Value::String("yesterday".into())),
        (
            "/proof/@context",
            Value::String("https://example.org/other".into()),
        ),
        ("/proof", Value::Array(vec![])),
        ("/proof", Value::String("x".into())),
    ];
    for (pointer, value) in cases {
        let mut doc = signed.clone();
        *doc.pointer_mut(pointer).unwrap() = value.clone();
        assert!(
            suite::verify_proof(&doc, &pk).is_err(),
            "{pointer} = {value}"
        );
    }
    let mut doc = signed.clone();
    doc.as_object_mut().unwrap().remove("proof");
    assert_eq!(
        suite::verify_proof(&doc, &pk),
        Err(ProofError::MissingProof)
    );
    let mut two = signed.clone();
    let p = two["proof"].clone();
    two["proof"] = Value::Array(vec![p.clone(), p]);
    assert_eq!(
        suite::verify_proof(&two, &pk),
        Err(ProofError::MultipleProofs(2))
    );
    assert_eq!(
        suite::verify_proof(&Value::Null, &pk),
        Err(ProofError::NotAnObject)
    );
    // A proof context that is not a prefix of the document's.
    let mut doc = signed.clone();
    doc["@context"] = Value::Array(vec!["https://www.w3.org/ns/credentials/v2".into()]);
    assert_eq!(
        suite::verify_proof(&doc, &pk),
        Err(ProofError::ContextMismatch)
    );
}

/// eddsa-jcs-2022 §3.3.2 (Verify Proof) checks that the document's `@context` starts with the
/// proof's, then hashes the document with the proof's `@context` in its place: a context added
/// after the signed ones does not change what was signed (found by the `vc_verify` fuzz target,
/// whose property now applies the same rule).
#[test]
fn the_documents_context_is_replaced_by_the_proofs_before_hashing() {
    let (_, pk) = key_pair();
    let signed = json("rec-b3/signed.json");
    let mut extended = signed.clone();
    extended["@context"]
        .as_array_mut()
        .unwrap()
        .push("https://example.org/extra/v1".into());
    suite::verify_proof(&extended, &pk).unwrap();
    // Only at the end: the proof's contexts must come first, in order.
    let mut reordered = signed.clone();
    reordered["@context"].as_array_mut().unwrap().reverse();
    assert_eq!(
        suite::verify_proof(&reordered, &pk),
        Err(ProofError::ContextMismatch)
    );
}

#[test]
fn a_one_element_proof_array_verifies_like_the_object() {
    let (_, pk) = key_pair();
    let mut signed = json("rec-b3/signed.json");
    let p = signed["proof"].clone();
    signed["proof"] = Value::Array(vec![p]);
    suite::verify_proof(&signed, &pk).unwrap();
}

fn string_pointers(v: &Value, at: String) -> Vec<String> {
    match v {
        Value::String(_) => vec![at],
        Value::Array(a) => a
            .iter()
            .enumerate()
            .flat_map(|(i, x)| string_pointers(x, format!("{at}/{i}")))
            .collect(),
        Value::Object(o) => o
            .iter()
            .flat_map(|(k, x)| {
                string_pointers(
                    x,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                )
            })
            .collect(),
        _ => vec![],
    }
}
