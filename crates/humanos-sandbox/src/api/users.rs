//! Users: `POST /user`, `GET /user`; the user records requests create.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use humanos_models::*;

use crate::context::Context;
use crate::http::error::{ApiError, ApiResult};
use crate::records::{USER, UserRec};
use crate::util;

use super::common::*;

pub(super) fn find_user(
    s: &Context,
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
pub(crate) fn ensure_user(s: &Context, contact: &str) -> ApiResult<UserRec> {
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

pub(super) fn valid_contact(c: &str) -> bool {
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
        let partial = {
            let mut value = PartialSubjectEntity::new().contact(item.contact.clone());
            value.internal_id = item.internal_id.clone();
            value
        };
        if !valid_contact(&item.contact) {
            out.push(CreateSubjectEntity::new(
                CreateSubjectStatus::InvalidPayload,
                "contact must be an email address or an E.164 phone number",
                partial,
            ));
            continue;
        }
        if !seen.insert(item.contact.to_lowercase()) {
            out.push(CreateSubjectEntity::new(
                CreateSubjectStatus::DuplicateContact,
                "Duplicate contact within the request body",
                partial,
            ));
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
        out.push(CreateSubjectEntity::new(
            CreateSubjectStatus::Success,
            if created {
                "User created"
            } else {
                "User updated"
            },
            {
                let mut value = PartialSubjectEntity::new()
                    .id(u.id.clone())
                    .contact(u.contact.clone());
                value.internal_id = u.internal_id.clone();
                value
            },
        ));
    }
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

fn user_entity(u: &UserRec) -> SubjectIssuerEntity {
    let mut contacts = vec![ContactEntity::new(u.id.clone(), u.contact.clone())];
    contacts.extend(
        u.extra_contacts
            .iter()
            .enumerate()
            .map(|(i, c)| ContactEntity::new(format!("{}_{}", u.id, i + 1), c.clone())),
    );
    {
        let mut value = SubjectIssuerEntity::new(
            contacts,
            if u.identity.is_some() {
                IdentityStatus::Kyc
            } else {
                IdentityStatus::None
            },
            OrganizationDataEntity::new(vec![u.contact.clone()]),
            u.created_at.clone(),
        );
        value.internal_id = u.internal_id.clone();
        value
    }
}

pub(super) fn one_subject_selector(
    q: &Query,
) -> ApiResult<(Option<String>, Option<String>, Option<String>)> {
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
