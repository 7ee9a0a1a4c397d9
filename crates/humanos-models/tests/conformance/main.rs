//! Conformance of the models with the vendored API description.
//!
//! Walks every schema of `spec/humanos-api-2026-09-01.json`, builds JSON instances from the schema
//! alone (maximal: every property; minimal: required properties only; one instance per documented
//! enum value; an instance with unknown enum values; one with floats for numbers; one with `null`
//! for required members documented as nullable, by this test's own rule: `allows_null`), deserializes each into the Rust type registered
//! for the schema, serializes it back and requires the very same JSON text (same members, same
//! values, same member order). A schema without a Rust type fails by name.

// Generated; laid out by the generator (xtask/src/layout.rs), not by the installed rustfmt.
#[rustfmt::skip]
mod registry;

use std::collections::BTreeSet;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

const SPEC: &str = include_str!("../../../../spec/humanos-api-2026-09-01.json");

/// Deserializes JSON text into a type and serializes it back to text.
type RoundTrip = fn(&str) -> Result<String, String>;

fn round_trip<T: Serialize + DeserializeOwned>(json: &str) -> Result<String, String> {
    let value: T = serde_json::from_str(json).map_err(|e| format!("deserialize: {e}"))?;
    serde_json::to_string(&value).map_err(|e| format!("serialize: {e}"))
}

/// A value no version of the description documents, for every enum.
const UNKNOWN_STRING: &str = "SOMETHING_NEW";
const UNKNOWN_INT: i64 = 299;
/// Enough picks to use every value of the longest enum (EventType has 14).
const PICKS: usize = 16;

#[derive(Clone, Copy)]
struct Plan {
    maximal: bool,
    /// Index of the enum value / wrapper alternative to use; `None` = unknown enum values.
    pick: Option<usize>,
    float: bool,
    nulls: bool,
}

struct Spec {
    schemas: Map<String, Value>,
    enum_fields: Map<String, Value>,
}

impl Spec {
    fn load() -> Spec {
        let spec: Value = serde_json::from_str(SPEC).expect("the vendored spec parses");
        Spec {
            schemas: spec["schemas"].as_object().expect("schemas").clone(),
            enum_fields: spec["enum_fields"]
                .as_object()
                .expect("enum_fields")
                .clone(),
        }
    }

    fn wrapper_alternatives(schema: &Value) -> Option<Vec<Value>> {
        let props = schema["properties"].as_object()?;
        if !props.contains_key("actual_instance") {
            return None;
        }
        let alternatives = props
            .iter()
            .filter(|(k, _)| k.ends_with("_validator"))
            .map(|(_, v)| non_null(v).cloned().unwrap_or(Value::Null))
            .collect();
        Some(alternatives)
    }

    fn instance(&self, name: &str, plan: Plan, depth: usize) -> Value {
        assert!(depth < 16, "schema recursion too deep at {name}");
        let schema = &self.schemas[name];
        if let Some(values) = schema["enum"].as_array() {
            return pick_enum(values, plan);
        }
        if let Some(alternatives) = Self::wrapper_alternatives(schema) {
            let index = plan.pick.unwrap_or(0) % alternatives.len();
            return self.value(name, &alternatives[index], plan, depth + 1);
        }
        let required = required_members(schema);
        let mut object = Map::new();
        let mut extra = false;
        for (wire, prop) in schema["properties"].as_object().into_iter().flatten() {
            if wire == "additional_properties" {
                extra = true;
                continue;
            }
            let is_required = required.contains(wire.as_str());
            if !plan.maximal && !is_required {
                continue;
            }
            let value = if plan.nulls && is_required && allows_null(prop) {
                Value::Null
            } else if let Some(values) = self.enum_values(name, wire) {
                pick_enum(values, plan)
            } else {
                self.value(name, prop, plan, depth + 1)
            };
            object.insert(wire.clone(), value);
        }
        if extra && plan.maximal {
            object.insert(
                "futureMember".into(),
                json!({"added": ["later", 1, true, null]}),
            );
        }
        Value::Object(object)
    }

    fn enum_values(&self, schema: &str, wire: &str) -> Option<&Vec<Value>> {
        let fields = self.enum_fields.get(schema)?.as_object()?;
        let key = wire.to_ascii_lowercase();
        fields
            .iter()
            .find(|(py, _)| py.replace('_', "") == key)
            .and_then(|(_, v)| v.as_array())
    }

    fn value(&self, schema: &str, prop: &Value, plan: Plan, depth: usize) -> Value {
        if let Some(r) = prop["$ref"].as_str() {
            return self.instance(r.rsplit('/').next().unwrap_or_default(), plan, depth);
        }
        if let Some(any) = prop["anyOf"].as_array() {
            let rest: Vec<&Value> = any.iter().filter(|v| v["type"] != "null").collect();
            if rest
                .iter()
                .all(|v| v["type"] == "number" || v["type"] == "integer")
            {
                return number(plan);
            }
            return self.value(schema, rest[0], plan, depth);
        }
        match prop["type"].as_str() {
            Some("string") => match prop["format"].as_str() {
                Some("date-time") => json!("2026-09-01T12:00:00.000Z"),
                Some("date") => json!("2026-09-01"),
                _ => json!("text ✓ \"quoted\""),
            },
            Some("boolean") => json!(true),
            Some("number" | "integer") => number(plan),
            Some("array") => {
                if plan.maximal {
                    json!([self.value(schema, &prop["items"], plan, depth)])
                } else {
                    json!([])
                }
            }
            Some("object") => match &prop["additionalProperties"] {
                Value::Object(inner) if !inner.is_empty() => {
                    json!({ "someKey": self.value(schema, &Value::Object(inner.clone()), plan, depth) })
                }
                _ if plan.maximal => {
                    json!({"maxAmount": 10000, "allowedCategories": ["BOOKS", "OFFICE"], "nested": {"a": 1.5}})
                }
                _ => json!({}),
            },
            None => {
                if plan.maximal {
                    json!({"any": [1, "two", null, {"three": 3.5}]})
                } else {
                    json!("any")
                }
            }
            Some(other) => panic!("unsupported type {other} in {schema}"),
        }
    }
}

/// Whether the description lets a member be `null`, by this test's own reading (deliberately
/// not the generator's): JSON Schema's `nullable: true`, a `"null"` type (in `type`, `anyOf`,
/// `oneOf`) or enum value, or "null" anywhere in the prose, in any case ("Null when none are
/// bounded.", "`null` means unlimited", "null-valued", "nullable").
fn allows_null(prop: &Value) -> bool {
    let is_null_type = |v: &Value| v["type"] == "null";
    prop["nullable"] == true
        || prop["type"]
            .as_array()
            .is_some_and(|t| t.iter().any(|t| t == "null"))
        || ["anyOf", "oneOf"].iter().any(|k| {
            prop[*k]
                .as_array()
                .is_some_and(|a| a.iter().any(is_null_type))
        })
        || prop["enum"]
            .as_array()
            .is_some_and(|e| e.iter().any(Value::is_null))
        || prop["description"]
            .as_str()
            .is_some_and(|d| d.to_lowercase().contains("null"))
}

/// The names listed in a schema's `required`.
fn required_members(schema: &Value) -> BTreeSet<&str> {
    schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

fn non_null(prop: &Value) -> Option<&Value> {
    match prop["anyOf"].as_array() {
        Some(any) => any.iter().find(|v| v["type"] != "null"),
        None => Some(prop),
    }
}

fn number(plan: Plan) -> Value {
    if plan.float { json!(12.5) } else { json!(12) }
}

fn pick_enum(values: &[Value], plan: Plan) -> Value {
    match plan.pick {
        Some(i) => values[i % values.len()].clone(),
        None if values.iter().any(Value::is_number) => json!(UNKNOWN_INT),
        None => json!(UNKNOWN_STRING),
    }
}

fn plans() -> Vec<(&'static str, Plan)> {
    let mut plans = Vec::new();
    for pick in 0..PICKS {
        plans.push((
            "maximal",
            Plan {
                maximal: true,
                pick: Some(pick),
                float: false,
                nulls: false,
            },
        ));
        plans.push((
            "minimal",
            Plan {
                maximal: false,
                pick: Some(pick),
                float: false,
                nulls: false,
            },
        ));
    }
    plans.push((
        "maximal, floats",
        Plan {
            maximal: true,
            pick: Some(0),
            float: true,
            nulls: false,
        },
    ));
    plans.push((
        "maximal, unknown enum values",
        Plan {
            maximal: true,
            pick: None,
            float: false,
            nulls: false,
        },
    ));
    plans.push((
        "minimal, unknown enum values",
        Plan {
            maximal: false,
            pick: None,
            float: false,
            nulls: false,
        },
    ));
    plans.push((
        "maximal, documented nulls",
        Plan {
            maximal: true,
            pick: Some(0),
            float: false,
            nulls: true,
        },
    ));
    plans.push((
        "minimal, documented nulls",
        Plan {
            maximal: false,
            pick: Some(0),
            float: false,
            nulls: true,
        },
    ));
    plans
}

fn lookup(name: &str) -> Option<(&'static str, RoundTrip)> {
    registry::SCHEMAS
        .iter()
        .find(|(schema, _, _)| *schema == name)
        .map(|(_, rust, f)| (*rust, *f))
}

#[test]
fn every_schema_has_a_rust_type() {
    let spec = Spec::load();
    let missing: Vec<&String> = spec
        .schemas
        .keys()
        .filter(|name| lookup(name).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "schemas without a Rust type: {missing:?}"
    );
    assert_eq!(spec.schemas.len(), 170);
}

#[test]
fn every_schema_round_trips_exactly() {
    let spec = Spec::load();
    let mut failures = Vec::new();
    let mut covered = 0;
    let mut instances = 0;
    for name in spec.schemas.keys() {
        let Some((rust, round_trip)) = lookup(name) else {
            failures.push(format!("{name}: no Rust type"));
            continue;
        };
        let mut seen = BTreeSet::new();
        let mut ok = true;
        for (label, plan) in plans() {
            let input = spec.instance(name, plan, 0).to_string();
            if !seen.insert(input.clone()) {
                continue;
            }
            instances += 1;
            match round_trip(&input) {
                Ok(output) if output == input => {}
                Ok(output) => {
                    ok = false;
                    failures.push(format!(
                        "{name} ({rust}), {label}:\n   sent {input}\n    got {output}"
                    ));
                }
                Err(e) => {
                    ok = false;
                    failures.push(format!("{name} ({rust}), {label}: {e}\n   input {input}"));
                }
            }
        }
        covered += usize::from(ok);
    }
    println!(
        "conformance: {covered}/{} schemas round-trip exactly ({instances} instances)",
        spec.schemas.len()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(covered, 170);
}

/// Humanos may add members to any response: schemas that do not keep them must still accept them.
#[test]
fn unknown_members_are_accepted_everywhere() {
    let spec = Spec::load();
    let mut failures = Vec::new();
    for name in spec.schemas.keys() {
        let plan = Plan {
            maximal: true,
            pick: Some(0),
            float: false,
            nulls: false,
        };
        let Value::Object(mut object) = spec.instance(name, plan, 0) else {
            continue;
        };
        object.insert("addedByHumanosLater".into(), json!({"x": [1, 2]}));
        let Some((_, round_trip)) = lookup(name) else {
            continue;
        };
        if let Err(e) = round_trip(&Value::Object(object).to_string()) {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every member the description lets be `null` decodes when it is `null`, whatever the Rust
/// type: a required one comes back as `null`, an optional one as absent. Each member is nulled
/// alone in an otherwise maximal instance, so a failure names exactly one `schema.member`.
#[test]
fn every_documented_null_decodes() {
    let spec = Spec::load();
    let plan = Plan {
        maximal: true,
        pick: Some(0),
        float: false,
        nulls: false,
    };
    let mut failures = Vec::new();
    let mut checked = 0;
    for (name, schema) in &spec.schemas {
        // Python wrappers are not objects on the wire; their alternatives are checked where used.
        if schema["enum"].is_array() || Spec::wrapper_alternatives(schema).is_some() {
            continue;
        }
        let Some((rust, round_trip)) = lookup(name) else {
            failures.push(format!("{name}: no Rust type"));
            continue;
        };
        let required = required_members(schema);
        let Value::Object(base) = spec.instance(name, plan, 0) else {
            continue;
        };
        for (wire, prop) in schema["properties"].as_object().into_iter().flatten() {
            if wire == "additional_properties" || !allows_null(prop) {
                continue;
            }
            checked += 1;
            let mut input = base.clone();
            input.insert(wire.clone(), Value::Null);
            let mut expected = input.clone();
            if !required.contains(wire.as_str()) {
                expected.shift_remove(wire);
            }
            let expected = Value::Object(expected).to_string();
            match round_trip(&Value::Object(input).to_string()) {
                Ok(output) if output == expected => {}
                Ok(output) => failures.push(format!(
                    "{name}.{wire} ({rust}): null decoded, but the rest did not round-trip: {output}"
                )),
                Err(e) => failures.push(format!("{name}.{wire} ({rust}) rejects null: {e}")),
            }
        }
    }
    println!("documented nulls: {checked} members decode null");
    assert!(
        failures.is_empty(),
        "{} members the description lets be null do not decode null:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
