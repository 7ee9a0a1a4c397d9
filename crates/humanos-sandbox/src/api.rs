//! The Humanos API handlers (every callable endpoint of the reference).

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use humanos_models::*;
use serde::de::DeserializeOwned;
use serde_json::Number;
use serde_json::{Value, json};

use crate::mandate::{self, Outcome};
use crate::state::{
    ACTION, ActionPin, ActionRec, ApiError, ApiResult, AppState, CREDENTIAL, CredentialRec,
    REQUEST, RequestRec, SubjectRec, USER, UserRec,
};
use crate::util;
use crate::webhooks;

type St = State<Arc<AppState>>;

/// Parses a JSON body (empty = `{}`), answering 400 with the JSON path on failure.
fn body<T: DeserializeOwned>(bytes: &[u8]) -> ApiResult<T> {
    let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        bytes
    };
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de)
        .map_err(|e| ApiError::validation(vec![format!("{}: {}", e.path(), e.inner())]))
}

struct Query(Vec<(String, String)>);

impl Query {
    fn new(raw: Option<String>) -> Self {
        Self(util::parse_query(raw.as_deref()))
    }
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }
    fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name || k == &format!("{name}[]"))
            .flat_map(|(_, v)| v.split(',').map(str::to_owned).collect::<Vec<_>>())
            .filter(|v| !v.is_empty())
            .collect()
    }
    /// `(pageIndex, pageSize)`, validated like the API (0-based, size 5..=100, default 10).
    fn page(&self) -> ApiResult<(usize, usize)> {
        let mut errors = Vec::new();
        // Up to JavaScript's largest safe integer (the real server's numbers); `1e300` is an
        // integer to `parse::<f64>` but no page index.
        let index = match self.get("pageIndex").map(str::parse::<f64>) {
            None => 0,
            Some(Ok(i)) if (0.0..=MAX_SAFE_INTEGER).contains(&i) && i.fract() == 0.0 => i as usize,
            Some(_) => {
                errors.push("pageIndex must be a non-negative integer".to_owned());
                0
            }
        };
        let size = match self.get("pageSize").map(str::parse::<f64>) {
            None => 10,
            Some(Ok(s)) if (5.0..=100.0).contains(&s) && s.fract() == 0.0 => s as usize,
            Some(_) => {
                errors.push("pageSize must not be less than 5 and not greater than 100".to_owned());
                10
            }
        };
        if let Some(search) = self.get("search")
            && search.len() > 100
        {
            errors.push("search must be shorter than or equal to 100 characters".to_owned());
        }
        if errors.is_empty() {
            Ok((index, size))
        } else {
            Err(ApiError::validation(errors))
        }
    }
    fn active(&self) -> ApiResult<Option<bool>> {
        match self.get("active") {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(_) => Err(ApiError::validation(vec![
                "active must be a boolean value".into(),
            ])),
        }
    }
}

/// `Number.MAX_SAFE_INTEGER`.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

fn paginate<T>(items: Vec<T>, (index, size): (usize, usize)) -> (Vec<T>, Number) {
    let pages = items.len().div_ceil(size);
    let data = items
        .into_iter()
        .skip(index.saturating_mul(size))
        .take(size)
        .collect();
    (data, Number::from(pages as u64))
}

fn contains_ci(hay: &str, needle: &str) -> bool {
    hay.to_lowercase().contains(&needle.to_lowercase())
}

fn check_urn(id: &str, kind: &str) -> ApiResult<()> {
    let prefix = format!("urn:via:{kind}:");
    match id.strip_prefix(&prefix) {
        Some(rest) if !rest.is_empty() => Ok(()),
        _ => Err(ApiError::bad_request(format!(
            "{kind}Id must be a {kind} URN (urn:via:{kind}:<uuid>)"
        ))),
    }
}

// ---------------------------------------------------------------- actions

fn action_entity(a: &ActionRec) -> ActionEntity {
    ActionEntity {
        id: a.id.clone(),
        name: a.name.clone(),
        description: a.description.clone(),
        updated_at: a.updated_at.clone(),
        versions: a
            .versions
            .iter()
            .rev()
            .take(10)
            .map(|v| ActionVersionSummaryEntity {
                id: v.id.clone(),
                version: v.version.into(),
                digest_sri: Some(v.digest_sri.clone()),
                created_at: v.created_at.clone(),
            })
            .collect(),
    }
}

pub(crate) async fn list_actions(
    State(s): St,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<ActionListEntity>> {
    let q = Query::new(raw);
    let page = q.page()?;
    let active = q.active()?;
    let mut items: Vec<ActionRec> = s.store.list(ACTION)?;
    items.reverse();
    let items: Vec<ActionEntity> = items
        .iter()
        .filter(|a| q.get("search").is_none_or(|t| contains_ci(&a.name, t)))
        .filter(|_| active != Some(false))
        .map(action_entity)
        .collect();
    let (data, total_pages) = paginate(items, page);
    Ok(Json(ActionListEntity { data, total_pages }))
}

pub(crate) async fn action_versions(
    State(s): St,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<ActionVersionListEntity>> {
    let q = Query::new(raw);
    let page = q.page()?;
    let versions: Vec<ActionVersionDetailEntity> = match s.store.get::<ActionRec>(ACTION, &id)? {
        None => Vec::new(),
        Some(a) => a
            .versions
            .iter()
            .rev()
            .map(|v| ActionVersionDetailEntity {
                id: v.id.clone(),
                action_id: a.id.clone(),
                version: v.version.into(),
                digest_sri: Some(v.digest_sri.clone()),
                content: Some(v.content.clone()),
                published: true,
                created_at: v.created_at.clone(),
                updated_at: v.created_at.clone(),
            })
            .collect(),
    };
    let (data, total_pages) = paginate(versions, page);
    Ok(Json(ActionVersionListEntity { data, total_pages }))
}

// ---------------------------------------------------------------- users

fn find_user(
    s: &AppState,
    contact: Option<&str>,
    id: Option<&str>,
    internal: Option<&str>,
) -> ApiResult<Option<UserRec>> {
    let users: Vec<UserRec> = s.store.list(USER)?;
    Ok(users.into_iter().find(|u| {
        contact.is_some_and(|c| {
            u.contact.eq_ignore_ascii_case(c)
                || u.extra_contacts.iter().any(|e| e.eq_ignore_ascii_case(c))
        }) || id.is_some_and(|i| u.id == i)
            || internal.is_some_and(|i| u.internal_id.as_deref() == Some(i))
    }))
}

/// Finds or creates the user with `contact`.
pub(crate) fn ensure_user(s: &AppState, contact: &str) -> ApiResult<UserRec> {
    if let Some(u) = find_user(s, Some(contact), None, None)? {
        return Ok(u);
    }
    let u = UserRec {
        id: format!("usr_{}", util::uuid().replace('-', "")),
        contact: contact.to_owned(),
        internal_id: None,
        extra_contacts: Vec::new(),
        identity: None,
        created_at: s.now_iso(),
    };
    s.store.put(USER, &u.id, &u)?;
    Ok(u)
}

fn valid_contact(c: &str) -> bool {
    let c = c.trim();
    (c.contains('@') && c.len() >= 3 && !c.starts_with('@') && !c.ends_with('@'))
        || (c.starts_with('+') && c.len() >= 8 && c[1..].bytes().all(|b| b.is_ascii_digit()))
}

pub(crate) async fn create_users(State(s): St, bytes: Bytes) -> ApiResult<Response> {
    let items: Vec<CreateSubjectDto> = body(&bytes)?;
    if items.is_empty() || items.len() > 100 {
        return Err(ApiError::validation(vec![
            "between 1 and 100 users can be created per request".into(),
        ]));
    }
    let _w = s.write.lock().await;
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for item in items {
        let partial = PartialSubjectEntity {
            id: None,
            contact: Some(item.contact.clone()),
            internal_id: item.internal_id.clone(),
        };
        if !valid_contact(&item.contact) {
            out.push(CreateSubjectEntity {
                status: CreateSubjectStatus::InvalidPayload,
                message: "contact must be an email address or an E.164 phone number".into(),
                user: partial,
            });
            continue;
        }
        if !seen.insert(item.contact.to_lowercase()) {
            out.push(CreateSubjectEntity {
                status: CreateSubjectStatus::DuplicateContact,
                message: "Duplicate contact within the request body".into(),
                user: partial,
            });
            continue;
        }
        let existing = find_user(&s, Some(&item.contact), None, None)?;
        let created = existing.is_none();
        let mut u = match existing {
            Some(u) => u,
            None => ensure_user(&s, &item.contact)?,
        };
        if item.internal_id.is_some() {
            u.internal_id = item.internal_id.clone();
        }
        for c in item.extra_contacts.unwrap_or_default() {
            if !u.extra_contacts.contains(&c) {
                u.extra_contacts.push(c);
            }
        }
        if let Some(identity) = item.identity {
            u.identity = serde_json::to_value(identity).ok();
        }
        s.store.put(USER, &u.id, &u)?;
        out.push(CreateSubjectEntity {
            status: CreateSubjectStatus::Success,
            message: if created {
                "User created"
            } else {
                "User updated"
            }
            .into(),
            user: PartialSubjectEntity {
                id: Some(u.id.clone()),
                contact: Some(u.contact.clone()),
                internal_id: u.internal_id.clone(),
            },
        });
    }
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

fn user_entity(u: &UserRec) -> SubjectIssuerEntity {
    let mut contacts = vec![ContactEntity {
        id: u.id.clone(),
        contact: u.contact.clone(),
    }];
    contacts.extend(
        u.extra_contacts
            .iter()
            .enumerate()
            .map(|(i, c)| ContactEntity {
                id: format!("{}_{}", u.id, i + 1),
                contact: c.clone(),
            }),
    );
    SubjectIssuerEntity {
        contacts,
        identity_status: if u.identity.is_some() {
            IdentityStatus::Kyc
        } else {
            IdentityStatus::None
        },
        internal_id: u.internal_id.clone(),
        organization: OrganizationDataEntity {
            contacts: vec![u.contact.clone()],
        },
        created_at: u.created_at.clone(),
    }
}

fn one_subject_selector(q: &Query) -> ApiResult<(Option<String>, Option<String>, Option<String>)> {
    let sel = (
        q.get("contact").map(str::to_owned),
        q.get("id").map(str::to_owned),
        q.get("internalId").map(str::to_owned),
    );
    let n = [sel.0.is_some(), sel.1.is_some(), sel.2.is_some()]
        .iter()
        .filter(|b| **b)
        .count();
    if n != 1 {
        return Err(ApiError::bad_request(
            "Provide exactly one of the query parameters contact, id or internalId",
        ));
    }
    Ok(sel)
}

pub(crate) async fn get_user(
    State(s): St,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<SubjectIssuerEntity>> {
    let q = Query::new(raw);
    let (c, i, n) = one_subject_selector(&q)?;
    match find_user(&s, c.as_deref(), i.as_deref(), n.as_deref())? {
        Some(u) => Ok(Json(user_entity(&u))),
        None => Err(ApiError::not_found("User not found")),
    }
}

// ---------------------------------------------------------------- requests

fn subject_entity(s: &AppState, sub: &SubjectRec) -> ApiResult<RequestSubjectEntity> {
    let u: Option<UserRec> = s.store.get(USER, &sub.user_id)?;
    Ok(RequestSubjectEntity {
        id: Some(sub.user_id.clone()),
        contact: sub.contact.clone(),
        internal_id: u.and_then(|u| u.internal_id),
        identity_status: IdentityStatus::None,
        kyc: None,
        secondary_contact: None,
    })
}

fn credentials_of(s: &AppState, r: &RequestRec) -> ApiResult<Vec<CredentialRec>> {
    let mut out = Vec::new();
    for sub in &r.subjects {
        for id in &sub.credential_ids {
            if let Some(c) = s.store.get::<CredentialRec>(CREDENTIAL, id)? {
                out.push(c);
            }
        }
    }
    Ok(out)
}

pub(crate) fn credential_entity(c: &CredentialRec) -> CredentialEntity {
    CredentialEntity {
        inactive_at: None,
        id: c.id.clone(),
        name: Some(c.name.clone()),
        description: c.description.clone(),
        internal_id: c.internal_id.clone(),
        resource_type: c.resource_type.as_str().into(),
        status: c.status.as_str().into(),
        tags: None,
        executions_remaining: c.executions_remaining.map(Number::from),
        w3c_credential: c.w3c.clone().unwrap_or_default(),
        decisions: c.decisions.clone(),
    }
}

fn request_entity(s: &AppState, r: &RequestRec) -> ApiResult<RequestEntity> {
    Ok(RequestEntity {
        id: r.id.clone(),
        name: r.name.clone(),
        security_level: r.security_level.as_str().into(),
        language: r.language.clone(),
        redirect_url: r.redirect_url.clone(),
        internal_id: r.internal_id.clone(),
        subjects: r
            .subjects
            .iter()
            .map(|x| subject_entity(s, x))
            .collect::<ApiResult<_>>()?,
        credentials: credentials_of(s, r)?
            .iter()
            .map(|c| RequestCredentialEntity {
                id: c.id.clone(),
                name: Some(c.name.clone()),
                description: c.description.clone(),
                internal_id: c.internal_id.clone(),
                resource_type: c.resource_type.as_str().into(),
                status: c.status.as_str().into(),
            })
            .collect(),
        created_at: r.created_at.clone(),
        canceled_at: r.canceled_at.clone(),
    })
}

/// The approval link of a subject.
pub(crate) fn approval_link(s: &AppState, request_id: &str, contact: &str) -> String {
    format!(
        "{}/approve/{}?contact={}",
        s.base_url,
        ::humancode::encode_uri_component(request_id),
        ::humancode::encode_uri_component(contact)
    )
}

fn log_otp(s: &AppState, r: &RequestRec, sub: &SubjectRec) {
    tracing::info!(
        request_id = %r.id,
        contact = %sub.contact,
        otp = %sub.otp,
        link = %approval_link(s, &r.id, &sub.contact),
        "OTP sent (sandbox: printed here instead of emailed)"
    );
}

pub(crate) async fn create_request(
    State(s): St,
    version: Option<axum::Extension<crate::auth::ApiVersion>>,
    bytes: Bytes,
) -> ApiResult<Response> {
    let dto: GenerateRequestDto = body(&bytes)?;
    let mut errors = Vec::new();
    if dto.users.is_empty() {
        errors.push("users must contain at least 1 elements".to_owned());
    }
    for u in &dto.users {
        if !valid_contact(&u.contact) {
            errors.push(format!(
                "users.contact `{}` must be an email address or an E.164 phone number",
                u.contact
            ));
        }
    }
    let creds = dto.credentials.clone().unwrap_or_default();
    let resources = dto.resources_ids.clone().unwrap_or_default();
    let groups = dto.group_ids.clone().unwrap_or_default();
    if creds.is_empty() && resources.is_empty() && groups.is_empty() {
        errors.push("at least one of credentials, resourcesIds or groupIds is required".to_owned());
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let _w = s.write.lock().await;
    if let Some(internal) = &dto.internal_id {
        let existing: Vec<RequestRec> = s.store.list(REQUEST)?;
        if existing
            .iter()
            .any(|r| r.internal_id.as_ref() == Some(internal) && r.canceled_at.is_none())
        {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                format!("A request with internalId `{internal}` already exists"),
            ));
        }
    }
    // Templates of the credentials to create for each user.
    let mut templates: Vec<CredentialRec> = Vec::new();
    for (i, c) in creds.iter().enumerate() {
        if c.name.trim().is_empty() {
            return Err(ApiError::validation(vec![format!(
                "credentials.{i}.name should not be empty"
            )]));
        }
        let mut pin = None;
        if let Some(action) = &c.action {
            let Some(a) = s.store.get::<ActionRec>(ACTION, &action.id)? else {
                return Err(ApiError::bad_request(format!(
                    "Action `{}` not found (action_not_found)",
                    action.id
                )));
            };
            let Some(latest) = a.versions.last() else {
                return Err(ApiError::bad_request(format!(
                    "Action `{}` has no published version",
                    action.id
                )));
            };
            if let Some(declared) = latest.content.get("userParams").and_then(Value::as_object) {
                let missing: Vec<&String> = declared
                    .keys()
                    .filter(|k| !action.user_params.contains_key(*k))
                    .collect();
                let extra: Vec<&String> = action
                    .user_params
                    .keys()
                    .filter(|k| !declared.contains_key(*k))
                    .collect();
                if !missing.is_empty() || !extra.is_empty() {
                    return Err(ApiError::bad_request(format!(
                        "userParams do not match action `{}`: missing {:?}, undeclared {:?}",
                        action.id, missing, extra
                    )));
                }
            }
            pin = Some(ActionPin {
                id: a.id.clone(),
                version: latest.version,
                user_params: action.user_params.clone(),
            });
        } else if c.r#type.as_str() == "POLICY" {
            return Err(ApiError::validation(vec![format!(
                "credentials.{i}.action is required for POLICY credentials"
            )]));
        }
        let max = c.max_executions.as_ref().and_then(Number::as_f64);
        if max.is_some_and(|m| m < 1.0 || m.fract() != 0.0) {
            return Err(ApiError::validation(vec![format!(
                "credentials.{i}.maxExecutions must not be less than 1"
            )]));
        }
        templates.push(CredentialRec {
            id: String::new(),
            request_id: String::new(),
            user_id: String::new(),
            name: c.name.clone(),
            description: c.description.clone(),
            internal_id: c.internal_id.clone(),
            resource_type: c.r#type.as_str().to_owned(),
            status: "DRAFT".into(),
            scope: c.scope.clone(),
            valid_from: c.valid_from.clone(),
            valid_until: c.valid_until.clone(),
            max_executions: max.map(|m| m as u64),
            executions_remaining: max.map(|m| m as u64),
            action: pin,
            data: c.data.as_ref().map(|d| d.0.clone()),
            w3c: None,
            status_index: None,
            decisions: Vec::new(),
            inactive_at: None,
            inactive_reason: None,
            revoked: false,
            evidence_id: None,
        });
    }
    // Resources and groups: the sandbox's approvals are its actions (POLICY resources).
    let mut resource_ids = resources;
    for g in &groups {
        if g != crate::api::SANDBOX_GROUP_ID {
            return Err(ApiError::bad_request(format!("Group `{g}` not found")));
        }
        resource_ids.extend(s.store.list::<ActionRec>(ACTION)?.into_iter().map(|a| a.id));
    }
    for rid in resource_ids {
        let Some(a) = s.store.get::<ActionRec>(ACTION, &rid)? else {
            return Err(ApiError::bad_request(format!("Resource `{rid}` not found")));
        };
        templates.push(CredentialRec {
            id: String::new(),
            request_id: String::new(),
            user_id: String::new(),
            name: a.name.clone(),
            description: a.description.clone(),
            internal_id: None,
            resource_type: "JSON".into(),
            status: "DRAFT".into(),
            scope: None,
            valid_from: None,
            valid_until: None,
            max_executions: None,
            executions_remaining: None,
            action: None,
            data: Some(json!({"resource": a.id}).to_string()),
            w3c: None,
            status_index: None,
            decisions: Vec::new(),
            inactive_at: None,
            inactive_reason: None,
            revoked: false,
            evidence_id: None,
        });
    }

    let now = s.now_ms();
    let request_id = format!("req_{}", util::uuid().replace('-', ""));
    let mut subjects = Vec::new();
    let mut created_creds = Vec::new();
    for u in &dto.users {
        let user = ensure_user(&s, u.contact.trim())?;
        let mut ids = Vec::new();
        for t in &templates {
            let mut c = t.clone();
            c.id = format!("urn:via:credential:{}", util::uuid());
            c.request_id = request_id.clone();
            c.user_id = user.id.clone();
            s.store.put(CREDENTIAL, &c.id, &c)?;
            ids.push(c.id.clone());
            created_creds.push(GenerateCredentialEntity {
                id: c.id.clone(),
                name: Some(c.name.clone()),
                internal_id: c.internal_id.clone(),
            });
        }
        subjects.push(SubjectRec {
            user_id: user.id.clone(),
            contact: user.contact.clone(),
            otp: util::otp(),
            otp_failures: 0,
            otp_sends: 1,
            last_send_ms: now,
            decision: None,
            decided_at: None,
            credential_ids: ids,
        });
    }
    let rec = RequestRec {
        id: request_id.clone(),
        name: dto.name.clone(),
        internal_id: dto.internal_id.clone(),
        security_level: dto
            .security_level
            .as_ref()
            .map(|l| l.as_str().to_owned())
            .unwrap_or_else(|| "CONTACT".into()),
        language: dto.users.first().and_then(|u| u.language.clone()),
        redirect_url: None,
        created_at: util::iso(now),
        created_ms: now,
        canceled_at: None,
        authorized_dids: dto.authorized_dids.clone().unwrap_or_default(),
        subjects,
        api_version: version
            .map(|v| v.0.0.clone())
            .unwrap_or_else(|| crate::state::API_VERSION.into()),
    };
    s.store.put(REQUEST, &rec.id, &rec)?;
    for sub in &rec.subjects {
        log_otp(&s, &rec, sub);
    }
    let entity = GenerateRequestEntity {
        id: rec.id.clone(),
        credentials: created_creds,
        subjects: rec
            .subjects
            .iter()
            .map(|x| GenerateSubjectEntity {
                contact: x.contact.clone(),
                id: x.user_id.clone(),
                secondary_contact: None,
                link: Some(approval_link(&s, &rec.id, &x.contact)),
            })
            .collect(),
    };
    Ok((StatusCode::CREATED, Json(entity)).into_response())
}

pub(crate) async fn list_requests(
    State(s): St,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<RequestsEntity>> {
    let q = Query::new(raw);
    let page = q.page()?;
    let from = match q.get("dateFrom") {
        Some(d) => Some(
            util::parse_iso(d).ok_or_else(|| {
                ApiError::validation(vec!["dateFrom must be a valid ISO 8601 date string".into()])
            })? / 86_400_000
                * 86_400_000,
        ),
        None => None,
    };
    let to = match q.get("dateTo") {
        Some(_) if from.is_none() => {
            return Err(ApiError::validation(vec![
                "dateTo requires dateFrom".into(),
            ]));
        }
        Some(d) => Some(
            util::parse_iso(d).ok_or_else(|| {
                ApiError::validation(vec!["dateTo must be a valid ISO 8601 date string".into()])
            })? / 86_400_000
                * 86_400_000
                + 86_399_999,
        ),
        None => None,
    };
    let levels = q.all("securityLevel");
    let mut all: Vec<RequestRec> = s.store.list(REQUEST)?;
    all.reverse();
    let mut items = Vec::new();
    for r in all {
        if from.is_some_and(|f| r.created_ms < f) || to.is_some_and(|t| r.created_ms > t) {
            continue;
        }
        if q.get("internalId")
            .is_some_and(|i| r.internal_id.as_deref() != Some(i))
        {
            continue;
        }
        if !levels.is_empty() && !levels.contains(&r.security_level) {
            continue;
        }
        if let Some(subject) = q.get("subject") {
            let mut hit = false;
            for sub in &r.subjects {
                let u: Option<UserRec> = s.store.get(USER, &sub.user_id)?;
                hit |= sub.contact.eq_ignore_ascii_case(subject)
                    || sub.user_id == subject
                    || u.and_then(|u| u.internal_id).as_deref() == Some(subject);
            }
            if !hit {
                continue;
            }
        }
        let entity = request_entity(&s, &r)?;
        if let Some(search) = q.get("search") {
            let hit = r.name.as_deref().is_some_and(|n| contains_ci(n, search))
                || entity
                    .credentials
                    .iter()
                    .any(|c| c.name.as_deref().is_some_and(|n| contains_ci(n, search)));
            if !hit {
                continue;
            }
        }
        items.push(entity);
    }
    let (data, total_pages) = paginate(items, page);
    Ok(Json(RequestsEntity { data, total_pages }))
}

fn load_request(s: &AppState, id: &str) -> ApiResult<RequestRec> {
    if id.trim().is_empty() {
        return Err(ApiError::bad_request("requestId is required"));
    }
    s.store
        .get(REQUEST, id)?
        .ok_or_else(|| ApiError::not_found(format!("Request `{id}` not found")))
}

pub(crate) async fn get_request(
    State(s): St,
    Path(id): Path<String>,
) -> ApiResult<Json<RequestDetailEntity>> {
    let r = load_request(&s, &id)?;
    let mut subjects = Vec::new();
    for sub in &r.subjects {
        let u: Option<UserRec> = s.store.get(USER, &sub.user_id)?;
        subjects.push(RequestDetailSubjectEntity {
            contacts: vec![ContactEntity {
                id: sub.user_id.clone(),
                contact: sub.contact.clone(),
            }],
            identity_status: IdentityStatus::None,
            internal_id: u.as_ref().and_then(|u| u.internal_id.clone()),
            organization: OrganizationDataEntity {
                contacts: vec![sub.contact.clone()],
            },
            created_at: u.map(|u| u.created_at).unwrap_or_default(),
            id: Some(sub.user_id.clone()),
            contact: sub.contact.clone(),
            kyc: None,
            secondary_contact: None,
        });
    }
    Ok(Json(RequestDetailEntity {
        id: r.id.clone(),
        name: r.name.clone(),
        security_level: r.security_level.as_str().into(),
        language: r.language.clone(),
        redirect_url: r.redirect_url.clone(),
        internal_id: r.internal_id.clone(),
        created_at: r.created_at.clone(),
        canceled_at: r.canceled_at.clone(),
        subjects,
        credentials: credentials_of(&s, &r)?
            .iter()
            .map(credential_entity)
            .collect(),
    }))
}

pub(crate) async fn cancel_request(State(s): St, Path(id): Path<String>) -> ApiResult<Response> {
    let _w = s.write.lock().await;
    let mut r = load_request(&s, &id)?;
    if r.canceled_at.is_some() {
        return Err(ApiError::bad_request("Request is already canceled"));
    }
    let now = s.now_iso();
    r.canceled_at = Some(now.clone());
    for mut c in credentials_of(&s, &r)? {
        if c.status == "INACTIVE" {
            continue;
        }
        let was_active = c.status == "ACTIVE";
        c.status = "INACTIVE".into();
        c.inactive_at = Some(now.clone());
        c.inactive_reason = Some("canceled".into());
        c.revoked = was_active;
        s.store.put(CREDENTIAL, &c.id, &c)?;
        mandate::record_event(
            &s,
            &c.id,
            "CANCEL",
            s.issuer.did(),
            json!({"requestId": r.id, "at": now}),
        )?;
    }
    s.store.put(REQUEST, &r.id, &r)?;
    Ok((StatusCode::CREATED, Json(SuccessEntity { success: true })).into_response())
}

pub(crate) async fn resend_otp(
    State(s): St,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let q = Query::new(raw);
    let (c, i, n) = one_subject_selector(&q)?;
    let _w = s.write.lock().await;
    let mut r = load_request(&s, &id)?;
    if r.canceled_at.is_some() {
        return Err(ApiError::bad_request("Request is canceled"));
    }
    let user = find_user(&s, c.as_deref(), i.as_deref(), n.as_deref())?;
    let now = s.now_ms();
    let Some(sub) = r
        .subjects
        .iter_mut()
        .find(|x| user.as_ref().is_some_and(|u| u.id == x.user_id))
    else {
        return Err(ApiError::not_found("Subject not found in this request"));
    };
    if sub.decision.is_some() {
        return Err(ApiError::bad_request("The subject has already decided"));
    }
    if sub.otp_sends >= 5 {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "Maximum OTP attempts reached",
        ));
    }
    if now.saturating_sub(sub.last_send_ms) < 30_000 {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "Wait 30 seconds between OTP resends",
        ));
    }
    sub.otp = util::otp();
    sub.otp_sends += 1;
    sub.otp_failures = 0;
    sub.last_send_ms = now;
    let sub = sub.clone();
    s.store.put(REQUEST, &r.id, &r)?;
    log_otp(&s, &r, &sub);
    Ok((StatusCode::CREATED, Json(SuccessEntity { success: true })).into_response())
}

// ---------------------------------------------------------------- approvals, workflows

/// The id of the sandbox's one workflow (all its actions).
pub(crate) const SANDBOX_GROUP_ID: &str = "grp_sandbox";

fn resources(s: &AppState, q: &Query) -> ApiResult<Vec<ResourceEntity>> {
    let types = q.all("types");
    let active = q.active()?;
    Ok(s.store
        .list::<ActionRec>(ACTION)?
        .into_iter()
        .filter(|a| q.get("search").is_none_or(|t| contains_ci(&a.name, t)))
        .filter(|_| types.is_empty() || types.iter().any(|t| t == "POLICY"))
        .filter(|_| active != Some(false))
        .filter(|a| q.get("internalId").is_none_or(|i| i == a.id))
        .map(|a| ResourceEntity {
            id: a.id.clone(),
            name: a.name.clone(),
            r#type: ResourceType::Policy,
            active: true,
            internal_id: Some(a.id.clone()),
            description: a.description.clone(),
            group_ids: vec![SANDBOX_GROUP_ID.into()],
            content: a
                .versions
                .last()
                .map(|v| Value::Object(v.content.clone()).to_string()),
            placements: None,
            updated_at: a.updated_at.clone(),
        })
        .collect())
}

pub(crate) async fn list_approvals(
    State(s): St,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<ResourcesEntity>> {
    let q = Query::new(raw);
    let page = q.page()?;
    let (data, total_pages) = paginate(resources(&s, &q)?, page);
    Ok(Json(ResourcesEntity { data, total_pages }))
}

pub(crate) async fn list_workflows(
    State(s): St,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<GroupsEntity>> {
    let q = Query::new(raw);
    let page = q.page()?;
    let res = resources(
        &s,
        &Query(q.0.iter().filter(|(k, _)| k != "search").cloned().collect()),
    )?;
    let name = "Sandbox actions";
    let search_hit = q
        .get("search")
        .is_none_or(|t| contains_ci(name, t) || res.iter().any(|r| contains_ci(&r.name, t)));
    let groups = if res.is_empty() || !search_hit {
        Vec::new()
    } else {
        vec![GroupEntity {
            id: SANDBOX_GROUP_ID.into(),
            name: name.into(),
            description: Some("Every action defined in this sandbox".into()),
            active: true,
            updated_at: res
                .iter()
                .map(|r| r.updated_at.clone())
                .max()
                .unwrap_or_default(),
            resources: res
                .iter()
                .filter_map(|r| {
                    serde_json::from_value(
                        json!({"id": r.id, "name": r.name, "type": "POLICY", "active": true}),
                    )
                    .ok()
                })
                .collect(),
        }]
    };
    let (data, total_pages) = paginate(groups, page);
    Ok(Json(GroupsEntity { data, total_pages }))
}

// ---------------------------------------------------------------- credentials

pub(crate) fn load_credential(s: &AppState, id: &str) -> ApiResult<CredentialRec> {
    check_urn(id, "credential")?;
    s.store
        .get(CREDENTIAL, id)?
        .ok_or_else(|| ApiError::not_found(format!("Credential `{id}` not found")))
}

pub(crate) async fn get_credential(
    State(s): St,
    Path(id): Path<String>,
) -> ApiResult<Json<CredentialEntity>> {
    Ok(Json(credential_entity(&load_credential(&s, &id)?)))
}

pub(crate) async fn credential_events(
    State(s): St,
    Path(id): Path<String>,
) -> ApiResult<Json<ChainAuditEntity>> {
    let c = load_credential(&s, &id)?;
    let (events, ok) = mandate::audit(&s, &c.id)?;
    Ok(Json(ChainAuditEntity {
        credential_urn: c.id.clone(),
        ok,
        reason: if ok {
            None
        } else {
            Some("an event does not verify or the chain is broken".into())
        },
        event_count: (events.len() as u64).into(),
        events,
    }))
}

pub(crate) async fn evidence(State(s): St, Path(id): Path<String>) -> ApiResult<Response> {
    check_urn(&id, "evidence")?;
    match s.store.evidence(&id)? {
        Some(content) => Ok((
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            content,
        )
            .into_response()),
        None => Err(ApiError::not_found(format!("Evidence `{id}` not found"))),
    }
}

fn revoked_error(id: &str) -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "credential_revoked: the credential has been revoked",
    )
    .with("reason", "credential_revoked")
    .with("credentialId", id)
}

pub(crate) async fn issue_vp(
    State(s): St,
    Path(id): Path<String>,
    bytes: Bytes,
) -> ApiResult<Response> {
    let dto: CreatePresentationDto = body(&bytes)?;
    let c = load_credential(&s, &id)?;
    let deny = |reason: &str, msg: &str| -> ApiResult<Response> {
        mandate::record_event(
            &s,
            &c.id,
            "VP_DENIED",
            s.agent.did(),
            json!({"reason": reason}),
        )?;
        Err(
            ApiError::new(StatusCode::FORBIDDEN, format!("{reason}: {msg}"))
                .with("reason", reason)
                .with("credentialId", c.id.clone()),
        )
    };
    match c.status.as_str() {
        "DRAFT" => {
            return Err(ApiError::bad_request(
                "Credential is not active: the user has not accepted the request yet",
            ));
        }
        "INACTIVE" if c.revoked => {
            mandate::record_event(
                &s,
                &c.id,
                "VP_DENIED",
                s.agent.did(),
                json!({"reason": "credential_revoked"}),
            )?;
            return Err(revoked_error(&c.id));
        }
        "INACTIVE" => return deny("credential_revoked", "the credential is inactive"),
        _ => {}
    }
    let now = s.now_ms();
    if c.valid_until
        .as_deref()
        .and_then(util::parse_iso)
        .is_some_and(|u| now > u)
    {
        return deny("expired", "the credential is past its validUntil");
    }
    if c.valid_from
        .as_deref()
        .and_then(util::parse_iso)
        .is_some_and(|f| now < f)
    {
        return deny("not_yet_valid", "the credential is not valid yet");
    }
    let target = dto.target_verifier.as_deref().filter(|t| !t.is_empty());
    let Some((presentation, presentation_encoded)) = mandate::presentation(&s, &c, target) else {
        return Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "could not sign the presentation",
        ));
    };
    mandate::record_event(
        &s,
        &c.id,
        "VP_CREATED",
        s.agent.did(),
        json!({"targetVerifier": target, "presentation": presentation_encoded}),
    )?;
    Ok((
        StatusCode::CREATED,
        Json(PresentationEntity {
            presentation,
            presentation_encoded,
        }),
    )
        .into_response())
}

pub(crate) async fn verify(State(s): St, bytes: Bytes) -> ApiResult<Response> {
    let dto: VerifyPresentationDto = body(&bytes)?;
    let vp = match (&dto.presentation_encoded, &dto.presentation) {
        (Some(enc), _) => mandate::decode_presentation(enc).ok_or_else(|| {
            ApiError::bad_request("presentationEncoded is not valid base64-encoded JSON")
        })?,
        (None, Some(p)) => Value::Object(p.clone()),
        (None, None) => {
            return Err(ApiError::bad_request(
                "presentation or presentationEncoded is required",
            ));
        }
    };
    let credential_id = vp
        .pointer("/verifiableCredential/0/id")
        .or_else(|| vp.pointer("/verifiableCredential/id"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| {
            ApiError::bad_request(
                "presentation must be a VP with a verifiableCredential carrying an id",
            )
        })?;
    if credential_id.strip_prefix("urn:via:credential:").is_none() {
        return Err(ApiError::bad_request(
            "the presentation's credential id is not a credential URN",
        ));
    }
    let exec = Value::Object(dto.execution_params.clone().unwrap_or_default());
    let _w = s.write.lock().await;
    let Some(mut c) = s.store.get::<CredentialRec>(CREDENTIAL, &credential_id)? else {
        return Err(ApiError::not_found(format!(
            "Credential `{credential_id}` not found"
        )));
    };
    let outcome = mandate::verify(&s, &c, &vp, exec.clone())?;
    match outcome {
        Outcome::Allow(evaluations) => {
            let evaluations: Vec<VerifyEvaluationEntity> =
                serde_json::from_value(serde_json::to_value(&evaluations).unwrap_or_default())
                    .unwrap_or_default();
            mandate::record_event(
                &s,
                &c.id,
                "VERIFICATION_APPROVED",
                s.agent.did(),
                json!({"executionParams": exec, "evaluations": evaluations}),
            )?;
            if let Some(left) = c.executions_remaining {
                let left = left.saturating_sub(1);
                c.executions_remaining = Some(left);
                if left == 0 {
                    c.status = "INACTIVE".into();
                    c.revoked = true;
                    c.inactive_at = Some(s.now_iso());
                    c.inactive_reason = Some("exhausted:maxExecutions".into());
                    mandate::record_event(
                        &s,
                        &c.id,
                        "EXHAUST",
                        s.issuer.did(),
                        json!({"maxExecutions": c.max_executions}),
                    )?;
                }
                s.store.put(CREDENTIAL, &c.id, &c)?;
            }
            Ok((
                StatusCode::CREATED,
                Json(VerifyAllowResponseEntity {
                    decision: VerifyDecision::Allow,
                    credential_id: c.id.clone(),
                    evaluations,
                }),
            )
                .into_response())
        }
        Outcome::Deny(d) if d.malformed => Err(ApiError::bad_request(format!(
            "presentation is malformed: {}",
            d.message
        ))),
        Outcome::Deny(d) => {
            let evaluations: Vec<VerifyEvaluationEntity> =
                serde_json::from_value(serde_json::to_value(&d.evaluations).unwrap_or_default())
                    .unwrap_or_default();
            mandate::record_event(
                &s,
                &c.id,
                "VERIFICATION_DENIED",
                s.agent.did(),
                json!({"executionParams": exec, "reason": d.reason, "evaluations": evaluations}),
            )?;
            let body = VerifyDenyResponseEntity {
                status_code: 403.into(),
                message: d.message.clone(),
                decision: VerifyDecision::Deny,
                reason: d.reason.clone(),
                credential_id: c.id.clone(),
                evaluations,
            };
            Ok((StatusCode::FORBIDDEN, Json(body)).into_response())
        }
    }
}

pub(crate) async fn revoke(
    State(s): St,
    Path(id): Path<String>,
    bytes: Bytes,
) -> ApiResult<Response> {
    let dto: RevokeCredentialDto = body(&bytes)?;
    if dto.reason.as_ref().is_some_and(|r| r.chars().count() > 200) {
        return Err(ApiError::validation(vec![
            "reason must be shorter than or equal to 200 characters".into(),
        ]));
    }
    let _w = s.write.lock().await;
    let revoked = revoke_credential(&s, &id, dto.reason.unwrap_or_default())?;
    Ok(Json(revoked).into_response())
}

/// Revokes an active credential (the API's revoke and the dashboard's button); the caller
/// holds the write lock.
pub(crate) fn revoke_credential(
    s: &AppState,
    id: &str,
    reason: String,
) -> ApiResult<RevokeCredentialEntity> {
    let mut c = load_credential(s, id)?;
    match c.status.as_str() {
        "INACTIVE" => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "Credential is already inactive",
            ));
        }
        "DRAFT" => {
            return Err(ApiError::bad_request(
                "Only an active credential can be revoked",
            ));
        }
        _ => {}
    }
    let now = s.now_iso();
    c.status = "INACTIVE".into();
    c.revoked = true;
    c.inactive_at = Some(now.clone());
    c.inactive_reason = Some(format!("revoked:{reason}"));
    if let Some(w3c) = c.w3c.as_mut() {
        // The REVOKE proof appended to the credential (a second DataIntegrityProof).
        let revoke_proof = s
            .issuer
            .sign_credential(
                &json!({"id": c.id, "revoked": now, "reason": reason}),
                s.now_ms(),
            )
            .ok();
        if let Some(p) = revoke_proof.and_then(|p| p.get("proof").cloned()) {
            w3c.insert("revocationProof".into(), p);
        }
    }
    s.store.put(CREDENTIAL, &c.id, &c)?;
    mandate::record_event(
        s,
        &c.id,
        "REVOKE",
        s.issuer.did(),
        json!({"activity": "MANDATE_REVOKED", "reason": reason, "at": now}),
    )?;
    tracing::info!(credential = %c.id, %reason, "MANDATE_REVOKED");
    Ok(RevokeCredentialEntity {
        credential_id: c.id.clone(),
        status: CredentialStatus::Inactive,
        revoked_at: now,
    })
}

// ---------------------------------------------------------------- DID, status list

pub(crate) async fn resolve_did(State(s): St, Path(did): Path<String>) -> Response {
    let did = percent_encoding::percent_decode_str(&did)
        .decode_utf8_lossy()
        .into_owned();
    match mandate::known_did(&s, &did) {
        Ok(true) => match mandate::did_document(&did) {
            Some(doc) => Json(doc).into_response(),
            None => StatusCode::NOT_FOUND.into_response(),
        },
        Ok(false) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

pub(crate) async fn status_list(State(s): St) -> ApiResult<Json<Value>> {
    Ok(Json(mandate::status_list_credential(
        &s,
        &s.status_list_url(),
    )?))
}

// ---------------------------------------------------------------- intelligence

fn check_org(s: &AppState, q: &Query) -> ApiResult<String> {
    let org = q
        .get("orgDid")
        .ok_or_else(|| ApiError::validation(vec!["orgDid is required".into()]))?;
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
    let a: ActionRec = s
        .store
        .get(ACTION, urn)?
        .ok_or_else(|| ApiError::not_found("Action not found"))?;
    let v = a
        .versions
        .last()
        .ok_or_else(|| ApiError::not_found("Action not found"))?;
    Ok(Json(IntelligenceActionEntity {
        org_did: org,
        urn: a.id.clone(),
        name: a.name.clone(),
        description: a.description.clone().unwrap_or_default(),
        version: v.version.into(),
        published: true,
        deleted: false,
        digest_sri: v.digest_sri.clone(),
        created_at: v.created_at.clone(),
        definition: v.content.clone(),
    }))
}

/// Whether an action credential is a mandate of agent `did`: its `authorizedDIDs` once issued;
/// before that (draft, rejected) the DIDs issuance would authorize (the sandbox's agent and the
/// request's `authorizedDIDs`, as `mandate::issue_credential` writes them).
fn serves_agent(s: &AppState, c: &CredentialRec, did: &str) -> ApiResult<bool> {
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
fn agent_mandates(s: &AppState, did: &str, at_ms: u64) -> ApiResult<Vec<CredentialRec>> {
    let mut live = Vec::new();
    for c in s.store.list::<CredentialRec>(CREDENTIAL)? {
        let started = c
            .valid_from
            .as_deref()
            .and_then(util::parse_iso)
            .is_none_or(|f| f <= at_ms);
        if c.status == "ACTIVE" && started && serves_agent(s, &c, did)? {
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
    let did = q
        .get("did")
        .ok_or_else(|| ApiError::validation(vec!["did is required".into()]))?
        .to_owned();
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
        if let Some(p) = &m.action {
            bump(&mut actions, p.id.clone());
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
    Ok(Json(IntelligenceSnapshotEntity {
        org_did: org,
        did,
        at: util::iso(at),
        computed_at: s.now_iso(),
        kya: KyaBlock {
            registered,
            registered_at: registered.then(|| s.started_at.clone()),
            age_days: age_days.map(Into::into),
            // "Not recorded yet; always null for now."
            method: None,
            attestation: None,
            expires_at: None,
        },
        active_mandates: active,
    }))
}

pub(crate) async fn intelligence_window(
    State(s): St,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<IntelligenceWindowEntity>> {
    let q = Query::new(raw);
    let org = check_org(&s, &q)?;
    let did = q
        .get("did")
        .ok_or_else(|| ApiError::validation(vec!["did is required".into()]))?
        .to_owned();
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
    // Counts derived from the audit events in the window.
    let (mut approved, mut denied, mut vps, mut issued, mut rejected) =
        (0u64, 0u64, 0u64, 0u64, 0u64);
    let (mut by_rule, mut revocations) = (serde_json::Map::new(), serde_json::Map::new());
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
        if serves_agent(&s, &c, &did)? {
            own.insert(c.id);
        }
    }
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
            "VERIFICATION_APPROVED" => approved += 1,
            "VERIFICATION_DENIED" => {
                denied += 1;
                bump(&mut by_rule, reason(&row));
            }
            "VP_CREATED" => vps += 1,
            "ISSUE" => issued += 1,
            "REJECT" => rejected += 1,
            "REVOKE" => bump(&mut revocations, reason(&row)),
            _ => {}
        }
    }
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

// ---------------------------------------------------------------- decisions (pages, admin)

/// Applies a subject's decision: issues (accept) or rejects its credentials, records the
/// events and queues the `credential` webhooks.
pub(crate) fn decide(
    s: &AppState,
    request_id: &str,
    contact: Option<&str>,
    accept: bool,
    surface: &str,
) -> ApiResult<RequestRec> {
    let mut r = load_request(s, request_id)?;
    if r.canceled_at.is_some() {
        return Err(ApiError::bad_request("Request is canceled"));
    }
    let idx = match contact {
        Some(c) => r
            .subjects
            .iter()
            .position(|x| x.contact.eq_ignore_ascii_case(c)),
        None => r.subjects.iter().position(|x| x.decision.is_none()),
    }
    .ok_or_else(|| ApiError::not_found("No undecided subject with that contact in this request"))?;
    if r.subjects[idx].decision.is_some() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "This subject has already decided",
        ));
    }
    let now = s.now_iso();
    let action = if accept { "accept" } else { "reject" };
    let sub = r.subjects[idx].clone();
    let user: UserRec = s
        .store
        .get(USER, &sub.user_id)?
        .ok_or_else(|| ApiError::not_found("User not found"))?;
    let grantor = s.user_signer(&user.id);
    for cid in &sub.credential_ids {
        let Some(mut c) = s.store.get::<CredentialRec>(CREDENTIAL, cid)? else {
            continue;
        };
        c.decisions.push(vec![
            grantor.did().into(),
            action.into(),
            sub.contact.clone().into(),
        ]);
        let evidence_id = format!("urn:via:evidence:{}", util::uuid());
        s.store.put_evidence(
            &evidence_id,
            &json!({
                "requestId": r.id, "credentialId": c.id, "decision": action, "date": now,
                "contact": sub.contact, "otpChannel": "sandbox-log", "surface": surface,
            })
            .to_string(),
        )?;
        c.evidence_id = Some(evidence_id.clone());
        if accept {
            mandate::issue_credential(s, &mut c, &user)?;
            s.store.put(CREDENTIAL, &c.id, &c)?;
            mandate::record_event(
                s,
                &c.id,
                "ISSUE",
                s.issuer.did(),
                json!({"activity": "MANDATE_ISSUE", "action": c.action.as_ref().map(|a| a.id.clone()), "userParams": c.action.as_ref().map(|a| a.user_params.clone())}),
            )?;
            mandate::record_event(
                s,
                &c.id,
                "ACCEPT",
                grantor.did(),
                json!({"evidence": evidence_id, "surface": surface}),
            )?;
        } else {
            c.status = "INACTIVE".into();
            c.inactive_at = Some(now.clone());
            c.inactive_reason = Some("rejected".into());
            s.store.put(CREDENTIAL, &c.id, &c)?;
            mandate::record_event(
                s,
                &c.id,
                "REJECT",
                grantor.did(),
                json!({"evidence": evidence_id, "surface": surface}),
            )?;
        }
        let event = typed::<CredentialEvent>(json!({
            "eventType": "credential",
            "requestId": r.id,
            "internalId": r.internal_id,
            "issuerDid": s.issuer.did(),
            "user": {"contact": user.contact, "id": user.id, "internalId": user.internal_id},
            "api_version": r.api_version,
            "credential": credential_entity(&c),
            "decision": {"action": action, "date": now},
        }))?;
        webhooks::emit(s, &event)?;
        tracing::info!(request_id = %r.id, credential = %c.id, decision = action, "human decision");
    }
    r.subjects[idx].decision = Some(action.into());
    r.subjects[idx].decided_at = Some(now);
    s.store.put(REQUEST, &r.id, &r)?;
    Ok(r)
}

/// Registers a wrong OTP for a subject; the third failure emits `otp.failed`.
pub(crate) fn otp_failure(s: &AppState, request_id: &str, contact: &str) -> ApiResult<u32> {
    let mut r = load_request(s, request_id)?;
    let Some(sub) = r
        .subjects
        .iter_mut()
        .find(|x| x.contact.eq_ignore_ascii_case(contact))
    else {
        return Err(ApiError::not_found("Subject not found"));
    };
    sub.otp_failures += 1;
    let failures = sub.otp_failures;
    let sub = sub.clone();
    s.store.put(REQUEST, &r.id, &r)?;
    if failures == 3 {
        let user: Option<UserRec> = s.store.get(USER, &sub.user_id)?;
        let event = typed::<OtpFailedEvent>(json!({
            "eventType": "otp.failed",
            "requestId": r.id,
            "internalId": r.internal_id,
            "issuerDid": s.issuer.did(),
            "user": {"contact": sub.contact, "id": sub.user_id, "internalId": user.and_then(|u| u.internal_id)},
            "api_version": r.api_version,
            "otp": {
                "resendEndpoint": format!("/request/resend/{}", r.id),
                "error": {"code": "OTP_MAX_ATTEMPTS", "message": "Maximum number of attempts reached"}
            }
        }))?;
        webhooks::emit(s, &event)?;
    }
    Ok(failures)
}

/// Checks `value` against the model type `T` (so a served body always has the API's shape)
/// and returns it as the model writes it.
pub(crate) fn typed<T: serde::de::DeserializeOwned + serde::Serialize>(
    value: Value,
) -> ApiResult<Value> {
    let t: T = serde_json::from_value(value).map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("sandbox produced an ill-shaped body: {e}"),
        )
    })?;
    serde_json::to_value(t)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))
}
