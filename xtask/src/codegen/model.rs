//! What the generator knows once it has read the API description: the types to write, and the
//! questions the renderers ask about them.

use serde_json::Value;

use crate::config;

/// A member's type, before it becomes Rust text.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Ty {
    String,
    Bool,
    Number,
    Any,
    Object,
    Named(String),
    Vec(Box<Ty>),
    Map(Box<Ty>),
}

impl Ty {
    pub(super) fn rust(&self) -> String {
        match self {
            Ty::String => "String".into(),
            Ty::Bool => "bool".into(),
            Ty::Number => "Number".into(),
            Ty::Any => "Value".into(),
            Ty::Object => "JsonObject".into(),
            Ty::Named(n) => n.clone(),
            Ty::Vec(t) => format!("Vec<{}>", t.rust()),
            Ty::Map(t) => format!("BTreeMap<String, {}>", t.rust()),
        }
    }
}

pub(super) struct Field {
    pub(super) wire: String,
    pub(super) rust: String,
    pub(super) ty: Ty,
    /// `Option<_>`, skipped when `None`.
    pub(super) optional: bool,
    /// Required, but documented as possibly `null`: `Option<_>`, serialized as `null`.
    pub(super) nullable: bool,
    pub(super) doc: String,
}

pub(super) struct Struct {
    pub(super) name: String,
    pub(super) doc: String,
    pub(super) fields: Vec<Field>,
    pub(super) extra: bool,
    pub(super) builder: bool,
}

pub(super) struct EnumDef {
    pub(super) name: String,
    pub(super) doc: String,
    pub(super) integer: bool,
    pub(super) values: Vec<Value>,
    /// `Some` for schema-level enums.
    pub(super) schema: Option<String>,
}

pub(super) struct Model {
    pub(super) structs: Vec<Struct>,
    pub(super) enums: Vec<EnumDef>,
    /// (schema, doc) of error-body aliases.
    pub(super) errors: Vec<(String, String)>,
    /// schema name -> Rust path used by the conformance registry.
    pub(super) registry: Vec<(String, String)>,
}

impl Model {
    fn defaultable(&self, ty: &Ty, seen: &mut Vec<String>) -> bool {
        match ty {
            Ty::String | Ty::Bool | Ty::Any | Ty::Object | Ty::Vec(_) | Ty::Map(_) => true,
            Ty::Number => false,
            Ty::Named(n) => {
                if let Some(e) = self.enums.iter().find(|e| e.name == *n) {
                    return config::ENUM_DEFAULTS.iter().any(|(d, _, _)| *d == e.name);
                }
                if seen.contains(n) {
                    return false;
                }
                seen.push(n.clone());
                self.structs
                    .iter()
                    .find(|s| s.name == *n)
                    .is_some_and(|s| self.struct_defaultable(s, seen))
            }
        }
    }

    /// Whether the struct can derive `Default`; `seen` holds the structs already on the way
    /// (a recursive type is not defaultable).
    pub(super) fn struct_defaultable(&self, s: &Struct, seen: &mut Vec<String>) -> bool {
        s.fields
            .iter()
            .all(|f| f.optional || f.nullable || self.defaultable(&f.ty, seen))
    }

    pub(super) fn is_enum(&self, ty: &Ty) -> bool {
        matches!(ty, Ty::Named(n) if self.enums.iter().any(|e| e.name == *n))
    }
}
