//! Approvals and workflows (`GET /approvals`, `GET /approvals/workflow`).

use axum::Json;
use axum::extract::{RawQuery, State};
use humanos_models::*;
use serde_json::{Value, json};

use crate::context::Context;
use crate::http::error::ApiResult;
use crate::records::{ACTION, ActionRec};

use super::common::*;

/// The id of the sandbox's one workflow (all its actions).
pub(crate) const SANDBOX_GROUP_ID: &str = "grp_sandbox";

fn resources(s: &Context, q: &Query) -> ApiResult<Vec<ResourceEntity>> {
    let types = q.all("types");
    let active = q.active()?;
    Ok(s.store
        .list::<ActionRec>(ACTION)?
        .into_iter()
        .filter(|a| q.get("search").is_none_or(|t| contains_ci(&a.name, t)))
        .filter(|_| types.is_empty() || types.iter().any(|t| t == "POLICY"))
        .filter(|_| active != Some(false))
        .filter(|a| q.get("internalId").is_none_or(|i| i == a.id))
        .map(|a| {
            let mut value = ResourceEntity::new(
                a.id.clone(),
                a.name.clone(),
                ResourceType::Policy,
                true,
                [SANDBOX_GROUP_ID],
                a.updated_at.clone(),
            )
            .internal_id(a.id.clone());
            value.description = a.description.clone();
            value.content = a
                .versions
                .last()
                .map(|v| Value::Object(v.content.clone()).to_string());
            value
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
    Ok(Json(ResourcesEntity::new(data, total_pages)))
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
        vec![
            GroupEntity::new(
                SANDBOX_GROUP_ID,
                name,
                true,
                res.iter()
                    .filter_map(|r| {
                        serde_json::from_value(
                            json!({"id": r.id, "name": r.name, "type": "POLICY", "active": true}),
                        )
                        .ok()
                    })
                    .collect(),
                res.iter()
                    .map(|r| r.updated_at.clone())
                    .max()
                    .unwrap_or_default(),
            )
            .description("Every action defined in this sandbox"),
        ]
    };
    let (data, total_pages) = paginate(groups, page);
    Ok(Json(GroupsEntity::new(data, total_pages)))
}
