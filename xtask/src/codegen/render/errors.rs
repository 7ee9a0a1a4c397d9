//! `generated/errors.rs`: the error-response wrappers, as aliases of the error body.

use std::fmt::Write as _;

use crate::codegen::HEADER;
use crate::codegen::docs::doc_comment;
use crate::codegen::model::Model;
use crate::config;

impl Model {
    pub(super) fn render_errors(&self) -> String {
        let mut out = String::from(HEADER);
        out.push_str("\n//! Error-response wrappers of the Python SDK: all are the same error body on the wire.\n\nuse crate::ApiErrorBody;\n");
        for (name, doc) in &self.errors {
            out.push('\n');
            out.push_str(&doc_comment(doc, ""));
            let _ = writeln!(out, "pub type {name} = {};", config::ERROR_BODY);
        }
        out
    }
}
