//! From the API description to the [`Model`]: the enums first (struct members refer to them by
//! name), then one struct, error alias or hand-written type per schema.

mod enums;
mod structs;

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde_json::Value;

use super::model::Model;
use super::names::rename_type;
use super::spec::{Spec, is_error_wrapper, is_python_wrapper};
use crate::config;

impl Model {
    pub(in crate::codegen) fn build(spec: &Value) -> Result<Model, String> {
        let spec = Spec::sections(spec)?;
        enums::check_enum_fields_mapped(spec.enum_fields)?;
        let mut model = Model {
            structs: Vec::new(),
            enums: enums::collect(&spec)?,
            errors: Vec::new(),
            registry: Vec::new(),
        };
        model.add_schemas(&spec)?;
        Ok(model)
    }

    /// Registers every schema under its Rust name and models those the generator writes: error
    /// wrappers as aliases, object schemas as structs.
    fn add_schemas(&mut self, spec: &Spec<'_>) -> Result<(), String> {
        let usage = spec.usage_notes();
        let referenced_by = spec.referenced_by();
        let mut names = BTreeSet::new();
        for (name, schema) in spec.schemas {
            let rust_name = rename_type(name);
            if !names.insert(rust_name.clone()) {
                return Err(format!("two schemas map to the Rust name {rust_name}"));
            }
            self.registry.push((name.clone(), rust_name.clone()));
            if schema.get("enum").is_some() {
                continue;
            }
            if config::HAND_WRITTEN.contains(&name.as_str()) {
                continue;
            }
            if is_python_wrapper(schema) {
                return Err(format!(
                    "{name} is a Python oneOf/anyOf wrapper: hand-write it and list it in config::HAND_WRITTEN"
                ));
            }
            let notes = usage.get(name).map_or(&[][..], Vec::as_slice);
            if is_error_wrapper(name, schema) {
                self.errors.push((rust_name, error_doc(name, notes)));
                continue;
            }
            let users = referenced_by.get(name);
            let s = structs::build(name, rust_name, schema, spec.schemas, notes, users)?;
            self.structs.push(s);
        }
        Ok(())
    }
}

/// Doc of an error alias: what it stands for, then where the endpoints use it.
fn error_doc(name: &str, notes: &[String]) -> String {
    let mut doc = format!(
        "`{name}`: the error body, see [`crate::{}`].",
        config::ERROR_BODY
    );
    for n in notes {
        let _ = write!(doc, "\n\n{n}");
    }
    doc
}
