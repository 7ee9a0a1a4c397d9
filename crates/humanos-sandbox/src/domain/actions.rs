//! Publishing actions: a new action, or a new version of an existing one.
//!
//! As the API description has it, an action's id (`ActionEntity.id`, `ActionDto.id`) is an
//! opaque (MongoDB) id, and each published version has a URN (`versions[].id`,
//! `IntelligenceActionEntity.urn`): `urn:via:action:<action id>:v<version>`. An id given in a
//! definition (`"id": "purchase"`, or URN-shaped as older files have it) is kept as written;
//! its version URNs do not repeat the `urn:via:action:` prefix.

use humanos_models::JsonObject;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::context::Context;
use crate::domain::error::{DomainError, DomainResult};
use crate::domain::mandate;
use crate::records::{ACTION, ActionRec, VersionRec};
use crate::util;

/// The definition of an action, as read from the actions file or `POST /admin/actions`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ActionDefinition {
    id: Option<String>,
    name: String,
    description: Option<String>,
    #[serde(flatten)]
    rest: JsonObject,
}

/// Publishes an action (a new action, or a new version when `id` or `name` exists).
pub(crate) fn define_action(ctx: &Context, def: Value) -> DomainResult<Value> {
    let def: ActionDefinition = serde_json::from_value(def)
        .map_err(|e| DomainError::Invalid(format!("invalid action definition: {e}")))?;
    for key in ["userParams", "executionParams"] {
        if let Some(v) = def.rest.get(key)
            && !v.is_object()
        {
            return Err(DomainError::Invalid(format!(
                "{key} must be an object of parameter declarations"
            )));
        }
    }
    if let Some(rules) = def.rest.get("rules")
        && humanos_vc::rules::Rule::parse_list(rules).is_empty()
        && !rules.as_array().is_some_and(Vec::is_empty)
    {
        return Err(DomainError::Invalid(
            "rules must be a list of CEL expressions or {name, expression} objects".into(),
        ));
    }
    let actions: Vec<ActionRec> = ctx.store.list(ACTION)?;
    let existing = actions.into_iter().find(|a| {
        def.id.as_deref() == Some(a.id.as_str()) || (def.id.is_none() && a.name == def.name)
    });
    let now = ctx.now_iso();
    let mut content = JsonObject::new();
    content.insert("name".into(), def.name.clone().into());
    if let Some(d) = &def.description {
        content.insert("description".into(), d.clone().into());
    }
    for (k, v) in &def.rest {
        content.insert(k.clone(), v.clone());
    }
    let digest = mandate::digest_sri(&Value::Object(content.clone()));
    let mut action = existing.unwrap_or_else(|| ActionRec {
        id: def
            .id
            .clone()
            .unwrap_or_else(|| util::object_id(ctx.now_ms())),
        name: def.name.clone(),
        description: def.description.clone(),
        created_at: now.clone(),
        updated_at: now.clone(),
        versions: Vec::new(),
    });
    if action
        .versions
        .last()
        .is_some_and(|v| v.digest_sri == digest)
    {
        let version = action.versions.len() as u64;
        return Ok(
            json!({"id": action.id, "version": version, "versionId": version_urn(&action.id, version), "digestSRI": digest, "unchanged": true}),
        );
    }
    let version = action.versions.len() as u64 + 1;
    action.name = def.name;
    action.description = def.description;
    action.updated_at = now.clone();
    action.versions.push(VersionRec {
        id: version_urn(&action.id, version),
        version,
        content,
        digest_sri: digest.clone(),
        created_at: now,
    });
    ctx.store.put(ACTION, &action.id, &action)?;
    tracing::info!(action = %action.id, version, name = %action.name, "action published");
    Ok(
        json!({"id": action.id, "version": version, "versionId": version_urn(&action.id, version), "digestSRI": digest}),
    )
}

/// The URN of version `version` of action `id`.
pub(crate) fn version_urn(id: &str, version: u64) -> String {
    let bare = id.strip_prefix(VERSION_URN_PREFIX).unwrap_or(id);
    format!("{VERSION_URN_PREFIX}{bare}:v{version}")
}

/// What every action version URN starts with.
const VERSION_URN_PREFIX: &str = "urn:via:action:";

/// The action and version a version URN names (`None` when it names none).
pub(crate) fn find_version(
    ctx: &Context,
    urn: &str,
) -> DomainResult<Option<(ActionRec, VersionRec)>> {
    for a in ctx.store.list::<ActionRec>(ACTION)? {
        if let Some(v) = a.versions.iter().find(|v| v.id == urn).cloned() {
            return Ok(Some((a, v)));
        }
    }
    Ok(None)
}
