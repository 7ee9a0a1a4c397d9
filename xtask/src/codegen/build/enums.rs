//! The enums of the model: schema-level enums, then the enum-typed fields of
//! [`config::ENUM_FIELDS`] (values merged in description order).

use serde_json::{Map, Value};

use crate::codegen::docs::enum_doc;
use crate::codegen::model::EnumDef;
use crate::codegen::names::{rename_type, snake_python};
use crate::codegen::spec::Spec;
use crate::config;

/// Every `enum_fields` entry of the description must be mapped.
pub(super) fn check_enum_fields_mapped(enum_fields: &Map<String, Value>) -> Result<(), String> {
    for (schema, fields) in enum_fields {
        for py in fields.as_object().into_iter().flat_map(|f| f.keys()) {
            let mapped = config::ENUM_FIELDS
                .iter()
                .any(|(s, w, _)| s == schema && snake_python(w) == *py);
            if !mapped {
                return Err(format!(
                    "enum field {schema}.{py} has no entry in config::ENUM_FIELDS"
                ));
            }
        }
    }
    Ok(())
}

pub(super) fn collect(spec: &Spec<'_>) -> Result<Vec<EnumDef>, String> {
    let mut enums = schema_enums(spec.schemas);
    for (schema, wire, enum_name) in config::ENUM_FIELDS {
        let values = field_values(spec.enum_fields, schema, wire, enum_name);
        let def = match enums.iter_mut().position(|e| e.name == *enum_name) {
            Some(i) => &mut enums[i],
            None => {
                enums.push(field_enum(enum_name, &values));
                enums.last_mut().ok_or("unreachable")?
            }
        };
        for v in values {
            if !def.values.contains(&v) {
                def.values.push(v);
            }
        }
    }
    for e in &enums {
        if e.doc.is_empty() {
            return Err(format!("enum {} has no doc in config::ENUM_DOCS", e.name));
        }
        if e.values.is_empty() {
            return Err(format!("enum {} has no values", e.name));
        }
    }
    Ok(enums)
}

fn schema_enums(schemas: &Map<String, Value>) -> Vec<EnumDef> {
    let mut enums = Vec::new();
    for (name, schema) in schemas {
        if let Some(values) = schema["enum"].as_array() {
            enums.push(EnumDef {
                name: rename_type(name),
                doc: enum_doc(name, schema),
                integer: false,
                values: values.clone(),
                schema: Some(name.clone()),
            });
        }
    }
    enums
}

/// The values the description lists for a field, or those of [`config::EXTRA_ENUM_VALUES`].
fn field_values(
    enum_fields: &Map<String, Value>,
    schema: &str,
    wire: &str,
    enum_name: &str,
) -> Vec<Value> {
    let py = snake_python(wire);
    enum_fields
        .get(schema)
        .and_then(|f| f.get(&py))
        .and_then(Value::as_array)
        .cloned()
        .or_else(|| {
            config::EXTRA_ENUM_VALUES
                .iter()
                .find(|(n, _)| *n == enum_name)
                .map(|(_, v)| v.iter().map(|s| Value::from(*s)).collect())
        })
        .unwrap_or_default()
}

/// A field enum seen for the first time, still without values.
fn field_enum(enum_name: &str, values: &[Value]) -> EnumDef {
    EnumDef {
        name: enum_name.to_owned(),
        doc: config::ENUM_DOCS
            .iter()
            .find(|(n, _)| *n == enum_name)
            .map(|(_, d)| (*d).to_owned())
            .unwrap_or_default(),
        integer: values.iter().any(Value::is_number),
        values: Vec::new(),
        schema: None,
    }
}
