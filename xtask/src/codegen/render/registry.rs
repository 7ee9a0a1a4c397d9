//! The conformance test's registry: every schema name with the Rust type that models it.

use crate::codegen::HEADER;
use crate::codegen::model::Model;
use crate::codegen::names::rust_str;
use crate::layout;

impl Model {
    pub(super) fn render_registry(&self) -> String {
        let mut out = String::from(HEADER);
        out.push_str(
            "\n//! Every schema name of the API description with the Rust type that models it.\n\n\
             use super::{RoundTrip, round_trip};\n\n\
             /// (schema name, Rust type name, round trip through that type).\n\
             pub(crate) const SCHEMAS: &[(&str, &str, RoundTrip)] = &[\n",
        );
        for (schema, rust) in &self.registry {
            let items = [
                rust_str(schema),
                rust_str(rust),
                format!("round_trip::<humanos_models::{rust}>"),
            ];
            out.push_str(&layout::tuple("    ", &items, ","));
        }
        out.push_str("];\n");
        out
    }
}
