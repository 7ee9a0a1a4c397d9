//! The layout of the generated code, decided by the generator itself: what `codegen` writes
//! depends only on the spec, never on the installed rustfmt (whose style moves between
//! toolchains, so `codegen --check` could fail on a new stable with no change to the spec).
//!
//! The rules are rustfmt's default style for the few shapes the generator wraps (an argument
//! list, an attribute's arguments, a struct literal), so the files read like formatted
//! code. The generated modules are declared `#[rustfmt::skip]`, so `cargo fmt` never rewrites them.

/// rustfmt's `max_width`: the widest line.
pub(crate) const MAX_WIDTH: usize = 100;
/// rustfmt's `attr_fn_like_width`: the widest attribute argument list kept on one line.
const ATTR_WIDTH: usize = 70;
/// rustfmt's `struct_lit_width`: the widest struct literal body kept on one line.
const STRUCT_LIT_WIDTH: usize = 18;

/// How a list is written once it is one item per line.
#[derive(Clone, Copy)]
struct Shape {
    /// Widest the items may be, joined by ", ", to stay on one line.
    width: usize,
    /// A comma after the last item when vertical (rustfmt writes none in attributes).
    trailing_comma: bool,
    /// Spaces inside the delimiters on one line (`Self { a }`, not `(a)`).
    padded: bool,
}

/// `{indent}{open}{items}{close}`: on one line if the items fit the shape's width and the line
/// fits [`MAX_WIDTH`]; otherwise one item per line one level deeper, and `close` on its own
/// line at `indent`. Ends with a newline.
fn list(indent: &str, open: &str, items: &[String], close: &str, shape: Shape) -> String {
    let joined = items.join(", ");
    let pad = if shape.padded && !items.is_empty() {
        " "
    } else {
        ""
    };
    let line = format!("{indent}{open}{pad}{joined}{pad}{close}");
    if items.is_empty() || (joined.len() <= shape.width && line.len() <= MAX_WIDTH) {
        return line + "\n";
    }
    let mut out = format!("{indent}{open}\n");
    for (i, item) in items.iter().enumerate() {
        let comma = if i + 1 < items.len() || shape.trailing_comma {
            ","
        } else {
            ""
        };
        out.push_str(&format!("{indent}    {item}{comma}\n"));
    }
    out + indent + close + "\n"
}

/// A function signature up to its opening brace: `{indent}{head}(params){tail} {`. The
/// parameters stay on one line whenever the whole signature fits [`MAX_WIDTH`].
pub(crate) fn signature(indent: &str, head: &str, params: &[String], tail: &str) -> String {
    let shape = Shape {
        width: MAX_WIDTH,
        trailing_comma: true,
        padded: false,
    };
    list(
        indent,
        &format!("{head}("),
        params,
        &format!("){tail} {{"),
        shape,
    )
}

/// An attribute with arguments: `{indent}#[{name}(args)]`.
pub(crate) fn attribute(indent: &str, name: &str, args: &[String]) -> String {
    let shape = Shape {
        width: ATTR_WIDTH,
        trailing_comma: false,
        padded: false,
    };
    list(indent, &format!("#[{name}("), args, ")]", shape)
}

/// A struct literal: `{indent}{path} { fields }`, each field `name: value` or a shorthand.
pub(crate) fn struct_literal(indent: &str, path: &str, fields: &[String]) -> String {
    let shape = Shape {
        width: STRUCT_LIT_WIDTH,
        trailing_comma: true,
        padded: true,
    };
    list(indent, &format!("{path} {{"), fields, "}", shape)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn short_lists_stay_on_one_line() {
        assert_eq!(
            signature("    ", "pub fn new", &strings(&["id: String"]), " -> Self"),
            "    pub fn new(id: String) -> Self {\n"
        );
        assert_eq!(
            signature("    ", "pub fn new", &[], " -> Self"),
            "    pub fn new() -> Self {\n"
        );
        assert_eq!(
            attribute("    ", "serde", &strings(&["rename = \"a\"", "default"])),
            "    #[serde(rename = \"a\", default)]\n"
        );
        assert_eq!(
            struct_literal("        ", "Self", &strings(&["reason: None"])),
            "        Self { reason: None }\n"
        );
        assert_eq!(struct_literal("", "Self", &[]), "Self {}\n");
    }

    #[test]
    fn long_lists_go_one_item_per_line() {
        let params = strings(&[
            "contact: impl Into<String>",
            "type_: impl Into<PlacementType>",
            "x: impl Into<Number>",
        ]);
        assert_eq!(
            signature("    ", "pub fn new", &params, " -> Self"),
            "    pub fn new(\n        contact: impl Into<String>,\n        type_: impl Into<PlacementType>,\n        x: impl Into<Number>,\n    ) -> Self {\n"
        );
        // 71 columns of arguments: one more than an attribute keeps on a line, no trailing comma.
        let args = strings(&[
            "rename = \"custodyRef\"",
            "default",
            "skip_serializing_if = \"Option::is_none\"",
        ]);
        assert_eq!(
            attribute("    ", "serde", &args),
            "    #[serde(\n        rename = \"custodyRef\",\n        default,\n        skip_serializing_if = \"Option::is_none\"\n    )]\n"
        );
        assert_eq!(
            struct_literal("", "Self", &strings(&["id: id.into()", "b: None"])),
            "Self {\n    id: id.into(),\n    b: None,\n}\n"
        );
    }
}
