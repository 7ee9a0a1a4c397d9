//! One struct per object schema: its fields (type, optionality, Rust name, doc) and its doc.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde_json::{Map, Value};

use crate::codegen::docs::{documents_null, field_doc, type_doc};
use crate::codegen::model::{Field, Struct, Ty};
use crate::codegen::names::snake_rust;
use crate::codegen::spec::parse_ty;
use crate::config;

/// The struct of the object schema `name`; `notes` say where the endpoints use it, `users`
/// which types have a member of it.
pub(super) fn build(
    name: &str,
    rust_name: String,
    schema: &Value,
    schemas: &Map<String, Value>,
    notes: &[String],
    users: Option<&BTreeSet<String>>,
) -> Result<Struct, String> {
    let props = schema["properties"]
        .as_object()
        .ok_or_else(|| format!("{name} has no properties"))?;
    let required: Vec<&str> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let mut fields = Vec::new();
    let mut extra = false;
    let mut rust_names = BTreeSet::new();
    for (wire, prop) in props {
        if wire == "additional_properties" {
            extra = true;
            continue;
        }
        let field = build_field(name, wire, prop, &required, schemas)?;
        if !rust_names.insert(field.rust.clone()) {
            return Err(format!(
                "{name}: two members map to the field name {}",
                field.rust
            ));
        }
        fields.push(field);
    }
    if extra && rust_names.contains("additional_properties") {
        return Err(format!("{name}: field name additional_properties is taken"));
    }
    Ok(Struct {
        doc: struct_doc(name, &rust_name, schema, notes, users),
        builder: name.ends_with("Dto") || name.ends_with("Query"),
        name: rust_name,
        fields,
        extra,
    })
}

/// The member `wire` of schema `name`.
fn build_field(
    name: &str,
    wire: &str,
    prop: &Value,
    required: &[&str],
    schemas: &Map<String, Value>,
) -> Result<Field, String> {
    let (ty, nullable_type) = parse_ty(prop, schemas).map_err(|e| format!("{name}.{wire}: {e}"))?;
    let ty = enum_typed(name, wire, ty)?;
    let is_required = required.contains(&wire);
    let description = prop["description"].as_str().unwrap_or_default();
    let mentions_null = documents_null(description);
    let (optional, nullable) = if !is_required {
        (true, false)
    } else if ty == Ty::Any {
        (false, false) // `Value` holds `null` itself
    } else {
        (false, nullable_type || mentions_null)
    };
    Ok(Field {
        doc: field_doc(name, wire, description),
        wire: wire.to_owned(),
        rust: snake_rust(wire),
        ty,
        optional,
        nullable,
    })
}

/// The member's type with the enum of [`config::ENUM_FIELDS`] in place of its strings/numbers.
fn enum_typed(name: &str, wire: &str, ty: Ty) -> Result<Ty, String> {
    let Some((_, _, e)) = config::ENUM_FIELDS
        .iter()
        .find(|(s, w, _)| *s == name && *w == wire)
    else {
        return Ok(ty);
    };
    Ok(match ty {
        Ty::String | Ty::Number => Ty::Named((*e).to_owned()),
        Ty::Vec(inner) if *inner == Ty::String => Ty::Vec(Box::new(Ty::Named((*e).to_owned()))),
        other => return Err(format!("{name}.{wire}: enum over {other:?}")),
    })
}

/// The schema's doc (from `config` or the description), then its rename, the endpoints that use
/// it and the types that refer to it.
fn struct_doc(
    name: &str,
    rust_name: &str,
    schema: &Value,
    notes: &[String],
    users: Option<&BTreeSet<String>>,
) -> String {
    let mut doc = type_doc(name, schema);
    if rust_name != name {
        let _ = write!(
            doc,
            "\n\nSchema `{name}` of the API description, renamed to read as Rust."
        );
    }
    for n in notes {
        let _ = write!(doc, "\n\n{n}");
    }
    if let Some(users) = users {
        let links: Vec<String> = users.iter().map(|u| format!("[`{u}`]")).collect();
        let _ = write!(doc, "\n\nUsed in {}.", links.join(", "));
    }
    doc
}
