//! Intelligence: `GET /intelligence/{action,snapshot,window}`.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use humanos_models::*;
use serde_json::{Value, json};

use crate::context::Context;
use crate::domain::actions::{find_version, version_urn};
use crate::http::error::{ApiError, ApiResult};
use crate::records::{CREDENTIAL, CredentialRec, CredentialStatus, REQUEST, RequestRec};
use crate::util;

use super::common::*;

/// The query parameter `name`, answered 400 `<name> is required` when absent.
fn required<'q>(q: &'q Query, name: &str) -> ApiResult<&'q str> {
    q.get(name)
        .ok_or_else(|| ApiError::validation(vec![format!("{name} is required")]))
}

fn check_org(s: &Context, q: &Query) -> ApiResult<String> {
    let org = required(q, "orgDid")?;
    if org != s.issuer.did() {
        return Err(ApiError::not_found(
            "Organization not found or no active sharing grant",
        ));
    }
    Ok(org.to_owned())
}

pub(crate) async fn intelligence_action(
    State(s): St,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<IntelligenceActionEntity>> {
    let q = Query::new(raw);
    let org = check_org(&s, &q)?;
    let urn = q
        .get("urn")
        .ok_or_else(|| ApiError::validation(vec!["urn is required".into()]))?;
    // The URN of an action version (`versions[].id` of GET /actions); an action's own id is not
    // a URN and resolves nothing here.
    let (a, v) = find_version(&s, urn)?.ok_or_else(|| {
        ApiError::not_found(
            "Action not found: urn is an action version URN (urn:via:action:<id>:v<n>, the versions[].id of GET /actions)",
        )
    })?;
    Ok(Json(
        IntelligenceActionEntity::new(
            org,
            v.id.clone(),
            a.name.clone(),
            a.description.clone().unwrap_or_default(),
            v.version,
            true,
            false,
            v.digest_sri.clone(),
            v.created_at.clone(),
        )
        .definition(v.content.clone()),
    ))
}

/// Whether an action credential is a mandate of agent `did`: its `authorizedDIDs` once issued;
/// before that (draft, rejected) the DIDs issuance would authorize (the sandbox's agent and the
/// request's `authorizedDIDs`, as `mandate::issue_credential` writes them).
fn serves_agent(s: &Context, c: &CredentialRec, did: &str) -> ApiResult<bool> {
    if c.action.is_none() {
        return Ok(false);
    }
    if let Some(w) = &c.w3c {
        return Ok(Value::Object(w.clone())
            .pointer("/credentialSubject/mandate/context/authorizedDIDs")
            .and_then(Value::as_array)
            .is_some_and(|d| d.iter().any(|x| x.as_str() == Some(did))));
    }
    if did == s.agent.did() {
        return Ok(true);
    }
    Ok(s.store
        .get::<RequestRec>(REQUEST, &c.request_id)?
        .is_some_and(|r| r.authorized_dids.iter().any(|d| d == did)))
}

/// The agent's live mandates at `at_ms`.
fn agent_mandates(s: &Context, did: &str, at_ms: u64) -> ApiResult<Vec<CredentialRec>> {
    let mut live = Vec::new();
    for c in s.store.list::<CredentialRec>(CREDENTIAL)? {
        let started = c
            .valid_from
            .as_deref()
            .and_then(util::parse_iso)
            .is_none_or(|f| f <= at_ms);
        if c.status == CredentialStatus::Active && started && serves_agent(s, &c, did)? {
            live.push(c);
        }
    }
    Ok(live)
}

/// Uses left across the execution-bounded mandates; `None` (the API's `null`) when none is
/// bounded.
fn executions_remaining(mandates: &[CredentialRec]) -> Option<u64> {
    mandates
        .iter()
        .filter(|m| m.max_executions.is_some())
        .map(|m| m.executions_remaining.unwrap_or(0))
        .reduce(|a, b| a + b)
}

/// Counts one more `key` in a `{key: count}` object.
fn bump(counts: &mut serde_json::Map<String, Value>, key: String) {
    let n = counts.get(&key).and_then(Value::as_u64).unwrap_or(0) + 1;
    counts.insert(key, n.into());
}

/// `part / total`; `None` (the API's `null`) when `total` is zero.
fn share(part: u64, total: u64) -> Option<f64> {
    (total > 0).then(|| part as f64 / total as f64)
}

pub(crate) async fn intelligence_snapshot(
    State(s): St,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<IntelligenceSnapshotEntity>> {
    let q = Query::new(raw);
    let org = check_org(&s, &q)?;
    let did = required(&q, "did")?.to_owned();
    let at = match q.get("at") {
        Some(a) => util::parse_iso(a).ok_or_else(|| {
            ApiError::validation(vec!["at must be a valid ISO 8601 date string".into()])
        })?,
        None => s.now_ms(),
    };
    let mandates = agent_mandates(&s, &did, at)?;
    let mut scopes = serde_json::Map::new();
    let mut actions = serde_json::Map::new();
    let (mut unbounded, mut time_only, mut exec_only, mut both) = (0u64, 0u64, 0u64, 0u64);
    for m in &mandates {
        bump(
            &mut scopes,
            m.scope.clone().unwrap_or_else(|| "agent.execute".into()),
        );
        // Keyed by version URN, which GET /intelligence/action resolves.
        if let Some(p) = &m.action {
            bump(&mut actions, version_urn(&p.id, p.version));
        }
        match (m.valid_until.is_some(), m.max_executions.is_some()) {
            (false, false) => unbounded += 1,
            (true, false) => time_only += 1,
            (false, true) => exec_only += 1,
            (true, true) => both += 1,
        }
    }
    let remaining = executions_remaining(&mandates);
    let nearest_expiry = mandates
        .iter()
        .filter_map(|m| m.valid_until.as_deref())
        .min_by_key(|v| util::parse_iso(v).unwrap_or(u64::MAX));
    let users = mandates
        .iter()
        .map(|m| m.user_id.as_str())
        .collect::<std::collections::HashSet<_>>()
        .len() as u64;
    let active: ActiveMandatesBlock = serde_json::from_value(json!({
        "total": mandates.len(),
        "scopes": scopes,
        "actions": actions,
        "bounds": {"unbounded": unbounded, "timeOnly": time_only, "executionOnly": exec_only, "both": both, "executionsRemaining": remaining, "nearestExpiry": nearest_expiry, "byAction": {}},
        "consent": {"authentication": {"phoneOtp": 0, "emailOtp": mandates.len(), "trustedSession": 0, "passkey": 0, "kyc": 0, "unknown": 0}, "users": {"total": users, "kycVerified": 0, "kycShare": share(0, users)}},
        "chainIntegrity": {"intact": true, "brokenChains": 0}
    })).map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("snapshot shape: {e}")))?;
    let registered = did == s.agent.did();
    // Whole days since registration (the sandbox's start), as of `at`.
    let age_days = registered.then(|| {
        let since = util::parse_iso(&s.started_at).unwrap_or(at);
        at.saturating_sub(since) / 86_400_000
    });
    Ok(Json(IntelligenceSnapshotEntity::new(
        org,
        did,
        util::iso(at),
        s.now_iso(),
        // `method`, `attestation`, `expiresAt`: "Not recorded yet; always null for now."
        {
            let mut kya = KyaBlock::new(registered);
            kya.registered_at = registered.then(|| s.started_at.clone());
            kya.age_days = age_days.map(Into::into);
            kya
        },
        active,
    )))
}

/// Counts derived from the audit events of agent `did`'s mandates in `[from, to)`.
#[derive(Default)]
struct WindowCounts {
    approved: u64,
    denied: u64,
    vps: u64,
    issued: u64,
    rejected: u64,
    by_rule: serde_json::Map<String, Value>,
    revocations: serde_json::Map<String, Value>,
}

impl WindowCounts {
    fn of(s: &Context, did: &str, from: u64, to: u64) -> ApiResult<Self> {
        let reason = |row: &Value| {
            row.pointer("/content/reason")
                .and_then(Value::as_str)
                .filter(|r| !r.is_empty())
                .unwrap_or("unknown")
                .to_owned()
        };
        // Only the events of this agent's mandates count.
        let mut own = std::collections::HashSet::new();
        for c in s.store.list::<CredentialRec>(CREDENTIAL)? {
            if serves_agent(s, &c, did)? {
                own.insert(c.id);
            }
        }
        let mut n = Self::default();
        for row in s.store.all_events()? {
            let Ok(row) = serde_json::from_str::<Value>(&row) else {
                continue;
            };
            let at = row.get("at").and_then(Value::as_u64).unwrap_or(0);
            let credential = row
                .pointer("/signed/credentialSubject/id")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if at < from || at >= to || !own.contains(credential) {
                continue;
            }
            match row
                .pointer("/signed/credentialSubject/event")
                .and_then(Value::as_str)
                .unwrap_or("")
            {
                "VERIFICATION_APPROVED" => n.approved += 1,
                "VERIFICATION_DENIED" => {
                    n.denied += 1;
                    bump(&mut n.by_rule, reason(&row));
                }
                "VP_CREATED" => n.vps += 1,
                "ISSUE" => n.issued += 1,
                "REJECT" => n.rejected += 1,
                "REVOKE" => bump(&mut n.revocations, reason(&row)),
                _ => {}
            }
        }
        Ok(n)
    }
}

pub(crate) async fn intelligence_window(
    State(s): St,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<IntelligenceWindowEntity>> {
    let q = Query::new(raw);
    let org = check_org(&s, &q)?;
    let did = required(&q, "did")?.to_owned();
    let parse = |name: &str| -> ApiResult<u64> {
        q.get(name).and_then(util::parse_iso).ok_or_else(|| {
            ApiError::validation(vec![format!("{name} must be a valid ISO 8601 date string")])
        })
    };
    let (from, to) = (parse("from")?, parse("to")?);
    if to <= from || to - from > 366 * 86_400_000 {
        return Err(ApiError::bad_request(
            "the window must run forward and cover at most 366 days",
        ));
    }
    let WindowCounts {
        approved,
        denied,
        vps,
        issued,
        rejected,
        by_rule,
        revocations,
    } = WindowCounts::of(&s, &did, from, to)?;
    let verifications = approved + denied;
    let distinct = u64::from(verifications > 0);
    let per_day = approved as f64 * 86_400_000.0 / (to - from) as f64;
    let remaining = executions_remaining(&agent_mandates(&s, &did, to)?);
    // At the observed rate; `null` when unbounded or idle.
    let exhaustion = remaining
        .filter(|_| per_day > 0.0)
        .map(|r| util::iso(to + (r as f64 / per_day * 86_400_000.0) as u64));
    let body = json!({
        "orgDid": org, "did": did, "from": util::iso(from), "to": util::iso(to), "computedAt": s.now_iso(),
        "usage": {
            "mandates": {"requested": issued + rejected, "approved": issued, "rejected": rejected, "pending": 0, "approvalRate": share(issued, issued + rejected)},
            "presentations": {"total": vps, "verified": approved, "conversionRate": share(approved, vps)},
            "verifications": {"total": verifications, "approved": approved, "denied": denied, "approvalRate": share(approved, verifications)},
            "verifiers": {"distinct": distinct, "firstSeen": 0, "firstSeenShare": share(0, distinct)},
            "burnRate": {"approvals": approved, "approvalsPerDay": per_day, "executionsRemaining": remaining, "projectedExhaustion": exhaustion, "byAction": {}}
        },
        "incidents": {"denials": {"byRule": by_rule, "byLifecycle": {}}, "revocations": revocations, "postRevocationActivity": {"attempts": 0, "mandatesInvolved": 0}, "brokenChains": 0}
    });
    let entity: IntelligenceWindowEntity = serde_json::from_value(body).map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("window shape: {e}"),
        )
    })?;
    Ok(Json(entity))
}
