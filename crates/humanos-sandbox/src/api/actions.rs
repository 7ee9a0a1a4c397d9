//! Actions: `GET /actions`, `GET /actions/version/{id}`.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use humanos_models::*;

use crate::http::error::ApiResult;
use crate::records::{ACTION, ActionRec};

use super::common::*;

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
