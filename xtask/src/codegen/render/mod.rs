//! From the [`Model`] to the text of each generated file.

mod builders;
mod enums;
mod errors;
mod registry;
mod structs;

use super::HEADER;
use super::model::Model;

impl Model {
    /// (path from the workspace root, contents) of every generated file.
    pub(in crate::codegen) fn render(&self) -> Result<Vec<(String, String)>, String> {
        let base = "crates/humanos-models/src/generated";
        Ok(vec![
            (format!("{base}/mod.rs"), render_mod()),
            (format!("{base}/enums.rs"), self.render_enums()?),
            (format!("{base}/models.rs"), self.render_structs()),
            (format!("{base}/errors.rs"), self.render_errors()),
            (format!("{base}/builders.rs"), self.render_builders()),
            (
                "crates/humanos-models/tests/conformance/registry.rs".to_owned(),
                self.render_registry(),
            ),
        ])
    }
}

fn render_mod() -> String {
    let mut out = String::from(HEADER);
    out.push_str(
        "\n//! Types generated from the API description: one per schema.\n\n\
         mod builders;\nmod enums;\nmod errors;\nmod models;\n\n\
         pub use enums::*;\npub use errors::*;\npub use models::*;\n",
    );
    out
}
