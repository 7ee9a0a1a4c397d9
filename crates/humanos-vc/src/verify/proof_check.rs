//! The checks every signed document goes through: its one proof (suite, purpose, key,
//! signature, `created` / `expires`) and its validity window.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::cache::{KnownCredential, SignatureCache};
use super::{Verifier, VerifyFailure};
use crate::did::{KeyLookup, ResolvedKey, truncate};
use sha2::{Digest, Sha256};

use crate::proof::{ProofError, ProofPurpose, eddsa_jcs_2022, single_proof, view};
use crate::reason::Reason;
use crate::split_hash::{self, CredentialDigest, Recognize};
use crate::time::parse_datetime_ms;

/// Which document a proof secures.
pub(super) enum Kind {
    Presentation,
    Credential,
    StatusList,
}

/// How the digest of the document without its proof is had.
pub(super) enum Transformed<'a> {
    /// Canonicalize the document (the ordinary way).
    Canonical,
    /// A credential's, taken from its presentation's canonicalization (see
    /// [`crate::split_hash`]).
    Known([u8; 32]),
    /// A credential equal to one that verified before: its hash data and signature are the
    /// ones computed then (see [`SignatureCache::known`]).
    Verified(&'a KnownCredential),
    /// A presentation's: canonicalize it writing each embedded credential once (or not at all
    /// when `cache` recognizes it), and keep how their own digests are had here, in order.
    SharingCredentials {
        cache: Option<&'a SignatureCache>,
        credentials: &'a mut Vec<CredentialDigest<Arc<KnownCredential>>>,
    },
}

impl Transformed<'_> {
    fn digest(
        self,
        doc: &Map<String, Value>,
        context: Option<&Value>,
    ) -> Result<[u8; 32], ProofError> {
        match self {
            Transformed::Canonical => {
                let bytes = crate::jcs::canonicalize_object(view(doc, "proof", context))?;
                Ok(Sha256::digest(bytes).into())
            }
            Transformed::Known(digest) => Ok(digest),
            Transformed::Verified(known) => {
                // The second half of its hash data (check_signature takes it whole).
                let mut digest = [0u8; 32];
                digest.copy_from_slice(&known.hash_data[32..]);
                Ok(digest)
            }
            Transformed::SharingCredentials { cache, credentials } => {
                let known = |c: &Value| cache.and_then(|cache| cache.known(c));
                let recognize = cache.map(|_| Recognize {
                    known: &known,
                    keep: true,
                });
                let digests = split_hash::presentation_digests(
                    view(doc, "proof", context),
                    recognize.as_ref(),
                )?;
                *credentials = digests.credentials;
                Ok(digests.presentation)
            }
        }
    }
}

/// What a proof of one [`Kind`] must be, and the reasons its failures carry.
struct Expect {
    purpose: ProofPurpose,
    sig_invalid: Reason,
    signer_unknown: Reason,
    what: &'static str,
}

impl Kind {
    fn expect(&self) -> Expect {
        let (purpose, sig_invalid, signer_unknown, what) = match self {
            Kind::Presentation => (
                ProofPurpose::Authentication,
                Reason::VpSignatureInvalid,
                Reason::VpSignerUnknown,
                "presentation",
            ),
            Kind::Credential => (
                ProofPurpose::AssertionMethod,
                Reason::CredentialSignatureInvalid,
                Reason::CredentialSignerUnknown,
                "credential",
            ),
            Kind::StatusList => (
                ProofPurpose::AssertionMethod,
                Reason::StatusUnavailable,
                Reason::StatusUnavailable,
                "status list credential",
            ),
        };
        Expect {
            purpose,
            sig_invalid,
            signer_unknown,
            what,
        }
    }

    /// A status list that fails any check is unavailable, whatever the check.
    fn or_unavailable(&self, reason: Reason) -> Reason {
        if matches!(self, Kind::StatusList) {
            Reason::StatusUnavailable
        } else {
            reason
        }
    }
}

fn fail(r: &Reason, m: String) -> VerifyFailure {
    VerifyFailure::new(r.clone(), m)
}

fn str_field<'a>(proof: &'a Map<String, Value>, name: &str) -> &'a str {
    proof.get(name).and_then(Value::as_str).unwrap_or_default()
}

impl Verifier {
    /// Checks one proof of `doc`: purpose, key, signature, `created` / `expires`.
    pub(super) fn check_proof(
        &self,
        doc: &Value,
        keys: &dyn KeyLookup,
        kind: &Kind,
    ) -> Result<ResolvedKey, VerifyFailure> {
        self.check_proof_with(doc, keys, kind, Transformed::Canonical)
    }

    /// [`check_proof`](Self::check_proof), with the document's digest had as `transformed`
    /// says.
    pub(super) fn check_proof_with(
        &self,
        doc: &Value,
        keys: &dyn KeyLookup,
        kind: &Kind,
        transformed: Transformed<'_>,
    ) -> Result<ResolvedKey, VerifyFailure> {
        let e = kind.expect();
        let what = e.what;
        let obj = doc.as_object().ok_or_else(|| {
            VerifyFailure::new(
                Reason::VpMalformed,
                format!("the {what} is not a JSON object"),
            )
        })?;
        let proof =
            single_proof(obj).map_err(|err| fail(&e.sig_invalid, format!("{what}: {err}")))?;
        check_suite_and_purpose(proof, kind, &e)?;
        let vm = proof
            .get("verificationMethod")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                fail(
                    &e.signer_unknown,
                    format!("{what} proof has no verificationMethod"),
                )
            })?;
        let key = keys
            .lookup(vm, &e.purpose)
            .map_err(|err| fail(&e.signer_unknown, format!("{what} signer: {err}")))?;
        self.check_signature(doc, &key, &e, transformed)?;
        self.check_proof_times(proof, what)?;
        Ok(key)
    }

    /// Verifies the Ed25519 signature, unless the verified-signature cache already holds it.
    fn check_signature(
        &self,
        doc: &Value,
        key: &ResolvedKey,
        e: &Expect,
        transformed: Transformed<'_>,
    ) -> Result<(), VerifyFailure> {
        let what = e.what;
        if let Transformed::Verified(known) = transformed {
            // The same credential as one that verified: the same hash data and signature.
            if known.public_key == *key.public_key.as_bytes() {
                return Ok(());
            }
            return self.check_hash(&known.hash_data, &known.signature, key, e);
        }
        let input = eddsa_jcs_2022::verification_input_by(doc, |doc, context| {
            transformed.digest(doc, context)
        });
        let (hash_data, sig) = input.map_err(|err| match err {
            ProofError::Jcs(_) | ProofError::NotAnObject => {
                fail(&Reason::VpMalformed, format!("{what}: {err}"))
            }
            _ => fail(&e.sig_invalid, format!("{what}: {err}")),
        })?;
        self.check_hash(&hash_data, &sig, key, e)
    }

    /// Verifies `sig` over `hash_data`, unless the verified-signature cache already holds it.
    fn check_hash(
        &self,
        hash_data: &[u8; 64],
        sig: &[u8; 64],
        key: &ResolvedKey,
        e: &Expect,
    ) -> Result<(), VerifyFailure> {
        let verify = || eddsa_jcs_2022::verify_hash(hash_data, sig, &key.public_key);
        let ok = match &self.signature_cache {
            Some(cache) => cache.verifies(key.public_key.as_bytes(), hash_data, sig, verify),
            None => verify(),
        };
        if ok {
            Ok(())
        } else {
            Err(fail(
                &e.sig_invalid,
                format!("{} signature does not verify", e.what),
            ))
        }
    }

    /// Denies a proof created in the future or expired (beyond the skew).
    fn check_proof_times(
        &self,
        proof: &Map<String, Value>,
        what: &str,
    ) -> Result<(), VerifyFailure> {
        let now = self.now_ms();
        if let Some(created) = proof.get("created").and_then(Value::as_str) {
            // verification_input already checked that `created` parses.
            if parse_datetime_ms(created).is_some_and(|c| c > now.saturating_add(self.skew_ms())) {
                return Err(fail(
                    &Reason::NotYetValid,
                    format!("{what} proof was created in the future ({created})"),
                ));
            }
        }
        if let Some(expires) = proof.get("expires") {
            match expires.as_str().and_then(parse_datetime_ms) {
                Some(e) if e < now.saturating_sub(self.skew_ms()) => {
                    return Err(fail(
                        &Reason::Expired,
                        format!(
                            "{what} proof expired at {}",
                            truncate(expires.as_str().unwrap_or_default())
                        ),
                    ));
                }
                Some(_) => {}
                None => {
                    return Err(fail(
                        &Reason::VpMalformed,
                        format!("{what} proof `expires` is not a dateTime"),
                    ));
                }
            }
        }
        Ok(())
    }

    pub(super) fn check_validity(
        &self,
        cred: &Map<String, Value>,
        what: &str,
    ) -> Result<(), VerifyFailure> {
        let now = self.now_ms();
        let date = |names: [&str; 2]| -> Result<Option<(i64, &str)>, VerifyFailure> {
            for n in names {
                if let Some(v) = cred.get(n) {
                    if v.is_null() {
                        continue;
                    }
                    let s = v.as_str().unwrap_or_default();
                    return parse_datetime_ms(s).map(|ms| Some((ms, s))).ok_or_else(|| {
                        VerifyFailure::new(
                            Reason::VpMalformed,
                            format!("{what} `{n}` is not a dateTime"),
                        )
                    });
                }
            }
            Ok(None)
        };
        if let Some((from, s)) = date(["validFrom", "issuanceDate"])?
            && from > now.saturating_add(self.skew_ms())
        {
            return Err(VerifyFailure::new(
                Reason::NotYetValid,
                format!("{what} is not valid before {}", truncate(s)),
            ));
        }
        if let Some((until, s)) = date(["validUntil", "expirationDate"])?
            && until < now.saturating_sub(self.skew_ms())
        {
            return Err(VerifyFailure::new(
                Reason::Expired,
                format!("{what} expired at {}", truncate(s)),
            ));
        }
        Ok(())
    }
}

/// Checks the proof's type and cryptosuite (only `DataIntegrityProof` /
/// `eddsa-jcs-2022`) and its purpose.
fn check_suite_and_purpose(
    proof: &Map<String, Value>,
    kind: &Kind,
    e: &Expect,
) -> Result<(), VerifyFailure> {
    let what = e.what;
    let ptype = str_field(proof, "type");
    let suite = str_field(proof, "cryptosuite");
    if ptype != crate::proof::DATA_INTEGRITY_PROOF || suite != crate::proof::EDDSA_JCS_2022 {
        return Err(fail(
            &kind.or_unavailable(Reason::UnsupportedCryptosuite),
            format!(
                "{what} proof is `{}`/`{}`, only DataIntegrityProof/eddsa-jcs-2022 is supported",
                truncate(ptype),
                truncate(suite)
            ),
        ));
    }
    let got_purpose = str_field(proof, "proofPurpose");
    if got_purpose != e.purpose.as_str() {
        return Err(fail(
            &kind.or_unavailable(Reason::ProofPurposeMismatch),
            format!(
                "{what} proof purpose is `{}`, expected `{}`",
                truncate(got_purpose),
                e.purpose.as_str()
            ),
        ));
    }
    Ok(())
}
