//! Requests: create, list, detail, cancel, resend the OTP; the request bodies.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use humanos_models::*;
use serde_json::Number;
use serde_json::{Value, json};

use crate::context::{API_VERSION, Context};
use crate::domain::actions::find_version;
use crate::domain::entities::{credential_entity, lifecycle};
use crate::domain::load::load_request;
use crate::domain::mandate;
use crate::http::auth::ApiVersion;
use crate::http::error::{ApiError, ApiResult};
use crate::records::{
    ACTION, ActionPin, ActionRec, CREDENTIAL, CredentialRec, CredentialStatus, EventKind, REQUEST,
    RequestRec, SubjectRec, USER, UserRec,
};
use crate::util;

use super::approval::SANDBOX_GROUP_ID;
use super::common::*;
use super::users::{ensure_user, find_user, one_subject_selector, valid_contact};

fn subject_entity(s: &Context, sub: &SubjectRec) -> ApiResult<RequestSubjectEntity> {
    let u: Option<UserRec> = s.store.get(USER, &sub.user_id)?;
    Ok({
        let mut value = RequestSubjectEntity::new(sub.contact.clone(), IdentityStatus::None)
            .id(sub.user_id.clone());
        value.internal_id = u.and_then(|u| u.internal_id);
        value
    })
}

fn credentials_of(s: &Context, r: &RequestRec) -> ApiResult<Vec<CredentialRec>> {
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

fn request_entity(s: &Context, r: &RequestRec) -> ApiResult<RequestEntity> {
    Ok({
        let mut value = RequestEntity::new(
            r.id.clone(),
            r.security_level.as_str(),
            r.subjects
                .iter()
                .map(|x| subject_entity(s, x))
                .collect::<ApiResult<_>>()?,
            credentials_of(s, r)?
                .iter()
                .map(|c| {
                    let mut value = RequestCredentialEntity::new(
                        c.id.clone(),
                        c.resource_type.as_str(),
                        lifecycle(c, s.now_ms()).0,
                    )
                    .name(c.name.clone());
                    value.description = c.description.clone();
                    value.internal_id = c.internal_id.clone();
                    value
                })
                .collect(),
            r.created_at.clone(),
        );
        value.name = r.name.clone();
        value.language = r.language.clone();
        value.redirect_url = r.redirect_url.clone();
        value.internal_id = r.internal_id.clone();
        value.canceled_at = r.canceled_at.clone();
        value
    })
}

fn log_otp(s: &Context, r: &RequestRec, sub: &SubjectRec) {
    tracing::info!(
        request_id = %r.id,
        contact = %sub.contact,
        otp = %sub.otp,
        link = %s.approval_link(&r.id, &sub.contact),
        "OTP sent (sandbox: printed here instead of emailed)"
    );
}

pub(crate) async fn create_request(
    State(s): St,
    version: Option<axum::Extension<ApiVersion>>,
    bytes: Bytes,
) -> ApiResult<Response> {
    let dto: GenerateRequestDto = body(&bytes)?;
    validate_generate(&dto)?;
    let _w = s.write.lock().await;
    check_internal_id_free(&s, dto.internal_id.as_deref())?;
    // Templates of the credentials to create for each user.
    let mut templates = Vec::new();
    for (i, c) in dto.credentials.iter().flatten().enumerate() {
        templates.push(credential_template(&s, i, c)?);
    }
    templates.extend(resource_templates(
        &s,
        dto.resources_ids.clone().unwrap_or_default(),
        dto.group_ids.as_deref().unwrap_or_default(),
    )?);
    let now = s.now_ms();
    let request_id = format!("req_{}", util::uuid().replace('-', ""));
    let (subjects, created_creds) = create_subjects(&s, &dto, &templates, &request_id, now)?;
    let rec = RequestRec {
        id: request_id,
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
            .unwrap_or_else(|| API_VERSION.into()),
    };
    s.store.put(REQUEST, &rec.id, &rec)?;
    for sub in &rec.subjects {
        log_otp(&s, &rec, sub);
    }
    let entity = GenerateRequestEntity::new(
        rec.id.clone(),
        created_creds,
        rec.subjects
            .iter()
            .map(|x| {
                GenerateSubjectEntity::new(x.contact.clone(), x.user_id.clone())
                    .link(s.approval_link(&rec.id, &x.contact))
            })
            .collect(),
    );
    Ok((StatusCode::CREATED, Json(entity)).into_response())
}

/// The checks of a request body that need no store: users and something to ask for.
fn validate_generate(dto: &GenerateRequestDto) -> ApiResult<()> {
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
    let none = |v: &Option<Vec<_>>| v.as_ref().is_none_or(Vec::is_empty);
    if dto.credentials.as_ref().is_none_or(Vec::is_empty)
        && none(&dto.resources_ids)
        && none(&dto.group_ids)
    {
        errors.push("at least one of credentials, resourcesIds or groupIds is required".to_owned());
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errors))
    }
}

/// 409 when a live (not canceled) request already has this `internalId`.
fn check_internal_id_free(s: &Context, internal_id: Option<&str>) -> ApiResult<()> {
    let Some(internal) = internal_id else {
        return Ok(());
    };
    let existing: Vec<RequestRec> = s.store.list(REQUEST)?;
    if existing
        .iter()
        .any(|r| r.internal_id.as_deref() == Some(internal) && r.canceled_at.is_none())
    {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            format!("A request with internalId `{internal}` already exists"),
        ));
    }
    Ok(())
}

/// A credential not yet issued, before it is given an id, a request and a user.
fn draft(name: String, description: Option<String>, resource_type: &str) -> CredentialRec {
    CredentialRec {
        id: String::new(),
        request_id: String::new(),
        user_id: String::new(),
        name,
        description,
        internal_id: None,
        resource_type: resource_type.to_owned(),
        status: CredentialStatus::Draft,
        scope: None,
        valid_from: None,
        valid_until: None,
        max_executions: None,
        executions_remaining: None,
        action: None,
        data: None,
        w3c: None,
        status_index: None,
        decisions: Vec::new(),
        inactive_at: None,
        inactive_reason: None,
        revoked: false,
        evidence_id: None,
    }
}

/// The template of `credentials[i]`: its action pinned at the latest version, its
/// `maxExecutions` checked.
fn credential_template(s: &Context, i: usize, c: &CredentialDto) -> ApiResult<CredentialRec> {
    if c.name.trim().is_empty() {
        return Err(ApiError::validation(vec![format!(
            "credentials.{i}.name should not be empty"
        )]));
    }
    let pin = match &c.action {
        Some(action) => Some(action_pin(s, action)?),
        None if c.r#type.as_str() == "POLICY" => {
            return Err(ApiError::validation(vec![format!(
                "credentials.{i}.action is required for POLICY credentials"
            )]));
        }
        None => None,
    };
    let max = c.max_executions.as_ref().and_then(Number::as_f64);
    if max.is_some_and(|m| m < 1.0 || m.fract() != 0.0) {
        return Err(ApiError::validation(vec![format!(
            "credentials.{i}.maxExecutions must not be less than 1"
        )]));
    }
    Ok(CredentialRec {
        internal_id: c.internal_id.clone(),
        scope: c.scope.clone(),
        valid_from: c.valid_from.clone(),
        valid_until: c.valid_until.clone(),
        max_executions: max.map(|m| m as u64),
        executions_remaining: max.map(|m| m as u64),
        action: pin,
        data: c.data.as_ref().map(|d| d.0.clone()),
        ..draft(c.name.clone(), c.description.clone(), c.r#type.as_str())
    })
}

/// Pins the action's latest version, after checking the `userParams` match the ones it
/// declares.
fn action_pin(s: &Context, action: &ActionDto) -> ApiResult<ActionPin> {
    let Some(a) = s.store.get::<ActionRec>(ACTION, &action.id)? else {
        // A version URN is not an action id: say which id to send.
        let hint = match find_version(s, &action.id)? {
            Some((a, _)) => format!(
                "; `{}` is a version URN, send the action's id (`ActionEntity.id` of GET /actions): `{}`",
                action.id, a.id
            ),
            None => String::new(),
        };
        return Err(ApiError::bad_request(format!(
            "Action `{}` not found (action_not_found){hint}",
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
    Ok(ActionPin {
        id: a.id.clone(),
        version: latest.version,
        user_params: action.user_params.clone(),
    })
}

/// Templates for resources and groups: the sandbox's approvals are its actions (POLICY
/// resources), and its one group holds them all.
fn resource_templates(
    s: &Context,
    mut resource_ids: Vec<String>,
    groups: &[String],
) -> ApiResult<Vec<CredentialRec>> {
    for g in groups {
        if g != SANDBOX_GROUP_ID {
            return Err(ApiError::bad_request(format!("Group `{g}` not found")));
        }
        resource_ids.extend(s.store.list::<ActionRec>(ACTION)?.into_iter().map(|a| a.id));
    }
    let mut templates = Vec::new();
    for rid in resource_ids {
        let Some(a) = s.store.get::<ActionRec>(ACTION, &rid)? else {
            return Err(ApiError::bad_request(format!("Resource `{rid}` not found")));
        };
        templates.push(CredentialRec {
            data: Some(json!({"resource": a.id}).to_string()),
            ..draft(a.name.clone(), a.description.clone(), "JSON")
        });
    }
    Ok(templates)
}

/// One subject per user (created if new), each with its own copy of every template.
fn create_subjects(
    s: &Context,
    dto: &GenerateRequestDto,
    templates: &[CredentialRec],
    request_id: &str,
    now: u64,
) -> ApiResult<(Vec<SubjectRec>, Vec<GenerateCredentialEntity>)> {
    let mut subjects = Vec::new();
    let mut created_creds = Vec::new();
    for u in &dto.users {
        let user = ensure_user(s, u.contact.trim())?;
        let mut ids = Vec::new();
        for t in templates {
            let mut c = t.clone();
            c.id = format!("urn:via:credential:{}", util::uuid());
            c.request_id = request_id.to_owned();
            c.user_id = user.id.clone();
            s.store.put(CREDENTIAL, &c.id, &c)?;
            ids.push(c.id.clone());
            created_creds.push({
                let mut value = GenerateCredentialEntity::new(c.id.clone()).name(c.name.clone());
                value.internal_id = c.internal_id.clone();
                value
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
    Ok((subjects, created_creds))
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
    Ok(Json(RequestsEntity::new(data, total_pages)))
}

pub(crate) async fn get_request(
    State(s): St,
    Path(id): Path<String>,
) -> ApiResult<Json<RequestDetailEntity>> {
    let r = load_request(&s, &id)?;
    let mut subjects = Vec::new();
    for sub in &r.subjects {
        let u: Option<UserRec> = s.store.get(USER, &sub.user_id)?;
        let internal_id = u.as_ref().and_then(|u| u.internal_id.clone());
        let mut subject = RequestDetailSubjectEntity::new(
            vec![ContactEntity::new(sub.user_id.clone(), sub.contact.clone())],
            IdentityStatus::None,
            OrganizationDataEntity::new(vec![sub.contact.clone()]),
            u.map(|u| u.created_at).unwrap_or_default(),
            sub.contact.clone(),
        )
        .id(sub.user_id.clone());
        subject.internal_id = internal_id;
        subjects.push(subject);
    }
    Ok(Json({
        let mut value = RequestDetailEntity::new(
            r.id.clone(),
            r.security_level.as_str(),
            r.created_at.clone(),
            subjects,
            credentials_of(&s, &r)?
                .iter()
                .map(|c| credential_entity(c, s.now_ms()))
                .collect(),
        );
        value.name = r.name.clone();
        value.language = r.language.clone();
        value.redirect_url = r.redirect_url.clone();
        value.internal_id = r.internal_id.clone();
        value.canceled_at = r.canceled_at.clone();
        value
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
        if c.status == CredentialStatus::Inactive {
            continue;
        }
        let was_active = c.status == CredentialStatus::Active;
        c.status = CredentialStatus::Inactive;
        c.inactive_at = Some(now.clone());
        c.inactive_reason = Some("canceled".into());
        c.revoked = was_active;
        s.store.put(CREDENTIAL, &c.id, &c)?;
        mandate::record_event(
            &s,
            &c.id,
            EventKind::Cancel,
            s.issuer.did(),
            json!({"requestId": r.id, "at": now}),
        )?;
    }
    s.store.put(REQUEST, &r.id, &r)?;
    Ok((StatusCode::CREATED, Json(SuccessEntity::new(true))).into_response())
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
    Ok((StatusCode::CREATED, Json(SuccessEntity::new(true))).into_response())
}
