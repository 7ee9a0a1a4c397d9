//! `--table`: plain-text tables of the API's JSON, no dependency.
//!
//! Cells are taken from the JSON the API sent (the same JSON `--table`-less output prints), so a
//! table never shows anything the JSON does not have. Control characters are replaced (a value
//! cannot break the layout or send terminal escapes) and long values are shortened with `…`.

use serde_json::Value;

/// Longest cell, in characters.
const MAX_CELL: usize = 120;

/// A column: its header and how to read its cell from a row's JSON.
pub(crate) type Column = (&'static str, fn(&Value) -> String);

/// Rows under a header, columns left-aligned and separated by two spaces.
pub(crate) struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub(crate) fn new(headers: &[&str]) -> Self {
        Self {
            headers: headers.iter().map(|h| (*h).to_owned()).collect(),
            rows: Vec::new(),
        }
    }

    pub(crate) fn row(&mut self, cells: Vec<String>) {
        self.rows
            .push(cells.into_iter().map(|c| clean(&c)).collect());
    }

    pub(crate) fn render(&self) -> String {
        let columns = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate().take(columns) {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
        let mut out = String::new();
        for row in std::iter::once(&self.headers).chain(&self.rows) {
            let mut line = String::new();
            for (i, width) in widths.iter().enumerate() {
                let cell = row.get(i).map_or("", String::as_str);
                if i + 1 == columns {
                    line.push_str(cell);
                } else {
                    line.push_str(cell);
                    let pad = width.saturating_sub(cell.chars().count()) + 2;
                    line.extend(std::iter::repeat_n(' ', pad));
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out.pop();
        out
    }
}

/// One line per item of `items`, one column per entry of `columns`.
pub(crate) fn list(items: &[Value], columns: &[Column]) -> String {
    let headers: Vec<&str> = columns.iter().map(|(h, _)| *h).collect();
    let mut table = Table::new(&headers);
    for item in items {
        table.row(columns.iter().map(|(_, read)| read(item)).collect());
    }
    table.render()
}

/// A two-column `FIELD VALUE` table of one object.
pub(crate) fn fields(value: &Value, fields: &[Column]) -> String {
    let mut table = Table::new(&["FIELD", "VALUE"]);
    for (name, read) in fields {
        table.row(vec![(*name).to_owned(), read(value)]);
    }
    table.render()
}

/// The array at `pointer` (empty when absent).
pub(crate) fn items<'a>(value: &'a Value, pointer: &str) -> &'a [Value] {
    value
        .pointer(pointer)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The cell of the value at `pointer` (a JSON pointer such as `/credentials/0/id`).
pub(crate) fn at(value: &Value, pointer: &str) -> String {
    cell(value.pointer(pointer))
}

/// The number of items of the array at `pointer`.
pub(crate) fn count(value: &Value, pointer: &str) -> String {
    match value.pointer(pointer) {
        Some(Value::Array(items)) => items.len().to_string(),
        _ => "-".to_owned(),
    }
}

/// The values at `member` of every item of the array at `pointer`, comma-separated.
pub(crate) fn join(value: &Value, pointer: &str, member: &str) -> String {
    let parts: Vec<String> = items(value, pointer)
        .iter()
        .map(|item| at(item, member))
        .collect();
    if parts.is_empty() {
        "-".to_owned()
    } else {
        parts.join(", ")
    }
}

/// A JSON value as a cell: strings as they are, `-` for null or absent, arrays of scalars
/// comma-separated, other arrays as their length, objects as compact JSON.
pub(crate) fn cell(value: Option<&Value>) -> String {
    let text = match value {
        None | Some(Value::Null) => "-".to_owned(),
        Some(Value::String(s)) if s.is_empty() => "\"\"".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            if items.is_empty() {
                "-".to_owned()
            } else {
                items
                    .iter()
                    .map(|i| cell(Some(i)))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        }
        Some(Value::Array(items)) => format!("{} items", items.len()),
        Some(other) => other.to_string(),
    };
    shorten(&text)
}

fn shorten(text: &str) -> String {
    if text.chars().count() <= MAX_CELL {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(MAX_CELL - 1).collect();
    out.push('…');
    out
}

/// Control characters (newlines, tabs, escapes) become spaces.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn aligned_columns_and_cells() {
        let rows = [
            json!({"id": "a", "n": 1, "tags": ["x", "y"], "o": {"k": 1}}),
            json!({"id": "long-id", "n": null, "tags": [{"z": 1}], "s": "a\nb\u{1b}"}),
        ];
        let cols: [Column; 4] = [
            ("ID", |v| at(v, "/id")),
            ("N", |v| at(v, "/n")),
            ("TAGS", |v| at(v, "/tags")),
            ("S", |v| at(v, "/s")),
        ];
        assert_eq!(
            list(&rows, &cols),
            "ID       N  TAGS     S\na        1  x, y     -\nlong-id  -  1 items  a b"
        );
        assert_eq!(cell(Some(&json!({"k": 1}))), "{\"k\":1}");
        assert_eq!(shorten(&"x".repeat(200)).chars().count(), MAX_CELL);
        assert_eq!(count(&rows[0], "/tags"), "2");
        assert_eq!(
            join(&json!({"a": [{"c": "1"}, {"c": "2"}]}), "/a", "/c"),
            "1, 2"
        );
    }
}
