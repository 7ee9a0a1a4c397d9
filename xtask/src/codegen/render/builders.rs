//! `generated/builders.rs`: `new(required...)` and one chained setter per optional member, for
//! every struct: the request types (`*Dto`, `*Query`) that users send, and the answers and events
//! that tests and servers (the sandbox) build. The structs are `#[non_exhaustive]`, so these are
//! the only way to build one outside `humanos-models`.

use std::fmt::Write as _;

use crate::codegen::HEADER;
use crate::codegen::docs::{doc_comment, first_sentence};
use crate::codegen::model::{Field, Model, Struct, Ty};
use crate::codegen::names::param_name;
use crate::layout;

impl Model {
    pub(super) fn render_builders(&self) -> String {
        let mut out = String::from(HEADER);
        out.push_str(
            "\n//! Constructors and chained setters of every struct: `new(required...)`, then one setter\n\
             //! per optional or `null`-able member.\n\n\
             use std::collections::BTreeMap;\n\nuse serde_json::{Number, Value};\n\n#[allow(unused_imports)]\nuse crate::*;\n",
        );
        for s in &self.structs {
            let _ = write!(out, "\nimpl {} {{\n", s.name);
            self.render_new(&mut out, s);
            for f in s.fields.iter().filter(|f| !is_parameter(f)) {
                self.render_setter(&mut out, f);
            }
            out.push_str("}\n");
        }
        out
    }

    /// `new()` with one parameter per required member.
    fn render_new(&self, out: &mut String, s: &Struct) {
        let required: Vec<&Field> = s.fields.iter().filter(|f| is_parameter(f)).collect();
        out.push_str(&doc_comment(&new_doc(s, &required), "    "));
        let params: Vec<String> = required
            .iter()
            .map(|f| format!("{}: {}", param_name(&f.rust), self.param_ty(&f.ty)))
            .collect();
        if required.len() > 7 {
            out.push_str("    #[allow(clippy::too_many_arguments)]\n");
        }
        out.push_str(&layout::signature(
            "    ",
            "pub fn new",
            &params,
            " -> Self",
        ));
        let mut fields: Vec<String> = s.fields.iter().map(|f| self.initializer(f)).collect();
        if s.extra {
            fields.push("additional_properties: JsonObject::new()".to_owned());
        }
        out.push_str(&layout::struct_literal("        ", "Self", &fields));
        out.push_str("    }\n");
    }

    /// The member's initializer in `new()`'s struct literal (shorthand when it is the parameter).
    fn initializer(&self, f: &Field) -> String {
        if f.optional || f.nullable {
            return format!("{}: None", f.rust);
        }
        if starts_empty(f) {
            return format!("{}: JsonObject::new()", f.rust);
        }
        let value = self.convert(&param_name(&f.rust), &f.ty);
        if value == f.rust {
            value
        } else {
            format!("{}: {value}", f.rust)
        }
    }

    /// The chained setter of an optional, `null`-able or starts-empty member.
    fn render_setter(&self, out: &mut String, f: &Field) {
        let method = param_name(&f.rust);
        let first = first_sentence(&f.doc);
        let doc = format!("Sets `{}`: {first}", f.wire);
        out.push('\n');
        out.push_str(&doc_comment(&doc, "    "));
        out.push_str("    #[must_use]\n");
        let params = [
            "mut self".to_owned(),
            format!("{method}: {}", self.param_ty(&f.ty)),
        ];
        out.push_str(&layout::signature(
            "    ",
            &format!("pub fn {method}"),
            &params,
            " -> Self",
        ));
        let _ = writeln!(
            out,
            "        self.{} = {};\n        self\n    }}",
            f.rust,
            if f.optional || f.nullable {
                format!("Some({})", self.convert(&method, &f.ty))
            } else {
                self.convert(&method, &f.ty)
            }
        );
    }

    fn param_ty(&self, ty: &Ty) -> String {
        match ty {
            Ty::String => "impl Into<String>".into(),
            Ty::Number => "impl Into<Number>".into(),
            Ty::Named(n) if self.is_enum(ty) => format!("impl Into<{n}>"),
            Ty::Vec(inner) if **inner == Ty::String || self.is_enum(inner) => {
                format!("impl IntoIterator<Item = impl Into<{}>>", inner.rust())
            }
            other => other.rust(),
        }
    }

    fn convert(&self, name: &str, ty: &Ty) -> String {
        match ty {
            Ty::String | Ty::Number => format!("{name}.into()"),
            Ty::Named(_) if self.is_enum(ty) => format!("{name}.into()"),
            Ty::Vec(inner) if **inner == Ty::String || self.is_enum(inner) => {
                format!("{name}.into_iter().map(Into::into).collect()")
            }
            _ => name.to_owned(),
        }
    }
}

/// Whether the member is a parameter of `new()`: required, not `null`-able (those start as
/// `null`, `None`) and not a free-form object (those start empty).
fn is_parameter(f: &Field) -> bool {
    !f.optional && !f.nullable && !starts_empty(f)
}

/// Required free-form objects start empty (filled by setters / per-key helpers), so that
/// `ActionDto::new(id).user_param(..)` reads like the Python.
fn starts_empty(f: &Field) -> bool {
    !f.optional && !f.nullable && f.ty == Ty::Object
}

/// `new()`'s doc: which members it takes, and which start empty or `null`.
fn new_doc(s: &Struct, required: &[&Field]) -> String {
    let mut doc = format!("Builds the `{}`", s.name);
    if !s.builder {
        doc.push_str(" as the API sends it (for tests and emulators)");
    }
    if required.is_empty() {
        doc.push_str(" with every optional member unset");
    } else {
        let list: Vec<String> = required.iter().map(|f| format!("`{}`", f.wire)).collect();
        let _ = write!(
            doc,
            " from its required members ({}); optional members are unset",
            list.join(", ")
        );
    }
    for f in s.fields.iter().filter(|f| starts_empty(f)) {
        let _ = write!(doc, "; `{}` starts empty", f.wire);
    }
    for f in s.fields.iter().filter(|f| f.nullable) {
        let _ = write!(doc, "; `{}` starts as `null`", f.wire);
    }
    doc.push('.');
    doc
}
