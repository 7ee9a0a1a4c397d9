//! `generated/enums.rs`: every documented value, plus `Unknown` for values added later.

use std::fmt::Write as _;

use serde_json::Value;

use crate::codegen::HEADER;
use crate::codegen::docs::doc_comment;
use crate::codegen::model::{EnumDef, Model};
use crate::codegen::names::{rename_type, rust_str, variant_name};
use crate::config;

impl Model {
    pub(super) fn render_enums(&self) -> Result<String, String> {
        let mut out = String::from(HEADER);
        out.push_str(
            "\n//! Enums: every documented value, plus `Unknown` for values added later.\n\n",
        );
        out.push_str("use crate::enum_macro::{int_enum, string_enum};\n");
        for e in &self.enums {
            out.push('\n');
            render_enum(&mut out, e)?;
        }
        Ok(out)
    }
}

/// One `string_enum!` / `int_enum!` invocation, and the `Default` impl where `config` has one.
fn render_enum(out: &mut String, e: &EnumDef) -> Result<(), String> {
    let _ = writeln!(
        out,
        "{}! {{",
        if e.integer { "int_enum" } else { "string_enum" }
    );
    out.push_str(&doc_comment(&enum_doc(e), "    "));
    let _ = writeln!(out, "    pub enum {} {{", e.name);
    for v in &e.values {
        render_variant(out, e, v)?;
    }
    out.push_str("    }\n}\n");
    if let Some((_, value, d)) = config::ENUM_DEFAULTS.iter().find(|(n, _, _)| *n == e.name) {
        let _ = write!(
            out,
            "\nimpl Default for {} {{\n    /// {d}\n    fn default() -> Self {{\n        Self::{}\n    }}\n}}\n",
            e.name,
            variant(&e.name, value)
        );
    }
    Ok(())
}

/// The enum's doc, its schema when renamed, and the fields that take its values.
fn enum_doc(e: &EnumDef) -> String {
    let mut doc = e.doc.clone();
    if let Some(schema) = &e.schema
        && *schema != e.name
    {
        let _ = write!(doc, "\n\nSchema `{schema}` of the API description.");
    }
    let users: Vec<String> = config::ENUM_FIELDS
        .iter()
        .filter(|(_, _, n)| *n == e.name)
        .map(|(s, w, _)| format!("`{}.{w}`", rename_type(s)))
        .collect();
    if !users.is_empty() {
        let _ = write!(doc, "\n\nValues of {}.", users.join(", "));
    }
    doc
}

fn render_variant(out: &mut String, e: &EnumDef, v: &Value) -> Result<(), String> {
    let wire = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => return Err(format!("enum {}: unsupported value {other}", e.name)),
    };
    let mut vdoc = format!("`{wire}`");
    if let Some((_, _, d)) = config::VARIANT_DOCS
        .iter()
        .find(|(n, w, _)| *n == e.name && *w == wire)
    {
        let _ = write!(vdoc, ": {d}");
    } else {
        vdoc.push('.');
    }
    out.push_str(&doc_comment(&vdoc, "        "));
    let variant = variant(&e.name, &wire);
    if e.integer {
        let _ = writeln!(out, "        {variant} = {wire},");
    } else {
        let _ = writeln!(out, "        {variant} = {},", rust_str(&wire));
    }
    Ok(())
}

/// The variant for a wire value: [`config::VARIANT_NAMES`], else the mechanical name.
fn variant(enum_name: &str, wire: &str) -> String {
    config::VARIANT_NAMES
        .iter()
        .find(|(n, w, _)| *n == enum_name && *w == wire)
        .map_or_else(|| variant_name(wire), |(_, _, v)| (*v).to_owned())
}
