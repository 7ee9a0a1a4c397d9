//! The verifier's status checks: reading a verified status list credential into a
//! [`VerifiedStatusList`], and checking a credential's `credentialStatus` entries
//! against the lists at hand (the list formats themselves are in [`crate::status`]).

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::options::StatusPolicy;
use super::outcome::VerifyFailure;
use crate::did::truncate;
use crate::reason::Reason;
use crate::status::{Bitstring, StatusEntry, VerifiedStatusList};
use crate::time::parse_datetime_ms;

fn unavailable(m: String) -> VerifyFailure {
    VerifyFailure::new(Reason::StatusUnavailable, m)
}

/// Reads the subject of a status list credential whose proof, issuer and validity were
/// already checked: type, purpose, and `encodedList` within `max_bytes`.
pub(crate) fn list_from_credential(
    obj: &Map<String, Value>,
    issuer: &str,
    max_bytes: usize,
) -> Result<VerifiedStatusList, VerifyFailure> {
    let id = obj
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| unavailable("status list credential has no id".into()))?;
    let subject = obj
        .get("credentialSubject")
        .and_then(Value::as_object)
        .ok_or_else(|| unavailable("status list credential has no credentialSubject".into()))?;
    let stype = subject
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if stype != "BitstringStatusList" && stype != "StatusList2021" {
        return Err(unavailable(format!(
            "credentialSubject type `{}` is not BitstringStatusList",
            truncate(stype)
        )));
    }
    let purpose = subject
        .get("statusPurpose")
        .and_then(Value::as_str)
        .ok_or_else(|| unavailable("status list has no statusPurpose".into()))?;
    let encoded = subject
        .get("encodedList")
        .and_then(Value::as_str)
        .ok_or_else(|| unavailable("status list has no encodedList".into()))?;
    let bits = Bitstring::decode(encoded, max_bytes).map_err(|e| unavailable(e.to_string()))?;
    Ok(VerifiedStatusList {
        id: id.to_owned(),
        issuer: issuer.to_owned(),
        status_purpose: purpose.to_owned(),
        valid_until_ms: ["validUntil", "expirationDate"].iter().find_map(|n| {
            obj.get(*n)
                .and_then(Value::as_str)
                .and_then(parse_datetime_ms)
        }),
        bits,
    })
}

/// Checks every `credentialStatus` entry of `cred` (issued by `issuer`) against `lists`
/// under `policy`; `floor_ms` is now minus the tolerated skew. Returns whether every
/// entry was checked.
pub(crate) fn check_entries(
    cred: &Map<String, Value>,
    issuer: &str,
    lists: &HashMap<String, Arc<VerifiedStatusList>>,
    policy: StatusPolicy,
    floor_ms: i64,
) -> Result<bool, VerifyFailure> {
    if policy == StatusPolicy::Skip {
        return Ok(!cred.contains_key("credentialStatus"));
    }
    let entries = StatusEntry::from_credential(cred).map_err(|e| unavailable(e.to_string()))?;
    let mut all_checked = true;
    for entry in entries {
        let Some(list) = lists.get(&entry.status_list_credential) else {
            if policy == StatusPolicy::Require {
                return Err(unavailable(format!(
                    "no status list `{}` was supplied or fetched",
                    truncate(&entry.status_list_credential)
                )));
            }
            all_checked = false;
            continue;
        };
        check_entry(&entry, list, issuer, floor_ms)?;
    }
    Ok(all_checked)
}

/// Checks one entry against its list: same issuer, list not expired, same purpose, then
/// the bit.
fn check_entry(
    entry: &StatusEntry,
    list: &VerifiedStatusList,
    issuer: &str,
    floor_ms: i64,
) -> Result<(), VerifyFailure> {
    if list.issuer != issuer {
        return Err(unavailable(format!(
            "status list `{}` is not issued by the credential's issuer",
            truncate(&list.id)
        )));
    }
    if list.valid_until_ms.is_some_and(|u| u < floor_ms) {
        return Err(unavailable(format!(
            "status list `{}` has expired",
            truncate(&list.id)
        )));
    }
    if list.status_purpose != entry.status_purpose {
        return Err(unavailable(format!(
            "status entry purpose `{}` does not match the list's `{}`",
            truncate(&entry.status_purpose),
            truncate(&list.status_purpose)
        )));
    }
    let bit = list.bits.get(entry.status_list_index).ok_or_else(|| {
        unavailable(format!(
            "statusListIndex {} is outside the status list",
            entry.status_list_index
        ))
    })?;
    match (bit, entry.status_purpose.as_str()) {
        (true, "revocation") => Err(VerifyFailure::new(
            Reason::CredentialRevoked,
            "the credential has been revoked",
        )),
        (true, "suspension") => Err(VerifyFailure::new(
            Reason::CredentialSuspended,
            "the credential is suspended",
        )),
        _ => Ok(()),
    }
}
