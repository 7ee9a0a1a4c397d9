//! The conformance test's registry: every schema name with the Rust type that models it, one
//! line per schema (a `schema!` macro writes the tuple, so 170 schemas stay a short table).

use std::fmt::Write as _;

use crate::codegen::HEADER;
use crate::codegen::model::Model;
use crate::codegen::names::rust_str;

const PREAMBLE: &str = r#"
//! Every schema name of the API description with the Rust type that models it.

use super::{RoundTrip, round_trip};

/// One entry of `SCHEMAS`: `schema!(Type)` where the Rust type has the schema's name,
/// `schema!("NAME" => Type)` where it does not.
macro_rules! schema {
    ($rust:ident) => {
        schema!(stringify!($rust) => $rust)
    };
    ($schema:expr => $rust:ident) => {
        ($schema, stringify!($rust), round_trip::<humanos_models::$rust>)
    };
}

/// (schema name, Rust type name, round trip through that type).
pub(crate) const SCHEMAS: &[(&str, &str, RoundTrip)] = &[
"#;

impl Model {
    pub(super) fn render_registry(&self) -> String {
        let mut out = String::from(HEADER);
        out.push_str(PREAMBLE);
        for (schema, rust) in &self.registry {
            if schema == rust {
                let _ = writeln!(out, "    schema!({rust}),");
            } else {
                let _ = writeln!(out, "    schema!({} => {rust}),", rust_str(schema));
            }
        }
        out.push_str("];\n");
        out
    }
}
