//! Documented response bodies, built from the vendored API description.
//!
//! `instance("RequestsEntity")` is a JSON instance of that schema with every property present
//! (documented enum values, the first alternative of a union, one element per array, an extra
//! member where the schema allows extra members), so an endpoint test that decodes it and
//! writes it back proves the client hands over the documented shape whole.

use std::sync::OnceLock;

use serde_json::{Map, Value, json};

const SPEC: &str = include_str!("../../../../spec/humanos-api-2026-09-01.json");

struct Spec {
    schemas: Map<String, Value>,
    enum_fields: Map<String, Value>,
}

fn spec() -> &'static Spec {
    static SPEC_CELL: OnceLock<Spec> = OnceLock::new();
    SPEC_CELL.get_or_init(|| {
        let spec: Value = serde_json::from_str(SPEC).unwrap();
        Spec {
            schemas: spec["schemas"].as_object().unwrap().clone(),
            enum_fields: spec["enum_fields"].as_object().unwrap().clone(),
        }
    })
}

/// The endpoints of the vendored description: `(api, method_name, http_method, path)`.
pub fn endpoints() -> Vec<(String, String, String, String)> {
    let spec: Value = serde_json::from_str(SPEC).unwrap();
    spec["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap().to_owned();
            (s("api"), s("method_name"), s("http_method"), s("path"))
        })
        .collect()
}

/// A maximal instance of schema `name`.
pub fn instance(name: &str) -> Value {
    build(name, 0)
}

fn build(name: &str, depth: usize) -> Value {
    assert!(depth < 16, "recursion at {name}");
    let spec = spec();
    let schema = spec
        .schemas
        .get(name)
        .unwrap_or_else(|| panic!("no schema {name}"));
    if let Some(values) = schema["enum"].as_array() {
        return values[0].clone();
    }
    let props = schema["properties"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    if props.contains_key("actual_instance") {
        let alternative = props
            .iter()
            .find(|(k, _)| k.ends_with("_validator"))
            .map(|(_, v)| non_null(v).clone())
            .unwrap();
        return value(name, &alternative, depth + 1);
    }
    let mut object = Map::new();
    let mut extra = false;
    for (wire, prop) in &props {
        if wire == "additional_properties" {
            extra = true;
            continue;
        }
        let v = match enum_values(name, wire) {
            Some(values) => values[0].clone(),
            None => value(name, prop, depth + 1),
        };
        object.insert(wire.clone(), v);
    }
    if extra {
        object.insert("futureMember".into(), json!({"added": [1, "two", null]}));
    }
    Value::Object(object)
}

fn enum_values(schema: &str, wire: &str) -> Option<&'static Vec<Value>> {
    let fields = spec().enum_fields.get(schema)?.as_object()?;
    let key = wire.to_ascii_lowercase();
    fields
        .iter()
        .find(|(py, _)| py.replace('_', "") == key)
        .and_then(|(_, v)| v.as_array())
}

fn non_null(prop: &Value) -> &Value {
    match prop["anyOf"].as_array() {
        Some(any) => any.iter().find(|v| v["type"] != "null").unwrap_or(prop),
        None => prop,
    }
}

fn value(schema: &str, prop: &Value, depth: usize) -> Value {
    if let Some(r) = prop["$ref"].as_str() {
        return build(r.rsplit('/').next().unwrap(), depth);
    }
    if let Some(any) = prop["anyOf"].as_array() {
        let rest: Vec<&Value> = any.iter().filter(|v| v["type"] != "null").collect();
        if rest
            .iter()
            .all(|v| v["type"] == "number" || v["type"] == "integer")
        {
            return json!(12);
        }
        return value(schema, rest[0], depth);
    }
    match prop["type"].as_str() {
        Some("string") => match prop["format"].as_str() {
            Some("date-time") => json!("2026-09-01T12:00:00.000Z"),
            Some("date") => json!("2026-09-01"),
            _ => json!("text ✓ \"quoted\""),
        },
        Some("boolean") => json!(true),
        Some("number" | "integer") => json!(12),
        Some("array") => json!([value(schema, &prop["items"], depth)]),
        Some("object") => match &prop["additionalProperties"] {
            Value::Object(inner) if !inner.is_empty() => {
                json!({ "someKey": value(schema, &Value::Object(inner.clone()), depth) })
            }
            _ => json!({"maxAmount": 10000, "allowedCategories": ["BOOKS", "OFFICE"]}),
        },
        None => json!({"any": [1, "two", null]}),
        Some(other) => panic!("unsupported type {other} in {schema}"),
    }
}
