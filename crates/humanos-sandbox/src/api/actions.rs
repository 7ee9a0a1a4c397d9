//! Actions: `GET /actions`, `GET /actions/version/{id}`.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use humanos_models::*;

use crate::http::error::ApiResult;
use crate::records::{ACTION, ActionRec};

use super::common::*;

fn action_entity(a: &ActionRec) -> ActionEntity {
    {
        let mut value = ActionEntity::new(
            a.id.clone(),
            a.name.clone(),
            a.updated_at.clone(),
            a.versions
                .iter()
                .rev()
                .take(10)
                .map(|v| {
                    ActionVersionSummaryEntity::new(v.id.clone(), v.version, v.created_at.clone())
                        .digest_sri(v.digest_sri.clone())
                })
                .collect(),
        );
        value.description = a.description.clone();
        value
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
    Ok(Json(ActionListEntity::new(data, total_pages)))
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
            .map(|v| {
                ActionVersionDetailEntity::new(
                    v.id.clone(),
                    a.id.clone(),
                    v.version,
                    true,
                    v.created_at.clone(),
                    v.created_at.clone(),
                )
                .digest_sri(v.digest_sri.clone())
                .content(v.content.clone())
            })
            .collect(),
    };
    let (data, total_pages) = paginate(versions, page);
    Ok(Json(ActionVersionListEntity::new(data, total_pages)))
}
