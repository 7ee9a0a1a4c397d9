//! `generated/models.rs`: one struct per object schema, fields in description order.

use std::fmt::Write as _;

use crate::codegen::HEADER;
use crate::codegen::docs::doc_comment;
use crate::codegen::model::{Field, Model, Struct};
use crate::codegen::names::rust_str;
use crate::layout;

impl Model {
    pub(super) fn render_structs(&self) -> String {
        let mut out = String::from(HEADER);
        out.push_str("\n//! Structs: one per object schema, fields in description order.\n\n");
        out.push_str("#![allow(clippy::doc_markdown)] // descriptions are prose from the API description\n\n");
        out.push_str("use std::collections::BTreeMap;\n\nuse serde::{Deserialize, Serialize};\nuse serde_json::{Number, Value};\n\n#[allow(unused_imports)]\nuse crate::*;\n");
        for s in &self.structs {
            out.push('\n');
            self.render_struct(&mut out, s);
        }
        out
    }

    fn render_struct(&self, out: &mut String, s: &Struct) {
        out.push_str(&doc_comment(&s.doc, ""));
        let default = if self.struct_defaultable(s, &mut vec![s.name.clone()]) {
            "Default, "
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "#[derive(Debug, Clone, PartialEq, {default}Serialize, Deserialize)]"
        );
        // A new member in the next API version must not break code that builds or matches the
        // struct: it is built with `new(required...)` and setters (builders.rs).
        out.push_str("#[non_exhaustive]\n");
        let _ = writeln!(out, "pub struct {} {{", s.name);
        for f in &s.fields {
            render_field(out, f);
        }
        if s.extra {
            out.push_str(
                "    /// Members this version of the API description does not list, kept verbatim (the schema\n    \
                 /// allows additional properties) so that a round trip loses nothing.\n    \
                 #[serde(flatten)]\n    pub additional_properties: JsonObject,\n",
            );
        }
        out.push_str("}\n");
    }
}

/// A field with its doc and serde attributes.
fn render_field(out: &mut String, f: &Field) {
    let mut doc = f.doc.clone();
    if f.nullable {
        doc.push_str("\n\nAlways present on the wire; `None` is sent and received as `null`.");
    }
    out.push_str(&doc_comment(&doc, "    "));
    let mut attrs = Vec::new();
    if f.rust.trim_start_matches("r#") != f.wire {
        attrs.push(format!("rename = {}", rust_str(&f.wire)));
    }
    if f.optional {
        attrs.push("default".into());
        attrs.push("skip_serializing_if = \"Option::is_none\"".into());
    }
    if !attrs.is_empty() {
        out.push_str(&layout::attribute("    ", "serde", &attrs));
    }
    let ty = if f.optional || f.nullable {
        format!("Option<{}>", f.ty.rust())
    } else {
        f.ty.rust()
    };
    let _ = writeln!(out, "    pub {}: {ty},", f.rust);
}
