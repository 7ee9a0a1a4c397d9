//! Reading the API description: its sections, what kind of schema a schema is, a member's type,
//! and what the endpoints say about each schema (for the docs).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::model::Ty;
use super::names::{rename_type, snake_python};
use crate::config;

/// The sections of the description the generator reads.
pub(super) struct Spec<'a> {
    pub(super) schemas: &'a Map<String, Value>,
    endpoints: &'a [Value],
    pub(super) enum_fields: &'a Map<String, Value>,
}

impl<'a> Spec<'a> {
    pub(super) fn sections(spec: &'a Value) -> Result<Spec<'a>, String> {
        let schemas = spec["schemas"].as_object().ok_or("spec has no `schemas`")?;
        let endpoints = spec["endpoints"]
            .as_array()
            .ok_or("spec has no `endpoints`")?;
        let enum_fields = spec["enum_fields"]
            .as_object()
            .ok_or("spec has no `enum_fields`")?;
        Ok(Spec {
            schemas,
            endpoints,
            enum_fields,
        })
    }

    /// Usage notes for the docs, by schema name: which endpoints take or return it.
    pub(super) fn usage_notes(&self) -> BTreeMap<String, Vec<String>> {
        let mut usage: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for ep in self.endpoints {
            let method = ep["http_method"].as_str().unwrap_or_default();
            let path = ep["path"].as_str().unwrap_or_default();
            let notes = self.body_note(ep, method, path).into_iter();
            for (name, note) in notes.chain(self.response_notes(ep, method, path)) {
                usage.entry(name).or_default().push(note);
            }
        }
        usage
    }

    /// The request body of an endpoint: (schema name, note).
    fn body_note(&self, ep: &Value, method: &str, path: &str) -> Option<(String, String)> {
        let body = ep["body_param"].as_str()?;
        let (name, _) = self.schemas.iter().find(|(n, _)| snake_python(n) == body)?;
        let note = if path.starts_with("/_webhooks/") {
            format!(
                "Documented as the body of `{method} {path}` (not callable: it describes the webhook payload)."
            )
        } else {
            let list = ep["params"][body]["annotation"]
                .as_str()
                .unwrap_or_default()
                .contains("List[");
            format!(
                "Request body of `{method} {path}`{}.",
                if list { " (as a JSON array)" } else { "" }
            )
        };
        Some((name.clone(), note))
    }

    /// The responses of an endpoint that are schemas: (schema name, note) in status order.
    fn response_notes(&self, ep: &Value, method: &str, path: &str) -> Vec<(String, String)> {
        let mut notes = Vec::new();
        for (status, resp) in ep["responses"].as_object().into_iter().flatten() {
            let Some(resp) = resp.as_str() else { continue };
            let (name, list) = match resp.strip_prefix("List[").and_then(|r| r.strip_suffix(']')) {
                Some(inner) => (inner, true),
                None => (resp, false),
            };
            if self.schemas.contains_key(name) {
                let what = if status.starts_with('2') {
                    "Response"
                } else {
                    "Error response"
                };
                notes.push((
                    name.to_owned(),
                    format!(
                        "{what} of `{method} {path}` ({status}){}.",
                        if list { ", as a JSON array" } else { "" }
                    ),
                ));
            }
        }
        notes
    }

    /// Schema name -> the Rust types with a member of that schema.
    pub(super) fn referenced_by(&self) -> BTreeMap<String, BTreeSet<String>> {
        let mut referenced_by: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (name, schema) in self.schemas {
            if is_python_wrapper(schema) {
                continue;
            }
            let text = schema["properties"].to_string();
            for other in self.schemas.keys() {
                if text.contains(&format!("\"#/$defs/{other}\"")) {
                    referenced_by
                        .entry(other.clone())
                        .or_default()
                        .insert(rename_type(name));
                }
            }
        }
        referenced_by
    }
}

pub(super) fn is_error_wrapper(name: &str, schema: &Value) -> bool {
    let props: Vec<&str> = schema["properties"]
        .as_object()
        .map(|p| p.keys().map(String::as_str).collect())
        .unwrap_or_default();
    name.ends_with("Response") && props == ["statusCode", "message", "error"]
}

pub(super) fn is_python_wrapper(schema: &Value) -> bool {
    schema["properties"]
        .as_object()
        .is_some_and(|p| p.contains_key("actual_instance"))
}

/// A member's type, and whether the description allows `null` for it.
pub(super) fn parse_ty(prop: &Value, schemas: &Map<String, Value>) -> Result<(Ty, bool), String> {
    if let Some(r) = prop["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap_or_default();
        let schema = schemas
            .get(name)
            .ok_or_else(|| format!("unknown $ref {r}"))?;
        if is_error_wrapper(name, schema) {
            return Ok((Ty::Named(config::ERROR_BODY.to_owned()), false));
        }
        return Ok((Ty::Named(rename_type(name)), false));
    }
    if let Some(any) = prop["anyOf"].as_array() {
        let nullable = any.iter().any(|v| v["type"] == "null");
        let rest: Vec<&Value> = any.iter().filter(|v| v["type"] != "null").collect();
        let numeric = rest
            .iter()
            .all(|v| v["type"] == "number" || v["type"] == "integer");
        if !rest.is_empty() && numeric {
            return Ok((Ty::Number, nullable));
        }
        if let [one] = rest.as_slice() {
            return Ok((parse_ty(one, schemas)?.0, nullable));
        }
        return Err(format!("unsupported anyOf {prop}"));
    }
    let ty = match prop["type"].as_str() {
        None => Ty::Any,
        Some("string") => Ty::String,
        Some("boolean") => Ty::Bool,
        Some("number" | "integer") => Ty::Number,
        Some("array") => Ty::Vec(Box::new(parse_ty(&prop["items"], schemas)?.0)),
        Some("object") => match &prop["additionalProperties"] {
            Value::Object(inner) => Ty::Map(Box::new(
                parse_ty(&Value::Object(inner.clone()), schemas)?.0,
            )),
            _ => Ty::Object,
        },
        Some(other) => return Err(format!("unsupported type {other}")),
    };
    Ok((ty, false))
}
